#include "wasi/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pier::internal {

namespace {

// WASI preview 1 errno values used here.
enum : int32_t {
  kSuccess = 0, kAcces = 2, kAgain = 6, kBadf = 8, kBusy = 10, kExist = 20, kFault = 21, kFbig = 22, kIntr = 27,
  kInval = 28, kIo = 29, kIsdir = 31, kLoop = 32, kMfile = 33, kMlink = 34, kNametoolong = 37, kNfile = 41,
  kNoent = 44, kNomem = 48, kNospc = 51, kNosys = 52, kNotdir = 54, kNotempty = 55, kNotsup = 58, kOverflow = 61,
  kPerm = 63, kRofs = 69, kSpipe = 70, kXdev = 75, kNotcapable = 76,
};

// WASI filetypes.
enum : uint8_t { kUnknown = 0, kBlock = 1, kChar = 2, kDirectory = 3, kRegular = 4, kSocketStream = 6, kSymlink = 7 };

// WASI rights.
constexpr uint64_t kRightFdRead = 1ull << 1, kRightFdWrite = 1ull << 6, kRightFdAllocate = 1ull << 8,
                   kRightFdReaddir = 1ull << 14, kRightFdFilestatSetSize = 1ull << 22;
constexpr uint64_t kAllRights = (1ull << 30) - 1;
// What a read-only mount grants: reading, seeking, stat, readdir, opening, readlink, poll.
constexpr uint64_t kReadRights = (1ull << 1) | (1ull << 2) | (1ull << 3) | (1ull << 5) | (1ull << 7) | (1ull << 13) |
                                 (1ull << 14) | (1ull << 15) | (1ull << 18) | (1ull << 21) | (1ull << 27);

constexpr int32_t kOflagCreat = 1, kOflagDirectory = 2, kOflagExcl = 4, kOflagTrunc = 8;
constexpr int32_t kFdflagAppend = 1, kFdflagDsync = 2, kFdflagNonblock = 4, kFdflagRsync = 8, kFdflagSync = 16;
constexpr int32_t kLookupSymlinkFollow = 1;
constexpr int32_t kFstAtim = 1, kFstAtimNow = 2, kFstMtim = 4, kFstMtimNow = 8;
constexpr int32_t kMaxIovs = 1024;
constexpr int32_t kMaxPath = 4096;

int32_t FromErrno(int e) {
  switch (e) {
    case 0: return kSuccess;
    case EACCES: return kAcces;
    case EAGAIN: return kAgain;
    case EBADF: return kBadf;
    case EBUSY: return kBusy;
    case EEXIST: return kExist;
    case EFAULT: return kFault;
    case EFBIG: return kFbig;
    case EINTR: return kIntr;
    case EINVAL: return kInval;
    case EIO: return kIo;
    case EISDIR: return kIsdir;
    case ELOOP: return kLoop;
    case EMFILE: return kMfile;
    case EMLINK: return kMlink;
    case ENAMETOOLONG: return kNametoolong;
    case ENFILE: return kNfile;
    case ENOENT: return kNoent;
    case ENOMEM: return kNomem;
    case ENOSPC: return kNospc;
    case ENOSYS: return kNosys;
    case ENOTDIR: return kNotdir;
    case ENOTEMPTY: return kNotempty;
    case EOPNOTSUPP: return kNotsup;
    case EOVERFLOW: return kOverflow;
    case EPERM: return kPerm;
    case EROFS: return kRofs;
    case ESPIPE: return kSpipe;
    case EXDEV: return kNotcapable;  // openat2: the path would leave the mount
    default: return kIo;
  }
}

uint8_t FileType(mode_t mode) {
  if (S_ISDIR(mode)) return kDirectory;
  if (S_ISREG(mode)) return kRegular;
  if (S_ISLNK(mode)) return kSymlink;
  if (S_ISCHR(mode)) return kChar;
  if (S_ISBLK(mode)) return kBlock;
  if (S_ISSOCK(mode)) return kSocketStream;
  return kUnknown;
}

uint8_t DirentType(unsigned char t) {
  switch (t) {
    case DT_DIR: return kDirectory;
    case DT_REG: return kRegular;
    case DT_LNK: return kSymlink;
    case DT_CHR: return kChar;
    case DT_BLK: return kBlock;
    case DT_SOCK: return kSocketStream;
    default: return kUnknown;
  }
}

uint64_t Ns(const timespec& t) { return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec); }

