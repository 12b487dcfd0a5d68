// Compiles cleanly under -Werror=thread-safety: every guarded access is under its mutex.
#include "common/mutex.h"

namespace {

class Counter {
 public:
  void Add(int n) {
    pier::MutexLock lock(mu_);
    AddLocked(n);
    cv_.NotifyAll();
  }
  int WaitAtLeast(int n) {
    pier::MutexLock lock(mu_);
    cv_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return value_ >= n; });
    return value_;
  }

 private:
  void AddLocked(int n) PIER_REQUIRES(mu_) { value_ += n; }
  pier::Mutex mu_;
  pier::CondVar cv_;
  int value_ PIER_GUARDED_BY(mu_) = 0;
};

}  // namespace

int UseCounter() {
  Counter c;
  c.Add(1);
  return c.WaitAtLeast(1);
}
