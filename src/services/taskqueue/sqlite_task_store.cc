#include "services/taskqueue/sqlite_task_store.h"

#include "common/duration.h"


#include <algorithm>
#include <utility>

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
    // 5: indexes that match the claim, lease and retention queries exactly
    // (partial, so each holds only the rows its query can want).
    {5, "DROP INDEX idx_tasks_claim; DROP INDEX idx_tasks_lease;"
        "CREATE INDEX idx_tasks_ready ON tasks(queue_name, priority DESC, next_run_at, created_at)"
        " WHERE status = 'pending';"
        "CREATE INDEX idx_tasks_leased ON tasks(lease_until) WHERE status = 'running';"
        "CREATE INDEX idx_tasks_finished ON tasks(queue_name, updated_at)"
        " WHERE status IN ('completed', 'failed', 'cancelled');"},
    // 6: an attempt counts when its call starts, not when it is claimed.
    {6, "ALTER TABLE tasks ADD COLUMN started_at INTEGER NOT NULL DEFAULT 0;"},
    // 7: the claim path touches only the indexes its queries need. The
    // original's idx_tasks_dequeue (queue, status, next_run_at) changed on
    // every state change; what it served is now served by partial indexes
    // that change only when a task enters or leaves their state: ready work
    // (idx_tasks_ready also answers NextRunAt, one seek per priority),
    // finished work by status and age (retention and counts), and every task
    // of a queue by creation (listing; append-only).
    // "Finished" is written `status < 'pending'` (see the static_assert
    // below): a three-value IN list makes SQLite build a temporary table each
    // time it checks the index's condition, on every insert and state change.
    {7, "DROP INDEX IF EXISTS idx_tasks_dequeue; DROP INDEX IF EXISTS idx_tasks_finished;"
        "CREATE INDEX idx_tasks_finished ON tasks(queue_name, status, updated_at)"
        " WHERE status < 'pending';"
        "CREATE INDEX idx_tasks_created ON tasks(queue_name, created_at);"},
    // 8: listing reads the table itself, newest row first (rowids only
    // grow, so row order is insertion order), and stops after one page; an
    // index kept on every insert only for listing cost 7% of the write path.
    {8, "DROP INDEX IF EXISTS idx_tasks_created;"},
    // 9: large payloads apart, written once (see the class comment). A
    // task's payload is in task_payloads when payload_apart is 1 (its row's
    // own payload is then empty); the trigger removes it with its task,
    // however the task is deleted. Payloads already stored stay where they are.
    {9, "CREATE TABLE task_payloads (task INTEGER PRIMARY KEY, payload BLOB NOT NULL);"
        "ALTER TABLE tasks ADD COLUMN payload_apart INTEGER NOT NULL DEFAULT 0;"
        "CREATE TRIGGER task_payloads_follow_tasks AFTER DELETE ON tasks WHEN old.payload_apart <> 0"
        " BEGIN DELETE FROM task_payloads WHERE task = old.rowid; END;"},
};

// The finished states are exactly those that sort before 'pending'.
static_assert(kCancelled < kPending && kCompleted < kPending && kFailed < kPending && kPending < kRunning,
              "finished states must sort before 'pending', the others not");

// SQL for the rowid of a task: parameter ?row when the caller knows it
// (non-zero), else looked up by the ID in parameter ?id.
std::string RowOf(int row, int id) {
  const std::string r = "?" + std::to_string(row);
  return "(CASE WHEN " + r + " > 0 THEN " + r + " ELSE (SELECT rowid FROM tasks WHERE id = ?" + std::to_string(id) +
         ") END)";
}

// A task's payload, wherever it is stored.
#define PIER_TASK_PAYLOAD \
  "CASE WHEN payload_apart THEN (SELECT p.payload FROM task_payloads p WHERE p.task = tasks.rowid) ELSE payload END"

constexpr std::string_view kTaskColumns =
    "id, queue_name, " PIER_TASK_PAYLOAD ", status, attempt, max_retries, backoff_ms, next_run_at, created_at, updated_at, "
    "message, last_error, priority, COALESCE(unique_key, ''), timeout_ms, lease_owner, lease_until, started_at, rowid";

