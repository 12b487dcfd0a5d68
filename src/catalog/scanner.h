// Scanner: walks a library folder and brings the catalog up to date with it —
// new and changed audio files read with TagLib, vanished ones removed, albums,
// artists, totals and the scan time rebuilt.
//
//   ScanOptions options;
//   options.progress = [](const ScanProgress& p) { std::cerr << p.seen << " files\r"; };
//   auto report = ScanLibrary(*catalog, library, options).value();
//
// Incremental: a file whose size and modification time match what the
// catalog holds is not opened again (`full` re-reads everything).
//
// Hostile trees: unreadable folders, files TagLib cannot read (corrupt,
// truncated, not audio) and files over `max_file_bytes` are skipped and listed
// in the report; symbolic links are followed, but a folder already visited on
// this walk (by device and inode: a link loop, or a link back up the tree) is
// not entered twice. The walk never leaves the files under the library.
//
// Thread contract: one scan per library at a time (the caller serialises);
// the catalog may be read concurrently, and sees the old albums until the
// scan finishes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "pier/status.h"

namespace pier::catalog {

struct ScanProgress {
  int32_t library_id = 0;
  int64_t seen = 0;     // audio files found so far
  int64_t read = 0;     // of those, opened with TagLib (new or changed)
  int64_t skipped = 0;  // problems so far
  std::string current;  // the file being read (relative)
};

struct ScanProblem {
  std::string path;     // relative to the library ("" = the library folder itself)
  std::string message;
};

struct ScanReport {
  int32_t library_id = 0;
  int64_t files = 0;      // audio files in the library now
  int64_t added = 0, updated = 0, removed = 0, unchanged = 0;
  std::vector<ScanProblem> problems;
  double seconds = 0;
  bool cancelled = false;
};

struct ScanOptions {
  bool full = false;                       // re-read unchanged files too
  int64_t max_file_bytes = int64_t{4} << 30;  // larger files are skipped
  // Called every `progress_every` files and at the end; from the scanning thread.
  std::function<void(const ScanProgress&)> progress;
  int64_t progress_every = 200;
  // Asked between files: true stops the scan early (the files read so far
  // are kept; nothing is removed and the scan time is not recorded).
  std::function<bool()> cancelled;
  // Clock for created_at/updated_at and the library's last scan (Unix seconds); unset: now.
  std::function<int64_t()> now;
};

// Scans one library. Errors only when the catalog cannot be written or the
// library is unknown; a missing or unreadable library folder is a problem in
// the report, and then nothing is removed (an unmounted disk must not empty
// the catalog).
Result<ScanReport> ScanLibrary(Catalog& catalog, const LibraryInfo& library, const ScanOptions& options = {});

// Names of image files taken as an album's cover when next to its tracks, in
// order of preference (compared case-insensitively).
const std::vector<std::string>& CoverFileNames();

}  // namespace pier::catalog
