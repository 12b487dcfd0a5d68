// PluginShared: what every instance of one plugin reads and never writes:
// its options, kernel and WASI settings, host functions and export table.
// Immutable after load; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernel/kernel.h"
#include "pier/plugin.h"
#include "pier/plugin_options.h"
#include "runtime/wasmtime_api.h"
#include "wasi/wasi.h"

namespace pier::internal {

enum class ExportShape { kReturnsI32, kReturnsNothing, kNotCallable };

struct ExportInfo {
  ExportShape shape = ExportShape::kNotCallable;
  std::string signature;  // e.g. "(i32) -> i64", for messages
};

// A guest runtime initialiser: "_initialize" (reactors) or
// "__wasm_call_ctors", then GHC's "hs_init(0, 0)" when the module exports it.
struct Initializer {
  std::string name;
  bool argc_argv = false;  // called as f(0, 0): hs_init(int* argc, char*** argv)
};

// A module of an Extism manifest that other modules import by `name`. Each
// instance of the plugin instantiates it afresh in its own store, before the
// modules that import it, and runs its initialisers before the first call.
struct LinkedModule {
  std::string name;
  SharedModule module;
  std::vector<Initializer> initializers;
};

struct PluginShared {
  PluginOptions options;
  std::shared_ptr<const KernelSettings> kernel;
  WasiSettings wasi;
  std::map<std::string, ExportInfo, std::less<>> exports;  // functions only
  std::vector<std::pair<std::string, std::string>> imports;
  // The main module's initialisers, run once per instance, in this order,
  // before any export (after those of the linked modules); empty for none.
  std::vector<Initializer> initializers;
  // Linked modules, each after the ones it imports; empty for a plain plugin.
  std::vector<LinkedModule> links;
  // A command module (`_start`, no `_initialize`): `_start` may be called,
  // and the instance is discarded afterwards.
  bool is_command = false;
  // Instances start from a snapshot (the module is then the snapshot's, and
  // `initializers` is empty), or why not.
  SnapshotInfo snapshot;
};

}  // namespace pier::internal
