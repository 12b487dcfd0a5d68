#include "services/taskqueue/postgres_task_store.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/duration.h"

namespace pier::taskqueue {

namespace {

using pg::Params;
using pg::Query;
using pg::Rows;

#define PIER_TASK_COLUMNS                                                                                   \
  "id, queue, payload, status, attempt, max_retries, backoff_ms, next_run_at, created_at, updated_at, "   \
  "message, last_error, priority, coalesce(unique_key, '') AS unique_key, timeout_ms, lease_owner, "      \
  "lease_until, started_at"
constexpr int kTaskColumnCount = 18;  // PIER_TASK_COLUMNS

constexpr std::string_view kSaveQueue =
    "INSERT INTO pier.queues (plugin, name, concurrency, max_retries, backoff_ms, delay_ms, retention_ms, paused)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (plugin, name) DO UPDATE SET"
    " concurrency = excluded.concurrency, max_retries = excluded.max_retries, backoff_ms = excluded.backoff_ms,"
    " delay_ms = excluded.delay_ms, retention_ms = excluded.retention_ms, paused = excluded.paused";
constexpr std::string_view kLoadQueues =
    "SELECT name, concurrency, max_retries, backoff_ms, delay_ms, retention_ms, paused FROM pier.queues"
    " WHERE plugin = $1 ORDER BY name COLLATE \"C\"";
constexpr std::string_view kSetPaused =
    "WITH u AS (UPDATE pier.queues SET paused = $3 WHERE plugin = $1 AND name = $2 RETURNING name)"
    " SELECT count(*)::bigint FROM (SELECT pg_notify('pier_pause', $4) FROM u) n";
// Consecutive tasks without a unique key, in one statement, in order.
constexpr std::string_view kInsertMany =
    "INSERT INTO pier.tasks (id, plugin, queue, payload, max_retries, next_run_at, created_at, updated_at,"
    " priority, timeout_ms, backoff_ms) SELECT id, $1, queue, payload, max_retries, next_run_at, $2, $2, priority,"
    " timeout_ms, backoff_ms FROM unnest($3::text[], $4::text[], $5::bytea[], $6::integer[], $7::bigint[],"
    " $8::integer[], $9::bigint[], $10::bigint[]) WITH ORDINALITY"
    " AS t(id, queue, payload, max_retries, next_run_at, priority, timeout_ms, backoff_ms, ord) ORDER BY ord";
// A unique key already pending or running: its task's ID instead.
constexpr std::string_view kInsertUnique =
    "WITH ins AS (INSERT INTO pier.tasks (id, plugin, queue, payload, max_retries, next_run_at, created_at,"
    " updated_at, priority, timeout_ms, backoff_ms, unique_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9,"
    " $10, $11) ON CONFLICT (plugin, queue, unique_key) WHERE unique_key IS NOT NULL AND status IN"
    " ('pending', 'running') DO NOTHING RETURNING id)"
    " SELECT id FROM ins UNION ALL SELECT id FROM pier.tasks WHERE plugin = $2 AND queue = $3 AND unique_key = $11"
    " AND status IN ('pending', 'running') AND NOT EXISTS (SELECT 1 FROM ins) LIMIT 1";
constexpr std::string_view kFindUnique =
    "SELECT id FROM pier.tasks WHERE plugin = $1 AND queue = $2 AND unique_key = $3"
    " AND status IN ('pending', 'running') LIMIT 1";
constexpr std::string_view kNotifyWake = "SELECT 1::bigint FROM pg_notify('pier_wake', $1)";
constexpr std::string_view kGet = "SELECT " PIER_TASK_COLUMNS " FROM pier.tasks WHERE plugin = $1 AND id = $2";
constexpr std::string_view kList =
    "SELECT " PIER_TASK_COLUMNS ", seq FROM pier.tasks WHERE plugin = $1 AND queue = $2 AND ($3 = '' OR status = $3)"
    " AND (created_at, seq) < ($6, $7) ORDER BY created_at DESC, seq DESC LIMIT $4 OFFSET $5";
// $1 plugin, $2 id, $3 now (unused); whether it applied, the row's status before.
constexpr std::string_view kDelete =
    "WITH d AS (DELETE FROM pier.tasks WHERE plugin = $1 AND id = $2 AND status <> 'running' AND $3::bigint IS NOT NULL"
    " RETURNING queue)"
    " SELECT (SELECT count(*) FROM d)::bigint, (SELECT status FROM pier.tasks WHERE plugin = $1 AND id = $2)";
// $1 plugin, $2 id, $3 now; the row's status before, whether it applied.
constexpr std::string_view kCancel =
    "WITH u AS (UPDATE pier.tasks SET status = 'cancelled', updated_at = $3 WHERE plugin = $1 AND id = $2"
    " AND status = 'pending' RETURNING queue)"
    " SELECT (SELECT count(*) FROM u)::bigint, (SELECT status FROM pier.tasks WHERE plugin = $1 AND id = $2)";
constexpr std::string_view kRetry =
    "WITH u AS (UPDATE pier.tasks t SET status = 'pending', attempt = 0, next_run_at = $3, updated_at = $3"
    " WHERE plugin = $1 AND id = $2 AND status IN ('failed', 'cancelled') AND (unique_key IS NULL OR NOT EXISTS"
    " (SELECT 1 FROM pier.tasks o WHERE o.plugin = t.plugin AND o.queue = t.queue AND o.unique_key = t.unique_key"
    " AND o.status IN ('pending', 'running'))) RETURNING queue),"
    " n AS (SELECT pg_notify('pier_wake', $1 || chr(31) || queue) FROM u)"
    " SELECT (SELECT count(*) FROM n)::bigint, (SELECT status FROM pier.tasks WHERE plugin = $1 AND id = $2)";
constexpr std::string_view kRunNow =
    "WITH u AS (UPDATE pier.tasks SET next_run_at = LEAST(next_run_at, $3), updated_at = $3"
    " WHERE plugin = $1 AND id = $2 AND status = 'pending' RETURNING queue),"
    " n AS (SELECT pg_notify('pier_wake', $1 || chr(31) || queue) FROM u)"
    " SELECT (SELECT count(*) FROM n)::bigint, (SELECT status FROM pier.tasks WHERE plugin = $1 AND id = $2)";
constexpr std::string_view kCancelPending =
    "UPDATE pier.tasks SET status = 'cancelled', updated_at = $3 WHERE plugin = $1 AND queue = $2"
    " AND status = 'pending'";
// Every start mark of a round in one statement: $1 plugin, $2 now, $3 ids, $4 owners.
constexpr std::string_view kStart =
    "UPDATE pier.tasks t SET attempt = t.attempt + 1, started_at = GREATEST($2, 1), updated_at = $2"
    " FROM unnest($3::text[], $4::text[]) AS m(id, owner)"
    " WHERE t.plugin = $1 AND t.id = m.id AND t.status = 'running' AND t.lease_owner = m.owner AND t.started_at = 0";
// Every completion of a round in one statement. When a completed task's
// queue had a claim held back, or a task goes back to pending now, the
// other nodes are woken.
constexpr std::string_view kFinish =
    "WITH c AS (SELECT * FROM unnest($2::text[], $3::text[], $4::bool[], $5::text[], $6::bool[], $7::bigint[],"
    "   $8::integer[], $9::text[], $10::bool[]) AS c(id, status, set_message, message, set_error, run_at, count,"
    "   owner, released)),"
    " done AS (UPDATE pier.tasks t SET status = c.status,"
    "   message = CASE WHEN c.set_message THEN c.message ELSE t.message END,"
    "   last_error = CASE WHEN c.set_error THEN c.message ELSE t.last_error END,"
    "   next_run_at = CASE WHEN c.run_at > 0 THEN c.run_at ELSE t.next_run_at END, attempt = t.attempt + c.count,"
    "   started_at = 0, lease_owner = '', lease_until = 0, updated_at = $11"
    "   FROM c WHERE t.plugin = $1 AND t.id = c.id AND t.status = 'running' AND t.lease_owner = c.owner"
    "   RETURNING t.queue, c.released),"
    " woke AS (UPDATE pier.queues q SET waiting = false WHERE q.plugin = $1 AND q.name IN (SELECT queue FROM done)"
    "   AND q.waiting RETURNING q.name),"
    " n AS (SELECT pg_notify('pier_wake', $1 || chr(31) || w.name)"
    "   FROM (SELECT name FROM woke UNION SELECT queue FROM done WHERE released) w)"
    " SELECT (SELECT count(*) FROM done)::bigint, (SELECT count(*) FROM n)::bigint";
// Claims of one queue take turns (a transaction advisory lock: no row
// write, so a claim held back by a limit commits without a WAL flush).
constexpr std::string_view kLockQueue =
    "SELECT 1::bigint FROM pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 3))";
// After kLockQueue, in a fresh snapshot: $1 plugin, $2 queue, $3 now, $4
// owner, $5 lease until, $6 wanted. Always one row at least: the grant and
// the token time, then the claimed rows' columns (null when none), in claim order.
constexpr std::string_view kClaim =
    "WITH q AS (SELECT concurrency, delay_ms, paused, next_token_at FROM pier.queues WHERE plugin = $1 AND name = $2),"
    " lim AS (SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM q) THEN $6"
    "   WHEN (SELECT paused FROM q) THEN 0"
    "   ELSE LEAST($6, GREATEST(0, (SELECT concurrency FROM q) - (SELECT count(*) FROM pier.tasks"
    "     WHERE plugin = $1 AND queue = $2 AND status = 'running'))::integer,"
    "     CASE WHEN (SELECT delay_ms FROM q) <= 0 THEN $6 WHEN $3 >= (SELECT next_token_at FROM q) THEN 1 ELSE 0 END)"
    "   END AS n),"
    " picked AS (SELECT id FROM pier.tasks WHERE plugin = $1 AND queue = $2 AND status = 'pending'"
    "   AND next_run_at <= $3 ORDER BY priority DESC, next_run_at, created_at, seq"
    "   LIMIT (SELECT n FROM lim) FOR UPDATE SKIP LOCKED),"
    " claimed AS (UPDATE pier.tasks t SET status = 'running', started_at = 0, updated_at = $3, lease_owner = $4,"
    "   lease_until = $5 FROM picked WHERE t.id = picked.id RETURNING t.*),"
    " mark AS (UPDATE pier.queues SET next_token_at = CASE WHEN delay_ms > 0 AND EXISTS (SELECT 1 FROM claimed)"
    "   THEN $3 + delay_ms ELSE next_token_at END, waiting = waiting OR (SELECT n FROM lim) < $6"
    "   WHERE plugin = $1 AND name = $2 AND ((delay_ms > 0 AND EXISTS (SELECT 1 FROM claimed))"
    "   OR ((SELECT n FROM lim) < $6 AND NOT waiting)) RETURNING 1)"
    " SELECT (SELECT n FROM lim)::bigint, coalesce((SELECT next_token_at FROM q), 0)::bigint,"
    "   " PIER_TASK_COLUMNS " FROM (SELECT 1) one LEFT JOIN claimed ON true"
    " ORDER BY priority DESC, next_run_at, created_at, seq";
constexpr std::string_view kRecover =
    "WITH r AS (UPDATE pier.tasks SET"
    " status = CASE WHEN started_at > 0 AND attempt > max_retries THEN 'failed' ELSE 'pending' END,"
    " message = CASE WHEN started_at > 0 AND attempt > max_retries THEN 'attempt ' || attempt ||"
    " ' did not finish: its worker stopped or crashed' ELSE message END,"
    " last_error = CASE WHEN started_at > 0 THEN 'attempt ' || attempt ||"
    " ' did not finish: its worker stopped or crashed' ELSE last_error END,"
    " started_at = 0, lease_owner = '', lease_until = 0, next_run_at = $2, updated_at = $2"
    " WHERE plugin = $1 AND status = 'running' AND (lease_until < $2 OR ($3 <> '' AND starts_with(lease_owner, $3)"
    " AND lease_owner <> $4)) RETURNING queue),"
    " n AS (SELECT pg_notify('pier_wake', $1 || chr(31) || d.queue) FROM (SELECT DISTINCT queue FROM r) d)"
    " SELECT (SELECT count(*) FROM r)::bigint, (SELECT count(*) FROM n)::bigint";
constexpr std::string_view kNextRunAt =
    "SELECT min(next_run_at)::bigint FROM pier.tasks WHERE plugin = $1 AND queue = $2 AND status = 'pending'";
// One node at a time per queue (a transaction advisory lock); bounded.
constexpr std::string_view kRetentionLock =
    "SELECT 1::bigint FROM pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 7))";
constexpr std::string_view kDeleteFinished =
    "DELETE FROM pier.tasks WHERE id IN (SELECT id FROM pier.tasks WHERE plugin = $1 AND queue = $2"
    " AND updated_at < $3 AND status IN ('completed', 'failed', 'cancelled') AND ($4 = '' OR status = $4)"
    " LIMIT $5)";
constexpr std::string_view kStats =
    "SELECT status, count(*)::bigint FROM pier.tasks WHERE plugin = $1 AND queue = $2 GROUP BY status";
constexpr std::string_view kNotifyCancel = "SELECT 1::bigint FROM pg_notify('pier_cancel', $1)";

TaskRow ReadTask(const Rows& r, int row, int first) {
  TaskRow t;
  t.id = r.Text(row, first + 0);
  t.queue = r.Text(row, first + 1);
  t.payload = r.Text(row, first + 2);
  t.status = r.Text(row, first + 3);
  t.attempt = static_cast<int32_t>(r.Int(row, first + 4));
  t.max_retries = static_cast<int32_t>(r.Int(row, first + 5));
  t.backoff_ms = r.Int(row, first + 6);
  t.next_run_at = r.Int(row, first + 7);
  t.created_at = r.Int(row, first + 8);
  t.updated_at = r.Int(row, first + 9);
  t.message = r.Text(row, first + 10);
  t.last_error = r.Text(row, first + 11);
  t.priority = static_cast<int32_t>(r.Int(row, first + 12));
  t.unique_key = r.Text(row, first + 13);
  t.timeout_ms = r.Int(row, first + 14);
  t.lease_owner = r.Text(row, first + 15);
  t.lease_until = r.Int(row, first + 16);
  t.started_at = r.Int(row, first + 17);
  return t;
}

}  // namespace

PostgresTaskStore::PostgresTaskStore(std::shared_ptr<pg::Database> db, std::string plugin)
    : db_(std::move(db)), plugin_(std::move(plugin)) {}

PostgresTaskStore::~PostgresTaskStore() { Watch({}); }

std::string PostgresTaskStore::Channel(std::string_view field) const {
  std::string out = plugin_;
  out += pg::kFieldSeparator;
  out += field;
  return out;
}

Status PostgresTaskStore::SaveQueue(const QueueSettings& q) {
  return db_->pool()
                     .Run(kSaveQueue, Params()
                                          .Text(plugin_)
                                          .Text(q.name)
                                          .Int32(q.concurrency)
                                          .Int32(q.max_retries)
                                          .Int(q.backoff_ms)
                                          .Int(q.delay_ms)
                                          .Int(q.retention_ms)
                                          .Bool(q.paused))
                     .status().WithContext("creating queue");
}

Result<std::vector<QueueSettings>> PostgresTaskStore::LoadQueues() {
  PIER_ASSIGN_OR_RETURN(Rows r, db_->pool().Run(kLoadQueues, Params().Text(plugin_)));
  std::vector<QueueSettings> out;
  for (int i = 0; i < r.size(); ++i) {
    out.push_back({r.Text(i, 0), static_cast<int32_t>(r.Int(i, 1)), static_cast<int32_t>(r.Int(i, 2)), r.Int(i, 3),
                   r.Int(i, 4), r.Int(i, 5), r.Bool(i, 6)});
  }
  return out;
}

Status PostgresTaskStore::SetPaused(std::string_view queue, bool paused) {
  std::string payload = Channel(queue);
  payload += pg::kFieldSeparator;
  payload += paused ? "1" : "0";
  auto r = db_->pool().Run(kSetPaused, Params().Text(plugin_).Text(queue).Bool(paused).Text(payload));
  if (!r.ok()) return r.status().WithContext("pausing queue");
  if (r->Int(0, 0) == 0) return NotFoundError("queue " + GoQuote(queue) + " does not exist");
  return OkStatus();
}

Result<std::vector<std::string>> PostgresTaskStore::Enqueue(const std::vector<NewTask>& tasks, int64_t now) {
  std::vector<std::string> ids(tasks.size());
  std::vector<Query> queries;
  std::vector<int> unique_at;  // per insert query: its task's index for a unique-key insert, else -1
  std::set<std::string_view> queues;
  for (size_t i = 0; i < tasks.size();) {
    if (!tasks[i].unique_key.empty()) {
      const NewTask& t = tasks[i];
      queries.push_back({kInsertUnique, Params()
                                            .Text(NewTaskId())
                                            .Text(plugin_)
                                            .Text(t.queue)
                                            .Bytes(t.payload)
                                            .Int32(t.max_retries)
                                            .Int(t.run_at_ms > 0 ? t.run_at_ms : now)
                                            .Int(now)
                                            .Int32(t.priority)
                                            .Int(t.timeout_ms)
                                            .Int(t.backoff_ms)
                                            .Text(t.unique_key)});
      unique_at.push_back(static_cast<int>(i));
      queues.insert(t.queue);
      ++i;
      continue;
    }
    std::vector<std::string> id, queue, payload;
    std::vector<int32_t> retries, priority;
    std::vector<int64_t> run_at, timeout, backoff;
    for (; i < tasks.size() && tasks[i].unique_key.empty(); ++i) {
      const NewTask& t = tasks[i];
      ids[i] = NewTaskId();
      id.push_back(ids[i]);
      queue.push_back(t.queue);
      payload.push_back(t.payload);
      retries.push_back(t.max_retries);
      run_at.push_back(t.run_at_ms > 0 ? t.run_at_ms : now);
      priority.push_back(t.priority);
      timeout.push_back(t.timeout_ms);
      backoff.push_back(t.backoff_ms);
      queues.insert(t.queue);
    }
    unique_at.push_back(-1);
    queries.push_back({kInsertMany, Params()
                                        .Text(plugin_)
                                        .Int(now)
                                        .TextArray(id)
                                        .TextArray(queue)
                                        .BytesArray(payload)
                                        .Int32Array(retries)
                                        .IntArray(run_at)
                                        .Int32Array(priority)
                                        .IntArray(timeout)
                                        .IntArray(backoff)});
  }
  for (std::string_view q : queues) queries.push_back({kNotifyWake, Params().Text(Channel(q))});
  PIER_ASSIGN_OR_RETURN(auto results, db_->pool().RunAll(queries));
  for (size_t q = 0; q < unique_at.size(); ++q) {
    if (unique_at[q] < 0) continue;
    const auto i = static_cast<size_t>(unique_at[q]);
    if (!results[q].empty()) {
      ids[i] = results[q].Text(0, 0);
      continue;
    }
    // A conflicting task committed after this statement's snapshot: read it now.
    PIER_ASSIGN_OR_RETURN(Rows again, db_->pool().Run(kFindUnique, Params()
                                                                      .Text(plugin_)
                                                                      .Text(tasks[i].queue)
                                                                      .Text(tasks[i].unique_key)));
    if (again.empty()) return UnavailableError("enqueuing task: its unique key changed hands meanwhile; try again");
    ids[i] = again.Text(0, 0);
  }
  return ids;
}

Result<std::optional<TaskRow>> PostgresTaskStore::Get(std::string_view id) {
  PIER_ASSIGN_OR_RETURN(Rows r, db_->pool().Run(kGet, Params().Text(plugin_).Text(id)));
  if (r.empty()) return std::optional<TaskRow>();
  return std::optional<TaskRow>(ReadTask(r, 0, 0));
}

Result<std::vector<TaskRow>> PostgresTaskStore::List(const ListFilter& f) {
  PIER_ASSIGN_OR_RETURN(Rows r, db_->pool().Run(kList, Params()
                                                          .Text(plugin_)
                                                          .Text(f.queue)
                                                          .Text(f.status)
                                                          .Int(f.limit)
                                                          .Int(f.offset)
                                                          .Int(f.after ? f.after->created_at : INT64_MAX)
                                                          .Int(f.after ? f.after->row : INT64_MAX)));
  std::vector<TaskRow> out;
  out.reserve(static_cast<size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    out.push_back(ReadTask(r, i, 0));
    out.back().row = r.Int(i, kTaskColumnCount);  // seq: the listing's key
  }
  return out;
}

Status PostgresTaskStore::Delete(std::string_view id) {
  PIER_ASSIGN_OR_RETURN(auto refused, Transition(kDelete, id, 0));
  if (!refused) return OkStatus();
  return DeleteRefused(id, *refused);
}

Result<std::optional<std::string>> PostgresTaskStore::Transition(std::string_view sql, std::string_view id,
                                                                 int64_t now) {
  PIER_ASSIGN_OR_RETURN(Rows r, db_->pool().Run(sql, Params().Text(plugin_).Text(id).Int(now)));
  if (r.Int(0, 0) > 0) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 1));  // "" when there is no such task
}

