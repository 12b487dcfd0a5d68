// Fuzzes manifest.json parsing and validation, and a config check against
// the manifest's schema when it has one.
#include <cstdint>
#include <string>

#include "manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto m = pier::ParseManifest(text);
  if (!m.ok() || !m->config_schema) return 0;
  (void)pier::ValidateConfig(*m, nlohmann::json::object());
  (void)pier::ValidateConfig(*m, m->raw);
  return 0;
}
