// HttpServer on Boost.Beast: one I/O thread (every socket operation runs on
// it, so sessions need no locks), a bounded pool of handler threads, and a
// registry of sessions for the connection cap.
#include "http/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <deque>
#include <future>
#include <list>
#include <optional>
#include <thread>

#include "common/mutex.h"
#include "common/thread.h"

namespace pier::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace internal {

// A fixed number of threads and a bounded queue of work for them.
class HandlerPool {
 public:
  HandlerPool(int threads, size_t max_queued) : max_queued_(max_queued) {
    for (int i = 0; i < std::max(threads, 1); ++i) threads_.push_back(StartThread("pier-http-work", [this] { Run(); }));
  }
  ~HandlerPool() { Stop(); }
  // False when the queue is full or the pool stopped.
  bool Submit(std::function<void()> work) {
    MutexLock lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(work));
    cv_.NotifyOne();
    return true;
  }
  // Runs what is queued, then joins.
  void Stop() {
    {
      MutexLock lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      cv_.NotifyAll();
    }
    for (auto& t : threads_) t.join();
  }

 private:
  void Run() {
    MutexLock lock(mu_);
    while (true) {
      cv_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto work = std::move(queue_.front());
      queue_.pop_front();
      lock.Unlock();
      work();
      lock.Lock();
    }
  }
  const size_t max_queued_;
  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> queue_ PIER_GUARDED_BY(mu_);
  bool stopping_ PIER_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

class Session;

class ServerCore {
 public:
  ServerCore(const ServerOptions& options, const Router& router)
      : options_(options), router_(router), acceptor_(io_), pool_(options.handler_threads, options.max_queued) {}

  Status Listen(const std::string& host, int port, int* bound);
  void Stop();

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  net::io_context& io() { return io_; }
  HandlerPool& pool() { return pool_; }

 private:
  void Accept();
  void Admit(tcp::socket socket);  // on the I/O thread

  const ServerOptions& options_;
  const Router& router_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  HandlerPool pool_;
  std::thread thread_;
  std::list<std::weak_ptr<Session>> sessions_;  // I/O thread only
  bool stopped_ = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerCore& core) : stream_(std::move(socket)), core_(core) {}

  void Start() { WaitForRequest(); }
  // Nothing of a request has arrived: the connection may be closed to make room.
  bool idle() const { return idle_; }
  void Close() {
    if (closed_.exchange(true)) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }
  // Answers 503 and closes (the server is full).
  void Refuse() {
    HttpResponse r;
    ErrorReply(r, 503, "too many connections; try again shortly");
    keep_alive_ = false;
    Write(std::make_shared<HttpResponse>(std::move(r)));
  }

 private:
  // Streams a response's chunks from a handler thread through the I/O thread.
  class Writer final : public ChunkWriter {
   public:
    explicit Writer(std::shared_ptr<Session> s) : s_(std::move(s)) {}
    bool Write(std::string_view chunk) override {
      if (failed_ || chunk.empty()) return !failed_;
      auto data = std::make_shared<std::string>(chunk);
      failed_ = !s_->OnIo([s = s_, data](std::function<void(bool)> done) {
        s->stream_.expires_after(s->core_.options().write_timeout);
        net::async_write(s->stream_, bhttp::make_chunk(net::buffer(*data)),
                         [data, done](beast::error_code ec, size_t) { done(!ec); });
      });
      return !failed_;
    }
    bool failed() const { return failed_; }

   private:
    std::shared_ptr<Session> s_;
    bool failed_ = false;
  };

