#include "admin/admin_server.h"

#include <nlohmann/json.hpp>

#include <cctype>

#include "admin/config_admin.h"
#include "admin/queue_admin.h"
#include "admin/task_search.h"
#include "schema/json_schema.h"
#include "manager/plugin_services.h"
#include "services/scheduler/scheduler_service.h"
#include "dashboard/dashboard_routes.h"
#include "common/listen_address.h"
#include "common/plugin_id.h"
#include "pier/json.h"

namespace pier {

namespace {

using Json = nlohmann::json;
using http::HttpRequest;
using http::HttpResponse;

// How many tasks a streamed change acts on, for the audit log.
constexpr const char* kCountHeader = "X-Pier-Count";

Json Describe(const PluginState& s, bool with_manifest) {
  Json j = {{"id", s.entry.id},
            {"enabled", s.entry.enabled},
            {"loaded", s.loaded},
            {"lastError", s.entry.last_error},
            {"capabilities", s.capabilities},
            {"path", s.entry.path},
            {"sha256", s.entry.sha256}};
  if (with_manifest) {
    auto m = ParseJson(s.entry.manifest_json);
    j["manifest"] = m.ok() ? *m : Json(nullptr);
  }
  return j;
}

template <typename J>
void Reply(HttpResponse& res, int status, const J& body) {
  res.status = status;
  res.body = body.dump(-1, ' ', false, J::error_handler_t::replace);
}

int HttpStatusFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kNotFound: return 404;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange: return 400;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss: return 500;
    default: return 409;
  }
}

// 400 with every problem by field, for a form to show under each.
void ReplyFieldErrors(HttpResponse& res, const std::vector<schema::SchemaError>& problems) {
  Json errors = Json::array();
  for (const auto& p : problems) errors.push_back({{"field", p.field}, {"message", p.message}});
  Reply(res, 400, Json{{"ok", false}, {"error", schema::JoinErrors(problems)}, {"errors", std::move(errors)}});
}

void ReplyStatus(HttpResponse& res, const Status& st) {
  if (st.ok()) return Reply(res, 200, Json{{"ok", true}});
  Reply(res, HttpStatusFor(st), Json{{"ok", false}, {"error", st.message()}});
}

int IntParam(const HttpRequest& req, const std::string& name, int fallback, int min, int max) {
  const std::string v = req.Query(name);
  if (v.empty()) return fallback;
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (end == v.c_str() || *end != '\0') return fallback;
  return static_cast<int>(std::clamp<long>(n, min, max));
}

}  // namespace

