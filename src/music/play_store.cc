#include "music/play_store.h"

namespace pier::music {

namespace {

const std::vector<sqlite::Migration> kMigrations = {
    {1, "CREATE TABLE plays (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL,"
        " media_file_id TEXT NOT NULL, submission_time INTEGER NOT NULL);"
        "CREATE INDEX idx_plays_user_time ON plays(user_id, submission_time, id);"
        "CREATE TABLE scrobble_buffer (id INTEGER PRIMARY KEY AUTOINCREMENT, plugin_id TEXT NOT NULL,"
        " user_name TEXT NOT NULL, request TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
        " next_at_ms INTEGER NOT NULL, created_at INTEGER NOT NULL);"
        "CREATE INDEX idx_buffer_due ON scrobble_buffer(next_at_ms, id);"
        "CREATE INDEX idx_buffer_plugin ON scrobble_buffer(plugin_id, id);"},
};

BufferedScrobble ReadEntry(const sqlite::Statement& s) {
  return {s.ColumnInt(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), static_cast<int32_t>(s.ColumnInt(4)),
          s.ColumnInt(5), s.ColumnInt(6)};
}

constexpr std::string_view kEntryColumns = "id, plugin_id, user_name, request, attempts, next_at_ms, created_at";

// " AND submission_time >= :from …" for the optional bounds (parameters 2 and 3, in order).
std::string Range(std::optional<int64_t> from, std::optional<int64_t> to) {
  std::string where;
  if (from) where += " AND submission_time >= :from";
  if (to) where += " AND submission_time <= :to";
  return where;
}

// Binds what Range() named, after the user (parameter 1).
void BindRange(sqlite::Statement& s, std::optional<int64_t> from, std::optional<int64_t> to) {
  int index = 2;
  if (from) s.Bind(index++, *from);
  if (to) s.Bind(index++, *to);
}

}  // namespace

Result<std::unique_ptr<PlayStore>> PlayStore::Open(const std::filesystem::path& file) {
  PIER_ASSIGN_OR_RETURN(auto db, sqlite::Database::Open(file));
  PIER_RETURN_IF_ERROR(db->Migrate(kMigrations).WithContext("play history database"));
  PIER_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  return std::unique_ptr<PlayStore>(new PlayStore(std::move(db)));
}

Result<int64_t> PlayStore::RecordPlay(const Play& p) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("INSERT INTO plays (user_id, media_file_id, submission_time) VALUES (?, ?, ?)"));
  s.Bind(1, p.user_id);
  s.Bind(2, p.media_file_id);
  s.Bind(3, p.submission_time);
  PIER_RETURN_IF_ERROR(s.Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_->handle()));
}

Result<std::optional<int64_t>> PlayStore::Timestamp(std::string_view aggregate, std::string_view user) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s, db_->Prepare("SELECT " + std::string(aggregate) +
                                                          "(submission_time) FROM plays WHERE user_id = ?"));
  s.Bind(1, user);
  PIER_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row || s.ColumnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(s.ColumnInt(0));
}

Result<std::optional<int64_t>> PlayStore::FirstTimestamp(std::string_view user) { return Timestamp("MIN", user); }
Result<std::optional<int64_t>> PlayStore::LastTimestamp(std::string_view user) { return Timestamp("MAX", user); }

Result<PlayStore::Page> PlayStore::Plays(std::string_view user, const wire::ScrobbleOptions& o) {
  MutexLock lock(mu_);
  const int64_t limit = o.max_items <= 0 || o.max_items > kMaxPage ? kMaxPage : o.max_items;
  const int64_t offset = std::max<int64_t>(o.offset, 0);
  const char* order = o.descending ? "DESC" : "ASC";
  PIER_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      db_->Prepare("SELECT id, media_file_id, submission_time FROM plays WHERE user_id = :user" +
                   Range(o.from_timestamp, o.to_timestamp) + " ORDER BY submission_time " + order + ", id " + order +
                   " LIMIT " + std::to_string(limit + 1) + " OFFSET " + std::to_string(offset)));
  s.Bind(1, user);
  BindRange(s, o.from_timestamp, o.to_timestamp);
  Page page;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    page.scrobbles.push_back({s.ColumnInt(0), s.ColumnText(1), s.ColumnInt(2)});
  }
  if (static_cast<int64_t>(page.scrobbles.size()) > limit) {
    page.scrobbles.pop_back();
    wire::ScrobbleOptions next = o;
    next.max_items = limit;
    next.offset = offset + limit;
    page.next = next;
  }
  return page;
}

