// PluginCore: everything behind a pier::Plugin — the compiled module, the
// linker with every import bound, the pre-linked instance template, the
// shared settings and the pool of warm instances.
//
// Thread-safe: Call() may run concurrently; each call holds its own instance.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <vector>

#include "common/mutex.h"
#include "pier/call_result.h"
#include "pier/plugin.h"
#include "common/call_state.h"
#include "runtime/call_metrics.h"
#include "runtime/plugin_shared.h"
#include "runtime/wasmtime_api.h"

namespace pier::internal {

class Instance;
class RuntimeCore;

class PluginCore {
 public:
  // `engine` belongs to `runtime`, which this keeps alive.
  PluginCore(std::shared_ptr<RuntimeCore> runtime, wasm_engine_t* engine, SharedModule module,
             std::unique_ptr<PluginShared> shared);
  ~PluginCore();

  // Links the imports and prepares instantiation. Fails naming any import
  // this host cannot satisfy.
  Status Link();

  // With `pinned`, the call runs on that instance (made first when it is
  // null or was discarded after a trap) and it stays there: a session.
  Result<CallResult> Call(std::string_view name, std::string_view input, const CallOptions& options,
                          std::unique_ptr<Instance>* pinned = nullptr);
  // The session's instance, made when there is none usable.
  Result<Instance*> Pin(std::unique_ptr<Instance>* pinned);

  const PluginShared& shared() const { return *shared_; }
  RuntimeCore& runtime() const { return *runtime_; }
  wasm_engine_t* engine() const { return engine_; }
  // The pre-linked template; null for a plugin with linked modules.
  const wasmtime_instance_pre_t* pre() const { return pre_.get(); }
  const wasmtime_module_t* module() const { return module_.get(); }
  // A linker with every import the host provides (kernel, WASI, host
  // functions), for instantiating a linked plugin's modules in one store.
  Result<LinkerPtr> NewLinker() const;
  PluginStats stats() const;
  std::vector<CallInProgress> CallsInProgress() const;
  bool Interrupt(uint64_t id) const;

 private:
  Result<CallResult> CallOn(const std::string& name, const ExportInfo& info, std::string_view input,
                            const CallState& call, std::unique_ptr<Instance>* pinned);
  Result<std::unique_ptr<Instance>> Acquire(const CallState& call);
  void Release(std::unique_ptr<Instance> instance);
  Status CheckImports(const std::string& who, const std::vector<std::pair<std::string, std::string>>& imports) const;
  bool IsLinkName(std::string_view module) const;

  std::shared_ptr<RuntimeCore> runtime_;  // keeps the engines and ticker alive
  wasm_engine_t* engine_;
  SharedModule module_;
  std::unique_ptr<PluginShared> shared_;
  LinkerPtr linker_;
  InstancePrePtr pre_;
  size_t max_idle_;

  mutable Mutex mu_;
  std::vector<std::unique_ptr<Instance>> idle_ PIER_GUARDED_BY(mu_);

  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> created_{0};
  std::atomic<uint64_t> discarded_{0};
  std::atomic<uint64_t> busy_{0};  // calls in progress
  struct Running {
    std::string_view export_name;  // a key of shared_->exports
    std::string label;
    Clock::time_point start;
    CancelToken cancel;
  };
  mutable Mutex running_mu_;
  uint64_t next_call_ PIER_GUARDED_BY(running_mu_) = 1;
  std::map<uint64_t, Running> running_ PIER_GUARDED_BY(running_mu_);

  CallMetrics call_metrics_;
  Metrics::Collector instance_metrics_;  // reset first in the destructor
};

}  // namespace pier::internal
