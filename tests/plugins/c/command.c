// A WASI command module: it exports `_start` (running main) and no
// `_initialize`. Exports other than _start run without the libc set-up, as
// wasm-ld's command-export wrappers arrange.
#include <stdint.h>
#include <stdio.h>

#include "pier/pdk/extism.h"

int main(void) {
  printf("hello from main\n");
  return 0;
}

__attribute__((export_name("answer"))) int32_t answer(void) {
  uint64_t h = pier_extism_alloc(2);
  pier_extism_store_u8(h, '4');
  pier_extism_store_u8(h + 1, '2');
  pier_extism_output_set(h, 2);
  return 0;
}
