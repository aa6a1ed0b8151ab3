#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <unistd.h>
#include "CCrierLinux.h"

int ccrier_syncfs(int fd) {
    return syncfs(fd);
}

int ccrier_malloc_trim(void) {
    return malloc_trim(0);
}

int ccrier_rename_noreplace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}
