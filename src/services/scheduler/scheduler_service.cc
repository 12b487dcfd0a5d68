#include "services/scheduler/scheduler_service.h"

#include <spdlog/spdlog.h>

#include "common/duration.h"
#include "common/go_quote.h"
#include "common/random_id.h"
#include "common/thread.h"

namespace pier::scheduler {

SchedulerService::SchedulerService(SchedulerOptions options) : options_(std::move(options)) {}

SchedulerService::~SchedulerService() { Stop(); }

int64_t SchedulerService::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SchedulerService::Start(Callback callback) {
  MutexLock lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  callback_ = std::move(callback);
  timer_ = StartThread("pier-sched", [this] { TimerLoop(); });
  for (int i = 0; i < std::max(options_.max_concurrent, 1); ++i) workers_.push_back(StartThread("pier-sched-work", [this] { WorkerLoop(); }));
}

void SchedulerService::Stop() {
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    entries_.clear();
    waiting_.clear();
    for (auto& [n, token] : running_) token.Cancel();
    timer_cv_.NotifyAll();
    work_cv_.NotifyAll();
  }
  if (timer_.joinable()) timer_.join();
  for (auto& w : workers_) w.join();  // each returns once its callback (interrupted) returned
}

Result<std::string> SchedulerService::Add(std::string id, Entry entry) {
  MutexLock lock(mu_);
  if (stopped_) return FailedPreconditionError("the scheduler is stopped (plugin unloading)");
  if (id.empty()) {
    do id = NewRandomId();
    while (entries_.contains(id));
  } else if (entries_.contains(id)) {
    return AlreadyExistsError("schedule ID " + GoQuote(id) + " already exists");
  }
  if (entries_.size() >= options_.max_schedules) {
    return ResourceExhaustedError("too many schedules (" + std::to_string(options_.max_schedules) + "); cancel some first");
  }
  entry.generation = next_generation_++;
  entries_.emplace(id, std::move(entry));
  timer_cv_.NotifyAll();
  return id;
}

Result<wire::SchedulerScheduleOneTimeResponse> SchedulerService::ScheduleOneTime(
    HostCallContext&, const wire::SchedulerScheduleOneTimeRequest& r) {
  Entry e;
  e.payload = r.payload;
  e.next_ms = SaturatingAdd(Now(), std::max<int64_t>(r.delay_seconds, 0) * 1000);
  if (e.next_ms == 0) e.next_ms = 1;
  PIER_ASSIGN_OR_RETURN(std::string id, Add(r.schedule_id, std::move(e)));
  return wire::SchedulerScheduleOneTimeResponse{id};
}

Result<wire::SchedulerScheduleRecurringResponse> SchedulerService::ScheduleRecurring(
    HostCallContext&, const wire::SchedulerScheduleRecurringRequest& r) {
  auto cron = CronSchedule::Parse(r.cron_expression, options_.local_zone);
  if (!cron.ok()) return InvalidArgumentError("failed to schedule task: " + cron.status().message());
  Entry e;
  e.payload = r.payload;
  e.cron_text = r.cron_expression;
  // A schedule that never matches ("0 0 30 2 *") is accepted and never fires, as in the original.
  e.next_ms = cron->Next(Now()).value_or(INT64_MAX);
  e.cron = std::move(*cron);
  PIER_ASSIGN_OR_RETURN(std::string id, Add(r.schedule_id, std::move(e)));
  return wire::SchedulerScheduleRecurringResponse{id};
}

Status SchedulerService::CancelSchedule(HostCallContext&, const wire::SchedulerCancelScheduleRequest& r) {
  return Cancel(r.schedule_id);
}

Status SchedulerService::Cancel(std::string_view id) {
  MutexLock lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return NotFoundError("schedule ID " + GoQuote(id) + " not found");
  entries_.erase(it);
  timer_cv_.NotifyAll();
  return OkStatus();
}