// What a worker needs of a task it claims: not its message, last error or
// unique key, which can be long and which it never reads.
constexpr std::string_view kClaimColumns =
    "rowid, id, " PIER_TASK_PAYLOAD ", attempt, max_retries, backoff_ms, next_run_at, created_at, priority, timeout_ms";
#undef PIER_TASK_PAYLOAD

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
  t.started_at = s.ColumnInt(17);
  t.row = s.ColumnInt(18);
  return t;
}

// A row of kClaimColumns, claimed for `claim` at `now`.
TaskRow ReadClaimed(const sqlite::Statement& s, const ClaimRequest& claim, int64_t now) {
  TaskRow t;
  t.row = s.ColumnInt(0);
  t.id = s.ColumnText(1);
  t.queue = claim.queue;
  t.payload = s.ColumnBlob(2);
  t.status = kRunning;
  t.attempt = static_cast<int32_t>(s.ColumnInt(3));
  t.max_retries = static_cast<int32_t>(s.ColumnInt(4));
  t.backoff_ms = s.ColumnInt(5);
  t.next_run_at = s.ColumnInt(6);
  t.created_at = s.ColumnInt(7);
  t.updated_at = now;
  t.priority = static_cast<int32_t>(s.ColumnInt(8));
  t.timeout_ms = s.ColumnInt(9);
  t.lease_owner = claim.owner;
  t.lease_until = SaturatingAdd(now, claim.lease_ms);
  return t;
}

}  // namespace

struct SqliteTaskStore::Write {
  const std::function<Status(Connection&)>* op;
  Status result;
  bool done = false;
};

Result<SqliteTaskStore::Stmt> SqliteTaskStore::Connection::Prepare(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it == statements_.end()) {
    PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
    it = statements_.emplace(std::string(sql), std::move(s)).first;
  }
  return Stmt(&it->second);
}

Result<std::unique_ptr<SqliteTaskStore>> SqliteTaskStore::Open(const std::filesystem::path& file,
                                                               Durability durability, size_t payload_apart_from) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::filesystem::permissions(file.parent_path(), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  PIER_ASSIGN_OR_RETURN(auto writer, sqlite::Database::Open(file));
  // The original schema's tasks.queue_name REFERENCES queues(name) is not
  // enforced there (foreign keys off); keep it that way so its files work.
  // The writer keeps a 32 MiB page cache (claim-path indexes stay hot) and
  // any temporary structures in memory.
  PIER_RETURN_IF_ERROR(writer->Exec(std::string("PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;"
                                                " PRAGMA cache_size=-32768; PRAGMA synchronous=") +
                                    (durability == Durability::kFull ? "FULL" : "NORMAL")));
  PIER_RETURN_IF_ERROR(writer->Migrate(kMigrations).WithContext("task queue database"));
  PIER_ASSIGN_OR_RETURN(auto reader, sqlite::Database::Open(file, /*check=*/false));
  PIER_ASSIGN_OR_RETURN(auto checkpointer, sqlite::Checkpointer::Start(*writer));
  return std::unique_ptr<SqliteTaskStore>(
      new SqliteTaskStore(std::move(writer), std::move(reader), std::move(checkpointer), payload_apart_from));
}

Status SqliteTaskStore::RunWrite(const std::function<Status(Connection&)>& op) {
  Write w{&op};
  MutexLock lock(queue_mu_);
  waiting_.push_back(&w);
  while (!w.done) {
    if (writing_) {
      committed_.Wait(queue_mu_);
      continue;
    }
    writing_ = true;
    std::vector<Write*> batch;
    batch.swap(waiting_);
    lock.Unlock();
    CommitBatch(batch);
    lock.Lock();
    stats_.transactions += 1;
    stats_.changes += static_cast<int64_t>(batch.size());
    for (Write* b : batch) b->done = true;
    writing_ = false;
    committed_.NotifyAll();
  }
  return w.result;
}

