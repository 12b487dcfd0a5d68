#include "services/kvstore/sqlite_kv_store.h"

#include <ctime>

namespace pier::kvstore {

namespace {

// The original host's migrations, in order (user_version 1..3).
const std::vector<sqlite::Migration> kMigrations = {
    {1, R"sql(CREATE TABLE IF NOT EXISTS kvstore (
          key TEXT PRIMARY KEY NOT NULL,
          value BLOB NOT NULL,
          size INTEGER NOT NULL,
          created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
          updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP))sql"},
    {2, "ALTER TABLE kvstore ADD COLUMN expires_at DATETIME DEFAULT NULL"},
    {3, "CREATE INDEX idx_kvstore_expires_at ON kvstore(expires_at)"},
};

// Visible: no expiry, or an expiry second that has not fully passed.
constexpr std::string_view kLive = "(expires_at IS NULL OR expires_at >= ?)";

}  // namespace

std::string SqliteDatetime(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  tm utc{};
  gmtime_r(&tt, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &utc);
  return buf;
}

Result<SqliteKVStore::InUse> SqliteKVStore::Connection::Prepare(std::string_view sql) {
  auto it = statements.find(sql);
  if (it == statements.end()) {
    if (statements.size() >= 256) statements.clear();  // get_many's shapes are bounded, but stay safe
    PIER_ASSIGN_OR_RETURN(auto s, db->Prepare(sql));
    it = statements.emplace(std::string(sql), std::move(s)).first;
  }
  return InUse(&it->second);
}

