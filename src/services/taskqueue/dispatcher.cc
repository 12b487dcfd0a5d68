#include "services/taskqueue/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>

#include "common/duration.h"
#include "common/thread.h"
#include "services/taskqueue/task_service.h"

namespace pier::taskqueue {

namespace {

constexpr double kClaimAheadUs = 5000;  // keep about 5 ms of short tasks claimed ahead

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

QueueDispatcher::QueueDispatcher(TaskStore& store, QueueSettings settings, DispatcherOptions options)
    : store_(store), settings_(std::move(settings)), options_(std::move(options)), paused_(settings_.paused) {}

QueueDispatcher::~QueueDispatcher() { Stop(); }

int64_t QueueDispatcher::Now() const { return options_.now_ms ? options_.now_ms() : SystemNowMs(); }

void QueueDispatcher::Log(const std::string& message) const {
  if (options_.log_error) {
    options_.log_error(message);
  } else {
    spdlog::error("{}", message);
  }
}

void QueueDispatcher::Start() {
  MutexLock lock(mu_);
  if (started_) return;
  started_ = true;
  // Both hand work on as soon as they wake: short scheduler turns keep an
  // idle queue's enqueue -> start quick beside busy cores.
  loop_ = StartThread("pier-tq-loop", [this] {
    RequestShortTimeSlices();
    Loop();
  });
  for (int i = 0; i < std::max(settings_.concurrency, 1); ++i) {
    workers_.push_back(StartThread("pier-tq-work", [this] {
      RequestShortTimeSlices();
      Work();
    }));
  }
}

void QueueDispatcher::Stop() {
  std::vector<Completion> given_back;
  {
    MutexLock lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    given_back = TakeReady(Outcome::kReleased);
    loop_cv_.NotifyAll();
    work_cv_.NotifyAll();
    if (!settled_cv_.WaitFor(mu_, options_.shutdown_grace, [&]() PIER_REQUIRES(mu_) { return running_.empty(); })) {
      for (auto& [id, r] : running_) {
        r.reason = Interrupt::kStop;
        r.token.Cancel();
      }
    }
  }
  for (auto& w : workers_) w.join();
  loop_.join();
  std::vector<Completion> rest;
  {
    MutexLock lock(mu_);
    rest.swap(done_);
    // Nothing claimed but unstarted survives Stop, whatever raced with it.
    for (Completion& c : TakeReady(Outcome::kReleased)) rest.push_back(std::move(c));
  }
  rest.insert(rest.end(), given_back.begin(), given_back.end());
  // Marks a failed round could not write (every call has ended by now).
  std::vector<Started> marks;
  {
    MutexLock lock(mu_);
    for (auto& [id, mark] : starts_) marks.push_back({id, options_.owner, mark.row});
    starts_.clear();
  }
  Commit(std::move(rest), std::move(marks));
}

void QueueDispatcher::Wake(int64_t due_ms) {
  MutexLock lock(mu_);
  if (due_ms <= Now()) {
    wake_ = true;
    ++wake_generation_;
  } else {
    DueAt(due_ms);
  }
  loop_cv_.NotifyAll();
}

void QueueDispatcher::SetPaused(bool paused) {
  std::vector<Completion> given_back;
  {
    MutexLock lock(mu_);
    paused_ = paused;
    if (paused) {
      given_back = TakeReady(Outcome::kReleased);
    } else {
      wake_ = true;
      ++wake_generation_;
    }
    loop_cv_.NotifyAll();
  }
  Commit(std::move(given_back));
}

bool QueueDispatcher::IsBuffered(const std::string& id) const {
  MutexLock lock(mu_);
  return std::any_of(ready_.begin(), ready_.end(), [&](const TaskRow& t) { return t.id == id; });
}

bool QueueDispatcher::StartUnrecorded(const std::string& id) const {
  MutexLock lock(mu_);
  return starts_.contains(id);
}

bool QueueDispatcher::Cancel(const std::string& id, bool interrupt_running, bool wait) {
  MutexLock lock(mu_);
  auto it = std::find_if(ready_.begin(), ready_.end(), [&](const TaskRow& t) { return t.id == id; });
  if (it != ready_.end()) {
    Completion c = GiveBack(*it, Outcome::kCancelled);
    ready_.erase(it);
    lock.Unlock();
    Commit({std::move(c)});
    return true;
  }
  auto run = running_.find(id);
  if (!interrupt_running || run == running_.end()) return false;
  run->second.reason = Interrupt::kCancel;
  run->second.token.Cancel();
  if (!wait) return true;
  settled_cv_.WaitFor(mu_, options_.shutdown_grace,
                       [&]() PIER_REQUIRES(mu_) { return !running_.contains(id) && !uncommitted_.contains(id); });
  return true;
}

int64_t QueueDispatcher::CancelBuffered() {
  std::vector<Completion> cancelled;
  {
    MutexLock lock(mu_);
    cancelled = TakeReady(Outcome::kCancelled);
  }
  const int64_t n = static_cast<int64_t>(cancelled.size());
  Commit(std::move(cancelled));
  return n;
}

int QueueDispatcher::FreeSlots() const {
  return Capacity() - static_cast<int>(ready_.size() + running_.size()) - reserved_;
}

ClaimRequest QueueDispatcher::ClaimFor(int max) const {
  // A claimed task's lease outlasts its longest possible call.
  return ClaimRequest{.queue = settings_.name, .owner = options_.owner,
                      .lease_ms = SaturatingAdd(options_.call_timeout.count(), options_.lease_slack.count()),
                      .max = max};
}

std::optional<ClaimRequest> QueueDispatcher::ReserveClaim(int due) {
  if (store_.shared()) return std::nullopt;
  MutexLock lock(mu_);
  if (!started_ || stopping_ || paused_ || settings_.delay_ms > 0 || due <= 0) return std::nullopt;
  const int free = FreeSlots();
  if (free <= 0) return std::nullopt;
  const int max = std::min(free, due);
  reserved_ += max;
  return ClaimFor(max);
}

void QueueDispatcher::HandOff(const ClaimRequest& reserved, std::vector<TaskRow> claimed) {
  std::vector<Completion> given_back;
  {
    MutexLock lock(mu_);
    reserved_ -= reserved.max;
    if (stopping_ || paused_) {
      // As a claim of the loop's that a stop or pause overtook.
      for (const TaskRow& t : claimed) given_back.push_back(GiveBack(t, Outcome::kReleased));
    } else if (!claimed.empty()) {
      for (TaskRow& t : claimed) ready_.push_back(std::move(t));
      work_cv_.NotifyAll();
    }
  }
  Commit(std::move(given_back));
}

void QueueDispatcher::DueAt(int64_t due_ms) {
  if (next_due_ == 0 || due_ms < next_due_) next_due_ = due_ms;
}

std::vector<Completion> QueueDispatcher::TakeReady(Outcome outcome) {
  std::vector<Completion> out;
  for (const TaskRow& t : ready_) out.push_back(GiveBack(t, outcome));
  ready_.clear();
  return out;
}

Completion QueueDispatcher::GiveBack(const TaskRow& t, Outcome outcome) const {
  Completion c{.id = t.id, .owner = options_.owner, .outcome = outcome, .started = false, .row = t.row};
  if (outcome == Outcome::kCancelled) {
    c.message = "cancelled before it started";
    options_.metrics.cancelled.Add();
  }
  return c;
}

std::vector<Started> QueueDispatcher::TakeDueStarts(std::chrono::steady_clock::time_point now) {
  std::vector<Started> out;
  for (auto& [id, mark] : starts_) {
    if (mark.in_round || now - mark.at < options_.start_record_delay) continue;
    mark.in_round = true;
    out.push_back({id, options_.owner, mark.row});
  }
  return out;
}

std::optional<std::chrono::steady_clock::time_point> QueueDispatcher::NextStartDue() const {
  std::optional<std::chrono::steady_clock::time_point> due;
  for (const auto& [id, mark] : starts_) {
    if (!mark.in_round && (!due || mark.at < *due)) due = mark.at;
  }
  if (due) *due += options_.start_record_delay;
  return due;
}

void QueueDispatcher::Commit(std::vector<Completion> completions, std::vector<Started> started) {
  if (completions.empty() && started.empty()) return;
  auto r = store_.FinishAndClaim(Round{.started = std::move(started), .completions = std::move(completions)}, Now());
  if (!r.ok()) Log("task queue " + settings_.name + ": " + r.status().message());
}

int QueueDispatcher::Capacity() const {
  int ahead = 0;
  if (settings_.delay_ms <= 0 && exec_ewma_us_ > 0) {
    ahead = static_cast<int>(std::min<double>(options_.max_prefetch, kClaimAheadUs / exec_ewma_us_));
  }
  return std::max(settings_.concurrency, 1) + ahead;
}

void QueueDispatcher::Loop() {
  MutexLock lock(mu_);
  int64_t last_poll = Now();
  std::chrono::steady_clock::time_point last_round{};  // end of the last round
  while (!stopping_) {
    const int64_t now = Now();
    if (next_due_ != 0 && now >= next_due_) {
      wake_ = true;
      next_due_ = 0;
    }
    if (now - last_poll >= options_.fallback_poll.count()) {
      wake_ = true;  // belt and braces: the store may have been changed by someone else
      last_poll = now;
    }
    const int free = FreeSlots();
    // Under a rate limit a claimed task spends its token when its call
    // starts: with one still waiting in ready_, claiming another would let
    // both start together once a slow worker picks them up. Work() wakes
    // this loop when it takes one.
    const bool token_in_hand = settings_.delay_ms > 0 && !ready_.empty();
    const bool token = settings_.delay_ms <= 0 || (now >= next_token_ && !token_in_hand);
    const bool claim = !paused_ && free > 0 && wake_ && token;
    const auto steady_now = std::chrono::steady_clock::now();
    const auto start_due = NextStartDue();
    const bool marks = start_due && *start_due <= steady_now;
    const auto since_round = steady_now - last_round;
    if ((claim || !done_.empty()) && !marks && since_round < options_.round_spacing && !store_.shared()) {
      // Right after a round: let what trickles in join the next one. (A
      // shared store's round is a network round trip, which does that itself.)
      loop_cv_.WaitFor(mu_, options_.round_spacing - since_round);
      continue;
    }
    if (done_.empty() && !claim && !marks) {
      int64_t until = last_poll + options_.fallback_poll.count();
      if (!paused_ && next_due_ != 0) until = std::min(until, next_due_);
      if (!paused_ && wake_ && !token && !token_in_hand) until = std::min(until, next_token_);
      auto sleep = std::chrono::milliseconds(std::clamp<int64_t>(until - now, 1, options_.max_sleep.count()));
      if (start_due) {
        sleep = std::min(sleep, std::chrono::ceil<std::chrono::milliseconds>(*start_due - steady_now));
        sleep = std::max(sleep, std::chrono::milliseconds(1));
      }
      loop_cv_.WaitFor(mu_, sleep);
      continue;
    }
    std::vector<Completion> completions;
    completions.swap(done_);
    std::vector<Started> started = TakeDueStarts(steady_now);
    int want = claim ? free : 0;
    if (settings_.delay_ms > 0) want = std::min(want, 1);
    const uint64_t generation = wake_generation_;
    const ClaimRequest request = ClaimFor(want);
    lock.Unlock();

    auto exchange =
        store_.FinishAndClaim(Round{.started = started, .completions = completions,
                                    .claim = want > 0 ? &request : nullptr}, now);
    std::optional<int64_t> next;
    if (exchange.ok() && want > 0 && static_cast<int>(exchange->claimed.size()) < want && !exchange->held_until) {
      auto n = store_.NextRunAt(settings_.name);
      if (n.ok()) next = *n;
    }

    lock.Lock();
    last_round = std::chrono::steady_clock::now();
    if (!exchange.ok()) {
      Log("task queue " + settings_.name + ": " + exchange.status().message());
      // Keep the marks and outcomes for the next round; try again shortly.
      for (const Started& mark : started) {
        if (auto it = starts_.find(mark.id); it != starts_.end()) it->second.in_round = false;
      }
      done_.insert(done_.begin(), completions.begin(), completions.end());
      loop_cv_.WaitFor(mu_, std::chrono::milliseconds(100));
      continue;
    }
    for (const Started& mark : started) starts_.erase(mark.id);
    for (const Completion& c : completions) uncommitted_.erase(c.id);
    settled_cv_.NotifyAll();
    if (want > 0 && (stopping_ || paused_)) {
      // Stop() or a pause came while this claim was in flight: what it took
      // goes back uncounted (Stop commits done_ after joining this thread).
      for (const TaskRow& t : exchange->claimed) done_.push_back(GiveBack(t, Outcome::kReleased));
      exchange->claimed.clear();
      loop_cv_.NotifyAll();
    } else if (want > 0) {
      if (settings_.delay_ms > 0 && !exchange->claimed.empty()) next_token_ = SaturatingAdd(now, settings_.delay_ms);
      for (TaskRow& t : exchange->claimed) ready_.push_back(std::move(t));
      if (!ready_.empty()) work_cv_.NotifyAll();
      if (exchange->held_until) {
        // A limit shared with other nodes: their completions wake us.
        if (wake_generation_ == generation) wake_ = false;
        DueAt(std::max(*exchange->held_until, now + 1));
      } else if (static_cast<int>(exchange->claimed.size()) < want) {
        if (wake_generation_ == generation) wake_ = false;
        if (next && *next > now) DueAt(*next);
        if (next && *next <= now) wake_ = true;  // became due while we claimed
      }
    }
  }
}

void QueueDispatcher::Work() {
  MutexLock lock(mu_);
  while (true) {
    work_cv_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return stopping_ || (!ready_.empty() && !paused_); });
    if (stopping_) return;
    TaskRow task = std::move(ready_.front());
    ready_.pop_front();
    // The spacing holds between call starts, not only claims: a worker that
    // wakes late pushes the next token back.
    if (settings_.delay_ms > 0) {
      next_token_ = std::max(next_token_, SaturatingAdd(Now(), settings_.delay_ms));
      loop_cv_.NotifyOne();  // the loop may claim the next one when the token is due
    }
    Running& slot = running_[task.id];
    ++task.attempt;  // this call is the next attempt; stored when its start or completion is written
    // The loop's sleep is bounded by the earliest pending mark; with none
    // pending it may sleep for fallback_poll, so the first one wakes it.
    const bool first_mark = !NextStartDue().has_value();
    starts_[task.id] = StartMark{.at = std::chrono::steady_clock::now(), .row = task.row};
    if (first_mark) loop_cv_.NotifyOne();
    TaskCall call;
    call.request = wire::TaskExecuteRequest{task.queue, task.id, task.payload, task.attempt};
    call.cancel = slot.token;
    if (task.timeout_ms > 0) call.timeout = std::chrono::milliseconds(std::min(task.timeout_ms, options_.call_timeout.count()));
    lock.Unlock();

