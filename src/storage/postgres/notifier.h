// Notifier: one connection per node that LISTENs to Pier's channels and
// hands each notification to the subscribers of its plugin. The stores of
// every node publish on these channels (with pg_notify, delivered when the
// publishing transaction commits), so a dispatcher on one node wakes the
// moment another node enqueues, frees capacity, pauses or cancels.
//
// Channels and payloads (fields separated by \x1f):
//   pier_wake    plugin, queue          work may be due in the queue
//   pier_pause   plugin, queue, "1"|"0" the queue was paused / resumed
//   pier_cancel  plugin, task id        interrupt the task if you run it
//
// A lost connection is re-established with back-off; afterwards every
// subscriber's `resync` runs, since notifications sent meanwhile are lost.
//
// Thread-safe. Callbacks run on the notifier's thread, one at a time;
// Unsubscribe returns only once no callback of that subscription runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "storage/postgres/connection.h"

namespace pier::pg {

inline constexpr std::string_view kWakeChannel = "pier_wake";
inline constexpr std::string_view kPauseChannel = "pier_pause";
inline constexpr std::string_view kCancelChannel = "pier_cancel";
inline constexpr char kFieldSeparator = '\x1f';

struct Notification {
  std::string channel;
  std::vector<std::string> fields;  // after the plugin
};

struct Subscriber {
  std::function<void(const Notification&)> notify;
  std::function<void()> resync;
};

class Notifier {
 public:
  explicit Notifier(ConnectOptions options);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Connects and starts listening; kUnavailable when the server cannot be reached.
  Status Start();
  void Stop();

  uint64_t Subscribe(const std::string& plugin, Subscriber subscriber);
  void Unsubscribe(uint64_t id);

  // Notifications received since Start (tests, statistics).
  int64_t received() const { return received_.load(); }

 private:
  void Loop();
  void Deliver(const std::string& channel, const std::string& payload);
  void ResyncAll();
  Status Listen(Connection& c);

  const ConnectOptions options_;
  std::unique_ptr<Connection> conn_;  // used by the loop thread only (after Start)
  int wake_fd_ = -1;                  // eventfd: Stop() wakes the loop
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> received_{0};
  std::thread loop_;

  Mutex mu_;  // held while a callback runs
  uint64_t next_id_ PIER_GUARDED_BY(mu_) = 1;
  std::multimap<std::string, std::pair<uint64_t, Subscriber>> subs_ PIER_GUARDED_BY(mu_);  // by plugin
};

}  // namespace pier::pg
