// LoopbackHttpServer: a small real HTTP/1.1 server on 127.0.0.1 (an ephemeral
// port) for tests of the kernel's `http_request`. One thread accepts; each
// connection is served on its own thread and closed after one response.
//
//   LoopbackHttpServer server;
//   std::string url = server.Url("/hello");  // "http://127.0.0.1:PORT/hello"
//
// Routes: /hello -> 200 "hello"; /status/N -> N; /bytes/N -> N bytes of 'x';
// /slow/MS -> waits MS then 200 "slow"; /echo -> {"method", "body", "x-pier-test"}.
// Thread-safe; stops (and joins every thread) in the destructor.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pier::testing {

class LoopbackHttpServer {
 public:
  LoopbackHttpServer();
  ~LoopbackHttpServer();

  int port() const { return port_; }
  std::string Url(const std::string& path) const;
  int requests() const { return requests_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;  // guarded by mu_
};

}  // namespace pier::testing
