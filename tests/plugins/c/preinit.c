// The shape Wizer leaves a module in: its state already in linear memory (a
// large initial memory), no maximum, no _initialize to run. No libc.
#include <stdint.h>

#include "pier/pdk/extism.h"

#define EXPORT(n) __attribute__((export_name(#n)))

// 40 MiB of initial memory; the last byte is written by the call.
static uint8_t state[40 << 20];
static uint32_t ready = 0x12345678;  // "initialised" before the module ever ran

EXPORT(touch) int32_t touch(void) {
  // An index the compiler cannot know, so the whole array stays in memory.
  const uint64_t at = (pier_extism_input_length() + sizeof state - 1) % sizeof state;
  state[at]++;
  const char* out = ready == 0x12345678 && state[at] >= 1 ? "preinitialised" : "broken";
  uint64_t n = 0;
  while (out[n]) n++;
  uint64_t h = pier_extism_alloc(n);
  for (uint64_t i = 0; i < n; i++) pier_extism_store_u8(h + i, (uint8_t)out[i]);
  pier_extism_output_set(h, n);
  return 0;
}
