// HostFunction: a function the embedder offers to plugins as a wasm import of
// type (i64) -> i64, the Navidrome convention: the argument is a kernel block
// holding the request bytes, the result a new block with the response bytes.
//
//   pier::HostFunction upper{"extism:host/user", "to_upper",
//       [](pier::HostCallContext&, std::string_view in) -> pier::Result<std::string> {
//         return Upper(in);
//       }};
//   options.host_functions.push_back(upper);
//
// A handler returning a non-OK status traps the call (TrapKind::kCrash) with
// that message; services that report errors to plugins put them in the response.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pier/status.h"

namespace pier {

// What a handler may know about the call it runs in. Valid only during the handler.
class HostCallContext {
 public:
  virtual ~HostCallContext() = default;
  virtual std::string_view plugin_name() const = 0;
  // The call's deadline; time_point::max() when it has none.
  virtual std::chrono::steady_clock::time_point deadline() const = 0;
  // True once the call was cancelled or its deadline passed: long handlers
  // should poll this and give up.
  virtual bool interrupted() const = 0;
  // What the caller passed as CallOptions::host_context for this call
  // (nullptr when nothing was): per-call state for the handler, such as the
  // request or user the call is made for.
  virtual void* host_context() const { return nullptr; }
  // The calling instance's Extism vars, as the plugin sees them with
  // var_get / var_set (the same max_var_bytes bound applies). A context with
  // no plugin instance behind it has none.
  virtual std::optional<std::string> var(std::string_view) const { return std::nullopt; }
  virtual Status set_var(std::string_view, std::string_view) {
    return FailedPreconditionError("no plugin instance: no vars");
  }
  virtual void remove_var(std::string_view) {}
};

using HostFunctionHandler =
    std::function<Result<std::string>(HostCallContext& context, std::string_view request)>;

struct HostFunction {
  std::string module = "extism:host/user";
  std::string name;
  HostFunctionHandler handler;  // called concurrently from many calls: must be thread-safe
};

}  // namespace pier