Status PostgresTaskStore::Cancel(std::string_view id, int64_t now) {
  auto refused = Transition(kCancel, id, now);
  if (!refused.ok()) return refused.status().WithContext("cancelling task");
  if (!*refused) return OkStatus();
  return CancelRefused(id, **refused);
}

Result<int64_t> PostgresTaskStore::CancelPending(std::string_view queue, int64_t now) {
  auto r = db_->pool().Run(kCancelPending, Params().Text(plugin_).Text(queue).Int(now));
  if (!r.ok()) return r.status().WithContext("clearing queue");
  return r->affected();
}

Status PostgresTaskStore::RunNow(std::string_view id, int64_t now) {
  auto refused = Transition(kRunNow, id, now);
  if (!refused.ok()) return refused.status().WithContext("running task now");
  if (!*refused) return OkStatus();
  return RunNowRefused(id, **refused);
}

Status PostgresTaskStore::Retry(std::string_view id, int64_t now) {
  auto refused = Transition(kRetry, id, now);
  // A concurrent retry took the unique key first (the unique index refused this one).
  if (!refused.ok() && refused.status().code() == StatusCode::kAlreadyExists) return RetryRefused(id, kFailed);
  if (!refused.ok()) return refused.status().WithContext("retrying task");
  if (!*refused) return OkStatus();
  return RetryRefused(id, **refused);
}

