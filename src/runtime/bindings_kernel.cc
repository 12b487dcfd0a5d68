// extism:host/env bound to the native Kernel. These are the hottest host
// functions (PDKs move data 8 bytes per call): each goes straight from the raw
// callback to the kernel.
#include "runtime/bindings.h"
#include "runtime/host_call.h"

namespace pier::internal {

namespace {

using S = InstanceState;
using I32 = int32_t;
using I64 = int64_t;

template <LogLevel kLevel>
Status LogAt(S& s, I64 message) {
  return s.kernel.Log(kLevel, message);
}

// One function per import, named after it.
constexpr auto kAlloc = +[](S& s, I64 n) -> Result<I64> {
    auto h = s.kernel.Alloc(n);
    if (!h.ok()) return h.status();
    return static_cast<I64>(*h);
  };
constexpr auto kFree = +[](S& s, I64 h) { s.kernel.Free(h); };
constexpr auto kLength = +[](S& s, I64 h) { return s.kernel.Length(h); };
constexpr auto kLengthUnsafe = +[](S& s, I64 h) { return s.kernel.Length(h); };
constexpr auto kLoadU8 = +[](S& s, I64 a) { return s.kernel.LoadU8(a); };
constexpr auto kLoadU64 = +[](S& s, I64 a) { return s.kernel.LoadU64(a); };
constexpr auto kStoreU8 = +[](S& s, I64 a, I32 v) { return s.kernel.StoreU8(a, v); };
constexpr auto kStoreU64 = +[](S& s, I64 a, I64 v) { return s.kernel.StoreU64(a, v); };
constexpr auto kInputLength = +[](S& s) { return s.kernel.InputLength(); };
constexpr auto kInputOffset = +[](S& s) { return s.kernel.InputOffset(); };
constexpr auto kInputLoadU8 = +[](S& s, I64 o) { return s.kernel.InputLoadU8(o); };
constexpr auto kInputLoadU64 = +[](S& s, I64 o) { return s.kernel.InputLoadU64(o); };
constexpr auto kInputSet = +[](S& s, I64 h, I64 n) { return s.kernel.InputSet(h, n); };
constexpr auto kOutputSet = +[](S& s, I64 a, I64 n) { return s.kernel.OutputSet(a, n); };
constexpr auto kOutputOffset = +[](S& s) { return s.kernel.OutputOffset(); };
constexpr auto kOutputLength = +[](S& s) { return s.kernel.OutputLength(); };
constexpr auto kErrorSet = +[](S& s, I64 h) { return s.kernel.ErrorSet(h); };
constexpr auto kErrorGet = +[](S& s) { return s.kernel.ErrorGet(); };
constexpr auto kReset = +[](S& s) { s.kernel.Reset(); };
constexpr auto kMemoryBytes = +[](S& s) { return s.kernel.MemoryBytes(); };
constexpr auto kConfigGet = +[](S& s, I64 k) { return s.kernel.ConfigGet(k); };
constexpr auto kVarGet = +[](S& s, I64 k) { return s.kernel.VarGet(k); };
constexpr auto kVarSet = +[](S& s, I64 k, I64 v) { return s.kernel.VarSet(k, v); };
constexpr auto kHttpRequest = +[](S& s, I64 r, I64 b) { return s.kernel.HttpRequest(r, b); };
constexpr auto kHttpStatusCode = +[](S& s) { return s.kernel.HttpStatusCode(); };
constexpr auto kHttpHeaders = +[](S& s) { return s.kernel.HttpHeaders(); };
constexpr auto kGetLogLevel = +[](S& s) { return s.kernel.GetLogLevel(); };

}  // namespace

const std::set<std::string, std::less<>>& KernelImportNames() {
  static const std::set<std::string, std::less<>> names = NamesDefinedBy(&DefineKernelImports, kEnvModule);
  return names;
}

Status DefineKernelImports(wasmtime_linker_t* l) {
  const std::string_view m = kEnvModule;
  // Memory. `length_unsafe` gives the same checked answer as `length`: the
  // native block table makes the safe lookup as cheap.
  PIER_RETURN_IF_ERROR(DefineHostCall<kAlloc>(l, m, "alloc"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kFree>(l, m, "free"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kLength>(l, m, "length"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kLengthUnsafe>(l, m, "length_unsafe"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kLoadU8>(l, m, "load_u8"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kLoadU64>(l, m, "load_u64"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kStoreU8>(l, m, "store_u8"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kStoreU64>(l, m, "store_u64"));

  // Input, output, error.
  PIER_RETURN_IF_ERROR(DefineHostCall<kInputLength>(l, m, "input_length"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kInputOffset>(l, m, "input_offset"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kInputLoadU8>(l, m, "input_load_u8"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kInputLoadU64>(l, m, "input_load_u64"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kInputSet>(l, m, "input_set"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kOutputSet>(l, m, "output_set"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kOutputOffset>(l, m, "output_offset"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kOutputLength>(l, m, "output_length"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kErrorSet>(l, m, "error_set"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kErrorGet>(l, m, "error_get"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kReset>(l, m, "reset"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kMemoryBytes>(l, m, "memory_bytes"));

  // Config and vars.
  PIER_RETURN_IF_ERROR(DefineHostCall<kConfigGet>(l, m, "config_get"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kVarGet>(l, m, "var_get"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kVarSet>(l, m, "var_set"));

  // HTTP.
  PIER_RETURN_IF_ERROR(
      DefineHostCall<kHttpRequest>(l, m, "http_request"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kHttpStatusCode>(l, m, "http_status_code"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kHttpHeaders>(l, m, "http_headers"));

  // Logging.
  PIER_RETURN_IF_ERROR(DefineHostCall<&LogAt<LogLevel::kTrace>>(l, m, "log_trace"));
  PIER_RETURN_IF_ERROR(DefineHostCall<&LogAt<LogLevel::kDebug>>(l, m, "log_debug"));
  PIER_RETURN_IF_ERROR(DefineHostCall<&LogAt<LogLevel::kInfo>>(l, m, "log_info"));
  PIER_RETURN_IF_ERROR(DefineHostCall<&LogAt<LogLevel::kWarn>>(l, m, "log_warn"));
  PIER_RETURN_IF_ERROR(DefineHostCall<&LogAt<LogLevel::kError>>(l, m, "log_error"));
  PIER_RETURN_IF_ERROR(DefineHostCall<kGetLogLevel>(l, m, "get_log_level"));
  return OkStatus();
}

}  // namespace pier::internal
