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

#endif