AdminServer::AdminServer(PluginHost& host, http::ServerOptions options) : host_(host), server_(std::move(options)) {
  Routes();
}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::Routes() {
  http::Router& r = server_.router();
  // A plugin ID in the path is checked before anything looks it up.
  r.SetFilter([this](const HttpRequest& req, HttpResponse& res) {
    if (access_->Refuse(req, res)) return true;
    static const std::string kPrefix = "/api/plugins/";
    if (req.path.rfind(kPrefix, 0) != 0) return false;
    const std::string rest = req.path.substr(kPrefix.size());
    const std::string id = http::PercentDecode(rest.substr(0, rest.find('/')));
    if (id == "rescan") return false;
    if (Status st = ValidatePluginId(id); !st.ok()) {
      ReplyStatus(res, st);
      return true;
    }
    return false;
  });
  r.EnableETags();
  r.SetObserver([this](const HttpRequest& req, std::string_view route, const HttpResponse& res) { Observe(req, route, res); });
  r.SetDefaultHeaders({{"Content-Security-Policy",
                        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
                        "frame-ancestors 'none'"},
                       {"X-Content-Type-Options", "nosniff"},
                       {"Referrer-Policy", "no-referrer"},
                       {"Cache-Control", "no-store"}});
  r.Add("GET", "/api/health", [](const HttpRequest&, HttpResponse& res) { Reply(res, 200, Json{{"status", "ok"}}); });
  r.Add("POST", "/api/session", [this](const HttpRequest& req, HttpResponse& res) {
    auto body = ParseJson(req.body);
    const Json* token = body.ok() && body->is_object() && body->contains("token") ? &(*body)["token"] : nullptr;
    AdminRole role = AdminRole::kNone;
    auto session = token != nullptr && token->is_string() ? access_->Login(token->get<std::string>(), &role) : std::nullopt;
    if (!session) return Reply(res, 401, Json{{"ok", false}, {"error", "wrong admin token"}});
    res.headers.emplace_back("Set-Cookie", std::string(AdminAccess::kCookie) + "=" + *session +
                                               "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200");
    Reply(res, 200, Json{{"ok", true}, {"role", AdminRoleName(role)}, {"readOnly", access_->read_only()}});
  });
  r.Add("GET", "/api/session", [this](const HttpRequest& req, HttpResponse& res) {
    Reply(res, 200, Json{{"role", AdminRoleName(access_->RoleOf(req))}, {"readOnly", access_->read_only()}});
  });
  r.Add("DELETE", "/api/session", [this](const HttpRequest& req, HttpResponse& res) {
    access_->Logout(req);
    res.headers.emplace_back("Set-Cookie", std::string(AdminAccess::kCookie) +
                                               "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Reply(res, 200, Json{{"ok", true}});
  });
  r.Add("GET", "/api/overview", [this](const HttpRequest&, HttpResponse& res) {
    res.body = overview_->Get();
  });
  // Server-sent events: the overview document whenever it changes (admin/event_hub.h).
  r.Add("GET", "/api/events", [this](const HttpRequest&, HttpResponse& res) {
    if (events_->streams() >= EventHub::kMaxStreams) {
      return Reply(res, 503, Json{{"ok", false},
                                  {"error", "too many event streams open (" + std::to_string(EventHub::kMaxStreams) +
                                                "); poll /api/overview instead"}});
    }
    res.content_type = "text/event-stream";
    res.push = [hub = events_.get()](std::shared_ptr<http::PushChannel> channel) {
      if (hub->Add(channel)) return;
      channel->Send("event: full\ndata: {}\n\n");  // filled meanwhile: the page polls instead
      channel->Close();
    };
  });
  r.Add("GET", "/api/plugins", [this](const HttpRequest&, HttpResponse& res) {
    auto states = host_.States();
    if (!states.ok()) return ReplyStatus(res, states.status());
    Json out = Json::array();
    for (const PluginState& s : *states) out.push_back(Describe(s, false));
    Reply(res, 200, out);
  });
  const std::string id = R"(/api/plugins/([^/]+))";
  r.Add("GET", id, [this](const HttpRequest& req, HttpResponse& res) {
    auto states = host_.States();
    if (!states.ok()) return ReplyStatus(res, states.status());
    for (const PluginState& s : *states) {
      if (s.entry.id == req.params[0]) return Reply(res, 200, Describe(s, true));
    }
    ReplyStatus(res, NotFoundError("no plugin " + req.params[0]));
  });
  r.Add("POST", id + "/(enable|disable)", [this](const HttpRequest& req, HttpResponse& res) {
    ReplyStatus(res, req.params[1] == "enable" ? host_.Enable(req.params[0]) : host_.Disable(req.params[0]));
  });
  r.Add("POST", "/api/plugins/rescan", [this](const HttpRequest&, HttpResponse& res) {
    ReplyStatus(res, host_.Rescan());
  });

  // Calls an export of the loaded plugin, as `pier call PACKAGE` does against a running server.
  r.Add("POST", id + "/call/([^/]+)", [this](const HttpRequest& req, HttpResponse& res) {
    auto loaded = host_.Get(req.params[0]);
    if (!loaded) return ReplyStatus(res, NotFoundError("plugin " + req.params[0] + " is not loaded by this server"));
    if (!loaded->plugin->HasExport(req.params[1])) {
      return ReplyStatus(res, NotFoundError("function not found: " + req.params[1]));
    }
    auto result = loaded->plugin->Call(req.params[1], req.body);
    if (!result.ok()) return ReplyStatus(res, result.status());
    res.content_type = "application/octet-stream";
    if (result->is_output()) {
      res.headers.emplace_back("X-Pier-Outcome", "output");
      res.body = result->output();
    } else if (result->is_plugin_error()) {
      res.headers.emplace_back("X-Pier-Outcome", "plugin-error");
      res.headers.emplace_back("X-Pier-Code", std::to_string(result->plugin_error().code));
      res.body = result->plugin_error().message;
    } else {
      res.headers.emplace_back("X-Pier-Outcome", "trap");
      res.headers.emplace_back("X-Pier-Trap", std::string(TrapKindName(result->trap().kind)));
      res.body = result->trap().message;
    }
  });

  // The configuration form: schema, uiSchema and values (secrets left out), and saving it.
  r.Add("GET", id + "/config", [this](const HttpRequest& req, HttpResponse& res) {
    auto found = PluginWithManifest(req.params[0]);
    if (!found.ok()) return ReplyStatus(res, found.status());
    auto& [state, manifest] = *found;
    Reply(res, 200, ConfigView(manifest, state.entry.settings.config_json));
  });
  r.Add("POST", id + "/config", [this](const HttpRequest& req, HttpResponse& res) {
    auto found = PluginWithManifest(req.params[0]);
    if (!found.ok()) return ReplyStatus(res, found.status());
    auto& [state, manifest] = *found;
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object() || !body->contains("config")) {
      return ReplyStatus(res, InvalidArgumentError("send {\"config\": {...}}"));
    }
    auto merged = MergeSubmittedConfig(manifest, state.entry.settings.config_json, (*body)["config"]);
    if (!merged.ok()) return ReplyStatus(res, merged.status());
    // Every problem, by field, for the form to show under each.
    if (auto problems = ConfigProblems(manifest, *merged); !problems.empty()) return ReplyFieldErrors(res, problems);
    PluginSettings settings = state.entry.settings;
    settings.config_json = merged->dump();
    ReplyStatus(res, host_.Configure(req.params[0], settings));
  });

  // Which users and libraries the plugin may act for.
  r.Add("GET", id + "/scope", [this](const HttpRequest& req, HttpResponse& res) {
    auto found = PluginWithManifest(req.params[0]);
    if (!found.ok()) return ReplyStatus(res, found.status());
    auto& [state, manifest] = *found;
    auto directory = directory_ ? directory_() : Result<Directory>(Directory{});
    if (!directory.ok()) return ReplyStatus(res, directory.status());
    Reply(res, 200, ScopeView(manifest, state.entry.settings, *directory));
  });
  r.Add("POST", id + "/scope", [this](const HttpRequest& req, HttpResponse& res) {
    auto found = PluginWithManifest(req.params[0]);
    if (!found.ok()) return ReplyStatus(res, found.status());
    auto& [state, manifest] = *found;
    auto body = ParseJson(req.body);
    if (!body.ok()) return ReplyStatus(res, InvalidArgumentError("the body is not JSON: " + body.status().message()));
    auto directory = directory_ ? directory_() : Result<Directory>(Directory{});
    if (!directory.ok()) return ReplyStatus(res, directory.status());
    std::vector<schema::SchemaError> problems;
    PluginSettings next = ApplyScope(manifest, state.entry.settings, *body, *directory, &problems);
    if (!problems.empty()) return ReplyFieldErrors(res, problems);
    ReplyStatus(res, host_.Configure(req.params[0], next));
  });

  // Calls running now, and interrupting one.
  r.Add("GET", "/api/running", [this](const HttpRequest&, HttpResponse& res) {
    Json out = Json::array();
    for (const auto& p : Loaded()) {
      for (const CallInProgress& c : p->plugin->CallsInProgress()) {
        out.push_back({{"plugin", p->id}, {"id", c.id}, {"export", c.export_name}, {"label", c.label},
                       {"elapsedMs", c.elapsed.count()}});
      }
    }
    Reply(res, 200, out);
  });
  r.Add("POST", id + "/calls/([0-9]+)/interrupt", [this](const HttpRequest& req, HttpResponse& res) {
    auto loaded = host_.Get(req.params[0]);
    if (!loaded) return ReplyStatus(res, NotFoundError("plugin " + req.params[0] + " is not loaded"));
    const uint64_t call = std::strtoull(req.params[1].c_str(), nullptr, 10);
    if (!loaded->plugin->Interrupt(call)) return ReplyStatus(res, NotFoundError("call " + req.params[1] + " is not running"));
    ReplyStatus(res, OkStatus());
  });

  // Schedules of every loaded plugin, with their next firings as the scheduler computes them.
  r.Add("GET", "/api/schedules", [this](const HttpRequest&, HttpResponse& res) {
    Json out = Json::array();
    for (const auto& p : Loaded()) {
      auto* scheduler = p->services ? p->services->scheduler() : nullptr;
      if (scheduler == nullptr) continue;
      for (const scheduler::ScheduleInfo& s : scheduler->Schedules()) {
        out.push_back({{"plugin", p->id}, {"id", s.id}, {"recurring", s.recurring}, {"cron", s.cron},
                       {"zone", s.zone}, {"nextMs", s.next_ms}, {"upcoming", s.upcoming}, {"runs", s.runs},
                       {"lastMs", s.last_ms}, {"lastOk", s.last_ok}, {"lastError", s.last_error},
                       {"payload", s.payload}});
      }
    }
    Reply(res, 200, out);
  });
  r.Add("POST", id + "/schedules/([^/]+)/(run|cancel)", [this](const HttpRequest& req, HttpResponse& res) {
    auto loaded = host_.Get(req.params[0]);
    auto* scheduler = loaded && loaded->services ? loaded->services->scheduler() : nullptr;
    if (scheduler == nullptr) return ReplyStatus(res, NotFoundError("plugin " + req.params[0] + " has no running scheduler"));
    ReplyStatus(res, req.params[2] == "run" ? scheduler->RunNow(req.params[1]) : scheduler->Cancel(req.params[1]));
  });

  // What was changed, and the plugins' log lines.
  r.Add("GET", "/api/audit", [this](const HttpRequest& req, HttpResponse& res) {
    Json out = Json::array();
    for (const AuditEntry& e : audit_.Newest(IntParam(req, "limit", 200, 1, static_cast<int>(AuditLog::kMaxEntries)))) {
      Json j = {{"at", e.at_ms}, {"who", e.who}, {"method", e.method}, {"route", e.route}, {"path", e.path},
                {"query", e.query}, {"status", e.status}};
      j["count"] = e.count ? Json(*e.count) : Json(nullptr);
      out.push_back(std::move(j));
    }
    Reply(res, 200, out);
  });
  r.Add("GET", "/api/logs", [this](const HttpRequest& req, HttpResponse& res) {
    if (logs_ == nullptr) return Reply(res, 200, Json{{"lines", Json::array()}, {"lastSeq", 0}, {"dropped", 0}});
    auto level = ParseLogLevel(req.Query("level", "trace"));
    if (!level.ok()) return ReplyStatus(res, level.status());
    const uint64_t after = std::strtoull(req.Query("after", "0").c_str(), nullptr, 10);
    const LogRing::Page page = logs_->Since(after, req.Query("plugin"), *level, IntParam(req, "limit", 500, 1, 5000));
    Json lines = Json::array();
    for (const LogRing::Line& l : page.lines) {
      lines.push_back({{"seq", l.seq}, {"at", l.at_ms}, {"level", LogLevelName(l.level)}, {"plugin", l.plugin},
                       {"message", l.message}});
    }
    Reply(res, 200, Json{{"lines", std::move(lines)}, {"lastSeq", page.last_seq}, {"dropped", page.dropped}});
  });

  // Task queues: /api/plugins/{id}/queues[/{queue}[/tasks|/{action}]] and /api/plugins/{id}/tasks/{task}[/{action}].
  r.Add("GET", id + "/queues", [this](const HttpRequest& req, HttpResponse& res) {
    Queues(req, res, {.op = "list"});
  });
  r.Add("GET", id + "/queues/([^/]+)", [this](const HttpRequest& req, HttpResponse& res) {
    Queues(req, res, {.op = "stats", .queue = req.params[1]});
  });
  r.Add("GET", id + "/queues/([^/]+)/tasks", [this](const HttpRequest& req, HttpResponse& res) {
    Queues(req, res, {.op = "tasks", .queue = req.params[1], .status = req.Query("status"),
                      .limit = IntParam(req, "limit", 100, 1, 10000),
                      .offset = IntParam(req, "offset", 0, 0, INT32_MAX)});
  });
  r.Add("POST", id + "/queues/([^/]+)/tasks", [this](const HttpRequest& req, HttpResponse& res) {
    Queues(req, res, {.op = "enqueue", .queue = req.params[1], .body = req.body});
  });
  r.Add("POST", id + "/queues/([^/]+)/(pause|resume|retry|purge)", [this](const HttpRequest& req, HttpResponse& res) {
    Queues(req, res, {.op = req.params[2], .queue = req.params[1], .status = req.Query("status")});
  });
  // The administrator's settings of a queue over the plugin's (services/taskqueue/queue_overrides.h).
  r.Add("GET", id + "/queues/([^/]+)/settings", [this](const HttpRequest& req, HttpResponse& res) {
    QueueSettingsRoute(req, res);
  });
  r.Add("POST", id + "/queues/([^/]+)/settings", [this](const HttpRequest& req, HttpResponse& res) {
    QueueSettingsRoute(req, res);
  });
  r.Add("GET", id + "/queues/([^/]+)/search(?:/(count))?", [this](const HttpRequest& req, HttpResponse& res) {
    Search(req, res);
  });
  r.Add("POST", id + "/queues/([^/]+)/bulk", [this](const HttpRequest& req, HttpResponse& res) { Bulk(req, res); });
  r.Add("GET", id + "/tasks/([^/]+)", [this](const HttpRequest& req, HttpResponse& res) {
    Queues(req, res, {.op = "show", .task = req.params[1]});
  });
  r.Add("POST", id + "/tasks/([^/]+)/(cancel|retry|delete|run)", [this](const HttpRequest& req, HttpResponse& res) {
    Queues(req, res, {.op = req.params[2], .task = req.params[1]});
  });
}

