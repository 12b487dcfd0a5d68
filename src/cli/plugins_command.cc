#include "cli/plugins_command.h"

#include <signal.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/config_args.h"
#include "cli/music_setup.h"
#include "cli/inspect_command.h"
#include "cli/server_files.h"
#include "common/logging.h"
#include "config/pier_config.h"
#include "manager/plugin_host.h"

namespace pier::cli {

namespace {

// Tells a running server on this data folder to apply registry changes.
void NotifyServer(const std::filesystem::path& data) {
  auto server = FindRunningServer(data);
  if (server && kill(server->pid, SIGHUP) == 0) std::cout << "told the running pier serve (pid " << server->pid << ")\n";
}

}  // namespace

CLI::App* AddPluginsCommand(CLI::App& app, PluginsArgs& a) {
  CLI::App* cmd = app.add_subcommand("plugins", "Manage the plugin registry of a data folder");
  cmd->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--config", a.config, "Pier configuration file (TOML)");
    sub->add_option("--plugins", a.plugins, "Plugins folder");
    sub->add_option("--data", a.data, "Data folder");
  };
  auto* list = cmd->add_subcommand("list", "List known plugins, enabled or not, with their last error");
  list->add_flag("--json", a.json, "Print JSON");
  common(list);
  for (const char* name : {"inspect", "enable", "disable"}) {
    auto* sub = cmd->add_subcommand(name, std::string(name) == "inspect" ? "Inspect a plugin's package"
                                          : std::string(name) == "enable" ? "Enable a plugin (loads it to check)"
                                                                          : "Disable a plugin");
    sub->add_option("id", a.id, "Plugin ID")->required();
    common(sub);
  }
  auto* config = cmd->add_subcommand("config", "Set a plugin's configuration and user/library access");
  config->add_option("id", a.id, "Plugin ID")->required();
  config->add_option("--set", a.set_config, "Configuration as a JSON object (validated against the manifest)");
  config->add_option("--users", a.users, "User IDs the plugin may act for");
  config->add_flag("--all-users", a.all_users, "The plugin may act for every user");
  config->add_option("--libraries", a.libraries, "Library IDs the plugin may see");
  config->add_flag("--all-libraries", a.all_libraries, "The plugin may see every library");
  config->add_flag("--allow-write-access", a.allow_write_access, "Library folders are mounted writable");
  config->add_flag("--read-only", a.read_only, "Library folders are mounted read-only (the default)");
  common(config);
  cmd->final_callback([cmd, &a] {
    for (CLI::App* sub : cmd->get_subcommands()) a.action = sub->get_name();
  });
  return cmd;
}

int RunPlugins(const PluginsArgs& a) {
  auto resolved = ResolveConfig(a.config, a.plugins, a.data);
  if (!resolved.ok()) {
    std::cerr << "pier plugins: " << resolved.status().message() << "\n";
    return 3;
  }
  const PierConfig& config = *resolved;
  internal::SetHostLogLevel(LogLevel::kWarn);

  auto runtime = Runtime::Create({.cache_dir = config.cache_folder});
  if (!runtime.ok()) return 3;
  ManagerOptions manager;
  auto catalog = OpenCatalog(config, /*sync=*/!a.config.empty());
  if (!catalog.ok()) {
    std::cerr << "pier plugins: catalog: " << catalog.status().message() << "\n";
    return 3;
  }
  auto music = MakeMusicHost(*catalog, config.data_folder, [] { return std::string(); });
  if (!music.ok()) {
    std::cerr << "pier plugins: " << music.status().message() << "\n";
    return 3;
  }
  manager.music = music->host;
  manager.run_init = false;  // loads here only check the plugin; `pier serve` initialises it
  HostConfig host_config{config.plugins_folder, config.data_folder, manager, /*load_enabled=*/false};
  auto host = PluginHost::Start(**runtime, host_config);
  if (!host.ok()) {
    std::cerr << "pier plugins: " << host.status().message() << "\n";
    return 3;
  }
  auto states = (*host)->States();
  if (!states.ok()) return 3;
  const PluginState* state = nullptr;
  for (const PluginState& s : *states) {
    if (s.entry.id == a.id) state = &s;
  }
  if (a.action != "list" && state == nullptr) {
    std::cerr << "pier plugins: no plugin '" << a.id << "' in " << config.plugins_folder.string() << "\n";
    return 1;
  }

  Status st;
  if (a.action == "list") {
    if (a.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const PluginState& s : *states) {
        out.push_back({{"id", s.entry.id}, {"enabled", s.entry.enabled}, {"path", s.entry.path},
                       {"lastError", s.entry.last_error}, {"sha256", s.entry.sha256}});
      }
      std::cout << out.dump(2) << "\n";
    } else if (states->empty()) {
      std::cout << "no plugins in " << config.plugins_folder.string() << "\n";
    } else {
      for (const PluginState& s : *states) {
        std::cout << (s.entry.enabled ? "enabled   " : "disabled  ") << s.entry.id;
        if (!s.entry.last_error.empty()) std::cout << "  (error: " << s.entry.last_error << ")";
        std::cout << "\n";
      }
    }
    return 0;
  } else if (a.action == "inspect") {
    return RunInspect({state->entry.path, a.json});
  } else if (a.action == "enable") {
    st = (*host)->Enable(a.id);
  } else if (a.action == "disable") {
    st = (*host)->Disable(a.id);
  } else if (a.action == "config") {
    PluginSettings settings = state->entry.settings;
    if (!a.set_config.empty()) settings.config_json = a.set_config;
    if (!a.users.empty()) settings.users = a.users;
    if (a.all_users) settings.all_users = true;
    if (!a.libraries.empty()) settings.libraries = a.libraries;
    if (a.all_libraries) settings.all_libraries = true;
    if (a.allow_write_access) settings.allow_write_access = true;
    if (a.read_only) settings.allow_write_access = false;
    st = (*host)->Configure(a.id, settings);
  }
  (*host)->Shutdown();
  if (!st.ok()) {
    std::cerr << "pier plugins " << a.action << " " << a.id << ": " << st.message() << "\n";
    return 1;
  }
  std::cout << (a.action == "config" ? "configured" : a.action + "d") << " " << a.id << "\n";
  NotifyServer(config.data_folder);
  return 0;
}

}  // namespace pier::cli
