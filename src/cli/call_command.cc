#include "cli/call_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "pier/extism_manifest.h"
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

constexpr int64_t kMaxLoop = 1'000'000;

bool Refuse(const std::string& why) {
  std::cerr << "pier call: " << why << "\n";
  return false;
}

// --set-config: a JSON object whose values are strings (what config_get returns).
bool ParseSetConfig(const std::string& text, std::vector<std::pair<std::string, std::string>>* out) {
  if (text.empty()) return true;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Refuse("--set-config expects a JSON object, e.g. '{\"key\":\"value\"}'");
  for (auto& [key, value] : j.items()) {
    if (!value.is_string()) return Refuse("--set-config: the value of '" + key + "' is not a string");
    out->emplace_back(key, value.get<std::string>());
  }
  return true;
}

// --allow-path [ro:]HOST[:GUEST]: a directory the plugin sees at GUEST (HOST's
// own absolute path when omitted), checked as a manifest's allowed_paths are.
bool ParseAllowPath(const std::string& spec, DirectoryMount* out) {
  const size_t colon = spec.find(':', spec.rfind("ro:", 0) == 0 ? 3 : 0);  // past a "ro:" prefix
  auto mount = MakeAllowedPath(std::string_view(spec).substr(0, colon),
                               colon == std::string::npos ? "" : std::string_view(spec).substr(colon + 1));
  if (!mount.ok()) return Refuse("--allow-path " + spec + ": " + mount.status().message());
  *out = std::move(*mount);
  return true;
}

// PLUGIN is an Extism manifest: -m, or a .json file.
bool IsManifest(const CallArgs& a) { return a.manifest || std::filesystem::path(a.plugin).extension() == ".json"; }

// A module file's bytes; standard input is not a module.
bool ReadModule(const std::string& path, std::string* out) { return path != "-" && ReadAll(path, out); }

// What PLUGIN and --link name: an Extism manifest, or one .wasm as its main
// module, with each --link NAME=FILE added as (or replacing) module NAME.
std::optional<ExtismManifest> ModulesOf(const CallArgs& a) {
  ExtismManifest manifest;
  if (IsManifest(a)) {
    auto m = ReadExtismManifest(a.plugin, ExtismManifestOptions{.allow_urls = a.allow_urls});
    if (!m.ok()) {
      Refuse(m.status().message());
      return std::nullopt;
    }
    manifest = std::move(*m);
  } else {
    ExtismModule main{"main", "", a.plugin};
    if (!ReadModule(a.plugin, &main.bytes)) {
      Refuse("cannot read plugin file " + a.plugin);
      return std::nullopt;
    }
    manifest.modules.push_back(std::move(main));
  }
  for (const std::string& spec : a.links) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      Refuse("--link expects NAME=FILE, got '" + spec + "'");
      return std::nullopt;
    }
    ExtismModule m{spec.substr(0, eq), "", spec.substr(eq + 1)};
    if (m.name == manifest.modules[manifest.main_index()].name) {
      Refuse("--link " + spec + ": '" + m.name + "' is the module being called");
      return std::nullopt;
    }
    if (!ReadModule(m.source, &m.bytes)) {
      Refuse("--link " + spec + ": cannot read " + m.source);
      return std::nullopt;
    }
    auto same = std::find_if(manifest.modules.begin(), manifest.modules.end(),
                             [&](const ExtismModule& x) { return x.name == m.name; });
    if (same != manifest.modules.end()) {
      *same = std::move(m);
    } else {
      manifest.modules.insert(manifest.modules.begin(), std::move(m));  // the main module stays last
    }
  }
  return manifest;
}

}  // namespace

