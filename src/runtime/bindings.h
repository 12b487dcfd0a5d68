// The imports Pier offers every plugin, defined into a Wasmtime linker:
// `extism:host/env` (the native kernel), `wasi_snapshot_preview1`, and the
// embedder's host functions. Each binding only translates between Wasm values
// and the engine-agnostic Kernel / Wasi / HostFunction.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "pier/host_function.h"
#include "pier/status.h"
#include "runtime/wasmtime_api.h"

namespace pier::internal {

inline constexpr std::string_view kEnvModule = "extism:host/env";
inline constexpr std::string_view kWasiModule = "wasi_snapshot_preview1";

Status DefineKernelImports(wasmtime_linker_t* linker);
Status DefineWasiImports(wasmtime_linker_t* linker);
// `functions` must outlive the linker (bindings keep pointers into it).
Status DefineHostFunctions(wasmtime_linker_t* linker, const std::vector<HostFunction>& functions);

// Every name DefineKernelImports / DefineWasiImports defines, for import checks.
const std::set<std::string, std::less<>>& KernelImportNames();
const std::set<std::string, std::less<>>& WasiImportNames();

}  // namespace pier::internal
