// `pier queue list|stats|tasks|show|cancel|retry|pause|resume|purge`: a
// plugin's task queues. Works through the admin API of a `pier serve`
// running on the data folder (so running tasks can be interrupted and the
// numbers are live), or directly on the plugin's taskqueue.db when no server
// runs.
//
//   pier queue list worker --data data
//   pier queue stats worker jobs --json
//   pier queue tasks worker jobs --status failed --limit 20
//   pier queue retry worker --queue jobs          # every failed task, with progress
//   pier queue purge worker jobs --status completed
//
// Exit codes: 0 done, 1 refused (unknown queue or task, wrong state), 3 usage
// or unreachable data.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pier::cli {

struct QueueArgs {
  std::string config;
  std::string plugins;
  std::string data;
  std::string action;
  std::string plugin;
  std::string target;  // queue or task, by action
  std::string queue;   // retry --queue
  std::string status;
  int limit = 100;
  int offset = 0;
  bool json = false;
  bool offline = false;  // do not use a running server
};

CLI::App* AddQueueCommand(CLI::App& app, QueueArgs& args);
int RunQueue(const QueueArgs& args);

}  // namespace pier::cli
