#include "support/loopback_web_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <fstream>
#include <cstdlib>
#include <deque>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace pier::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ws = boost::beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

TestCa::TestCa(const std::filesystem::path& dir) : dir_(dir) {
  std::filesystem::create_directories(dir_);
  const std::string d = dir_.string();
  const std::string cmd =
      "cd '" + d + "' && "
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=Pier Test CA' "
      ">/dev/null 2>&1 && "
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' >/dev/null 2>&1 && "
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
      "-extfile ext.cnf >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make the test CA in " + d);
}

struct LoopbackWebServer::Session {
  net::io_context* io = nullptr;
  std::function<void(std::string, bool)> send;  // posted onto io
  std::function<void(int, std::string)> close;
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<WsMessage> received;
  bool open = true;
  int client_close_code = 0;
};

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string Query(const std::string& target, const std::string& key) {
  const size_t q = target.find('?');
  if (q == std::string::npos) return "";
  std::string rest = target.substr(q + 1);
  size_t pos = 0;
  while (pos <= rest.size()) {
    const size_t amp = std::min(rest.find('&', pos), rest.size());
    const std::string pair = rest.substr(pos, amp - pos);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string::npos ? "" : Decode(pair.substr(eq + 1));
    pos = amp + 1;
  }
  return "";
}

bhttp::response<bhttp::string_body> Route(const bhttp::request<bhttp::string_body>& req, const std::string& base) {
  bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
  res.set("X-Server", "pier-test");
  res.keep_alive(false);
  const std::string target(req.target());
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/hello") {
    res.body() = "hello";
  } else if (path.rfind("/status/", 0) == 0) {
    res.result(static_cast<unsigned>(std::stoi(path.substr(8))));
    res.body() = "status body";
  } else if (path.rfind("/bytes/", 0) == 0) {
    res.body() = std::string(std::stoul(path.substr(7)), 'x');
  } else if (path.rfind("/slow/", 0) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(path.substr(6))));
    res.body() = "slow";
  } else if (path == "/echo") {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& f : req) headers[Lower(std::string(f.name_string()))] = std::string(f.value());
    nlohmann::json out = {{"method", std::string(req.method_string())}, {"body", req.body()}, {"headers", headers},
                          {"x-pier-test", headers.value("x-pier-test", "")}};
    res.set(bhttp::field::content_type, "application/json");
    res.body() = out.dump();
  } else if (path == "/redirect") {
    const std::string code = Query(target, "code");
    res.result(static_cast<unsigned>(code.empty() ? 302 : std::stoi(code)));
    res.set(bhttp::field::location, Query(target, "to"));
  } else if (path.rfind("/hops/", 0) == 0) {
    const int n = std::stoi(path.substr(6));
    if (n > 0) {
      res.result(bhttp::status::found);
      res.set(bhttp::field::location, base + "/hops/" + std::to_string(n - 1));
    } else {
      res.body() = "arrived";
    }
  } else if (path.rfind("/plugins/", 0) == 0 && path.find("..") == std::string::npos) {
    // A plugin this build made, as a module server would serve it.
    std::ifstream in(std::string(PIER_TEST_PLUGIN_DIR) + "/" + path.substr(9), std::ios::binary);
    if (!in) {
      res.result(bhttp::status::not_found);
      res.body() = "no such plugin";
    } else {
      res.body().assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  } else if (path == "/headers") {
    res.insert("x-multi", "a");
    res.insert("x-multi", "b");
    res.set("content-type", "text/plain");
    res.body() = "headers";
  } else {
    res.result(bhttp::status::not_found);
    res.body() = "not found";
  }
  res.prepare_payload();
  return res;
}

ws::close_reason CloseReason(int code, const std::string& reason) {
  ws::close_reason r(static_cast<std::uint16_t>(code));
  r.reason = reason.substr(0, 123);
  return r;
}

// One WebSocket session on its own io_context: reads until closed, answers
// the scripted messages, and lets the test post sends and closes.
template <typename Stream>
void RunWebSocket(ws::stream<Stream>& socket, net::io_context& io, const bhttp::request<bhttp::string_body>& req,
                  LoopbackWebServer::Session& s) {
  socket.read_message_max(64 << 20);
  beast::error_code ec;
  socket.accept(req, ec);
  if (ec) return;
  std::deque<std::pair<std::string, bool>> queue;  // io thread only
  bool writing = false;
  std::function<void()> pump = [&] {
    if (writing || queue.empty()) return;
    writing = true;
    socket.binary(queue.front().second);
    socket.async_write(net::buffer(queue.front().first), [&](beast::error_code, size_t) {
      queue.pop_front();
      writing = false;
      pump();
    });
  };
  std::unique_lock<std::mutex> published(s.mu);
  s.send = [&](std::string text, bool binary) {
    net::post(io, [&, text = std::move(text), binary] {
      queue.emplace_back(text, binary);
      pump();
    });
  };
  s.close = [&](int code, std::string reason) {
    net::post(io, [&, code, reason] {
      socket.async_close(CloseReason(code, reason), [](beast::error_code) {});
    });
  };
  published.unlock();
  beast::flat_buffer buffer;
  std::function<void()> read = [&] {
    socket.async_read(buffer, [&](beast::error_code rec, size_t) {
      if (rec) {
        std::lock_guard<std::mutex> lock(s.mu);
        s.open = false;
        s.client_close_code = socket.reason().code;
        return;
      }
      WsMessage m{!socket.got_text(), beast::buffers_to_string(buffer.data())};
      buffer.consume(buffer.size());
      {
        std::lock_guard<std::mutex> lock(s.mu);
        s.received.push_back(m);
      }
      if (!m.binary) {
        std::istringstream words(m.data);
        std::string verb;
        words >> verb;
        if (verb == "close") {
          int code = 1000;
          std::string reason;
          words >> code;
          std::getline(words, reason);
          if (!reason.empty() && reason[0] == ' ') reason.erase(0, 1);
          socket.async_close(CloseReason(code, reason), [](beast::error_code) {});
        } else if (verb == "drop") {
          beast::get_lowest_layer(socket).close();
          std::lock_guard<std::mutex> lock(s.mu);
          s.open = false;
          return;
        } else if (verb == "burst") {
          int n = 0;
          words >> n;
          for (int i = 0; i < n; ++i) queue.emplace_back("m" + std::to_string(i), false);
          pump();
        } else if (verb == "big") {
          size_t n = 0;
          words >> n;
          queue.emplace_back(std::string(n, 'b'), false);
          pump();
        } else if (verb == "binary") {
          std::string bytes;
          for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
          queue.emplace_back(bytes, true);
          pump();
        }
      }
      read();
    });
  };
  read();
  io.run();
  std::lock_guard<std::mutex> lock(s.mu);
  s.send = nullptr;
  s.close = nullptr;
  s.io = nullptr;
  s.open = false;
}