std::optional<CallInputs> PrepareCall(const CallArgs& a) {
  CallInputs in;
  auto level = ParseLogLevel(a.log_level);
  // --loop calls one instance again and again (vars and globals persist), so
  // it implies pooled instances unless --mode says otherwise.
  auto mode = ParseInstanceMode(!a.mode.empty() ? a.mode : a.loop > 1 ? "pooled" : "fresh");
  for (const Status* st : {&level.status(), &mode.status()}) {
    if (!st->ok()) {
      std::cerr << "pier call: " << st->message() << "\n";
      return std::nullopt;
    }
  }
  in.log_level = *level;
  in.mode = *mode;
  internal::SetHostLogLevel(*level);
  if (a.loop < 1 || a.loop > kMaxLoop) {
    Refuse("--loop expects a number of calls from 1 to " + std::to_string(kMaxLoop) + ", got " +
           std::to_string(a.loop));
    return std::nullopt;
  }
  in.loop = a.loop;
  if (!ParseSetConfig(a.set_config, &in.config)) return std::nullopt;
  for (const std::string& spec : a.allow_paths) {
    DirectoryMount mount;
    if (!ParseAllowPath(spec, &mount)) return std::nullopt;
    in.mounts.push_back(std::move(mount));
  }
  const int64_t max_pages = static_cast<int64_t>(PluginOptions::kMaxWasmPages);
  if (a.memory_max_pages != -1 && (a.memory_max_pages < 1 || a.memory_max_pages > max_pages)) {
    Refuse("--memory-max expects 1 to " + std::to_string(max_pages) + " pages of 64 KiB, got " +
           std::to_string(a.memory_max_pages));
    return std::nullopt;
  }
  for (const auto& [flag, value] : {std::pair{"--var-max", a.var_max}, {"--http-response-max", a.http_response_max}}) {
    if (value < -1) {
      Refuse(std::string(flag) + " expects a number of bytes, got " + std::to_string(value));
      return std::nullopt;
    }
  }
  for (const std::string& kv : a.config) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "pier call: --config expects key=value, got '" << kv << "'\n";
      return std::nullopt;
    }
    in.config.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  in.input = a.input;
  const std::string input_file = a.stdin_input ? "-" : a.input_file;
  if (!input_file.empty() && !ReadAll(input_file, &in.input)) {
    std::cerr << "pier call: cannot read input file " << a.input_file << "\n";
    return std::nullopt;
  }
  return in;
}

std::unique_ptr<Runtime> CreateCallRuntime(const CallArgs& a) {
  RuntimeOptions runtime_options;
  if (!a.no_cache) runtime_options.cache_dir = DefaultCacheDir();
  runtime_options.perf_map = a.perf_map;
  // A debugging tool: backtraces name source lines when the module has
  // DWARF (the compiled module is cached, so only the first run pays).
  runtime_options.backtrace_details = true;
  runtime_options.coredump_dir = a.coredump_dir;
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
  auto* input = call->add_option("-i,--input", a.input, "Input text passed to the export");
  auto* file = call->add_option("--input-file", a.input_file, "Read the input from a file ('-' for standard input)")
                   ->excludes(input);
  call->add_flag("--stdin", a.stdin_input, "Read the input from standard input")->excludes(input)->excludes(file);
  call->add_option("--config", a.config, "Config value visible to config_get, as key=value (repeatable)");
  call->add_option("--allow-host", a.allow_hosts, "Host name glob the plugin may reach over HTTP (repeatable)");
  call->add_option("--timeout", a.timeout_ms, "Call timeout in milliseconds (0 = none)")
      ->capture_default_str()
      ->each([&a](const std::string&) { a.timeout_given = true; });
  call->add_option("--memory", a.memory_mib, "Memory cap in MiB: linear memory and kernel memory together")
      ->capture_default_str()
      ->each([&a](const std::string&) { a.memory_given = true; });
  call->add_flag("-m,--manifest", a.manifest, "PLUGIN is an Extism manifest (JSON; also assumed for a .json file)");
  call->add_option("--link", a.links, "Module the plugin's imports of NAME link to, as NAME=FILE (repeatable)");
  call->add_flag("--perf-map", a.perf_map, "Write /tmp/perf-<pid>.map naming the plugin's functions for perf");
  call->add_option("--coredump", a.coredump_dir, "On a trap, write a Wasm core dump into DIR (made if missing)");
  call->add_flag("--allow-urls", a.allow_urls, "Fetch a manifest's url modules (off: no network is assumed)");
  call->add_option("--fuel", a.fuel, "Fuel per call (0 = no metering)");
  call->add_option("--log-level", a.log_level, "Plugin log level: trace, debug, info, warn, error, off")
      ->capture_default_str();
  call->add_option("--mode", a.mode, "Instance mode: fresh or pooled (default: fresh; pooled with --loop)");
  call->add_flag("--no-cache", a.no_cache, "Do not use the compiled-module cache");
  call->add_option("--loop", a.loop, "Call the export N times on the same instance (vars and globals persist)")
      ->capture_default_str();
  call->add_option("--set-config", a.set_config, "Config as a JSON object of strings (--config entries win)");
  call->add_option("--allow-path", a.allow_paths,
                   "Directory the plugin may use, [ro:]HOST[:GUEST] (ro: read-only; repeatable)");
  call->add_option("--memory-max", a.memory_max_pages, "Memory cap in 64 KiB pages (over --memory)");
  call->add_option("--var-max", a.var_max, "Cap on the plugin's Extism vars, in bytes");
  call->add_option("--http-response-max", a.http_response_max, "Cap on an HTTP response body, in bytes");
  call->add_flag("--enable-http-response-headers", a.http_response_headers,
                 "Accepted for extism call users: http_headers always answers");
  call->add_flag("--wasi", a.wasi, "Accepted for extism call users: WASI is always available");
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
  if (!result.trap().backtrace.empty()) {
    std::cerr << "wasm backtrace:\n";
    for (size_t i = 0; i < result.trap().backtrace.size(); ++i) {
      std::cerr << "  #" << i << " " << result.trap().backtrace[i] << "\n";
    }
  }
  if (!result.trap().coredump.empty()) std::cerr << "core dump written to " << result.trap().coredump << "\n";
  return kExitTrap;
}

