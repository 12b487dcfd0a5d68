#include "catalog/catalog.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "common/sha256.h"
#include "pier/json.h"

namespace pier::catalog {

namespace {

const std::vector<sqlite::Migration> kMigrations = {
    {1, "CREATE TABLE libraries (id INTEGER PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL,"
        " last_scan_at INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
        " name TEXT NOT NULL, is_admin INTEGER NOT NULL, libraries TEXT NOT NULL, position INTEGER NOT NULL);"
        "CREATE TABLE tracks (id TEXT PRIMARY KEY,"
        " library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE, path TEXT NOT NULL,"
        " title TEXT NOT NULL, album TEXT NOT NULL, artist TEXT NOT NULL, album_artist TEXT NOT NULL,"
        " artists TEXT NOT NULL, sort_title TEXT NOT NULL, sort_album TEXT NOT NULL, sort_artist TEXT NOT NULL,"
        " sort_album_artist TEXT NOT NULL, album_id TEXT NOT NULL, artist_id TEXT NOT NULL,"
        " album_artist_id TEXT NOT NULL, track_number INTEGER NOT NULL, disc_number INTEGER NOT NULL,"
        " year INTEGER NOT NULL, original_year INTEGER NOT NULL, date TEXT NOT NULL, original_date TEXT NOT NULL,"
        " genre TEXT NOT NULL, genres TEXT NOT NULL, comment TEXT NOT NULL, bpm INTEGER,"
        " compilation INTEGER NOT NULL, duration REAL NOT NULL, bit_rate INTEGER NOT NULL,"
        " sample_rate INTEGER NOT NULL, channels INTEGER NOT NULL, bit_depth INTEGER, size INTEGER NOT NULL,"
        " suffix TEXT NOT NULL, content_type TEXT NOT NULL, mtime INTEGER NOT NULL,"
        " has_cover_art INTEGER NOT NULL, mbz_recording_id TEXT NOT NULL, mbz_release_track_id TEXT NOT NULL,"
        " mbz_album_id TEXT NOT NULL, mbz_release_group_id TEXT NOT NULL, mbz_artist_id TEXT NOT NULL,"
        " mbz_album_artist_id TEXT NOT NULL, mbz_album_type TEXT NOT NULL, isrc TEXT NOT NULL,"
        " catalog_num TEXT NOT NULL, title_key TEXT NOT NULL, created_at INTEGER NOT NULL,"
        " updated_at INTEGER NOT NULL, UNIQUE (library_id, path));"
        "CREATE INDEX idx_tracks_album ON tracks(album_id, disc_number, track_number);"
        "CREATE INDEX idx_tracks_artist ON tracks(artist_id);"
        "CREATE INDEX idx_tracks_mbid ON tracks(mbz_recording_id) WHERE mbz_recording_id <> '';"
        "CREATE INDEX idx_tracks_isrc ON tracks(isrc) WHERE isrc <> '';"
        "CREATE INDEX idx_tracks_title_key ON tracks(title_key);"
        "CREATE TABLE albums (id TEXT PRIMARY KEY,"
        " library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE, name TEXT NOT NULL,"
        " artist TEXT NOT NULL, artist_id TEXT NOT NULL, mbz_album_id TEXT NOT NULL,"
        " mbz_release_group_id TEXT NOT NULL, year INTEGER NOT NULL, genre TEXT NOT NULL,"
        " compilation INTEGER NOT NULL, song_count INTEGER NOT NULL, duration REAL NOT NULL,"
        " size INTEGER NOT NULL, created_at INTEGER NOT NULL, cover_track_id TEXT NOT NULL,"
        " cover_file TEXT NOT NULL);"
        "CREATE INDEX idx_albums_artist ON albums(artist_id);"
        "CREATE TABLE artists (id TEXT PRIMARY KEY, name TEXT NOT NULL, sort_name TEXT NOT NULL,"
        " mbz_artist_id TEXT NOT NULL);"},
};

constexpr std::string_view kTrackColumns =
    "id, library_id, path, title, album, artist, album_artist, artists, sort_title, sort_album, sort_artist,"
    " sort_album_artist, album_id, artist_id, album_artist_id, track_number, disc_number, year, original_year,"
    " date, original_date, genre, genres, comment, bpm, compilation, duration, bit_rate, sample_rate, channels,"
    " bit_depth, size, suffix, content_type, mtime, has_cover_art, mbz_recording_id, mbz_release_track_id,"
    " mbz_album_id, mbz_release_group_id, mbz_artist_id, mbz_album_artist_id, mbz_album_type, isrc,"
    " catalog_num, created_at, updated_at";

constexpr std::string_view kAlbumColumns =
    "id, library_id, name, artist, artist_id, mbz_album_id, mbz_release_group_id, year, genre, compilation,"
    " song_count, duration, size, created_at, cover_track_id, cover_file";

std::string ToJsonList(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::vector<std::string> FromJsonList(const std::string& text) {
  std::vector<std::string> out;
  const nlohmann::json j = ParseJsonOrNull(text);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

Track ReadTrack(const sqlite::Statement& s) {
  Track t;
  int c = 0;
  t.id = s.ColumnText(c++);
  t.library_id = static_cast<int32_t>(s.ColumnInt(c++));
  t.path = s.ColumnText(c++);
  t.title = s.ColumnText(c++);
  t.album = s.ColumnText(c++);
  t.artist = s.ColumnText(c++);
  t.album_artist = s.ColumnText(c++);
  t.artists = FromJsonList(s.ColumnText(c++));
  t.sort_title = s.ColumnText(c++);
  t.sort_album = s.ColumnText(c++);
  t.sort_artist = s.ColumnText(c++);
  t.sort_album_artist = s.ColumnText(c++);
  t.album_id = s.ColumnText(c++);
  t.artist_id = s.ColumnText(c++);
  t.album_artist_id = s.ColumnText(c++);
  t.track_number = static_cast<int32_t>(s.ColumnInt(c++));
  t.disc_number = static_cast<int32_t>(s.ColumnInt(c++));
  t.year = static_cast<int32_t>(s.ColumnInt(c++));
  t.original_year = static_cast<int32_t>(s.ColumnInt(c++));
  t.date = s.ColumnText(c++);
  t.original_date = s.ColumnText(c++);
  t.genre = s.ColumnText(c++);
  t.genres = FromJsonList(s.ColumnText(c++));
  t.comment = s.ColumnText(c++);
  if (!s.ColumnIsNull(c)) t.bpm = static_cast<int32_t>(s.ColumnInt(c));
  ++c;
  t.compilation = s.ColumnInt(c++) != 0;
  t.duration = s.ColumnDouble(c++);
  t.bit_rate = static_cast<int32_t>(s.ColumnInt(c++));
  t.sample_rate = static_cast<int32_t>(s.ColumnInt(c++));
  t.channels = static_cast<int32_t>(s.ColumnInt(c++));
  if (!s.ColumnIsNull(c)) t.bit_depth = static_cast<int32_t>(s.ColumnInt(c));
  ++c;
  t.size = s.ColumnInt(c++);
  t.suffix = s.ColumnText(c++);
  t.content_type = s.ColumnText(c++);
  t.mtime = s.ColumnInt(c++);
  t.has_cover_art = s.ColumnInt(c++) != 0;
  t.mbz_recording_id = s.ColumnText(c++);
  t.mbz_release_track_id = s.ColumnText(c++);
  t.mbz_album_id = s.ColumnText(c++);
  t.mbz_release_group_id = s.ColumnText(c++);
  t.mbz_artist_id = s.ColumnText(c++);
  t.mbz_album_artist_id = s.ColumnText(c++);
  t.mbz_album_type = s.ColumnText(c++);
  t.isrc = s.ColumnText(c++);
  t.catalog_num = s.ColumnText(c++);
  t.created_at = s.ColumnInt(c++);
  t.updated_at = s.ColumnInt(c++);
  return t;
}

UserInfo ReadUser(const sqlite::Statement& s) {
  UserInfo u{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnInt(3) != 0, {}};
  const nlohmann::json libraries = ParseJsonOrNull(s.ColumnText(4));
  if (libraries.is_array()) {
    for (const auto& l : libraries) {
      if (l.is_number_integer()) u.libraries.push_back(l.get<int32_t>());
    }
  }
  return u;
}

Album ReadAlbum(const sqlite::Statement& s) {
  Album a;
  int c = 0;
  a.id = s.ColumnText(c++);
  a.library_id = static_cast<int32_t>(s.ColumnInt(c++));
  a.name = s.ColumnText(c++);
  a.artist = s.ColumnText(c++);
  a.artist_id = s.ColumnText(c++);
  a.mbz_album_id = s.ColumnText(c++);
  a.mbz_release_group_id = s.ColumnText(c++);
  a.year = static_cast<int32_t>(s.ColumnInt(c++));
  a.genre = s.ColumnText(c++);
  a.compilation = s.ColumnInt(c++) != 0;
  a.song_count = static_cast<int32_t>(s.ColumnInt(c++));
  a.duration = s.ColumnDouble(c++);
  a.size = s.ColumnInt(c++);
  a.created_at = s.ColumnInt(c++);
  a.cover_track_id = s.ColumnText(c++);
  a.cover_file = s.ColumnText(c++);
  return a;
}

// Every row of `s`, each made by `read`.
template <typename Read>
auto Collect(sqlite::Statement& s, Read read) -> Result<std::vector<decltype(read(s))>> {
  std::vector<decltype(read(s))> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(read(s));
  }
  return out;
}

Artist ReadArtistRow(const sqlite::Statement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), static_cast<int32_t>(s.ColumnInt(4)), 0};
}

// "library_id IN (1,2)" for a scope ("1" for all; "0" for none). IDs are
// integers, so the text cannot carry anything else.
std::string ScopeSql(const LibraryScope& scope, std::string_view column = "library_id") {
  if (scope.all) return "1";
  if (scope.ids.empty()) return "0";
  std::string out = std::string(column) + " IN (";
  for (size_t i = 0; i < scope.ids.size(); ++i) out += (i ? "," : "") + std::to_string(scope.ids[i]);
  return out + ")";
}

std::string LikePattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string StableId(std::string_view text) {
  const std::string hex = internal::Sha256Hex(text);
  std::string out;
  for (size_t i = 0; i < 22; ++i) {
    const int byte = std::stoi(hex.substr(i * 2, 2), nullptr, 16);
    out += kBase62[byte % 62];
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool LibraryScope::Allows(int32_t id) const {
  return all || std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string TrackId(int32_t library_id, std::string_view path) {
  return StableId("track\n" + std::to_string(library_id) + "\n" + std::string(path));
}
std::string AlbumId(int32_t library_id, std::string_view album_artist, std::string_view album) {
  return StableId("album\n" + std::to_string(library_id) + "\n" + Lower(album_artist) + "\n" + Lower(album));
}
std::string ArtistId(std::string_view name) { return StableId("artist\n" + Lower(name)); }

std::string NormaliseTitle(std::string_view text) {
  // Latin-1 supplement letters (U+00C0..U+00FF) without their accents.
  static constexpr std::string_view kFold =
      "aaaaaaaceeeeiiiidnooooo*ouuuuyts"  // C0..DF
      "aaaaaaaceeeeiiiidnooooo/ouuuuyty";  // E0..FF
  std::string out;
  bool space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    char letter = 0;
    if (c == 0xC3 && i + 1 < text.size()) {
      const unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0xBF) {
        letter = kFold[next - 0x80 + 0x00];
        ++i;
      }
    } else if (c < 0x80) {
      letter = static_cast<char>(std::tolower(c));
    } else {
      // Other non-ASCII bytes are kept as they are (other scripts).
      if (space && !out.empty()) out += ' ';
      space = false;
      out += static_cast<char>(c);
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(letter))) {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += letter;
    } else {
      space = true;  // punctuation and spaces separate words
    }
  }
  return out;
}

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::filesystem::path& file) {
  PIER_ASSIGN_OR_RETURN(auto db, sqlite::Database::Open(file));
  PIER_RETURN_IF_ERROR(db->Migrate(kMigrations).WithContext("catalog database"));
  return std::unique_ptr<Catalog>(new Catalog(std::move(db), file));
}