void SqliteTaskStore::CommitBatch(const std::vector<Write*>& batch) {
  auto run = [&](std::string_view sql) -> Status {
    PIER_ASSIGN_OR_RETURN(Stmt s, writer_.Prepare(sql));
    return s->Run();
  };
  if (Status begin = run("BEGIN IMMEDIATE"); !begin.ok()) {
    for (Write* w : batch) w->result = begin;
    return;
  }
  if (batch.size() == 1) {
    // Alone in its transaction: a failure rolls the whole of it back, with
    // no savepoint to write (a single enqueue pays for three statements, not five).
    Write* w = batch.front();
    w->result = (*w->op)(writer_);
    if (!w->result.ok()) {
      (void)writer_.db().Exec("ROLLBACK");
      return;
    }
  } else {
    for (Write* w : batch) {
      Status sp = run("SAVEPOINT change");
      if (sp.ok()) {
        w->result = (*w->op)(writer_);
        sp = w->result.ok() ? run("RELEASE change") : run("ROLLBACK TO change");
        if (!w->result.ok() && sp.ok()) sp = run("RELEASE change");
      }
      if (!sp.ok() && w->result.ok()) w->result = sp;
    }
  }
  if (Status commit = run("COMMIT"); !commit.ok()) {
    (void)writer_.db().Exec("ROLLBACK");
    for (Write* w : batch) {
      if (w->result.ok()) w->result = commit;
    }
  }
}

Result<int64_t> SqliteTaskStore::WriteOne(std::string_view sql, std::string_view context,
                                          const std::function<void(sqlite::Statement&)>& bind) {
  int64_t changed = 0;
  PIER_RETURN_IF_ERROR(RunWrite([&](Connection& c) -> Status {
    PIER_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql));
    bind(*s);
    PIER_RETURN_IF_ERROR(s->Run());
    changed = s->Changes();
    return OkStatus();
  }).WithContext(std::string(context)));
  return changed;
}

Status SqliteTaskStore::Transition(std::string_view sql, std::string_view id, int64_t now, std::string_view context,
                                   Refusal refusal) {
  std::optional<std::string> refused;
  PIER_RETURN_IF_ERROR(RunWrite([&](Connection& c) -> Status {
    PIER_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql));
    s->Bind(1, now);
    s->Bind(2, id);
    PIER_RETURN_IF_ERROR(s->Run());
    if (s->Changes() == 1) return OkStatus();
    // In the same transaction: why it did not apply.
    PIER_ASSIGN_OR_RETURN(Stmt q, c.Prepare("SELECT status FROM tasks WHERE id = ?"));
    q->Bind(1, id);
    PIER_ASSIGN_OR_RETURN(bool row, q->Step());
    refused = row ? q->ColumnText(0) : std::string();
    return OkStatus();
  }).WithContext(std::string(context)));
  return refused ? refusal(id, *refused) : OkStatus();
}

SqliteTaskStore::CommitStats SqliteTaskStore::commit_stats() const {
  MutexLock lock(queue_mu_);
  return stats_;
}

Status SqliteTaskStore::SaveQueue(const QueueSettings& q) {
  return RunWrite([&](Connection& c) -> Status {
    PIER_ASSIGN_OR_RETURN(Stmt s, c.Prepare(
        "INSERT INTO queues (name, concurrency, max_retries, backoff_ms, delay_ms, retention_ms, paused)"
        " VALUES (?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET concurrency=excluded.concurrency,"
        " max_retries=excluded.max_retries, backoff_ms=excluded.backoff_ms, delay_ms=excluded.delay_ms,"
        " retention_ms=excluded.retention_ms, paused=excluded.paused"));
    s->Bind(1, q.name);
    s->Bind(2, int64_t{q.concurrency});
    s->Bind(3, int64_t{q.max_retries});
    s->Bind(4, q.backoff_ms);
    s->Bind(5, q.delay_ms);
    s->Bind(6, q.retention_ms);
    s->Bind(7, int64_t{q.paused});
    return s->Run();
  }).WithContext("creating queue");
}

