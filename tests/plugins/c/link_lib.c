// A library module of an Extism manifest, linked into link_main by name
// ("lib"). It keeps state, has its own initialiser and its own memory, which
// WASI must use when it calls fd_write.
#include <stdint.h>

#define EXPORT(n) __attribute__((export_name(#n)))
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write"))) int32_t
wasi_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten);

static int32_t initialized;
static int32_t calls;

EXPORT(_initialize) void initialize(void) { initialized = 1; }

EXPORT(add) int32_t add(int32_t a, int32_t b) {
  calls++;
  return a + b;
}
EXPORT(calls) int32_t calls_fn(void) { return calls; }
EXPORT(initialized) int32_t initialized_fn(void) { return initialized; }

static const char kLine[] = "said by the library, from its own memory\n";
static int32_t iov[2];
static int32_t written;

// Writes kLine to stdout; the pointers are into this module's memory.
EXPORT(shout) int32_t shout(void) {
  iov[0] = (int32_t)(uintptr_t)kLine;
  iov[1] = (int32_t)(sizeof kLine - 1);
  return wasi_fd_write(1, (int32_t)(uintptr_t)iov, 1, (int32_t)(uintptr_t)&written);
}
