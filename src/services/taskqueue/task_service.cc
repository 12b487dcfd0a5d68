#include "services/taskqueue/task_service.h"

#include <algorithm>
#include <chrono>
#include <climits>

namespace pier::taskqueue {

namespace {

Status QueueMissing(std::string_view name) { return NotFoundError("queue " + GoQuote(name) + " does not exist"); }

}  // namespace

int64_t RetryDelayMs(int64_t backoff_ms, int32_t attempt) {
  const int shift = attempt - 1;
  if (shift < 0 || shift >= 63) return kMaxBackoffMs;
  // A left shift that loses bits (or goes negative) counts as overflow.
  if (backoff_ms > (INT64_MAX >> shift)) return kMaxBackoffMs;
  const int64_t delay = backoff_ms << shift;
  return delay <= 0 || delay > kMaxBackoffMs ? kMaxBackoffMs : delay;
}

TaskQueueService::TaskQueueService(std::unique_ptr<TaskStore> store, TaskServiceOptions options)
    : store_(std::move(store)), options_(std::move(options)) {}

int64_t TaskQueueService::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status TaskQueueService::CreateQueue(HostCallContext&, const wire::TaskCreateQueueRequest& request) {
  const std::string& name = request.name;
  if (name.empty()) return InvalidArgumentError("queue name cannot be empty");
  if (name.size() > kMaxQueueNameBytes) {
    return InvalidArgumentError("queue name exceeds maximum length of 128 bytes");
  }
  QueueSettings q;
  q.name = name;
  q.concurrency = request.config.concurrency > 0 ? request.config.concurrency : kDefaultConcurrency;
  q.max_retries = request.config.max_retries;
  q.backoff_ms = request.config.backoff_ms > 0 ? request.config.backoff_ms : kDefaultBackoffMs;
  q.delay_ms = request.config.delay_ms;
  q.retention_ms = request.config.retention_ms > 0 ? request.config.retention_ms : kDefaultRetentionMs;
  q.retention_ms = std::clamp(q.retention_ms, kMinRetentionMs, kMaxRetentionMs);

  std::lock_guard<std::mutex> lock(mu_);
  if (created_.contains(name)) return AlreadyExistsError("queue " + GoQuote(name) + " already exists");
  const int32_t available = options_.max_concurrency - allocated_;
  if (available <= 0) {
    return ResourceExhaustedError("concurrency budget exhausted (" + std::to_string(allocated_) + "/" +
                                  std::to_string(options_.max_concurrency) + " allocated)");
  }
  q.concurrency = std::min(q.concurrency, available);
  PIER_RETURN_IF_ERROR(store_->SaveQueue(q));
  allocated_ += q.concurrency;
  created_[name] = q;
  return OkStatus();
}

Result<wire::TaskEnqueueResponse> TaskQueueService::Enqueue(HostCallContext&,
                                                           const wire::TaskEnqueueRequest& request) {
  QueueSettings q;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = created_.find(request.queue_name);
    if (it == created_.end()) return QueueMissing(request.queue_name);
    q = it->second;
  }
  if (request.payload.size() > kMaxPayloadBytes) {
    return InvalidArgumentError("payload size " + std::to_string(request.payload.size()) +
                                " exceeds maximum of 1048576 bytes");
  }
  NewTask t;
  t.queue = q.name;
  t.payload = request.payload;  // a JSON null payload arrives as empty bytes, not an error
  t.max_retries = q.max_retries;
  t.backoff_ms = q.backoff_ms;
  PIER_ASSIGN_OR_RETURN(auto ids, store_->Enqueue({t}, Now()));
  return wire::TaskEnqueueResponse{ids.at(0)};
}

Result<wire::TaskGetResponse> TaskQueueService::Get(HostCallContext&, const wire::TaskGetRequest& request) {
  auto row = store_->Get(request.task_id);
  if (!row.ok()) return row.status().WithContext("getting task info");
  if (!row->has_value()) return NotFoundError("task " + GoQuote(request.task_id) + " not found");
  const TaskRow& t = **row;
  return wire::TaskGetResponse{wire::TaskInfo{t.status, t.message, t.attempt}};
}

Status TaskQueueService::Cancel(HostCallContext&, const wire::TaskCancelRequest& request) {
  return store_->Cancel(request.task_id, Now());
}

Result<wire::TaskClearQueueResponse> TaskQueueService::ClearQueue(HostCallContext&,
                                                                 const wire::TaskClearQueueRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!created_.contains(request.queue_name)) return QueueMissing(request.queue_name);
  }
  PIER_ASSIGN_OR_RETURN(int64_t n, store_->CancelPending(request.queue_name, Now()));
  return wire::TaskClearQueueResponse{n};
}

std::vector<QueueSettings> TaskQueueService::queues() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<QueueSettings> out;
  for (const auto& [name, q] : created_) out.push_back(q);
  return out;
}

}  // namespace pier::taskqueue