void AdminServer::ServeDashboard(std::filesystem::path dir) { dashboard::AddDashboardRoutes(server_.router(), std::move(dir)); }

void AdminServer::ServeMetrics(std::shared_ptr<Metrics> metrics) {
  metrics_ = std::move(metrics);
  server_.router().Add("GET", "/metrics", [m = metrics_](const HttpRequest&, HttpResponse& res) {
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = m->PrometheusText();
  });
}

void AdminServer::ServeLogs(LogRing* logs) { logs_ = logs; }

void AdminServer::ServeCharts() {
  if (!metrics_) return;
  history_ = std::make_unique<QueueHistory>(metrics_);
  server_.router().Add("GET", R"(/api/plugins/([^/]+)/queues/([^/]+)/chart)", [this](const HttpRequest& req, HttpResponse& res) {
    const std::string w = req.Query("window", "hour");
    if (w != "hour" && w != "day") return ReplyStatus(res, InvalidArgumentError("window is hour or day"));
    Reply(res, 200, history_->Chart(req.params[0], req.params[1], w == "hour" ? QueueHistory::kHour : QueueHistory::kDay));
  });
}

Result<std::pair<PluginState, Manifest>> AdminServer::PluginWithManifest(const std::string& id) {
  PIER_ASSIGN_OR_RETURN(PluginState state, StateOf(id));
  PIER_ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(state.entry.manifest_json));
  return std::make_pair(std::move(state), std::move(manifest));
}

