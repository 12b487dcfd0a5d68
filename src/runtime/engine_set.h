// EngineSet: the process's Wasmtime engines — without fuel metering and with
// it (fuel is an engine setting that costs throughput, so only plugins that
// ask for fuel pay for it), each in two kinds: on-demand instance memory for
// pooled plugins, whose instances live long, and Wasmtime's pooling
// allocator for fresh-instance plugins, whose instances live for one call.
// Pooling reuses instance slots: a slot's linear memory stays mapped (the
// snapshot's pages copy-on-write, the first `kKeepResident` bytes kept
// faulted in and reset in place), so a fresh instance costs no mmap, munmap
// or page fault for the memory the last one touched. All use epoch
// interruption.
//
//   auto engines = EngineSet::Create();
//   const EngineFlavor& e = engines->Get(/*fuel=*/false, /*fresh=*/true);
//   e.fingerprint;  // part of every module-cache key
//
// Thread-safe.
#pragma once

#include <array>
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

  // Slots of each pooling engine: instances of fresh plugins alive at once.
  static constexpr uint32_t kFreshSlots = 1000;

  const EngineFlavor& Get(bool fuel, bool fresh = false) const { return flavors_[(fuel ? 1 : 0) + (fresh ? 2 : 0)]; }
  // Advances the epoch of every engine (called by the ticker only).
  void IncrementEpochs() const;

 private:
  explicit EngineSet(std::array<EngineFlavor, 4> flavors) : flavors_(std::move(flavors)) {}
  std::array<EngineFlavor, 4> flavors_;  // plain, fuel, plain pooling, fuel pooling
};

}  // namespace pier::internal
