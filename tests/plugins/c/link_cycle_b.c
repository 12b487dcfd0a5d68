// The other half of the cycle: imports cycle_a.
#include <stdint.h>
__attribute__((import_module("cycle_a"), import_name("ping"))) int32_t ping(void);
__attribute__((export_name("pong"))) int32_t pong(void) { return ping(); }
