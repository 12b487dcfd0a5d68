// `pier inspect PACKAGE`: shows a package's manifest, capabilities, imports
// and permission problems without loading it into a registry or running it.
//
//   pier inspect plugins/my-plugin.ndp [--json]
//
// Exit codes: 0 no problems, 1 problems found, 3 unreadable package or usage.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pier::cli {

struct InspectArgs {
  std::string package;
  bool json = false;
};

CLI::App* AddInspectCommand(CLI::App& app, InspectArgs& args);
int RunInspect(const InspectArgs& args);

}  // namespace pier::cli
