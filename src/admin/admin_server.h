// AdminServer: the JSON administration API of `pier serve`, on loopback only.
//
//   GET  /api/health                 {"status":"ok"}
//   GET  /api/overview               every plugin with its queues and next schedule (admin/overview.h)
//   GET  /api/events                 server-sent events: "overview" with that document when it changes
//                                    (at most EventHub::kMaxStreams open; 503 beyond, admin/event_hub.h)
//   GET  /api/plugins/{id}/scope     users and libraries it may act for, and those the server knows (admin/plugin_scope.h)
//   POST /api/plugins/{id}/scope     {"allUsers", "users", "allLibraries", "libraries", "allowWriteAccess"}: 400 by field
//   GET  /api/plugins/{id}/config    {schema, uiSchema, config, secretsSet}: secrets are never sent back
//   POST /api/plugins/{id}/config    {"config": {...}}: validated (400 with {errors: [{field, message}]}),
//        secrets left out or empty keep their stored value; stored, and the plugin reloaded when enabled
//   GET  /api/running                every call in progress: [{plugin, id, export, label, elapsedMs}]
//   POST /api/plugins/{id}/calls/{n}/interrupt
//   GET  /api/schedules              every schedule: next five firings, last outcome, runs
//   POST /api/plugins/{id}/schedules/{sid}/run|cancel
//   GET  /api/audit?limit=           the changes made through this listener, newest first
//   GET  /api/logs?plugin=&level=&after=&limit=   plugin log lines after seq `after`, oldest first
//   GET  /api/plugins                [{id, enabled, loaded, lastError, capabilities, path, sha256}]
//   GET  /api/plugins/{id}           one plugin, with its manifest
//   POST /api/plugins/{id}/enable    {"ok":true} or {"ok":false,"error":"..."} (409)
//   POST /api/plugins/{id}/disable
//   POST /api/plugins/rescan
//   POST /api/plugins/{id}/call/{export}   body = the input; answers the output, with
//        X-Pier-Outcome: output | plugin-error (X-Pier-Code) | trap (X-Pier-Trap); 404 when not loaded
//
// Task queues of a plugin (see admin/queue_admin.h for the operations and
// shapes; a plugin that is not loaded is administered on its database):
//   GET  /api/plugins/{id}/queues                          every queue with its counts
//   GET  /api/plugins/{id}/queues/{queue}                  one queue
//   GET  /api/plugins/{id}/queues/{queue}/tasks?status=&limit=&offset=
//   POST /api/plugins/{id}/queues/{queue}/tasks            enqueue: body = JSON array of TaskSpec
//   POST /api/plugins/{id}/queues/{queue}/pause|resume
//   POST /api/plugins/{id}/queues/{queue}/retry|purge[?status=]   JSON lines: {"progress":N}..., result
//   GET  /api/plugins/{id}/queues/{queue}/settings   {queue, budget, override}: the administrator's settings
//   POST /api/plugins/{id}/queues/{queue}/settings   {concurrency, maxRetries, backoffMs, delayMs, retentionMs}
//        (each a number, or null for the plugin's own; stored with the plugin, applied by a reload; 400 by field)
//   GET  /api/plugins/{id}/queues/{queue}/search?q=&limit=&cursor=   {tasks, next, scanned}
//        (next: the cursor of the following page, null on the last; a keyset, so any page is cheap)
//   GET  /api/plugins/{id}/queues/{queue}/search/count?q=            {count}
//   POST /api/plugins/{id}/queues/{queue}/bulk  {"action":"retry"|"cancel"|"delete","q":"...","expect":N}
//        409 when N no longer match; else JSON lines {"progress":n,"of":N}..., {"ok":true,"retried":n}
//        (admin/task_search.h: qualifiers status:, id:, priority:, attempt>, error:, payload:)
//   GET  /api/plugins/{id}/tasks/{task}
//   POST /api/plugins/{id}/tasks/{task}/cancel|retry|delete|run   (delete: not while it runs; run: a pending
//        task waiting for its time is due now)
//
// Metrics (once ServeMetrics was called):
//   GET  /metrics                    the registry in the Prometheus text format;
//        every answer of this listener is counted in
//        pier_admin_requests_total{method,route,code} (route: the pattern, not the path)
//
// Sessions (for browsers; see admin/admin_access.h):
//   POST   /api/session   {"token": "..."} -> {"ok":true,"role":"admin"|"read-only"}, sets the cookie
//   GET    /api/session   {"role": ...} of the caller
//   DELETE /api/session   ends the caller's session
//
// Who may ask (admin/admin_access.h): a loopback Host header; for mutating
// requests, this origin and a JSON body; for /api/ and /metrics, the token
// (`Authorization: Bearer`, which Prometheus sends with `authorization:
// {credentials: ...}`) or a session; the read-only token and read-only
// servers only read. /share/img/ answers anyone with the URL: its path is a
// signed token and it may sit behind a reverse proxy with a public name.
// Every answer carries a strict Content-Security-Policy, nosniff and
// no-referrer.
//
// Every route with {id} validates the plugin ID first (400). Long
// operations are checked (unknown queue 404, bad status 400) before anything
// is streamed. The HTTP layer (http/http_server.h) bounds connections,
// request time and body size, so slow or idle clients cannot make the API
// unanswered.
//
//   AdminServer admin(*host);
//   PIER_RETURN_IF_ERROR(admin.Start("127.0.0.1", 0));   // 0: any free port
//   admin.port();
//
// Thread-safe; requests are served on the server's own threads.
#pragma once

