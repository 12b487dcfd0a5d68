// LoopbackWebServer: a real HTTP/1.1 and WebSocket server on 127.0.0.1 (an
// ephemeral port), plain or TLS with a test CA, for the tests of the
// kernel's `http_request` and the HTTP and WebSocket services. Each
// connection runs on its own thread and I/O context.
//
//   TestCa ca(dir);                          // CA + server certificate for 127.0.0.1 and localhost
//   LoopbackWebServer server(&ca);           // nullptr: plain
//   server.Url("/hello");                    // "https://127.0.0.1:PORT/hello"
//   server.WsUrl("/ws");                     // "wss://127.0.0.1:PORT/ws"
//
// HTTP routes: /hello -> 200 "hello" (X-Server: pier-test); /status/N;
// /bytes/N (N bytes of 'x'); /slow/MS; /echo -> JSON {method, body,
// headers (lower-cased names), x-pier-test}; /redirect?to=URL&code=N;
// /hops/N (N redirects, then 200 "arrived"); /headers (a repeated header,
// lower-case names); /plugins/NAME.wasm (a plugin this build made). Any other
// path: 404.
//
// WebSocket (any path, on upgrade): every message received is recorded; a
// text message "close <code> <reason>" makes the server close with that
// code, "drop" drops the TCP connection, "burst <n>" sends n messages "m0"...,
// "big <n>" sends one text of n bytes, "binary" sends bytes 0..255. Tests can
// also Send() to a connection.
//
// Thread-safe; stops (and joins every thread) in the destructor.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pier::testing {

// A throw-away certificate authority and a server certificate it signed
// (SAN IP:127.0.0.1, DNS:localhost), made with the openssl command.
class TestCa {
 public:
  explicit TestCa(const std::filesystem::path& dir);
  std::filesystem::path ca_pem() const { return dir_ / "ca.pem"; }
  std::filesystem::path server_pem() const { return dir_ / "server.pem"; }
  std::filesystem::path server_key() const { return dir_ / "server.key"; }

 private:
  std::filesystem::path dir_;
};

struct WsMessage {
  bool binary = false;
  std::string data;
};

class LoopbackWebServer {
 public:
  explicit LoopbackWebServer(const TestCa* tls = nullptr);
  ~LoopbackWebServer();

  int port() const { return port_; }
  std::string Url(const std::string& path) const;
  std::string WsUrl(const std::string& path) const;
  int requests() const { return requests_.load(); }

  // WebSocket connections accepted so far (0-based, in order).
  size_t connections() const;
  // The upgrade request's headers of connection `i` (lower-cased names).
  std::vector<std::pair<std::string, std::string>> HandshakeHeaders(size_t i) const;
  std::vector<WsMessage> Received(size_t i) const;
  bool Open(size_t i) const;
  // The close code the client sent on connection `i` (0 = none yet).
  int ClientCloseCode(size_t i) const;
  void Send(size_t i, const std::string& text, bool binary = false);
  void Close(size_t i, int code, const std::string& reason);

  struct Session;

 private:
  void AcceptLoop();
  std::shared_ptr<Session> At(size_t i) const;

  const TestCa* tls_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;                 // guarded by mu_
  std::vector<std::shared_ptr<Session>> sessions_;   // guarded by mu_
};

}  // namespace pier::testing
