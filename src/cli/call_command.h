// `pier call PLUGIN EXPORT`: load one .wasm file, call one export, print its output.
//
//   pier call echo.wasm echo --input '{"a":1}' --config k=v --allow-host '*.example.com'
//
// Exit codes: 0 output, 1 plugin error, 2 trap, 3 usage or host error.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

namespace pier::cli {

struct CallArgs {
  std::string plugin;
  std::string export_name;
  std::string input;
  std::string input_file;
  std::vector<std::string> config;       // k=v
  std::vector<std::string> allow_hosts;
  int64_t timeout_ms = 30000;
  uint64_t memory_mib = 256;
  uint64_t fuel = 0;
  std::string log_level = "info";
  std::string mode = "fresh";
  bool no_cache = false;
};

// Declares the subcommand and its options on `app`; `args` must outlive parsing.
CLI::App* AddCallCommand(CLI::App& app, CallArgs& args);
int RunCall(const CallArgs& args);

}  // namespace pier::cli
