// SchedulerService: the Scheduler host service (spec §6.3), one per loaded
// plugin.
//
// The original's contract: one-time schedules (`delaySeconds` from now; 0 or
// less fires at once; forgotten once their callback returned) and recurring
// ones (the cron dialect of cron.h, in the server's zone unless TZ= says
// otherwise; they run until cancelled), a caller's `scheduleId` or a
// generated 22-character one, unique across both kinds, reusable after a
// one-time schedule fired or after a cancel, and the original's messages
// (`schedule ID "x" already exists`, `failed to schedule task: <parse
// error>`, `schedule ID "x" not found`). Each firing calls the plugin's
// nd_scheduler_callback with {scheduleId, payload, isRecurring}; runs may
// overlap (up to `max_concurrent` at once; later firings wait their turn,
// and beyond `max_waiting` they are skipped with a warning); a callback may
// call the host, this service included. Nothing is persisted: plugins
// re-create schedules in nd_on_init.
//
// Stop() (unload) cancels every schedule, interrupts running callbacks and
// waits for them, so nothing calls the plugin afterwards.
//
//   SchedulerService s({});
//   host.scheduler = &s;  ... load the plugin ...
//   s.Start([&](const wire::SchedulerCallbackRequest& r, const CancelToken& c) { call the plugin });
//   s.Stop();
//
// Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "pier/cancel.h"
#include "pier/metrics.h"
#include "pier/services/scheduler.h"
#include "services/scheduler/cron.h"

namespace pier::scheduler {

// Runs one firing; returns what went wrong ("" when the callback succeeded).
using Callback = std::function<std::string(const wire::SchedulerCallbackRequest& request, const CancelToken& cancel)>;

struct SchedulerOptions {
  std::function<int64_t()> now_ms;            // unset: the system clock (Unix ms)
  const date::time_zone* local_zone = nullptr;  // unset: the server's
  int max_concurrent = 8;
  size_t max_waiting = 1000;
  size_t max_schedules = 10000;
  // Upper bound of one real-time sleep; tests with a fake clock make it short.
  std::chrono::milliseconds max_sleep{1000};
  // Due time -> callback start of every firing, and firings skipped because
  // max_waiting were already waiting (default handles: not counted).
  Histogram lag;
  Counter skipped;
};

struct ScheduleInfo {
  std::string id;
  std::string payload;
  bool recurring = false;
  std::string cron;  // recurring: the expression as given
  std::string zone;
  int64_t next_ms = 0;   // 0: firing now
  int64_t runs = 0;
  std::vector<int64_t> upcoming;  // the next firings (up to kUpcoming), by the schedule's own rules
  int64_t last_ms = 0;            // when the last firing's callback started; 0: never
  bool last_ok = false;
  std::string last_error;         // the last firing's failure ("" when it succeeded)
};

inline constexpr size_t kUpcoming = 5;

class SchedulerService final : public services::SchedulerService {
 public:
  explicit SchedulerService(SchedulerOptions options = {});
  ~SchedulerService() override;

  // Starts firing through `callback` (schedules made before are kept).
  void Start(Callback callback);
  void Stop();

  Result<wire::SchedulerScheduleOneTimeResponse> ScheduleOneTime(
      HostCallContext& context, const wire::SchedulerScheduleOneTimeRequest& request) override;
  Result<wire::SchedulerScheduleRecurringResponse> ScheduleRecurring(
      HostCallContext& context, const wire::SchedulerScheduleRecurringRequest& request) override;
  Status CancelSchedule(HostCallContext& context, const wire::SchedulerCancelScheduleRequest& request) override;

  std::vector<ScheduleInfo> Schedules() const;
  // Fires schedule `id` now, besides its own times (a one-time schedule
  // fires now instead). NotFound when there is none.
  Status RunNow(std::string_view id);
  // Cancels schedule `id` (what scheduler_cancelschedule does, for administrators).
  Status Cancel(std::string_view id);

 private:
  struct Entry {
    std::string payload;
    std::optional<CronSchedule> cron;  // none: one-time
    std::string cron_text;
    int64_t next_ms = 0;  // 0 while a one-time callback runs
    int64_t runs = 0;
    uint64_t generation = 0;  // tells a re-created ID from the one that fired
    int64_t last_ms = 0;
    bool last_ok = false;
    std::string last_error;
  };
  struct Firing {
    std::string id;
    uint64_t generation;
    int64_t due_ms;
    wire::SchedulerCallbackRequest request;
  };

  int64_t Now() const;
  Result<std::string> Add(std::string id, Entry entry);
  void TimerLoop();
  void WorkerLoop();

  const SchedulerOptions options_;
  mutable Mutex mu_;
  CondVar timer_cv_, work_cv_, idle_cv_;
  std::map<std::string, Entry, std::less<>> entries_ PIER_GUARDED_BY(mu_);
  std::deque<Firing> waiting_ PIER_GUARDED_BY(mu_);
  std::map<uint64_t, CancelToken> running_ PIER_GUARDED_BY(mu_);  // by firing number
  uint64_t next_generation_ PIER_GUARDED_BY(mu_) = 1;
  uint64_t next_firing_ PIER_GUARDED_BY(mu_) = 1;
  Callback callback_ PIER_GUARDED_BY(mu_);
  bool started_ PIER_GUARDED_BY(mu_) = false;
  bool stopped_ PIER_GUARDED_BY(mu_) = false;
  std::thread timer_;
  std::vector<std::thread> workers_;
};

}  // namespace pier::scheduler
