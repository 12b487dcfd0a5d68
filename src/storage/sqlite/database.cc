#include "storage/sqlite/database.h"

namespace pier::sqlite {

namespace {
Status Error(sqlite3* db, std::string_view what) {
  return InternalError(std::string(what) + ": " + sqlite3_errmsg(db));
}
}  // namespace

Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}
Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
void Statement::Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
void Statement::BindNull(int i) { sqlite3_bind_null(stmt_, i); }
void Statement::BindBlob(int i, std::string_view bytes) {
  // A zero-length blob, never NULL: payloads may be empty.
  sqlite3_bind_blob(stmt_, i, bytes.empty() ? "" : bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db_, "sqlite step");
}

Status Statement::Run() {
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return OkStatus();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::ColumnText(int c) const {
  const auto* p = sqlite3_column_text(stmt_, c);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, c)) : std::string();
}
int64_t Statement::ColumnInt(int c) const { return sqlite3_column_int64(stmt_, c); }
bool Statement::ColumnIsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::string Statement::ColumnBlob(int c) const {
  const void* p = sqlite3_column_blob(stmt_, c);
  return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, c)) : std::string();
}
int64_t Statement::Changes() const { return sqlite3_changes64(db_); }

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return UnavailableError("cannot open database " + path.string() + ": " + why);
  }
  auto out = std::unique_ptr<Database>(new Database(db, path));
  sqlite3_busy_timeout(db, 5000);
  PIER_RETURN_IF_ERROR(out->Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"));
  return out;
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return InternalError("sqlite: " + why);
  }
  return OkStatus();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return Error(db_, "sqlite prepare");
  }
  return Statement(db_, stmt);
}

Result<int> Database::UserVersion() {
  PIER_ASSIGN_OR_RETURN(Statement s, Prepare("PRAGMA user_version"));
  PIER_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? static_cast<int>(s.ColumnInt(0)) : 0;
}

Status Database::Migrate(const std::vector<Migration>& migrations) {
  PIER_ASSIGN_OR_RETURN(int current, UserVersion());
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return FailedPreconditionError(path_.string() + " has schema version " + std::to_string(current) +
                                   ", newer than this Pier knows (" + std::to_string(latest) + ")");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    PIER_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*this));
    PIER_RETURN_IF_ERROR(Exec(m.sql).WithContext("migration to version " + std::to_string(m.version)));
    PIER_RETURN_IF_ERROR(Exec("PRAGMA user_version = " + std::to_string(m.version)));
    PIER_RETURN_IF_ERROR(tx->Commit());
  }
  return OkStatus();
}

Result<std::unique_ptr<Transaction>> Transaction::Begin(Database& db) {
  PIER_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<Transaction>(new Transaction(db));
}

Transaction::~Transaction() {
  if (!done_) db_.Exec("ROLLBACK").IgnoreError();
}

Status Transaction::Commit() {
  PIER_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  done_ = true;
  return OkStatus();
}

}  // namespace pier::sqlite
