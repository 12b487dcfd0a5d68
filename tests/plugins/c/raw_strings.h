// Copies a C string into a new kernel block, for test plugins written against
// the raw `extism:host/env` imports. The includer declares x_alloc and
// x_store_u8 (the imports alloc and store_u8) first, as it names them.
#pragma once

#include <stdint.h>

static uint64_t store_str(const char* s) {
  uint64_t n = 0;
  while (s[n]) n++;
  uint64_t h = x_alloc(n);
  for (uint64_t i = 0; i < n; i++) x_store_u8(h + i, (uint8_t)s[i]);
  return h;
}
