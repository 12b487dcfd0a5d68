// Extism's manifest: the modules that make up a plugin and what it may use,
// read as Extism's hosts read it, for `pier call --manifest` and embedders.
//
//   auto manifest = pier::ReadExtismManifest("plugin.json").value();
//   pier::PluginOptions options;
//   manifest.ApplyTo(options);                        // hosts, paths, config, limits
//   auto plugin = runtime->LoadExtism(manifest, std::move(options)).value();
//
// Fields: `wasm` (each entry `path` | `data` | `url`, with optional `name`
// and `hash`, a SHA-256 in hex that is checked), `allowed_hosts`,
// `allowed_paths` ({"[ro:]HOST": "GUEST"}), `config` (strings),
// `memory.max_pages`, `memory.max_http_response_bytes`,
// `memory.max_var_bytes`, `timeout_ms`. Relative paths are relative to the
// manifest's folder. A `url` entry is fetched only when
// ExtismManifestOptions::allow_urls is set (nothing assumes a network).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pier/plugin_options.h"
#include "pier/status.h"

namespace pier {

struct ExtismModule {
  std::string name;    // how other modules import it; "main" is the one called
  std::string bytes;   // the module
  std::string source;  // where it came from, for messages
};

struct ExtismManifest {
  std::vector<ExtismModule> modules;  // in the manifest's order
  std::map<std::string, std::string> config;
  std::optional<std::vector<std::string>> allowed_hosts;
  std::vector<DirectoryMount> allowed_paths;
  std::optional<uint64_t> max_pages;                 // 64 KiB pages: linear and kernel memory together
  std::optional<uint64_t> max_http_response_bytes;
  std::optional<uint64_t> max_var_bytes;
  std::optional<uint64_t> timeout_ms;

  // The module that is called: the one named "main", else the last one
  // (Extism's rule). The others are what its imports may be linked against.
  size_t main_index() const;
  // Sets what the manifest states on `options`, leaving the rest.
  void ApplyTo(PluginOptions& options) const;
};

struct ExtismManifestOptions {
  bool allow_urls = false;  // fetch `url` entries (over HTTP(S)); refused otherwise
  // Reads a `path` entry (already resolved against the base folder); unset:
  // the file system. Lets an embedder keep modules elsewhere.
  std::function<Result<std::string>(const std::filesystem::path&)> read_module;
};

// One `allowed_paths` entry (and `pier call --allow-path`): HOST, with an
// optional "ro:" prefix for a read-only mount, seen by the plugin at GUEST
// (HOST's absolute path when GUEST is empty). A relative HOST is taken from
// `base_dir` (the current folder when empty). HOST must be a directory the
// caller can read; GUEST must be absolute, without "..".
Result<DirectoryMount> MakeAllowedPath(std::string_view host, std::string_view guest,
                                       const std::filesystem::path& base_dir = {});

// Parses a manifest; `base_dir` resolves relative paths. Every module is read
// (and its hash checked) before this returns.
Result<ExtismManifest> ParseExtismManifest(std::string_view json, const std::filesystem::path& base_dir,
                                           const ExtismManifestOptions& options = {});
Result<ExtismManifest> ReadExtismManifest(const std::filesystem::path& file, const ExtismManifestOptions& options = {});

}  // namespace pier
