// `pier plugins list|inspect|enable|disable|config`: the plugin registry of a
// data folder. Changes are recorded in the registry; a `pier serve` running on
// the same data folder is told to apply them (its data-folder lock + SIGHUP).
//
//   pier plugins list --data data
//   pier plugins enable hello --data data --plugins plugins
//   pier plugins config hello --set '{"greeting":"Hi"}' --all-users
//
// Exit codes: 0 done, 1 refused (e.g. a gate or a load error, printed), 3 usage.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pier::cli {

struct PluginsArgs {
  std::string config;
  std::string plugins;
  std::string data;
  std::string id;
  bool json = false;
  std::string set_config;
  std::vector<std::string> users;
  bool all_users = false;
  std::vector<int32_t> libraries;
  bool all_libraries = false;
  bool allow_write_access = false;
  bool read_only = false;
  std::string action;  // list | inspect | enable | disable | config
};

CLI::App* AddPluginsCommand(CLI::App& app, PluginsArgs& args);
int RunPlugins(const PluginsArgs& args);

}  // namespace pier::cli
