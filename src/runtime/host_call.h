// DefineHostCall<fn>: binds a typed C++ function
//     R fn(InstanceState&, A...)   with A, R in {int32_t, int64_t}
// (R may also be void, Status or Result<int32_t|int64_t>) as a Wasm import
// through Wasmtime's raw "unchecked" callback: the fastest host-call path.
// A non-OK Status/Result stops the call: it is recorded on the instance and
// becomes a trap.
//
//   PIER_RETURN_IF_ERROR(DefineHostCall<+[](InstanceState& s, int64_t h) {
//     return s.kernel.Length(h);
//   }>(linker, "extism:host/env", "length"));
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/instance_state.h"
#include "runtime/wasmtime_api.h"

namespace pier::internal {

template <typename T>
struct WasmValue;
template <>
struct WasmValue<int32_t> {
  static constexpr wasm_valkind_t kKind = WASM_I32;
  static int32_t Load(const wasmtime_val_raw_t& v) { return v.i32; }
  static void Store(wasmtime_val_raw_t& v, int32_t x) { v.i32 = x; }
};
template <>
struct WasmValue<int64_t> {
  static constexpr wasm_valkind_t kKind = WASM_I64;
  static int64_t Load(const wasmtime_val_raw_t& v) { return v.i64; }
  static void Store(wasmtime_val_raw_t& v, int64_t x) { v.i64 = x; }
};

template <typename T>
struct IsResult : std::false_type {};
template <typename T>
struct IsResult<Result<T>> : std::true_type {};

// The single value type a function returns, or void.
template <typename R>
struct ReturnedValue {
  using type = R;
};
template <>
struct ReturnedValue<Status> {
  using type = void;
};
template <typename T>
struct ReturnedValue<Result<T>> {
  using type = T;
};

// Defines an import of type (params) -> (results) calling `callback` with `env`.
Status DefineRawFunction(wasmtime_linker_t* linker, std::string_view module, std::string_view name,
                         const std::vector<wasm_valkind_t>& params, const std::vector<wasm_valkind_t>& results,
                         wasmtime_func_unchecked_callback_t callback, void* env);

// The names `define` gives to imports of `module`, learned by running it once
// on a scratch linker (the C API cannot list a linker's definitions).
std::set<std::string, std::less<>> NamesDefinedBy(Status (*define)(wasmtime_linker_t*), std::string_view module);

template <auto Fn>
struct HostCall;

template <typename R, typename... A, R (*Fn)(InstanceState&, A...)>
struct HostCall<Fn> {
  using Value = typename ReturnedValue<R>::type;

  static wasm_trap_t* Callback(void*, wasmtime_caller_t* caller, wasmtime_val_raw_t* raw, size_t) {
    InstanceState& s = StateOf(caller);
    s.EnterHostCall(caller);
    return Invoke(s, raw, std::index_sequence_for<A...>{});
  }

  template <size_t... I>
  static wasm_trap_t* Invoke(InstanceState& s, wasmtime_val_raw_t* raw, std::index_sequence<I...>) {
    if constexpr (std::is_void_v<R>) {
      Fn(s, WasmValue<A>::Load(raw[I])...);
      return nullptr;
    } else if constexpr (std::is_same_v<R, Status>) {
      Status st = Fn(s, WasmValue<A>::Load(raw[I])...);
      return st.ok() ? nullptr : s.Stop(std::move(st));
    } else if constexpr (IsResult<R>::value) {
      R r = Fn(s, WasmValue<A>::Load(raw[I])...);
      if (!r.ok()) return s.Stop(r.status());
      WasmValue<Value>::Store(raw[0], *r);
      return nullptr;
    } else {
      WasmValue<R>::Store(raw[0], Fn(s, WasmValue<A>::Load(raw[I])...));
      return nullptr;
    }
  }

  static Status Define(wasmtime_linker_t* linker, std::string_view module, std::string_view name) {
    std::vector<wasm_valkind_t> results;
    if constexpr (!std::is_void_v<Value>) results.push_back(WasmValue<Value>::kKind);
    return DefineRawFunction(linker, module, name, {WasmValue<A>::kKind...}, results, &Callback, nullptr);
  }
};

template <auto Fn>
Status DefineHostCall(wasmtime_linker_t* linker, std::string_view module, std::string_view name) {
  return HostCall<Fn>::Define(linker, module, name);
}

}  // namespace pier::internal
