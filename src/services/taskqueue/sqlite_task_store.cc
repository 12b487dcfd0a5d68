#include "services/taskqueue/sqlite_task_store.h"

#include <openssl/rand.h>

#include <algorithm>

namespace pier::taskqueue {

namespace {

const std::vector<sqlite::Migration> kMigrations = {
    // 1-3: the original host's schema, unchanged.
    {1, "CREATE TABLE IF NOT EXISTS queues (name TEXT PRIMARY KEY, concurrency INTEGER NOT NULL DEFAULT 1,"
        " max_retries INTEGER NOT NULL DEFAULT 0, backoff_ms INTEGER NOT NULL DEFAULT 1000,"
        " delay_ms INTEGER NOT NULL DEFAULT 0, retention_ms INTEGER NOT NULL DEFAULT 3600000)"},
    {2, "CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, queue_name TEXT NOT NULL REFERENCES queues(name),"
        " payload BLOB NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempt INTEGER NOT NULL DEFAULT 0,"
        " max_retries INTEGER NOT NULL, next_run_at INTEGER NOT NULL, created_at INTEGER NOT NULL,"
        " updated_at INTEGER NOT NULL, message TEXT NOT NULL DEFAULT '')"},
    {3, "CREATE INDEX IF NOT EXISTS idx_tasks_dequeue ON tasks(queue_name, status, next_run_at)"},
    // 4: Pier's additions.
    {4, "ALTER TABLE queues ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE tasks ADD COLUMN last_error TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE tasks ADD COLUMN unique_key TEXT;"
        "ALTER TABLE tasks ADD COLUMN timeout_ms INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE tasks ADD COLUMN backoff_ms INTEGER NOT NULL DEFAULT 1000;"
        "ALTER TABLE tasks ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE tasks ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;"
        "CREATE INDEX idx_tasks_claim ON tasks(queue_name, status, priority DESC, next_run_at, created_at);"
        "CREATE INDEX idx_tasks_lease ON tasks(status, lease_until);"
        "CREATE UNIQUE INDEX idx_tasks_unique ON tasks(queue_name, unique_key)"
        " WHERE unique_key IS NOT NULL AND status IN ('pending', 'running');"},
};

constexpr std::string_view kTaskColumns =
    "id, queue_name, payload, status, attempt, max_retries, backoff_ms, next_run_at, created_at, updated_at, "
    "message, last_error, priority, COALESCE(unique_key, ''), timeout_ms, lease_owner, lease_until";

TaskRow ReadTask(const sqlite::Statement& s) {
  TaskRow t;
  t.id = s.ColumnText(0);
  t.queue = s.ColumnText(1);
  t.payload = s.ColumnBlob(2);
  t.status = s.ColumnText(3);
  t.attempt = static_cast<int32_t>(s.ColumnInt(4));
  t.max_retries = static_cast<int32_t>(s.ColumnInt(5));
  t.backoff_ms = s.ColumnInt(6);
  t.next_run_at = s.ColumnInt(7);
  t.created_at = s.ColumnInt(8);
  t.updated_at = s.ColumnInt(9);
  t.message = s.ColumnText(10);
  t.last_error = s.ColumnText(11);
  t.priority = static_cast<int32_t>(s.ColumnInt(12));
  t.unique_key = s.ColumnText(13);
  t.timeout_ms = s.ColumnInt(14);
  t.lease_owner = s.ColumnText(15);
  t.lease_until = s.ColumnInt(16);
  return t;
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string NewTaskId() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id;
  unsigned char buf[64];
  while (id.size() < 22) {
    RAND_bytes(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b < 248 && id.size() < 22) id += kAlphabet[b % 62];  // 248 = 4 * 62: no modulo bias
    }
  }
  return id;
}

Result<std::unique_ptr<SqliteTaskStore>> SqliteTaskStore::Open(const std::filesystem::path& file) {
  PIER_ASSIGN_OR_RETURN(auto db, sqlite::Database::Open(file));
  // The original schema's tasks.queue_name REFERENCES queues(name) is not
  // enforced there (foreign keys off); keep it that way so its files work.
  PIER_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=OFF"));
  PIER_RETURN_IF_ERROR(db->Migrate(kMigrations).WithContext("task queue database"));
  return std::unique_ptr<SqliteTaskStore>(new SqliteTaskStore(std::move(db)));
}

Status SqliteTaskStore::SaveQueue(const QueueSettings& q) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare(
      "INSERT INTO queues (name, concurrency, max_retries, backoff_ms, delay_ms, retention_ms, paused)"
      " VALUES (?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET concurrency=excluded.concurrency,"
      " max_retries=excluded.max_retries, backoff_ms=excluded.backoff_ms, delay_ms=excluded.delay_ms,"
      " retention_ms=excluded.retention_ms, paused=excluded.paused"));
  s.Bind(1, q.name);
  s.Bind(2, int64_t{q.concurrency});
  s.Bind(3, int64_t{q.max_retries});
  s.Bind(4, q.backoff_ms);
  s.Bind(5, q.delay_ms);
  s.Bind(6, q.retention_ms);
  s.Bind(7, int64_t{q.paused});
  return s.Run().WithContext("creating queue");
}

