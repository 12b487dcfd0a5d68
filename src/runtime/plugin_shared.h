// PluginShared: what every instance of one plugin reads and never writes:
// its options, kernel and WASI settings, host functions and export table.
// Immutable after load; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernel/kernel.h"
#include "pier/plugin_options.h"
#include "wasi/wasi.h"

namespace pier::internal {

enum class ExportShape { kReturnsI32, kReturnsNothing, kNotCallable };

struct ExportInfo {
  ExportShape shape = ExportShape::kNotCallable;
  std::string signature;  // e.g. "(i32) -> i64", for messages
};

struct PluginShared {
  PluginOptions options;
  std::shared_ptr<const KernelSettings> kernel;
  WasiSettings wasi;
  std::map<std::string, ExportInfo, std::less<>> exports;  // functions only
  std::vector<std::pair<std::string, std::string>> imports;
  // Guest runtime initialisers, run once per instance, in this order, before
  // any export: "_initialize" (reactors) or "__wasm_call_ctors", then GHC's
  // "hs_init(0, 0)" when the module exports it (Haskell); empty for none.
  struct Initializer {
    std::string name;
    bool argc_argv = false;  // called as f(0, 0): hs_init(int* argc, char*** argv)
  };
  std::vector<Initializer> initializers;
  // A command module (`_start`, no `_initialize`): `_start` may be called,
  // and the instance is discarded afterwards.
  bool is_command = false;
};

}  // namespace pier::internal
