// `pier serve`: runs a folder of plugins as a service until SIGINT/SIGTERM.
//
//   pier serve [--config pier.toml] [--plugins DIR] [--data DIR] [--run-for SECONDS]
//
// Loads every enabled plugin, logs each load and why one failed, and (with
// auto_reload) reloads packages replaced on disk. On a signal it stops
// watching, unloads every plugin and exits 0.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pier::cli {

struct ServeArgs {
  std::string config;
  std::string plugins;
  std::string data;
  std::string log_level;
  std::string admin;  // host:port, overrides admin_listen
  bool admin_given = false;
  bool start_over = false;
  bool no_watch = false;
  double run_for_seconds = 0;  // 0: until a signal
  std::string dashboard_dir;   // serve the dashboard from here instead of the compiled-in files
};

CLI::App* AddServeCommand(CLI::App& app, ServeArgs& args);
int RunServe(const ServeArgs& args);

}  // namespace pier::cli
