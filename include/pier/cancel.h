// CancelToken: cancels one plugin call from any thread.
//
//   pier::CancelToken token;
//   std::thread t([&] { plugin->Call("run", "", {.cancel = token}); });
//   token.Cancel();  // only that call traps, with TrapKind::kCancelled
//
// Copies share one flag. Cancelling is sticky: a token stays cancelled.
// Thread-safe.
#pragma once

#include <atomic>
#include <memory>

namespace pier {

class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}

  void Cancel() const { flag_->store(true, std::memory_order_release); }
  bool cancelled() const { return flag_->load(std::memory_order_acquire); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace pier
