// EpochTicker: advances the engines' epoch every `period` while plugin calls
// run, so each running store's epoch callback can check its own deadline and
// cancellation. The epoch never interrupts anything by itself: a store
// continues unless its own call is over (see instance.cc), so one call's
// timeout never disturbs another's.
//
// Once no call has run for a while the thread sleeps, so an idle host does
// not wake up a thousand times a second; a call arriving wakes it.
//
//   EpochTicker ticker([&] { engines.IncrementEpochs(); }, 1ms);
//   { EpochTicker::ActiveCall active(ticker); /* run the call */ }
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "common/mutex.h"

namespace pier::internal {

class EpochTicker {
 public:
  EpochTicker(std::function<void()> tick, std::chrono::milliseconds period);
  ~EpochTicker();
  EpochTicker(const EpochTicker&) = delete;
  EpochTicker& operator=(const EpochTicker&) = delete;

  // Marks a call in flight for its lifetime.
  class ActiveCall {
   public:
    explicit ActiveCall(EpochTicker& t) : t_(t) { t_.Begin(); }
    ~ActiveCall() { t_.active_.fetch_sub(1, std::memory_order_relaxed); }
    ActiveCall(const ActiveCall&) = delete;
    ActiveCall& operator=(const ActiveCall&) = delete;

   private:
    EpochTicker& t_;
  };

 private:
  void Begin();
  void Run();

  std::function<void()> tick_;
  const std::chrono::milliseconds period_;
  std::atomic<int> active_{0};
  std::atomic<bool> sleeping_{false};
  Mutex mu_;
  CondVar cv_;
  bool stop_ PIER_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace pier::internal
