// CallResult: the outcome of calling a plugin export. Exactly one of:
//   - output: the export succeeded; these are its output bytes;
//   - PluginError: the plugin reported an error (`error_set`, a non-zero
//     return code, or WASI proc_exit(n != 0)); code -2 means "not implemented";
//   - Trap: the call was stopped: timeout, cancellation, a memory limit, fuel,
//     stack overflow, or a crash (unreachable, out-of-bounds access, a bad
//     kernel handle...). The instance that trapped is discarded.
//
//   auto r = plugin->Call("greet", "{}");
//   if (!r.ok()) { /* host failure: no such export, ... */ }
//   else if (r->is_output()) use(r->output());
//   else if (r->is_trap()) log(r->trap().message);
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <variant>

namespace pier {

struct PluginError {
  static constexpr int32_t kNotImplemented = -2;

  std::string message;  // `error_set` text, or a description of the return code
  int32_t code = -1;    // the export's return code (or the WASI exit status)

  // True for return code -2 without an error message (spec §3.1).
  bool not_implemented() const { return code == kNotImplemented; }
};

enum class TrapKind {
  kTimeout,        // the call's deadline passed
  kCancelled,      // its CancelToken was cancelled
  kOutOfMemory,    // linear-memory or kernel-arena cap, or an oversized var/HTTP body
  kOutOfFuel,      // fuel ran out
  kStackOverflow,  // unbounded recursion
  kCrash,          // any other trap: unreachable, bad memory access, bad kernel handle...
};

std::string_view TrapKindName(TrapKind kind);

struct Trap {
  TrapKind kind = TrapKind::kCrash;
  std::string message;  // says what happened, e.g. which limit was hit
  // The guest's call stack where it stopped, innermost first, one frame per
  // entry: "module!function @0xOFFSET" (names from the module's name
  // section, demangled; "function[N]" without one), followed by
  // " at file:line:column" when RuntimeOptions::backtrace_details is on and
  // the module has DWARF. Empty when no wasm code was on the stack, e.g. a
  // timeout while a host function ran.
  std::vector<std::string> backtrace;
  // The Wasm core dump written for this trap (RuntimeOptions::coredump_dir);
  // empty when none was written.
  std::string coredump;
};

class CallResult {
 public:
  static CallResult Output(std::string bytes) { return CallResult(std::move(bytes)); }
  static CallResult Error(PluginError e) { return CallResult(std::move(e)); }
  static CallResult Trapped(Trap t) { return CallResult(std::move(t)); }

  bool is_output() const { return std::holds_alternative<std::string>(v_); }
  bool is_plugin_error() const { return std::holds_alternative<PluginError>(v_); }
  bool is_trap() const { return std::holds_alternative<Trap>(v_); }

  const std::string& output() const { return std::get<std::string>(v_); }
  std::string& output() { return std::get<std::string>(v_); }
  const PluginError& plugin_error() const { return std::get<PluginError>(v_); }
  const Trap& trap() const { return std::get<Trap>(v_); }

  // One line for logs and the CLI: the output size, the error or the trap.
  std::string Describe() const;

 private:
  template <typename T>
  explicit CallResult(T v) : v_(std::move(v)) {}
  std::variant<std::string, PluginError, Trap> v_;
};

}  // namespace pier
