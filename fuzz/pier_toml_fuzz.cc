// Fuzzes pier.toml parsing and validation (every section and key).
#include <cstdint>
#include <string>

#include "config/pier_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)pier::ParsePierConfig(text, "/base");
  return 0;
}
