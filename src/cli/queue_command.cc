#include "cli/queue_command.h"

#include "pier/url.h"

#include <httplib.h>
#include <signal.h>

#include <cctype>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "admin/queue_admin.h"
#include "cli/config_args.h"
#include "cli/plugins_command.h"
#include "cli/server_files.h"
#include "common/logging.h"
#include "common/plugin_id.h"
#include "manager/plugin_registry.h"

namespace pier::cli {

namespace {

using Json = wire::Json;

// A live `pier serve` on this data folder with its admin API, if any.
std::optional<RunningServer> ServerWithAdmin(const std::filesystem::path& data) {
  auto server = FindRunningServer(data);
  if (!server || server->admin_url.empty()) return std::nullopt;
  return server;
}

// NotFound unless the data folder's registry knows `plugin`.
Status KnownPlugin(const std::filesystem::path& data, const std::string& plugin) {
  PIER_RETURN_IF_ERROR(ValidatePluginId(plugin));
  const auto file = data / "registry.db";
  if (!std::filesystem::exists(file)) return NotFoundError("no plugin '" + plugin + "' (no registry in " + data.string() + ")");
  PIER_ASSIGN_OR_RETURN(auto registry, PluginRegistry::Open(file));
  PIER_ASSIGN_OR_RETURN(auto entry, registry->Get(plugin));
  if (!entry) return NotFoundError("no plugin '" + plugin + "' in " + data.string());
  return OkStatus();
}

// A path segment with everything but unreserved characters %-encoded ("a/b" -> "a%2Fb").
std::string Segment(const std::string& s) { return PercentEncode(s); }

std::string PathOf(QueueRequest r, const std::string& plugin, bool* post) {
  const std::string base = "/api/plugins/" + Segment(plugin);
  r.queue = Segment(r.queue);
  r.task = Segment(r.task);
  r.status = Segment(r.status);
  *post = r.op != "list" && r.op != "stats" && r.op != "tasks" && r.op != "show";
  if (r.op == "list") return base + "/queues";
  if (r.op == "stats") return base + "/queues/" + r.queue;
  if (r.op == "tasks") {
    return base + "/queues/" + r.queue + "/tasks?limit=" + std::to_string(r.limit) +
           "&offset=" + std::to_string(r.offset) + (r.status.empty() ? "" : "&status=" + r.status);
  }
  if (r.op == "show") return base + "/tasks/" + r.task;
  if (!r.task.empty()) return base + "/tasks/" + r.task + "/" + r.op;
  return base + "/queues/" + r.queue + "/" + r.op + (r.status.empty() ? "" : "?status=" + r.status);
}

void ShowProgress(const std::string& op, int64_t done) {
  std::cerr << "\r" << (op == "purge" ? "purged " : "retried ") << done << " task(s)..." << std::flush;
}

// Runs the request against the server: 0 ok (result in *out), 1 refused, 3 unreachable.
int ViaServer(const RunningServer& server, const std::string& plugin, const QueueRequest& r, Json* out,
              std::string* error) {
  const std::string& url = server.admin_url;
  httplib::Client client(url);
  client.set_bearer_token_auth(server.token);
  client.set_read_timeout(3600, 0);
  bool post = false;
  const std::string path = PathOf(r, plugin, &post);
  httplib::Result res = post ? client.Post(path, r.body, "application/json") : client.Get(path);
  if (!res) {
    *error = "the server at " + url + " did not answer (" + httplib::to_string(res.error()) + ")";
    return 3;
  }
  // Long operations answer JSON lines: progress first, the result last.
  std::string last;
  std::istringstream lines(res->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("progress") && j.size() == 1) {
      ShowProgress(r.op, j["progress"].get<int64_t>());
      continue;
    }
    last = line;
  }
  if (IsLongQueueOp(r)) std::cerr << (res->body.find("progress") != std::string::npos ? "\n" : "");
  *out = Json::parse(last.empty() ? res->body : last, nullptr, false);
  if (out->is_discarded()) {
    *error = "unreadable answer from the server";
    return 3;
  }
  if (res->status != 200 || (out->is_object() && out->contains("ok") && !(*out)["ok"].get<bool>())) {
    *error = out->value("error", "refused (HTTP " + std::to_string(res->status) + ")");
    return 1;
  }
  return 0;
}

std::string Time(int64_t ms) {
  if (ms <= 0) return "-";
  const time_t t = ms / 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  std::ostringstream o;
  o << std::put_time(&tm, "%Y-%m-%d %H:%M:%S");
  return o.str();
}

std::string Cut(std::string s, size_t n) {
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return s.size() > n ? s.substr(0, n - 3) + "..." : s;
}

void PrintHuman(const QueueRequest& r, const Json& out) {
  if (r.op == "list") {
    std::cout << std::left << std::setw(24) << "QUEUE" << std::setw(8) << "STATE" << std::right << std::setw(6)
              << "CONC" << std::setw(10) << "PENDING" << std::setw(10) << "RUNNING" << std::setw(11) << "COMPLETED"
              << std::setw(9) << "FAILED" << std::setw(11) << "CANCELLED" << "\n";
    for (const Json& q : out) {
      const std::string state = q.value("paused", false) ? "paused" : q.value("active", false) ? "active" : "stored";
      std::cout << std::left << std::setw(24) << Cut(q.value("name", ""), 23) << std::setw(8) << state << std::right
                << std::setw(6) << q.value("concurrency", 0) << std::setw(10) << q.value("pending", 0)
                << std::setw(10) << q.value("running", 0) << std::setw(11) << q.value("completed", 0)
                << std::setw(9) << q.value("failed", 0) << std::setw(11) << q.value("cancelled", 0) << "\n";
    }
    if (out.empty()) std::cout << "(no queues)\n";
  } else if (r.op == "stats") {
    for (const char* k : {"name", "active", "paused", "concurrency", "maxRetries", "backoffMs", "delayMs",
                          "retentionMs", "pending", "running", "completed", "failed", "cancelled"}) {
      std::cout << std::left << std::setw(13) << k << " " << (out.contains(k) ? out[k].dump() : "0") << "\n";
    }
  } else if (r.op == "tasks") {
    std::cout << std::left << std::setw(24) << "TASK" << std::setw(11) << "STATUS" << std::setw(8) << "ATTEMPT"
              << std::setw(21) << "UPDATED" << "MESSAGE / LAST ERROR\n";
    for (const Json& t : out) {
      std::string note = t.value("message", "");
      if (note.empty()) note = t.value("lastError", "");
      std::cout << std::left << std::setw(24) << t.value("id", "") << std::setw(11) << t.value("status", "")
                << std::setw(8) << t.value("attempt", 0) << std::setw(21) << Time(t.value("updatedAt", int64_t{0}))
                << Cut(note, 60) << "\n";
    }
    if (out.empty()) std::cout << "(no tasks)\n";
  } else if (r.op == "show") {
    for (auto& [k, v] : out.items()) {
      if (k == "payload") continue;
      const bool time = k == "createdAt" || k == "updatedAt" || k == "nextRunAt";
      std::cout << std::left << std::setw(11) << k << " "
                << (time ? Time(v.get<int64_t>()) : v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
    }
    std::cout << std::left << std::setw(11) << "payload" << " (" << out.value("payload", "").size()
              << " base64 characters; --json shows it)\n";
  } else if (out.contains("purged")) {
    std::cout << "purged " << out["purged"] << " task(s)\n";
  } else if (out.contains("retried")) {
    std::cout << "retried " << out["retried"] << " task(s)\n";
  } else {
    std::cout << "ok\n";
  }
}

}  // namespace

CLI::App* AddQueueCommand(CLI::App& app, QueueArgs& a) {
  CLI::App* cmd = app.add_subcommand("queue", "Administer a plugin's task queues (live through pier serve, else "
                                              "on the data folder)");
  cmd->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("plugin", a.plugin, "Plugin ID")->required();
    sub->add_option("--config", a.config, "Pier configuration file (TOML)");
    sub->add_option("--plugins", a.plugins, "Plugins folder");
    sub->add_option("--data", a.data, "Data folder");
    sub->add_flag("--json", a.json, "Print JSON");
    sub->add_flag("--offline", a.offline, "Work on the data folder even if a server runs");
  };
  common(cmd->add_subcommand("list", "Every queue of the plugin with its task counts"));
  auto* stats = cmd->add_subcommand("stats", "One queue's settings and task counts");
  common(stats);
  stats->add_option("queue", a.target, "Queue name")->required();
  auto* tasks = cmd->add_subcommand("tasks", "A queue's tasks, newest first");
  common(tasks);
  tasks->add_option("queue", a.target, "Queue name")->required();
  tasks->add_option("--status", a.status, "Only tasks in this state (pending, running, completed, failed, cancelled)");
  tasks->add_option("--limit", a.limit, "At most this many (1-1000)")->check(CLI::Range(1, 1000));
  tasks->add_option("--offset", a.offset, "Skip this many")->check(CLI::NonNegativeNumber);
  for (const char* name : {"show", "cancel", "delete", "run"}) {
    const std::string n = name;
    auto* sub = cmd->add_subcommand(name, n == "show"     ? "Everything stored about one task"
                                          : n == "cancel" ? "Cancel a pending task, or interrupt a running one"
                                          : n == "delete" ? "Remove a task that is not running, with its payload"
                                                          : "Make a pending task that waits for its time due now");
    common(sub);
    sub->add_option("task", a.target, "Task ID")->required();
  }
  auto* retry = cmd->add_subcommand("retry", "Retry a failed or cancelled task, or every failed task of --queue");
  common(retry);
  retry->add_option("task", a.target, "Task ID");
  retry->add_option("--queue", a.queue, "Retry every failed task of this queue");
  for (const char* name : {"pause", "resume"}) {
    auto* sub = cmd->add_subcommand(name, std::string(name) == "pause" ? "Start no new task of the queue"
                                                                        : "Start tasks of the queue again");
    common(sub);
    sub->add_option("queue", a.target, "Queue name")->required();
  }
  auto* purge = cmd->add_subcommand("purge", "Delete a queue's finished tasks now");
  common(purge);
  purge->add_option("queue", a.target, "Queue name")->required();
  purge->add_option("--status", a.status, "Only this final state (completed, failed, cancelled)");
  cmd->final_callback([cmd, &a] {
    for (CLI::App* sub : cmd->get_subcommands()) a.action = sub->get_name();
  });
  return cmd;
}

