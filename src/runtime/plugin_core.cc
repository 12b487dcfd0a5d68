#include "runtime/plugin_core.h"

#include <thread>

#include "runtime/bindings.h"
#include "runtime/instance.h"
#include "runtime/runtime_core.h"

namespace pier::internal {

namespace {

std::string_view ExternKindName(wasm_externkind_t kind) {
  switch (kind) {
    case WASM_EXTERN_FUNC: return "function";
    case WASM_EXTERN_GLOBAL: return "global";
    case WASM_EXTERN_TABLE: return "table";
    case WASM_EXTERN_MEMORY: return "memory";
    default: return "item";
  }
}

std::vector<std::string> CallableExports(const PluginShared& shared) {
  std::vector<std::string> names;
  for (const auto& [name, info] : shared.exports) {
    if (info.shape != ExportShape::kNotCallable) names.push_back(name);
  }
  return names;
}

}  // namespace

PluginCore::PluginCore(std::shared_ptr<RuntimeCore> runtime, wasm_engine_t* engine, SharedModule module,
                       std::unique_ptr<PluginShared> shared)
    : runtime_(std::move(runtime)),
      engine_(engine),
      module_(std::move(module)),
      shared_(std::move(shared)),
      max_idle_(shared_->options.max_idle_instances > 0
                    ? shared_->options.max_idle_instances
                    : std::max<size_t>(2, std::thread::hardware_concurrency())),
      call_metrics_(*runtime_->metrics(), shared_->options.name, CallableExports(*shared_)) {
  instance_metrics_ = runtime_->metrics()->AddCollector([this](MetricWriter& w) {
    const PluginStats s = stats();
    const std::string& name = shared_->options.name;
    w.Gauge("pier_plugin_instances", "Instances of a plugin: idle (pooled, warm) or busy (in a call).",
            {{"plugin", name}, {"state", "idle"}}, static_cast<double>(s.idle_instances));
    w.Gauge("pier_plugin_instances", "Instances of a plugin: idle (pooled, warm) or busy (in a call).",
            {{"plugin", name}, {"state", "busy"}}, static_cast<double>(s.calls_in_progress));
    w.Counter("pier_plugin_instances_created_total", "Instances of a plugin created.", {{"plugin", name}},
              static_cast<double>(s.instances_created));
    w.Counter("pier_plugin_instances_discarded_total",
              "Instances of a plugin thrown away after a trap, proc_exit or _start.", {{"plugin", name}},
              static_cast<double>(s.instances_discarded));
  });
}

PluginCore::~PluginCore() {
  instance_metrics_.Reset();
  MutexLock lock(mu_);
  idle_.clear();  // stores go before the linker and module they were made from
}

bool PluginCore::IsLinkName(std::string_view module) const {
  for (const LinkedModule& link : shared_->links) {
    if (link.name == module) return true;
  }
  return false;
}

Status PluginCore::CheckImports(const std::string& who,
                                const std::vector<std::pair<std::string, std::string>>& imports) const {
  const auto& kernel = KernelImportNames();
  const auto& wasi = WasiImportNames();
  for (const auto& [module, name] : imports) {
    const std::string what = who + " imports " + module + "::" + name;
    if (module == kEnvModule) {
      if (!kernel.contains(name)) {
        return InvalidArgumentError(what + ", which Pier's Extism kernel does not provide (built with a newer PDK?)");
      }
    } else if (module == kWasiModule) {
      if (!wasi.contains(name)) return InvalidArgumentError(what + ", which is not a WASI preview 1 function");
    } else if (!IsLinkName(module)) {
      bool found = false;
      for (const HostFunction& f : shared_->options.host_functions) found |= f.module == module && f.name == name;
      if (!found) {
        std::string why;
        if (shared_->options.explain_missing_import) why = shared_->options.explain_missing_import(module, name);
        if (why.empty()) {
          why = "no host function of that name is available to it";
          if (module == "extism:host/user") why += " (a host service its manifest does not grant?)";
        }
        return NotFoundError(what + ", but " + why);
      }
    }
  }
  return OkStatus();
}

Result<LinkerPtr> PluginCore::NewLinker() const {
  LinkerPtr linker(wasmtime_linker_new(engine_));
  PIER_RETURN_IF_ERROR(DefineKernelImports(linker.get()));
  PIER_RETURN_IF_ERROR(DefineWasiImports(linker.get()));
  PIER_RETURN_IF_ERROR(DefineHostFunctions(linker.get(), shared_->options.host_functions));
  return linker;
}

Status PluginCore::Link() {
  const std::string plugin = "plugin '" + shared_->options.name + "'";
  // Non-function imports are refused before anything else: only functions are provided.
  auto function_imports = [&](const wasmtime_module_t* module, const std::string& who,
                              std::vector<std::pair<std::string, std::string>>* out) -> Status {
    for (ModuleImport& i : ModuleImports(module)) {
      if (i.kind != WASM_EXTERN_FUNC) {
        return InvalidArgumentError(who + " imports a " + std::string(ExternKindName(i.kind)) + " " + i.module +
                                    "::" + i.name + "; Pier only provides functions");
      }
      out->emplace_back(std::move(i.module), std::move(i.name));
    }
    return OkStatus();
  };
  PIER_RETURN_IF_ERROR(function_imports(module_.get(), plugin, &shared_->imports));
  for (const LinkedModule& link : shared_->links) {
    const std::string who = plugin + ", module '" + link.name + "',";
    std::vector<std::pair<std::string, std::string>> imports;
    PIER_RETURN_IF_ERROR(function_imports(link.module.get(), who, &imports));
    PIER_RETURN_IF_ERROR(CheckImports(who, imports));
  }

  PIER_ASSIGN_OR_RETURN(linker_, NewLinker());
  PIER_RETURN_IF_ERROR(CheckImports(plugin, shared_->imports));
  // Linked plugins instantiate their modules per store (Instance::Create);
  // the others share one pre-linked template.
  if (!shared_->links.empty()) return OkStatus();

  wasmtime_instance_pre_t* pre = nullptr;
  if (wasmtime_error_t* error = wasmtime_linker_instantiate_pre(linker_.get(), module_.get(), &pre)) {
    return InvalidArgumentError(plugin + " cannot be linked: " + TakeErrorMessage(error));
  }
  pre_.reset(pre);
  return OkStatus();
}

Result<std::unique_ptr<Instance>> PluginCore::Acquire(const CallState& call) {
  if (shared_->options.instance_mode == InstanceMode::kPooled) {
    MutexLock lock(mu_);
    if (!idle_.empty()) {
      auto inst = std::move(idle_.back());
      idle_.pop_back();
      return inst;
    }
  }
  auto inst = Instance::Create(*this, call);
  if (inst.ok()) created_++;
  return inst;
}

void PluginCore::Release(std::unique_ptr<Instance> instance) {
  if (instance->reusable() && shared_->options.instance_mode == InstanceMode::kPooled) {
    MutexLock lock(mu_);
    if (idle_.size() < max_idle_) {
      idle_.push_back(std::move(instance));
      return;
    }
  }
  if (!instance->reusable()) discarded_++;
  instance.reset();  // outside the lock
}

Result<CallResult> PluginCore::Call(std::string_view name, std::string_view input, const CallOptions& options,
                                    std::unique_ptr<Instance>* pinned) {
  auto it = shared_->exports.find(name);
  if (it == shared_->exports.end()) return NotFoundError("function not found: " + std::string(name));
  const ExportInfo& info = it->second;
  if (info.shape == ExportShape::kNotCallable) {
    return InvalidArgumentError("export " + std::string(name) + " has type " + info.signature +
                                "; a plugin function takes no parameters and returns i32 or nothing");
  }
  CallState call;
  call.timeout = options.timeout.value_or(shared_->options.timeout);
  if (call.timeout.count() > 0) call.deadline = Clock::now() + call.timeout;
  call.cancel = options.cancel;
  call.host_context = options.host_context;
  calls_++;

  const auto start = Clock::now();
  busy_.fetch_add(1, std::memory_order_relaxed);
  uint64_t id = 0;
  {
    MutexLock lock(running_mu_);
    id = next_call_++;
    running_.emplace(id, Running{it->first, options.label, start, options.cancel});
  }
  Result<CallResult> result = CallOn(it->first, info, input, call, pinned);
  {
    MutexLock lock(running_mu_);
    running_.erase(id);
  }
  busy_.fetch_sub(1, std::memory_order_relaxed);
  call_metrics_.Record(it->first, result, std::chrono::duration<double>(Clock::now() - start).count());
  return result;
}

Result<CallResult> PluginCore::CallOn(const std::string& name, const ExportInfo& info, std::string_view input,
                                      const CallState& call, std::unique_ptr<Instance>* pinned) {
  EpochTicker::ActiveCall active(runtime_->ticker());
  if (pinned != nullptr) {
    PIER_ASSIGN_OR_RETURN(Instance * inst, Pin(pinned));
    return inst->Call(name, info, input, call);
  }
  PIER_ASSIGN_OR_RETURN(std::unique_ptr<Instance> inst, Acquire(call));
  Result<CallResult> result = inst->Call(name, info, input, call);
  Release(std::move(inst));
  return result;
}

Result<Instance*> PluginCore::Pin(std::unique_ptr<Instance>* pinned) {
  if (*pinned == nullptr || !(*pinned)->reusable()) {
    if (*pinned != nullptr) discarded_++;
    PIER_ASSIGN_OR_RETURN(*pinned, Instance::Create(*this, CallState{}));
    created_++;
  }
  return pinned->get();
}

std::vector<CallInProgress> PluginCore::CallsInProgress() const {
  const auto now = Clock::now();
  MutexLock lock(running_mu_);
  std::vector<CallInProgress> out;
  out.reserve(running_.size());
  for (const auto& [id, r] : running_) {
    out.push_back({id, std::string(r.export_name), r.label,
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - r.start)});
  }
  return out;
}

bool PluginCore::Interrupt(uint64_t id) const {
  MutexLock lock(running_mu_);
  auto it = running_.find(id);
  if (it == running_.end()) return false;
  it->second.cancel.Cancel();
  return true;
}

PluginStats PluginCore::stats() const {
  PluginStats s;
  s.calls = calls_.load();
  s.instances_created = created_.load();
  s.instances_discarded = discarded_.load();
  s.calls_in_progress = busy_.load(std::memory_order_relaxed);
  MutexLock lock(mu_);
  s.idle_instances = idle_.size();
  return s;
}

}  // namespace pier::internal
