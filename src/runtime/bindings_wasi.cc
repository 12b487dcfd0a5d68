// wasi_snapshot_preview1 bound to the native Wasi. Every preview-1 function is
// defined so any toolchain's imports link; files go to the instance's jailed
// file system (wasi/fs.h), sockets answer ENOTSUP.
#include "runtime/bindings.h"
#include "runtime/host_call.h"

namespace pier::internal {

namespace {

using namespace wasi_errno;
using S = InstanceState;
using I32 = int32_t;
using I64 = int64_t;

// A function that always answers `kErrno`, with the exact preview-1 signature.
template <int32_t kErrno, typename... A>
I32 Answer(S&, A...) {
  return kErrno;
}

// One function per import that has a meaning here, named after it.
constexpr auto kArgsGet = +[](S& s, I32 a, I32 b) { return s.wasi.ArgsGet(s.Guest(), a, b); };
constexpr auto kArgsSizesGet = +[](S& s, I32 a, I32 b) { return s.wasi.ArgsSizesGet(s.Guest(), a, b); };
constexpr auto kEnvironGet = +[](S& s, I32 a, I32 b) { return s.wasi.ArgsGet(s.Guest(), a, b); };
constexpr auto kEnvironSizesGet = +[](S& s, I32 a, I32 b) { return s.wasi.ArgsSizesGet(s.Guest(), a, b); };
constexpr auto kClockResGet = +[](S& s, I32 id, I32 out) { return s.wasi.ClockResGet(s.Guest(), id, out); };
constexpr auto kClockTimeGet = +[](S& s, I32 id, I64 p, I32 out) { return s.wasi.ClockTimeGet(s.Guest(), id, p, out); };
constexpr auto kFdClose = +[](S& s, I32 fd) { return s.wasi.FdClose(s.Guest(), fd); };
constexpr auto kFdFdstatGet = +[](S& s, I32 fd, I32 out) { return s.wasi.FdFdstatGet(s.Guest(), fd, out); };
constexpr auto kFdFdstatSetFlags = +[](S& s, I32 fd, I32 flags) { return s.wasi.FdFdstatSetFlags(s.Guest(), fd, flags); };
constexpr auto kFdFilestatGet = +[](S& s, I32 fd, I32 out) { return s.wasi.FdFilestatGet(s.Guest(), fd, out); };
constexpr auto kFdPrestatGet = +[](S& s, I32 fd, I32 out) { return s.wasi.FdPrestatGet(s.Guest(), fd, out); };
constexpr auto kFdPrestatDirName = +[](S& s, I32 fd, I32 p, I32 n) { return s.wasi.FdPrestatDirName(s.Guest(), fd, p, n); };
constexpr auto kFdRead = +[](S& s, I32 fd, I32 iov, I32 n, I32 out) { return s.wasi.FdRead(s.Guest(), fd, iov, n, out); };
constexpr auto kFdSeek = +[](S& s, I32 fd, I64 off, I32 wh, I32 out) { return s.wasi.FdSeek(s.Guest(), fd, off, wh, out); };
constexpr auto kFdTell = +[](S& s, I32 fd, I32 out) { return s.wasi.FdTell(s.Guest(), fd, out); };
constexpr auto kFdWrite = +[](S& s, I32 fd, I32 iov, I32 n, I32 out) { return s.wasi.FdWrite(s.Guest(), fd, iov, n, out); };
constexpr auto kPollOneoff = +[](S& s, I32 in, I32 out, I32 n, I32 ev) { return s.wasi.PollOneoff(s.Guest(), in, out, n, ev); };
constexpr auto kRandomGet = +[](S& s, I32 buf, I32 len) { return s.wasi.RandomGet(s.Guest(), buf, len); };
constexpr auto kSchedYield = +[](S& s) { return s.wasi.SchedYield(); };
constexpr auto kProcExit = +[](S& s, I32 code) { return s.wasi.ProcExit(code).status(); };

// Files below the mounts.
constexpr auto kFdAdvise = +[](S& s, I32 fd, I64 o, I64 l, I32 a) -> I32 { return s.wasi.fs().FdAdvise(fd, o, l, a); };
constexpr auto kFdAllocate = +[](S& s, I32 fd, I64 o, I64 l) -> I32 { return s.wasi.fs().FdAllocate(fd, o, l); };
constexpr auto kFdDatasync = +[](S& s, I32 fd) -> I32 { return s.wasi.fs().FdDatasync(fd); };
constexpr auto kFdSync = +[](S& s, I32 fd) -> I32 { return s.wasi.fs().FdSync(fd); };
constexpr auto kFdFdstatSetRights = +[](S& s, I32 fd, I64 b, I64 i) -> I32 {
  return s.wasi.fs().FdFdstatSetRights(fd, b, i);
};
constexpr auto kFdFilestatSetSize = +[](S& s, I32 fd, I64 n) -> I32 { return s.wasi.fs().FdFilestatSetSize(fd, n); };
constexpr auto kFdFilestatSetTimes = +[](S& s, I32 fd, I64 a, I64 m, I32 f) -> I32 {
  return s.wasi.fs().FdFilestatSetTimes(fd, a, m, f);
};
constexpr auto kFdPread = +[](S& s, I32 fd, I32 iov, I32 n, I64 off, I32 out) -> I32 {
  return s.wasi.fs().FdPread(s.Guest(), fd, iov, n, off, out);
};
constexpr auto kFdPwrite = +[](S& s, I32 fd, I32 iov, I32 n, I64 off, I32 out) -> I32 {
  return s.wasi.fs().FdPwrite(s.Guest(), fd, iov, n, off, out);
};
constexpr auto kFdReaddir = +[](S& s, I32 fd, I32 buf, I32 len, I64 cookie, I32 used) -> I32 {
  return s.wasi.fs().FdReaddir(s.Guest(), fd, buf, len, cookie, used);
};
constexpr auto kFdRenumber = +[](S& s, I32 from, I32 to) -> I32 { return s.wasi.fs().FdRenumber(from, to); };
constexpr auto kPathCreateDirectory = +[](S& s, I32 fd, I32 p, I32 n) -> I32 {
  return s.wasi.fs().PathCreateDirectory(s.Guest(), fd, p, n);
};
constexpr auto kPathFilestatGet = +[](S& s, I32 fd, I32 fl, I32 p, I32 n, I32 out) -> I32 {
  return s.wasi.fs().PathFilestatGet(s.Guest(), fd, fl, p, n, out);
};
constexpr auto kPathFilestatSetTimes = +[](S& s, I32 fd, I32 fl, I32 p, I32 n, I64 a, I64 m, I32 f) -> I32 {
  return s.wasi.fs().PathFilestatSetTimes(s.Guest(), fd, fl, p, n, a, m, f);
};
constexpr auto kPathLink = +[](S& s, I32 ofd, I32 ofl, I32 op, I32 on, I32 nfd, I32 np, I32 nn) -> I32 {
  return s.wasi.fs().PathLink(s.Guest(), ofd, ofl, op, on, nfd, np, nn);
};
constexpr auto kPathOpen = +[](S& s, I32 fd, I32 dfl, I32 p, I32 n, I32 of, I64 rb, I64 ri, I32 ff, I32 out) -> I32 {
  return s.wasi.fs().PathOpen(s.Guest(), fd, dfl, p, n, of, rb, ri, ff, out);
};
constexpr auto kPathReadlink = +[](S& s, I32 fd, I32 p, I32 n, I32 buf, I32 len, I32 used) -> I32 {
  return s.wasi.fs().PathReadlink(s.Guest(), fd, p, n, buf, len, used);
};
constexpr auto kPathRemoveDirectory = +[](S& s, I32 fd, I32 p, I32 n) -> I32 {
  return s.wasi.fs().PathRemoveDirectory(s.Guest(), fd, p, n);
};
constexpr auto kPathRename = +[](S& s, I32 fd, I32 op, I32 on, I32 nfd, I32 np, I32 nn) -> I32 {
  return s.wasi.fs().PathRename(s.Guest(), fd, op, on, nfd, np, nn);
};
constexpr auto kPathSymlink = +[](S& s, I32 op, I32 on, I32 fd, I32 np, I32 nn) -> I32 {
  return s.wasi.fs().PathSymlink(s.Guest(), op, on, fd, np, nn);
};
constexpr auto kPathUnlinkFile = +[](S& s, I32 fd, I32 p, I32 n) -> I32 {
  return s.wasi.fs().PathUnlinkFile(s.Guest(), fd, p, n);
};

template <auto Fn>
Status Def(wasmtime_linker_t* l, std::string_view name) {
  return DefineHostCall<Fn>(l, kWasiModule, name);
}

}  // namespace

Status DefineWasiImports(wasmtime_linker_t* l) {
#define PIER_WASI(name, ...) PIER_RETURN_IF_ERROR((Def<__VA_ARGS__>(l, name)))
  PIER_WASI("args_get", kArgsGet);
  PIER_WASI("args_sizes_get", kArgsSizesGet);
  // No environment: the same answers as for arguments.
  PIER_WASI("environ_get", kEnvironGet);
  PIER_WASI("environ_sizes_get", kEnvironSizesGet);
  PIER_WASI("clock_res_get", kClockResGet);
  PIER_WASI("clock_time_get", kClockTimeGet);
  PIER_WASI("fd_close", kFdClose);
  PIER_WASI("fd_fdstat_get", kFdFdstatGet);
  PIER_WASI("fd_fdstat_set_flags", kFdFdstatSetFlags);
  PIER_WASI("fd_filestat_get", kFdFilestatGet);
  PIER_WASI("fd_prestat_get", kFdPrestatGet);
  PIER_WASI("fd_prestat_dir_name", kFdPrestatDirName);
  PIER_WASI("fd_read", kFdRead);
  PIER_WASI("fd_seek", kFdSeek);
  PIER_WASI("fd_tell", kFdTell);
  PIER_WASI("fd_write", kFdWrite);
  PIER_WASI("poll_oneoff", kPollOneoff);
  PIER_WASI("random_get", kRandomGet);
  PIER_WASI("sched_yield", kSchedYield);
  PIER_WASI("proc_exit", kProcExit);

  // Files below the mounts (wasi/fs.h); with no mounts every descriptor is EBADF.
  PIER_WASI("fd_advise", kFdAdvise);
  PIER_WASI("fd_allocate", kFdAllocate);
  PIER_WASI("fd_datasync", kFdDatasync);
  PIER_WASI("fd_fdstat_set_rights", kFdFdstatSetRights);
  PIER_WASI("fd_filestat_set_size", kFdFilestatSetSize);
  PIER_WASI("fd_filestat_set_times", kFdFilestatSetTimes);
  PIER_WASI("fd_pread", kFdPread);
  PIER_WASI("fd_pwrite", kFdPwrite);
  PIER_WASI("fd_readdir", kFdReaddir);
  PIER_WASI("fd_renumber", kFdRenumber);
  PIER_WASI("fd_sync", kFdSync);
  PIER_WASI("path_create_directory", kPathCreateDirectory);
  PIER_WASI("path_filestat_get", kPathFilestatGet);
  PIER_WASI("path_filestat_set_times", kPathFilestatSetTimes);
  PIER_WASI("path_link", kPathLink);
  PIER_WASI("path_open", kPathOpen);
  PIER_WASI("path_readlink", kPathReadlink);
  PIER_WASI("path_remove_directory", kPathRemoveDirectory);
  PIER_WASI("path_rename", kPathRename);
  PIER_WASI("path_symlink", kPathSymlink);
  PIER_WASI("path_unlink_file", kPathUnlinkFile);
  PIER_WASI("proc_raise", &Answer<kNosys, I32>);
  // No sockets: networking goes through host functions.
  PIER_WASI("sock_accept", &Answer<kNotsup, I32, I32, I32>);
  PIER_WASI("sock_recv", &Answer<kNotsup, I32, I32, I32, I32, I32, I32>);
  PIER_WASI("sock_send", &Answer<kNotsup, I32, I32, I32, I32, I32>);
  PIER_WASI("sock_shutdown", &Answer<kNotsup, I32, I32>);
#undef PIER_WASI
  return OkStatus();
}

const std::set<std::string, std::less<>>& WasiImportNames() {
  static const std::set<std::string, std::less<>> names = NamesDefinedBy(&DefineWasiImports, kWasiModule);
  return names;
}

}  // namespace pier::internal
