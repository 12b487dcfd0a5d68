// Database: one SQLite file, with prepared statements, RAII transactions and
// schema migrations by `PRAGMA user_version`.
//
//   auto db = Database::Open(dir / "registry.db").value();
//   PIER_RETURN_IF_ERROR(db->Migrate({{1, "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)"}}));
//   Statement put = db->Prepare("INSERT INTO t VALUES (?, ?)").value();
//   put.Bind(1, "key"); put.Bind(2, "value");
//   PIER_RETURN_IF_ERROR(put.Run());
//
// A Database and its statements are confined to one thread at a time; open
// one per thread (WAL mode lets readers and a writer share the file).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pier/status.h"

namespace pier::sqlite {

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t value);
  void BindDouble(int index, double value);
  void BindNull(int index);
  void BindBlob(int index, std::string_view bytes);

  // Steps once: true while a row is available.
  Result<bool> Step();
  // Steps to the end, for statements that return no rows.
  Status Run();
  void Reset();

  std::string ColumnText(int column) const;
  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  bool ColumnIsNull(int column) const;
  std::string ColumnBlob(int column) const;
  // Rows changed by the last statement on this database.
  int64_t Changes() const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_;          // owned by the Database, which outlives its statements
  sqlite3_stmt* stmt_;
};

struct Migration {
  int version;      // user_version after this step
  std::string sql;  // one or more statements
};

// What to do with a database file that exists but is empty, is not an
// SQLite database or fails `PRAGMA quick_check`.
enum class BrokenFile {
  kRefuse,     // the default: an error naming the file and what is wrong
  kStartOver,  // move it aside (`<name>.broken-<unix time>`, with its -wal/-shm) and start a new one
};
// The process-wide choice (`pier serve --start-over` sets kStartOver).
void SetBrokenFilePolicy(BrokenFile policy);

class Database {
 public:
  // Opens (creating it and its folder) with WAL, foreign keys and a busy
  // timeout. An existing file is checked first: an empty file (data would
  // silently be "new"), a file that is not SQLite, a read-only or unopenable
  // file, or one that fails `PRAGMA quick_check` is refused with the file's
  // name and the reason, unless the policy is kStartOver.
  // `check` off skips quick_check (a second connection to a file just checked).
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& path, bool check = true);
  ~Database();

  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // Applies, in one transaction each, every migration above the file's
  // user_version. A file newer than the code is refused (FailedPrecondition).
  Status Migrate(const std::vector<Migration>& migrations);
  Result<int> UserVersion();
  // The rowid of the last row this connection inserted.
  int64_t LastInsertRowId() const;

  sqlite3* handle() { return db_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  Database(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::filesystem::path path_;
};

// BEGIN IMMEDIATE now; ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<std::unique_ptr<Transaction>> Begin(Database& db);
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database& db) : db_(db) {}
  Database& db_;  // outlives the transaction
  bool done_ = false;
};

}  // namespace pier::sqlite
