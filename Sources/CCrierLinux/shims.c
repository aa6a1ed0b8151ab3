#define _GNU_SOURCE
#include <malloc.h>
#include <unistd.h>
#include "CCrierLinux.h"

int ccrier_syncfs(int fd) {
    return syncfs(fd);
}

int ccrier_malloc_trim(void) {
    return malloc_trim(0);
}
