#include "services/websocket/websocket_service.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <deque>
#include <future>

#include "common/go_quote.h"
#include "common/random_id.h"
#include "common/thread.h"
#include "http/http_client.h"
#include "services/http/host_rules.h"
#include "services/websocket/ws_stream.h"

namespace pier::websocket {

namespace net = boost::asio;
namespace bws = boost::beast::websocket;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Gorilla's names for close codes, as its error texts print them.
std::string CloseError(int code, const std::string& text) {
  static const std::map<int, const char*> kNames = {
      {1000, "normal"},           {1001, "going away"},        {1002, "protocol error"},
      {1003, "unsupported data"}, {1005, "no status"},         {1006, "abnormal closure"},
      {1007, "invalid payload data"}, {1008, "policy violation"}, {1009, "message too big"},
      {1010, "mandatory extension missing"}, {1011, "internal server error"}, {1012, "service restart"},
      {1013, "try again later"},  {1015, "TLS handshake"}};
  std::string out = "websocket: close " + std::to_string(code);
  if (auto it = kNames.find(code); it != kNames.end()) out += std::string(" (") + it->second + ")";
  return text.empty() ? out : out + ": " + text;
}

SteadyClock::time_point Earlier(SteadyClock::time_point a, SteadyClock::time_point b) { return a < b ? a : b; }

SteadyClock::time_point DeadlineOf(const HostCallContext& c) {
  const auto d = c.deadline();
  return d == SteadyClock::time_point{} ? SteadyClock::time_point::max() : d;
}

}  // namespace

