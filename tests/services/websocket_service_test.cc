// The WebSocket service's contract (spec §6.4) against a real loopback
// WebSocket server, plain and TLS with a test CA.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "services/websocket/websocket_service.h"
#include "support/loopback_web_server.h"
#include "support/wait.h"
#include "support/test_call_context.h"

namespace pier::websocket {
namespace {

using namespace std::chrono_literals;

using Context = pier::testing::TestCallContext;

struct Event {
  std::string kind, connection, data;
  int code = 0;
};

class WebSocketTest : public ::testing::Test {
 protected:
  void Start(WebSocketOptions options = {}) {
    if (options.required_hosts.empty()) options.required_hosts = {"127.0.0.1"};
    service_ = std::make_unique<WebSocketService>(std::move(options));
    Callbacks c;
    c.text = [this](const wire::TextMessageRequest& r, const CancelToken& t) { Record({"text", r.connection_id, r.message}, t); };
    c.binary = [this](const wire::BinaryMessageRequest& r, const CancelToken& t) { Record({"binary", r.connection_id, r.data}, t); };
    c.error = [this](const wire::ErrorRequest& r, const CancelToken& t) { Record({"error", r.connection_id, r.error}, t); };
    c.close = [this](const wire::CloseRequest& r, const CancelToken& t) {
      Record({"close", r.connection_id, r.reason, r.code}, t);
    };
    service_->Start(std::move(c));
  }
  void Record(Event e, const CancelToken& token) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
    }
    if (on_event_) on_event_(e, token);
  }
  std::vector<Event> Events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  bool WaitEvents(size_t n) { return testing::WaitFor([&] { return Events().size() >= n; }, 5000ms); }
  Result<std::string> Connect(const std::string& url, const std::string& id = "", std::map<std::string, std::string> headers = {}) {
    auto r = service_->Connect(ctx_, {url, std::move(headers), id});
    if (!r.ok()) return r.status();
    return r->new_connection_id;
  }
  Status Send(const std::string& id, const std::string& text) { return service_->SendText(ctx_, {id, text}); }

  testing::LoopbackWebServer server_;
  Context ctx_;
  std::mutex mu_;
  std::vector<Event> events_;
  std::function<void(const Event&, const CancelToken&)> on_event_;
  std::unique_ptr<WebSocketService> service_;
};

TEST_F(WebSocketTest, UrlsAndHostsAreChecked) {
  Start({.required_hosts = {"*.example.com"}});
  EXPECT_EQ(Connect("http://127.0.0.1/").status().message(), "invalid URL scheme: must be ws:// or wss://");
  EXPECT_EQ(Connect(server_.WsUrl("/ws")).status().message(),
            "host \"127.0.0.1:" + std::to_string(server_.port()) + "\" is not allowed");
  EXPECT_FALSE(Connect("not a url").ok());
  WebSocketService none({});
  none.Start({});
  Context ctx;
  EXPECT_NE(none.Connect(ctx, {server_.WsUrl("/ws"), {}, ""}).status().message().find("is not allowed"),
            std::string::npos) << "an empty list allows nothing";
}

TEST_F(WebSocketTest, ConnectsSendsAndReceivesInOrder) {
  Start();
  auto id = Connect(server_.WsUrl("/ws?x=1"), "", {{"x-api-key", "secret"}});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->size(), 22u);
  EXPECT_EQ(Connect(server_.WsUrl("/ws"), *id).status().message(), "connection ID \"" + *id + "\" already exists");
  ASSERT_TRUE(testing::WaitFor([&] { return server_.connections() == 1; }, 2000ms));
  bool saw_header = false;
  for (const auto& [name, value] : server_.HandshakeHeaders(0)) saw_header |= name == "x-api-key" && value == "secret";
  EXPECT_TRUE(saw_header);
  ASSERT_TRUE(Send(*id, "burst 200").ok());
  ASSERT_TRUE(WaitEvents(200));
  auto events = Events();
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(events[i].kind, "text");
    EXPECT_EQ(events[i].data, "m" + std::to_string(i)) << "in order";
    EXPECT_EQ(events[i].connection, *id);
  }
  ASSERT_TRUE(Send(*id, "binary").ok());
  ASSERT_TRUE(WaitEvents(201));
  EXPECT_EQ(Events()[200].kind, "binary");
  EXPECT_EQ(Events()[200].data.size(), 256u);
  ASSERT_TRUE(service_->SendBinary(ctx_, {*id, std::string("\0\1\2", 3)}).ok());
  ASSERT_TRUE(testing::WaitFor([&] { return server_.Received(0).size() == 3; }, 2000ms));
  EXPECT_TRUE(server_.Received(0)[2].binary);
  EXPECT_EQ(server_.Received(0)[2].data, std::string("\0\1\2", 3));
}

