// WsStream: one outbound WebSocket (ws or wss) on Boost.Beast, behind an
// interface that hides whether TLS is in the way. Every operation runs on the
// I/O context the stream was made with (its completion handlers too); none
// is thread-safe: callers post to that context.
//
// Internal to the WebSocket service.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace pier::websocket {

using ErrorCode = boost::beast::error_code;

struct Target {
  bool tls = false;
  std::string host;  // name or address, without brackets
  std::string port;
  std::string path;  // with the query
  std::map<std::string, std::string> headers;
  std::string ca_file;  // extra trust anchors for wss
  size_t max_message_bytes = 16 << 20;
};

class WsStream {
 public:
  virtual ~WsStream() = default;
  // Resolve, connect, TLS (with host name verification), WebSocket
  // handshake; `done(error, why)` once finished or after `timeout`.
  virtual void AsyncConnect(std::chrono::milliseconds timeout,
                            std::function<void(ErrorCode, const std::string& why)> done) = 0;
  virtual void AsyncRead(boost::beast::flat_buffer& buffer, std::function<void(ErrorCode, size_t)> done) = 0;
  virtual bool GotText() const = 0;
  virtual void AsyncWrite(const std::string& data, bool binary, std::function<void(ErrorCode)> done) = 0;
  virtual void AsyncClose(int code, const std::string& reason, std::function<void(ErrorCode)> done) = 0;
  virtual boost::beast::websocket::close_reason Reason() const = 0;
  // Closes the socket at once (pending operations complete with an error).
  virtual void Kill() = 0;
  // "tcp 127.0.0.1:40000->127.0.0.1:8080", for messages.
  virtual std::string Endpoints() const = 0;
};

std::unique_ptr<WsStream> NewWsStream(boost::asio::io_context& io, Target target);

}  // namespace pier::websocket
