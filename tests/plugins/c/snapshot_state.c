// A reactor whose initialiser leaves state behind, for snapshot tests: a
// counter set to 41, the monotonic clock and 16 random bytes it read. No libc,
// raw imports only.
//   bump         -> the counter after one increment: "42" in every fresh instance
//   init_random  -> hex of the bytes _initialize read (frozen into a snapshot)
//   call_random  -> hex of 16 bytes read now (fresh in every call)
//   clock_order  -> "ok" when the monotonic clock now is not before the one _initialize read
#include <stdint.h>

#define IMPORT(n) __attribute__((import_module("extism:host/env"), import_name(#n)))
#define WASI(n) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#n)))
#define EXPORT(n) __attribute__((export_name(#n)))

IMPORT(alloc) uint64_t x_alloc(uint64_t);
IMPORT(store_u8) void x_store_u8(uint64_t, uint32_t);
IMPORT(output_set) void x_output_set(uint64_t, uint64_t);
WASI(random_get) int32_t wasi_random_get(uint8_t* buf, uint32_t len);
WASI(clock_time_get) int32_t wasi_clock_time_get(uint32_t id, uint64_t precision, uint64_t* out);

#include "raw_strings.h"

static int32_t counter;
static uint8_t init_bytes[16];
static uint64_t init_clock;

EXPORT(_initialize) void initialize(void) {
  counter = 41;
  wasi_random_get(init_bytes, sizeof init_bytes);
  wasi_clock_time_get(1, 1, &init_clock);
}

static void output(const char* s) {
  uint64_t n = 0;
  while (s[n]) n++;
  x_output_set(store_str(s), n);
}

static void output_hex(const uint8_t* b, int n) {
  static const char digits[] = "0123456789abcdef";
  char text[2 * 16 + 1];
  for (int i = 0; i < n; i++) {
    text[2 * i] = digits[b[i] >> 4];
    text[2 * i + 1] = digits[b[i] & 15];
  }
  text[2 * n] = 0;
  output(text);
}

EXPORT(bump) int32_t bump(void) {
  counter++;
  char text[12];
  int n = 0;
  for (int32_t v = counter; v > 0 && n < 11; v /= 10) text[n++] = (char)('0' + v % 10);
  for (int i = 0; i < n / 2; i++) {
    char t = text[i];
    text[i] = text[n - 1 - i];
    text[n - 1 - i] = t;
  }
  text[n] = 0;
  output(text);
  return 0;
}

EXPORT(init_random) int32_t init_random(void) {
  output_hex(init_bytes, 16);
  return 0;
}

EXPORT(call_random) int32_t call_random(void) {
  uint8_t b[16];
  wasi_random_get(b, sizeof b);
  output_hex(b, 16);
  return 0;
}

EXPORT(clock_order) int32_t clock_order(void) {
  uint64_t now = 0;
  wasi_clock_time_get(1, 1, &now);
  output(now >= init_clock ? "ok" : "monotonic clock ran backwards");
  return 0;
}
