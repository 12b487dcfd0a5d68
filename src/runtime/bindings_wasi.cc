// wasi_snapshot_preview1 bound to the native Wasi. Every preview-1 function is
// defined so any toolchain's imports link; those without a meaning here (files,
// sockets) answer with the errno a sandbox without pre-opens gives.
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

  // Descriptors other than stdio do not exist; nothing is pre-opened.
  PIER_WASI("fd_advise", &Answer<kBadf, I32, I64, I64, I32>);
  PIER_WASI("fd_allocate", &Answer<kBadf, I32, I64, I64>);
  PIER_WASI("fd_datasync", &Answer<kBadf, I32>);
  PIER_WASI("fd_fdstat_set_rights", &Answer<kNotcapable, I32, I64, I64>);
  PIER_WASI("fd_filestat_set_size", &Answer<kBadf, I32, I64>);
  PIER_WASI("fd_filestat_set_times", &Answer<kBadf, I32, I64, I64, I32>);
  PIER_WASI("fd_pread", &Answer<kBadf, I32, I32, I32, I64, I32>);
  PIER_WASI("fd_pwrite", &Answer<kBadf, I32, I32, I32, I64, I32>);
  PIER_WASI("fd_readdir", &Answer<kBadf, I32, I32, I32, I64, I32>);
  PIER_WASI("fd_renumber", &Answer<kBadf, I32, I32>);
  PIER_WASI("fd_sync", &Answer<kBadf, I32>);
  PIER_WASI("path_create_directory", &Answer<kBadf, I32, I32, I32>);
  PIER_WASI("path_filestat_get", &Answer<kBadf, I32, I32, I32, I32, I32>);
  PIER_WASI("path_filestat_set_times", &Answer<kBadf, I32, I32, I32, I32, I64, I64, I32>);
  PIER_WASI("path_link", &Answer<kBadf, I32, I32, I32, I32, I32, I32, I32>);
  PIER_WASI("path_open", &Answer<kBadf, I32, I32, I32, I32, I32, I64, I64, I32, I32>);
  PIER_WASI("path_readlink", &Answer<kBadf, I32, I32, I32, I32, I32, I32>);
  PIER_WASI("path_remove_directory", &Answer<kBadf, I32, I32, I32>);
  PIER_WASI("path_rename", &Answer<kBadf, I32, I32, I32, I32, I32, I32>);
  PIER_WASI("path_symlink", &Answer<kBadf, I32, I32, I32, I32, I32>);
  PIER_WASI("path_unlink_file", &Answer<kBadf, I32, I32, I32>);
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
