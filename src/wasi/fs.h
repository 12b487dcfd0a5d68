// FileSystem: the file part of WASI preview 1 for one instance, over the
// plugin's MountRoots. Descriptors 3, 4, ... are the mounts, pre-opened
// under their guest paths; files and directories opened below them get the
// next free numbers (at most kMaxOpen per instance).
//
// The jail: every path is resolved by the kernel (openat2 with
// RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) from the mount's root, so no
// `..`, absolute path, symbolic link or /proc trick can leave the mount: such
// paths answer ENOTCAPABLE. Symbolic links cannot be created (EPERM); links
// and renames stay within one writable mount (EXDEV across mounts). A
// read-only mount refuses every write (EROFS), and its files are opened
// read-only on the host too.
//
// Methods answer WASI errno values (0 = success).
// Confined to one thread at a time (it belongs to one instance).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "wasi/guest_memory.h"
#include "wasi/mounts.h"

namespace pier::internal {

class FileSystem {
 public:
  static constexpr size_t kMaxOpen = 256;
  static constexpr int32_t kFirstFd = 3;

  explicit FileSystem(std::shared_ptr<const MountRoots> mounts);
  ~FileSystem();
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  bool Has(int32_t fd) const { return fds_.contains(fd); }

  int32_t FdAdvise(int32_t fd, int64_t offset, int64_t len, int32_t advice);
  int32_t FdAllocate(int32_t fd, int64_t offset, int64_t len);
  int32_t FdClose(int32_t fd);
  int32_t FdDatasync(int32_t fd);
  int32_t FdFdstatGet(GuestMemory m, int32_t fd, int32_t out);
  int32_t FdFdstatSetFlags(int32_t fd, int32_t flags);
  int32_t FdFdstatSetRights(int32_t fd, int64_t base, int64_t inheriting);
  int32_t FdFilestatGet(GuestMemory m, int32_t fd, int32_t out);
  int32_t FdFilestatSetSize(int32_t fd, int64_t size);
  int32_t FdFilestatSetTimes(int32_t fd, int64_t atim, int64_t mtim, int32_t flags);
  int32_t FdPread(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int64_t offset, int32_t nread);
  int32_t FdPrestatGet(GuestMemory m, int32_t fd, int32_t out);
  int32_t FdPrestatDirName(GuestMemory m, int32_t fd, int32_t path, int32_t len);
  int32_t FdPwrite(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int64_t offset, int32_t nwritten);
  int32_t FdRead(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int32_t nread);
  int32_t FdReaddir(GuestMemory m, int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t used);
  int32_t FdRenumber(int32_t from, int32_t to);
  int32_t FdSeek(GuestMemory m, int32_t fd, int64_t offset, int32_t whence, int32_t out);
  int32_t FdSync(int32_t fd);
  int32_t FdTell(GuestMemory m, int32_t fd, int32_t out);
  int32_t FdWrite(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int32_t nwritten);
  int32_t PathCreateDirectory(GuestMemory m, int32_t fd, int32_t path, int32_t len);
  int32_t PathFilestatGet(GuestMemory m, int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t out);
  int32_t PathFilestatSetTimes(GuestMemory m, int32_t fd, int32_t flags, int32_t path, int32_t len, int64_t atim,
                               int64_t mtim, int32_t fst_flags);
  int32_t PathLink(GuestMemory m, int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_len, int32_t new_fd,
                   int32_t new_path, int32_t new_len);
  int32_t PathOpen(GuestMemory m, int32_t fd, int32_t dirflags, int32_t path, int32_t len, int32_t oflags,
                   int64_t rights_base, int64_t rights_inheriting, int32_t fdflags, int32_t out);
  int32_t PathReadlink(GuestMemory m, int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buf_len,
                       int32_t used);
  int32_t PathRemoveDirectory(GuestMemory m, int32_t fd, int32_t path, int32_t len);
  int32_t PathRename(GuestMemory m, int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd, int32_t new_path,
                     int32_t new_len);
  int32_t PathSymlink(GuestMemory m, int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path, int32_t new_len);
  int32_t PathUnlinkFile(GuestMemory m, int32_t fd, int32_t path, int32_t len);

 private:
  struct DirEntry {
    std::string name;
    uint64_t ino;
    uint8_t type;
  };
  struct Entry {
    int host_fd = -1;
    bool owned = true;     // false: a mount root (MountRoots owns it)
    size_t mount = 0;
    std::string rel;       // path below the mount root ("" = the root)
    bool dir = false;
    bool preopen = false;
    uint64_t rights = 0;
    std::vector<DirEntry> listing;  // fd_readdir's snapshot, taken at cookie 0
  };
  // A path below a mount, resolved as far as its parent directory.
  struct Place {
    size_t mount = 0;
    std::string rel;   // the whole path below the mount root
    std::string name;  // its last component
    int parent = -1;   // O_PATH descriptor of the parent (owned by the Place)
    ~Place();
  };

  Entry* Find(int32_t fd);
  bool ReadOnly(const Entry& e) const;
  // Reads a guest path and joins it to the directory `fd`; errno or 0.
  int32_t Join(GuestMemory m, int32_t fd, int32_t path, int32_t len, size_t* mount, std::string* rel);
  int32_t Locate(GuestMemory m, int32_t fd, int32_t path, int32_t len, Place* out);
  // Both places of a link or rename: in one mount (else EXDEV), writable (else EROFS).
  int32_t LocatePair(GuestMemory m, int32_t from_fd, int32_t from_path, int32_t from_len, int32_t to_fd,
                     int32_t to_path, int32_t to_len, Place* from, Place* to);
  int OpenBeneath(size_t mount, const std::string& rel, uint64_t flags, uint64_t mode) const;
  int32_t Add(Entry e, int32_t* fd);
  int32_t Transfer(GuestMemory m, const Entry& e, int32_t iovs, int32_t n, int64_t offset, bool write, int32_t out);

  std::shared_ptr<const MountRoots> mounts_;
  std::map<int32_t, Entry> fds_;
};

}  // namespace pier::internal