Status Catalog::SyncLibraries(const std::vector<LibraryInfo>& libraries) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_));
  std::set<int32_t> keep;
  for (const LibraryInfo& l : libraries) {
    keep.insert(l.id);
    PIER_ASSIGN_OR_RETURN(sqlite::Statement old, db_->Prepare("SELECT path FROM libraries WHERE id = ?"));
    old.Bind(1, int64_t{l.id});
    PIER_ASSIGN_OR_RETURN(bool exists, old.Step());
    if (exists && old.ColumnText(0) != l.path.string()) {
      // Another folder: nothing scanned from the old one is true of it.
      PIER_ASSIGN_OR_RETURN(sqlite::Statement drop, db_->Prepare("DELETE FROM libraries WHERE id = ?"));
      drop.Bind(1, int64_t{l.id});
      PIER_RETURN_IF_ERROR(drop.Run());
      exists = false;
    }
    PIER_ASSIGN_OR_RETURN(
        sqlite::Statement put,
        db_->Prepare(exists ? "UPDATE libraries SET name = ?2 WHERE id = ?1"
                            : "INSERT INTO libraries (id, name, path, last_scan_at) VALUES (?1, ?2, ?3, 0)"));
    put.Bind(1, int64_t{l.id});
    put.Bind(2, l.name);
    if (!exists) put.Bind(3, l.path.string());
    PIER_RETURN_IF_ERROR(put.Run().WithContext("storing library " + std::to_string(l.id)));
  }
  PIER_ASSIGN_OR_RETURN(sqlite::Statement ids, db_->Prepare("SELECT id FROM libraries"));
  std::vector<int64_t> gone;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, ids.Step());
    if (!row) break;
    if (!keep.contains(static_cast<int32_t>(ids.ColumnInt(0)))) gone.push_back(ids.ColumnInt(0));
  }
  for (int64_t id : gone) {
    PIER_ASSIGN_OR_RETURN(sqlite::Statement drop, db_->Prepare("DELETE FROM libraries WHERE id = ?"));
    drop.Bind(1, id);
    PIER_RETURN_IF_ERROR(drop.Run());
  }
  if (!gone.empty()) {
    PIER_RETURN_IF_ERROR(db_->Exec(
        "DELETE FROM artists WHERE id NOT IN (SELECT artist_id FROM tracks UNION SELECT album_artist_id FROM tracks)"));
  }
  return tx->Commit();
}

