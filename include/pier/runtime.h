// Runtime: the engine that compiles and runs plugins. Create one per process
// and load every plugin through it; plugins may outlive it.
//
//   pier::RuntimeOptions options;
//   options.cache_dir = "/var/cache/pier/modules";  // compiled-module cache
//   auto runtime = pier::Runtime::Create(options).value();
//   auto plugin = runtime->LoadFile("plugin.wasm", pier::PluginOptions{}).value();
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pier/metrics.h"
#include "pier/plugin.h"
#include "pier/plugin_options.h"
#include "pier/status.h"

struct wasmtime_module;  // Wasmtime's compiled module (private to the runtime)

namespace pier {

struct ExtismManifest;

namespace internal {
class RuntimeCore;
struct LinkedModule;
}

struct RuntimeOptions {
  // Compiled modules are cached here, keyed by the module's SHA-256, the
  // Wasmtime version and the engine settings. Empty: no disk cache.
  std::filesystem::path cache_dir;
  // Granularity of timeouts and cancellation.
  std::chrono::milliseconds epoch_tick{1};
  // Write /tmp/perf-<pid>.map, naming the compiled code of every plugin for
  // Linux `perf` (profiling guest functions).
  bool perf_map = false;
  // Keep each module's DWARF debug info, so that Trap::backtrace names the
  // source file and line of every frame (for guests built with -g). Costs
  // compile time and memory for modules that carry DWARF; off by default.
  bool backtrace_details = false;
  // Write a Wasm core dump (memories, globals and the stack of the trapping
  // call, in the WebAssembly tool-conventions format that `wasmgdb` and
  // similar debuggers read) into this directory on every trap, at most
  // kMaxCoreDumps per runtime so that a plugin trapping in a loop cannot fill
  // the disk. Files are private to the user (0600): they hold the plugin's
  // memory, config values included. Empty: no core dumps.
  std::filesystem::path coredump_dir;
  static constexpr int kMaxCoreDumps = 32;
  // Where plugin calls and instances are counted (pier/metrics.h); unset:
  // a registry of the runtime's own, read with Runtime::metrics().
  std::shared_ptr<Metrics> metrics;
};

// What a module imports and exports, learned without linking or running it.
struct ModuleInfo {
  std::vector<ImportName> imports;
  std::vector<std::string> exports;  // functions callable as plugin entry points
};

struct RuntimeStats {
  uint64_t modules_compiled = 0;      // compiled from Wasm
  uint64_t cache_hits = 0;            // loaded from the disk cache
  uint64_t cache_rejected = 0;        // corrupt, truncated or foreign cache files ignored
  uint64_t memory_hits = 0;           // already compiled in this process
};

// True for the imports every plugin gets: the Extism kernel (extism:host/env)
// and WASI preview 1 (wasi_snapshot_preview1).
bool IsBuiltinImport(std::string_view module, std::string_view name);

class Runtime {
 public:
  static Result<std::unique_ptr<Runtime>> Create(RuntimeOptions options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Compiles (or fetches from cache) and links the module. Fails when the
  // bytes are not valid Wasm, or when the module imports something this host
  // does not provide (the message names the import).
  Result<std::unique_ptr<Plugin>> Load(std::span<const uint8_t> wasm, PluginOptions options);
  Result<std::unique_ptr<Plugin>> LoadFile(const std::filesystem::path& path, PluginOptions options);
  // Loads the plugin an Extism manifest describes (pier/extism_manifest.h):
  // its main module, with imports naming another module of the manifest
  // linked to that module's exports (instantiated per instance, as Extism
  // does). Cycles are refused. Apply the manifest's settings to `options`
  // first (ExtismManifest::ApplyTo).
  Result<std::unique_ptr<Plugin>> LoadExtism(const ExtismManifest& manifest, PluginOptions options);

  // Compiles (or fetches from cache) and lists imports and callable exports.
  // Runs no guest code and needs no host functions.
  Result<ModuleInfo> Inspect(std::span<const uint8_t> wasm);

  RuntimeStats stats() const;
  // The version of Wasmtime this build runs on ("48.0.8").
  static std::string_view WasmtimeVersion();
  // The registry plugin calls are counted in (RuntimeOptions::metrics).
  const std::shared_ptr<Metrics>& metrics() const;

 private:
  explicit Runtime(std::shared_ptr<internal::RuntimeCore> core);
  // `wasm`: the main module's bytes, for a snapshot (empty: none is taken).
  Result<std::unique_ptr<Plugin>> LoadCompiled(std::shared_ptr<wasmtime_module> module,
                                               std::vector<internal::LinkedModule> links, PluginOptions options,
                                               std::span<const uint8_t> wasm = {});
  std::shared_ptr<internal::RuntimeCore> core_;
};

}  // namespace pier
