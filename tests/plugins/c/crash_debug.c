// A plugin built with DWARF (-g, not stripped) that traps two calls deep, for
// backtraces with source lines and for core dumps. No libc.
#include <stdint.h>

#include "pier/pdk/extism.h"

#define EXPORT(n) __attribute__((export_name(#n)))

// The call's input is copied here before the trap, so a core dump taken at
// the trap must hold it (it is not in any data segment).
static volatile char last_input[256];

__attribute__((noinline)) static void fail_here(void) {
  *(volatile uint32_t*)(uintptr_t)0xfffffff0u = 1;  // CRASH-LINE: an out-of-bounds store
}

__attribute__((noinline)) static void remember_input_then_fail(void) {
  uint64_t n = pier_extism_input_length();
  for (uint64_t i = 0; i < n && i < sizeof last_input; i++) last_input[i] = (char)pier_extism_input_load_u8(i);
  fail_here();
}

EXPORT(crash) int32_t crash(void) {
  remember_input_then_fail();
  return 0;
}

EXPORT(fine) int32_t fine(void) { return 0; }
