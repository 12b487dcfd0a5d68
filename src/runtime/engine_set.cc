#include "runtime/engine_set.h"

namespace pier::internal {

namespace {

// Bump when anything below changes how modules are compiled.
constexpr int kSettingsVersion = 1;
// Guest stack: deep enough for real plugins, small enough that unbounded
// recursion ends quickly with a stack-overflow trap.
constexpr size_t kMaxWasmStack = 1 << 20;

EngineFlavor MakeFlavor(bool fuel) {
  wasm_config_t* config = wasm_config_new();
  wasmtime_config_epoch_interruption_set(config, true);
  wasmtime_config_consume_fuel_set(config, fuel);
  wasmtime_config_cranelift_opt_level_set(config, WASMTIME_OPT_LEVEL_SPEED);
  wasmtime_config_parallel_compilation_set(config, true);
  wasmtime_config_max_wasm_stack_set(config, kMaxWasmStack);
  std::string fingerprint = std::string("wasmtime=") + WASMTIME_VERSION +
                            ";settings=" + std::to_string(kSettingsVersion) + ";epoch=1;fuel=" + (fuel ? "1" : "0") +
                            ";opt=speed;stack=" + std::to_string(kMaxWasmStack) +
#if defined(__x86_64__)
                            ";arch=x86_64";
#elif defined(__aarch64__)
                            ";arch=aarch64";
#else
                            ";arch=other";
#endif
  return EngineFlavor{EnginePtr(wasm_engine_new_with_config(config)), std::move(fingerprint)};
}

}  // namespace

std::unique_ptr<EngineSet> EngineSet::Create() {
  return std::unique_ptr<EngineSet>(new EngineSet(MakeFlavor(false), MakeFlavor(true)));
}

void EngineSet::IncrementEpochs() const {
  wasmtime_engine_increment_epoch(plain_.engine.get());
  wasmtime_engine_increment_epoch(fuel_.engine.get());
}

}  // namespace pier::internal
