#include "catalog/scanner.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "catalog/tags.h"

namespace pier::catalog {

namespace {

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Extension(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  return LowerAscii(name.substr(dot + 1));
}

std::string Join(const std::string& folder, std::string_view name) {
  return folder.empty() ? std::string(name) : folder + "/" + std::string(name);
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

struct Found {
  std::string path;  // relative
  int64_t size = 0, mtime = 0;
};

// The walk: every audio file, the best cover image of each folder, the
// folders that could not be read.
struct Walk {
  std::vector<Found> files;
  std::map<std::string, std::pair<size_t, std::string>> covers;  // folder → (preference, absolute path)
  std::vector<std::string> unreadable;                           // relative folders
  std::vector<ScanProblem> problems;
};

size_t CoverRank(std::string_view name) {
  const std::string lower = LowerAscii(name);
  const auto& names = CoverFileNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == lower) return i;
  }
  return names.size();
}

void WalkTree(const std::filesystem::path& root, const ScanOptions& options, ScanProgress& progress, Walk& walk) {
  std::set<std::pair<dev_t, ino_t>> visited;
  std::vector<std::string> pending = {""};
  while (!pending.empty()) {
    const std::string folder = std::move(pending.back());
    pending.pop_back();
    const std::filesystem::path absolute = folder.empty() ? root : root / folder;
    struct stat st {};
    if (::stat(absolute.c_str(), &st) != 0) {
      walk.unreadable.push_back(folder);
      walk.problems.push_back({folder, std::string("cannot read folder: ") + std::strerror(errno)});
      continue;
    }
    if (!visited.insert({st.st_dev, st.st_ino}).second) {
      walk.problems.push_back({folder, "folder already scanned through another path (symbolic link loop?); skipped"});
      continue;
    }
    DIR* dir = ::opendir(absolute.c_str());
    if (dir == nullptr) {
      walk.unreadable.push_back(folder);
      walk.problems.push_back({folder, std::string("cannot read folder: ") + std::strerror(errno)});
      continue;
    }
    std::vector<std::string> subfolders;
    while (struct dirent* e = ::readdir(dir)) {
      const std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      if (name.front() == '.') continue;  // hidden files and folders (.git, ._AppleDouble) are not music
      const std::string rel = Join(folder, name);
      struct stat entry {};
      if (::stat((root / rel).c_str(), &entry) != 0) {
        walk.problems.push_back({rel, std::string("cannot stat: ") + std::strerror(errno)});  // e.g. a dangling link
        continue;
      }
      if (S_ISDIR(entry.st_mode)) {
        subfolders.push_back(rel);
        continue;
      }
      if (!S_ISREG(entry.st_mode)) continue;
      const std::string ext = Extension(name);
      if (IsAudioExtension(ext)) {
        if (entry.st_size > options.max_file_bytes) {
          walk.problems.push_back({rel, "file of " + std::to_string(entry.st_size) + " bytes exceeds the limit of " +
                                            std::to_string(options.max_file_bytes)});
          continue;
        }
        walk.files.push_back({rel, static_cast<int64_t>(entry.st_size), MtimeNs(entry)});
        ++progress.seen;
      } else if (const size_t rank = CoverRank(name); rank < CoverFileNames().size()) {
        auto it = walk.covers.find(folder);
        if (it == walk.covers.end() || rank < it->second.first) walk.covers[folder] = {rank, (root / rel).string()};
      }
    }
    ::closedir(dir);
    std::sort(subfolders.begin(), subfolders.end(), std::greater<>());  // popped in name order
    for (auto& s : subfolders) pending.push_back(std::move(s));
  }
}

bool UnderAny(const std::string& path, const std::vector<std::string>& folders) {
  for (const std::string& f : folders) {
    if (f.empty() || (path.size() > f.size() && path.compare(0, f.size(), f) == 0 && path[f.size()] == '/')) return true;
  }
  return false;
}

// Fills what the tags leave open: IDs, defaults for missing names.
void Complete(Track& t, const LibraryInfo& library, const Found& f, int64_t now) {
  t.id = TrackId(library.id, f.path);
  t.library_id = library.id;
  t.path = f.path;
  t.size = f.size;
  t.mtime = f.mtime;
  if (t.title.empty()) {
    const size_t slash = f.path.rfind('/');
    std::string stem = slash == std::string::npos ? f.path : f.path.substr(slash + 1);
    if (const size_t dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
    t.title = stem;
  }
  if (t.artist.empty()) t.artist = "[Unknown Artist]";
  if (t.artists.empty()) t.artists = {t.artist};
  if (t.album.empty()) t.album = "[Unknown Album]";
  if (t.album_artist.empty()) t.album_artist = t.compilation ? "Various Artists" : t.artists.front();
  t.album_id = AlbumId(library.id, t.album_artist, t.album);
  t.artist_id = ArtistId(t.artists.front());
  t.album_artist_id = ArtistId(t.album_artist);
  t.created_at = now;
  t.updated_at = now;
}

}  // namespace

const std::vector<std::string>& CoverFileNames() {
  static const std::vector<std::string> names = {"cover.jpg", "cover.jpeg", "cover.png", "folder.jpg",
                                                 "folder.jpeg", "folder.png", "front.jpg", "front.jpeg",
                                                 "front.png", "album.jpg", "album.png", "cover.webp"};
  return names;
}

Result<ScanReport> ScanLibrary(Catalog& catalog, const LibraryInfo& library, const ScanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const int64_t now = options.now ? options.now()
                                  : std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
  ScanReport report;
  report.library_id = library.id;
  ScanProgress progress;
  progress.library_id = library.id;
  auto tell = [&]() {
    progress.skipped = static_cast<int64_t>(report.problems.size());
    if (options.progress) options.progress(progress);
  };

  Walk walk;
  WalkTree(library.path, options, progress, walk);
  report.problems = walk.problems;
  const bool root_unreadable = std::find(walk.unreadable.begin(), walk.unreadable.end(), "") != walk.unreadable.end();

  PIER_ASSIGN_OR_RETURN(auto stamps, catalog.Stamps(library.id));
  std::unordered_map<std::string, Catalog::FileStamp> known;
  for (auto& s : stamps) known.emplace(s.path, s);

  std::vector<Track> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return OkStatus();
    PIER_RETURN_IF_ERROR(catalog.PutTracks(batch));
    batch.clear();
    return OkStatus();
  };
  std::set<std::string> present;
  int64_t since_tell = 0;
  for (const Found& f : walk.files) {
    if (options.cancelled && options.cancelled()) {
      report.cancelled = true;
      break;
    }
    present.insert(f.path);
    auto it = known.find(f.path);
    const bool changed = it == known.end() || it->second.size != f.size || it->second.mtime != f.mtime;
    if (!changed && !options.full) {
      ++report.unchanged;
    } else {
      progress.current = f.path;
      auto track = ReadAudioFile(library.path / f.path);
      ++progress.read;
      if (!track.ok()) {
        report.problems.push_back({f.path, track.status().message()});
        if (it == known.end()) present.erase(f.path);  // never stored; a stored one keeps its last good reading
      } else {
        Complete(*track, library, f, now);
        batch.push_back(std::move(*track));
        ++(it == known.end() ? report.added : report.updated);
        if (batch.size() >= 256) PIER_RETURN_IF_ERROR(flush());
      }
    }
    if (++since_tell >= std::max<int64_t>(options.progress_every, 1)) {
      since_tell = 0;
      tell();
    }
  }
  PIER_RETURN_IF_ERROR(flush());
  if (report.cancelled) {
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
  }

  // Vanished files, except under folders this walk could not read.
  std::vector<std::string> gone;
  if (!root_unreadable) {
    for (const auto& [path, stamp] : known) {
      if (!present.contains(path) && !UnderAny(path, walk.unreadable)) gone.push_back(stamp.id);
    }
  }
  PIER_RETURN_IF_ERROR(catalog.RemoveTracks(gone));
  report.removed = static_cast<int64_t>(gone.size());

  std::vector<std::pair<std::string, std::string>> covers;
  for (const auto& [folder, cover] : walk.covers) covers.emplace_back(folder, cover.second);
  if (!root_unreadable) PIER_RETURN_IF_ERROR(catalog.FinishScan(library.id, now, covers));
  report.files = static_cast<int64_t>(present.size()) + (root_unreadable ? static_cast<int64_t>(known.size()) : 0);
  progress.current.clear();
  tell();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace pier::catalog
