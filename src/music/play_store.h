// PlayStore: the host's play history and the Scrobbler retry buffer, in one
// SQLite file (<data>/plays.db, synchronous=FULL: a scrobble the host
// accepted survives a kill or a power cut).
//
//   auto store = PlayStore::Open(data / "plays.db").value();
//   store->RecordPlay({.user_id = "alice", .media_file_id = track, .submission_time = now});
//   auto page = store->Plays("alice", options);          // ScrobbleRetriever paging
//   store->Buffer({.plugin_id = "lastfm", .request = json, .next_at_ms = ...});
//
// Thread-safe: one connection behind a mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "pier/status.h"
#include "pier/wire/types.h"
#include "storage/sqlite/database.h"

namespace pier::music {

struct Play {
  int64_t id = 0;
  std::string user_id;
  std::string media_file_id;
  int64_t submission_time = 0;  // Unix seconds
};

// A scrobble a plugin asked to be retried later.
struct BufferedScrobble {
  int64_t id = 0;
  std::string plugin_id;
  std::string user_name;
  std::string request;      // the ScrobbleRequest as JSON
  int32_t attempts = 0;     // deliveries tried so far
  int64_t next_at_ms = 0;   // Unix milliseconds of the next try
  int64_t created_at = 0;   // Unix seconds
};

class PlayStore {
 public:
  static Result<std::unique_ptr<PlayStore>> Open(const std::filesystem::path& file);

  // --- play history ---
  Result<int64_t> RecordPlay(const Play& play);  // its ID
  Result<std::optional<int64_t>> FirstTimestamp(std::string_view user_id);
  Result<std::optional<int64_t>> LastTimestamp(std::string_view user_id);
  // One page in the options' order, and the options of the next page (none
  // once nothing remains). max_items <= 0 or > kMaxPage means kMaxPage.
  struct Page {
    std::vector<wire::ScrobbleRef> scrobbles;
    std::optional<wire::ScrobbleOptions> next;
  };
  Result<Page> Plays(std::string_view user_id, const wire::ScrobbleOptions& options);
  Result<int64_t> CountPlays(std::string_view user_id, std::optional<int64_t> from, std::optional<int64_t> to);

  // --- retry buffer ---
  // Adds an entry; a plugin's buffer keeps its newest `max_per_plugin`
  // entries (older ones are dropped and counted in the result).
  Result<int64_t> Buffer(const BufferedScrobble& entry, int64_t max_per_plugin);
  // Entries due at `now_ms`, oldest first.
  Result<std::vector<BufferedScrobble>> Due(int64_t now_ms, int32_t limit);
  Result<std::vector<BufferedScrobble>> Buffered(std::string_view plugin_id = {});
  Status Delivered(int64_t id);                        // removes it
  Status Postpone(int64_t id, int64_t next_at_ms);     // counts an attempt
  Result<int64_t> DropPlugin(std::string_view plugin_id);  // entries removed

  static constexpr int64_t kMaxPage = 5000;

 private:
  explicit PlayStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
  // MIN or MAX of the user's submission times (a fixed SQL aggregate, never input).
  Result<std::optional<int64_t>> Timestamp(std::string_view aggregate, std::string_view user);
  Mutex mu_;
  std::unique_ptr<sqlite::Database> db_ PIER_GUARDED_BY(mu_);
};

}  // namespace pier::music
