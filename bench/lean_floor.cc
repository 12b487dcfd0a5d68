#include "lean_floor.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace pier::bench {

namespace {

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "lean floor: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void Exec(sqlite3* db, const char* sql) { Check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  Check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), db, sql);
  return s;
}

}  // namespace

double LeanFloor(const std::filesystem::path& file, const LeanFloorOptions& o) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix, ec);
  sqlite3* db = nullptr;
  Check(sqlite3_open(file.c_str(), &db), db, "open");
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, o.full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  Exec(db,
       "CREATE TABLE tasks (id INTEGER PRIMARY KEY, status INTEGER NOT NULL, run_at INTEGER NOT NULL, payload BLOB);"
       "CREATE INDEX ready ON tasks (run_at) WHERE status = 0;");
  sqlite3_stmt* begin = Prepare(db, "BEGIN IMMEDIATE");
  sqlite3_stmt* commit = Prepare(db, "COMMIT");
  sqlite3_stmt* insert = Prepare(db, "INSERT INTO tasks (status, run_at, payload) VALUES (0, ?1, ?2)");
  sqlite3_stmt* claim = Prepare(db,
                                "UPDATE tasks SET status = 1 WHERE id IN (SELECT id FROM tasks WHERE status = 0"
                                " AND run_at <= ?1 ORDER BY run_at LIMIT ?2) RETURNING id");
  sqlite3_stmt* complete = Prepare(db, "UPDATE tasks SET status = 2 WHERE id = ?1");
  auto step = [&](sqlite3_stmt* s, const char* what) {
    const int rc = sqlite3_step(s);
    Check(rc, db, what);
    return rc;
  };
  auto run = [&](sqlite3_stmt* s, const char* what) {
    step(s, what);
    sqlite3_reset(s);
  };

  const auto t0 = std::chrono::steady_clock::now();
  const int64_t now = 1;
  std::vector<int64_t> claimed;
  int enqueued = 0, finished = 0;
  while (finished < o.tasks) {
    if (enqueued < o.tasks) {
      run(begin, "begin");
      const int n = std::min(o.enqueue_batch, o.tasks - enqueued);
      for (int i = 0; i < n; ++i) {
        sqlite3_bind_int64(insert, 1, now);
        sqlite3_bind_blob(insert, 2, "noop", 4, SQLITE_STATIC);
        run(insert, "insert");
      }
      run(commit, "commit");
      enqueued += n;
    }
    // As in the store's floor: as many claim/complete rounds as fit one
    // enqueue batch, each finishing the previous round's tasks.
    const int rounds = std::max(1, o.enqueue_batch / std::max(1, o.per_round));
    for (int r = 0; r < rounds && finished < o.tasks; ++r) {
      run(begin, "begin");
      for (int64_t id : claimed) {
        sqlite3_bind_int64(complete, 1, id);
        run(complete, "complete");
      }
      finished += static_cast<int>(claimed.size());
      claimed.clear();
      sqlite3_bind_int64(claim, 1, now);
      sqlite3_bind_int(claim, 2, o.per_round);
      while (step(claim, "claim") == SQLITE_ROW) claimed.push_back(sqlite3_column_int64(claim, 0));
      sqlite3_reset(claim);
      run(commit, "commit");
      if (claimed.empty() && enqueued >= o.tasks) break;
    }
  }
  if (!claimed.empty()) {
    run(begin, "begin");
    for (int64_t id : claimed) {
      sqlite3_bind_int64(complete, 1, id);
      run(complete, "complete");
    }
    run(commit, "commit");
    finished += static_cast<int>(claimed.size());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (sqlite3_stmt* s : {begin, commit, insert, claim, complete}) sqlite3_finalize(s);
  sqlite3_close(db);
  return finished / seconds;
}

}  // namespace pier::bench
