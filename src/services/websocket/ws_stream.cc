#include "services/websocket/ws_stream.h"

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace pier::websocket {

namespace {

namespace beast = boost::beast;
namespace bws = boost::beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

std::string Canonical(std::string name) {
  bool upper = true;
  for (char& c : name) {
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
    upper = c == '-';
  }
  return name;
}

template <typename Next>
class Impl final : public WsStream {
 public:
  template <typename... Args>
  Impl(net::io_context& io, Target target, Args&&... next)
      : io_(io), target_(std::move(target)), resolver_(io), ws_(std::forward<Args>(next)...) {
    ws_.read_message_max(target_.max_message_bytes);
    ws_.auto_fragment(false);
  }

  void AsyncConnect(std::chrono::milliseconds timeout, std::function<void(ErrorCode, const std::string&)> done) override {
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp_layer.expires_after(timeout);
    resolver_.async_resolve(target_.host, target_.port, [this, done](ErrorCode ec, tcp::resolver::results_type results) {
      if (ec) return done(ec, "dial tcp: lookup " + target_.host + ": no such host");
      beast::get_lowest_layer(ws_).async_connect(results, [this, done](ErrorCode ec, const tcp::endpoint& at) {
        if (ec) {
          std::string where = target_.host + ":" + target_.port;
          return done(ec, "dial tcp " + where + ": connect: " + (ec == net::error::connection_refused ? "connection refused" : ec.message()));
        }
        (void)at;
        TlsThenHandshake(done);
      });
    });
  }

  void AsyncRead(beast::flat_buffer& buffer, std::function<void(ErrorCode, size_t)> done) override {
    ws_.async_read(buffer, std::move(done));
  }
  bool GotText() const override { return ws_.got_text(); }
  void AsyncWrite(const std::string& data, bool binary, std::function<void(ErrorCode)> done) override {
    ws_.binary(binary);
    ws_.async_write(net::buffer(data), [done](ErrorCode ec, size_t) { done(ec); });
  }
  void AsyncClose(int code, const std::string& reason, std::function<void(ErrorCode)> done) override {
    bws::close_reason r(static_cast<std::uint16_t>(code));
    r.reason = reason.substr(0, 123);
    ws_.async_close(r, std::move(done));
  }
  bws::close_reason Reason() const override { return ws_.reason(); }
  void Kill() override {
    ErrorCode ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }
  std::string Endpoints() const override {
    ErrorCode a, b;
    const auto& s = beast::get_lowest_layer(ws_).socket();
    const auto local = s.local_endpoint(a), remote = s.remote_endpoint(b);
    if (a || b) return "tcp";
    auto show = [](const tcp::endpoint& e) {
      const std::string ip = e.address().to_string();
      return (e.address().is_v6() ? "[" + ip + "]" : ip) + ":" + std::to_string(e.port());
    };
    return "tcp " + show(local) + "->" + show(remote);
  }

 private:
  void TlsThenHandshake(std::function<void(ErrorCode, const std::string&)> done);
  void Handshake(std::function<void(ErrorCode, const std::string&)> done) {
    ws_.set_option(bws::stream_base::decorator([headers = target_.headers](bws::request_type& req) {
      for (const auto& [name, value] : headers) req.set(Canonical(name), value);
    }));
    const std::string host_header = target_.host.find(':') != std::string::npos ? "[" + target_.host + "]" : target_.host;
    ws_.async_handshake(host_header + ":" + target_.port, target_.path.empty() ? "/" : target_.path,
                        [this, done](ErrorCode ec) {
                          if (ec) return done(ec, "websocket: bad handshake (" + ec.message() + ")");
                          beast::get_lowest_layer(ws_).expires_never();
                          bws::stream_base::timeout t{};
                          t.handshake_timeout = std::chrono::seconds(5);  // also bounds the closing handshake
                          t.idle_timeout = bws::stream_base::none();
                          t.keep_alive_pings = false;
                          ws_.set_option(t);
                          done({}, "");
                        });
  }

  net::io_context& io_;
  const Target target_;
  tcp::resolver resolver_;
  bws::stream<Next> ws_;
};

template <>
void Impl<beast::tcp_stream>::TlsThenHandshake(std::function<void(ErrorCode, const std::string&)> done) {
  Handshake(std::move(done));
}

template <>
void Impl<beast::ssl_stream<beast::tcp_stream>>::TlsThenHandshake(std::function<void(ErrorCode, const std::string&)> done) {
  auto& tls = ws_.next_layer();
  // SNI, and the certificate must name the host.
  if (!SSL_set_tlsext_host_name(tls.native_handle(), target_.host.c_str())) {
    return done(ErrorCode(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()), "tls: bad server name");
  }
  tls.set_verify_callback(ssl::host_name_verification(target_.host));
  tls.async_handshake(ssl::stream_base::client, [this, done](ErrorCode ec) {
    if (ec) return done(ec, "tls: failed to verify certificate: " + ec.message());
    Handshake(done);
  });
}

// One TLS context per stream: the trust anchors differ per plugin (tests).
std::shared_ptr<ssl::context> ClientContext(const Target& t) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_default_verify_paths();
  if (!t.ca_file.empty()) {
    ErrorCode ec;
    ctx->load_verify_file(t.ca_file, ec);
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

class TlsHolder {
 public:
  explicit TlsHolder(std::shared_ptr<ssl::context> ctx) : ctx_(std::move(ctx)) {}
 protected:
  std::shared_ptr<ssl::context> ctx_;
};

class TlsImpl final : private TlsHolder, public WsStream {
 public:
  TlsImpl(net::io_context& io, Target target)
      : TlsHolder(ClientContext(target)), impl_(io, target, io, *ctx_) {}
  void AsyncConnect(std::chrono::milliseconds t, std::function<void(ErrorCode, const std::string&)> d) override {
    impl_.AsyncConnect(t, std::move(d));
  }
  void AsyncRead(beast::flat_buffer& b, std::function<void(ErrorCode, size_t)> d) override { impl_.AsyncRead(b, std::move(d)); }
  bool GotText() const override { return impl_.GotText(); }
  void AsyncWrite(const std::string& data, bool binary, std::function<void(ErrorCode)> d) override {
    impl_.AsyncWrite(data, binary, std::move(d));
  }
  void AsyncClose(int code, const std::string& reason, std::function<void(ErrorCode)> d) override {
    impl_.AsyncClose(code, reason, std::move(d));
  }
  bws::close_reason Reason() const override { return impl_.Reason(); }
  void Kill() override { impl_.Kill(); }
  std::string Endpoints() const override { return impl_.Endpoints(); }

 private:
  Impl<beast::ssl_stream<beast::tcp_stream>> impl_;
};

}  // namespace

std::unique_ptr<WsStream> NewWsStream(net::io_context& io, Target target) {
  if (target.tls) return std::make_unique<TlsImpl>(io, std::move(target));
  return std::make_unique<Impl<beast::tcp_stream>>(io, target, io);
}

}  // namespace pier::websocket
