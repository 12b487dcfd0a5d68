#include "admin/event_hub.h"

#include "common/thread.h"

namespace pier {

namespace {

std::string Event(const char* name, const std::string& data) {
  // One line of data: the document is JSON dumped without newlines.
  return std::string("event: ") + name + "\ndata: " + data + "\n\n";
}

}  // namespace

EventHub::EventHub(std::function<Overview::Snapshot()> snapshot, Metrics* metrics) : snapshot_(std::move(snapshot)) {
  if (metrics != nullptr) {
    open_ = metrics->GetGauge("pier_dashboard_streams", "Dashboard event streams open now.");
    refused_ = metrics->GetCounter("pier_dashboard_streams_refused_total",
                                   "Dashboard event streams refused because the cap was reached.");
    sent_ = metrics->GetCounter("pier_dashboard_events_total", "Events sent to dashboard streams.");
  }
}

void EventHub::Start() {
  MutexLock lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = StartThread("pier-events", [this] { Loop(); });
}

void EventHub::Stop() {
  std::vector<Stream> closing;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    closing.swap(streams_);
    cv_.NotifyAll();
  }
  if (thread_.joinable()) thread_.join();
  for (Stream& s : closing) s.channel->Close();
  open_.Set(0);
}

bool EventHub::Add(std::shared_ptr<http::PushChannel> channel) {
  MutexLock lock(mu_);
  if (stopping_ || !started_ || streams_.size() >= kMaxStreams) {
    refused_.Add();
    return false;
  }
  // Tell the client how soon to come back if the stream drops (ms).
  channel->Send("retry: 2000\n\n");
  streams_.push_back({std::move(channel), 0});
  open_.Set(static_cast<double>(streams_.size()));
  cv_.NotifyAll();  // the newcomer gets the document now, not at the next tick
  return true;
}

size_t EventHub::streams() const {
  MutexLock lock(mu_);
  return streams_.size();
}

void EventHub::Loop() {
  auto last_beat = std::chrono::steady_clock::now();
  MutexLock lock(mu_);
  while (!stopping_) {
    // Asleep while nobody listens; otherwise every tick (or at once for a newcomer).
    cv_.WaitFor(mu_, kTick, [&]() PIER_REQUIRES(mu_) {
      if (stopping_) return true;
      for (const Stream& s : streams_) {
        if (s.sent == 0) return true;
      }
      return false;
    });
    if (stopping_) break;
    if (streams_.empty()) continue;
    lock.Unlock();
    const Overview::Snapshot doc = snapshot_();  // shared, at most two builds a second
    const auto now = std::chrono::steady_clock::now();
    const bool beat = now - last_beat >= kHeartbeat;
    if (beat) last_beat = now;
    lock.Lock();
    std::erase_if(streams_, [&](Stream& s) PIER_REQUIRES(mu_) {
      bool open = s.channel->open();
      if (open && s.sent != doc.revision) {
        open = s.channel->Send(Event("overview", doc.json));
        s.sent = doc.revision;
        sent_.Add();
      } else if (open && beat) {
        open = s.channel->Send(": still here\n\n");
      }
      return !open;
    });
    open_.Set(static_cast<double>(streams_.size()));
  }
}

}  // namespace pier
