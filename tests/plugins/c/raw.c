// A plugin that knows nothing of Pier: C without libc or WASI, speaking only
// the raw `extism:host/env` imports, declared here by hand as any C author
// following the Extism ABI would.
#include <stdint.h>

#define IMPORT(n) __attribute__((import_module("extism:host/env"), import_name(#n)))
#define EXPORT(n) __attribute__((export_name(#n)))

IMPORT(alloc) uint64_t x_alloc(uint64_t);
IMPORT(free) void x_free(uint64_t);
IMPORT(length) uint64_t x_length(uint64_t);
IMPORT(length_unsafe) uint64_t x_length_unsafe(uint64_t);
IMPORT(load_u8) uint32_t x_load_u8(uint64_t);
IMPORT(load_u64) uint64_t x_load_u64(uint64_t);
IMPORT(store_u8) void x_store_u8(uint64_t, uint32_t);
IMPORT(store_u64) void x_store_u64(uint64_t, uint64_t);
IMPORT(input_length) uint64_t x_input_length(void);
IMPORT(input_offset) uint64_t x_input_offset(void);
IMPORT(input_load_u8) uint32_t x_input_load_u8(uint64_t);
IMPORT(input_load_u64) uint64_t x_input_load_u64(uint64_t);
IMPORT(input_set) void x_input_set(uint64_t, uint64_t);
IMPORT(output_set) void x_output_set(uint64_t, uint64_t);
IMPORT(output_offset) uint64_t x_output_offset(void);
IMPORT(output_length) uint64_t x_output_length(void);
IMPORT(error_set) void x_error_set(uint64_t);
IMPORT(error_get) uint64_t x_error_get(void);
IMPORT(reset) void x_reset(void);
IMPORT(memory_bytes) uint64_t x_memory_bytes(void);
IMPORT(config_get) uint64_t x_config_get(uint64_t);
IMPORT(var_get) uint64_t x_var_get(uint64_t);
IMPORT(var_set) void x_var_set(uint64_t, uint64_t);
IMPORT(http_request) uint64_t x_http_request(uint64_t, uint64_t);
IMPORT(http_status_code) int32_t x_http_status_code(void);
IMPORT(http_headers) uint64_t x_http_headers(void);
IMPORT(log_trace) void x_log_trace(uint64_t);
IMPORT(log_debug) void x_log_debug(uint64_t);
IMPORT(log_info) void x_log_info(uint64_t);
IMPORT(log_warn) void x_log_warn(uint64_t);
IMPORT(log_error) void x_log_error(uint64_t);
IMPORT(get_log_level) int32_t x_get_log_level(void);

#include "raw_strings.h"

static void output_str(const char* s) {
  uint64_t h = store_str(s);
  x_output_set(h, x_length(h));
}

// "Hello, <input>!" built byte by byte through the kernel.
EXPORT(greet) int32_t greet(void) {
  uint64_t n = x_input_length();
  uint64_t h = x_alloc(n + 8);
  const char* pre = "Hello, ";
  for (int i = 0; i < 7; i++) x_store_u8(h + i, (uint8_t)pre[i]);
  for (uint64_t i = 0; i < n; i++) x_store_u8(h + 7 + i, x_load_u8(x_input_offset() + i));
  x_store_u8(h + 7 + n, '!');
  x_output_set(h, n + 8);
  return 0;
}

EXPORT(count_vowels) int32_t count_vowels(void) {
  uint64_t n = x_input_length(), count = 0;
  for (uint64_t i = 0; i < n; i++) {
    uint32_t c = x_input_load_u8(i) | 0x20;
    count += c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  }
  char buf[24];
  int len = 0;
  do { buf[len++] = (char)('0' + count % 10); count /= 10; } while (count);
  char out[24];
  for (int i = 0; i < len; i++) out[i] = buf[len - 1 - i];
  out[len] = 0;
  output_str(out);
  return 0;
}

// Copies the input to the output 8 bytes at a time: what a PDK does with 1 MiB.
EXPORT(copy64) int32_t copy64(void) {
  uint64_t n = x_input_length();
  uint64_t h = x_alloc(n);
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) x_store_u64(h + i, x_input_load_u64(i));
  for (; i < n; i++) x_store_u8(h + i, x_input_load_u8(i));
  x_output_set(h, n);
  return 0;
}

// Walks every kernel function a guest may call and reports what it saw.
EXPORT(kernel_tour) int32_t kernel_tour(void) {
  uint64_t key = store_str("name");
  uint64_t value = x_config_get(key);
  int ok = value != 0 && x_length(value) == x_length_unsafe(value);
  uint64_t vk = store_str("v"), vv = store_str("123");
  x_var_set(vk, vv);
  uint64_t got = x_var_get(store_str("v"));
  ok = ok && got != 0 && x_load_u8(got) == '1' && x_length(got) == 3;
  x_log_trace(store_str("tour trace"));
  x_log_debug(store_str("tour debug"));
  x_log_info(store_str("tour info"));
  x_log_warn(store_str("tour warn"));
  x_log_error(store_str("tour error"));
  ok = ok && x_get_log_level() >= 0 && x_memory_bytes() > 0 && x_http_status_code() == 0 && x_http_headers() == 0;
  ok = ok && x_error_get() == 0;
  uint64_t tmp = x_alloc(16);
  x_store_u64(tmp, 0x0102030405060708ull);
  ok = ok && x_load_u64(tmp) == 0x0102030405060708ull && x_length(tmp + 1) == 0;
  x_free(tmp);
  x_free(tmp);  // double free is harmless
  ok = ok && x_length(tmp) == 0;
  output_str(ok ? "tour ok" : "tour FAILED");
  ok = ok && x_output_length() == 7 && x_output_offset() != 0;
  if (!ok) output_str("tour FAILED");
  return 0;
}

// Host-side functions are importable too: reset wipes the input, input_set republishes.
EXPORT(reset_and_republish) int32_t reset_and_republish(void) {
  x_reset();
  uint64_t h = store_str("republished");
  x_input_set(h, 11);
  x_output_set(x_input_offset(), x_input_length());
  return 0;
}

EXPORT(fail) int32_t fail(void) {
  x_error_set(store_str("raw failure"));
  return 1;
}

// Requests a URL given as input; the host decides whether the host is allowed.
EXPORT(raw_http) int32_t raw_http(void) {
  uint64_t n = x_input_length();
  const char* pre = "{\"url\":\"";
  uint64_t h = x_alloc(n + 10);
  for (int i = 0; i < 8; i++) x_store_u8(h + i, (uint8_t)pre[i]);
  for (uint64_t i = 0; i < n; i++) x_store_u8(h + 8 + i, x_input_load_u8(i));
  x_store_u8(h + 8 + n, '"');
  x_store_u8(h + 9 + n, '}');
  uint64_t body = x_http_request(h, 0);
  x_output_set(body, x_length(body));
  return 0;
}
