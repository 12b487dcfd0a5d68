#include "services/taskqueue/task_service.h"

#include "common/duration.h"
#include "common/host_name.h"
#include "common/thread.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <thread>

#include <spdlog/spdlog.h>

namespace pier::taskqueue {

namespace {

Status QueueMissing(std::string_view name) { return NotFoundError("queue " + GoQuote(name) + " does not exist"); }

std::string RunId() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(getpid()) + "-" + std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

Status PayloadFits(size_t size) {
  if (size <= kMaxPayloadBytes) return OkStatus();
  return InvalidArgumentError("payload size " + std::to_string(size) + " exceeds maximum of 1048576 bytes");
}

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
    : store_(std::move(store)),
      options_(std::move(options)),
      node_prefix_((options_.node.empty() ? HostName() : options_.node) + "/"),
      owner_(node_prefix_ + RunId()) {
  if (options_.metrics) {
    queue_metrics_ = options_.metrics->AddCollector([this](MetricWriter& w) { CollectQueues(w); });
  }
}

TaskQueueService::~TaskQueueService() {
  queue_metrics_.Reset();
  Stop();
}

void TaskQueueService::CollectQueues(MetricWriter& w) {
  auto all = AllQueueStats();
  if (!all.ok()) return;
  const int64_t now = Now();
  for (const wire::QueueStats& s : *all) {
    auto due = store_->NextRunAt(s.name);
    CollectQueueStats(w, options_.plugin, s, due.ok() ? *due : std::nullopt, now);
  }
}

QueueMetrics TaskQueueService::MetricsFor(std::string_view queue) const {
  if (!options_.metrics) return {};
  if (auto d = DispatcherFor(queue)) return d->metrics();
  return QueueMetrics::For(*options_.metrics, options_.plugin, std::string(queue));
}

int64_t TaskQueueService::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status TaskQueueService::EnsureOpen() const {
  MutexLock lock(mu_);
  return CheckOpen();
}

Status TaskQueueService::CheckOpen() const {
  if (stopped_) return FailedPreconditionError("task queues are closed: the plugin is being unloaded");
  return OkStatus();
}

void TaskQueueService::Start(TaskExecutor execute) {
  // A previous run of this node is dead: its tasks come back at once.
  auto recovered = store_->RecoverLeases(Now(), node_prefix_, owner_);
  if (!recovered.ok()) {
    spdlog::error("task queue recovery: {}", recovered.status().message());
  } else if (*recovered > 0) {
    spdlog::info("task queue: recovered {} task(s) left running by a previous run", *recovered);
  }
  {
    MutexLock lock(mu_);
    if (execute_ || stopped_) return;
    execute_ = std::move(execute);
    for (const auto& [name, q] : created_) StartDispatcher(q);
    maintenance_ = StartThread("pier-tq-maint", [this] { MaintenanceLoop(); });
  }
  if (store_->shared()) WatchOtherNodes();
}

void TaskQueueService::WatchOtherNodes() {
  StoreEvents events;
  events.work = [this](const std::string& queue) {
    if (auto d = DispatcherFor(queue)) d->Wake(Now());
  };
  events.paused = [this](const std::string& queue, bool paused) { ApplyPaused(queue, paused); };
  events.cancel = [this](const std::string& id) {
    for (auto& d : Dispatchers()) {
      if (d->Cancel(id, /*interrupt_running=*/true, /*wait=*/false)) break;
    }
  };
  events.resync = [this] {
    // Notifications were lost while the listener reconnected: re-read
    // what they would have said.
    if (auto stored = store_->LoadQueues(); stored.ok()) {
      for (const QueueSettings& q : *stored) ApplyPaused(q.name, q.paused);
    }
    for (auto& d : Dispatchers()) d->Wake(Now());
  };
  store_->Watch(std::move(events));
}

void TaskQueueService::ApplyPaused(std::string_view queue, bool paused) {
  {
    MutexLock lock(mu_);
    auto it = created_.find(queue);
    if (it == created_.end() || it->second.paused == paused) return;
    it->second.paused = paused;
  }
  if (auto d = DispatcherFor(queue)) d->SetPaused(paused);
}

void TaskQueueService::Stop() {
  store_->Watch({});  // no other node's event reaches a stopping service
  std::map<std::string, std::shared_ptr<QueueDispatcher>, std::less<>> dispatchers;
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    dispatchers.swap(dispatchers_);
    maintenance_cv_.NotifyAll();
  }
  // Stop them together: each may wait out its grace period.
  std::vector<std::thread> stoppers;
  for (auto& [name, d] : dispatchers) stoppers.push_back(StartThread("pier-tq-stop", [d = d] { d->Stop(); }));
  for (auto& t : stoppers) t.join();
  if (maintenance_.joinable()) maintenance_.join();
}

void TaskQueueService::StartDispatcher(const QueueSettings& q) {
  DispatcherOptions d = options_.dispatch;
  d.owner = owner_;
  d.execute = execute_;
  d.now_ms = options_.now_ms;
  if (options_.metrics) d.metrics = QueueMetrics::For(*options_.metrics, options_.plugin, q.name);
  auto dispatcher = std::make_shared<QueueDispatcher>(*store_, q, std::move(d));
  dispatcher->Start();
  dispatchers_[q.name] = std::move(dispatcher);
}

std::shared_ptr<QueueDispatcher> TaskQueueService::DispatcherFor(std::string_view queue) const {
  MutexLock lock(mu_);
  auto it = dispatchers_.find(queue);
  return it == dispatchers_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<QueueDispatcher>> TaskQueueService::Dispatchers() const {
  MutexLock lock(mu_);
  std::vector<std::shared_ptr<QueueDispatcher>> out;
  for (const auto& [name, d] : dispatchers_) out.push_back(d);
  return out;
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
  // The rate limit is spacing between starts; more than kMaxDurationMs (100 years) means "never again".
  q.delay_ms = std::min(request.config.delay_ms, kMaxDurationMs);
  q.retention_ms = request.config.retention_ms > 0 ? request.config.retention_ms : kDefaultRetentionMs;
  q.retention_ms = std::clamp(q.retention_ms, kMinRetentionMs, kMaxRetentionMs);
  if (ApplyOverride(options_.overrides, &q)) {
    spdlog::info("task queue {}: the administrator's settings apply (concurrency {}, maxRetries {}, backoffMs {}, "
                 "delayMs {}, retentionMs {})", name, q.concurrency, q.max_retries, q.backoff_ms, q.delay_ms,
                 q.retention_ms);
  }
  // A pause set by an administrator survives the plugin re-creating its queue.
  if (auto stored = StoredQueue(name); stored.ok()) q.paused = stored->paused;

  MutexLock lock(mu_);
  PIER_RETURN_IF_ERROR(CheckOpen());
  if (created_.contains(name)) return AlreadyExistsError("queue " + GoQuote(name) + " already exists");
  const int32_t available = options_.max_concurrency - allocated_;
  if (available <= 0) {
    return ResourceExhaustedError("concurrency budget exhausted (" + std::to_string(allocated_) + "/" +
                                  std::to_string(options_.max_concurrency) + " allocated)");
  }
  if (q.concurrency > available) {
    spdlog::info("task queue {}: concurrency {} reduced to the {} left of the plugin's budget", name, q.concurrency,
                 available);
    q.concurrency = available;
  }
  PIER_RETURN_IF_ERROR(store_->SaveQueue(q));
  allocated_ += q.concurrency;
  created_[name] = q;
  if (execute_) StartDispatcher(q);
  return OkStatus();
}

Result<std::vector<std::string>> TaskQueueService::EnqueueTasks(std::vector<NewTask> tasks) {
  const int64_t now = Now();
  int due_now = 0;
  int64_t later = INT64_MAX;  // the earliest delayed task
  for (const NewTask& t : tasks) {
    const int64_t at = t.run_at_ms > 0 ? t.run_at_ms : now;
    if (at <= now) {
      ++due_now;
    } else {
      later = std::min(later, at);
    }
  }
  std::shared_ptr<QueueDispatcher> d = DispatcherFor(tasks.front().queue);
  std::optional<ClaimRequest> claim = d ? d->ReserveClaim(due_now) : std::nullopt;
  std::vector<std::string> ids;
  size_t claimed = 0;
  if (claim) {
    // The enqueue's own transaction claims for the idle workers.
    auto r = store_->EnqueueAndClaim(tasks, *claim, now);
    claimed = r.ok() ? r->claimed.size() : 0;
    d->HandOff(*claim, r.ok() ? std::move(r->claimed) : std::vector<TaskRow>{});
    PIER_RETURN_IF_ERROR(r.status());
    ids = std::move(r->ids);
  } else {
    PIER_ASSIGN_OR_RETURN(ids, store_->Enqueue(tasks, now));
  }
  if (d) {
    d->metrics().enqueued.Add(static_cast<double>(ids.size()));
  } else {
    MetricsFor(tasks.front().queue).enqueued.Add(static_cast<double>(ids.size()));  // a stored queue (admin)
  }
  if (d) {
    if (static_cast<int>(claimed) < due_now) d->Wake(now);  // what the enqueue did not claim
    if (later != INT64_MAX) d->Wake(later);
  }
  return ids;
}

Result<QueueSettings> TaskQueueService::CreatedQueue(std::string_view name) const {
  MutexLock lock(mu_);
  PIER_RETURN_IF_ERROR(CheckOpen());
  auto it = created_.find(name);
  if (it == created_.end()) return QueueMissing(name);
  return it->second;
}

Result<wire::TaskEnqueueResponse> TaskQueueService::Enqueue(HostCallContext&,
                                                           const wire::TaskEnqueueRequest& request) {
  PIER_ASSIGN_OR_RETURN(QueueSettings q, CreatedQueue(request.queue_name));
  PIER_RETURN_IF_ERROR(PayloadFits(request.payload.size()));
  // A JSON null payload arrives as empty bytes, not an error.
  NewTask t{.queue = q.name, .payload = request.payload, .max_retries = q.max_retries, .backoff_ms = q.backoff_ms};
  PIER_ASSIGN_OR_RETURN(auto ids, EnqueueTasks({std::move(t)}));
  return wire::TaskEnqueueResponse{ids.at(0)};
}

Result<wire::TaskEnqueueManyResponse> TaskQueueService::EnqueueMany(HostCallContext&,
                                                                   const wire::TaskEnqueueManyRequest& request) {
  PIER_ASSIGN_OR_RETURN(QueueSettings q, CreatedQueue(request.queue_name));
  PIER_ASSIGN_OR_RETURN(auto ids, EnqueueSpecs(q, request.tasks));
  return wire::TaskEnqueueManyResponse{std::move(ids)};
}

Result<std::vector<std::string>> TaskQueueService::AdminEnqueue(std::string_view queue,
                                                                const std::vector<wire::TaskSpec>& specs) {
  PIER_RETURN_IF_ERROR(EnsureOpen());
  PIER_ASSIGN_OR_RETURN(QueueSettings q, CreatedOrStored(queue));
  return EnqueueSpecs(q, specs);
}

Result<std::vector<std::string>> TaskQueueService::EnqueueSpecs(const QueueSettings& q,
                                                                const std::vector<wire::TaskSpec>& specs) {
  if (specs.empty()) return std::vector<std::string>();
  if (specs.size() > kMaxBatchTasks) {
    return InvalidArgumentError("batch of " + std::to_string(specs.size()) + " tasks exceeds maximum of " +
                                std::to_string(kMaxBatchTasks));
  }
  const int64_t now = Now();
  std::vector<NewTask> tasks;
  tasks.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const wire::TaskSpec& spec = specs[i];
    if (Status fits = PayloadFits(spec.payload.size()); !fits.ok()) {
      return fits.WithContext("task " + std::to_string(i));
    }
    if (spec.run_at < 0) return InvalidArgumentError("task " + std::to_string(i) + ": runAt cannot be negative");
    PIER_RETURN_IF_ERROR(CheckDurationMs(spec.delay_ms, "delayMs").WithContext("task " + std::to_string(i)));
    PIER_RETURN_IF_ERROR(CheckDurationMs(spec.timeout_ms, "timeoutMs").WithContext("task " + std::to_string(i)));
    NewTask t{.queue = q.name, .payload = spec.payload, .priority = spec.priority, .unique_key = spec.unique_key,
              .timeout_ms = spec.timeout_ms, .max_retries = q.max_retries, .backoff_ms = q.backoff_ms};
    const int64_t run_at = std::max(spec.run_at, spec.delay_ms > 0 ? SaturatingAdd(now, spec.delay_ms) : 0);
    if (run_at > now) t.run_at_ms = run_at;
    tasks.push_back(std::move(t));
  }
  return EnqueueTasks(std::move(tasks));
}

Result<wire::TaskGetResponse> TaskQueueService::Get(HostCallContext&, const wire::TaskGetRequest& request) {
  PIER_RETURN_IF_ERROR(EnsureOpen());
  auto row = store_->Get(request.task_id);
  if (!row.ok()) return row.status().WithContext("getting task info");
  if (!row->has_value()) return NotFoundError("task " + GoQuote(request.task_id) + " not found");
  wire::TaskDetail t = Detail(std::move(**row));
  wire::TaskInfo info{t.status, t.message, t.attempt, t.queue_name, t.last_error,
                      t.status == kPending ? t.next_run_at : 0};
  return wire::TaskGetResponse{std::move(info)};
}

wire::TaskDetail TaskQueueService::Detail(TaskRow t) {
  // A task claimed ahead but not started is still waiting: report it so.
  if (t.status == kRunning) {
    if (auto d = DispatcherFor(t.queue)) {
      if (d->IsBuffered(t.id)) {
        t.status = std::string(kPending);
      } else if (t.started_at == 0 && d->StartUnrecorded(t.id)) {
        ++t.attempt;  // started; the attempt is written with its start mark or completion
      }
    }
  }
  return wire::TaskDetail{t.id,          t.queue,      t.status,     t.message,    t.last_error,
                          t.attempt,     t.max_retries, t.priority,   t.unique_key, t.timeout_ms,
                          t.created_at,  t.updated_at, t.next_run_at, std::move(t.payload)};
}

Status TaskQueueService::Cancel(HostCallContext&, const wire::TaskCancelRequest& request) {
  return CancelTask(request.task_id, /*interrupt_running=*/false);
}

Status TaskQueueService::CancelTask(std::string_view id, bool interrupt_running) {
  PIER_RETURN_IF_ERROR(EnsureOpen());
  Status st = store_->Cancel(id, Now());
  if (st.ok() && options_.metrics) {
    if (auto row = store_->Get(id); row.ok() && row->has_value()) MetricsFor((*row)->queue).cancelled.Add();
  }
  if (st.code() != StatusCode::kFailedPrecondition) return st;
  // Running in the store: claimed ahead here (not started yet), or in a call.
  auto row = store_->Get(id);
  if (!row.ok()) return interrupt_running ? row.status() : st;
  if (!row->has_value() || (*row)->status != kRunning) return st;
  auto d = DispatcherFor((*row)->queue);
  if (d && d->Cancel(std::string(id), interrupt_running)) return OkStatus();
  if (!interrupt_running) return st;  // the original's "cannot be cancelled (status: running)"
  if (store_->shared()) return CancelElsewhere(id, (*row)->lease_owner);
  return FailedPreconditionError("task " + GoQuote(id) + " is running elsewhere (" + (*row)->lease_owner +
                                 "); only its node can interrupt it");
}

Status TaskQueueService::CancelElsewhere(std::string_view id, const std::string& owner) {
  PIER_RETURN_IF_ERROR(store_->RequestCancel(id));
  // The node that runs it interrupts the call and stores the outcome.
  const auto deadline = std::chrono::steady_clock::now() + options_.dispatch.shutdown_grace + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    PIER_ASSIGN_OR_RETURN(auto row, store_->Get(id));
    if (!row) return NotFoundError("task " + GoQuote(id) + " not found");
    if (row->status == kCancelled) return OkStatus();
    if (row->status != kRunning) {
      return FailedPreconditionError("task " + GoQuote(id) + " ended before the cancel reached it (status: " +
                                     row->status + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return DeadlineExceededError("task " + GoQuote(id) + " runs on " + owner +
                               ", which was asked to interrupt it but has not confirmed");
}

Status TaskQueueService::Interrupt(HostCallContext&, const wire::TaskInterruptRequest& request) {
  return CancelTask(request.task_id);
}

Result<wire::TaskClearQueueResponse> TaskQueueService::ClearQueue(HostCallContext&,
                                                                 const wire::TaskClearQueueRequest& request) {
  PIER_RETURN_IF_ERROR(CreatedQueue(request.queue_name).status());
  PIER_ASSIGN_OR_RETURN(int64_t n, store_->CancelPending(request.queue_name, Now()));
  if (auto d = DispatcherFor(request.queue_name)) n += d->CancelBuffered();
  return wire::TaskClearQueueResponse{n};
}

Status TaskQueueService::RetryTask(std::string_view id) {
  PIER_RETURN_IF_ERROR(EnsureOpen());
  PIER_RETURN_IF_ERROR(store_->Retry(id, Now()));
  auto row = store_->Get(id);
  if (row.ok() && row->has_value()) {
    if (auto d = DispatcherFor((*row)->queue)) d->Wake(Now());
  }
  return OkStatus();
}

Status TaskQueueService::RunTaskNow(std::string_view id) {
  PIER_RETURN_IF_ERROR(EnsureOpen());
  const int64_t now = Now();
  PIER_RETURN_IF_ERROR(store_->RunNow(id, now));
  auto row = store_->Get(id);
  if (row.ok() && row->has_value()) {
    if (auto d = DispatcherFor((*row)->queue)) d->Wake(now);
  }
  return OkStatus();
}

Status TaskQueueService::DeleteTask(std::string_view id) {
  PIER_RETURN_IF_ERROR(EnsureOpen());
  Status st = store_->Delete(id);
  if (st.code() != StatusCode::kFailedPrecondition) return st;
  // Running in the store: perhaps only claimed ahead here, still waiting to start.
  PIER_ASSIGN_OR_RETURN(auto row, store_->Get(id));
  if (!row) return NotFoundError("task " + GoQuote(id) + " not found");
  auto d = DispatcherFor(row->queue);
  if (!d || !d->IsBuffered(std::string(id)) || !d->Cancel(std::string(id), /*interrupt_running=*/false)) return st;
  return store_->Delete(id);  // given back (as cancelled): now it can go
}

Status TaskQueueService::Retry(HostCallContext&, const wire::TaskRetryRequest& request) {
  return RetryTask(request.task_id);
}

Result<int64_t> TaskQueueService::RetryFailed(std::string_view queue, const std::function<void(int64_t)>& progress) {
  PIER_RETURN_IF_ERROR(StoredQueue(queue).status());
  int64_t done = 0;
  while (true) {
    PIER_ASSIGN_OR_RETURN(auto failed, store_->List({.queue = std::string(queue), .status = std::string(kFailed),
                                                     .limit = kRetentionBatch}));
    if (failed.empty()) break;
    int64_t round = 0;
    for (const TaskRow& t : failed) {
      if (store_->Retry(t.id, Now()).ok()) ++round;
    }
    done += round;
    if (progress) progress(done);
    if (round == 0) break;  // only unique-key conflicts are left
  }
  if (auto d = DispatcherFor(queue)) d->Wake(Now());
  return done;
}

Status TaskQueueService::SetPaused(std::string_view queue, bool paused) {
  {
    MutexLock lock(mu_);
    PIER_RETURN_IF_ERROR(CheckOpen());
    if (auto it = created_.find(queue); it != created_.end()) it->second.paused = paused;
  }
  PIER_RETURN_IF_ERROR(store_->SetPaused(queue, paused));
  if (auto d = DispatcherFor(queue)) d->SetPaused(paused);
  return OkStatus();
}

Status TaskQueueService::PauseQueue(HostCallContext&, const wire::TaskPauseQueueRequest& request) {
  return SetPaused(request.queue_name, true);
}

Status TaskQueueService::ResumeQueue(HostCallContext&, const wire::TaskResumeQueueRequest& request) {
  return SetPaused(request.queue_name, false);
}

Result<QueueSettings> TaskQueueService::StoredQueue(std::string_view queue) {
  PIER_ASSIGN_OR_RETURN(auto stored, store_->LoadQueues());
  for (QueueSettings& q : stored) {
    if (q.name == queue) return std::move(q);
  }
  return QueueMissing(queue);
}

std::optional<QueueSettings> TaskQueueService::Created(std::string_view queue) const {
  MutexLock lock(mu_);
  auto it = created_.find(queue);
  return it == created_.end() ? std::nullopt : std::optional<QueueSettings>(it->second);
}

Result<QueueSettings> TaskQueueService::CreatedOrStored(std::string_view queue) {
  if (auto created = Created(queue)) return *created;
  return StoredQueue(queue);
}

Result<wire::QueueStats> TaskQueueService::StatsFor(const QueueSettings& q, bool active) {
  PIER_ASSIGN_OR_RETURN(QueueStats s, store_->Stats(q.name));
  wire::QueueStats out{q.name,       active,    q.paused,  q.concurrency, q.max_retries, q.backoff_ms, q.delay_ms,
                       q.retention_ms, s.pending, s.running, s.completed,   s.failed,      s.cancelled};
  return out;
}

Result<wire::QueueStats> TaskQueueService::QueueStatsOf(std::string_view queue) {
  const bool active = Created(queue).has_value();
  PIER_ASSIGN_OR_RETURN(QueueSettings q, CreatedOrStored(queue));
  return StatsFor(q, active);
}

Result<std::vector<wire::QueueStats>> TaskQueueService::AllQueueStats() {
  PIER_ASSIGN_OR_RETURN(auto stored, store_->LoadQueues());
  std::vector<wire::QueueStats> out;
  for (const QueueSettings& q : stored) {
    const std::optional<QueueSettings> created = Created(q.name);
    PIER_ASSIGN_OR_RETURN(auto s, StatsFor(created.value_or(q), created.has_value()));
    out.push_back(std::move(s));
  }
  return out;
}

Result<wire::TaskGetQueueStatsResponse> TaskQueueService::GetQueueStats(HostCallContext&,
                                                                       const wire::TaskGetQueueStatsRequest& request) {
  PIER_ASSIGN_OR_RETURN(auto s, QueueStatsOf(request.queue_name));
  return wire::TaskGetQueueStatsResponse{std::move(s)};
}

Result<wire::TaskDetail> TaskQueueService::TaskDetailOf(std::string_view id) {
  PIER_ASSIGN_OR_RETURN(auto row, store_->Get(id));
  if (!row) return NotFoundError("task " + GoQuote(id) + " not found");
  return Detail(std::move(*row));
}

Result<std::vector<TaskQueueService::Listed>> TaskQueueService::ListedTasks(const ListFilter& filter) {
  ListFilter f = filter;
  f.limit = f.limit <= 0 ? 100 : std::min(f.limit, 1000);
  f.offset = std::max(f.offset, 0);
  PIER_ASSIGN_OR_RETURN(auto rows, store_->List(f));
  std::vector<Listed> out;
  out.reserve(rows.size());
  for (TaskRow& r : rows) {
    const ListKey key{r.created_at, r.row};
    out.push_back({key, Detail(std::move(r))});
  }
  return out;
}

Result<std::vector<wire::TaskDetail>> TaskQueueService::Tasks(const ListFilter& filter) {
  PIER_ASSIGN_OR_RETURN(auto listed, ListedTasks(filter));
  std::vector<wire::TaskDetail> out;
  out.reserve(listed.size());
  for (Listed& l : listed) out.push_back(std::move(l.task));
  return out;
}

Result<wire::TaskListTasksResponse> TaskQueueService::ListTasks(HostCallContext&,
                                                               const wire::TaskListTasksRequest& request) {
  PIER_ASSIGN_OR_RETURN(auto tasks, Tasks({.queue = request.queue_name, .status = request.status,
                                           .limit = request.limit, .offset = request.offset}));
  return wire::TaskListTasksResponse{std::move(tasks)};
}

Result<int64_t> TaskQueueService::Purge(std::string_view queue, std::string_view status,
                                        const std::function<void(int64_t)>& progress) {
  if (!status.empty() && status != kCompleted && status != kFailed && status != kCancelled) {
    return InvalidArgumentError("only finished tasks (completed, failed, cancelled) can be purged, not " +
                                std::string(status));
  }
  PIER_RETURN_IF_ERROR(StoredQueue(queue).status());
  int64_t total = 0;
  while (true) {
    PIER_ASSIGN_OR_RETURN(int64_t n, store_->DeleteFinished(queue, INT64_MAX, status, kRetentionBatch));
    total += n;
    if (n > 0 && progress) progress(total);
    if (n < kRetentionBatch) break;
  }
  return total;
}

Status TaskQueueService::RunMaintenance() {
  const int64_t now = Now();
  PIER_ASSIGN_OR_RETURN(int64_t recovered, store_->RecoverLeases(now));
  if (recovered > 0) {
    spdlog::warn("task queue: {} task(s) whose lease expired were recovered", recovered);
    for (auto& d : Dispatchers()) d->Wake(now);
  }
  PIER_ASSIGN_OR_RETURN(auto stored, store_->LoadQueues());
  for (const QueueSettings& q : stored) {
    const std::optional<QueueSettings> created = Created(q.name);
    const int64_t retention =
        created ? created->retention_ms : std::clamp(q.retention_ms, kMinRetentionMs, kMaxRetentionMs);
    while (true) {  // bounded batches: the writer is never held for long
      PIER_ASSIGN_OR_RETURN(int64_t n, store_->DeleteFinished(q.name, now - retention, "", kRetentionBatch));
      if (n < kRetentionBatch) break;
    }
  }
  return OkStatus();
}

void TaskQueueService::MaintenanceLoop() {
  MutexLock lock(mu_);
  while (!stopped_) {
    maintenance_cv_.WaitFor(mu_, options_.maintenance_interval);
    if (stopped_) break;
    lock.Unlock();
    if (Status st = RunMaintenance(); !st.ok()) spdlog::error("task queue maintenance: {}", st.message());
    lock.Lock();
  }
}

std::vector<QueueSettings> TaskQueueService::queues() const {
  MutexLock lock(mu_);
  std::vector<QueueSettings> out;
  for (const auto& [name, q] : created_) out.push_back(q);
  return out;
}

}  // namespace pier::taskqueue
