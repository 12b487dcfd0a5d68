// Hostile and broken behaviour, one export each. Pier must contain every one
// of them, report which limit was hit, and keep serving.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pier/pdk/extism.h"

#define EXPORT(n) __attribute__((export_name(#n)))

static volatile uint64_t sink;

static void output_str(const char* s) {
  uint64_t n = strlen(s), h = pier_extism_alloc(n);
  for (uint64_t i = 0; i < n; i++) pier_extism_store_u8(h + i, (uint8_t)s[i]);
  pier_extism_output_set(h, n);
}

static long input_number(void) {
  char buf[32] = {0};
  uint64_t n = pier_extism_input_length();
  for (uint64_t i = 0; i < n && i < sizeof buf - 1; i++) buf[i] = (char)pier_extism_input_load_u8(i);
  return atol(buf);
}

EXPORT(ok) int32_t ok(void) {
  output_str("ok");
  return 0;
}

EXPORT(spin) int32_t spin(void) {
  for (;;) sink++;
}

// Grows linear memory until the allocator gives up, touching every page.
EXPORT(alloc_bomb) int32_t alloc_bomb(void) {
  for (;;) {
    char* p = malloc(1 << 20);
    if (p == NULL) __builtin_trap();
    memset(p, 1, 1 << 20);
    sink += (uint64_t)(uintptr_t)p;
  }
}

// Allocates kernel memory until the host refuses.
EXPORT(arena_bomb) int32_t arena_bomb(void) {
  for (;;) sink += pier_extism_alloc(1 << 20);
}

// One cap bounds linear and kernel memory together: takes <input> MiB of
// kernel memory, then grows linear memory 1 MiB at a time until the host
// refuses, and answers how many MiB it got.
EXPORT(arena_then_grow) int32_t arena_then_grow(void) {
  const long mib = input_number();
  const uint64_t out = pier_extism_alloc(32);  // before memory runs out
  for (long i = 0; i < mib; i++) sink += pier_extism_alloc(1 << 20);
  long grown = 0;
  while (__builtin_wasm_memory_grow(0, 16) != (__SIZE_TYPE__)-1) grown++;
  char text[32];
  const int n = snprintf(text, sizeof text, "%ld", grown);
  for (int i = 0; i < n; i++) pier_extism_store_u8(out + i, (uint8_t)text[i]);
  pier_extism_output_set(out, (uint64_t)n);
  return 0;
}

// The other order: grows linear memory by <input> MiB, then takes kernel
// memory 1 MiB at a time until the host refuses (which traps).
EXPORT(grow_then_arena) int32_t grow_then_arena(void) {
  const long mib = input_number();
  if (__builtin_wasm_memory_grow(0, 16 * mib) == (__SIZE_TYPE__)-1) __builtin_trap();
  for (;;) sink += pier_extism_alloc(1 << 20);
}

static uint64_t recurse(uint64_t n) {
  volatile char pad[256];
  pad[0] = (char)n;
  return recurse(n + 1) + pad[0];
}
// Unbounded recursion with arrays on the C (shadow) stack: it runs off the
// bottom of linear memory, a memory fault.
EXPORT(deep_recursion) int32_t deep_recursion(void) {
  sink = recurse(0);
  return 0;
}

// Unbounded recursion in Wasm locals only: exhausts the Wasm call stack.
__attribute__((noinline)) static uint64_t recurse_native(uint64_t n) {
  if (sink == 0xdeadbeef) return n;
  return recurse_native(n + 1) + sink;
}
EXPORT(stack_overflow) int32_t stack_overflow(void) {
  sink = recurse_native(0);
  return 0;
}

// Claims an output far larger than anything it allocated.
EXPORT(huge_output_claim) int32_t huge_output_claim(void) {
  uint64_t h = pier_extism_alloc(16);
  pier_extism_output_set(h, 1ull << 40);
  return 0;
}

// Really tries to produce a gigantic output.
EXPORT(huge_output_alloc) int32_t huge_output_alloc(void) {
  uint64_t h = pier_extism_alloc(1ull << 34);
  pier_extism_output_set(h, 1ull << 34);
  return 0;
}

EXPORT(bad_handle) int32_t bad_handle(void) {
  sink = pier_extism_load_u64(0x7fffffffffull);
  return 0;
}

EXPORT(stale_handle) int32_t stale_handle(void) {
  uint64_t h = pier_extism_alloc(64);
  pier_extism_free(h);
  sink = pier_extism_load_u64(h);
  return 0;
}

EXPORT(negative_handle) int32_t negative_handle(void) {
  pier_extism_store_u64((uint64_t)-8, 1);
  return 0;
}

EXPORT(bad_error_handle) int32_t bad_error_handle(void) {
  pier_extism_error_set(999999);
  return 1;
}

EXPORT(double_free) int32_t double_free(void) {
  uint64_t h = pier_extism_alloc(32);
  pier_extism_free(h);
  pier_extism_free(h);
  pier_extism_free(12345);
  output_str("survived");
  return 0;
}

EXPORT(freed_output) int32_t freed_output(void) {
  uint64_t h = pier_extism_alloc(8);
  pier_extism_output_set(h, 8);
  pier_extism_free(h);
  return 0;
}

EXPORT(unreachable) int32_t unreachable(void) { __builtin_trap(); }

EXPORT(wild_write) int32_t wild_write(void) {
  *(volatile uint32_t*)(uintptr_t)0xfffffff0u = 1;
  return 0;
}

// Sleeps for the number of milliseconds given as input (WASI poll_oneoff).
EXPORT(sleep_ms) int32_t sleep_ms(void) {
  usleep((useconds_t)(input_number() * 1000));
  output_str("slept");
  return 0;
}

EXPORT(exit_with) int32_t exit_with(void) {
  output_str("before exit");
  exit((int)input_number());
}

EXPORT(print) int32_t print(void) {
  printf("line one\nline two\n");
  fprintf(stderr, "to stderr\n");
  fflush(stdout);
  output_str("printed");
  return 0;
}

// A megabyte without a newline: the log must cut it, never buffer it whole.
EXPORT(print_flood) int32_t print_flood(void) {
  static char block[1 << 16];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < 16; i++) fwrite(block, 1, sizeof block, stdout);
  fflush(stdout);
  output_str("flooded");
  return 0;
}

EXPORT(clock_and_random) int32_t clock_and_random(void) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  usleep(2000);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long elapsed_us = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
  unsigned char r1[16], r2[16];
  arc4random_buf(r1, sizeof r1);
  arc4random_buf(r2, sizeof r2);
  char out[64];
  snprintf(out, sizeof out, "%s %s", elapsed_us >= 1900 ? "clock-ok" : "clock-bad",
           memcmp(r1, r2, sizeof r1) != 0 ? "random-ok" : "random-bad");
  output_str(out);
  return 0;
}

// An instance counter in a guest global: survives only in pooled instances.
static int calls;
EXPORT(global_counter) int32_t global_counter(void) {
  char out[16];
  snprintf(out, sizeof out, "%d", ++calls);
  output_str(out);
  return 0;
}
