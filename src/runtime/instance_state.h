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

// Store limits of an instance; the memory bound changes with kernel memory.
// A linked plugin's store holds one instance per module.
struct StoreLimits {
  static constexpr int64_t kTableElements = -1;  // bounded by the module's own maximum
  explicit StoreLimits(size_t modules)
      : instances(4 * static_cast<int64_t>(modules)), tables(8 * static_cast<int64_t>(modules)),
        memories(2 * static_cast<int64_t>(modules)) {}
  int64_t instances, tables, memories;
};

struct InstanceState;
struct InitReads;

// One memory cap for everything an instance takes (Extism's meaning of a
// memory limit): linear memory plus kernel memory stay within `cap`. The
// arena refuses blocks that would cross it, and as the arena grows and
// shrinks, the linear memory's limit is set to what the arena leaves.
class SharedMemoryCap final : public MemoryShare {
 public:
  SharedMemoryCap(const InstanceState* state, uint64_t cap) : state_(state), cap_(cap) {}
  uint64_t cap() const override { return cap_; }
  uint64_t others() const override;
  void ArenaResized(uint64_t arena_bytes) override;

 private:
  const InstanceState* state_;
  uint64_t cap_;
};

struct InstanceState {
  InstanceState(const PluginShared* shared, PluginCore* owner)
      : shared(shared), owner(owner), kernel(shared->kernel), wasi(&shared->wasi),
        memory_cap(this, shared->options.max_memory_bytes),
        limits(1 + shared->links.size()) {}

  const PluginShared* shared;  // outlives the instance
  PluginCore* owner;           // outlives the instance
  Kernel kernel;
  Wasi wasi;
  CallState call;
  std::optional<Status> stop;                // set by whatever raised the trap
  wasmtime_context_t* context = nullptr;     // the store's; stable for its lifetime
  std::optional<wasmtime_memory_t> memory;   // the guest's exported "memory"
  // Linked plugins: host calls may come from any of their modules, and WASI
  // reads and writes the memory of the module that called (set per host call).
  bool caller_known = false;
  std::optional<wasmtime_memory_t> caller_memory;
  SharedMemoryCap memory_cap;                // joined to kernel's arena once the store exists
  StoreLimits limits;
  // Set only while a snapshot's initialiser runs: what it read (snapshot.h).
  InitReads* init_reads = nullptr;

  // Joins `store` (made with this state as its data): its memory cap as the
  // store's limiter, the epoch callback (OnEpochTick).
  inline void AttachStore(wasmtime_store_t* store);
  // Readies the store for a guest call under `call`: the deadline checked from
  // the next epoch tick, fuel refilled when the plugin is metered.
  inline void Arm(const CallState& call);
  // Notes the instance's exported "memory", which WASI reads and writes.
  inline void FindMemory(const wasmtime_instance_t& instance);

  // Records why the call must stop and returns the trap that stops it.
  wasm_trap_t* Stop(Status status) {
    const std::string message = status.message();
    stop = std::move(status);
    return wasmtime_trap_new(message.data(), message.size());
  }

  // Bytes of the main module's linear memory.
  uint64_t MainMemoryBytes() const { return memory ? wasmtime_memory_data_size(context, &*memory) : 0; }

  // Notes which module is calling (linked plugins only).
  void EnterHostCall(wasmtime_caller_t* caller) {
    if (shared->links.empty()) return;
    wasmtime_extern_t item;
    caller_known = true;
    caller_memory.reset();
    if (wasmtime_caller_export_get(caller, "memory", 6, &item)) {
      if (item.kind == WASMTIME_EXTERN_MEMORY) caller_memory = item.of.memory;
      wasmtime_extern_delete(&item);
    }
  }

  // The calling guest's linear memory as it is now (the main module's, or in
  // a linked plugin the memory of the module in the host call).
  GuestMemory Guest() const {
    const std::optional<wasmtime_memory_t>& m = caller_known ? caller_memory : memory;
    if (!m) return GuestMemory(nullptr, 0);
    return GuestMemory(wasmtime_memory_data(context, &*m), wasmtime_memory_data_size(context, &*m));
  }
};

inline uint64_t SharedMemoryCap::others() const { return state_->MainMemoryBytes(); }

inline void SharedMemoryCap::ArenaResized(uint64_t arena_bytes) {
  if (state_->context == nullptr) return;
  const uint64_t left = arena_bytes < cap_ ? cap_ - arena_bytes : 0;
  const StoreLimits& l = state_->limits;
  pier_context_set_limits(state_->context, static_cast<int64_t>(left), StoreLimits::kTableElements, l.instances,
                          l.tables, l.memories);
}

// The store's epoch callback (its data: the InstanceState). On every tick
// while guest code runs, the call goes on unless *its own* deadline passed or
// *its own* token was cancelled, so one call's timeout never interrupts another.
inline wasmtime_error_t* OnEpochTick(wasmtime_context_t*, void* data, uint64_t* delta,
                                     wasmtime_update_deadline_kind_t* kind) {
  auto* state = static_cast<InstanceState*>(data);
  Status st = state->call.CheckInterrupted();
  if (!st.ok()) {
    wasmtime_error_t* error = wasmtime_error_new(st.message().c_str());
    state->stop = std::move(st);
    return error;
  }
  *delta = 1;
  *kind = WASMTIME_UPDATE_DEADLINE_CONTINUE;
  return nullptr;
}

inline void InstanceState::AttachStore(wasmtime_store_t* store) {
  context = wasmtime_store_context(store);
  wasmtime_store_limiter(store, static_cast<int64_t>(shared->options.max_memory_bytes), StoreLimits::kTableElements,
                         limits.instances, limits.tables, limits.memories);
  wasmtime_store_epoch_deadline_callback(store, &OnEpochTick, this, nullptr);
}

inline void InstanceState::Arm(const CallState& next) {
  call = next;
  stop.reset();
  wasmtime_context_set_epoch_deadline(context, 1);
  if (const auto& fuel = shared->options.fuel) {
    if (wasmtime_error_t* e = wasmtime_context_set_fuel(context, *fuel)) TakeErrorMessage(e);
  }
}

inline void InstanceState::FindMemory(const wasmtime_instance_t& instance) {
  wasmtime_extern_t item;
  if (wasmtime_instance_export_get(context, &instance, "memory", 6, &item)) {
    if (item.kind == WASMTIME_EXTERN_MEMORY) memory = item.of.memory;
    wasmtime_extern_delete(&item);
  }
}

inline InstanceState& StateOf(wasmtime_caller_t* caller) {
  return *static_cast<InstanceState*>(wasmtime_context_get_data(wasmtime_caller_context(caller)));
}

}  // namespace pier::internal
