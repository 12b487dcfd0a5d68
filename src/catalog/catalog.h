// Catalog: Pier's reference music catalog — libraries, users, and the artists,
// albums and tracks a scan found — in one SQLite file (<data>/catalog.db).
// The music host services (Library, Users, Artwork, SubsonicAPI, Matcher)
// read it; the scanner (scanner.h) writes it. An application with a catalog
// of its own implements the generated service interfaces instead.
//
//   auto catalog = Catalog::Open(data / "catalog.db").value();
//   PIER_RETURN_IF_ERROR(catalog->SyncLibraries({{1, "Music", "/srv/music"}}));
//   auto tracks = catalog->AlbumTracks(album_id).value();
//
// IDs are stable: a track's is derived from its library and relative path, an
// album's from its library, album artist and name, an artist's from its name,
// so rescans and re-creations of the file give the same IDs.
//
// Thread-safe: one connection behind a mutex (reads are short; the scanner
// writes one file's changes per statement, a whole scan's bookkeeping in one
// transaction at the end).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "pier/status.h"
#include "storage/sqlite/database.h"

namespace pier::catalog {

struct LibraryInfo {
  int32_t id = 0;
  std::string name;
  std::filesystem::path path;  // absolute host folder
  int64_t last_scan_at = 0;    // Unix seconds; 0 = never scanned
  // Totals over the library's tracks.
  int32_t songs = 0, albums = 0, artists = 0;
  int64_t size = 0;       // bytes
  double duration = 0;    // seconds
};

struct UserInfo {
  std::string id;         // what plugin settings list (defaults to the user name)
  std::string user_name;  // case-insensitive unique
  std::string name;
  bool is_admin = false;
  std::vector<int32_t> libraries;  // what the user sees (Subsonic API); empty = every library
};

// One audio file as the scanner read it, and as the catalog stores it.
struct Track {
  std::string id;
  int32_t library_id = 0;
  std::string path;  // relative to the library folder, '/'-separated
  std::string title, album, artist, album_artist;
  std::vector<std::string> artists;        // every credited track artist
  std::string sort_title, sort_album, sort_artist, sort_album_artist;
  std::string album_id, artist_id, album_artist_id;
  int32_t track_number = 0, disc_number = 0;
  int32_t year = 0, original_year = 0;
  std::string date, original_date;
  std::string genre;                       // first genre
  std::vector<std::string> genres;
  std::string comment;
  std::optional<int32_t> bpm;
  bool compilation = false;
  double duration = 0;                     // seconds
  int32_t bit_rate = 0;                    // kbit/s
  int32_t sample_rate = 0, channels = 0;
  std::optional<int32_t> bit_depth;
  int64_t size = 0;                        // bytes
  std::string suffix;                      // lower-case extension
  std::string content_type;                // audio/mpeg, audio/flac, …
  int64_t mtime = 0;                       // file modification, Unix ns
  bool has_cover_art = false;              // an embedded picture
  std::string mbz_recording_id, mbz_release_track_id, mbz_album_id, mbz_release_group_id;
  std::string mbz_artist_id, mbz_album_artist_id, mbz_album_type;
  std::string isrc;
  std::string catalog_num;
  int64_t created_at = 0, updated_at = 0;  // Unix seconds (first and latest scan that saw it)
};

struct Album {
  std::string id;
  int32_t library_id = 0;
  std::string name, artist, artist_id;  // the album artist
  std::string mbz_album_id, mbz_release_group_id;
  int32_t year = 0;
  std::string genre;
  bool compilation = false;
  int32_t song_count = 0;
  double duration = 0;
  int64_t size = 0;
  int64_t created_at = 0;
  std::string cover_track_id;  // a track with an embedded picture, or empty
  std::string cover_file;      // an image next to the tracks (absolute path), or empty
};

struct Artist {
  std::string id;
  std::string name, sort_name, mbz_artist_id;
  int32_t album_count = 0;  // albums where it is the album artist
  int32_t song_count = 0;   // tracks where it is the track artist
};

// Which libraries a reader may see: all of them, or these IDs.
struct LibraryScope {
  bool all = true;
  std::vector<int32_t> ids;
  bool Allows(int32_t id) const;
};

enum class AlbumOrder { kRandom, kNewest, kAlphabeticalByName, kAlphabeticalByArtist, kByYear, kByGenre };

struct AlbumQuery {
  AlbumOrder order = AlbumOrder::kAlphabeticalByName;
  int32_t from_year = 0, to_year = 0;  // kByYear (to < from: descending)
  std::string genre;                   // kByGenre
  int32_t size = 10, offset = 0;
};

class Catalog {
 public:
  static Result<std::unique_ptr<Catalog>> Open(const std::filesystem::path& file);