Result<PluginState> AdminServer::StateOf(const std::string& id) {
  PIER_ASSIGN_OR_RETURN(auto states, host_.States());
  for (PluginState& s : states) {
    if (s.entry.id == id) return std::move(s);
  }
  return NotFoundError("no plugin " + id);
}

std::vector<std::shared_ptr<LoadedPlugin>> AdminServer::Loaded() {
  std::vector<std::shared_ptr<LoadedPlugin>> out;
  auto states = host_.States();
  if (!states.ok()) return out;
  for (const PluginState& s : *states) {
    if (auto p = host_.Get(s.entry.id)) out.push_back(std::move(p));
  }
  return out;
}

void AdminServer::Observe(const HttpRequest& req, std::string_view route, const HttpResponse& res) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS") {
    AuditEntry e{.who = access_->WhoIs(req), .method = req.method, .route = std::string(route), .path = req.path,
                 .status = res.status};
    if (const size_t q = req.target.find('?'); q != std::string::npos) e.query = req.target.substr(q + 1);
    // How many tasks a change touched, when its answer says (a streamed one, in a header: the count confirmed).
    for (const auto& [name, value] : res.headers) {
      if (name == kCountHeader) e.count = std::strtoll(value.c_str(), nullptr, 10);
    }
    if (!res.stream && res.status == 200) {
      auto body = ParseJson(res.body);
      if (body.ok() && body->is_object()) {
        if (auto ids = body->find("ids"); ids != body->end() && ids->is_array()) e.count = ids->size();
        for (const char* key : {"count", "retried", "purged", "deleted", "cancelled"}) {
          if (auto n = body->find(key); n != body->end() && n->is_number_integer()) e.count = n->get<int64_t>();
        }
      }
    }
    audit_.Record(std::move(e));
  }
  if (!metrics_) return;
  // Bounded labels only: a method the API does not know is "other".
  static constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"};
  std::string_view method = "other";
  for (std::string_view known : kMethods) {
    if (req.method == known) method = known;
  }
  metrics_
      ->GetCounter("pier_admin_requests_total", "Requests to the admin listener, by method, route pattern and status.",
                   {{"method", std::string(method)},
                    {"route", route.empty() ? std::string("(none)") : std::string(route)},
                    {"code", std::to_string(res.status)}})
      .Add();
}

