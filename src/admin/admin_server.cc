#include "admin/admin_server.h"
#include "pier/json.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "admin/queue_admin.h"

namespace pier {

namespace {

using Json = nlohmann::json;

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

void Reply(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void ReplyStatus(httplib::Response& res, const Status& st) {
  if (st.ok()) return Reply(res, 200, {{"ok", true}});
  const int code = st.code() == StatusCode::kNotFound          ? 404
                   : st.code() == StatusCode::kInvalidArgument ? 400
                                                               : 409;
  Reply(res, code, {{"ok", false}, {"error", st.message()}});
}

bool IsLoopback(const std::string& address) {
  return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

}  // namespace

AdminServer::AdminServer(PluginHost& host) : host_(host), server_(std::make_unique<httplib::Server>()) { Routes(); }

AdminServer::~AdminServer() { Stop(); }

void AdminServer::Routes() {
  server_->Get("/api/health", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, {{"status", "ok"}});
  });
  server_->Get("/api/plugins", [this](const httplib::Request&, httplib::Response& res) {
    auto states = host_.States();
    if (!states.ok()) return Reply(res, 500, {{"error", states.status().message()}});
    Json out = Json::array();
    for (const PluginState& s : *states) out.push_back(Describe(s, false));
    Reply(res, 200, out);
  });
  server_->Get(R"(/api/plugins/([A-Za-z0-9._-]+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto states = host_.States();
    if (!states.ok()) return Reply(res, 500, {{"error", states.status().message()}});
    for (const PluginState& s : *states) {
      if (s.entry.id == req.matches[1]) return Reply(res, 200, Describe(s, true));
    }
    Reply(res, 404, {{"error", "no plugin " + std::string(req.matches[1])}});
  });
  server_->Post(R"(/api/plugins/([A-Za-z0-9._-]+)/(enable|disable))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  const std::string id = req.matches[1];
                  ReplyStatus(res, req.matches[2] == "enable" ? host_.Enable(id) : host_.Disable(id));
                });
  server_->Post("/api/plugins/rescan", [this](const httplib::Request&, httplib::Response& res) {
    ReplyStatus(res, host_.Rescan());
  });

  // Task queues: /api/plugins/{id}/queues[/{queue}[/tasks|/{action}]] and /api/plugins/{id}/tasks/{task}[/{action}].
  const std::string id = R"(/api/plugins/([A-Za-z0-9._-]+))";
  server_->Get(id + "/queues", [this](const httplib::Request& req, httplib::Response& res) {
    Queues(req, res, {.op = "list"});
  });
  server_->Get(id + R"(/queues/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    Queues(req, res, {.op = "stats", .queue = req.matches[2]});
  });
  server_->Get(id + R"(/queues/([^/]+)/tasks)", [this](const httplib::Request& req, httplib::Response& res) {
    QueueRequest r{.op = "tasks", .queue = req.matches[2], .status = req.get_param_value("status")};
    if (req.has_param("limit")) r.limit = std::atoi(req.get_param_value("limit").c_str());
    if (req.has_param("offset")) r.offset = std::atoi(req.get_param_value("offset").c_str());
    Queues(req, res, r);
  });
  server_->Post(id + R"(/queues/([^/]+)/tasks)", [this](const httplib::Request& req, httplib::Response& res) {
    Queues(req, res, {.op = "enqueue", .queue = req.matches[2], .body = req.body});
  });
  server_->Post(id + R"(/queues/([^/]+)/(pause|resume|retry|purge))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  Queues(req, res, {.op = req.matches[3], .queue = req.matches[2],
                                    .status = req.get_param_value("status")});
                });
  server_->Get(id + R"(/tasks/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    Queues(req, res, {.op = "show", .task = req.matches[2]});
  });
  server_->Post(id + R"(/tasks/([^/]+)/(cancel|retry))", [this](const httplib::Request& req, httplib::Response& res) {
    Queues(req, res, {.op = req.matches[3], .task = req.matches[2]});
  });
}

void AdminServer::Queues(const httplib::Request& req, httplib::Response& res, const QueueRequest& request) {
  const std::string plugin = req.matches[1];
  // The running plugin's queues, or (not loaded) its database opened for administration.
  std::shared_ptr<LoadedPlugin> loaded = host_.Get(plugin);
  std::shared_ptr<taskqueue::TaskQueueService> tasks;
  if (loaded && loaded->tasks) {
    tasks = std::shared_ptr<taskqueue::TaskQueueService>(loaded, loaded->tasks.get());
  } else {
    auto offline = OpenQueuesOffline(host_.config().data_dir, plugin);
    if (!offline.ok()) return ReplyStatus(res, offline.status());
    tasks = std::move(*offline);
  }
  if (!IsLongQueueOp(request)) {
    auto out = RunQueueOp(*tasks, request);
    if (!out.ok()) return ReplyStatus(res, out.status());
    res.status = 200;
    return res.set_content(out->dump(), "application/json");
  }
  // Long operations stream their progress as JSON lines, the result last.
  res.set_chunked_content_provider("application/x-ndjson", [tasks, request](size_t, httplib::DataSink& sink) {
    auto out = RunQueueOp(*tasks, request, [&](int64_t done) {
      const std::string line = wire::Json{{"progress", done}}.dump() + "\n";
      sink.write(line.data(), line.size());
    });
    const std::string last =
        (out.ok() ? *out : wire::Json{{"ok", false}, {"error", out.status().message()}}).dump() + "\n";
    sink.write(last.data(), last.size());
    sink.done();
    return true;
  });
}

Status AdminServer::Start(const std::string& address, int port) {
  if (!IsLoopback(address)) {
    return InvalidArgumentError("the admin API listens on loopback only; '" + address + "' is not a loopback address");
  }
  port_ = port == 0 ? server_->bind_to_any_port(address) : (server_->bind_to_port(address, port) ? port : -1);
  if (port_ <= 0) return UnavailableError("cannot listen on " + address + ":" + std::to_string(port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return OkStatus();
}

void AdminServer::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace pier
