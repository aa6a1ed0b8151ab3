#ifndef CCRIER_LINUX_H
#define CCRIER_LINUX_H

/// syncfs(2) is declared only under _GNU_SOURCE, which Glibc's Swift module map does not define;
/// this shim compiles with it so Swift can flush a whole file system with one call.
int ccrier_syncfs(int fd);

/// malloc_trim(3) (glibc's <malloc.h>, which Glibc's Swift module does not include): gives the
/// memory malloc kept after the daemon's start-up peaks back to the system.
int ccrier_malloc_trim(void);

/// renameat2(from, to, RENAME_NOREPLACE): the rename fails with EEXIST instead of replacing `to`
/// (EINVAL or ENOSYS where the file system or kernel cannot do that).
int ccrier_rename_noreplace(const char *from, const char *to);

/// A non-blocking, close-on-exec timerfd(2) on CLOCK_REALTIME (Glibc's Swift module does not
/// include <sys/timerfd.h>); -1 with errno on failure.
int ccrier_timerfd_create(void);

/// Arms `fd` to expire once at the absolute wall-clock instant `seconds`.`nanoseconds`
/// (TFD_TIMER_ABSTIME); zero for both disarms it. 0, or -1 with errno.
int ccrier_timerfd_arm(int fd, long long seconds, long nanoseconds);

#endif