Result<std::shared_ptr<taskqueue::TaskQueueService>> AdminServer::QueuesOf(const std::string& plugin) {
  if (!host_.Get(plugin) && !host_.Known(plugin)) return NotFoundError("no plugin " + plugin);
  // The running plugin's queues, or (not loaded) its database opened for administration.
  std::shared_ptr<LoadedPlugin> loaded = host_.Get(plugin);
  if (loaded && loaded->tasks) return std::shared_ptr<taskqueue::TaskQueueService>(loaded, loaded->tasks);
  PIER_ASSIGN_OR_RETURN(auto offline, OpenQueuesOffline(host_.config().data_dir, plugin, host_.config().manager.storage));
  return std::shared_ptr<taskqueue::TaskQueueService>(std::move(offline));
}

void AdminServer::Search(const HttpRequest& req, HttpResponse& res) {
  auto tasks = QueuesOf(req.params[0]);
  if (!tasks.ok()) return ReplyStatus(res, tasks.status());
  auto q = TaskQuery::Parse(req.Query("q"));
  if (!q.ok()) return ReplyStatus(res, q.status());
  const std::string& queue = req.params[1];
  if (req.params.size() > 2 && req.params[2] == "count") {
    auto ids = MatchingTaskIds(**tasks, queue, *q);
    if (!ids.ok()) return ReplyStatus(res, ids.status());
    return Reply(res, 200, Json{{"count", ids->size()}});
  }
  std::optional<taskqueue::ListKey> after;
  if (const std::string cursor = req.Query("cursor"); !cursor.empty()) {
    after = ParseCursor(cursor);
    if (!after) return ReplyStatus(res, InvalidArgumentError("cursor is the \"next\" of a previous page"));
  }
  auto page = SearchTasks(**tasks, queue, *q, {.limit = IntParam(req, "limit", 50, 1, 1000), .after = after});
  if (!page.ok()) return ReplyStatus(res, page.status());
  Reply(res, 200, Json{{"tasks", wire::EncodeList(page->tasks, wire::EncodeTaskDetail)},
                       {"next", page->next ? Json(EncodeCursor(*page->next)) : Json(nullptr)},
                       {"scanned", page->scanned}});
}

