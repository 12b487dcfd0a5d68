// HttpServer: a small HTTP/1.1 server for Pier's own listeners (the admin
// API), built to stay available under hostile clients.
//
// One I/O thread runs every connection asynchronously (Boost.Beast); handlers
// run on a small pool of handler threads, so a slow handler never stalls the
// I/O and a slow client never holds a handler thread while it sends.
// Bounded everywhere:
//  - a connection waits at most `idle_timeout` for the first byte of a
//    request, then must deliver the whole request (headers and body) within
//    `request_timeout` — one header line every 2 s does not keep it open;
//  - at most `max_connections` connections: a new one closes the oldest idle
//    connection (never one with a request in progress), or gets 503;
//  - headers above `max_header_bytes` get 431, bodies above `max_body_bytes`
//    get 413 before they are read; a request with no Content-Length has no
//    body and is answered at once;
//  - at most `max_queued` requests wait for a handler thread; beyond: 503.
//
//   HttpServer server({.max_connections = 128});
//   server.router().Add("GET", "/api/health", [](const HttpRequest&, HttpResponse& r) { r.body = "{}"; });
//   PIER_RETURN_IF_ERROR(server.Listen("127.0.0.1", 0));
//   server.port();
//   server.Stop();   // also in the destructor
//
// Thread-safe: Add routes before Listen; Stop from any thread but a handler.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "http/router.h"
#include "pier/status.h"

namespace pier::http {

struct ServerOptions {
  size_t max_connections = 128;
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 64 << 20;
  int handler_threads = 4;
  size_t max_queued = 256;
};

namespace internal {
class ServerCore;
}

class HttpServer {
 public:
  explicit HttpServer(ServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Router& router() { return router_; }

  // Binds `host` (numeric) and `port` (0: any free one) and starts serving.
  Status Listen(const std::string& host, int port);
  int port() const { return port_; }
  // Closes the listener and every connection, waits for running handlers.
  void Stop();

 private:
  const ServerOptions options_;
  Router router_;
  std::unique_ptr<internal::ServerCore> core_;
  int port_ = 0;
};

}  // namespace pier::http
