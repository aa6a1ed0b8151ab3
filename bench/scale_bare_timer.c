/* The "bare timer" baseline of bench/scale.py's lateness scenario: what a timer plus one HTTP
 * request cost on this machine with nothing else in the way.
 *
 *   scale_bare_timer PORT FILE      FILE: one "DUE_MS ID" line per request, DUE_MS in Unix ms
 *
 * One persistent TCP connection to 127.0.0.1:PORT (connected before the first due time, as a
 * client with a warm keep-alive connection would be). For each line: an absolute CLOCK_REALTIME
 * timerfd (no slack), then one small POST /bare with `webhook-id: ID`, then the answer is read.
 * Loopback only: the address is fixed to 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        data += n; length -= (size_t)n;
    }
    return 0;
}

/* Reads one answer: headers, then Content-Length bytes of body. */
static int read_answer(int fd) {
    static char buffer[8192];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buffer + used, sizeof buffer - 1 - used);
        if (n <= 0) { if (n < 0 && errno == EINTR) continue; return -1; }
        used += (size_t)n;
        buffer[used] = 0;
        char *end = strstr(buffer, "\r\n\r\n");
        if (!end) continue;
        char *cl = strcasestr(buffer, "content-length:");
        size_t body = cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0;
        if (used >= (size_t)(end + 4 - buffer) + body) return 0;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s PORT FILE\n", argv[0]); return 2; }
    int port = atoi(argv[1]);
    FILE *file = fopen(argv[2], "r");
    if (!file) { perror(argv[2]); return 1; }
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(sock, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int timer = timerfd_create(CLOCK_REALTIME, 0);
    if (timer < 0) { perror("timerfd_create"); return 1; }
    long long due_ms;
    char id[128];
    char request[1024];
    int sent = 0;
    while (fscanf(file, "%lld %127s", &due_ms, id) == 2) {
        struct itimerspec spec = { 0 };
        spec.it_value.tv_sec = due_ms / 1000;
        spec.it_value.tv_nsec = (due_ms % 1000) * 1000000L;
        if (timerfd_settime(timer, TFD_TIMER_ABSTIME, &spec, NULL) != 0) { perror("timerfd_settime"); return 1; }
        uint64_t expirations;
        while (read(timer, &expirations, sizeof expirations) < 0 && errno == EINTR) {}
        char body[256];
        int body_length = snprintf(body, sizeof body, "{\"post\":\"%s\",\"due_ms\":%lld}", id, due_ms);
        int length = snprintf(request, sizeof request,
                              "POST /bare HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              "webhook-id: b-%s\r\nContent-Length: %d\r\n\r\n%s", id, body_length, body);
        if (write_all(sock, request, (size_t)length) != 0) { perror("write"); return 1; }
        if (read_answer(sock) != 0) { fprintf(stderr, "no answer for %s\n", id); return 1; }
        sent++;
    }
    fprintf(stderr, "bare timer: %d requests sent\n", sent);
    return 0;
}