int32_t WriteFilestat(GuestMemory m, int32_t out, const struct stat& st) {
  uint8_t* p = m.Range(static_cast<uint32_t>(out), 64);
  if (p == nullptr) return kFault;
  std::memset(p, 0, 64);
  const uint64_t dev = st.st_dev, ino = st.st_ino, nlink = st.st_nlink, size = static_cast<uint64_t>(st.st_size);
  const uint64_t atim = Ns(st.st_atim), mtim = Ns(st.st_mtim), ctim = Ns(st.st_ctim);
  std::memcpy(p, &dev, 8);
  std::memcpy(p + 8, &ino, 8);
  p[16] = FileType(st.st_mode);
  std::memcpy(p + 24, &nlink, 8);
  std::memcpy(p + 32, &size, 8);
  std::memcpy(p + 40, &atim, 8);
  std::memcpy(p + 48, &mtim, 8);
  std::memcpy(p + 56, &ctim, 8);
  return kSuccess;
}

int32_t Times(int64_t atim, int64_t mtim, int32_t flags, timespec out[2]) {
  if (((flags & kFstAtim) && (flags & kFstAtimNow)) || ((flags & kFstMtim) && (flags & kFstMtimNow))) return kInval;
  auto one = [](int64_t ns, bool set, bool now, timespec* t) {
    if (now) {
      t->tv_nsec = UTIME_NOW;
    } else if (set) {
      t->tv_sec = static_cast<time_t>(static_cast<uint64_t>(ns) / 1'000'000'000ull);
      t->tv_nsec = static_cast<long>(static_cast<uint64_t>(ns) % 1'000'000'000ull);
    } else {
      t->tv_nsec = UTIME_OMIT;
    }
  };
  one(atim, flags & kFstAtim, flags & kFstAtimNow, &out[0]);
  one(mtim, flags & kFstMtim, flags & kFstMtimNow, &out[1]);
  return kSuccess;
}

}  // namespace

FileSystem::Place::~Place() {
  if (parent >= 0) close(parent);
}

FileSystem::FileSystem(std::shared_ptr<const MountRoots> mounts) : mounts_(std::move(mounts)) {
  if (!mounts_) return;
  for (size_t i = 0; i < mounts_->roots().size(); ++i) {
    const MountRoot& r = mounts_->roots()[i];
    Entry e;
    e.host_fd = r.fd;
    e.owned = false;
    e.mount = i;
    e.dir = true;
    e.preopen = true;
    e.rights = r.read_only ? kReadRights : kAllRights;
    fds_[kFirstFd + static_cast<int32_t>(i)] = std::move(e);
  }
}

FileSystem::~FileSystem() {
  for (auto& [fd, e] : fds_) {
    if (e.owned) close(e.host_fd);
  }
}

FileSystem::Entry* FileSystem::Find(int32_t fd) {
  auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : &it->second;
}

bool FileSystem::ReadOnly(const Entry& e) const { return mounts_->roots()[e.mount].read_only; }

int FileSystem::OpenBeneath(size_t mount, const std::string& rel, uint64_t flags, uint64_t mode) const {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.mode = (flags & O_CREAT) ? mode : 0;  // (O_TMPFILE includes O_DIRECTORY: not a test for it)
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const long fd = syscall(SYS_openat2, mounts_->roots()[mount].fd, rel.empty() ? "." : rel.c_str(), &how, sizeof how);
  return static_cast<int>(fd);
}

int32_t FileSystem::Join(GuestMemory m, int32_t fd, int32_t path, int32_t len, size_t* mount, std::string* rel) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (!e->dir) return kNotdir;
  if (len < 0) return kInval;
  if (len > kMaxPath) return kNametoolong;
  const uint8_t* p = m.Range(static_cast<uint32_t>(path), static_cast<uint32_t>(len));
  if (p == nullptr) return kFault;
  const std::string text(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
  if (text.empty()) return kNoent;
  if (text.find('\0') != std::string::npos) return kInval;
  if (text[0] == '/') return kNotcapable;  // host paths are never reachable
  *mount = e->mount;
  *rel = e->rel.empty() ? text : e->rel + "/" + text;
  return kSuccess;
}

int32_t FileSystem::Locate(GuestMemory m, int32_t fd, int32_t path, int32_t len, Place* out) {
  if (int32_t rc = Join(m, fd, path, len, &out->mount, &out->rel); rc != kSuccess) return rc;
  std::string rel = out->rel;
  while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
  const size_t slash = rel.rfind('/');
  out->name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  const std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
  if (out->name.empty() || out->name == "." || out->name == "..") return kInval;
  out->parent = OpenBeneath(out->mount, parent, O_PATH | O_DIRECTORY, 0);
  return out->parent < 0 ? FromErrno(errno) : kSuccess;
}

int32_t FileSystem::Add(Entry e, int32_t* fd) {
  if (fds_.size() >= kMaxOpen + (mounts_ ? mounts_->roots().size() : 0)) {
    close(e.host_fd);
    return kMfile;
  }
  int32_t n = kFirstFd;
  while (fds_.contains(n)) ++n;
  fds_[n] = std::move(e);
  *fd = n;
  return kSuccess;
}

int32_t FileSystem::FdAdvise(int32_t fd, int64_t offset, int64_t len, int32_t advice) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kIsdir;
  if (advice < 0 || advice > 5 || offset < 0 || len < 0) return kInval;
  return kSuccess;  // advice only
}

