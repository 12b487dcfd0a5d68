// A module shaped like those of Extism's Haskell kit: GHC's runtime system must
// be started with hs_init(argc, argv) before any export, after the reactor's
// _initialize. No libc, raw `extism:host/env` imports only.
#include <stdint.h>

#define IMPORT(n) __attribute__((import_module("extism:host/env"), import_name(#n)))
#define EXPORT(n) __attribute__((export_name(#n)))

IMPORT(alloc) uint64_t x_alloc(uint64_t);
IMPORT(store_u8) void x_store_u8(uint64_t, uint32_t);
IMPORT(output_set) void x_output_set(uint64_t, uint64_t);
IMPORT(error_set) void x_error_set(uint64_t);

#include "raw_strings.h"

static char events[64];
static int used;
static int rts_started;

static void note(const char* s) {
  while (*s && used < (int)sizeof events - 1) events[used++] = *s++;
}


EXPORT(_initialize) void initialize(void) { note("_initialize;"); }

// GHC's signature: void hs_init(int* argc, char*** argv). Extism's hosts pass
// null for both; anything else is recorded as a failure.
EXPORT(hs_init) void hs_init(int32_t argc, int32_t argv) {
  note(argc == 0 && argv == 0 ? "hs_init(0,0);" : "hs_init(bad args);");
  rts_started++;
}

// What ran before this call, in order; fails as GHC's RTS does when nobody
// called hs_init.
EXPORT(events) int32_t events_fn(void) {
  if (!rts_started) {
    x_error_set(store_str("RTS is not initialised; call hs_init() first"));
    return 1;
  }
  events[used] = 0;
  uint64_t h = store_str(events);
  uint64_t n = 0;
  while (events[n]) n++;
  x_output_set(h, n);
  return 0;
}