#include <memory>
#include <string>

#include "admin/admin_access.h"
#include "admin/audit_log.h"
#include "admin/log_ring.h"
#include "admin/event_hub.h"
#include "admin/overview.h"
#include "admin/plugin_scope.h"
#include "admin/queue_history.h"
#include "http/http_server.h"
#include "manager/plugin_host.h"
#include "pier/metrics.h"

namespace pier {

struct QueueRequest;

class AdminServer {
 public:
  // `host` outlives the server.
  explicit AdminServer(PluginHost& host, http::ServerOptions options = {});
  ~AdminServer();

  // Requests to /api/ must carry this bearer token (call before Start).
  void RequireToken(std::string token) { access_settings_.token = std::move(token); }
  // Tokens and the read-only switch (call before Start).
  void SetAccess(AccessSettings settings) { access_settings_ = std::move(settings); }
  // Serves `metrics` at /metrics and counts every request in it (call before Start).
  void ServeMetrics(std::shared_ptr<Metrics> metrics);
  // Keeps each queue's last hour and day (admin/queue_history.h) from the metrics given to
  // ServeMetrics, served at /api/plugins/{id}/queues/{queue}/chart?window=hour|day (call after ServeMetrics).
  void ServeCharts();
  // Serves the plugins' log lines from `logs` (which outlives the server) at /api/logs (call before Start).
  void ServeLogs(LogRing* logs);
  // Keeps the audit log in `file` too, reading back what earlier runs wrote (admin/audit_log.h).
  Status KeepAudit(const std::filesystem::path& file) { return audit_.Persist(file); }
  // The users and libraries a plugin's scope can name (the music host's), read on each request (call before Start).
  void ServeDirectory(std::function<Result<Directory>()> directory) { directory_ = std::move(directory); }
  // Serves the dashboard (dashboard/dashboard_routes.h): compiled in, or from `dir` (call before Start).
  void ServeDashboard(std::filesystem::path dir = {});
  // Numeric loopback addresses only (127.0.0.0/8, ::1).
  Status Start(const std::string& address, int port);
  void Stop();
  int port() const { return server_.port(); }
  // For more routes on the same listener (e.g. /share/img); add them before Start.
  http::Router& router() { return server_.router(); }

 private:
  void Routes();
  void Queues(const http::HttpRequest& req, http::HttpResponse& res, QueueRequest request);
  // After every answer: the audit log (changes) and pier_admin_requests_total.
  void Observe(const http::HttpRequest& req, std::string_view route, const http::HttpResponse& res);
  std::vector<std::shared_ptr<LoadedPlugin>> Loaded();
  Result<PluginState> StateOf(const std::string& id);
  Result<std::pair<PluginState, Manifest>> PluginWithManifest(const std::string& id);
  Result<std::shared_ptr<taskqueue::TaskQueueService>> QueuesOf(const std::string& plugin);
  void Search(const http::HttpRequest& req, http::HttpResponse& res);
  void Bulk(const http::HttpRequest& req, http::HttpResponse& res);
  void QueueSettingsRoute(const http::HttpRequest& req, http::HttpResponse& res);

  PluginHost& host_;
  http::HttpServer server_;
  AccessSettings access_settings_;      // set before Start
  std::unique_ptr<AdminAccess> access_;  // made by Start
  std::shared_ptr<Metrics> metrics_;  // set before Start
  std::unique_ptr<Overview> overview_;  // made by Start
  std::unique_ptr<EventHub> events_;    // made by Start; stopped before server_
  LogRing* logs_ = nullptr;             // set before Start
  std::unique_ptr<QueueHistory> history_;  // made by ServeCharts
  AuditLog audit_;
  std::function<Result<Directory>()> directory_;  // set before Start; none: nothing to choose from
};

}  // namespace pier
