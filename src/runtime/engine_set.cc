#include "runtime/engine_set.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace pier::internal {

namespace {

// Bump when anything below changes how modules are compiled.
constexpr int kSettingsVersion = 1;
// Guest stack: deep enough for real plugins, small enough that unbounded
// recursion ends quickly with a stack-overflow trap.
constexpr size_t kMaxWasmStack = 1 << 20;

// Cranelift compiles a module's functions on a pool of threads that Wasmtime
// starts and synchronises inside its Rust code, which ThreadSanitizer does not
// instrument: it sees the pool's hand-offs as races on Cranelift's own heap
// data (thousands per test run, none in Pier's memory). Under TSan, modules
// are compiled on the calling thread instead, so every thread that exists is
// one of Pier's and every report concerns Pier. The compiled code is the same.
#if defined(__SANITIZE_THREAD__)
constexpr bool kParallelCompilation = false;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kParallelCompilation = false;
#else
constexpr bool kParallelCompilation = true;
#endif
#else
constexpr bool kParallelCompilation = true;
#endif

// Pooling engines: a slot's linear memory may grow to wasm32's 4 GiB (each
// plugin's own cap applies on top); tables as large as Go's (one entry per
// function); this much of each memory stays resident between instances.
constexpr size_t kSlotMemory = size_t{1} << 32;
constexpr size_t kSlotTableElements = 1 << 20;
constexpr size_t kSlotInstanceBytes = 16 << 20;
constexpr size_t kKeepResident = 16 << 20;
// Idle slots that keep their memory resident, across all fresh plugins: at
// most this × kKeepResident bytes stay in RAM while nothing runs.
constexpr uint32_t kWarmSlots = 16;

// The engine, or nullopt with the reason in `why` (Wasmtime could not set it
// up: a pooling allocator whose address space cannot be reserved).
std::optional<EngineFlavor> MakeFlavor(bool fuel, bool pooling, const RuntimeOptions& options, std::string* why) {
  wasm_config_t* config = wasm_config_new();
  if (pooling) {
    wasmtime_pooling_allocation_config_t* pool = wasmtime_pooling_allocation_config_new();
    wasmtime_pooling_allocation_config_total_core_instances_set(pool, EngineSet::kFreshSlots);
    wasmtime_pooling_allocation_config_total_memories_set(pool, EngineSet::kFreshSlots);
    wasmtime_pooling_allocation_config_total_tables_set(pool, EngineSet::kFreshSlots);
    wasmtime_pooling_allocation_config_max_memory_size_set(pool, kSlotMemory);
    wasmtime_pooling_allocation_config_table_elements_set(pool, kSlotTableElements);
    wasmtime_pooling_allocation_config_max_core_instance_size_set(pool, kSlotInstanceBytes);
    wasmtime_pooling_allocation_config_max_tables_per_module_set(pool, 4);
    wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(pool, kKeepResident);
    wasmtime_pooling_allocation_config_table_keep_resident_set(pool, kKeepResident);
    wasmtime_pooling_allocation_config_max_unused_warm_slots_set(pool, kWarmSlots);
    pier_pooling_pagemap_scan_set(pool, true);
    wasmtime_pooling_allocation_strategy_set(config, pool);
    wasmtime_pooling_allocation_config_delete(pool);
  }
  wasmtime_config_epoch_interruption_set(config, true);
  wasmtime_config_consume_fuel_set(config, fuel);
  wasmtime_config_cranelift_opt_level_set(config, WASMTIME_OPT_LEVEL_SPEED);
  wasmtime_config_parallel_compilation_set(config, kParallelCompilation);
  wasmtime_config_max_wasm_stack_set(config, kMaxWasmStack);
  // Linux perf's "perfmap": /tmp/perf-<pid>.map names the JIT code of every
  // module loaded, so `perf record` / `perf report` show guest functions.
  if (options.perf_map) wasmtime_config_profiler_set(config, WASMTIME_PROFILING_STRATEGY_PERFMAP);
  pier_config_backtrace_details_set(config, options.backtrace_details);
  pier_config_coredump_on_trap_set(config, !options.coredump_dir.empty());
  std::string fingerprint = std::string("wasmtime=") + WASMTIME_VERSION +
                            ";settings=" + std::to_string(kSettingsVersion) + ";epoch=1;fuel=" + (fuel ? "1" : "0") +
                            ";opt=speed;stack=" + std::to_string(kMaxWasmStack) +
                            ";dwarf=" + (options.backtrace_details ? "1" : "0") + ";pooling=" + (pooling ? "1" : "0") +
#if defined(__x86_64__)
                            ";arch=x86_64";
#elif defined(__aarch64__)
                            ";arch=aarch64";
#else
                            ";arch=other";
#endif
  wasm_byte_vec_t reason{};
  wasm_engine_t* engine = pier_engine_try_new(config, &reason);
  if (engine == nullptr) {
    why->assign(reason.data, reason.size);
    wasm_byte_vec_delete(&reason);
    return std::nullopt;
  }
  return EngineFlavor{EnginePtr(engine), std::move(fingerprint)};
}

}  // namespace

std::unique_ptr<EngineSet> EngineSet::Create(const RuntimeOptions& options) {
  // Without these nothing runs; Wasmtime refuses them only when it cannot
  // work here at all, so that ends the process, as it always has.
  auto on_demand_flavor = [&](bool fuel) {
    std::string why;
    std::optional<EngineFlavor> f = MakeFlavor(fuel, false, options, &why);
    if (!f) {
      spdlog::critical("cannot create a Wasmtime engine: {}", why);
      std::abort();
    }
    return std::move(*f);
  };
  std::array<EngineFlavor, 2> on_demand{on_demand_flavor(false), on_demand_flavor(true)};
  return std::unique_ptr<EngineSet>(new EngineSet(options, std::move(on_demand)));
}

const EngineFlavor& EngineSet::Get(bool fuel, bool fresh) const {
  if (!fresh) return on_demand_[fuel ? 1 : 0];
  std::call_once(pooling_once_, [this] {
    for (bool fuel : {false, true}) {
      std::string why;
      pooling_[fuel ? 1 : 0] = MakeFlavor(fuel, true, options_, &why);
      if (!pooling_[fuel ? 1 : 0]) {
        spdlog::warn("fresh instances: no pooling allocator ({}); they use on-demand memory", why);
      }
    }
    pooling_made_.store(true, std::memory_order_release);
  });
  const std::optional<EngineFlavor>& pooled = pooling_[fuel ? 1 : 0];
  return pooled ? *pooled : on_demand_[fuel ? 1 : 0];
}

void EngineSet::IncrementEpochs() const {
  for (const EngineFlavor& f : on_demand_) wasmtime_engine_increment_epoch(f.engine.get());
  if (pooling_made_.load(std::memory_order_acquire)) {
    for (const auto& f : pooling_) {
      if (f) wasmtime_engine_increment_epoch(f->engine.get());
    }
  }
}

}  // namespace pier::internal