TEST_F(WebSocketTest, ConcurrentSendsAreSerialised) {
  Start();
  auto id = Connect(server_.WsUrl("/ws"), "c").value();
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) ASSERT_TRUE(Send(id, "t" + std::to_string(t) + "-" + std::string(1000, 'x')).ok());
    });
  }
  for (auto& s : senders) s.join();
  ASSERT_TRUE(testing::WaitFor([&] { return server_.Received(0).size() == 800; }, 5000ms));
  for (const auto& m : server_.Received(0)) EXPECT_EQ(m.data.size(), 1003u) << "every frame intact";
}

TEST_F(WebSocketTest, RemoteClosesAndErrorsMapAsTheOriginal) {
  Start();
  auto expect_end = [&](const std::string& command, const std::string& kind, int code, const std::string& data) {
    const size_t before = Events().size();
    auto id = Connect(server_.WsUrl("/ws")).value();
    ASSERT_TRUE(Send(id, command).ok());
    ASSERT_TRUE(WaitEvents(before + 1)) << command;
    const Event e = Events()[before];
    EXPECT_EQ(e.kind, kind) << command;
    EXPECT_EQ(e.data, data) << command;
    if (kind == "close") EXPECT_EQ(e.code, code) << command;
    EXPECT_TRUE(testing::WaitFor([&] { return Send(id, "x").code() == StatusCode::kNotFound; }, 2000ms))
        << "the connection is forgotten";
    EXPECT_EQ(Send(id, "x").message(), "connection ID \"" + id + "\" not found");
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(Events().size(), before + 1) << command << ": exactly one event";
  };
  expect_end("close 1000 bye", "close", 1000, "bye");
  expect_end("close 1001 away", "close", 1001, "away");
  expect_end("close 4001 custom", "error", 0, "websocket: close 4001: custom");
  expect_end("close 1011 oops", "error", 0, "websocket: close 1011 (internal server error): oops");
  expect_end("drop", "error", 0, "websocket: close 1006 (abnormal closure): unexpected EOF");
}

TEST_F(WebSocketTest, APluginsOwnCloseCallsOnCloseWithItsCodeAtOnce) {
  Start();
  auto id = Connect(server_.WsUrl("/ws"), "mine").value();
  ASSERT_TRUE(service_->CloseConnection(ctx_, {id, 1000, "closed by plugin"}).ok());
  auto events = Events();
  ASSERT_EQ(events.size(), 1u) << "synchronously, before CloseConnection returns";
  EXPECT_EQ(events[0].kind, "close");
  EXPECT_EQ(events[0].code, 1000);
  EXPECT_EQ(events[0].data, "closed by plugin");
  EXPECT_TRUE(testing::WaitFor([&] { return server_.ClientCloseCode(0) == 1000; }, 2000ms));
  EXPECT_EQ(service_->CloseConnection(ctx_, {id, 1000, ""}).message(), "connection ID \"mine\" not found");
  EXPECT_TRUE(Connect(server_.WsUrl("/ws"), "mine").ok()) << "the ID is free again";
}

TEST_F(WebSocketTest, CallbacksMayCallTheServiceAndCloseFromInside) {
  on_event_ = [&](const Event& e, const CancelToken&) {
    if (e.kind != "text") return;
    if (e.data == "echo") ASSERT_TRUE(Send(e.connection, "echo:echo").ok());
    if (e.data == "close") ASSERT_TRUE(service_->CloseConnection(ctx_, {e.connection, 1000, "closed by plugin"}).ok());
  };
  Start();
  auto id = Connect(server_.WsUrl("/ws")).value();
  ASSERT_TRUE(testing::WaitFor([&] { return server_.connections() == 1; }, 2000ms));
  std::this_thread::sleep_for(50ms);
  server_.Send(0, "echo");
  ASSERT_TRUE(testing::WaitFor([&] { return server_.Received(0).size() == 1; }, 2000ms));
  EXPECT_EQ(server_.Received(0)[0].data, "echo:echo");
  server_.Send(0, "close");
  ASSERT_TRUE(WaitEvents(3));
  EXPECT_EQ(Events()[2].kind, "close");
  EXPECT_EQ(Events()[2].data, "closed by plugin");
  EXPECT_EQ(service_->open_connections(), 0u);
}

