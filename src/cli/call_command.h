// `pier call PLUGIN EXPORT`: call one export of a plugin and print its output.
//
//   pier call echo.wasm echo --input '{"a":1}' --config k=v --allow-host '*.example.com'
//   pier call plugins/my-plugin.ndp nd_test --data data/ --config api_key=x
//
// PLUGIN is a bare .wasm (loaded with only the Config service), or a package
// (.ndp or a plugin folder) loaded as `pier serve` loads it: manifest
// validated, permissions granted with real services whose files live in
// --data DIR (a temporary folder when not given), settings from DIR's
// registry with --config on top, nd_on_init run. When a `pier serve` runs on
// DIR, the call goes to that server's loaded plugin instead, so its live
// state (cache, schedules, queues) is the one the call sees.
//
// Exit codes: 0 output, 1 plugin error, 2 trap, 3 usage or host error.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pier/call_result.h"
#include "pier/plugin.h"
#include "pier/log_level.h"
#include "pier/plugin_options.h"
#include "pier/runtime.h"
#include "pier/status.h"

namespace pier::cli {

struct CallArgs {
  std::string plugin;
  std::string export_name;
  std::string input;
  std::string input_file;
  bool stdin_input = false;  // --stdin: as --input-file -
  std::vector<std::string> config;       // k=v
  std::vector<std::string> allow_hosts;
  int64_t timeout_ms = 30000;
  uint64_t memory_mib = 256;
  bool timeout_given = false;  // over a manifest's timeout_ms
  bool memory_given = false;   // over a manifest's memory.max_pages
  bool manifest = false;       // PLUGIN is an Extism manifest (also for *.json)
  bool allow_urls = false;     // a manifest's url modules are fetched
  bool perf_map = false;       // /tmp/perf-<pid>.map for Linux perf
  std::string coredump_dir;    // --coredump: a Wasm core dump per trap
  std::vector<std::string> links;  // NAME=FILE
  uint64_t fuel = 0;
  std::string log_level = "warn";
  std::string data;
  std::string mode;  // "fresh" | "pooled"; empty: fresh, or pooled with --loop
  bool no_cache = false;
  // The flags an `extism call` user reaches for.
  int64_t loop = 1;                       // calls on the same instance
  std::string set_config;                 // a JSON object of strings, under --config
  std::vector<std::string> allow_paths;   // [ro:]HOST[:GUEST]
  int64_t memory_max_pages = -1;          // 64 KiB pages; over --memory when given
  int64_t var_max = -1;                   // bytes of Extism vars
  int64_t http_response_max = -1;         // bytes of an http_request response body
  bool http_response_headers = false;     // accepted: http_headers always answers
  bool wasi = false;                      // accepted: WASI is always there
  // Over the registry's settings (packages): who the plugin may act for, what it may see.
  std::vector<std::string> users;
  bool all_users = false;
  std::vector<int32_t> libraries;
  bool all_libraries = false;
  bool allow_write_access = false;
};

// Declares the subcommand and its options on `app`; `args` must outlive parsing.
CLI::App* AddCallCommand(CLI::App& app, CallArgs& args);
int RunCall(const CallArgs& args);

// --- shared by the two ways of calling (call_command.cc, call_package.cc) ---
inline constexpr int kExitOk = 0, kExitPluginError = 1, kExitTrap = 2, kExitHostError = 3;
int RunCallPackage(const CallArgs& args);
// Prints the outcome (output on stdout, the rest on stderr); the exit code.
int Report(const Result<CallResult>& result);
int Report(const CallResult& result);

// What both ways of calling take from the arguments, checked.
struct CallInputs {
  LogLevel log_level = LogLevel::kWarn;
  InstanceMode mode = InstanceMode::kFreshPerCall;
  std::string input;  // --input, or the file given with --input-file ("-" = stdin)
  // --set-config's values, then --config k=v on top, in order.
  std::vector<std::pair<std::string, std::string>> config;
  int64_t loop = 1;
  std::vector<DirectoryMount> mounts;  // --allow-path
};
// The checked inputs (and the host log level set), or nullopt after printing
// "pier call: <why>" to stderr.
std::optional<CallInputs> PrepareCall(const CallArgs& args);
// Calls `export_name` in->loop times (stopping at the first call that does not
// succeed) and reports each outcome; the exit code of the last call.
int CallAndReport(Plugin& plugin, const std::string& export_name, const CallInputs& in);
// The engine for one call, with the module cache unless --no-cache; nullptr
// after printing why it could not be made.
std::unique_ptr<Runtime> CreateCallRuntime(const CallArgs& args);

}  // namespace pier::cli
