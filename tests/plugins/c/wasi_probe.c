// WASI preview 1 corners other kits' plugins reach through wasi-libc:
// sockets (Pier has none: every call answers ENOTSUP) and poll_oneoff with
// clock and fd subscriptions.
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pier/pdk/extism.h"

#define EXPORT(n) __attribute__((export_name(#n)))

static void output_str(const char* s) {
  uint64_t n = strlen(s), h = pier_extism_alloc(n);
  for (uint64_t i = 0; i < n; i++) pier_extism_store_u8(h + i, (uint8_t)s[i]);
  pier_extism_output_set(h, n);
}

static const char* Err(int rc) { return rc == -1 && errno == ENOTSUP ? "ENOTSUP" : rc == -1 ? strerror(errno) : "ok"; }

// "recv=ENOTSUP send=ENOTSUP shutdown=ENOTSUP" on fd 3 (no such socket either way).
EXPORT(sockets) int32_t sockets(void) {
  char buf[8];
  char out[160];
  const char* r = Err((int)recv(3, buf, sizeof buf, 0));
  const char* s = Err((int)send(3, "x", 1, 0));
  const char* d = Err(shutdown(3, SHUT_RDWR));
  snprintf(out, sizeof out, "recv=%s send=%s shutdown=%s", r, s, d);
  output_str(out);
  return 0;
}

static int64_t NowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// poll() with no fds and a 30 ms timeout: a clock subscription that sleeps.
EXPORT(poll_clock) int32_t poll_clock(void) {
  const int64_t t0 = NowMs();
  const int rc = poll(NULL, 0, 30);
  char out[64];
  snprintf(out, sizeof out, "rc=%d slept=%s", rc, NowMs() - t0 >= 29 ? "yes" : "no");
  output_str(out);
  return 0;
}

// poll() on stdout for writing, with a timeout: the fd is ready at once.
EXPORT(poll_fd) int32_t poll_fd(void) {
  struct pollfd fds[1] = {{.fd = 1, .events = POLLOUT}};
  const int64_t t0 = NowMs();
  const int rc = poll(fds, 1, 5000);
  char out[96];
  snprintf(out, sizeof out, "rc=%d out=%s waited=%s", rc, (fds[0].revents & POLLOUT) ? "ready" : "not-ready",
           NowMs() - t0 < 1000 ? "no" : "yes");
  output_str(out);
  return 0;
}
