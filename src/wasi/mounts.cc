#include "wasi/mounts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace pier::internal {

Result<std::shared_ptr<const MountRoots>> MountRoots::Open(const std::vector<DirectoryMount>& mounts) {
  std::shared_ptr<MountRoots> out(new MountRoots());
  std::set<std::string> seen;
  for (const DirectoryMount& m : mounts) {
    std::string guest = m.guest;
    while (guest.size() > 1 && guest.back() == '/') guest.pop_back();
    if (guest.empty() || guest[0] != '/') {
      return InvalidArgumentError("mount '" + m.guest + "': the guest path must be absolute");
    }
    for (size_t start = 1; start <= guest.size();) {
      const size_t end = std::min(guest.find('/', start), guest.size());
      const std::string part = guest.substr(start, end - start);
      if (part.empty() || part == "." || part == "..") {
        return InvalidArgumentError("mount '" + m.guest + "': the guest path may not contain empty, '.' or '..' parts");
      }
      start = end + 1;
    }
    if (!seen.insert(guest).second) return InvalidArgumentError("mount '" + guest + "' is given twice");
    const int fd = open(m.host.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return InvalidArgumentError("mount '" + guest + "': cannot open " + m.host.string() + ": " + std::strerror(errno));
    }
    out->roots_.push_back({guest, m.host.string(), m.read_only, fd});
  }
  return std::shared_ptr<const MountRoots>(std::move(out));
}

MountRoots::~MountRoots() {
  for (const MountRoot& r : roots_) close(r.fd);
}

}  // namespace pier::internal