Result<std::unique_ptr<SqliteKVStore>> SqliteKVStore::Open(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::filesystem::permissions(file.parent_path(), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  PIER_ASSIGN_OR_RETURN(auto writer, sqlite::Database::Open(file));
  PIER_RETURN_IF_ERROR(writer->Exec("PRAGMA foreign_keys=OFF; PRAGMA synchronous=FULL"));
  PIER_RETURN_IF_ERROR(writer->Migrate(kMigrations).WithContext("kvstore database"));
  PIER_ASSIGN_OR_RETURN(auto reader, sqlite::Database::Open(file, /*check=*/false));
  return std::unique_ptr<SqliteKVStore>(new SqliteKVStore(std::move(writer), std::move(reader)));
}

Result<int64_t> SqliteKVStore::UsedOn(Connection& c, int64_t now) {
  auto s = c.Prepare("SELECT COALESCE(SUM(size), 0) FROM kvstore WHERE " + std::string(kLive));
  if (!s.ok()) return s.status().WithContext("calculating storage used");
  (*s)->Bind(1, SqliteDatetime(now));
  auto row = (*s)->Step();
  if (!row.ok()) return row.status().WithContext("calculating storage used");
  return *row ? (*s)->ColumnInt(0) : 0;
}

Result<PutResult> SqliteKVStore::Put(std::string_view key, std::string_view value, int64_t expires_at, int64_t now,
                                     int64_t quota) {
  MutexLock lock(write_mu_);
  auto tx = sqlite::Transaction::Begin(*writer_.db);
  if (!tx.ok()) return tx.status().WithContext("storing value");
  int64_t old_size = 0;
  {
    auto s = writer_.Prepare("SELECT size FROM kvstore WHERE key = ? AND " + std::string(kLive));
    if (!s.ok()) return s.status().WithContext("checking existing key");
    (*s)->Bind(1, key);
    (*s)->Bind(2, SqliteDatetime(now));
    auto row = (*s)->Step();
    if (!row.ok()) return row.status().WithContext("checking existing key");
    if (*row) old_size = (*s)->ColumnInt(0);
  }
  const int64_t delta = static_cast<int64_t>(value.size()) - old_size;
  if (delta > 0) {
    PIER_ASSIGN_OR_RETURN(int64_t used, UsedOn(writer_, now));
    if (used + delta > quota) return PutResult{.stored = false, .would_use = used + delta};
  }
  auto s = writer_.Prepare(
      "INSERT INTO kvstore (key, value, size, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value, size = excluded.size, "
      "updated_at = excluded.updated_at, expires_at = excluded.expires_at");
  if (!s.ok()) return s.status().WithContext("storing value");
  const std::string stamp = SqliteDatetime(now);
  (*s)->Bind(1, key);
  (*s)->BindBlob(2, value);
  (*s)->Bind(3, static_cast<int64_t>(value.size()));
  (*s)->Bind(4, stamp);
  (*s)->Bind(5, stamp);
  if (expires_at > 0) {
    (*s)->Bind(6, SqliteDatetime(expires_at));
  } else {
    (*s)->BindNull(6);
  }
  if (Status st = (*s)->Run(); !st.ok()) return st.WithContext("storing value");
  if (Status st = (*tx)->Commit(); !st.ok()) return st.WithContext("storing value");
  return PutResult{.stored = true};
}

Result<std::optional<std::string>> SqliteKVStore::Get(std::string_view key, int64_t now) {
  MutexLock lock(read_mu_);
  auto s = reader_.Prepare("SELECT value FROM kvstore WHERE key = ? AND " + std::string(kLive));
  if (!s.ok()) return s.status().WithContext("reading value");
  (*s)->Bind(1, key);
  (*s)->Bind(2, SqliteDatetime(now));
  auto row = (*s)->Step();
  if (!row.ok()) return row.status().WithContext("reading value");
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>((*s)->ColumnBlob(0));
}

Result<std::map<std::string, std::string>> SqliteKVStore::GetMany(const std::vector<std::string>& keys, int64_t now) {
  std::map<std::string, std::string> out;
  MutexLock lock(read_mu_);
  const std::string stamp = SqliteDatetime(now);
  constexpr size_t kChunk = 200;  // as the original: well under SQLite's variable limit
  for (size_t start = 0; start < keys.size(); start += kChunk) {
    const size_t n = std::min(kChunk, keys.size() - start);
    std::string sql = "SELECT key, value FROM kvstore WHERE key IN (";
    for (size_t i = 0; i < n; ++i) sql += i == 0 ? "?" : ",?";
    sql += ") AND " + std::string(kLive);
    auto s = reader_.Prepare(sql);
    if (!s.ok()) return s.status().WithContext("querying values");
    for (size_t i = 0; i < n; ++i) (*s)->Bind(static_cast<int>(i + 1), keys[start + i]);
    (*s)->Bind(static_cast<int>(n + 1), stamp);
    while (true) {
      auto row = (*s)->Step();
      if (!row.ok()) return row.status().WithContext("scanning value");
      if (!*row) break;
      out[(*s)->ColumnText(0)] = (*s)->ColumnBlob(1);
    }
  }
  return out;
}

Result<bool> SqliteKVStore::Has(std::string_view key, int64_t now) {
  MutexLock lock(read_mu_);
  auto s = reader_.Prepare("SELECT 1 FROM kvstore WHERE key = ? AND " + std::string(kLive));
  if (!s.ok()) return s.status().WithContext("checking key");
  (*s)->Bind(1, key);
  (*s)->Bind(2, SqliteDatetime(now));
  auto row = (*s)->Step();
  if (!row.ok()) return row.status().WithContext("checking key");
  return *row;
}

Result<std::vector<std::string>> SqliteKVStore::List(std::string_view prefix, int64_t now) {
  MutexLock lock(read_mu_);
  const std::string live(kLive);
  auto s = prefix.empty() ? reader_.Prepare("SELECT key FROM kvstore WHERE " + live + " ORDER BY key")
                          : reader_.Prepare("SELECT key FROM kvstore WHERE key LIKE ? ESCAPE '\\' AND " + live +
                                             " ORDER BY key");
  if (!s.ok()) return s.status().WithContext("listing keys");
  int i = 1;
  if (!prefix.empty()) (*s)->Bind(i++, LikePrefix(prefix));
  (*s)->Bind(i, SqliteDatetime(now));
  std::vector<std::string> out;
  while (true) {
    auto row = (*s)->Step();
    if (!row.ok()) return row.status().WithContext("listing keys");
    if (!*row) break;
    out.push_back((*s)->ColumnText(0));
  }
  return out;
}

Status SqliteKVStore::Delete(std::string_view key) {
  MutexLock lock(write_mu_);
  auto s = writer_.Prepare("DELETE FROM kvstore WHERE key = ?");
  if (!s.ok()) return s.status().WithContext("deleting value");
  (*s)->Bind(1, key);
  if (Status st = (*s)->Run(); !st.ok()) return st.WithContext("deleting value");
  return OkStatus();
}

Result<int64_t> SqliteKVStore::DeleteByPrefix(std::string_view prefix) {
  MutexLock lock(write_mu_);
  auto s = writer_.Prepare("DELETE FROM kvstore WHERE key LIKE ? ESCAPE '\\'");
  if (!s.ok()) return s.status().WithContext("deleting keys");
  (*s)->Bind(1, LikePrefix(prefix));
  if (Status st = (*s)->Run(); !st.ok()) return st.WithContext("deleting keys");
  return (*s)->Changes();
}

Result<int64_t> SqliteKVStore::Used(int64_t now) {
  MutexLock lock(read_mu_);
  return UsedOn(reader_, now);
}

Result<int64_t> SqliteKVStore::Sweep(int64_t now) {
  MutexLock lock(write_mu_);
  auto s = writer_.Prepare("DELETE FROM kvstore WHERE expires_at IS NOT NULL AND expires_at < ?");
  if (!s.ok()) return s.status().WithContext("sweeping expired keys");
  (*s)->Bind(1, SqliteDatetime(now));
  if (Status st = (*s)->Run(); !st.ok()) return st.WithContext("sweeping expired keys");
  return (*s)->Changes();
}

}  // namespace pier::kvstore
