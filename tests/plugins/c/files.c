// Files through WASI, as a plain C plugin reads and writes them (for
// `pier call --allow-path`). read_file: input is a path, output its bytes.
// write_file: input is "PATH\nDATA", output "ok". Failures: the error names
// the path and strerror(errno).
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pier/pdk/extism.h"

#define EXPORT(n) __attribute__((export_name(#n)))

static char input[4096];
static char data[65536];

static uint64_t put(const char* s, uint64_t n) {
  uint64_t h = pier_extism_alloc(n);
  for (uint64_t i = 0; i < n; i++) pier_extism_store_u8(h + i, (uint8_t)s[i]);
  return h;
}

static void read_input(void) {
  uint64_t n = pier_extism_input_length();
  if (n > sizeof input - 1) n = sizeof input - 1;
  for (uint64_t i = 0; i < n; i++) input[i] = (char)pier_extism_input_load_u8(i);
  input[n] = 0;
}

static int32_t fail(const char* path) {
  char msg[512];
  snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno));
  pier_extism_error_set(put(msg, strlen(msg)));
  return 1;
}

EXPORT(read_file) int32_t read_file(void) {
  read_input();
  const int fd = open(input, O_RDONLY);
  if (fd < 0) return fail(input);
  ssize_t total = 0, n;
  while (total < (ssize_t)sizeof data && (n = read(fd, data + total, sizeof data - total)) > 0) total += n;
  close(fd);
  pier_extism_output_set(put(data, (uint64_t)total), (uint64_t)total);
  return 0;
}

EXPORT(write_file) int32_t write_file(void) {
  read_input();
  char* nl = strchr(input, '\n');
  const char* body = "";
  if (nl != NULL) {
    *nl = 0;
    body = nl + 1;
  }
  const int fd = open(input, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fail(input);
  const ssize_t want = (ssize_t)strlen(body);
  const ssize_t wrote = write(fd, body, (size_t)want);
  close(fd);
  if (wrote != want) return fail(input);
  pier_extism_output_set(put("ok", 2), 2);
  return 0;
}