int RunQueue(const QueueArgs& a) {
  auto resolved = ResolveConfig(a.config, a.plugins, a.data);
  if (!resolved.ok()) {
    std::cerr << "pier queue: " << resolved.status().message() << "\n";
    return 3;
  }
  internal::SetHostLogLevel(LogLevel::kWarn);
  QueueRequest r{.op = a.action, .status = a.status, .limit = a.limit, .offset = a.offset};
  const bool by_task = a.action == "show" || a.action == "cancel" || a.action == "delete" || a.action == "run" ||
                       (a.action == "retry" && a.queue.empty());
  (by_task ? r.task : r.queue) = a.action == "retry" && !a.queue.empty() ? a.queue : a.target;
  if (a.action == "retry" && a.queue.empty() && a.target.empty()) {
    std::cerr << "pier queue retry: give a task ID or --queue\n";
    return 3;
  }

  Json out;
  std::string error;
  int rc = 0;
  const auto server = a.offline ? std::nullopt : ServerWithAdmin(resolved->data_folder);
  if (server) {
    rc = ViaServer(*server, a.plugin, r, &out, &error);
  } else {
    if (Status known = KnownPlugin(resolved->data_folder, a.plugin); !known.ok()) {
      std::cerr << "pier queue " << a.action << ": " << known.message() << "\n";
      return 1;
    }
    auto storage = OpenStorage(*resolved, /*listen=*/false);
    if (!storage.ok()) {
      std::cerr << "pier queue: storage: " << storage.status().message() << "\n";
      return 3;
    }
    auto tasks = OpenQueuesOffline(resolved->data_folder, a.plugin, *storage);
    if (!tasks.ok()) {
      std::cerr << "pier queue: " << tasks.status().message() << "\n";
      return tasks.status().code() == StatusCode::kNotFound ? 1 : 3;
    }
    bool progressed = false;
    auto result = RunQueueOp(**tasks, r, [&](int64_t done) {
      progressed = true;
      ShowProgress(r.op, done);
    });
    if (progressed) std::cerr << "\n";
    if (result.ok()) {
      out = std::move(*result);
    } else {
      error = result.status().message();
      rc = result.status().code() == StatusCode::kInvalidArgument ? 3 : 1;
    }
  }
  if (rc != 0) {
    std::cerr << "pier queue " << a.action << ": " << error << "\n";
    return rc;
  }
  if (a.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    PrintHuman(r, out);
  }
  return 0;
}

}  // namespace pier::cli