// One connection: its stream lives on the service's I/O thread; its events
// go through a queue to its own delivery thread, which calls the plugin in
// order. Written from plugin threads only through posted operations.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(WebSocketService& service, std::string id, std::unique_ptr<WsStream> stream)
      : service_(service), id_(std::move(id)), stream_(std::move(stream)) {}

  const std::string& id() const { return id_; }
  net::io_context& io() { return *service_.io_; }
  WsStream& stream() { return *stream_; }

  // After the handshake: reading (I/O thread) and delivering (own thread).
  void Begin(Callbacks callbacks) {
    callbacks_ = std::move(callbacks);
    delivery_ = StartThread("pier-ws-deliver", [self = shared_from_this()] { self->Deliver(); });
    net::post(io(), [self = shared_from_this()] { self->Read(); });
  }

  // From a plugin thread: queued behind earlier sends; waits until written.
  Status Write(const std::string& data, bool binary, SteadyClock::time_point deadline) {
    auto done = std::make_shared<std::promise<ErrorCode>>();
    auto future = done->get_future();
    net::post(io(), [self = shared_from_this(), data, binary, done] {
      if (self->host_closed_) return done->set_value(net::error::operation_aborted);
      self->writes_.push_back({data, binary, done});
      self->Pump();
    });
    if (future.wait_until(deadline) != std::future_status::ready) {
      net::post(io(), [self = shared_from_this()] { self->stream_->Kill(); });
      return DeadlineExceededError("write timed out");
    }
    const ErrorCode ec = future.get();
    if (ec) return UnavailableError(ec == net::error::operation_aborted ? "the connection is closed" : ec.message());
    return OkStatus();
  }

  // The plugin's close: the close frame (5 s), then the socket; no event
  // follows (the caller delivers on_close itself).
  void CloseByPlugin(int code, const std::string& reason) { CloseWith(code, reason, std::chrono::seconds(5)); }
  // Unload: 1001 "plugin unloaded" (2 s), the running callback interrupted.
  void Shutdown() {
    {
      MutexLock lock(mu_);
      running_.Cancel();
    }
    CloseWith(1001, "plugin unloaded", std::chrono::seconds(2));
  }
  void Join() {
    if (delivery_.joinable() && delivery_.get_id() != std::this_thread::get_id()) delivery_.join();
  }
  bool finished() const { return finished_; }

 private:
  struct Event {
    enum Kind { kText, kBinary, kError, kClose } kind;
    std::string data;
    int code = 0;
  };
  struct PendingWrite {
    std::string data;
    bool binary;
    std::shared_ptr<std::promise<ErrorCode>> done;
  };

  void CloseWith(int code, const std::string& reason, std::chrono::milliseconds wait) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    net::post(io(), [self = shared_from_this(), code, reason, done] {
      if (self->host_closed_) return done->set_value();
      self->host_closed_ = true;
      self->stream_->AsyncClose(code, reason, [self, done](ErrorCode) { done->set_value(); });
    });
    future.wait_for(wait);
    net::post(io(), [self = shared_from_this()] { self->stream_->Kill(); });
    MutexLock lock(mu_);
    quit_ = true;
    events_.clear();
    cv_.NotifyAll();
  }

  // I/O thread.
  void Pump() {
    if (writing_ || writes_.empty()) return;
    writing_ = true;
    stream_->AsyncWrite(writes_.front().data, writes_.front().binary, [self = shared_from_this()](ErrorCode ec) {
      self->writes_.front().done->set_value(ec);
      self->writes_.pop_front();
      self->writing_ = false;
      self->Pump();
    });
  }

  // I/O thread.
  void Read() {
    reading_ = true;
    stream_->AsyncRead(buffer_, [self = shared_from_this()](ErrorCode ec, size_t) { self->OnRead(ec); });
  }

  // I/O thread.
  void OnRead(ErrorCode ec) {
    reading_ = false;
    if (ec) return End(ec);
    Event e{stream_->GotText() ? Event::kText : Event::kBinary, boost::beast::buffers_to_string(buffer_.data())};
    buffer_.consume(buffer_.size());
    bool pause = false;
    {
      MutexLock lock(mu_);
      if (quit_) return;
      events_.push_back(std::move(e));
      pause = events_.size() >= service_.options_.max_pending_messages;
      paused_ = pause;
      cv_.NotifyAll();
    }
    if (!pause) Read();
  }

  // I/O thread: the connection ended without the host closing it.
  void End(ErrorCode ec) {
    if (host_closed_) return;
    Event e{Event::kError, ""};
    if (ec == bws::error::closed) {
      const auto r = stream_->Reason();
      const int code = r.code == bws::close_code::none ? 1005 : static_cast<int>(r.code);
      const std::string text(r.reason.data(), r.reason.size());
      if (code == 1000 || code == 1001 || code == 1005) {
        e = {Event::kClose, text, code};
      } else {
        e.data = CloseError(code, text);
      }
    } else if (ec == bws::error::message_too_big || ec == boost::beast::http::error::buffer_overflow) {
      e.data = "websocket: read limit exceeded";
      stream_->AsyncClose(1009, "", [](ErrorCode) {});
    } else if (ec == net::error::eof || ec == boost::beast::http::error::end_of_stream ||
               ec == boost::asio::ssl::error::stream_truncated) {
      e.data = CloseError(1006, "unexpected EOF");
    } else if (ec == net::error::connection_reset) {
      e.data = "read " + stream_->Endpoints() + ": read: connection reset by peer";
    } else {
      e.data = "read " + stream_->Endpoints() + ": " + ec.message();
    }
    host_closed_ = true;
    service_.Forget(id_, this);
    MutexLock lock(mu_);
    events_.push_back(std::move(e));
    ended_ = true;
    cv_.NotifyAll();
  }

  // Delivery thread: the plugin sees this connection's events one by one.
  void Deliver() {
    MutexLock lock(mu_);
    while (true) {
      cv_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return quit_ || !events_.empty(); });
      if (quit_) break;
      Event e = std::move(events_.front());
      events_.pop_front();
      if (paused_ && events_.size() < service_.options_.max_pending_messages / 2) {
        paused_ = false;
        net::post(io(), [self = shared_from_this()] {
          if (!self->reading_ && !self->host_closed_) self->Read();
        });
      }
      running_ = CancelToken();
      const CancelToken token = running_;
      lock.Unlock();
      switch (e.kind) {
        case Event::kText:
          if (callbacks_.text) callbacks_.text({id_, e.data}, token);
          break;
        case Event::kBinary:
          if (callbacks_.binary) callbacks_.binary({id_, e.data}, token);
          break;
        case Event::kError:
          if (callbacks_.error) callbacks_.error({id_, e.data}, token);
          break;
        case Event::kClose:
          if (callbacks_.close) callbacks_.close({id_, e.code, e.data}, token);
          break;
      }
      lock.Lock();
      if (e.kind == Event::kError || e.kind == Event::kClose) break;
    }
    finished_ = true;
  }

  WebSocketService& service_;
  const std::string id_;
  std::unique_ptr<WsStream> stream_;
  Callbacks callbacks_;  // set once by Begin

  // I/O thread only.
  boost::beast::flat_buffer buffer_;
  std::deque<PendingWrite> writes_;
  bool writing_ = false, reading_ = false, host_closed_ = false;

  Mutex mu_;
  CondVar cv_;
  std::deque<Event> events_ PIER_GUARDED_BY(mu_);
  bool quit_ PIER_GUARDED_BY(mu_) = false;
  bool ended_ PIER_GUARDED_BY(mu_) = false;
  bool paused_ PIER_GUARDED_BY(mu_) = false;
  CancelToken running_ PIER_GUARDED_BY(mu_);
  std::thread delivery_;
  std::atomic<bool> finished_{false};
};

