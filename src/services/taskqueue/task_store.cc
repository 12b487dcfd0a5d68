#include "services/taskqueue/task_store.h"

#include "common/random_id.h"

namespace pier::taskqueue {

std::string NewTaskId() { return NewTimeOrderedId(); }

CompletionWrite DescribeCompletion(const Completion& done, int64_t now) {
  CompletionWrite w{.status = kPending};
  switch (done.outcome) {
    case Outcome::kCompleted: w.status = kCompleted, w.set_message = true; break;
    case Outcome::kRetry: w.status = kPending, w.set_error = true, w.run_at = done.retry_at_ms; break;
    case Outcome::kFailed: w.status = kFailed, w.set_message = w.set_error = true; break;
    case Outcome::kReleased: w.status = kPending, w.set_error = !done.message.empty(), w.run_at = now; break;
    case Outcome::kCancelled: w.status = kCancelled, w.set_message = w.set_error = true; break;
  }
  w.attempt_delta = done.started && !done.start_recorded ? 1 : !done.started && done.start_recorded ? -1 : 0;
  return w;
}

Status CancelRefused(std::string_view id, std::string_view status) {
  if (status.empty()) return NotFoundError("task " + GoQuote(id) + " not found");
  return FailedPreconditionError("task " + GoQuote(id) + " cannot be cancelled (status: " + std::string(status) + ")");
}

Status RetryRefused(std::string_view id, std::string_view status) {
  if (status.empty()) return NotFoundError("task " + GoQuote(id) + " not found");
  if (status == kFailed || status == kCancelled) {
    return FailedPreconditionError("task " + GoQuote(id) +
                                   " cannot be retried: another task with its unique key is pending or running");
  }
  return FailedPreconditionError("task " + GoQuote(id) + " cannot be retried (status: " + std::string(status) + ")");
}

Status DeleteRefused(std::string_view id, std::string_view status) {
  if (status.empty()) return NotFoundError("task " + GoQuote(id) + " not found");
  return FailedPreconditionError("task " + GoQuote(id) + " cannot be deleted while it runs (status: " +
                                 std::string(status) + "); cancel it first");
}

Status RunNowRefused(std::string_view id, std::string_view status) {
  if (status.empty()) return NotFoundError("task " + GoQuote(id) + " not found");
  return FailedPreconditionError("task " + GoQuote(id) + " cannot be run now: only a pending task can (status: " +
                                 std::string(status) + ")");
}

void AddToStats(QueueStats& stats, std::string_view status, int64_t n) {
  if (status == kPending) stats.pending += n;
  if (status == kRunning) stats.running += n;
  if (status == kCompleted) stats.completed += n;
  if (status == kFailed) stats.failed += n;
  if (status == kCancelled) stats.cancelled += n;
}

Result<std::vector<TaskRow>> TaskStore::Claim(const ClaimRequest& claim, int64_t now_ms) {
  PIER_ASSIGN_OR_RETURN(Exchange e, FinishAndClaim(Round{.claim = &claim}, now_ms));
  return std::move(e.claimed);
}

Result<TaskStore::Enqueued> TaskStore::EnqueueAndClaim(const std::vector<NewTask>& tasks, const ClaimRequest& claim,
                                                      int64_t now_ms) {
  Enqueued out;
  PIER_ASSIGN_OR_RETURN(out.ids, Enqueue(tasks, now_ms));
  auto claimed = Claim(claim, now_ms);
  // The tasks are stored: a failed claim leaves them to the dispatcher.
  if (claimed.ok()) out.claimed = std::move(*claimed);
  return out;
}

Result<int64_t> TaskStore::Finish(const std::vector<Completion>& completions, int64_t now_ms) {
  PIER_ASSIGN_OR_RETURN(Exchange e, FinishAndClaim(Round{.completions = completions}, now_ms));
  return e.finished;
}

}  // namespace pier::taskqueue
