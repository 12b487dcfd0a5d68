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

}  // namespace

PluginCore::PluginCore(std::shared_ptr<RuntimeCore> runtime, wasm_engine_t* engine, SharedModule module,
                       std::unique_ptr<PluginShared> shared)
    : runtime_(std::move(runtime)),
      engine_(engine),
      module_(std::move(module)),
      shared_(std::move(shared)),
      max_idle_(shared_->options.max_idle_instances > 0
                    ? shared_->options.max_idle_instances
                    : std::max<size_t>(2, std::thread::hardware_concurrency())) {}

PluginCore::~PluginCore() {
  MutexLock lock(mu_);
  idle_.clear();  // stores go before the linker and module they were made from
}

Status PluginCore::CheckImports() const {
  const auto& kernel = KernelImportNames();
  const auto& wasi = WasiImportNames();
  const std::string& plugin = shared_->options.name;
  for (const auto& [module, name] : shared_->imports) {
    const std::string what = "plugin '" + plugin + "' imports " + module + "::" + name;
    if (module == kEnvModule) {
      if (!kernel.contains(name)) {
        return InvalidArgumentError(what + ", which Pier's Extism kernel does not provide (built with a newer PDK?)");
      }
    } else if (module == kWasiModule) {
      if (!wasi.contains(name)) return InvalidArgumentError(what + ", which is not a WASI preview 1 function");
    } else {
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

Status PluginCore::Link() {
  // Non-function imports are refused before anything else: only functions are provided.
  for (ModuleImport& i : ModuleImports(module_.get())) {
    if (i.kind != WASM_EXTERN_FUNC) {
      return InvalidArgumentError("plugin '" + shared_->options.name + "' imports a " +
                                  std::string(ExternKindName(i.kind)) + " " + i.module + "::" + i.name +
                                  "; Pier only provides functions");
    }
    shared_->imports.emplace_back(std::move(i.module), std::move(i.name));
  }

  linker_.reset(wasmtime_linker_new(engine_));
  PIER_RETURN_IF_ERROR(DefineKernelImports(linker_.get()));
  PIER_RETURN_IF_ERROR(DefineWasiImports(linker_.get()));
  PIER_RETURN_IF_ERROR(DefineHostFunctions(linker_.get(), shared_->options.host_functions));
  PIER_RETURN_IF_ERROR(CheckImports());

  wasmtime_instance_pre_t* pre = nullptr;
  if (wasmtime_error_t* error = wasmtime_linker_instantiate_pre(linker_.get(), module_.get(), &pre)) {
    return InvalidArgumentError("plugin '" + shared_->options.name + "' cannot be linked: " +
                                TakeErrorMessage(error));
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

Result<CallResult> PluginCore::Call(std::string_view name, std::string_view input, const CallOptions& options) {
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
  calls_++;

  EpochTicker::ActiveCall active(runtime_->ticker());
  PIER_ASSIGN_OR_RETURN(std::unique_ptr<Instance> inst, Acquire(call));
  Result<CallResult> result = inst->Call(it->first, info, input, call);
  Release(std::move(inst));
  return result;
}

PluginStats PluginCore::stats() const {
  PluginStats s;
  s.calls = calls_.load();
  s.instances_created = created_.load();
  s.instances_discarded = discarded_.load();
  MutexLock lock(mu_);
  s.idle_instances = idle_.size();
  return s;
}

}  // namespace pier::internal
