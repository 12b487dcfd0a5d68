// The main module of an Extism manifest that links "lib" (link_lib.c).
#include <stdint.h>

#include "pier/pdk/extism.h"

#define EXPORT(n) __attribute__((export_name(#n)))
#define LIB(n) __attribute__((import_module("lib"), import_name(#n)))

LIB(add) int32_t lib_add(int32_t, int32_t);
LIB(calls) int32_t lib_calls(void);
LIB(initialized) int32_t lib_initialized(void);
LIB(shout) int32_t lib_shout(void);

static char text[96];

static int put_num(int at, int32_t v) {
  char digits[12];
  int n = 0;
  if (v == 0) digits[n++] = '0';
  while (v > 0 && n < 11) {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  }
  while (n > 0) text[at++] = digits[--n];
  return at;
}

static int put_str(int at, const char* s) {
  while (*s) text[at++] = *s++;
  return at;
}

static void output(int len) {
  uint64_t h = pier_extism_alloc((uint64_t)len);
  for (int i = 0; i < len; i++) pier_extism_store_u8(h + (uint64_t)i, (uint8_t)text[i]);
  pier_extism_output_set(h, (uint64_t)len);
}

// "2+3=5 calls=N init=1": the sum computed by the library.
EXPORT(sum) int32_t sum(void) {
  const int32_t r = lib_add(2, 3);
  int at = put_num(0, 2);
  at = put_str(at, "+");
  at = put_num(at, 3);
  at = put_str(at, "=");
  at = put_num(at, r);
  at = put_str(at, " calls=");
  at = put_num(at, lib_calls());
  at = put_str(at, " init=");
  at = put_num(at, lib_initialized());
  output(at);
  return 0;
}

EXPORT(shout) int32_t shout(void) {
  output(put_str(0, lib_shout() == 0 ? "shouted" : "fd_write failed"));
  return 0;
}
