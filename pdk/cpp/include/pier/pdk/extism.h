// The raw `extism:host/env` imports, exactly as the Extism kernel ABI defines
// them. Plugins normally use pier/pdk.h; this header is for code that needs
// the bare ABI. Handles are i64 offsets into the host's kernel memory; 0 is
// "no block".
#pragma once

#include <stdint.h>

#define PIER_EXTISM_IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(#name)))

#ifdef __cplusplus
extern "C" {
#endif

PIER_EXTISM_IMPORT(alloc) uint64_t pier_extism_alloc(uint64_t length);
PIER_EXTISM_IMPORT(free) void pier_extism_free(uint64_t handle);
PIER_EXTISM_IMPORT(length) uint64_t pier_extism_length(uint64_t handle);
PIER_EXTISM_IMPORT(length_unsafe) uint64_t pier_extism_length_unsafe(uint64_t handle);
PIER_EXTISM_IMPORT(load_u8) uint32_t pier_extism_load_u8(uint64_t address);
PIER_EXTISM_IMPORT(load_u64) uint64_t pier_extism_load_u64(uint64_t address);
PIER_EXTISM_IMPORT(store_u8) void pier_extism_store_u8(uint64_t address, uint32_t value);
PIER_EXTISM_IMPORT(store_u64) void pier_extism_store_u64(uint64_t address, uint64_t value);
PIER_EXTISM_IMPORT(input_length) uint64_t pier_extism_input_length(void);
PIER_EXTISM_IMPORT(input_offset) uint64_t pier_extism_input_offset(void);
PIER_EXTISM_IMPORT(input_load_u8) uint32_t pier_extism_input_load_u8(uint64_t offset);
PIER_EXTISM_IMPORT(input_load_u64) uint64_t pier_extism_input_load_u64(uint64_t offset);
PIER_EXTISM_IMPORT(output_set) void pier_extism_output_set(uint64_t address, uint64_t length);
PIER_EXTISM_IMPORT(error_set) void pier_extism_error_set(uint64_t handle);
PIER_EXTISM_IMPORT(error_get) uint64_t pier_extism_error_get(void);
PIER_EXTISM_IMPORT(config_get) uint64_t pier_extism_config_get(uint64_t key);
PIER_EXTISM_IMPORT(var_get) uint64_t pier_extism_var_get(uint64_t key);
PIER_EXTISM_IMPORT(var_set) void pier_extism_var_set(uint64_t key, uint64_t value);
PIER_EXTISM_IMPORT(http_request) uint64_t pier_extism_http_request(uint64_t request, uint64_t body);
PIER_EXTISM_IMPORT(http_status_code) int32_t pier_extism_http_status_code(void);
PIER_EXTISM_IMPORT(http_headers) uint64_t pier_extism_http_headers(void);
PIER_EXTISM_IMPORT(log_trace) void pier_extism_log_trace(uint64_t message);
PIER_EXTISM_IMPORT(log_debug) void pier_extism_log_debug(uint64_t message);
PIER_EXTISM_IMPORT(log_info) void pier_extism_log_info(uint64_t message);
PIER_EXTISM_IMPORT(log_warn) void pier_extism_log_warn(uint64_t message);
PIER_EXTISM_IMPORT(log_error) void pier_extism_log_error(uint64_t message);
PIER_EXTISM_IMPORT(get_log_level) int32_t pier_extism_get_log_level(void);

#ifdef __cplusplus
}
#endif
