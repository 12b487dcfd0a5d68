#include "loopback_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pier::testing {

namespace {

std::string Response(int status, const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nX-Server: pier-test\r\n" + extra_headers + "Connection: close\r\n\r\n" + body;
}

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

LoopbackHttpServer::LoopbackHttpServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("loopback server: cannot listen");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  stop_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : workers_) t.join();
}

std::string LoopbackHttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void LoopbackHttpServer::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void LoopbackHttpServer::Serve(int fd) {
  std::string req;
  char buf[8192];
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    req.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos && (header_end = req.find("\r\n\r\n")) != std::string::npos) {
      std::string lower = req.substr(0, header_end);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (size_t at = lower.find("content-length:"); at != std::string::npos) {
        content_length = std::stoul(lower.substr(at + 15));
      }
    }
    if (header_end != std::string::npos && req.size() >= header_end + 4 + content_length) break;
  }
  requests_++;
  const size_t sp1 = req.find(' '), sp2 = req.find(' ', sp1 + 1);
  const std::string method = req.substr(0, sp1);
  const std::string path = sp1 == std::string::npos ? "/" : req.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string body = header_end == std::string::npos ? "" : req.substr(header_end + 4);
  std::string out;
  if (path == "/hello") {
    out = Response(200, "hello");
  } else if (path.rfind("/status/", 0) == 0) {
    out = Response(std::stoi(path.substr(8)), "status body");
  } else if (path.rfind("/bytes/", 0) == 0) {
    out = Response(200, std::string(std::stoul(path.substr(7)), 'x'));
  } else if (path.rfind("/slow/", 0) == 0) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::stoi(path.substr(6)));
    while (!stop_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    out = Response(200, "slow");
  } else if (path == "/echo") {
    std::string lower = req.substr(0, header_end);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string test_header;
    if (size_t at = lower.find("x-pier-test:"); at != std::string::npos) {
      size_t end = lower.find("\r\n", at);
      if (end == std::string::npos) end = header_end;
      test_header = req.substr(at + 12, end - at - 12);
      while (!test_header.empty() && test_header.front() == ' ') test_header.erase(0, 1);
    }
    out = Response(200, nlohmann::json{{"method", method}, {"body", body}, {"x-pier-test", test_header}}.dump(),
                   "Content-Type: application/json\r\n");
  } else {
    out = Response(404, "not found");
  }
  WriteAll(fd, out);
  ::close(fd);
}

}  // namespace pier::testing