WebSocketService::WebSocketService(WebSocketOptions options)
    : options_(std::move(options)), io_(std::make_unique<net::io_context>()) {}

WebSocketService::~WebSocketService() { Stop(); }

void WebSocketService::Start(Callbacks callbacks) {
  MutexLock lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  callbacks_ = std::move(callbacks);
  io_thread_ = StartThread("pier-ws-io", [this] {
    auto guard = net::make_work_guard(*io_);
    io_->run();
  });
}

void WebSocketService::Stop() {
  std::vector<std::shared_ptr<Connection>> all;
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    all = all_;
    open_.clear();
  }
  if (io_thread_.joinable()) {
    for (auto& c : all) c->Shutdown();
    for (auto& c : all) c->Join();
    io_->stop();
    io_thread_.join();
  }
  MutexLock lock(mu_);
  all_.clear();
}

size_t WebSocketService::open_connections() const {
  MutexLock lock(mu_);
  return open_.size();
}

std::shared_ptr<Connection> WebSocketService::Find(const std::string& id) const {
  MutexLock lock(mu_);
  auto it = open_.find(id);
  return it == open_.end() ? nullptr : it->second;
}

void WebSocketService::Forget(const std::string& id, const Connection* which) {
  MutexLock lock(mu_);
  if (auto it = open_.find(id); it != open_.end() && it->second.get() == which) open_.erase(it);
}