Result<std::vector<QueueSettings>> SqliteTaskStore::LoadQueues() {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT name, concurrency, max_retries, backoff_ms, delay_ms,"
                                             " retention_ms, paused FROM queues ORDER BY name"));
  std::vector<QueueSettings> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.ColumnText(0), static_cast<int32_t>(s.ColumnInt(1)), static_cast<int32_t>(s.ColumnInt(2)),
                   s.ColumnInt(3), s.ColumnInt(4), s.ColumnInt(5), s.ColumnInt(6) != 0});
  }
  return out;
}

Result<std::vector<std::string>> SqliteTaskStore::Enqueue(const std::vector<NewTask>& tasks, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_));
  PIER_ASSIGN_OR_RETURN(auto find, db_->Prepare("SELECT id FROM tasks WHERE queue_name = ? AND unique_key = ?"
                                                " AND status IN ('pending', 'running') LIMIT 1"));
  PIER_ASSIGN_OR_RETURN(auto insert, db_->Prepare(
      "INSERT INTO tasks (id, queue_name, payload, status, attempt, max_retries, next_run_at, created_at,"
      " updated_at, priority, unique_key, timeout_ms, backoff_ms) VALUES (?,?,?,'pending',0,?,?,?,?,?,?,?,?)"));
  std::vector<std::string> ids;
  for (const NewTask& t : tasks) {
    if (!t.unique_key.empty()) {
      find.Bind(1, t.queue);
      find.Bind(2, t.unique_key);
      PIER_ASSIGN_OR_RETURN(bool row, find.Step());
      std::string existing = row ? find.ColumnText(0) : "";
      find.Reset();
      if (!existing.empty()) {
        ids.push_back(std::move(existing));
        continue;
      }
    }
    const std::string id = NewTaskId();
    insert.Bind(1, id);
    insert.Bind(2, t.queue);
    insert.BindBlob(3, t.payload);
    insert.Bind(4, int64_t{t.max_retries});
    insert.Bind(5, t.run_at_ms > 0 ? t.run_at_ms : now);
    insert.Bind(6, now);
    insert.Bind(7, now);
    insert.Bind(8, int64_t{t.priority});
    if (t.unique_key.empty()) {
      insert.BindNull(9);
    } else {
      insert.Bind(9, t.unique_key);
    }
    insert.Bind(10, t.timeout_ms);
    insert.Bind(11, t.backoff_ms);
    PIER_RETURN_IF_ERROR(insert.Run().WithContext("enqueuing task"));
    ids.push_back(id);
  }
  PIER_RETURN_IF_ERROR(tx->Commit().WithContext("enqueuing task"));
  return ids;
}

Result<std::optional<TaskRow>> SqliteTaskStore::Get(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT " + std::string(kTaskColumns) + " FROM tasks WHERE id = ?"));
  s.Bind(1, id);
  PIER_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<TaskRow>();
  return std::optional<TaskRow>(ReadTask(s));
}

Status SqliteTaskStore::Cancel(std::string_view id, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("UPDATE tasks SET status = 'cancelled', updated_at = ?"
                                             " WHERE id = ? AND status = 'pending'"));
  s.Bind(1, now);
  s.Bind(2, id);
  PIER_RETURN_IF_ERROR(s.Run().WithContext("cancelling task"));
  if (s.Changes() == 1) return OkStatus();
  PIER_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT status FROM tasks WHERE id = ?"));
  q.Bind(1, id);
  PIER_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFoundError("task " + GoQuote(id) + " not found");
  return FailedPreconditionError("task " + GoQuote(id) + " cannot be cancelled (status: " + q.ColumnText(0) + ")");
}

Result<int64_t> SqliteTaskStore::CancelPending(std::string_view queue, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("UPDATE tasks SET status = 'cancelled', updated_at = ?"
                                             " WHERE queue_name = ? AND status = 'pending'"));
  s.Bind(1, now);
  s.Bind(2, queue);
  PIER_RETURN_IF_ERROR(s.Run().WithContext("clearing queue"));
  return s.Changes();
}

