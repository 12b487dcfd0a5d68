#include "storage/postgres/database.h"

#include <utility>
#include <vector>

namespace pier::pg {

namespace {

// A fixed key for pg_advisory_lock: "pier" + "mig".
constexpr int64_t kMigrationLock = 0x7069657200006d67;

struct Step {
  int version;
  const char* sql;
};

// Times are Unix milliseconds (tasks) and seconds (key-value), as in the
// SQLite stores, so the same code judges both.
const std::vector<Step> kSteps = {
    {1, R"sql(
CREATE TABLE pier.queues (
  plugin text NOT NULL, name text NOT NULL,
  concurrency integer NOT NULL DEFAULT 1, max_retries integer NOT NULL DEFAULT 0,
  backoff_ms bigint NOT NULL DEFAULT 1000, delay_ms bigint NOT NULL DEFAULT 0,
  retention_ms bigint NOT NULL DEFAULT 3600000, paused boolean NOT NULL DEFAULT false,
  next_token_at bigint NOT NULL DEFAULT 0,   -- delayMs: no claim on any node before this
  waiting boolean NOT NULL DEFAULT false,    -- a claim was held back: wake nodes when capacity frees
  PRIMARY KEY (plugin, name));
CREATE TABLE pier.tasks (
  id text PRIMARY KEY, plugin text NOT NULL, queue text NOT NULL, payload bytea NOT NULL,
  status text NOT NULL DEFAULT 'pending', attempt integer NOT NULL DEFAULT 0,
  max_retries integer NOT NULL DEFAULT 0, backoff_ms bigint NOT NULL DEFAULT 1000,
  next_run_at bigint NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL,
  message text NOT NULL DEFAULT '', last_error text NOT NULL DEFAULT '',
  priority integer NOT NULL DEFAULT 0, unique_key text, timeout_ms bigint NOT NULL DEFAULT 0,
  lease_owner text NOT NULL DEFAULT '', lease_until bigint NOT NULL DEFAULT 0,
  started_at bigint NOT NULL DEFAULT 0,
  seq bigint GENERATED ALWAYS AS IDENTITY);
CREATE INDEX tasks_ready ON pier.tasks (plugin, queue, priority DESC, next_run_at, created_at, seq)
  WHERE status = 'pending';
CREATE INDEX tasks_running ON pier.tasks (plugin, queue) WHERE status = 'running';
CREATE INDEX tasks_leased ON pier.tasks (plugin, lease_until) WHERE status = 'running';
CREATE INDEX tasks_finished ON pier.tasks (plugin, queue, updated_at)
  WHERE status IN ('completed', 'failed', 'cancelled');
CREATE INDEX tasks_listed ON pier.tasks (plugin, queue, created_at DESC, seq DESC);
CREATE UNIQUE INDEX tasks_unique ON pier.tasks (plugin, queue, unique_key)
  WHERE unique_key IS NOT NULL AND status IN ('pending', 'running');
CREATE TABLE pier.kv (
  plugin text NOT NULL, key text COLLATE "C" NOT NULL, value bytea NOT NULL, size bigint NOT NULL,
  expires_at bigint NOT NULL DEFAULT 0, created_at bigint NOT NULL, updated_at bigint NOT NULL,
  PRIMARY KEY (plugin, key));
CREATE INDEX kv_expiring ON pier.kv (plugin, expires_at) WHERE expires_at > 0;
)sql"},
};

}  // namespace

Result<int> SchemaVersion(Connection& c) {
  PIER_ASSIGN_OR_RETURN(Rows exists, c.Run("SELECT count(*)::bigint FROM pg_catalog.pg_tables"
                                           " WHERE schemaname = 'pier' AND tablename = 'schema_version'"));
  if (exists.Int(0, 0) == 0) return 0;
  PIER_ASSIGN_OR_RETURN(Rows v, c.Run("SELECT coalesce(max(version), 0)::bigint FROM pier.schema_version"));
  return static_cast<int>(v.Int(0, 0));
}

Status Migrate(Connection& c) {
  PIER_RETURN_IF_ERROR(c.Run("SELECT pg_advisory_lock($1)", Params().Int(kMigrationLock)).status()
                           .WithContext("locking the schema for migration"));
  auto run = [&]() -> Status {
    PIER_RETURN_IF_ERROR(c.Exec("CREATE SCHEMA IF NOT EXISTS pier;"
                                " CREATE TABLE IF NOT EXISTS pier.schema_version (version integer PRIMARY KEY,"
                                " applied_at timestamptz NOT NULL DEFAULT now())"));
    PIER_ASSIGN_OR_RETURN(int version, SchemaVersion(c));
    if (version > kSchemaVersion) {
      return FailedPreconditionError("the database's Pier schema is version " + std::to_string(version) +
                                     ", newer than this Pier's (" + std::to_string(kSchemaVersion) +
                                     "): upgrade Pier; the database was not changed");
    }
    for (const Step& step : kSteps) {
      if (step.version <= version) continue;
      PIER_RETURN_IF_ERROR(c.Exec(std::string("BEGIN; ") + step.sql + "; INSERT INTO pier.schema_version (version) VALUES (" +
                                  std::to_string(step.version) + "); COMMIT")
                               .WithContext("schema migration " + std::to_string(step.version)));
    }
    return OkStatus();
  };
  Status st = run();
  if (!st.ok()) (void)c.Exec("ROLLBACK");
  (void)c.Run("SELECT pg_advisory_unlock($1)", Params().Int(kMigrationLock));
  return st;
}

Database::~Database() {
  if (notifier_) notifier_->Stop();
}

Result<std::shared_ptr<Database>> Database::Open(const DatabaseOptions& o) {
  ConnectOptions connect{.url = o.url, .connect_timeout = o.connect_timeout, .statement_timeout = o.statement_timeout};
  std::shared_ptr<Database> db(new Database());
  {
    // Migrations may take a while: no statement timeout on this session.
    ConnectOptions migrate = connect;
    migrate.statement_timeout = std::chrono::milliseconds(0);
    PIER_ASSIGN_OR_RETURN(auto c, Connection::Connect(migrate));
    PIER_RETURN_IF_ERROR(Migrate(*c).WithContext("PostgreSQL at " + c->redacted_url()));
  }
  PIER_ASSIGN_OR_RETURN(db->pool_, Pool::Open({.connect = connect, .size = o.pool_size}));
  if (o.listen) {
    db->notifier_ = std::make_unique<Notifier>(connect);
    PIER_RETURN_IF_ERROR(db->notifier_->Start());
  }
  return db;
}

}  // namespace pier::pg
