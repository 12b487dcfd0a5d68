// Wasi: native WASI preview 1 for one plugin instance — what Go, TinyGo, Rust
// and C (wasi-libc) plugins import. Real clocks, real randomness, a real sleep
// bounded by the call's deadline and cancellation, stdout/stderr to the log
// line by line, no arguments, no environment, the plugin's mounts pre-opened
// and jailed (fs.h; without mounts every path function answers EBADF),
// `proc_exit` recorded as the call's result.
//
// Each method returns the WASI errno, or a non-OK status when the call must
// stop (proc_exit, or the deadline/cancellation during a sleep).
//
//   Wasi wasi(settings);
//   wasi.BeginCall(&call_state);
//   Result<int32_t> errno_value = wasi.FdWrite(memory, 1, iovs, 1, nwritten_ptr);
//
// Confined to one thread at a time (it belongs to one instance).
#pragma once

#include <time.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/call_state.h"
#include "pier/log_level.h"
#include "pier/status.h"
#include "wasi/fs.h"
#include "wasi/guest_memory.h"

namespace pier::internal {

namespace wasi_errno {
inline constexpr int32_t kSuccess = 0;
inline constexpr int32_t kBadf = 8;
inline constexpr int32_t kFault = 21;
inline constexpr int32_t kInval = 28;
inline constexpr int32_t kIo = 29;
inline constexpr int32_t kNosys = 52;
inline constexpr int32_t kNotsup = 58;
inline constexpr int32_t kSpipe = 70;
inline constexpr int32_t kNotcapable = 76;
}  // namespace wasi_errno

struct WasiSettings {
  std::string plugin_name;
  LogLevel log_level = LogLevel::kInfo;
  LogSink log_sink;  // never empty
  std::shared_ptr<const MountRoots> mounts;  // may be null: no file system
  // Added to the host's monotonic clock, so that an instance made from a
  // snapshot taken before a reboot never sees it run backwards.
  uint64_t monotonic_offset_ns = 0;
};

class Wasi {
 public:
  // Longest line kept before it is logged anyway.
  static constexpr size_t kMaxLineBytes = 4096;

  explicit Wasi(const WasiSettings* settings) : settings_(settings), fs_(settings->mounts) {}

  // The pre-opened mounts and the files opened below them (descriptors 3+).
  FileSystem& fs() { return fs_; }

  void BeginCall(const CallState* call);
  // Logs any partial stdout/stderr line left by the call.
  void EndCall();
  // Set once the guest called proc_exit.
  std::optional<int32_t> exit_code() const { return exit_code_; }

  Result<int32_t> ArgsSizesGet(GuestMemory m, int32_t argc_ptr, int32_t buf_size_ptr);
  Result<int32_t> ArgsGet(GuestMemory m, int32_t argv, int32_t buf);
  Result<int32_t> ClockResGet(GuestMemory m, int32_t id, int32_t out);
  Result<int32_t> ClockTimeGet(GuestMemory m, int32_t id, int64_t precision, int32_t out);
  Result<int32_t> FdClose(GuestMemory m, int32_t fd);
  Result<int32_t> FdFdstatGet(GuestMemory m, int32_t fd, int32_t out);
  Result<int32_t> FdFdstatSetFlags(GuestMemory m, int32_t fd, int32_t flags);
  Result<int32_t> FdFilestatGet(GuestMemory m, int32_t fd, int32_t out);
  Result<int32_t> FdPrestatGet(GuestMemory m, int32_t fd, int32_t out);
  Result<int32_t> FdPrestatDirName(GuestMemory m, int32_t fd, int32_t path, int32_t len);
  Result<int32_t> FdRead(GuestMemory m, int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nread);
  Result<int32_t> FdSeek(GuestMemory m, int32_t fd, int64_t offset, int32_t whence, int32_t out);
  Result<int32_t> FdTell(GuestMemory m, int32_t fd, int32_t out);
  Result<int32_t> FdWrite(GuestMemory m, int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten);
  Result<int32_t> PollOneoff(GuestMemory m, int32_t in, int32_t out, int32_t nsubs, int32_t nevents);
  Result<int32_t> ProcExit(int32_t code);
  Result<int32_t> RandomGet(GuestMemory m, int32_t buf, int32_t len);
  Result<int32_t> SchedYield();

  // True for the standard streams (0, 1, 2); 3 and up belong to fs().
  static bool IsStdio(int32_t fd) { return fd >= 0 && fd <= 2; }

 private:
  // The host's clock, the monotonic one moved by monotonic_offset_ns.
  uint64_t Now(clockid_t clock) const;
  void Emit(int fd, std::string_view text);
  void FlushLine(int fd);

  const WasiSettings* settings_;  // owned by the plugin, outlives every instance
  FileSystem fs_;
  const CallState* call_ = nullptr;
  std::optional<int32_t> exit_code_;
  std::string line_[3];  // partial stdout (1) and stderr (2) lines
};

}  // namespace pier::internal
