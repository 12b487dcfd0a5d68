#include "runtime/host_call.h"

namespace pier::internal {

namespace {

// Set by NamesDefinedBy on its own thread: every definition is recorded.
thread_local std::vector<std::pair<std::string, std::string>>* recorder = nullptr;

wasm_valtype_vec_t Types(const std::vector<wasm_valkind_t>& kinds) {
  wasm_valtype_vec_t vec;
  wasm_valtype_vec_new_uninitialized(&vec, kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) vec.data[i] = wasm_valtype_new(kinds[i]);
  return vec;
}
}  // namespace

Status DefineRawFunction(wasmtime_linker_t* linker, std::string_view module, std::string_view name,
                         const std::vector<wasm_valkind_t>& params, const std::vector<wasm_valkind_t>& results,
                         wasmtime_func_unchecked_callback_t callback, void* env) {
  if (recorder != nullptr) recorder->emplace_back(module, name);
  wasm_valtype_vec_t p = Types(params), r = Types(results);
  wasm_functype_t* type = wasm_functype_new(&p, &r);  // takes the vectors
  wasmtime_error_t* error = wasmtime_linker_define_func_unchecked(
      linker, module.data(), module.size(), name.data(), name.size(), type, callback, env, nullptr);
  wasm_functype_delete(type);
  if (error != nullptr) {
    return InternalError("defining " + std::string(module) + "::" + std::string(name) + ": " +
                         TakeErrorMessage(error));
  }
  return OkStatus();
}

std::set<std::string, std::less<>> NamesDefinedBy(Status (*define)(wasmtime_linker_t*), std::string_view module) {
  std::vector<std::pair<std::string, std::string>> defined;
  EnginePtr engine(wasm_engine_new());
  LinkerPtr linker(wasmtime_linker_new(engine.get()));
  recorder = &defined;
  define(linker.get()).IgnoreError();  // a failure would show as a missing name in the tests
  recorder = nullptr;
  std::set<std::string, std::less<>> names;
  for (auto& [m, n] : defined) {
    if (m == module) names.insert(n);
  }
  return names;
}

}  // namespace pier::internal
