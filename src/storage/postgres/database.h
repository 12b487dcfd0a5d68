// Database: what one Pier node holds of a shared PostgreSQL database — a
// connection pool, the notification listener, and Pier's schema (`pier`),
// brought to this version by numbered migrations when the node opens it.
//
// Every plugin's queues, tasks and key-value data share the tables of the
// `pier` schema, told apart by a `plugin` column that leads every key and
// index (one set of migrations, one pool for all plugins, no DDL when a
// plugin is installed). Migrations run under a session advisory lock, so
// nodes starting together apply each step once; a database whose schema is
// newer than this Pier is refused, never changed.
//
//   auto db = pg::Database::Open({.url = "postgresql://pier@127.0.0.1/pier"}).value();
//   auto store = PostgresTaskStore::Open(db, "thumbnailer");
//
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "storage/postgres/notifier.h"
#include "storage/postgres/pool.h"

namespace pier::pg {

// The schema version this Pier writes.
inline constexpr int kSchemaVersion = 1;

struct DatabaseOptions {
  std::string url;
  int pool_size = 8;
  std::chrono::milliseconds statement_timeout{30000};
  std::chrono::seconds connect_timeout{5};
  bool listen = true;  // start the notification listener
};

class Database {
 public:
  // Connects, migrates and (with `listen`) starts listening. kUnavailable
  // (naming the URL without its password) when the server cannot be reached;
  // kFailedPrecondition for a schema newer than kSchemaVersion.
  static Result<std::shared_ptr<Database>> Open(const DatabaseOptions& options);
  ~Database();

  Pool& pool() { return *pool_; }
  // Null when opened without `listen`.
  Notifier* notifier() { return notifier_.get(); }
  const std::string& redacted_url() const { return pool_->redacted_url(); }

 private:
  Database() = default;
  std::shared_ptr<Pool> pool_;
  std::unique_ptr<Notifier> notifier_;
};

// Applies the migrations up to kSchemaVersion (exposed for tests).
Status Migrate(Connection& c);
// The stored schema version (0: none yet).
Result<int> SchemaVersion(Connection& c);

}  // namespace pier::pg