Status Catalog::SyncUsers(const std::vector<UserInfo>& users) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_));
  PIER_RETURN_IF_ERROR(db_->Exec("DELETE FROM users"));
  PIER_ASSIGN_OR_RETURN(sqlite::Statement put,
                        db_->Prepare("INSERT INTO users (id, user_name, name, is_admin, libraries, position) VALUES (?, ?, ?, ?, ?, ?)"));
  int64_t position = 0;
  for (const UserInfo& u : users) {
    put.Reset();
    put.Bind(1, u.id);
    put.Bind(2, u.user_name);
    put.Bind(3, u.name);
    put.Bind(4, int64_t{u.is_admin});
    put.Bind(5, nlohmann::json(u.libraries).dump());
    put.Bind(6, position++);
    PIER_RETURN_IF_ERROR(put.Run().WithContext("storing user " + u.user_name));
  }
  return tx->Commit();
}

Result<std::vector<LibraryInfo>> Catalog::Libraries() {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      db_->Prepare("SELECT l.id, l.name, l.path, l.last_scan_at,"
                   " (SELECT COUNT(*) FROM tracks t WHERE t.library_id = l.id),"
                   " (SELECT COUNT(*) FROM albums a WHERE a.library_id = l.id),"
                   " (SELECT COUNT(DISTINCT artist_id) FROM tracks t WHERE t.library_id = l.id),"
                   " (SELECT COALESCE(SUM(size), 0) FROM tracks t WHERE t.library_id = l.id),"
                   " (SELECT COALESCE(SUM(duration), 0) FROM tracks t WHERE t.library_id = l.id)"
                   " FROM libraries l ORDER BY l.id"));
  std::vector<LibraryInfo> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    LibraryInfo l;
    l.id = static_cast<int32_t>(s.ColumnInt(0));
    l.name = s.ColumnText(1);
    l.path = s.ColumnText(2);
    l.last_scan_at = s.ColumnInt(3);
    l.songs = static_cast<int32_t>(s.ColumnInt(4));
    l.albums = static_cast<int32_t>(s.ColumnInt(5));
    l.artists = static_cast<int32_t>(s.ColumnInt(6));
    l.size = s.ColumnInt(7);
    l.duration = s.ColumnDouble(8);
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::optional<LibraryInfo>> Catalog::GetLibrary(int32_t id) {
  PIER_ASSIGN_OR_RETURN(auto all, Libraries());
  for (auto& l : all) {
    if (l.id == id) return std::optional<LibraryInfo>(std::move(l));
  }
  return std::optional<LibraryInfo>();
}

