// Half of a cycle: imports cycle_b, which imports this module (cycle_a).
#include <stdint.h>
__attribute__((import_module("cycle_b"), import_name("pong"))) int32_t pong(void);
__attribute__((export_name("ping"))) int32_t ping(void) { return 1; }
__attribute__((export_name("run"))) int32_t run(void) { return pong(); }