Result<int64_t> PlayStore::CountPlays(std::string_view user, std::optional<int64_t> from, std::optional<int64_t> to) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("SELECT COUNT(*) FROM plays WHERE user_id = :user" + Range(from, to)));
  s.Bind(1, user);
  BindRange(s, from, to);
  PIER_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.ColumnInt(0) : 0;
}

Result<int64_t> PlayStore::Buffer(const BufferedScrobble& e, int64_t max_per_plugin) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_));
  PIER_ASSIGN_OR_RETURN(
      sqlite::Statement put,
      db_->Prepare("INSERT INTO scrobble_buffer (plugin_id, user_name, request, attempts, next_at_ms, created_at)"
                   " VALUES (?, ?, ?, ?, ?, ?)"));
  put.Bind(1, e.plugin_id);
  put.Bind(2, e.user_name);
  put.Bind(3, e.request);
  put.Bind(4, int64_t{e.attempts});
  put.Bind(5, e.next_at_ms);
  put.Bind(6, e.created_at);
  PIER_RETURN_IF_ERROR(put.Run());
  const int64_t id = sqlite3_last_insert_rowid(db_->handle());
  PIER_ASSIGN_OR_RETURN(sqlite::Statement trim,
                        db_->Prepare("DELETE FROM scrobble_buffer WHERE plugin_id = ?1 AND id NOT IN"
                                     " (SELECT id FROM scrobble_buffer WHERE plugin_id = ?1 ORDER BY id DESC LIMIT ?2)"));
  trim.Bind(1, e.plugin_id);
  trim.Bind(2, std::max<int64_t>(max_per_plugin, 1));
  PIER_RETURN_IF_ERROR(trim.Run());
  PIER_RETURN_IF_ERROR(tx->Commit());
  return id;
}

Result<std::vector<BufferedScrobble>> PlayStore::Due(int64_t now_ms, int32_t limit) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("SELECT " + std::string(kEntryColumns) +
                                     " FROM scrobble_buffer WHERE next_at_ms <= ? ORDER BY next_at_ms, id LIMIT ?"));
  s.Bind(1, now_ms);
  s.Bind(2, int64_t{limit});
  std::vector<BufferedScrobble> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadEntry(s));
  }
  return out;
}

Result<std::vector<BufferedScrobble>> PlayStore::Buffered(std::string_view plugin) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("SELECT " + std::string(kEntryColumns) +
                                     " FROM scrobble_buffer WHERE ?1 = '' OR plugin_id = ?1 ORDER BY id"));
  s.Bind(1, plugin);
  std::vector<BufferedScrobble> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadEntry(s));
  }
  return out;
}

Status PlayStore::Delivered(int64_t id) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s, db_->Prepare("DELETE FROM scrobble_buffer WHERE id = ?"));
  s.Bind(1, id);
  return s.Run();
}

Status PlayStore::Postpone(int64_t id, int64_t next_at_ms) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("UPDATE scrobble_buffer SET attempts = attempts + 1, next_at_ms = ? WHERE id = ?"));
  s.Bind(1, next_at_ms);
  s.Bind(2, id);
  return s.Run();
}

Result<int64_t> PlayStore::DropPlugin(std::string_view plugin) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s, db_->Prepare("DELETE FROM scrobble_buffer WHERE plugin_id = ?"));
  s.Bind(1, plugin);
  PIER_RETURN_IF_ERROR(s.Run());
  return static_cast<int64_t>(sqlite3_changes(db_->handle()));
}

}  // namespace pier::music
