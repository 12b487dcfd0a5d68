// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with
// the annotations clang's thread-safety analysis checks (thread_annotations.h).
// Host code uses these rather than the std types so that every
// PIER_GUARDED_BY field is proven to be touched only under its mutex.
//
//   MutexLock lock(mu_);
//   cv_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return stop_ || !queue_.empty(); });
//
// Thread-safe (they are the synchronisation).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/thread_annotations.h"

namespace pier {

class PIER_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() PIER_ACQUIRE() { mu_.lock(); }
  void Unlock() PIER_RELEASE() { mu_.unlock(); }
  bool TryLock() PIER_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis the caller holds this mutex where it cannot see it.
  void AssertHeld() const PIER_ASSERT_HELD(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope; Unlock/Lock let a caller drop it for a stretch
// (a plugin call, a blocking write) and take it back.
class PIER_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) PIER_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() PIER_RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() PIER_RELEASE() {
    mu_.Unlock();
    held_ = false;
  }
  void Lock() PIER_ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// Waits release the mutex while blocked and hold it again when they return.
// The predicate forms wait until the predicate holds (checked under the
// mutex); the timed forms return false on timeout (the predicate forms: the
// predicate's value then).
class CondVar {
 public:
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

  void Wait(Mutex& mu) PIER_REQUIRES(mu) {
    Adopted lock(mu);
    cv_.wait(lock.l);
  }
  template <typename Predicate>
  void Wait(Mutex& mu, Predicate done) PIER_REQUIRES(mu) {
    Adopted lock(mu);
    cv_.wait(lock.l, done);
  }
  template <typename Rep, typename Period>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> d) PIER_REQUIRES(mu) {
    Adopted lock(mu);
    return cv_.wait_for(lock.l, d) == std::cv_status::no_timeout;
  }
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> d, Predicate done) PIER_REQUIRES(mu) {
    Adopted lock(mu);
    return cv_.wait_for(lock.l, d, done);
  }
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, Duration> t) PIER_REQUIRES(mu) {
    Adopted lock(mu);
    return cv_.wait_until(lock.l, t) == std::cv_status::no_timeout;
  }
  template <typename Clock, typename Duration, typename Predicate>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, Duration> t, Predicate done)
      PIER_REQUIRES(mu) {
    Adopted lock(mu);
    return cv_.wait_until(lock.l, t, done);
  }

 private:
  // The caller's hold on the mutex, lent to the std wait and given back.
  struct Adopted {
    explicit Adopted(Mutex& mu) : l(mu.mu_, std::adopt_lock) {}
    ~Adopted() { l.release(); }
    std::unique_lock<std::mutex> l;
  };
  std::condition_variable cv_;
};

}  // namespace pier