Result<std::vector<UserInfo>> Catalog::Users() {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("SELECT id, user_name, name, is_admin, libraries FROM users ORDER BY position"));
  return Collect(s, ReadUser);
}

Result<std::optional<UserInfo>> Catalog::UserByName(std::string_view user_name) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("SELECT id, user_name, name, is_admin, libraries FROM users WHERE user_name = ?"));
  s.Bind(1, user_name);
  PIER_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<UserInfo>();
  return std::optional<UserInfo>(ReadUser(s));
}

Result<std::vector<Catalog::FileStamp>> Catalog::Stamps(int32_t library_id) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("SELECT id, path, size, mtime FROM tracks WHERE library_id = ?"));
  s.Bind(1, int64_t{library_id});
  return Collect(s, [](const sqlite::Statement& r) {
    return FileStamp{r.ColumnText(0), r.ColumnText(1), r.ColumnInt(2), r.ColumnInt(3)};
  });
}

namespace {
sqlite::Statement& BindTrack(sqlite::Statement& s, const Track& t);
}  // namespace

Status Catalog::PutTracks(const std::vector<Track>& tracks) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_));
  PIER_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      db_->Prepare("INSERT INTO tracks (" + std::string(kTrackColumns) + ", title_key) VALUES (" +
                   "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
                   " ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38,"
                   " ?39, ?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48)"
                   " ON CONFLICT(id) DO UPDATE SET path = ?3, title = ?4, album = ?5, artist = ?6,"
                   " album_artist = ?7, artists = ?8, sort_title = ?9, sort_album = ?10, sort_artist = ?11,"
                   " sort_album_artist = ?12, album_id = ?13, artist_id = ?14, album_artist_id = ?15,"
                   " track_number = ?16, disc_number = ?17, year = ?18, original_year = ?19, date = ?20,"
                   " original_date = ?21, genre = ?22, genres = ?23, comment = ?24, bpm = ?25, compilation = ?26,"
                   " duration = ?27, bit_rate = ?28, sample_rate = ?29, channels = ?30, bit_depth = ?31,"
                   " size = ?32, suffix = ?33, content_type = ?34, mtime = ?35, has_cover_art = ?36,"
                   " mbz_recording_id = ?37, mbz_release_track_id = ?38, mbz_album_id = ?39,"
                   " mbz_release_group_id = ?40, mbz_artist_id = ?41, mbz_album_artist_id = ?42,"
                   " mbz_album_type = ?43, isrc = ?44, catalog_num = ?45, updated_at = ?47, title_key = ?48"));
  for (const Track& t : tracks) {
    s.Reset();
    PIER_RETURN_IF_ERROR(BindTrack(s, t).Run().WithContext("storing track " + t.path));
  }
  return tx->Commit();
}