void AdminServer::QueueSettingsRoute(const HttpRequest& req, HttpResponse& res) {
  auto found = PluginWithManifest(req.params[0]);
  if (!found.ok()) return ReplyStatus(res, found.status());
  auto& [state, manifest] = *found;
  if (!manifest.permissions.taskqueue) return ReplyStatus(res, NotFoundError("plugin " + req.params[0] + " has no task queues"));
  const int32_t budget = manifest.permissions.taskqueue->max_concurrency;
  const std::string& queue = req.params[1];
  PluginSettings settings = state.entry.settings;
  // What is stored now (a manifest with a smaller budget makes it invalid: start again from nothing).
  auto stored = taskqueue::ParseQueueOverrides(settings.queues_json, budget);
  taskqueue::QueueOverrides all = stored.ok() ? std::move(*stored) : taskqueue::QueueOverrides{};
  auto encode = [&](const taskqueue::QueueOverrides& o) {
    Json mine = Json::object();
    if (auto it = o.find(queue); it != o.end()) {
      mine = ParseJsonOrNull(taskqueue::EncodeQueueOverrides({{queue, it->second}}))[queue];
    }
    return Json{{"queue", queue}, {"budget", budget}, {"override", mine}};
  };
  if (req.method == "GET") return Reply(res, 200, encode(all));

  auto body = ParseJson(req.body);
  if (!body.ok() || !body->is_object()) {
    return ReplyStatus(res, InvalidArgumentError("send {\"concurrency\", \"maxRetries\", \"backoffMs\", \"delayMs\", "
                                                 "\"retentionMs\"}, each a number or null (the plugin's own)"));
  }
  // Each field on its own, so every problem is reported under its field.
  std::vector<schema::SchemaError> problems;
  for (const auto& [key, value] : body->items()) {
    auto one = taskqueue::ParseQueueOverrides(Json{{queue, {{key, value}}}}.dump(), budget);
    if (!one.ok()) {
      std::string message = one.status().message();
      if (const size_t colon = message.find("\": "); colon != std::string::npos) message = message.substr(colon + 3);
      problems.push_back({key, message});
    }
  }
  if (!problems.empty()) return ReplyFieldErrors(res, problems);
  auto mine = taskqueue::ParseQueueOverrides(Json{{queue, *body}}.dump(), budget);
  if (!mine.ok()) return ReplyStatus(res, mine.status());
  all.erase(queue);
  all.merge(*mine);
  settings.queues_json = taskqueue::EncodeQueueOverrides(all);
  // Stored, and applied by reloading the plugin (as a configuration change is).
  if (Status st = host_.Configure(req.params[0], settings); !st.ok()) return ReplyStatus(res, st);
  Reply(res, 200, encode(all));
}