int CallAndReport(Plugin& plugin, const std::string& export_name, const CallInputs& in) {
  int rc = kExitOk;
  for (int64_t i = 0; i < in.loop && rc == kExitOk; ++i) {
    auto result = plugin.Call(export_name, in.input);
    // Several outputs are kept apart: a newline after each (as extism call does).
    if (in.loop > 1 && result.ok() && result->is_output()) {
      std::cout << result->output() << "\n";
      continue;
    }
    rc = Report(result);
  }
  std::cout.flush();
  return rc;
}

int RunCall(const CallArgs& a) {
  if (!IsManifest(a) && LooksLikePackage(a.plugin)) {
    if (!a.links.empty()) {
      std::cerr << "pier call: --link is for .wasm files and Extism manifests, not packages\n";
      return kExitHostError;
    }
    return RunCallPackage(a);
  }
  auto in = PrepareCall(a);
  if (!in) return kExitHostError;
  auto manifest = ModulesOf(a);
  if (!manifest) return kExitHostError;

  // Pier's defaults, then what the manifest says, then the flags given.
  PluginOptions options;
  options.log_level = in->log_level;
  options.instance_mode = in->mode;
  options.timeout = std::chrono::milliseconds(a.timeout_ms);
  options.max_memory_bytes = a.memory_mib * PluginOptions::kMiB;
  manifest->ApplyTo(options);
  for (auto& [key, value] : in->config) options.config[key] = value;
  options.allowed_hosts.insert(options.allowed_hosts.end(), a.allow_hosts.begin(), a.allow_hosts.end());
  if (a.timeout_given) options.timeout = std::chrono::milliseconds(a.timeout_ms);
  if (a.memory_given) options.max_memory_bytes = a.memory_mib * PluginOptions::kMiB;
  if (a.memory_max_pages > 0) options.max_memory_bytes = static_cast<uint64_t>(a.memory_max_pages) * PluginOptions::kWasmPage;
  if (a.var_max >= 0) options.max_var_bytes = static_cast<uint64_t>(a.var_max);
  if (a.http_response_max >= 0) options.max_http_response_bytes = static_cast<uint64_t>(a.http_response_max);
  if (in->loop > 1 && in->mode == InstanceMode::kPooled) options.max_idle_instances = 1;
  options.mounts.insert(options.mounts.end(), in->mounts.begin(), in->mounts.end());
  if (a.fuel > 0) options.fuel = a.fuel;

  // The Config host service is always available (spec §3.4.2), over the same values.
  services::MapConfigService config_service(options.config);
  services::HostServices host;
  host.config = &config_service;
  options.host_functions = services::BindHostServices(host, {});
  options.explain_missing_import = services::MissingImportExplainer({});

  auto runtime = CreateCallRuntime(a);
  if (!runtime) return kExitHostError;
  auto plugin = runtime->LoadExtism(*manifest, options);
  if (!plugin.ok()) {
    std::cerr << "pier call: " << plugin.status().message() << "\n";
    return kExitHostError;
  }
  return CallAndReport(**plugin, a.export_name, *in);
}

}  // namespace pier::cli