Result<std::vector<QueueSettings>> SqliteTaskStore::LoadQueues() {
  MutexLock lock(read_mu_);
  PIER_ASSIGN_OR_RETURN(Stmt s, reader_.Prepare("SELECT name, concurrency, max_retries, backoff_ms, delay_ms,"
                                                " retention_ms, paused FROM queues ORDER BY name"));
  std::vector<QueueSettings> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back({s->ColumnText(0), static_cast<int32_t>(s->ColumnInt(1)), static_cast<int32_t>(s->ColumnInt(2)),
                   s->ColumnInt(3), s->ColumnInt(4), s->ColumnInt(5), s->ColumnInt(6) != 0});
  }
  return out;
}

Status SqliteTaskStore::SetPaused(std::string_view queue, bool paused) {
  PIER_ASSIGN_OR_RETURN(int64_t changed, WriteOne("UPDATE queues SET paused = ? WHERE name = ?", "pausing queue",
                                                  [&](sqlite::Statement& s) {
                                                    s.Bind(1, int64_t{paused});
                                                    s.Bind(2, queue);
                                                  }));
  if (changed == 0) return NotFoundError("queue " + GoQuote(queue) + " does not exist");
  return OkStatus();
}

Result<std::vector<std::string>> SqliteTaskStore::Enqueue(const std::vector<NewTask>& tasks, int64_t now) {
  std::vector<std::string> ids;
  PIER_RETURN_IF_ERROR(RunWrite([&](Connection& c) { return InsertTasks(c, tasks, now, &ids); })
                           .WithContext("enqueuing task"));
  return ids;
}

Result<TaskStore::Enqueued> SqliteTaskStore::EnqueueAndClaim(const std::vector<NewTask>& tasks,
                                                            const ClaimRequest& claim, int64_t now) {
  Enqueued out;
  PIER_RETURN_IF_ERROR(RunWrite([&](Connection& c) -> Status {
    PIER_RETURN_IF_ERROR(InsertTasks(c, tasks, now, &out.ids));
    return ClaimTasks(c, claim, now, &out.claimed);
  }).WithContext("enqueuing task"));
  return out;
}

Status SqliteTaskStore::InsertTasks(Connection& c, const std::vector<NewTask>& tasks, int64_t now,
                                    std::vector<std::string>* out) {
  std::vector<std::string>& ids = *out;
  ids.clear();
  PIER_ASSIGN_OR_RETURN(Stmt find, c.Prepare("SELECT id FROM tasks WHERE queue_name = ? AND unique_key = ?"
                                             " AND status IN ('pending', 'running') LIMIT 1"));
  PIER_ASSIGN_OR_RETURN(Stmt insert, c.Prepare(
      "INSERT INTO tasks (id, queue_name, payload, status, attempt, max_retries, next_run_at, created_at,"
      " updated_at, priority, unique_key, timeout_ms, backoff_ms, payload_apart)"
      " VALUES (?,?,?,'pending',0,?,?,?,?,?,?,?,?,?)"));
  PIER_ASSIGN_OR_RETURN(Stmt apart, c.Prepare("INSERT INTO task_payloads (task, payload) VALUES (?, ?)"));
  for (const NewTask& t : tasks) {
    if (!t.unique_key.empty()) {
      find->Bind(1, t.queue);
      find->Bind(2, t.unique_key);
      PIER_ASSIGN_OR_RETURN(bool row, find->Step());
      std::string existing = row ? find->ColumnText(0) : "";
      find->Reset();
      if (!existing.empty()) {
        ids.push_back(std::move(existing));
        continue;
      }
    }
    std::string id = NewTaskId();
    insert->Bind(1, id);
    insert->Bind(2, t.queue);
    const bool kept_apart = t.payload.size() > payload_apart_from_;
    insert->BindBlob(3, kept_apart ? std::string_view() : std::string_view(t.payload));
    insert->Bind(4, int64_t{t.max_retries});
    insert->Bind(5, t.run_at_ms > 0 ? t.run_at_ms : now);
    insert->Bind(6, now);
    insert->Bind(7, now);
    insert->Bind(8, int64_t{t.priority});
    if (t.unique_key.empty()) {
      insert->BindNull(9);
    } else {
      insert->Bind(9, t.unique_key);
    }
    insert->Bind(10, t.timeout_ms);
    insert->Bind(11, t.backoff_ms);
    insert->Bind(12, int64_t{kept_apart});
    PIER_RETURN_IF_ERROR(insert->Run());
    if (kept_apart) {
      apart->Bind(1, c.db().LastInsertRowId());
      apart->BindBlob(2, t.payload);
      PIER_RETURN_IF_ERROR(apart->Run());
    }
    ids.push_back(std::move(id));
  }
  return OkStatus();
}