    const QueueMetrics& m = options_.metrics;
    m.attempts.Add();
    m.wait.Observe(static_cast<double>(std::max<int64_t>(0, Now() - task.next_run_at)) / 1000.0);
    const auto start = std::chrono::steady_clock::now();
    TaskCallResult result = options_.execute(call);
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    m.run.Observe(us / 1e6);

    lock.Lock();
    const Interrupt reason = running_[task.id].reason;
    running_.erase(task.id);
    exec_ewma_us_ = exec_ewma_us_ >= 1e6 ? us : exec_ewma_us_ * 0.9 + us * 0.1;
    const int64_t now = Now();
    Completion c = Judge(task, result, reason, now);
    Count(task, c.outcome, now);
    // Its start is written already, or goes in the round being committed
    // (applied before this completion, in that round or the next).
    auto mark = starts_.find(task.id);
    c.start_recorded = mark == starts_.end() || mark->second.in_round;
    if (mark != starts_.end() && !mark->second.in_round) starts_.erase(mark);
    uncommitted_.insert(c.id);
    done_.push_back(std::move(c));
    settled_cv_.NotifyAll();
    loop_cv_.NotifyAll();
  }
}

void QueueDispatcher::Count(const TaskRow& t, Outcome outcome, int64_t now) const {
  const QueueMetrics& m = options_.metrics;
  switch (outcome) {
    case Outcome::kCompleted:
    case Outcome::kFailed:
      (outcome == Outcome::kCompleted ? m.completed : m.failed).Add();
      m.end_to_end.Observe(static_cast<double>(std::max<int64_t>(0, now - t.created_at)) / 1000.0);
      break;
    case Outcome::kCancelled: m.cancelled.Add(); break;
    case Outcome::kRetry: m.retried.Add(); break;
    case Outcome::kReleased: m.released.Add(); break;
  }
}