Result<Exchange> PostgresTaskStore::FinishAndClaim(const Round& round, int64_t now) {
  std::vector<Query> queries;
  if (!round.started.empty()) {
    std::vector<std::string> ids, owners;
    for (const Started& mark : round.started) {
      ids.push_back(mark.id);
      owners.push_back(mark.owner);
    }
    queries.push_back({kStart, Params().Text(plugin_).Int(now).TextArray(ids).TextArray(owners)});
  }
  const ClaimRequest* claim = round.claim;
  const bool claiming = claim != nullptr && claim->max > 0;
  // The queue's turn before the completions: they may write its row too
  // (clearing `waiting`), and every write of that row under the turn keeps
  // two nodes from waiting on each other.
  if (claiming) queries.push_back({kLockQueue, Params().Text(plugin_).Text(claim->queue)});
  const bool finishing = !round.completions.empty();
  if (finishing) {
    std::vector<std::string> ids, statuses, messages, owners;
    std::vector<bool> set_messages, set_errors, released;
    std::vector<int64_t> run_ats;
    std::vector<int32_t> counts;
    for (const Completion& done : round.completions) {
      const CompletionWrite w = DescribeCompletion(done, now);
      ids.push_back(done.id);
      statuses.emplace_back(w.status);
      set_messages.push_back(w.set_message);
      messages.push_back(done.message);
      set_errors.push_back(w.set_error);
      run_ats.push_back(w.run_at);
      counts.push_back(w.attempt_delta);
      owners.push_back(done.owner);
      released.push_back(done.outcome == Outcome::kReleased);
    }
    queries.push_back({kFinish, Params()
                                    .Text(plugin_)
                                    .TextArray(ids)
                                    .TextArray(statuses)
                                    .BoolArray(set_messages)
                                    .TextArray(messages)
                                    .BoolArray(set_errors)
                                    .IntArray(run_ats)
                                    .Int32Array(counts)
                                    .TextArray(owners)
                                    .BoolArray(released)
                                    .Int(now)});
  }
  if (claiming) {
    queries.push_back({kClaim, Params()
                                   .Text(plugin_)
                                   .Text(claim->queue)
                                   .Int(now)
                                   .Text(claim->owner)
                                   .Int(SaturatingAdd(now, claim->lease_ms))
                                   .Int32(claim->max)});
  }
  Exchange out;
  if (queries.empty()) return out;
  auto results = db_->pool().RunAll(queries);
  if (!results.ok()) return results.status().WithContext(claiming ? "claiming tasks" : "finishing tasks");
  if (finishing) out.finished = (*results)[(round.started.empty() ? 0 : 1) + (claiming ? 1 : 0)].Int(0, 0);
  if (claiming) {
    const Rows& r = results->back();
    const int64_t granted = r.Int(0, 0);
    const int64_t token_at = r.Int(0, 1);
    for (int i = 0; i < r.size(); ++i) {
      if (!r.IsNull(i, 2)) out.claimed.push_back(ReadTask(r, i, 2));
    }
    if (granted < claim->max) {
      // Held back by a limit every node shares: the token's time when that
      // is what holds it, else a safety re-poll (a wake comes sooner).
      out.held_until = token_at > now ? token_at : now + 1000;
    }
  }
  return out;
}