Result<std::optional<TaskRow>> SqliteTaskStore::Get(std::string_view id) {
  MutexLock lock(read_mu_);
  PIER_ASSIGN_OR_RETURN(Stmt s, reader_.Prepare("SELECT " + std::string(kTaskColumns) + " FROM tasks WHERE id = ?"));
  s->Bind(1, id);
  PIER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<TaskRow>();
  return std::optional<TaskRow>(ReadTask(*s));
}

Result<std::vector<TaskRow>> SqliteTaskStore::List(const ListFilter& f) {
  MutexLock lock(read_mu_);
  PIER_ASSIGN_OR_RETURN(Stmt s, reader_.Prepare("SELECT " + std::string(kTaskColumns) +
                                                " FROM tasks WHERE queue_name = ?1 AND (?2 = '' OR status = ?2)"
                                                " AND rowid < ?5 ORDER BY rowid DESC LIMIT ?3 OFFSET ?4"));
  s->Bind(1, f.queue);
  s->Bind(2, f.status);
  s->Bind(3, int64_t{f.limit});
  s->Bind(4, int64_t{f.offset});
  // Rowids only grow: the rows listed after a key are those below its rowid (a seek, not a scan).
  s->Bind(5, f.after ? f.after->row : INT64_MAX);
  std::vector<TaskRow> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(ReadTask(*s));
  }
  return out;
}

Status SqliteTaskStore::Cancel(std::string_view id, int64_t now) {
  return Transition("UPDATE tasks SET status = 'cancelled', updated_at = ?1 WHERE id = ?2 AND status = 'pending'", id,
                    now, "cancelling task", CancelRefused);
}

Result<int64_t> SqliteTaskStore::CancelPending(std::string_view queue, int64_t now) {
  return WriteOne("UPDATE tasks SET status = 'cancelled', updated_at = ? WHERE queue_name = ? AND status = 'pending'",
                  "clearing queue", [&](sqlite::Statement& s) {
                    s.Bind(1, now);
                    s.Bind(2, queue);
                  });
}

Status SqliteTaskStore::Delete(std::string_view id) {
  // ?1 (the time) is not needed: a delete leaves nothing to stamp.
  return Transition("DELETE FROM tasks WHERE id = ?2 AND status <> 'running' AND ?1 IS NOT NULL", id, 0,
                    "deleting task", DeleteRefused);
}

Status SqliteTaskStore::RunNow(std::string_view id, int64_t now) {
  return Transition("UPDATE tasks SET next_run_at = min(next_run_at, ?1), updated_at = ?1"
                    " WHERE id = ?2 AND status = 'pending'",
                    id, now, "running task now", RunNowRefused);
}

Status SqliteTaskStore::Retry(std::string_view id, int64_t now) {
  return Transition(
      "UPDATE tasks SET status = 'pending', attempt = 0, next_run_at = ?1, updated_at = ?1"
      " WHERE id = ?2 AND status IN ('failed', 'cancelled') AND (unique_key IS NULL OR NOT EXISTS"
      " (SELECT 1 FROM tasks o WHERE o.queue_name = tasks.queue_name AND o.unique_key = tasks.unique_key"
      " AND o.status IN ('pending', 'running')))",
      id, now, "retrying task", RetryRefused);
}