Completion QueueDispatcher::Judge(const TaskRow& t, const TaskCallResult& result, Interrupt reason, int64_t now) {
  Completion c{.id = t.id, .owner = options_.owner, .row = t.row};
  if (reason == Interrupt::kCancel) {
    c.outcome = Outcome::kCancelled;
    c.message = "cancelled while running (attempt " + std::to_string(t.attempt) + ")";
    return c;
  }
  if (result.ok) {
    c.outcome = Outcome::kCompleted;
    c.message = result.message;
    return c;
  }
  const bool exhausted = t.attempt > t.max_retries;
  if (reason == Interrupt::kStop) {
    // Like a crash: the attempt counts, and a task that used its retries stops.
    c.message = "attempt " + std::to_string(t.attempt) + " did not finish: its worker stopped or crashed";
    c.outcome = exhausted ? Outcome::kFailed : Outcome::kReleased;
    return c;
  }
  c.message = result.message;
  if (exhausted) {
    c.outcome = Outcome::kFailed;
    return c;
  }
  c.outcome = Outcome::kRetry;
  c.retry_at_ms = SaturatingAdd(now, RetryDelayMs(t.backoff_ms, t.attempt));
  DueAt(c.retry_at_ms);
  return c;
}

}  // namespace pier::taskqueue