namespace {

sqlite::Statement& BindTrack(sqlite::Statement& s, const Track& t) {
  int i = 1;
  s.Bind(i++, t.id);
  s.Bind(i++, int64_t{t.library_id});
  s.Bind(i++, t.path);
  s.Bind(i++, t.title);
  s.Bind(i++, t.album);
  s.Bind(i++, t.artist);
  s.Bind(i++, t.album_artist);
  s.Bind(i++, ToJsonList(t.artists));
  s.Bind(i++, t.sort_title);
  s.Bind(i++, t.sort_album);
  s.Bind(i++, t.sort_artist);
  s.Bind(i++, t.sort_album_artist);
  s.Bind(i++, t.album_id);
  s.Bind(i++, t.artist_id);
  s.Bind(i++, t.album_artist_id);
  s.Bind(i++, int64_t{t.track_number});
  s.Bind(i++, int64_t{t.disc_number});
  s.Bind(i++, int64_t{t.year});
  s.Bind(i++, int64_t{t.original_year});
  s.Bind(i++, t.date);
  s.Bind(i++, t.original_date);
  s.Bind(i++, t.genre);
  s.Bind(i++, ToJsonList(t.genres));
  s.Bind(i++, t.comment);
  if (t.bpm) s.Bind(i++, int64_t{*t.bpm}); else s.BindNull(i++);
  s.Bind(i++, int64_t{t.compilation});
  s.BindDouble(i++, t.duration);
  s.Bind(i++, int64_t{t.bit_rate});
  s.Bind(i++, int64_t{t.sample_rate});
  s.Bind(i++, int64_t{t.channels});
  if (t.bit_depth) s.Bind(i++, int64_t{*t.bit_depth}); else s.BindNull(i++);
  s.Bind(i++, t.size);
  s.Bind(i++, t.suffix);
  s.Bind(i++, t.content_type);
  s.Bind(i++, t.mtime);
  s.Bind(i++, int64_t{t.has_cover_art});
  s.Bind(i++, t.mbz_recording_id);
  s.Bind(i++, t.mbz_release_track_id);
  s.Bind(i++, t.mbz_album_id);
  s.Bind(i++, t.mbz_release_group_id);
  s.Bind(i++, t.mbz_artist_id);
  s.Bind(i++, t.mbz_album_artist_id);
  s.Bind(i++, t.mbz_album_type);
  s.Bind(i++, t.isrc);
  s.Bind(i++, t.catalog_num);
  s.Bind(i++, t.created_at);
  s.Bind(i++, t.updated_at);
  s.Bind(i++, NormaliseTitle(t.title));
  return s;
}

}  // namespace