Result<int64_t> PostgresTaskStore::RecoverLeases(int64_t now, std::string_view dead_owner_prefix,
                                                 std::string_view live_owner) {
  auto r = db_->pool().Run(kRecover, Params().Text(plugin_).Int(now).Text(dead_owner_prefix).Text(live_owner));
  if (!r.ok()) return r.status().WithContext("recovering tasks");
  return r->Int(0, 0);
}

Result<std::optional<int64_t>> PostgresTaskStore::NextRunAt(std::string_view queue) {
  PIER_ASSIGN_OR_RETURN(Rows r, db_->pool().Run(kNextRunAt, Params().Text(plugin_).Text(queue)));
  if (r.empty() || r.IsNull(0, 0)) return std::optional<int64_t>();
  return std::optional<int64_t>(r.Int(0, 0));
}

Result<int64_t> PostgresTaskStore::DeleteFinished(std::string_view queue, int64_t cutoff, std::string_view status,
                                                  int limit) {
  auto r = db_->pool().RunAll({{kRetentionLock, Params().Text(plugin_).Text(queue)},
                               {kDeleteFinished,
                                Params().Text(plugin_).Text(queue).Int(cutoff).Text(status).Int(limit)}});
  if (!r.ok()) return r.status().WithContext("deleting finished tasks");
  return r->at(1).affected();
}