TEST_F(WebSocketTest, MessagesOverTheCapEndTheConnection) {
  Start({.max_message_bytes = 1024});
  auto id = Connect(server_.WsUrl("/ws")).value();
  ASSERT_TRUE(Send(id, "big 1000").ok());
  ASSERT_TRUE(Send(id, "big 5000").ok());
  ASSERT_TRUE(WaitEvents(2));
  EXPECT_EQ(Events()[0].data.size(), 1000u);
  EXPECT_EQ(Events()[1].kind, "error");
  EXPECT_EQ(Events()[1].data, "websocket: read limit exceeded");
}

TEST_F(WebSocketTest, ASlowPluginPausesReadingAndLosesNothing) {
  on_event_ = [](const Event&, const CancelToken&) { std::this_thread::sleep_for(1ms); };
  Start({.max_pending_messages = 16});
  auto id = Connect(server_.WsUrl("/ws")).value();
  ASSERT_TRUE(Send(id, "burst 1000").ok());
  ASSERT_TRUE(testing::WaitFor([&] { return Events().size() == 1000; }, 20000ms));
  auto events = Events();
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(events[i].data, "m" + std::to_string(i));
}

TEST_F(WebSocketTest, StopClosesEveryConnectionAndInterruptsCallbacks) {
  std::atomic<bool> interrupted = false;
  on_event_ = [&](const Event& e, const CancelToken& token) {
    if (e.data != "m0") return;
    while (!token.cancelled()) std::this_thread::sleep_for(1ms);
    interrupted = true;
  };
  Start();
  auto a = Connect(server_.WsUrl("/ws")).value();
  auto b = Connect(server_.WsUrl("/ws")).value();
  ASSERT_TRUE(Send(a, "burst 1").ok());
  ASSERT_TRUE(WaitEvents(1));
  service_->Stop();
  EXPECT_TRUE(interrupted);
  EXPECT_TRUE(testing::WaitFor([&] { return server_.ClientCloseCode(0) == 1001 && server_.ClientCloseCode(1) == 1001; },
                               3000ms));
  EXPECT_EQ(Events().size(), 1u) << "no event after unload";
  EXPECT_FALSE(Connect(server_.WsUrl("/ws")).ok());
}

TEST(WebSocketTls, WssWithATestCaAndRefusedWithoutIt) {
  testing::TestCa ca(std::filesystem::path(::testing::TempDir()) / ("pier-ws-ca-" + std::to_string(getpid())));
  testing::LoopbackWebServer server(&ca);
  Context ctx;
  WebSocketService trusted({.required_hosts = {"127.0.0.1"}, .ca_file = ca.ca_pem().string()});
  std::atomic<int> texts = 0;
  trusted.Start({.text = [&](const wire::TextMessageRequest&, const CancelToken&) { ++texts; }});
  auto id = trusted.Connect(ctx, {server.WsUrl("/ws"), {}, ""});
  ASSERT_TRUE(id.ok()) << id.status().message();
  ASSERT_TRUE(trusted.SendText(ctx, {id->new_connection_id, "burst 3"}).ok());
  EXPECT_TRUE(testing::WaitFor([&] { return texts == 3; }, 3000ms));
  WebSocketService untrusted({.required_hosts = {"127.0.0.1"}});
  untrusted.Start({});
  auto refused = untrusted.Connect(ctx, {server.WsUrl("/ws"), {}, ""});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().rfind("failed to connect: tls:", 0), 0u) << refused.status().message();
}

TEST_F(WebSocketTest, ConnectionErrorsAreTheOriginalsWords) {
  Start();
  auto refused = Connect("ws://127.0.0.1:1/ws");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "failed to connect: dial tcp 127.0.0.1:1: connect: connection refused");
  EXPECT_EQ(service_->SendText(ctx_, {"nope", "x"}).message(), "connection ID \"nope\" not found");
  EXPECT_EQ(service_->SendBinary(ctx_, {"nope", "x"}).message(), "connection ID \"nope\" not found");
}

}  // namespace
}  // namespace pier::websocket
