// The admin listener's event streams (HttpResponse::push): chunks sent from
// any thread arrive in order, a stream holds no handler thread, a client
// that leaves is noticed, and stopping the server with a channel still held
// is safe. Real sockets on 127.0.0.1.
#include "http/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "support/wait.h"

namespace pier::http {
namespace {

using namespace std::chrono_literals;

class PushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(ServerOptions{.handler_threads = 2});
    server_->router().Add("GET", "/events", [this](const HttpRequest&, HttpResponse& res) {
      res.content_type = "text/event-stream";
      res.push = [this](std::shared_ptr<PushChannel> channel) {
        MutexLock lock(mu_);
        channels_.push_back(std::move(channel));
      };
    });
    server_->router().Add("GET", "/health", [](const HttpRequest&, HttpResponse& res) { res.body = "{}"; });
    ASSERT_TRUE(server_->Listen("127.0.0.1", 0).ok());
    // One request first: cpp-httplib sets up static parsers on its first use, which TSan (not seeing
    // inside Debian's uninstrumented library) would report as a race between the readers below.
    httplib::Client warm("127.0.0.1", server_->port());
    ASSERT_TRUE(warm.Get("/health"));
  }
  void TearDown() override {
    {
      MutexLock lock(mu_);
      channels_.clear();
    }
    server_.reset();
  }
  size_t Channels() {
    MutexLock lock(mu_);
    return channels_.size();
  }
  std::shared_ptr<PushChannel> Channel(size_t i) {
    MutexLock lock(mu_);
    return channels_.at(i);
  }

  // Reads /events on its own thread until `stop` or the server closes it.
  struct Reader {
    std::thread thread;
    std::atomic<bool> stop{false}, ended{false};
    Mutex mu;
    std::string got PIER_GUARDED_BY(mu);
    std::string Got() {
      MutexLock lock(mu);
      return got;
    }
  };
  void Read(Reader& r) {
    r.thread = std::thread([this, &r] {
      httplib::Client c("127.0.0.1", server_->port());
      c.set_read_timeout(10, 0);
      c.Get("/events", [&](const char* data, size_t n) {
        MutexLock lock(r.mu);
        r.got.append(data, n);
        return !r.stop.load();
      });
      r.ended = true;
    });
  }

  std::unique_ptr<HttpServer> server_;
  Mutex mu_;
  std::vector<std::shared_ptr<PushChannel>> channels_ PIER_GUARDED_BY(mu_);
};

TEST_F(PushTest, ChunksFromAnyThreadArriveInOrderAndHoldNoHandlerThread) {
  Reader readers[4];  // more streams than handler threads
  for (Reader& r : readers) Read(r);
  ASSERT_TRUE(testing::WaitFor([&] { return Channels() == 4; }, 5s));
  // Every handler thread is free: an ordinary request is answered.
  httplib::Client c("127.0.0.1", server_->port());
  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  std::vector<std::thread> senders;
  for (size_t i = 0; i < 4; ++i) {
    senders.emplace_back([ch = Channel(i)] {
      for (int n = 0; n < 200; ++n) EXPECT_TRUE(ch->Send("event " + std::to_string(n) + "\n"));
    });
  }
  for (auto& t : senders) t.join();
  std::string expected;
  for (int n = 0; n < 200; ++n) expected += "event " + std::to_string(n) + "\n";
  for (Reader& r : readers) {
    EXPECT_TRUE(testing::WaitFor([&] { return r.Got() == expected; }, 5s)) << r.Got().size();
  }
  for (size_t i = 0; i < 4; ++i) Channel(i)->Close();
  for (Reader& r : readers) {
    EXPECT_TRUE(testing::WaitFor([&] { return r.ended.load(); }, 5s)) << "closing the channel ends the response";
    r.thread.join();
  }
}

TEST_F(PushTest, AClientThatLeavesIsNoticedWithoutASend) {
  Reader r;
  Read(r);
  ASSERT_TRUE(testing::WaitFor([&] { return Channels() == 1; }, 5s));
  auto ch = Channel(0);
  EXPECT_TRUE(ch->Send("hello\n"));
  ASSERT_TRUE(testing::WaitFor([&] { return r.Got() == "hello\n"; }, 5s));
  r.stop = true;
  EXPECT_TRUE(ch->Send("bye\n"));  // wakes the reader, which then hangs up
  r.thread.join();
  EXPECT_TRUE(testing::WaitFor([&] { return !ch->open(); }, 5s)) << "the connection's end is seen";
  EXPECT_FALSE(ch->Send("anyone?\n"));
}

TEST_F(PushTest, StoppingTheServerClosesHeldChannels) {
  Reader r;
  Read(r);
  ASSERT_TRUE(testing::WaitFor([&] { return Channels() == 1; }, 5s));
  auto ch = Channel(0);
  server_->Stop();
  EXPECT_TRUE(testing::WaitFor([&] { return r.ended.load(); }, 5s));
  r.thread.join();
  EXPECT_FALSE(ch->open());
  EXPECT_FALSE(ch->Send("late\n"));
}

}  // namespace
}  // namespace pier::http