int32_t FileSystem::FdAllocate(int32_t fd, int64_t offset, int64_t len) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kIsdir;
  if (ReadOnly(*e)) return kRofs;
  if (offset < 0 || len <= 0) return kInval;
  const int rc = posix_fallocate(e->host_fd, offset, len);
  return FromErrno(rc);
}

int32_t FileSystem::FdClose(int32_t fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return kBadf;
  if (it->second.owned) close(it->second.host_fd);
  fds_.erase(it);
  return kSuccess;
}

int32_t FileSystem::FdDatasync(int32_t fd) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (ReadOnly(*e)) return kSuccess;
  return fdatasync(e->host_fd) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::FdSync(int32_t fd) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (ReadOnly(*e) || e->dir) return kSuccess;
  return fsync(e->host_fd) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::FdFdstatGet(GuestMemory m, int32_t fd, int32_t out) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  uint8_t* p = m.Range(static_cast<uint32_t>(out), 24);
  if (p == nullptr) return kFault;
  std::memset(p, 0, 24);
  p[0] = e->dir ? kDirectory : kRegular;
  uint16_t flags = 0;
  if (!e->dir) {
    const int fl = fcntl(e->host_fd, F_GETFL);
    if (fl >= 0 && (fl & O_APPEND)) flags |= kFdflagAppend;
    if (fl >= 0 && (fl & O_NONBLOCK)) flags |= kFdflagNonblock;
  }
  std::memcpy(p + 2, &flags, 2);
  std::memcpy(p + 8, &e->rights, 8);
  std::memcpy(p + 16, &e->rights, 8);
  return kSuccess;
}