void AdminServer::Bulk(const HttpRequest& req, HttpResponse& res) {
  auto tasks = QueuesOf(req.params[0]);
  if (!tasks.ok()) return ReplyStatus(res, tasks.status());
  auto body = ParseJson(req.body);
  if (!body.ok() || !body->is_object() || !body->contains("action") || !body->contains("expect") ||
      !(*body)["expect"].is_number_integer()) {
    return ReplyStatus(res, InvalidArgumentError(
                                "send {\"action\": \"retry\"|\"cancel\"|\"delete\", \"q\": \"...\", \"expect\": N}"));
  }
  const auto action = ParseBulkAction((*body)["action"].is_string() ? (*body)["action"].get<std::string>() : "");
  if (!action) return ReplyStatus(res, InvalidArgumentError("action is retry, cancel or delete"));
  auto q = TaskQuery::Parse(body->value("q", ""));
  if (!q.ok()) return ReplyStatus(res, q.status());
  const int64_t expect = (*body)["expect"].get<int64_t>();
  // Found once and checked before streaming: a count that changed is a 409, not a 200 with an
  // error inside; the tasks acted on are those counted.
  auto ids = MatchingTaskIds(**tasks, req.params[1], *q);
  if (!ids.ok()) return ReplyStatus(res, ids.status());
  if (static_cast<int64_t>(ids->size()) != expect) {
    return ReplyStatus(res, FailedPreconditionError(std::to_string(ids->size()) + " tasks match now, not the " +
                                                    std::to_string(expect) + " confirmed; nothing was changed"));
  }
  res.content_type = "application/x-ndjson";
  res.headers.emplace_back(kCountHeader, std::to_string(expect));
  res.stream = [t = *tasks, ids = std::move(*ids), expect, kind = *action](http::ChunkWriter& out) {
    const int64_t done = ApplyToTasks(*t, ids, kind,
                                      [&](int64_t n) { out.Write(Json{{"progress", n}, {"of", expect}}.dump() + "\n"); });
    static constexpr const char* kDone[] = {"retried", "cancelled", "deleted"};
    const Json last = {{"ok", true}, {kDone[static_cast<int>(kind)], done}, {"matched", expect}};
    out.Write(last.dump() + "\n");
  };
}