  void WaitForRequest() {
    idle_ = true;
    if (buffer_.size() > 0) return ReadRequest();
    stream_.expires_after(core_.options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      self->buffer_.commit(n);
      self->ReadRequest();
    });
  }

  void ReadRequest() {
    idle_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(core_.options().max_header_bytes));
    parser_->body_limit(core_.options().max_body_bytes);
    stream_.expires_after(core_.options().request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnRead(ec);
    });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec) {
      HttpResponse r;
      if (ec == bhttp::error::body_limit) {
        ErrorReply(r, 413, "the request body exceeds " + std::to_string(core_.options().max_body_bytes) + " bytes");
      } else if (ec == bhttp::error::header_limit) {
        ErrorReply(r, 431, "the request headers exceed " + std::to_string(core_.options().max_header_bytes) + " bytes");
      } else {
        ErrorReply(r, 400, "malformed request: " + ec.message());
      }
      keep_alive_ = false;
      return Write(std::make_shared<HttpResponse>(std::move(r)));
    }
    auto& message = parser_->get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    ParseTarget(request.target, &request);
    for (const auto& field : message) request.headers[std::string(field.name_string())] = std::string(field.value());
    request.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    auto self = shared_from_this();
    const bool queued = core_.pool().Submit([self, request = std::move(request)]() mutable {
      auto response = std::make_shared<HttpResponse>(self->core_.router().Handle(std::move(request)));
      if (response->stream) {
        self->Stream(response);
      } else if (response->push) {
        self->StartPush(response);
      } else {
        net::post(self->core_.io(), [self, response] { self->Write(response); });
      }
    });
    if (!queued) {
      HttpResponse r;
      ErrorReply(r, 503, "the server is busy; try again shortly");
      Write(std::make_shared<HttpResponse>(std::move(r)));
    }
  }

  static void Fill(bhttp::response_header<>& h, const HttpResponse& r) {
    h.result(static_cast<unsigned>(r.status));
    h.set(bhttp::field::content_type, r.content_type);
    h.set(bhttp::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) h.set(name, value);
  }

  // On the I/O thread.
  void Write(std::shared_ptr<HttpResponse> r) {
    if (closed_) return;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    Fill(res->base(), *r);
    res->body() = std::move(r->body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    stream_.expires_after(core_.options().write_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !self->keep_alive_) return self->Close();
      self->WaitForRequest();
    });
  }

  // Runs `op(done)` on the I/O thread and waits (on this handler thread)
  // until it calls done(ok); false when it failed or never finished.
  bool OnIo(std::function<void(std::function<void(bool)>)> op) {
    auto promise = std::make_shared<std::promise<bool>>();
    auto future = promise->get_future();
    net::post(core_.io(), [self = shared_from_this(), op = std::move(op), promise] {
      if (self->closed_) return promise->set_value(false);
      op([promise](bool ok) { promise->set_value(ok); });
    });
    if (future.wait_for(core_.options().write_timeout + std::chrono::seconds(1)) != std::future_status::ready) {
      return false;
    }
    return future.get();
  }

  // On a handler thread: chunked header, the handler's chunks, the last chunk.
  void Stream(std::shared_ptr<HttpResponse> r) {
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>();
    Fill(head->base(), *r);
    head->keep_alive(keep_alive_);
    head->chunked(true);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
    bool ok = OnIo([self = shared_from_this(), head, serializer](std::function<void(bool)> done) {
      self->stream_.expires_after(self->core_.options().write_timeout);
      bhttp::async_write_header(self->stream_, *serializer,
                                [head, serializer, done](beast::error_code ec, size_t) { done(!ec); });
    });
    Writer writer(shared_from_this());
    if (ok) r->stream(writer);
    ok = ok && !writer.failed() && OnIo([self = shared_from_this()](std::function<void(bool)> done) {
      self->stream_.expires_after(self->core_.options().write_timeout);
      net::async_write(self->stream_, bhttp::make_chunk_last(), [done](beast::error_code ec, size_t) { done(!ec); });
    });
    net::post(core_.io(), [self = shared_from_this(), ok] {
      if (!ok || !self->keep_alive_) return self->Close();
      self->WaitForRequest();
    });
  }

  // The channel an event stream's handler keeps; releasing it closes the connection.
  class PushWriter final : public PushChannel {
   public:
    explicit PushWriter(std::shared_ptr<Session> s) : s_(std::move(s)) {}
    ~PushWriter() override { Close(); }
    bool Send(std::string chunk) override {
      if (!open()) return false;
      if (!chunk.empty()) s_->Push(std::make_shared<std::string>(std::move(chunk)));
      return true;
    }
    bool open() const override { return !s_->closed_.load(); }
    void Close() override {
      if (open()) net::post(s_->core_.io(), [s = s_] { s->Close(); });
    }

   private:
    std::shared_ptr<Session> s_;
  };

  // On a handler thread: the chunked header, then the channel to the
  // handler's `push`; the thread is free again as soon as that returns.
  void StartPush(std::shared_ptr<HttpResponse> r) {
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>();
    Fill(head->base(), *r);
    head->keep_alive(false);
    head->chunked(true);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
    const bool ok = OnIo([self = shared_from_this(), head, serializer](std::function<void(bool)> done) {
      self->stream_.expires_after(self->core_.options().write_timeout);
      bhttp::async_write_header(self->stream_, *serializer, [self, head, serializer, done](beast::error_code ec, size_t) {
        // Notice the client leaving while nothing is being sent (outside the stream's timer).
        if (!ec) {
          self->stream_.socket().async_read_some(net::buffer(self->probe_),
                                                 [self](beast::error_code, size_t) { self->Close(); });
        }
        done(!ec);
      });
    });
    if (!ok) {
      net::post(core_.io(), [self = shared_from_this()] { self->Close(); });
      return;
    }
    r->push(std::make_shared<PushWriter>(shared_from_this()));
  }

  // Any thread: queues a chunk of an event stream for the I/O thread.
  void Push(std::shared_ptr<std::string> data) {
    net::post(core_.io(), [self = shared_from_this(), data = std::move(data)] {
      if (self->closed_) return;
      self->outbox_bytes_ += data->size();
      if (self->outbox_bytes_ > PushChannel::kMaxBacklog) return self->Close();  // the client does not read
      self->outbox_.push_back(data);
      if (!self->writing_) self->WriteNext();
    });
  }

  // On the I/O thread: one chunk at a time, in order.
  void WriteNext() {
    if (outbox_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    auto data = std::move(outbox_.front());
    outbox_.pop_front();
    stream_.expires_after(core_.options().write_timeout);
    net::async_write(stream_, bhttp::make_chunk(net::buffer(*data)),
                     [self = shared_from_this(), data](beast::error_code ec, size_t) {
                       self->outbox_bytes_ -= data->size();
                       if (ec) return self->Close();
                       self->WriteNext();
                     });
  }

  beast::tcp_stream stream_;
  ServerCore& core_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  bool idle_ = true;
  std::atomic<bool> closed_{false};  // set on the I/O thread, read anywhere
  // An event stream's chunks waiting to be written, oldest first (I/O thread only).
  std::deque<std::shared_ptr<std::string>> outbox_;
  size_t outbox_bytes_ = 0;
  bool writing_ = false;
  char probe_[64];  // an event stream's client sends nothing: any byte or EOF ends it
};

