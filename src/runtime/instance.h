// Instance: one instantiation of a plugin — its own Wasmtime store, linear
// memory, kernel arena and WASI state. Runs the guest initialiser once, then
// any number of calls (pooled mode) or exactly one (fresh mode).
//
//   auto inst = Instance::Create(core, call_state).value();
//   Result<CallResult> r = inst->Call("greet", info, input, call_state);
//   if (!inst->reusable()) { /* trapped, exited or ran _start: discard */ }
//
// Confined to one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "pier/call_result.h"
#include "runtime/instance_state.h"

namespace pier::internal {

class Instance {
 public:
  // Instantiates the plugin (a start section, if any, runs under `call`).
  // Fails with ResourceExhausted when the module's minimum memory exceeds the
  // cap, FailedPrecondition when instantiation fails or traps.
  static Result<std::unique_ptr<Instance>> Create(PluginCore& core, const CallState& call);
  ~Instance();

  // Runs `name` with `input` under `call`'s deadline and cancellation. The
  // first call runs the guest initialiser first, under the same deadline.
  Result<CallResult> Call(const std::string& name, const ExportInfo& info, std::string_view input,
                          const CallState& call);

  bool reusable() const { return reusable_; }
  // The instance's kernel (its Extism vars), for sessions; not during a call.
  Kernel& kernel() { return state_->kernel; }

 private:
  explicit Instance(PluginCore& core);

  // What ended a guest call that did not return normally.
  struct Failure {
    std::string message;
    std::optional<wasmtime_trap_code_t> code;
    std::vector<std::string> backtrace;  // Trap::backtrace
    std::string coredump;                // Trap::coredump
    std::string coredump_note;           // why none was written, when one was asked for
  };
  // The failure behind `trap` or `error` (one is null; neither is deleted):
  // message aside, its backtrace and, when core dumps are on, the dump.
  Failure Describe(const std::string& name, const wasm_trap_t* trap, const wasmtime_error_t* error);

  // Runs one guest function with `args` (i32 parameters, at most two); fills
  // `rc` when it returned normally.
  // `from`: a linked module's instance (default: the main module).
  std::optional<Failure> Invoke(const std::string& name, const ExportInfo& info, int32_t* rc,
                                std::span<const int32_t> args = {}, const wasmtime_instance_t* from = nullptr);
  // Instantiates a linked plugin's modules in this store, then the main one.
  wasmtime_error_t* InstantiateLinked(wasm_trap_t** trap);
  CallResult Outcome(const std::string& name, const std::optional<Failure>& failure, int32_t rc);
  Trap DescribeTrap(const Failure& failure);  // with the backtrace
  Trap TrapOf(const Failure& failure);
  // An out-of-memory trap when linear memory ended at its cap.
  std::optional<Trap> MemoryCapHit(const std::string& detail);

  PluginCore& core_;  // outlives the instance
  std::unique_ptr<InstanceState> state_;
  StorePtr store_;    // declared after state_: destroyed first
  wasmtime_context_t* context_ = nullptr;
  wasmtime_instance_t instance_{};
  std::vector<wasmtime_instance_t> linked_;  // a linked plugin's modules, as in PluginShared::links
  std::unordered_map<std::string, wasmtime_func_t> funcs_;
  bool initialized_ = false;
  bool reusable_ = true;
};

}  // namespace pier::internal