int32_t FileSystem::FdFdstatSetFlags(int32_t fd, int32_t flags) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kSuccess;
  if (flags & (kFdflagDsync | kFdflagRsync | kFdflagSync)) return kNotsup;
  int host = fcntl(e->host_fd, F_GETFL);
  if (host < 0) return FromErrno(errno);
  host &= ~(O_APPEND | O_NONBLOCK);
  if (flags & kFdflagAppend) host |= O_APPEND;
  if (flags & kFdflagNonblock) host |= O_NONBLOCK;
  return fcntl(e->host_fd, F_SETFL, host) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::FdFdstatSetRights(int32_t fd, int64_t base, int64_t) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  const uint64_t wanted = static_cast<uint64_t>(base);
  if ((wanted & ~e->rights) != 0) return kNotcapable;  // rights can only shrink
  e->rights = wanted;
  return kSuccess;
}

int32_t FileSystem::FdFilestatGet(GuestMemory m, int32_t fd, int32_t out) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  struct stat st {};
  if (fstat(e->host_fd, &st) != 0) return FromErrno(errno);
  return WriteFilestat(m, out, st);
}

int32_t FileSystem::FdFilestatSetSize(int32_t fd, int64_t size) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kIsdir;
  if (ReadOnly(*e)) return kRofs;
  if (size < 0) return kInval;
  return ftruncate(e->host_fd, size) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::FdFilestatSetTimes(int32_t fd, int64_t atim, int64_t mtim, int32_t flags) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (ReadOnly(*e)) return kRofs;
  timespec t[2] = {};
  if (int32_t rc = Times(atim, mtim, flags, t); rc != kSuccess) return rc;
  // O_PATH descriptors (directories) need the /proc-free form: utimensat on "".
  const int rc = e->dir ? utimensat(e->host_fd, "", t, AT_EMPTY_PATH) : futimens(e->host_fd, t);
  return rc == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::Transfer(GuestMemory m, const Entry& e, int32_t iovs, int32_t n, int64_t offset, bool write,
                             int32_t out) {
  if (n < 0 || n > kMaxIovs) return kInval;
  std::vector<iovec> host(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    uint32_t base, len;
    const uint32_t at = static_cast<uint32_t>(iovs) + 8u * static_cast<uint32_t>(i);
    if (!m.Read(at, &base) || !m.Read(at + 4, &len)) return kFault;
    uint8_t* p = m.Range(base, len);
    if (p == nullptr) return kFault;
    host[static_cast<size_t>(i)] = {p, len};
  }
  ssize_t done;
  if (offset >= 0) {
    done = write ? pwritev(e.host_fd, host.data(), n, offset) : preadv(e.host_fd, host.data(), n, offset);
  } else {
    done = write ? writev(e.host_fd, host.data(), n) : readv(e.host_fd, host.data(), n);
  }
  if (done < 0) return FromErrno(errno);
  return m.Write(static_cast<uint32_t>(out), static_cast<uint32_t>(done)) ? kSuccess : kFault;
}

int32_t FileSystem::FdRead(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int32_t nread) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kIsdir;
  return Transfer(m, *e, iovs, n, -1, false, nread);
}

int32_t FileSystem::FdPread(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int64_t offset, int32_t nread) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kIsdir;
  if (offset < 0) return kInval;
  return Transfer(m, *e, iovs, n, offset, false, nread);
}

int32_t FileSystem::FdWrite(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int32_t nwritten) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kIsdir;
  if (ReadOnly(*e)) return kRofs;
  return Transfer(m, *e, iovs, n, -1, true, nwritten);
}

int32_t FileSystem::FdPwrite(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int64_t offset, int32_t nwritten) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kIsdir;
  if (ReadOnly(*e)) return kRofs;
  if (offset < 0) return kInval;
  return Transfer(m, *e, iovs, n, offset, true, nwritten);
}

int32_t FileSystem::FdPrestatGet(GuestMemory m, int32_t fd, int32_t out) {
  Entry* e = Find(fd);
  if (e == nullptr || !e->preopen) return kBadf;
  uint8_t* p = m.Range(static_cast<uint32_t>(out), 8);
  if (p == nullptr) return kFault;
  std::memset(p, 0, 8);
  const uint32_t len = static_cast<uint32_t>(mounts_->roots()[e->mount].guest.size());
  std::memcpy(p + 4, &len, 4);
  return kSuccess;
}

