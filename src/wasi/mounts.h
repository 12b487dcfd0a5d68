// MountRoots: the host directories a plugin may see through WASI, opened
// once when the plugin loads and shared by all its instances. Each is
// pre-opened in every instance under its guest path (e.g. "/storage",
// "/libraries/1"); everything below it is reached only through the jail of
// fs.h.
//
//   PIER_ASSIGN_OR_RETURN(auto roots, MountRoots::Open(options.mounts));
//
// Immutable after Open; thread-safe. Closes its descriptors when destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pier/plugin_options.h"
#include "pier/status.h"

namespace pier::internal {

struct MountRoot {
  std::string guest;   // "/storage"
  std::string host;    // for messages
  bool read_only = true;
  int fd = -1;         // O_PATH | O_DIRECTORY
};

class MountRoots {
 public:
  // Guest paths must be absolute, without "." or ".." parts, and distinct;
  // host paths must be existing directories.
  static Result<std::shared_ptr<const MountRoots>> Open(const std::vector<DirectoryMount>& mounts);
  ~MountRoots();
  MountRoots(const MountRoots&) = delete;
  MountRoots& operator=(const MountRoots&) = delete;

  const std::vector<MountRoot>& roots() const { return roots_; }

 private:
  MountRoots() = default;
  std::vector<MountRoot> roots_;
};

}  // namespace pier::internal
