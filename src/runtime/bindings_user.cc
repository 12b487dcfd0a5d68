// Embedder host functions: (i64 request block) -> (i64 response block).
#include "runtime/bindings.h"
#include "runtime/host_call.h"

namespace pier::internal {

namespace {

class CallContextView final : public HostCallContext {
 public:
  explicit CallContextView(InstanceState& s) : s_(s) {}
  std::string_view plugin_name() const override { return s_.shared->options.name; }
  Clock::time_point deadline() const override { return s_.call.deadline; }
  bool interrupted() const override { return s_.call.interrupted(); }
  void* host_context() const override { return s_.call.host_context; }
  std::optional<std::string> var(std::string_view name) const override { return s_.kernel.Var(name); }
  Status set_var(std::string_view name, std::string_view value) override { return s_.kernel.PutVar(name, value); }
  void remove_var(std::string_view name) override { s_.kernel.PutVar(name, std::nullopt).IgnoreError(); }

 private:
  InstanceState& s_;
};

wasm_trap_t* CallHostFunction(void* env, wasmtime_caller_t* caller, wasmtime_val_raw_t* raw, size_t) {
  const HostFunction& f = *static_cast<const HostFunction*>(env);
  InstanceState& s = StateOf(caller);
  auto in = s.kernel.ReadBlock(f.name, raw[0].i64);
  if (!in.ok()) return s.Stop(in.status());
  // The request block belongs to the guest (it frees it); copy it first, since a
  // re-entrant call into the plugin must not see it change.
  const std::string request(*in);
  CallContextView context(s);
  Result<std::string> out = f.handler(context, request);
  if (!out.ok()) return s.Stop(out.status().WithContext(f.module + "::" + f.name));
  auto h = s.kernel.arena().AllocBytes(*out);
  if (!h.ok()) return s.Stop(h.status().WithContext(f.name));
  raw[0].i64 = static_cast<int64_t>(*h);
  return nullptr;
}

}  // namespace

Status DefineHostFunctions(wasmtime_linker_t* linker, const std::vector<HostFunction>& functions) {
  for (const HostFunction& fn : functions) {
    if (!fn.handler) return InvalidArgumentError("host function " + fn.module + "::" + fn.name + " has no handler");
    PIER_RETURN_IF_ERROR(DefineRawFunction(linker, fn.module, fn.name, {WASM_I64}, {WASM_I64}, &CallHostFunction,
                                           const_cast<HostFunction*>(&fn)));
  }
  return OkStatus();
}

}  // namespace pier::internal