int32_t FileSystem::FdPrestatDirName(GuestMemory m, int32_t fd, int32_t path, int32_t len) {
  Entry* e = Find(fd);
  if (e == nullptr || !e->preopen) return kBadf;
  const std::string& name = mounts_->roots()[e->mount].guest;
  if (len < 0 || static_cast<size_t>(len) < name.size()) return kNametoolong;
  uint8_t* p = m.Range(static_cast<uint32_t>(path), name.size());
  if (p == nullptr) return kFault;
  std::memcpy(p, name.data(), name.size());
  return kSuccess;
}

int32_t FileSystem::FdReaddir(GuestMemory m, int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t used) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (!e->dir) return kNotdir;
  if (len < 0 || cookie < 0) return kInval;
  if (cookie == 0 || e->listing.empty()) {
    const int d = openat(e->host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return FromErrno(errno);
    DIR* dir = fdopendir(d);
    if (dir == nullptr) {
      close(d);
      return FromErrno(errno);
    }
    e->listing.clear();
    while (dirent* de = readdir(dir)) e->listing.push_back({de->d_name, de->d_ino, DirentType(de->d_type)});
    closedir(dir);
  }
  uint8_t* out = m.Range(static_cast<uint32_t>(buf), static_cast<uint32_t>(len));
  if (out == nullptr) return kFault;
  size_t written = 0;
  for (size_t i = static_cast<size_t>(cookie); i < e->listing.size() && written < static_cast<size_t>(len); ++i) {
    const DirEntry& de = e->listing[i];
    uint8_t header[24] = {};
    const uint64_t next = i + 1;
    const uint32_t namelen = static_cast<uint32_t>(de.name.size());
    std::memcpy(header, &next, 8);
    std::memcpy(header + 8, &de.ino, 8);
    std::memcpy(header + 16, &namelen, 4);
    header[20] = de.type;
    // The last entry may be cut: a full buffer tells the caller to come back.
    const size_t h = std::min<size_t>(sizeof header, static_cast<size_t>(len) - written);
    std::memcpy(out + written, header, h);
    written += h;
    const size_t n = std::min<size_t>(de.name.size(), static_cast<size_t>(len) - written);
    std::memcpy(out + written, de.name.data(), n);
    written += n;
  }
  return m.Write(static_cast<uint32_t>(used), static_cast<uint32_t>(written)) ? kSuccess : kFault;
}

int32_t FileSystem::FdRenumber(int32_t from, int32_t to) {
  auto a = fds_.find(from), b = fds_.find(to);
  if (a == fds_.end() || b == fds_.end()) return kBadf;
  if (from == to) return kSuccess;
  if (b->second.owned) close(b->second.host_fd);
  b->second = std::move(a->second);
  fds_.erase(a);
  return kSuccess;
}

int32_t FileSystem::FdSeek(GuestMemory m, int32_t fd, int64_t offset, int32_t whence, int32_t out) {
  Entry* e = Find(fd);
  if (e == nullptr) return kBadf;
  if (e->dir) return kIsdir;
  const int w = whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : whence == 2 ? SEEK_END : -1;
  if (w < 0) return kInval;
  const off_t at = lseek(e->host_fd, offset, w);
  if (at < 0) return FromErrno(errno);
  return m.Write(static_cast<uint32_t>(out), static_cast<uint64_t>(at)) ? kSuccess : kFault;
}

int32_t FileSystem::FdTell(GuestMemory m, int32_t fd, int32_t out) { return FdSeek(m, fd, 0, 1, out); }