Status ServerCore::Listen(const std::string& host, int port, int* bound) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return InvalidArgumentError("cannot listen on '" + host + "': not a numeric address");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  *bound = acceptor_.local_endpoint().port();
  Accept();
  thread_ = StartThread("pier-http-io", [this] { io_.run(); });
  return OkStatus();
}

void ServerCore::Accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || stopped_) return;
      // Out of file descriptors and the like: try again shortly.
      auto timer = std::make_shared<net::steady_timer>(io_, std::chrono::milliseconds(50));
      return timer->async_wait([this, timer](beast::error_code) { Accept(); });
    }
    Admit(std::move(socket));
    Accept();
  });
}

void ServerCore::Admit(tcp::socket socket) {
  sessions_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
  auto session = std::make_shared<Session>(std::move(socket), *this);
  if (sessions_.size() >= options_.max_connections) {
    // The oldest connection that has not started a request makes room.
    auto oldest_idle = std::find_if(sessions_.begin(), sessions_.end(), [](const std::weak_ptr<Session>& w) {
      auto s = w.lock();
      return s && s->idle();
    });
    if (oldest_idle == sessions_.end()) return session->Refuse();
    if (auto s = oldest_idle->lock()) s->Close();
    sessions_.erase(oldest_idle);
  }
  sessions_.push_back(session);
  session->Start();
}

void ServerCore::Stop() {
  if (!thread_.joinable()) return;
  std::promise<void> closed;
  net::post(io_, [this, &closed] {
    stopped_ = true;
    beast::error_code ec;
    acceptor_.close(ec);
    for (auto& w : sessions_) {
      if (auto s = w.lock()) s->Close();
    }
    sessions_.clear();
    closed.set_value();
  });
  closed.get_future().wait();
  pool_.Stop();  // handlers finish while the I/O thread still delivers their writes
  io_.stop();
  thread_.join();
}

}  // namespace internal

HttpServer::HttpServer(ServerOptions options) : options_(std::move(options)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Listen(const std::string& host, int port) {
  if (core_) return FailedPreconditionError("the server is already listening");
  core_ = std::make_unique<internal::ServerCore>(options_, router_);
  Status st = core_->Listen(host, port, &port_);
  if (!st.ok()) core_.reset();
  return st;
}

void HttpServer::Stop() {
  if (core_) core_->Stop();
}

}  // namespace pier::http