  // Makes the stored libraries exactly these (by ID): new ones added, renamed
  // or moved ones updated (a moved one keeps nothing of its old folder), and
  // ones no longer listed removed with their tracks.
  Status SyncLibraries(const std::vector<LibraryInfo>& libraries);
  // The same for users (by ID).
  Status SyncUsers(const std::vector<UserInfo>& users);

  Result<std::vector<LibraryInfo>> Libraries();  // with totals, by ID
  Result<std::optional<LibraryInfo>> GetLibrary(int32_t id);
  Result<std::vector<UserInfo>> Users();          // in the order given to SyncUsers
  Result<std::optional<UserInfo>> UserByName(std::string_view user_name);  // case-insensitive

  // --- the scanner's side ---
  // (path, size, mtime) of every stored track of the library.
  struct FileStamp {
    std::string id, path;
    int64_t size = 0, mtime = 0;
  };
  Result<std::vector<FileStamp>> Stamps(int32_t library_id);
  // Inserts or replaces by ID (keeping created_at), all in one transaction.
  Status PutTracks(const std::vector<Track>& tracks);
  Status RemoveTracks(const std::vector<std::string>& ids);
  // Rebuilds the library's albums and every artist from the tracks, with the
  // album covers found next to the files (`folder_covers`: folder → image),
  // and records the scan time.
  Status FinishScan(int32_t library_id, int64_t scanned_at,
                    const std::vector<std::pair<std::string, std::string>>& folder_covers);

  // --- readers (scoped to the libraries a caller may see) ---
  Result<std::optional<Track>> GetTrack(std::string_view id, const LibraryScope& scope);
  Result<std::optional<Album>> GetAlbum(std::string_view id, const LibraryScope& scope);
  Result<std::optional<Artist>> GetArtist(std::string_view id, const LibraryScope& scope);
  Result<std::vector<Artist>> ArtistsWithAlbums(const LibraryScope& scope);  // by sort name
  Result<std::vector<Album>> ArtistAlbums(std::string_view artist_id, const LibraryScope& scope);
  Result<std::vector<Track>> AlbumTracks(std::string_view album_id, const LibraryScope& scope);
  Result<std::vector<Album>> Albums(const AlbumQuery& query, const LibraryScope& scope);
  Result<std::vector<Track>> RandomTracks(int32_t size, const LibraryScope& scope);
  // Case-insensitive substring search on names; empty query matches all.
  Result<std::vector<Artist>> SearchArtists(std::string_view query, int32_t count, int32_t offset,
                                            const LibraryScope& scope);
  Result<std::vector<Album>> SearchAlbums(std::string_view query, int32_t count, int32_t offset,
                                          const LibraryScope& scope);
  Result<std::vector<Track>> SearchTracks(std::string_view query, int32_t count, int32_t offset,
                                          const LibraryScope& scope);
  // Matching keys (see matcher): tracks with this recording MBID / ISRC, or
  // whose normalised title equals `title_key`.
  Result<std::vector<Track>> TracksByMbid(std::string_view mbid, const LibraryScope& scope);
  Result<std::vector<Track>> TracksByIsrc(std::string_view isrc, const LibraryScope& scope);
  Result<std::vector<Track>> TracksByTitleKey(std::string_view title_key, const LibraryScope& scope);

  const std::filesystem::path& file() const { return file_; }

 private:
  Catalog(std::unique_ptr<sqlite::Database> db, std::filesystem::path file)
      : db_(std::move(db)), file_(std::move(file)) {}
  Result<std::vector<Track>> QueryTracks(std::string_view where, const std::vector<std::string>& args,
                                         const LibraryScope& scope, std::string_view tail = "");
  Result<std::vector<Album>> QueryAlbums(std::string_view where, const std::vector<std::string>& args,
                                         const LibraryScope& scope, std::string_view tail = "");

  Mutex mu_;
  std::unique_ptr<sqlite::Database> db_ PIER_GUARDED_BY(mu_);
  const std::filesystem::path file_;
};

// Stable catalog IDs: 22 base62 characters of SHA-256 over the parts.
std::string TrackId(int32_t library_id, std::string_view relative_path);
std::string AlbumId(int32_t library_id, std::string_view album_artist, std::string_view album);
std::string ArtistId(std::string_view name);
// Lower-case, accents and punctuation dropped, spaces folded: the key the
// matcher and searches compare titles with.
std::string NormaliseTitle(std::string_view text);

}  // namespace pier::catalog