template <typename Stream>
void ServeStream(Stream& stream, net::io_context& io, const std::string& base, std::atomic<int>& requests,
                 const std::function<std::shared_ptr<LoopbackWebServer::Session>()>& new_session) {
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> req;
  beast::error_code ec;
  bhttp::read(stream, buffer, req, ec);
  if (ec) return;
  ++requests;
  if (ws::is_upgrade(req)) {
    auto session = new_session();
    {
      std::lock_guard<std::mutex> lock(session->mu);
      session->io = &io;
      for (const auto& f : req) session->headers.emplace_back(Lower(std::string(f.name_string())), std::string(f.value()));
    }
    ws::stream<Stream&> socket(stream);
    RunWebSocket(socket, io, req, *session);
    return;
  }
  auto res = Route(req, base);
  bhttp::write(stream, res, ec);
}

}  // namespace

LoopbackWebServer::LoopbackWebServer(const TestCa* tls) : tls_(tls) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 128) != 0) {
    throw std::runtime_error("loopback web server: cannot listen");
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

LoopbackWebServer::~LoopbackWebServer() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& s : sessions_) {
      std::lock_guard<std::mutex> slock(s->mu);
      if (s->io != nullptr && s->open) s->io->stop();
    }
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
}

std::string LoopbackWebServer::Url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}
std::string LoopbackWebServer::WsUrl(const std::string& path) const {
  return std::string(tls_ ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port_) + path;
}

void LoopbackWebServer::AcceptLoop() {
  while (!stop_) {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stop_) return;
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, fd] {
      net::io_context io;
      tcp::socket sock(io);
      sock.assign(tcp::v4(), fd);
      auto new_session = [this] {
        auto s = std::make_shared<Session>();
        std::lock_guard<std::mutex> lock(mu_);
        sessions_.push_back(s);
        return s;
      };
      const std::string base = Url("");
      try {
        if (tls_ == nullptr) {
          beast::tcp_stream stream(std::move(sock));
          ServeStream(stream, io, base, requests_, new_session);
        } else {
          ssl::context ctx(ssl::context::tls_server);
          ctx.use_certificate_chain_file(tls_->server_pem().string());
          ctx.use_private_key_file(tls_->server_key().string(), ssl::context::pem);
          beast::ssl_stream<beast::tcp_stream> stream(std::move(sock), ctx);
          beast::error_code ec;
          stream.handshake(ssl::stream_base::server, ec);
          if (!ec) ServeStream(stream, io, base, requests_, new_session);
        }
      } catch (const std::exception&) {
        // a test's client went away mid-way: nothing to do
      }
    });
  }
}

size_t LoopbackWebServer::connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

std::shared_ptr<LoopbackWebServer::Session> LoopbackWebServer::At(size_t i) const {
  std::lock_guard<std::mutex> lock(mu_);
  return i < sessions_.size() ? sessions_[i] : nullptr;
}

std::vector<std::pair<std::string, std::string>> LoopbackWebServer::HandshakeHeaders(size_t i) const {
  auto s = At(i);
  if (!s) return {};
  std::lock_guard<std::mutex> lock(s->mu);
  return s->headers;
}
std::vector<WsMessage> LoopbackWebServer::Received(size_t i) const {
  auto s = At(i);
  if (!s) return {};
  std::lock_guard<std::mutex> lock(s->mu);
  return s->received;
}
bool LoopbackWebServer::Open(size_t i) const {
  auto s = At(i);
  if (!s) return false;
  std::lock_guard<std::mutex> lock(s->mu);
  return s->open;
}
int LoopbackWebServer::ClientCloseCode(size_t i) const {
  auto s = At(i);
  if (!s) return 0;
  std::lock_guard<std::mutex> lock(s->mu);
  return s->client_close_code;
}
void LoopbackWebServer::Send(size_t i, const std::string& text, bool binary) {
  auto s = At(i);
  if (!s) return;
  std::lock_guard<std::mutex> lock(s->mu);
  if (s->send) s->send(text, binary);
}
void LoopbackWebServer::Close(size_t i, int code, const std::string& reason) {
  auto s = At(i);
  if (!s) return;
  std::lock_guard<std::mutex> lock(s->mu);
  if (s->close) s->close(code, reason);
}

}  // namespace pier::testing