Result<wire::WebSocketConnectResponse> WebSocketService::Connect(HostCallContext& context,
                                                                 const wire::WebSocketConnectRequest& r) {
  auto url = http::ParseUrl(r.url);
  if (!url.ok()) return InvalidArgumentError("invalid URL: parse " + GoQuote(r.url) + ": invalid URL");
  if (url->scheme != "ws" && url->scheme != "wss") return InvalidArgumentError("invalid URL scheme: must be ws:// or wss://");
  const std::string shown_host = (url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host) +
                                 (url->port != 0 ? ":" + std::to_string(url->port) : "");
  if (!services::HostPatternsAllow(options_.required_hosts, url->host)) {
    return PermissionDeniedError("host " + GoQuote(shown_host) + " is not allowed");
  }
  std::string id = r.connection_id;
  {
    MutexLock lock(mu_);
    if (stopped_ || !started_) return FailedPreconditionError("the WebSocket service is not running (plugin loading or unloading)");
    if (id.empty()) id = NewRandomId();
    if (open_.contains(id)) return AlreadyExistsError("connection ID " + GoQuote(id) + " already exists");
    if (open_.size() >= options_.max_connections) {
      return ResourceExhaustedError("too many open connections (" + std::to_string(options_.max_connections) +
                                    "); close one first");
    }
    // Connections whose delivery ended are released here.
    std::erase_if(all_, [](const std::shared_ptr<Connection>& c) {
      if (!c->finished()) return false;
      c->Join();
      return true;
    });
  }
  Target target;
  target.tls = url->scheme == "wss";
  target.host = url->host;
  target.port = std::to_string(url->port != 0 ? url->port : target.tls ? 443 : 80);
  target.path = url->target;
  target.headers = r.headers;
  target.ca_file = options_.ca_file;
  target.max_message_bytes = options_.max_message_bytes;
  auto connection = std::make_shared<Connection>(*this, id, NewWsStream(*io_, target));

  const auto deadline = Earlier(DeadlineOf(context), SteadyClock::now() + options_.handshake_timeout);
  const auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  auto done = std::make_shared<std::promise<std::string>>();
  auto future = done->get_future();
  net::post(*io_, [connection, budget, done] {
    connection->stream().AsyncConnect(std::max(budget, std::chrono::milliseconds(1)),
                                      [done](ErrorCode ec, const std::string& why) { done->set_value(ec ? why : ""); });
  });
  if (future.wait_until(deadline + std::chrono::milliseconds(200)) != std::future_status::ready) {
    net::post(*io_, [connection] { connection->stream().Kill(); });
    future.wait();
  }
  if (std::string why = future.get(); !why.empty()) return UnavailableError("failed to connect: " + why);

  Callbacks callbacks;
  {
    MutexLock lock(mu_);
    if (stopped_ || open_.contains(id)) {
      net::post(*io_, [connection] { connection->stream().Kill(); });
      if (stopped_) return FailedPreconditionError("the WebSocket service stopped while connecting");
      return AlreadyExistsError("connection ID " + GoQuote(id) + " already exists");
    }
    open_[id] = connection;
    all_.push_back(connection);
    callbacks = callbacks_;
  }
  connection->Begin(std::move(callbacks));
  return wire::WebSocketConnectResponse{id};
}

Status WebSocketService::Send(HostCallContext& context, const std::string& id, const std::string& data, bool binary) {
  auto c = Find(id);
  if (!c) return NotFoundError("connection ID " + GoQuote(id) + " not found");
  const auto deadline = Earlier(DeadlineOf(context), SteadyClock::now() + options_.write_timeout);
  Status st = c->Write(data, binary, deadline);
  if (!st.ok()) {
    return Status(st.code(), std::string("failed to send ") + (binary ? "binary" : "text") + " message: " + st.message());
  }
  return OkStatus();
}

Status WebSocketService::SendText(HostCallContext& context, const wire::WebSocketSendTextRequest& r) {
  return Send(context, r.connection_id, r.message, false);
}

Status WebSocketService::SendBinary(HostCallContext& context, const wire::WebSocketSendBinaryRequest& r) {
  return Send(context, r.connection_id, r.data, true);
}

Status WebSocketService::CloseConnection(HostCallContext&, const wire::WebSocketCloseConnectionRequest& r) {
  std::shared_ptr<Connection> c;
  Callbacks callbacks;
  {
    MutexLock lock(mu_);
    auto it = open_.find(r.connection_id);
    if (it == open_.end()) return NotFoundError("connection ID " + GoQuote(r.connection_id) + " not found");
    c = it->second;
    open_.erase(it);
    callbacks = callbacks_;
  }
  c->CloseByPlugin(r.code, r.reason);
  // Synchronously, from within the plugin's call: its own code and reason.
  if (callbacks.close) callbacks.close({r.connection_id, r.code, r.reason}, CancelToken());
  return OkStatus();
}

}  // namespace pier::websocket
