// WebSocketService: the WebSocket host service (spec §6.4), one per loaded
// plugin: outbound ws/wss connections whose events reach the plugin's
// nd_websocket_* callbacks.
//
// The original's contract: ws and wss only (`invalid URL scheme: must be
// ws:// or wss://`), the host (port cut at its last ':') matched against
// `requiredHosts` (an empty list allows nothing: `host "h:p" is not
// allowed`), handshake headers under canonical names, a 30 s handshake
// bounded by the calling plugin's deadline (`failed to connect: ...`),
// caller-given or generated 22-character connection IDs (`connection ID "x"
// already exists` / `... not found`), text and binary sends, and these
// events, in order per connection:
//   - each message -> nd_websocket_on_text_message / _on_binary_message;
//   - the peer closes with 1000, 1001 or 1005 (none) -> nd_websocket_on_close
//     with its code and reason; the connection is forgotten;
//   - any other ending (another close code, an abrupt end, a network error,
//     a message over the cap) -> nd_websocket_on_error with the error in the
//     original's words (`websocket: close 1006 (abnormal closure): unexpected
//     EOF`), and no on_close; the connection is forgotten;
//   - websocket_closeconnection sends the plugin's code and reason (5 s),
//     closes the socket and then calls nd_websocket_on_close synchronously,
//     from within the plugin's own call (a second instance serves it).
// Unlike the original, sends on one connection are serialised (concurrent
// sends from several plugin calls are safe), a message may be at most
// `max_message_bytes` (16 MiB; more ends the connection with 1009 and an
// on_error `websocket: read limit exceeded`), a plugin has at most
// `max_connections` open, and a plugin slower than its messages makes the
// service stop reading (TCP back-pressure) instead of buffering without end.
//
// Stop() (unload) closes every connection with 1001 "plugin unloaded" (2 s),
// interrupts running callbacks and waits for them: nothing calls the plugin
// afterwards. (The original attempts an on_close there that never arrives,
// since the plugin is already gone; Pier does not call the plugin during
// unload.)
//
//   WebSocketService ws({.required_hosts = {"*.example.com"}});
//   host.websocket = &ws;  ... load the plugin ...
//   ws.Start(callbacks);  ...  ws.Stop();
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "pier/cancel.h"
#include "pier/services/websocket.h"

namespace boost::asio {
class io_context;
}

namespace pier::websocket {

// How events reach the plugin; each runs on the connection's delivery thread
// (or, for a plugin's own close, on the calling thread) and must return.
struct Callbacks {
  std::function<void(const wire::TextMessageRequest&, const CancelToken&)> text;
  std::function<void(const wire::BinaryMessageRequest&, const CancelToken&)> binary;
  std::function<void(const wire::ErrorRequest&, const CancelToken&)> error;
  std::function<void(const wire::CloseRequest&, const CancelToken&)> close;
};

struct WebSocketOptions {
  std::vector<std::string> required_hosts;
  std::string ca_file;  // extra trust anchors for wss (tests, private CAs)
  size_t max_message_bytes = 16 << 20;
  size_t max_connections = 64;
  size_t max_pending_messages = 256;  // waiting for the plugin: more pauses reading
  std::chrono::milliseconds handshake_timeout{30000};
  std::chrono::milliseconds write_timeout{10000};
};

class Connection;

class WebSocketService final : public services::WebSocketService {
 public:
  explicit WebSocketService(WebSocketOptions options);
  ~WebSocketService() override;

  void Start(Callbacks callbacks);
  void Stop();

  Result<wire::WebSocketConnectResponse> Connect(HostCallContext& context,
                                                 const wire::WebSocketConnectRequest& request) override;
  Status SendText(HostCallContext& context, const wire::WebSocketSendTextRequest& request) override;
  Status SendBinary(HostCallContext& context, const wire::WebSocketSendBinaryRequest& request) override;
  Status CloseConnection(HostCallContext& context, const wire::WebSocketCloseConnectionRequest& request) override;

  size_t open_connections() const;

 private:
  friend class Connection;
  std::shared_ptr<Connection> Find(const std::string& id) const;
  void Forget(const std::string& id, const Connection* which);
  Status Send(HostCallContext& context, const std::string& id, const std::string& data, bool binary);

  const WebSocketOptions options_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::thread io_thread_;
  mutable Mutex mu_;
  Callbacks callbacks_ PIER_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Connection>> open_ PIER_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Connection>> all_ PIER_GUARDED_BY(mu_);  // every one made, for Stop
  bool started_ PIER_GUARDED_BY(mu_) = false;
  bool stopped_ PIER_GUARDED_BY(mu_) = false;
};

}  // namespace pier::websocket