Result<QueueStats> PostgresTaskStore::Stats(std::string_view queue) {
  PIER_ASSIGN_OR_RETURN(Rows r, db_->pool().Run(kStats, Params().Text(plugin_).Text(queue)));
  QueueStats out;
  for (int i = 0; i < r.size(); ++i) AddToStats(out, r.Text(i, 0), r.Int(i, 1));
  return out;
}

void PostgresTaskStore::Watch(StoreEvents events) {
  pg::Notifier* notifier = db_->notifier();
  if (notifier == nullptr) return;
  MutexLock lock(watch_mu_);
  if (subscription_ != 0) {
    notifier->Unsubscribe(subscription_);
    subscription_ = 0;
  }
  if (!events.work && !events.paused && !events.cancel && !events.resync) return;
  pg::Subscriber sub;
  sub.notify = [events](const pg::Notification& n) {
    if (n.fields.empty()) return;
    if (n.channel == pg::kWakeChannel && events.work) events.work(n.fields[0]);
    if (n.channel == pg::kPauseChannel && events.paused && n.fields.size() >= 2) {
      events.paused(n.fields[0], n.fields[1] == "1");
    }
    if (n.channel == pg::kCancelChannel && events.cancel) events.cancel(n.fields[0]);
  };
  sub.resync = events.resync;
  subscription_ = notifier->Subscribe(plugin_, std::move(sub));
}

Status PostgresTaskStore::RequestCancel(std::string_view id) {
  return db_->pool().Run(kNotifyCancel, Params().Text(Channel(id))).status().WithContext("cancelling task");
}

}  // namespace pier::taskqueue