Status Catalog::RemoveTracks(const std::vector<std::string>& ids) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_));
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s, db_->Prepare("DELETE FROM tracks WHERE id = ?"));
  for (const std::string& id : ids) {
    s.Reset();
    s.Bind(1, id);
    PIER_RETURN_IF_ERROR(s.Run());
  }
  return tx->Commit();
}

Status Catalog::FinishScan(int32_t library_id, int64_t scanned_at,
                           const std::vector<std::pair<std::string, std::string>>& folder_covers) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::Begin(*db_));
  PIER_ASSIGN_OR_RETURN(sqlite::Statement drop, db_->Prepare("DELETE FROM albums WHERE library_id = ?"));
  drop.Bind(1, int64_t{library_id});
  PIER_RETURN_IF_ERROR(drop.Run());
  PIER_ASSIGN_OR_RETURN(
      sqlite::Statement albums,
      db_->Prepare("INSERT INTO albums (" + std::string(kAlbumColumns) + ")"
                   " SELECT album_id, library_id, MIN(album), MIN(album_artist), album_artist_id, MAX(mbz_album_id),"
                   " MAX(mbz_release_group_id), MAX(year), COALESCE(MIN(NULLIF(genre, '')), ''), MAX(compilation), COUNT(*), SUM(duration),"
                   " SUM(size), MIN(created_at),"
                   " COALESCE((SELECT c.id FROM tracks c WHERE c.album_id = t.album_id AND c.has_cover_art = 1"
                   " ORDER BY c.disc_number, c.track_number, c.path LIMIT 1), ''), ''"
                   " FROM tracks t WHERE library_id = ? GROUP BY album_id"));
  albums.Bind(1, int64_t{library_id});
  PIER_RETURN_IF_ERROR(albums.Run().WithContext("building albums"));
  // Folder images: the folder of an album's first track.
  std::map<std::string, std::string> covers(folder_covers.begin(), folder_covers.end());
  if (!covers.empty()) {
    PIER_ASSIGN_OR_RETURN(sqlite::Statement first,
                          db_->Prepare("SELECT album_id, MIN(path) FROM tracks WHERE library_id = ? GROUP BY album_id"));
    first.Bind(1, int64_t{library_id});
    std::vector<std::pair<std::string, std::string>> set;
    while (true) {
      PIER_ASSIGN_OR_RETURN(bool row, first.Step());
      if (!row) break;
      const std::string path = first.ColumnText(1);
      const size_t slash = path.rfind('/');
      const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash);
      if (auto it = covers.find(folder); it != covers.end()) set.emplace_back(first.ColumnText(0), it->second);
    }
    PIER_ASSIGN_OR_RETURN(sqlite::Statement put, db_->Prepare("UPDATE albums SET cover_file = ? WHERE id = ?"));
    for (const auto& [album, file] : set) {
      put.Reset();
      put.Bind(1, file);
      put.Bind(2, album);
      PIER_RETURN_IF_ERROR(put.Run());
    }
  }
  PIER_RETURN_IF_ERROR(db_->Exec("DELETE FROM artists"));
  PIER_RETURN_IF_ERROR(db_->Exec(
      "INSERT OR IGNORE INTO artists (id, name, sort_name, mbz_artist_id)"
      " SELECT album_artist_id, MIN(album_artist), MAX(sort_album_artist), MAX(mbz_album_artist_id) FROM tracks"
      " GROUP BY album_artist_id;"
      "INSERT OR IGNORE INTO artists (id, name, sort_name, mbz_artist_id)"
      " SELECT artist_id, MIN(artist), MAX(sort_artist), MAX(mbz_artist_id) FROM tracks GROUP BY artist_id"));
  PIER_ASSIGN_OR_RETURN(sqlite::Statement stamp, db_->Prepare("UPDATE libraries SET last_scan_at = ? WHERE id = ?"));
  stamp.Bind(1, scanned_at);
  stamp.Bind(2, int64_t{library_id});
  PIER_RETURN_IF_ERROR(stamp.Run());
  return tx->Commit();
}

