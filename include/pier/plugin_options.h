// Options for loading a plugin and for one call.
//
//   pier::PluginOptions options;
//   options.name = "echo";
//   options.config["greeting"] = "hi";
//   options.allowed_hosts = {"*.example.com"};
//   options.timeout = std::chrono::seconds(5);
//   options.instance_mode = pier::InstanceMode::kFreshPerCall;
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pier/cancel.h"
#include "pier/host_function.h"
#include "pier/log_level.h"

namespace pier {

enum class InstanceMode {
  // Instances are kept warm and reused; the kernel is reset before each call,
  // Extism vars and guest globals persist per instance (Extism semantics).
  kPooled,
  // A brand-new instance per call, discarded afterwards: no state survives
  // between calls (what Navidrome does).
  kFreshPerCall,
};

// A host directory the plugin sees through WASI at `guest` (e.g.
// "/storage"). Paths are resolved by the kernel beneath it: no `..`,
// symbolic link or absolute path leaves it, and plugins cannot create
// symbolic links. A read-only mount refuses every write.
struct DirectoryMount {
  std::filesystem::path host;
  std::string guest;
  bool read_only = true;
};

std::string_view InstanceModeName(InstanceMode mode);
Result<InstanceMode> ParseInstanceMode(std::string_view text);  // "pooled" | "fresh"

struct PluginOptions {
  static constexpr uint64_t kMiB = 1024 * 1024;
  static constexpr uint64_t kWasmPage = 64 * 1024;  // a linear-memory page
  static constexpr uint64_t kMaxWasmPages = 65536;  // 4 GiB, wasm32's limit

  std::string name = "plugin";                  // tags logs and errors
  std::map<std::string, std::string> config;    // read by `config_get`
  // Glob patterns (`*`, `?`, case-insensitive) on the host name of an
  // `http_request` URL. Empty: every request is refused.
  std::vector<std::string> allowed_hosts;
  // Per-call deadline, including `_initialize` and host functions; 0 = none.
  std::chrono::milliseconds timeout{30000};
  // Cap on everything one instance takes: its linear memory and its Extism
  // kernel memory (the blocks `alloc` hands out) together, as an Extism
  // manifest's memory limit bounds both.
  uint64_t max_memory_bytes = 256 * kMiB;
  uint64_t max_arena_bytes = 0;  // a further cap on kernel memory alone (0: none)
  uint64_t max_var_bytes = 1 * kMiB;             // Extism vars per instance; 0 disables vars
  uint64_t max_http_response_bytes = 50 * kMiB;  // larger `http_request` bodies trap
  bool http_response_headers = true;             // `http_headers` answers (Navidrome enables it)
  std::optional<uint64_t> fuel;                  // per-call fuel; unset = no metering
  LogLevel log_level = LogLevel::kInfo;
  LogSink log_sink;                              // unset: Pier's logger
  InstanceMode instance_mode = InstanceMode::kPooled;
  // Fresh mode: each instance starts from a snapshot of the module taken once,
  // right after its initialiser (`_initialize`) ran, instead of running the
  // initialiser again; when the module cannot be snapshotted (its initialiser
  // calls a host function, say) it runs as without. False: never snapshot.
  bool snapshot = true;
  size_t max_idle_instances = 0;                 // pooled mode; 0 = number of CPUs
  std::vector<HostFunction> host_functions;
  std::vector<DirectoryMount> mounts;            // pre-opened directories; none by default
  // Completes the load error for an import no host function satisfies, e.g.
  // "it needs the 'taskqueue' permission" (see pier/services/host_services.h).
  std::function<std::string(std::string_view module, std::string_view name)> explain_missing_import;
};

struct CallOptions {
  CancelToken cancel;                             // cancels only this call
  std::optional<std::chrono::milliseconds> timeout;  // overrides PluginOptions::timeout
  // Handed to every host function this call makes (HostCallContext::
  // host_context); owned by the caller, which keeps it alive for the call.
  void* host_context = nullptr;
  // What the call is for, shown beside it while it runs (Plugin::CallsInProgress):
  // "queue thumbs, task 00Vck…, attempt 2". Optional.
  std::string label;
};

}  // namespace pier