int32_t FileSystem::PathCreateDirectory(GuestMemory m, int32_t fd, int32_t path, int32_t len) {
  Place p;
  if (int32_t rc = Locate(m, fd, path, len, &p); rc != kSuccess) return rc;
  if (mounts_->roots()[p.mount].read_only) return kRofs;
  return mkdirat(p.parent, p.name.c_str(), 0755) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::PathFilestatGet(GuestMemory m, int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t out) {
  struct stat st {};
  if (flags & kLookupSymlinkFollow) {
    size_t mount;
    std::string rel;
    if (int32_t rc = Join(m, fd, path, len, &mount, &rel); rc != kSuccess) return rc;
    const int target = OpenBeneath(mount, rel, O_PATH, 0);
    if (target < 0) return FromErrno(errno);
    const int rc = fstat(target, &st);
    close(target);
    if (rc != 0) return FromErrno(errno);
    return WriteFilestat(m, out, st);
  }
  size_t mount;
  std::string rel;
  if (int32_t rc = Join(m, fd, path, len, &mount, &rel); rc != kSuccess) return rc;
  const int target = OpenBeneath(mount, rel, O_PATH | O_NOFOLLOW, 0);
  if (target < 0) return FromErrno(errno);
  const int rc = fstatat(target, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  close(target);
  if (rc != 0) return FromErrno(errno);
  return WriteFilestat(m, out, st);
}

int32_t FileSystem::PathFilestatSetTimes(GuestMemory m, int32_t fd, int32_t flags, int32_t path, int32_t len,
                                         int64_t atim, int64_t mtim, int32_t fst_flags) {
  Place p;
  if (int32_t rc = Locate(m, fd, path, len, &p); rc != kSuccess) return rc;
  if (mounts_->roots()[p.mount].read_only) return kRofs;
  timespec t[2] = {};
  if (int32_t rc = Times(atim, mtim, fst_flags, t); rc != kSuccess) return rc;
  // Following a link here could leave the mount; the link itself is changed instead.
  (void)flags;
  return utimensat(p.parent, p.name.c_str(), t, AT_SYMLINK_NOFOLLOW) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::LocatePair(GuestMemory m, int32_t from_fd, int32_t from_path, int32_t from_len, int32_t to_fd,
                               int32_t to_path, int32_t to_len, Place* from, Place* to) {
  if (int32_t rc = Locate(m, from_fd, from_path, from_len, from); rc != kSuccess) return rc;
  if (int32_t rc = Locate(m, to_fd, to_path, to_len, to); rc != kSuccess) return rc;
  if (from->mount != to->mount) return kXdev;
  if (mounts_->roots()[to->mount].read_only) return kRofs;
  return kSuccess;
}

int32_t FileSystem::PathLink(GuestMemory m, int32_t old_fd, int32_t, int32_t old_path, int32_t old_len, int32_t new_fd,
                             int32_t new_path, int32_t new_len) {
  Place from, to;
  if (int32_t rc = LocatePair(m, old_fd, old_path, old_len, new_fd, new_path, new_len, &from, &to); rc != kSuccess) {
    return rc;
  }
  return linkat(from.parent, from.name.c_str(), to.parent, to.name.c_str(), 0) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::PathOpen(GuestMemory m, int32_t fd, int32_t dirflags, int32_t path, int32_t len, int32_t oflags,
                             int64_t rights_base, int64_t, int32_t fdflags, int32_t out) {
  size_t mount;
  std::string rel;
  if (int32_t rc = Join(m, fd, path, len, &mount, &rel); rc != kSuccess) return rc;
  const bool read_only = mounts_->roots()[mount].read_only;
  const uint64_t rights = static_cast<uint64_t>(rights_base);
  // Only fd_write opens for writing. Go's wasip1 asks a read-only open for
  // fd_filestat_set_size (and others) too; those calls are refused on a
  // read-only mount when made, as the descriptor gets read rights only.
  const bool want_write = (rights & kRightFdWrite) || (fdflags & kFdflagAppend) || (oflags & kOflagTrunc);
  const bool want_read = (rights & (kRightFdRead | kRightFdReaddir)) || !want_write;
  if (read_only && (want_write || (oflags & kOflagCreat))) return kRofs;
  uint64_t flags = 0;
  if (oflags & kOflagDirectory) {
    if (want_write) return kIsdir;
    flags = O_RDONLY | O_DIRECTORY;
  } else {
    flags = want_write ? (want_read ? O_RDWR : O_WRONLY) : O_RDONLY;
  }
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (!(dirflags & kLookupSymlinkFollow)) flags |= O_NOFOLLOW;
  int host = OpenBeneath(mount, rel, flags, 0644);
  if (host < 0 && errno == EISDIR && !(oflags & kOflagDirectory) && !want_write) {
    host = OpenBeneath(mount, rel, O_RDONLY | O_DIRECTORY | (flags & O_NOFOLLOW), 0);
  }
  if (host < 0) return FromErrno(errno);
  struct stat st {};
  fstat(host, &st);
  Entry e;
  e.host_fd = host;
  e.mount = mount;
  e.rel = rel;
  e.dir = S_ISDIR(st.st_mode);
  e.rights = read_only ? kReadRights : kAllRights;
  int32_t n = 0;
  if (int32_t rc = Add(std::move(e), &n); rc != kSuccess) return rc;
  if (!m.Write(static_cast<uint32_t>(out), static_cast<uint32_t>(n))) {
    FdClose(n);
    return kFault;
  }
  return kSuccess;
}

int32_t FileSystem::PathReadlink(GuestMemory m, int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buf_len,
                                 int32_t used) {
  Place p;
  if (int32_t rc = Locate(m, fd, path, len, &p); rc != kSuccess) return rc;
  if (buf_len < 0) return kInval;
  uint8_t* out = m.Range(static_cast<uint32_t>(buf), static_cast<uint32_t>(buf_len));
  if (out == nullptr) return kFault;
  const ssize_t n = readlinkat(p.parent, p.name.c_str(), reinterpret_cast<char*>(out), static_cast<size_t>(buf_len));
  if (n < 0) return FromErrno(errno);
  return m.Write(static_cast<uint32_t>(used), static_cast<uint32_t>(n)) ? kSuccess : kFault;
}

int32_t FileSystem::PathRemoveDirectory(GuestMemory m, int32_t fd, int32_t path, int32_t len) {
  Place p;
  if (int32_t rc = Locate(m, fd, path, len, &p); rc != kSuccess) return rc;
  if (mounts_->roots()[p.mount].read_only) return kRofs;
  return unlinkat(p.parent, p.name.c_str(), AT_REMOVEDIR) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::PathRename(GuestMemory m, int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd,
                               int32_t new_path, int32_t new_len) {
  Place from, to;
  if (int32_t rc = LocatePair(m, fd, old_path, old_len, new_fd, new_path, new_len, &from, &to); rc != kSuccess) {
    return rc;
  }
  return renameat(from.parent, from.name.c_str(), to.parent, to.name.c_str()) == 0 ? kSuccess : FromErrno(errno);
}

int32_t FileSystem::PathSymlink(GuestMemory m, int32_t, int32_t, int32_t fd, int32_t new_path, int32_t new_len) {
  Place p;
  if (int32_t rc = Locate(m, fd, new_path, new_len, &p); rc != kSuccess) return rc;
  if (mounts_->roots()[p.mount].read_only) return kRofs;
  return kPerm;  // plugins never create symbolic links
}

int32_t FileSystem::PathUnlinkFile(GuestMemory m, int32_t fd, int32_t path, int32_t len) {
  Place p;
  if (int32_t rc = Locate(m, fd, path, len, &p); rc != kSuccess) return rc;
  if (mounts_->roots()[p.mount].read_only) return kRofs;
  return unlinkat(p.parent, p.name.c_str(), 0) == 0 ? kSuccess : FromErrno(errno);
}

}  // namespace pier::internal
