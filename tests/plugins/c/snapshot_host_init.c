// A reactor whose initialiser calls the Extism kernel (it reads its config):
// what it learns there cannot be frozen into a snapshot, so fresh instances
// of it must run _initialize each time. No libc, raw imports only.
//   greeting -> the config value "greeting" as _initialize read it
#include <stdint.h>

#define IMPORT(n) __attribute__((import_module("extism:host/env"), import_name(#n)))
#define EXPORT(n) __attribute__((export_name(#n)))

IMPORT(alloc) uint64_t x_alloc(uint64_t);
IMPORT(store_u8) void x_store_u8(uint64_t, uint32_t);
IMPORT(output_set) void x_output_set(uint64_t, uint64_t);
IMPORT(config_get) uint64_t x_config_get(uint64_t);
IMPORT(length) uint64_t x_length(uint64_t);

#include "raw_strings.h"

static uint64_t greeting;
static uint64_t greeting_length;

EXPORT(_initialize) void initialize(void) {
  greeting = x_config_get(store_str("greeting"));
  greeting_length = greeting ? x_length(greeting) : 0;
}

EXPORT(greeting) int32_t greeting_fn(void) {
  x_output_set(greeting, greeting_length);
  return 0;
}
