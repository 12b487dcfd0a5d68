// CoreDumps: writes the Wasm core dump of a trapping call into
// RuntimeOptions::coredump_dir — one file per trap, at most
// RuntimeOptions::kMaxCoreDumps per runtime (later traps get none), each
// readable by its owner only (it holds the plugin's memory).
//
//   CoreDumps dumps(options.coredump_dir);
//   auto path = dumps.Write(context, trap, nullptr, "my-plugin", "run");
//
// Thread-safe.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "pier/status.h"
#include "runtime/wasmtime_api.h"

namespace pier::internal {

class CoreDumps {
 public:
  explicit CoreDumps(std::filesystem::path dir, int max_files) : dir_(std::move(dir)), max_files_(max_files) {}

  bool enabled() const { return !dir_.empty(); }
  // Writes the dump Wasmtime attached to `trap` or `error` (one is null) for
  // a call of `export_name` on `plugin`, before anything else runs in the
  // store; returns the file written. NotFound when the failure carries no
  // dump (not a Wasm trap), ResourceExhausted past the file cap.
  Result<std::filesystem::path> Write(wasmtime_context_t* context, const wasm_trap_t* trap,
                                      const wasmtime_error_t* error, const std::string& plugin,
                                      const std::string& export_name);

 private:
  const std::filesystem::path dir_;
  const int max_files_;
  std::atomic<int> written_{0};
};

}  // namespace pier::internal
