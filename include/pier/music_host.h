// MusicHost: where the music services of plugins come from — Library, Users,
// Artwork, SubsonicAPI and Matcher, and the library folders plugins see
// through WASI. `pier serve` uses Pier's reference catalog
// (catalog::CatalogMusicHost); an application with a music catalog of its own
// implements this interface over its data (docs/embedding-music.md).
//
//   class MyMusic : public pier::MusicHost {
//     Result<MusicServiceSet> ForPlugin(const MusicScope& scope) override { ... }
//   };
//   ManagerOptions options;
//   options.music = std::make_shared<MyMusic>();
//
// Thread contract: ForPlugin is called while a plugin loads, from the thread
// that loads it (several plugins may load at once); the services it returns
// are called concurrently from the plugin's calls and must be thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "pier/plugin_options.h"
#include "pier/services/artwork.h"
#include "pier/services/library.h"
#include "pier/services/matcher.h"
#include "pier/services/scrobbleretriever.h"
#include "pier/services/subsonicapi.h"
#include "pier/services/users.h"
#include "pier/status.h"

namespace pier {

// What one plugin may see: its administrator's settings (registry) and its
// manifest's permissions.
struct MusicScope {
  std::string plugin_id;
  std::set<std::string> granted;  // permission names in the manifest ("library", "users", "scrobbleRetriever", …)
  bool all_users = false;
  std::vector<std::string> users;  // user IDs
  bool all_libraries = false;
  std::vector<int32_t> libraries;  // library IDs
  bool allow_write_access = false;  // library mounts writable
  bool library_filesystem = false;  // manifest: permissions.library.filesystem

  bool SeesLibrary(int32_t id) const;
  bool MayActFor(std::string_view user_id) const;
};

// The services for one plugin. Leave a member null to make that service
// unavailable (a plugin importing it then fails to load, naming it).
struct MusicServiceSet {
  std::unique_ptr<services::LibraryService> library;
  std::unique_ptr<services::UsersService> users;
  std::unique_ptr<services::ArtworkService> artwork;
  std::unique_ptr<services::SubsonicAPIService> subsonicapi;
  std::unique_ptr<services::MatcherService> matcher;
  std::unique_ptr<services::ScrobbleRetrieverService> scrobbleretriever;
  // Folders to pre-open into the plugin's WASI (e.g. /libraries/<id>).
  std::vector<DirectoryMount> mounts;
};

class MusicHost {
 public:
  virtual ~MusicHost() = default;
  // Called once per plugin load, only when its manifest asks for at least one
  // music permission. An error fails the load with that message.
  virtual Result<MusicServiceSet> ForPlugin(const MusicScope& scope) = 0;
};

}  // namespace pier
