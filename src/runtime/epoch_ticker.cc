#include "runtime/epoch_ticker.h"

#include "common/thread.h"

namespace pier::internal {

namespace {
// Ticks kept going after the last call ends before the thread sleeps: back-to-back
// calls then never pay for a wake-up.
constexpr int kIdleTicksBeforeSleep = 200;
}  // namespace

EpochTicker::EpochTicker(std::function<void()> tick, std::chrono::milliseconds period)
    : tick_(std::move(tick)), period_(period.count() > 0 ? period : std::chrono::milliseconds(1)) {
  thread_ = StartThread("pier-epoch", [this] { Run(); });
}

EpochTicker::~EpochTicker() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  thread_.join();
}

void EpochTicker::Begin() {
  // Sequentially consistent on both sides: either this sees the ticker asleep
  // and wakes it, or the ticker's wait predicate sees this call.
  active_.fetch_add(1);
  if (sleeping_.load()) {
    MutexLock lock(mu_);
    cv_.NotifyOne();
  }
}

void EpochTicker::Run() {
  int idle = 0;
  MutexLock lock(mu_);
  while (!stop_) {
    if (active_.load(std::memory_order_relaxed) > 0) {
      idle = 0;
    } else if (++idle > kIdleTicksBeforeSleep) {
      sleeping_.store(true);
      cv_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return stop_ || active_.load() > 0; });
      sleeping_.store(false);
      idle = 0;
      continue;
    }
    cv_.WaitFor(mu_, period_, [&]() PIER_REQUIRES(mu_) { return stop_; });
    if (!stop_) tick_();
  }
}

}  // namespace pier::internal
