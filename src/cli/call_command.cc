#include "cli/call_command.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/logging.h"
#include "pier/runtime.h"
#include "pier/services/host_services.h"
#include "package/package.h"
#include "services/config/config_service.h"

namespace pier::cli {

namespace {

std::filesystem::path DefaultCacheDir() {
  if (const char* dir = std::getenv("PIER_CACHE_DIR"); dir && *dir) return std::filesystem::path(dir) / "modules";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache/pier/modules";
  return {};
}

bool ReadAll(const std::string& path, std::string* out) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    ss << in.rdbuf();
  }
  *out = std::move(ss).str();
  return true;
}

}  // namespace

std::optional<CallInputs> PrepareCall(const CallArgs& a) {
  CallInputs in;
  auto level = ParseLogLevel(a.log_level);
  auto mode = ParseInstanceMode(a.mode);
  for (const Status* st : {&level.status(), &mode.status()}) {
    if (!st->ok()) {
      std::cerr << "pier call: " << st->message() << "\n";
      return std::nullopt;
    }
  }
  in.log_level = *level;
  in.mode = *mode;
  internal::SetHostLogLevel(*level);
  for (const std::string& kv : a.config) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "pier call: --config expects key=value, got '" << kv << "'\n";
      return std::nullopt;
    }
    in.config.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  in.input = a.input;
  if (!a.input_file.empty() && !ReadAll(a.input_file, &in.input)) {
    std::cerr << "pier call: cannot read input file " << a.input_file << "\n";
    return std::nullopt;
  }
  return in;
}

std::unique_ptr<Runtime> CreateCallRuntime(const CallArgs& a) {
  RuntimeOptions runtime_options;
  if (!a.no_cache) runtime_options.cache_dir = DefaultCacheDir();
  auto runtime = Runtime::Create(runtime_options);
  if (!runtime.ok()) {
    std::cerr << "pier call: " << runtime.status().message() << "\n";
    return nullptr;
  }
  return std::move(*runtime);
}

CLI::App* AddCallCommand(CLI::App& app, CallArgs& a) {
  CLI::App* call = app.add_subcommand("call", "Load one plugin (.wasm) and call one of its exports");
  call->footer(
      "Exit status: 0 the export succeeded (its output is printed), 1 the plugin reported an error,\n"
      "2 the call trapped (timeout, memory limit, crash...), 3 usage or host error.");
  call->add_option("plugin", a.plugin, "A plugin: .wasm file, .ndp package or plugin folder")->required();
  call->add_option("export", a.export_name, "Name of the export to call")->required();
  auto* input = call->add_option("--input", a.input, "Input text passed to the export");
  call->add_option("--input-file", a.input_file, "Read the input from a file ('-' for standard input)")
      ->excludes(input);
  call->add_option("--config", a.config, "Config value visible to config_get, as key=value (repeatable)");
  call->add_option("--allow-host", a.allow_hosts, "Host name glob the plugin may reach over HTTP (repeatable)");
  call->add_option("--timeout", a.timeout_ms, "Call timeout in milliseconds (0 = none)")->capture_default_str();
  call->add_option("--memory", a.memory_mib, "Linear memory cap in MiB")->capture_default_str();
  call->add_option("--fuel", a.fuel, "Fuel per call (0 = no metering)");
  call->add_option("--log-level", a.log_level, "Plugin log level: trace, debug, info, warn, error, off")
      ->capture_default_str();
  call->add_option("--mode", a.mode, "Instance mode: fresh or pooled")->capture_default_str();
  call->add_flag("--no-cache", a.no_cache, "Do not use the compiled-module cache");
  call->add_option("--users", a.users, "Packages: user IDs the plugin may act for (over the registry's)");
  call->add_flag("--all-users", a.all_users, "Packages: the plugin may act for every user");
  call->add_option("--libraries", a.libraries, "Packages: library IDs the plugin may see (over the registry's)");
  call->add_flag("--all-libraries", a.all_libraries, "Packages: the plugin may see every library");
  call->add_flag("--allow-write-access", a.allow_write_access, "Packages: library folders are mounted writable");
  call->add_option("--data", a.data,
                   "Packages: the data folder (as pier serve --data); a running server there takes the call");
  return call;
}

int Report(const Result<CallResult>& result) {
  if (!result.ok()) {
    std::cerr << "pier call: " << result.status().message() << "\n";
    return kExitHostError;
  }
  return Report(*result);
}

int Report(const CallResult& result) {
  if (result.is_output()) {
    const std::string& out = result.output();
    std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (!out.empty() && out.back() != '\n' && isatty(STDOUT_FILENO)) std::cout << "\n";
    std::cout.flush();
    return kExitOk;
  }
  if (result.is_plugin_error()) {
    std::cerr << "pier call: plugin error: " << result.plugin_error().message << "\n";
    return kExitPluginError;
  }
  std::cerr << "pier call: trap (" << TrapKindName(result.trap().kind) << "): " << result.trap().message << "\n";
  return kExitTrap;
}

int RunCall(const CallArgs& a) {
  if (LooksLikePackage(a.plugin)) return RunCallPackage(a);
  auto in = PrepareCall(a);
  if (!in) return kExitHostError;
  PluginOptions options;
  options.log_level = in->log_level;
  options.instance_mode = in->mode;
  for (auto& [key, value] : in->config) options.config[key] = value;
  options.allowed_hosts = a.allow_hosts;
  options.timeout = std::chrono::milliseconds(a.timeout_ms);
  options.max_memory_bytes = a.memory_mib * PluginOptions::kMiB;
  if (a.fuel > 0) options.fuel = a.fuel;

  // The Config host service is always available (spec §3.4.2), over the same values.
  services::MapConfigService config_service(options.config);
  services::HostServices host;
  host.config = &config_service;
  options.host_functions = services::BindHostServices(host, {});
  options.explain_missing_import = services::MissingImportExplainer({});

  auto runtime = CreateCallRuntime(a);
  if (!runtime) return kExitHostError;
  auto plugin = runtime->LoadFile(a.plugin, options);
  if (!plugin.ok()) {
    std::cerr << "pier call: " << plugin.status().message() << "\n";
    return kExitHostError;
  }
  return Report((*plugin)->Call(a.export_name, in->input));
}

}  // namespace pier::cli
