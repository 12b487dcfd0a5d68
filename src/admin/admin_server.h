// AdminServer: the JSON administration API of `pier serve`, on loopback only.
//
//   GET  /api/health                 {"status":"ok"}
//   GET  /api/plugins                [{id, enabled, loaded, lastError, capabilities, path, sha256}]
//   GET  /api/plugins/{id}           one plugin, with its manifest
//   POST /api/plugins/{id}/enable    {"ok":true} or {"ok":false,"error":"..."} (409)
//   POST /api/plugins/{id}/disable
//   POST /api/plugins/rescan
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

  PluginHost& host_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace pier
