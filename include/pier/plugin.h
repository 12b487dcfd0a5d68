// Plugin: a loaded, compiled Wasm plugin that can be called concurrently.
//
//   auto runtime = pier::Runtime::Create().value();
//   auto plugin = runtime->LoadFile("echo.wasm", {}).value();
//   auto result = plugin->Call("echo", R"({"hello":"world"})");
//   if (result.ok() && result->is_output()) std::cout << result->output();
//
// Each call runs in its own instance (warm from a pool, or fresh), so calls
// never share a Wasm store; a host function may call back into the same
// plugin while a call is in flight. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pier/call_result.h"
#include "pier/plugin_options.h"
#include "pier/status.h"

namespace pier {

namespace internal {
class PluginCore;
class Instance;
}

class PluginSession;

struct ImportName {
  std::string module;
  std::string name;
};

// A call running now (Plugin::CallsInProgress).
struct CallInProgress {
  uint64_t id = 0;  // for Plugin::Interrupt; unique within the plugin
  std::string export_name;
  std::string label;  // CallOptions::label
  std::chrono::milliseconds elapsed{0};
};

struct PluginStats {
  uint64_t calls = 0;
  uint64_t instances_created = 0;
  uint64_t instances_discarded = 0;  // after a trap, proc_exit or `_start`
  uint64_t idle_instances = 0;
  uint64_t calls_in_progress = 0;  // each holds an instance
};

// Whether a plugin's instances start from a pre-initialised snapshot.
struct SnapshotInfo {
  bool active = false;     // they do
  bool from_disk = false;  // taken by an earlier process (the module cache)
  // What the one initialiser run read from the host, which every instance
  // now shares: "clock, random bytes", or "nothing".
  std::string frozen;
  // Why there is none, when one was wanted (empty otherwise).
  std::string refused;
};

class Plugin {
 public:
  explicit Plugin(std::shared_ptr<internal::PluginCore> core);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  // Calls `export_name` with `input`. Fails (Status) only for host-side
  // problems: no such export, an export of the wrong type, an instance that
  // cannot be created. Everything the plugin does is in the CallResult.
  Result<CallResult> Call(std::string_view export_name, std::string_view input,
                          const CallOptions& options = {});

  // True if the module exports a function callable as a plugin entry point
  // (`() -> i32` or `() -> ()`). Runs no guest code.
  bool HasExport(std::string_view export_name) const;
  std::vector<std::string> exports() const;
  std::vector<ImportName> imports() const;
  const std::string& name() const;
  PluginStats stats() const;
  // Every call running now, oldest first.
  std::vector<CallInProgress> CallsInProgress() const;
  // Cancels call `id` (its CancelToken: it ends as a `cancelled` trap);
  // false when it is not running any more.
  bool Interrupt(uint64_t id) const;
  SnapshotInfo snapshot() const;

  // One instance held for a run of calls, as an Extism plugin is one
  // instance: its vars and guest globals persist from call to call, and the
  // host can read and change the vars between calls.
  std::unique_ptr<PluginSession> OpenSession();

 private:
  std::shared_ptr<internal::PluginCore> core_;
};

// A session: one instance of a plugin, for consecutive calls.
//
//   auto session = plugin->OpenSession();
//   session->SetVar("user", "ada").IgnoreError();
//   session->Call("count", "");                 // the plugin's var_get sees "ada"
//   std::optional<std::string> n = session->Var("count");
//
// A call that traps discards the instance (its vars go with it); the next
// call starts a new one. The instance is discarded with the session, never
// returned to the plugin's pool. Not thread-safe: one call at a time.
class PluginSession {
 public:
  explicit PluginSession(std::shared_ptr<internal::PluginCore> core);
  ~PluginSession();
  PluginSession(const PluginSession&) = delete;
  PluginSession& operator=(const PluginSession&) = delete;

  Result<CallResult> Call(std::string_view export_name, std::string_view input, const CallOptions& options = {});

  // The instance's Extism vars (an instance is made if there is none yet).
  Result<std::optional<std::string>> Var(std::string_view name);
  Status SetVar(std::string_view name, std::string_view value);  // within max_var_bytes
  Status RemoveVar(std::string_view name);
  Status ClearVars();
  Result<std::map<std::string, std::string>> Vars();

 private:
  std::shared_ptr<internal::PluginCore> core_;
  std::unique_ptr<internal::Instance> instance_;
};

}  // namespace pier
