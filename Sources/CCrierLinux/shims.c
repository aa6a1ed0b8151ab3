#define _GNU_SOURCE
#include <unistd.h>
#include "CCrierLinux.h"

int ccrier_syncfs(int fd) {
    return syncfs(fd);
}
