// InstanceState: the host-side state of one plugin instance, reachable from
// every host function through the store's data pointer. Holds the kernel,
// WASI, the call in flight and, when a host function stops the call, why.
//
// Confined to one thread at a time (like its store).
#pragma once

#include <optional>

#include "common/call_state.h"
#include "kernel/kernel.h"
#include "runtime/plugin_shared.h"
#include "runtime/wasmtime_api.h"
#include "wasi/guest_memory.h"
#include "wasi/wasi.h"

namespace pier::internal {

class PluginCore;

struct InstanceState {
  InstanceState(const PluginShared* shared, PluginCore* owner)
      : shared(shared), owner(owner), kernel(shared->kernel), wasi(&shared->wasi) {}

  const PluginShared* shared;  // outlives the instance
  PluginCore* owner;           // outlives the instance
  Kernel kernel;
  Wasi wasi;
  CallState call;
  std::optional<Status> stop;                // set by whatever raised the trap
  wasmtime_context_t* context = nullptr;     // the store's; stable for its lifetime
  std::optional<wasmtime_memory_t> memory;   // the guest's exported "memory"

  // Records why the call must stop and returns the trap that stops it.
  wasm_trap_t* Stop(Status status) {
    const std::string message = status.message();
    stop = std::move(status);
    return wasmtime_trap_new(message.data(), message.size());
  }

  // The guest's linear memory as it is now.
  GuestMemory Guest() const {
    if (!memory) return GuestMemory(nullptr, 0);
    return GuestMemory(wasmtime_memory_data(context, &*memory), wasmtime_memory_data_size(context, &*memory));
  }
};

inline InstanceState& StateOf(wasmtime_caller_t* caller) {
  return *static_cast<InstanceState*>(wasmtime_context_get_data(wasmtime_caller_context(caller)));
}

}  // namespace pier::internal
