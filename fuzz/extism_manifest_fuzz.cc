// Fuzzes Extism manifest parsing (pier/extism_manifest.h). Modules named by
// path come from a fake reader (nothing is read from disk, nothing fetched),
// so the target stays hermetic; allowed_paths still check real folders.
#include <cstdint>
#include <string>

#include "pier/extism_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  pier::ExtismManifestOptions options;
  options.read_module = [](const std::filesystem::path& p) -> pier::Result<std::string> {
    if (p.filename() == "missing.wasm") return pier::NotFoundError("no such file: " + p.string());
    return std::string("\0asm\x01\0\0\0", 8);
  };
  auto m = pier::ParseExtismManifest(text, "/nonexistent-fuzz-base", options);
  if (!m.ok()) return 0;
  (void)m->main_index();
  pier::PluginOptions plugin;
  m->ApplyTo(plugin);
  return 0;
}
