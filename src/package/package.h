// Package: a plugin as delivered — an `.ndp` archive (a ZIP holding
// manifest.json and plugin.wasm at its root, spec §1.1) or a plain folder
// holding the same two files. The plugin ID is the file name without `.ndp`
// (or the folder name).
//
// Reading a package is hostile-input work: nothing is extracted to disk (the
// two members are read into memory), and an archive with an unsafe entry
// (absolute path, `..`, backslash), a symbolic link, a duplicate name, an
// oversized or suspiciously compressed member, or too many entries is refused
// with a message saying which.
//
//   Result<Package> p = OpenPackage("/srv/plugins/my-plugin.ndp");
//   p->id;        // "my-plugin"
//   p->manifest;  // parsed and validated
//
// Thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/plugin_id.h"
#include "manifest/manifest.h"
#include "pier/status.h"

namespace pier {

inline constexpr std::string_view kPackageExtension = ".ndp";

struct PackageLimits {
  uint64_t max_manifest_bytes = 1 << 20;
  uint64_t max_wasm_bytes = 256ull << 20;
  uint32_t max_entries = 1024;
  // Largest uncompressed/compressed ratio accepted for a member.
  uint32_t max_compression_ratio = 1000;
};

struct Package {
  std::string id;
  std::filesystem::path path;
  std::string sha256;         // of the .ndp file (folders: of manifest + wasm)
  std::string manifest_text;  // manifest.json as stored
  Manifest manifest;
  std::string wasm;           // empty when only the manifest was read
};

// Whether `path` names something OpenPackage reads (an .ndp file or a folder).
bool LooksLikePackage(const std::filesystem::path& path);

// The plugin ID a package path stands for: the folder name, or the file name
// without its extension. Not validated (see ValidatePluginId).
std::string PluginIdFor(const std::filesystem::path& path);


// Reads and validates a package. With `manifest_only`, plugin.wasm is checked
// but not read. Errors start with "opening package <path>: ".
Result<Package> OpenPackage(const std::filesystem::path& path, bool manifest_only = false,
                            const PackageLimits& limits = {});

}  // namespace pier