Result<std::vector<Track>> Catalog::QueryTracks(std::string_view where, const std::vector<std::string>& args,
                                                const LibraryScope& scope, std::string_view tail) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("SELECT " + std::string(kTrackColumns) + " FROM tracks WHERE (" +
                                     std::string(where) + ") AND " + ScopeSql(scope) + " " + std::string(tail)));
  for (size_t i = 0; i < args.size(); ++i) s.Bind(static_cast<int>(i + 1), args[i]);
  return Collect(s, ReadTrack);
}

Result<std::vector<Album>> Catalog::QueryAlbums(std::string_view where, const std::vector<std::string>& args,
                                                const LibraryScope& scope, std::string_view tail) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(sqlite::Statement s,
                        db_->Prepare("SELECT " + std::string(kAlbumColumns) + " FROM albums WHERE (" +
                                     std::string(where) + ") AND " + ScopeSql(scope) + " " + std::string(tail)));
  for (size_t i = 0; i < args.size(); ++i) s.Bind(static_cast<int>(i + 1), args[i]);
  return Collect(s, ReadAlbum);
}

Result<std::optional<Track>> Catalog::GetTrack(std::string_view id, const LibraryScope& scope) {
  PIER_ASSIGN_OR_RETURN(auto rows, QueryTracks("id = ?1", {std::string(id)}, scope));
  if (rows.empty()) return std::optional<Track>();
  return std::optional<Track>(std::move(rows[0]));
}

Result<std::optional<Album>> Catalog::GetAlbum(std::string_view id, const LibraryScope& scope) {
  PIER_ASSIGN_OR_RETURN(auto rows, QueryAlbums("id = ?1", {std::string(id)}, scope));
  if (rows.empty()) return std::optional<Album>();
  return std::optional<Album>(std::move(rows[0]));
}

Result<std::optional<Artist>> Catalog::GetArtist(std::string_view id, const LibraryScope& scope) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      db_->Prepare("SELECT a.id, a.name, a.sort_name, a.mbz_artist_id,"
                   " (SELECT COUNT(*) FROM albums b WHERE b.artist_id = a.id AND " + ScopeSql(scope, "b.library_id") +
                   "), (SELECT COUNT(*) FROM tracks t WHERE t.artist_id = a.id AND " + ScopeSql(scope, "t.library_id") +
                   ") FROM artists a WHERE a.id = ?"));
  s.Bind(1, id);
  PIER_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Artist>();
  Artist a{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
           static_cast<int32_t>(s.ColumnInt(4)), static_cast<int32_t>(s.ColumnInt(5))};
  if (a.album_count == 0 && a.song_count == 0) return std::optional<Artist>();  // nothing of it is visible
  return std::optional<Artist>(std::move(a));
}

Result<std::vector<Artist>> Catalog::ArtistsWithAlbums(const LibraryScope& scope) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      db_->Prepare("SELECT a.id, a.name, a.sort_name, a.mbz_artist_id, COUNT(b.id) FROM artists a"
                   " JOIN albums b ON b.artist_id = a.id WHERE " + ScopeSql(scope, "b.library_id") +
                   " GROUP BY a.id ORDER BY lower(CASE WHEN a.sort_name <> '' THEN a.sort_name ELSE a.name END)"));
  return Collect(s, ReadArtistRow);
}

Result<std::vector<Album>> Catalog::ArtistAlbums(std::string_view artist_id, const LibraryScope& scope) {
  return QueryAlbums("artist_id = ?1", {std::string(artist_id)}, scope, "ORDER BY year, lower(name)");
}

Result<std::vector<Track>> Catalog::AlbumTracks(std::string_view album_id, const LibraryScope& scope) {
  return QueryTracks("album_id = ?1", {std::string(album_id)}, scope, "ORDER BY disc_number, track_number, path");
}