Result<std::vector<TaskRow>> SqliteTaskStore::Claim(std::string_view queue, std::string_view owner, int64_t now,
                                                    int64_t lease_ms, int max) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare(
      "UPDATE tasks SET status = 'running', attempt = attempt + 1, updated_at = ?1, lease_owner = ?2,"
      " lease_until = ?3 WHERE id IN (SELECT id FROM tasks WHERE queue_name = ?4 AND status = 'pending'"
      " AND next_run_at <= ?1 ORDER BY priority DESC, next_run_at, created_at, rowid LIMIT ?5)"
      " RETURNING " + std::string(kTaskColumns)));
  s.Bind(1, now);
  s.Bind(2, owner);
  s.Bind(3, now + lease_ms);
  s.Bind(4, queue);
  s.Bind(5, int64_t{max});
  std::vector<TaskRow> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadTask(s));
  }
  // RETURNING has no defined order: restore the claim order.
  std::sort(out.begin(), out.end(), [](const TaskRow& a, const TaskRow& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.next_run_at != b.next_run_at) return a.next_run_at < b.next_run_at;
    return a.created_at < b.created_at;
  });
  return out;
}

Result<int64_t> SqliteTaskStore::Finish(const std::vector<Completion>& completions, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_));
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare(
      "UPDATE tasks SET status = ?1, message = CASE WHEN ?2 THEN ?3 ELSE message END,"
      " last_error = CASE WHEN ?4 THEN ?3 ELSE last_error END, next_run_at = CASE WHEN ?5 > 0 THEN ?5"
      " ELSE next_run_at END, attempt = CASE WHEN ?6 THEN attempt ELSE MAX(attempt - 1, 0) END,"
      " lease_owner = '', lease_until = 0, updated_at = ?7"
      " WHERE id = ?8 AND status = 'running' AND lease_owner = ?9"));
  int64_t applied = 0;
  for (const Completion& c : completions) {
    std::string_view status = kPending;
    bool set_message = false, set_error = false;
    int64_t run_at = 0;
    switch (c.outcome) {
      case Outcome::kCompleted: status = kCompleted, set_message = true; break;
      case Outcome::kRetry: status = kPending, set_error = true, run_at = c.retry_at_ms; break;
      case Outcome::kFailed: status = kFailed, set_message = set_error = true; break;
      case Outcome::kReleased: status = kPending, run_at = now; break;
    }
    s.Bind(1, status);
    s.Bind(2, int64_t{set_message});
    s.Bind(3, c.message);
    s.Bind(4, int64_t{set_error});
    s.Bind(5, run_at);
    s.Bind(6, int64_t{c.outcome != Outcome::kReleased || c.count_attempt});
    s.Bind(7, now);
    s.Bind(8, c.id);
    s.Bind(9, c.owner);
    PIER_RETURN_IF_ERROR(s.Run().WithContext("finishing task"));
    applied += s.Changes();
  }
  PIER_RETURN_IF_ERROR(tx->Commit().WithContext("finishing tasks"));
  return applied;
}

Result<int64_t> SqliteTaskStore::RecoverExpiredLeases(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare(
      "UPDATE tasks SET status = CASE WHEN attempt > max_retries THEN 'failed' ELSE 'pending' END,"
      " message = CASE WHEN attempt > max_retries THEN 'attempt ' || attempt ||"
      " ' did not finish: its worker stopped or crashed' ELSE message END,"
      " last_error = 'attempt ' || attempt || ' did not finish: its worker stopped or crashed',"
      " lease_owner = '', lease_until = 0, next_run_at = ?1, updated_at = ?1"
      " WHERE status = 'running' AND lease_until < ?1"));
  s.Bind(1, now);
  PIER_RETURN_IF_ERROR(s.Run().WithContext("recovering tasks"));
  return s.Changes();
}

Result<int64_t> SqliteTaskStore::DeleteFinishedBefore(std::string_view queue, int64_t cutoff) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM tasks WHERE queue_name = ? AND updated_at < ?"
                                             " AND status IN ('completed', 'failed', 'cancelled')"));
  s.Bind(1, queue);
  s.Bind(2, cutoff);
  PIER_RETURN_IF_ERROR(s.Run().WithContext("deleting finished tasks"));
  return s.Changes();
}

Result<QueueStats> SqliteTaskStore::Stats(std::string_view queue) {
  std::lock_guard<std::mutex> lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT status, COUNT(*) FROM tasks WHERE queue_name = ?"
                                             " GROUP BY status"));
  s.Bind(1, queue);
  QueueStats out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    const std::string status = s.ColumnText(0);
    const int64_t n = s.ColumnInt(1);
    if (status == kPending) out.pending = n;
    if (status == kRunning) out.running = n;
    if (status == kCompleted) out.completed = n;
    if (status == kFailed) out.failed = n;
    if (status == kCancelled) out.cancelled = n;
  }
  return out;
}

}  // namespace pier::taskqueue