Result<Exchange> SqliteTaskStore::FinishAndClaim(const Round& round, int64_t now) {
  Exchange out;
  const ClaimRequest* claim = round.claim;
  PIER_RETURN_IF_ERROR(RunWrite([&](Connection& c) -> Status {
    out = Exchange();
    if (!round.started.empty()) {
      PIER_ASSIGN_OR_RETURN(Stmt s, c.Prepare(
          "UPDATE tasks SET attempt = attempt + 1, started_at = MAX(?1, 1), updated_at = ?1"
          " WHERE rowid = " + RowOf(4, 2) + " AND id = ?2 AND status = 'running' AND lease_owner = ?3"
          " AND started_at = 0"));
      for (const Started& mark : round.started) {
        s->Bind(1, now);
        s->Bind(2, mark.id);
        s->Bind(3, mark.owner);
        s->Bind(4, mark.row);
        PIER_RETURN_IF_ERROR(s->Run().WithContext("recording a task's start"));
      }
    }
    if (!round.completions.empty()) {
      PIER_ASSIGN_OR_RETURN(Stmt s, c.Prepare(
          "UPDATE tasks SET status = ?1, message = CASE WHEN ?2 THEN ?3 ELSE message END,"
          " last_error = CASE WHEN ?4 THEN ?3 ELSE last_error END,"
          " next_run_at = CASE WHEN ?5 > 0 THEN ?5 ELSE next_run_at END,"
          " attempt = attempt + ?6, started_at = 0,"
          " lease_owner = '', lease_until = 0, updated_at = ?7"
          " WHERE rowid = " + RowOf(10, 8) + " AND id = ?8 AND status = 'running' AND lease_owner = ?9"));
      for (const Completion& done : round.completions) {
        const CompletionWrite w = DescribeCompletion(done, now);
        s->Bind(1, w.status);
        s->Bind(2, int64_t{w.set_message});
        s->Bind(3, done.message);
        s->Bind(4, int64_t{w.set_error});
        s->Bind(5, w.run_at);
        s->Bind(6, int64_t{w.attempt_delta});
        s->Bind(7, now);
        s->Bind(8, done.id);
        s->Bind(9, done.owner);
        s->Bind(10, done.row);
        PIER_RETURN_IF_ERROR(s->Run().WithContext("finishing task"));
        out.finished += s->Changes();
      }
    }
    if (claim != nullptr && claim->max > 0) PIER_RETURN_IF_ERROR(ClaimTasks(c, *claim, now, &out.claimed));
    return OkStatus();
  }));
  return out;
}

Status SqliteTaskStore::ClaimTasks(Connection& c, const ClaimRequest& claim, int64_t now,
                                   std::vector<TaskRow>* claimed) {
  // Read the due rows in claim order straight off idx_tasks_ready, then
  // move each by rowid: no `IN (subquery)` or RETURNING, whose temporary
  // tables cost more than the writes themselves.
  PIER_ASSIGN_OR_RETURN(Stmt pick, c.Prepare(
      "SELECT " + std::string(kClaimColumns) + " FROM tasks INDEXED BY idx_tasks_ready"
      " WHERE queue_name = ?1 AND status = 'pending' AND next_run_at <= ?2"
      " ORDER BY priority DESC, next_run_at, created_at LIMIT ?3"));
  pick->Bind(1, claim.queue);
  pick->Bind(2, now);
  pick->Bind(3, int64_t{claim.max});
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, pick->Step());
    if (!row) break;
    claimed->push_back(ReadClaimed(*pick, claim, now));
  }
  PIER_ASSIGN_OR_RETURN(Stmt take, c.Prepare(
      "UPDATE tasks SET status = 'running', started_at = 0, updated_at = ?1, lease_owner = ?2,"
      " lease_until = ?3 WHERE rowid = ?4"));
  for (const TaskRow& t : *claimed) {
    take->Bind(1, now);
    take->Bind(2, claim.owner);
    take->Bind(3, t.lease_until);
    take->Bind(4, t.row);
    PIER_RETURN_IF_ERROR(take->Run().WithContext("claiming task"));
  }
  return OkStatus();
}

