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
#include <atomic>
#include <mutex>
#include <optional>
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
  // Each reserves (not commits) 4 GiB of address space and its guard pages.
  static constexpr uint32_t kFreshSlots = 256;

  // The pooling engines are made on first use: a process with no fresh-mode
  // plugin reserves nothing for them.
  const EngineFlavor& Get(bool fuel, bool fresh = false) const;
  // Advances the epoch of every engine made (called by the ticker only).
  void IncrementEpochs() const;

 private:
  EngineSet(RuntimeOptions options, std::array<EngineFlavor, 2> on_demand)
      : options_(std::move(options)), on_demand_(std::move(on_demand)) {}
  const RuntimeOptions options_;
  std::array<EngineFlavor, 2> on_demand_;        // plain, fuel
  mutable std::once_flag pooling_once_;
  // Plain, fuel; written once, under pooling_once_. Empty where the pooling
  // allocator could not be set up (address space limited, e.g. under TSan):
  // fresh plugins then use the on-demand engines.
  mutable std::array<std::optional<EngineFlavor>, 2> pooling_;
  mutable std::atomic<bool> pooling_made_{false};
};

}  // namespace pier::internal