Result<std::vector<Album>> Catalog::Albums(const AlbumQuery& q, const LibraryScope& scope) {
  const std::string page = " LIMIT " + std::to_string(std::max(q.size, 0)) + " OFFSET " +
                           std::to_string(std::max(q.offset, 0));
  switch (q.order) {
    case AlbumOrder::kRandom: return QueryAlbums("1", {}, scope, "ORDER BY random()" + page);
    case AlbumOrder::kNewest: return QueryAlbums("1", {}, scope, "ORDER BY created_at DESC, id" + page);
    case AlbumOrder::kAlphabeticalByName: return QueryAlbums("1", {}, scope, "ORDER BY lower(name), id" + page);
    case AlbumOrder::kAlphabeticalByArtist:
      return QueryAlbums("1", {}, scope, "ORDER BY lower(artist), lower(name), id" + page);
    case AlbumOrder::kByGenre:
      return QueryAlbums("genre = ?1 COLLATE NOCASE", {q.genre}, scope, "ORDER BY lower(name), id" + page);
    case AlbumOrder::kByYear: {
      const int32_t lo = std::min(q.from_year, q.to_year), hi = std::max(q.from_year, q.to_year);
      const std::string where = "year BETWEEN " + std::to_string(lo) + " AND " + std::to_string(hi);
      return QueryAlbums(where, {}, scope,
                         std::string(q.to_year < q.from_year ? "ORDER BY year DESC, lower(name)" : "ORDER BY year, lower(name)") +
                             page);
    }
  }
  return std::vector<Album>();
}

Result<std::vector<Track>> Catalog::RandomTracks(int32_t size, const LibraryScope& scope) {
  return QueryTracks("1", {}, scope, "ORDER BY random() LIMIT " + std::to_string(std::max(size, 0)));
}

Result<std::vector<Artist>> Catalog::SearchArtists(std::string_view query, int32_t count, int32_t offset,
                                                   const LibraryScope& scope) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      db_->Prepare("SELECT a.id, a.name, a.sort_name, a.mbz_artist_id, COUNT(b.id) FROM artists a"
                   " JOIN albums b ON b.artist_id = a.id WHERE a.name LIKE ?1 ESCAPE '\\' AND " +
                   ScopeSql(scope, "b.library_id") + " GROUP BY a.id ORDER BY lower(a.name) LIMIT " +
                   std::to_string(std::max(count, 0)) + " OFFSET " + std::to_string(std::max(offset, 0))));
  s.Bind(1, LikePattern(query));
  return Collect(s, ReadArtistRow);
}

Result<std::vector<Album>> Catalog::SearchAlbums(std::string_view query, int32_t count, int32_t offset,
                                                 const LibraryScope& scope) {
  return QueryAlbums("name LIKE ?1 ESCAPE '\\'", {LikePattern(query)}, scope,
                     "ORDER BY lower(name) LIMIT " + std::to_string(std::max(count, 0)) + " OFFSET " +
                         std::to_string(std::max(offset, 0)));
}

Result<std::vector<Track>> Catalog::SearchTracks(std::string_view query, int32_t count, int32_t offset,
                                                 const LibraryScope& scope) {
  return QueryTracks("title LIKE ?1 ESCAPE '\\'", {LikePattern(query)}, scope,
                     "ORDER BY lower(title), path LIMIT " + std::to_string(std::max(count, 0)) + " OFFSET " +
                         std::to_string(std::max(offset, 0)));
}

Result<std::vector<Track>> Catalog::TracksByMbid(std::string_view mbid, const LibraryScope& scope) {
  return QueryTracks("mbz_recording_id = ?1 AND ?1 <> ''", {Lower(mbid)}, scope, "ORDER BY path");
}

Result<std::vector<Track>> Catalog::TracksByIsrc(std::string_view isrc, const LibraryScope& scope) {
  std::string key;
  for (char c : isrc) {
    if (std::isalnum(static_cast<unsigned char>(c))) key += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return QueryTracks("isrc = ?1 AND ?1 <> ''", {key}, scope, "ORDER BY path");
}

Result<std::vector<Track>> Catalog::TracksByTitleKey(std::string_view title_key, const LibraryScope& scope) {
  return QueryTracks("title_key = ?1 AND ?1 <> ''", {std::string(title_key)}, scope, "ORDER BY path");
}

}  // namespace pier::catalog
