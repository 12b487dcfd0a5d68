// AdminServer: the JSON administration API of `pier serve`, on loopback only.
//
//   GET  /api/health                 {"status":"ok"}
//   GET  /api/plugins                [{id, enabled, loaded, lastError, capabilities, path, sha256}]
//   GET  /api/plugins/{id}           one plugin, with its manifest
//   POST /api/plugins/{id}/enable    {"ok":true} or {"ok":false,"error":"..."} (409)
//   POST /api/plugins/{id}/disable
//   POST /api/plugins/rescan
//
// Task queues of a plugin (see admin/queue_admin.h for the operations and
// shapes; a plugin that is not loaded is administered on its database):
//   GET  /api/plugins/{id}/queues                          every queue with its counts
//   GET  /api/plugins/{id}/queues/{queue}                  one queue
//   GET  /api/plugins/{id}/queues/{queue}/tasks?status=&limit=&offset=
//   POST /api/plugins/{id}/queues/{queue}/tasks            enqueue: body = JSON array of TaskSpec
//   POST /api/plugins/{id}/queues/{queue}/pause|resume
//   POST /api/plugins/{id}/queues/{queue}/retry|purge[?status=]   JSON lines: {"progress":N}..., result
//   GET  /api/plugins/{id}/tasks/{task}
//   POST /api/plugins/{id}/tasks/{task}/cancel|retry
//
//   AdminServer admin(*host);
//   PIER_RETURN_IF_ERROR(admin.Start("127.0.0.1", 0));   // 0: any free port
//   admin.port();
//
// Thread-safe; requests are served on the server's own threads.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "manager/plugin_host.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace pier {

class AdminServer {
 public:
  explicit AdminServer(PluginHost& host);  // `host` outlives the server
  ~AdminServer();

  // Refuses addresses other than loopback (127.0.0.0/8, ::1, localhost).
  Status Start(const std::string& address, int port);
  void Stop();
  int port() const { return port_; }

 private:
  void Routes();
  void Queues(const httplib::Request& req, httplib::Response& res, const struct QueueRequest& request);

  PluginHost& host_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace pier