Result<int64_t> SqliteTaskStore::RecoverLeases(int64_t now, std::string_view dead_owner_prefix,
                                               std::string_view live_owner) {
  return WriteOne(
      "UPDATE tasks SET"
      " status = CASE WHEN started_at > 0 AND attempt > max_retries THEN 'failed' ELSE 'pending' END,"
      " message = CASE WHEN started_at > 0 AND attempt > max_retries THEN 'attempt ' || attempt ||"
      " ' did not finish: its worker stopped or crashed' ELSE message END,"
      " last_error = CASE WHEN started_at > 0 THEN 'attempt ' || attempt ||"
      " ' did not finish: its worker stopped or crashed' ELSE last_error END,"
      " started_at = 0, lease_owner = '', lease_until = 0, next_run_at = ?1, updated_at = ?1"
      " WHERE status = 'running' AND (lease_until < ?1 OR (?2 <> '' AND substr(lease_owner, 1, length(?2)) = ?2"
      " AND lease_owner <> ?3))",
      "recovering tasks", [&](sqlite::Statement& s) {
        s.Bind(1, now);
        s.Bind(2, dead_owner_prefix);
        s.Bind(3, live_owner);
      });
}

Result<std::optional<int64_t>> SqliteTaskStore::NextRunAt(std::string_view queue) {
  MutexLock lock(read_mu_);
  // The earliest run time among ready tasks, read off idx_tasks_ready (in
  // priority order) with one seek per distinct priority: the first priority,
  // then each next lower one, and the earliest task of each.
  PIER_ASSIGN_OR_RETURN(Stmt s, reader_.Prepare(
      "WITH RECURSIVE p(priority) AS ("
      " SELECT (SELECT priority FROM tasks INDEXED BY idx_tasks_ready WHERE queue_name = ?1 AND status = 'pending'"
      " ORDER BY priority DESC LIMIT 1)"
      " UNION ALL SELECT (SELECT t.priority FROM tasks t INDEXED BY idx_tasks_ready WHERE t.queue_name = ?1"
      " AND t.status = 'pending' AND t.priority < p.priority ORDER BY t.priority DESC LIMIT 1)"
      " FROM p WHERE p.priority IS NOT NULL)"
      " SELECT MIN((SELECT t.next_run_at FROM tasks t INDEXED BY idx_tasks_ready WHERE t.queue_name = ?1"
      " AND t.status = 'pending' AND t.priority = p.priority ORDER BY t.next_run_at LIMIT 1))"
      " FROM p WHERE p.priority IS NOT NULL"));
  s->Bind(1, queue);
  PIER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row || s->ColumnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(s->ColumnInt(0));
}

Result<int64_t> SqliteTaskStore::DeleteFinished(std::string_view queue, int64_t cutoff, std::string_view status,
                                                int limit) {
  return WriteOne(
      "DELETE FROM tasks WHERE rowid IN (SELECT rowid FROM tasks INDEXED BY idx_tasks_finished"
      " WHERE queue_name = ?1 AND updated_at < ?2"
      " AND status < 'pending' AND (?3 = '' OR status = ?3) LIMIT ?4)",
      "deleting finished tasks", [&](sqlite::Statement& s) {
        s.Bind(1, queue);
        s.Bind(2, cutoff);
        s.Bind(3, status);
        s.Bind(4, int64_t{limit});
      });
}

Result<QueueStats> SqliteTaskStore::Stats(std::string_view queue) {
  MutexLock lock(read_mu_);
  // One count per state, each over the partial index that holds that state.
  PIER_ASSIGN_OR_RETURN(Stmt s, reader_.Prepare(
      "SELECT 'pending', COUNT(*) FROM tasks INDEXED BY idx_tasks_ready WHERE queue_name = ?1 AND status = 'pending'"
      " UNION ALL SELECT 'running', COUNT(*) FROM tasks INDEXED BY idx_tasks_leased"
      " WHERE status = 'running' AND queue_name = ?1"
      " UNION ALL SELECT status, COUNT(*) FROM tasks INDEXED BY idx_tasks_finished WHERE queue_name = ?1"
      " AND status < 'pending' GROUP BY status"));
  s->Bind(1, queue);
  QueueStats out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    AddToStats(out, s->ColumnText(0), s->ColumnInt(1));
  }
  return out;
}

}  // namespace pier::taskqueue
