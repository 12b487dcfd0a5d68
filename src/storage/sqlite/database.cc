#include "storage/sqlite/database.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

namespace pier::sqlite {

namespace {

Status Error(sqlite3* db, std::string_view what) {
  return InternalError(std::string(what) + ": " + sqlite3_errmsg(db));
}

std::atomic<BrokenFile> g_policy{BrokenFile::kRefuse};

// Why an existing file cannot be used as it is ("" when it looks fine).
std::string Inspect(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "";
  if (!std::filesystem::is_regular_file(path, ec)) return "it is not a regular file";
  const auto size = std::filesystem::file_size(path, ec);
  const auto wal = std::filesystem::path(path.string() + "-wal");
  const bool wal_has_data = std::filesystem::exists(wal, ec) && std::filesystem::file_size(wal, ec) > 0;
  if (size == 0 && !wal_has_data) return "it exists but is empty (0 bytes)";
  if (size > 0) {
    std::ifstream in(path, std::ios::binary);
    char header[16] = {};
    in.read(header, sizeof header);
    if (!in || std::memcmp(header, "SQLite format 3\0", 16) != 0) return "it is not an SQLite database";
  }
  return "";
}

// Moves a broken file (and its -wal/-shm) aside; the new name.
std::filesystem::path MoveAside(const std::filesystem::path& path) {
  const auto stamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch()).count());
  const auto aside = std::filesystem::path(path.string() + ".broken-" + stamp);
  std::error_code ec;
  std::filesystem::rename(path, aside, ec);
  for (const char* suffix : {"-wal", "-shm"}) {
    const auto extra = std::filesystem::path(path.string() + suffix);
    if (std::filesystem::exists(extra, ec)) std::filesystem::rename(extra, aside.string() + suffix, ec);
  }
  return aside;
}

}  // namespace

void SetBrokenFilePolicy(BrokenFile policy) { g_policy = policy; }

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
  // An empty view may have no data pointer: that would bind NULL, not ''.
  sqlite3_bind_text(stmt_, i, text.empty() ? "" : text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
void Statement::Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
void Statement::BindDouble(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
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
double Statement::ColumnDouble(int c) const { return sqlite3_column_double(stmt_, c); }
bool Statement::ColumnIsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::string Statement::ColumnBlob(int c) const {
  const void* p = sqlite3_column_blob(stmt_, c);
  return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, c)) : std::string();
}
int64_t Statement::Changes() const { return sqlite3_changes64(db_); }

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& path, bool check) {
  const bool start_over = g_policy.load() == BrokenFile::kStartOver;
  auto broken = [&](const std::string& why) -> Status {
    if (!start_over) {
      return DataLossError("database " + path.string() + ": " + why +
                           "; nothing was changed (move it away, or start pier serve with --start-over)");
    }
    return OkStatus();
  };
  if (const std::string why = Inspect(path); !why.empty()) {
    PIER_RETURN_IF_ERROR(broken(why));
    spdlog::warn("database {}: {}; moved to {}, starting over", path.string(), why, MoveAside(path).string());
  }
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  for (int round = 0;; ++round) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string why = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return UnavailableError("cannot open database " + path.string() + ": " + why);
    }
    auto out = std::unique_ptr<Database>(new Database(db, path));
    if (sqlite3_db_readonly(db, "main") == 1) {
      return UnavailableError("cannot open database " + path.string() + " for writing: " + std::strerror(EACCES));
    }
    sqlite3_busy_timeout(db, 5000);
    std::string damage;
    if (Status st = out->Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
        !st.ok()) {
      damage = st.message();
    } else if (check) {
      auto checked = out->Prepare("PRAGMA quick_check(5)");
      if (!checked.ok()) {
        damage = checked.status().message();
      } else {
        for (int lines = 0; lines < 5; ++lines) {
          auto row = checked->Step();
          if (!row.ok()) {
            damage = row.status().message();
            break;
          }
          if (!*row) break;
          const std::string line = checked->ColumnText(0);
          if (line != "ok") damage += (damage.empty() ? "" : "; ") + line;
        }
      }
    }
    if (damage.empty()) return out;
    out.reset();
    PIER_RETURN_IF_ERROR(broken("it is damaged (" + damage + ")"));
    if (round > 0) return DataLossError("database " + path.string() + ": damaged again after starting over: " + damage);
    spdlog::warn("database {}: damaged ({}); moved to {}, starting over", path.string(), damage,
                 MoveAside(path).string());
  }
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

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

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