void AdminServer::Queues(const HttpRequest& req, HttpResponse& res, QueueRequest request) {
  auto found = QueuesOf(req.params[0]);
  // A plugin that never had a queue has none to list.
  if (!found.ok() && found.status().code() == StatusCode::kNotFound && request.op == "list" &&
      (host_.Get(req.params[0]) || host_.Known(req.params[0]))) {
    return Reply(res, 200, Json::array());
  }
  if (!found.ok()) return ReplyStatus(res, found.status());
  std::shared_ptr<taskqueue::TaskQueueService> tasks = std::move(*found);
  if (!IsLongQueueOp(request)) {
    auto out = RunQueueOp(*tasks, request);
    if (!out.ok()) return ReplyStatus(res, out.status());
    return Reply(res, 200, *out);
  }
  // Refused before anything is streamed: the answer is a 4xx, not a 200 with an error inside.
  if (Status st = CheckQueueOp(*tasks, request); !st.ok()) return ReplyStatus(res, st);
  // Long operations stream their progress as JSON lines, the result last.
  res.content_type = "application/x-ndjson";
  res.stream = [tasks, request](http::ChunkWriter& out) {
    auto result = RunQueueOp(*tasks, request, [&](int64_t done) { out.Write(Json{{"progress", done}}.dump() + "\n"); });
    const wire::Json last = result.ok() ? *result : wire::Json{{"ok", false}, {"error", result.status().message()}};
    out.Write(last.dump(-1, ' ', false, wire::Json::error_handler_t::replace) + "\n");
  };
}

Status AdminServer::Start(const std::string& address, int port) {
  if (!IsNumericLoopback(address)) {
    return InvalidArgumentError("the admin API listens on loopback only; '" + address +
                                "' is not a numeric loopback address (127.0.0.1, ::1)");
  }
  access_ = std::make_unique<AdminAccess>(access_settings_);
  if (history_) history_->Start();
  overview_ = std::make_unique<Overview>(host_, metrics_.get(), history_.get());
  events_ = std::make_unique<EventHub>([o = overview_.get()] { return o->Current(); }, metrics_.get());
  events_->Start();
  return server_.Listen(address, port);
}

void AdminServer::Stop() {
  if (events_) events_->Stop();  // its streams hold connections of server_
  server_.Stop();
  if (history_) history_->Stop();
}

}  // namespace pier