Status SchedulerService::RunNow(std::string_view id) {
  MutexLock lock(mu_);
  if (stopped_) return FailedPreconditionError("the scheduler is stopped");
  auto it = entries_.find(id);
  if (it == entries_.end()) return NotFoundError("schedule ID " + GoQuote(id) + " not found");
  Entry& e = it->second;
  if (!e.cron && e.next_ms == 0) return FailedPreconditionError("schedule ID " + GoQuote(id) + " is firing now");
  if (waiting_.size() >= options_.max_waiting) {
    return ResourceExhaustedError(std::to_string(waiting_.size()) + " callbacks are already waiting");
  }
  ++e.runs;
  const int64_t now = Now();
  waiting_.push_back(Firing{it->first, e.generation, now,
                            wire::SchedulerCallbackRequest{it->first, e.payload, e.cron.has_value()}});
  if (!e.cron) e.next_ms = 0;  // fires now instead of at its time
  work_cv_.NotifyOne();
  return OkStatus();
}

std::vector<ScheduleInfo> SchedulerService::Schedules() const {
  MutexLock lock(mu_);
  std::vector<ScheduleInfo> out;
  for (const auto& [id, e] : entries_) {
    ScheduleInfo info{id, e.payload, e.cron.has_value(), e.cron_text, e.cron ? e.cron->zone_name() : "", e.next_ms, e.runs};
    info.last_ms = e.last_ms;
    info.last_ok = e.last_ok;
    info.last_error = e.last_error;
    if (e.next_ms > 0 && e.next_ms != INT64_MAX) info.upcoming.push_back(e.next_ms);
    if (e.cron) {
      while (info.upcoming.size() < kUpcoming && !info.upcoming.empty()) {
        auto next = e.cron->Next(info.upcoming.back());
        if (!next || *next == INT64_MAX) break;
        info.upcoming.push_back(*next);
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

void SchedulerService::TimerLoop() {
  MutexLock lock(mu_);
  while (!stopped_) {
    const int64_t now = Now();
    int64_t earliest = 0;
    for (auto& [id, e] : entries_) {
      if (e.next_ms == 0) continue;  // a one-time schedule whose callback runs
      if (e.next_ms > now) {
        earliest = earliest == 0 ? e.next_ms : std::min(earliest, e.next_ms);
        continue;
      }
      ++e.runs;
      Firing f{id, e.generation, e.next_ms, wire::SchedulerCallbackRequest{id, e.payload, e.cron.has_value()}};
      if (e.cron) {
        const auto next = e.cron->Next(now);
        e.next_ms = next.value_or(INT64_MAX);
        earliest = earliest == 0 ? e.next_ms : std::min(earliest, e.next_ms);
      } else {
        e.next_ms = 0;
      }
      if (waiting_.size() >= options_.max_waiting) {
        spdlog::warn("scheduler: firing of {} skipped: {} callbacks are already waiting", id, waiting_.size());
        options_.skipped.Add();
        if (!e.cron) entries_.erase(id);
        break;  // the map changed; the next round goes on
      }
      waiting_.push_back(std::move(f));
      work_cv_.NotifyOne();
    }
    const int64_t wait = earliest == 0 ? options_.max_sleep.count()
                                       : std::clamp<int64_t>(earliest - now, 1, options_.max_sleep.count());
    timer_cv_.WaitFor(mu_, std::chrono::milliseconds(wait));
  }
}

void SchedulerService::WorkerLoop() {
  MutexLock lock(mu_);
  while (true) {
    work_cv_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return stopped_ || !waiting_.empty(); });
    if (stopped_) return;
    Firing f = std::move(waiting_.front());
    waiting_.pop_front();
    const uint64_t n = next_firing_++;
    CancelToken token = running_[n];
    Callback callback = callback_;
    lock.Unlock();
    const int64_t started = Now();
    options_.lag.Observe(static_cast<double>(std::max<int64_t>(0, started - f.due_ms)) / 1000.0);
    std::string error = callback(f.request, token);
    lock.Lock();
    running_.erase(n);
    if (auto it = entries_.find(f.id); it != entries_.end() && it->second.generation == f.generation) {
      it->second.last_ms = started;
      it->second.last_ok = error.empty();
      it->second.last_error = std::move(error);
    }
    // A one-time schedule is forgotten once its callback returned (unless
    // the plugin cancelled it and made a new one with the same ID meanwhile).
    if (auto it = entries_.find(f.id); it != entries_.end() && !it->second.cron && it->second.generation == f.generation) {
      entries_.erase(it);
    }
    idle_cv_.NotifyAll();
  }
}

}  // namespace pier::scheduler
