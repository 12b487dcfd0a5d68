// EngineSet: the process's Wasmtime engines — one without fuel metering and
// one with it (fuel is an engine setting that costs throughput, so only
// plugins that ask for fuel pay for it). Both use epoch interruption.
//
//   auto engines = EngineSet::Create();
//   const EngineFlavor& e = engines->Get(/*fuel=*/false);
//   e.fingerprint;  // part of every module-cache key
//
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "pier/runtime.h"
#include "runtime/wasmtime_api.h"

namespace pier::internal {

struct EngineFlavor {
  EnginePtr engine;
  // Wasmtime version and every setting that changes compiled code.
  std::string fingerprint;
};

class EngineSet {
 public:
  // From the runtime's options: perf map, DWARF backtraces, core dumps.
  static std::unique_ptr<EngineSet> Create(const RuntimeOptions& options);

  const EngineFlavor& Get(bool fuel) const { return fuel ? fuel_ : plain_; }
  // Advances the epoch of both engines (called by the ticker only).
  void IncrementEpochs() const;

 private:
  EngineSet(EngineFlavor plain, EngineFlavor fuel) : plain_(std::move(plain)), fuel_(std::move(fuel)) {}
  EngineFlavor plain_;
  EngineFlavor fuel_;
};

}  // namespace pier::internal
