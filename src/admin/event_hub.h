// EventHub: the dashboard's server-sent events (GET /api/events). Every open
// stream gets the shared overview document (event "overview") when it joins
// and whenever its revision changes; the hub asks for it every kTick, and
// Overview builds it at most twice a second however many streams listen, so
// ten tabs cost what one does. While no stream is open nothing is built. A
// comment goes out every kHeartbeat so a vanished client is noticed. At most
// kMaxStreams streams at once: one more is refused (503) and the dashboard
// falls back to polling.
//
//   EventHub hub([&] { return overview.Current(); }, metrics);
//   hub.Start();
//   if (!hub.Add(channel)) ...;   // full
//   hub.Stop();                   // closes every stream (before the HTTP server stops)
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "admin/overview.h"
#include "common/mutex.h"
#include "http/router.h"
#include "pier/metrics.h"

namespace pier {

class EventHub {
 public:
  static constexpr size_t kMaxStreams = 16;
  static constexpr std::chrono::milliseconds kTick{250};
  static constexpr std::chrono::seconds kHeartbeat{15};

  EventHub(std::function<Overview::Snapshot()> snapshot, Metrics* metrics = nullptr);
  ~EventHub() { Stop(); }
  void Start();
  void Stop() PIER_EXCLUDES(mu_);

  // Takes the stream; false (and it is left alone) when kMaxStreams are open or the hub stopped.
  bool Add(std::shared_ptr<http::PushChannel> channel) PIER_EXCLUDES(mu_);
  size_t streams() const PIER_EXCLUDES(mu_);

 private:
  struct Stream {
    std::shared_ptr<http::PushChannel> channel;
    uint64_t sent = 0;  // the revision it has; 0: none yet
  };
  void Loop() PIER_EXCLUDES(mu_);

  const std::function<Overview::Snapshot()> snapshot_;
  Gauge open_;
  Counter refused_, sent_;
  mutable Mutex mu_;
  CondVar cv_;
  bool stopping_ PIER_GUARDED_BY(mu_) = false;
  bool started_ PIER_GUARDED_BY(mu_) = false;
  std::vector<Stream> streams_ PIER_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace pier
