#include "wasi/wasi.h"

#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace pier::internal {

using namespace wasi_errno;

namespace {

constexpr uint8_t kFiletypeCharacterDevice = 2;
constexpr uint16_t kEventClock = 0, kEventFdRead = 1, kEventFdWrite = 2;
constexpr uint16_t kSubclockAbstime = 1;
constexpr int32_t kMaxIovs = 1024;
constexpr int32_t kMaxSubscriptions = 4096;
// Longest uninterrupted slice of a sleep: cancellation is noticed this fast.
constexpr auto kSleepSlice = std::chrono::milliseconds(5);

bool ClockId(int32_t id, clockid_t* out) {
  switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

uint64_t NowNs(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

uint64_t Wasi::Now(clockid_t clock) const {
  return NowNs(clock) + (clock == CLOCK_MONOTONIC ? settings_->monotonic_offset_ns : 0);
}

void Wasi::BeginCall(const CallState* call) { call_ = call; }

void Wasi::EndCall() {
  FlushLine(1);
  FlushLine(2);
  call_ = nullptr;
}

void Wasi::FlushLine(int fd) {
  if (line_[fd].empty()) return;
  const LogLevel level = fd == 1 ? LogLevel::kInfo : LogLevel::kWarn;
  if (level >= settings_->log_level && settings_->log_level != LogLevel::kOff) {
    settings_->log_sink(level, settings_->plugin_name,
                        std::string(fd == 1 ? "stdout: " : "stderr: ") + line_[fd]);
  }
  line_[fd].clear();
}

void Wasi::Emit(int fd, std::string_view text) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view part = text.substr(0, nl);
    const size_t room = kMaxLineBytes - line_[fd].size();
    line_[fd].append(part.substr(0, room));
    if (part.size() >= room) {
      FlushLine(fd);  // an over-long line is cut into pieces, never buffered without bound
      text.remove_prefix(std::min(room, part.size()));
      continue;
    }
    if (nl == std::string_view::npos) return;
    FlushLine(fd);
    text.remove_prefix(nl + 1);
  }
}

Result<int32_t> Wasi::ArgsSizesGet(GuestMemory m, int32_t argc_ptr, int32_t buf_size_ptr) {
  const uint32_t zero = 0;
  if (!m.Write(argc_ptr, zero) || !m.Write(buf_size_ptr, zero)) return kFault;
  return kSuccess;
}

Result<int32_t> Wasi::ArgsGet(GuestMemory, int32_t, int32_t) { return kSuccess; }

Result<int32_t> Wasi::ClockResGet(GuestMemory m, int32_t id, int32_t out) {
  clockid_t clock;
  if (!ClockId(id, &clock)) return kInval;
  timespec ts{};
  clock_getres(clock, &ts);
  const uint64_t ns = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  return m.Write(out, ns) ? kSuccess : kFault;
}

Result<int32_t> Wasi::ClockTimeGet(GuestMemory m, int32_t id, int64_t, int32_t out) {
  clockid_t clock;
  if (!ClockId(id, &clock)) return kInval;
  return m.Write(out, Now(clock)) ? kSuccess : kFault;
}

Result<int32_t> Wasi::FdClose(GuestMemory, int32_t fd) { return IsStdio(fd) ? kSuccess : fs_.FdClose(fd); }

Result<int32_t> Wasi::FdFdstatGet(GuestMemory m, int32_t fd, int32_t out) {
  if (!IsStdio(fd)) return fs_.FdFdstatGet(m, fd, out);
  uint8_t stat[24] = {};
  stat[0] = kFiletypeCharacterDevice;
  const uint64_t rights = fd == 0 ? 0x2 /*fd_read*/ | 0x200000 /*poll_fd_readwrite*/
                                  : 0x40 /*fd_write*/ | 0x200000;
  std::memcpy(stat + 8, &rights, 8);
  uint8_t* p = m.Range(out, sizeof stat);
  if (p == nullptr) return kFault;
  std::memcpy(p, stat, sizeof stat);
  return kSuccess;
}

Result<int32_t> Wasi::FdFdstatSetFlags(GuestMemory, int32_t fd, int32_t flags) {
  return IsStdio(fd) ? kSuccess : fs_.FdFdstatSetFlags(fd, flags);
}

Result<int32_t> Wasi::FdFilestatGet(GuestMemory m, int32_t fd, int32_t out) {
  if (!IsStdio(fd)) return fs_.FdFilestatGet(m, fd, out);
  uint8_t* p = m.Range(out, 64);
  if (p == nullptr) return kFault;
  std::memset(p, 0, 64);
  p[16] = kFiletypeCharacterDevice;
  return kSuccess;
}

Result<int32_t> Wasi::FdPrestatGet(GuestMemory m, int32_t fd, int32_t out) { return fs_.FdPrestatGet(m, fd, out); }
Result<int32_t> Wasi::FdPrestatDirName(GuestMemory m, int32_t fd, int32_t path, int32_t len) {
  return fs_.FdPrestatDirName(m, fd, path, len);
}

Result<int32_t> Wasi::FdRead(GuestMemory m, int32_t fd, int32_t iovs, int32_t n, int32_t nread) {
  if (!IsStdio(fd)) return fs_.FdRead(m, fd, iovs, n, nread);
  if (fd != 0) return kBadf;
  const uint32_t zero = 0;  // stdin is empty: end of file
  return m.Write(nread, zero) ? kSuccess : kFault;
}

Result<int32_t> Wasi::FdSeek(GuestMemory m, int32_t fd, int64_t offset, int32_t whence, int32_t out) {
  return IsStdio(fd) ? kSpipe : fs_.FdSeek(m, fd, offset, whence, out);
}

Result<int32_t> Wasi::FdTell(GuestMemory m, int32_t fd, int32_t out) {
  return IsStdio(fd) ? kSpipe : fs_.FdTell(m, fd, out);
}

Result<int32_t> Wasi::FdWrite(GuestMemory m, int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten) {
  if (!IsStdio(fd)) return fs_.FdWrite(m, fd, iovs, iovs_len, nwritten);
  if (fd != 1 && fd != 2) return kBadf;
  if (iovs_len < 0 || iovs_len > kMaxIovs) return kInval;
  uint64_t total = 0;
  for (int32_t i = 0; i < iovs_len; ++i) {
    uint32_t base, len;
    const uint32_t at = static_cast<uint32_t>(iovs) + 8u * static_cast<uint32_t>(i);
    if (!m.Read(at, &base) || !m.Read(at + 4, &len)) return kFault;
    const uint8_t* p = m.Range(base, len);
    if (p == nullptr) return kFault;
    Emit(fd, std::string_view(reinterpret_cast<const char*>(p), len));
    total += len;
  }
  return m.Write(nwritten, static_cast<uint32_t>(total)) ? kSuccess : kFault;
}

Result<int32_t> Wasi::PollOneoff(GuestMemory m, int32_t in, int32_t out, int32_t nsubs, int32_t nevents) {
  if (nsubs <= 0 || nsubs > kMaxSubscriptions) return kInval;
  struct Sub {
    uint64_t userdata;
    uint8_t tag;
    int32_t fd;
    uint64_t wait_ns;
  };
  std::vector<Sub> subs;
  bool any_fd = false;
  uint64_t shortest = UINT64_MAX;
  for (int32_t i = 0; i < nsubs; ++i) {
    const uint32_t at = static_cast<uint32_t>(in) + 48u * static_cast<uint32_t>(i);
    Sub s{};
    if (!m.Read(at, &s.userdata) || !m.Read(at + 8, &s.tag)) return kFault;
    if (s.tag == kEventClock) {
      uint32_t id;
      uint64_t timeout;
      uint16_t flags;
      if (!m.Read(at + 16, &id) || !m.Read(at + 24, &timeout) || !m.Read(at + 40, &flags)) return kFault;
      clockid_t clock;
      if (!ClockId(static_cast<int32_t>(id), &clock)) return kInval;
      if (flags & kSubclockAbstime) {
        const uint64_t now = Now(clock);
        s.wait_ns = timeout > now ? timeout - now : 0;
      } else {
        s.wait_ns = timeout;
      }
      shortest = std::min(shortest, s.wait_ns);
    } else if (s.tag == kEventFdRead || s.tag == kEventFdWrite) {
      uint32_t fd;
      if (!m.Read(at + 16, &fd)) return kFault;
      s.fd = static_cast<int32_t>(fd);
      any_fd = true;
    } else {
      return kInval;
    }
    subs.push_back(s);
  }

  // Standard streams are always ready, so a poll that includes one never waits.
  if (!any_fd && shortest > 0) {
    const auto until = Clock::now() + std::chrono::nanoseconds(std::min<uint64_t>(shortest, INT64_MAX / 2));
    while (true) {
      if (call_ != nullptr) PIER_RETURN_IF_ERROR(call_->CheckInterrupted().WithContext("poll_oneoff (sleep)"));
      const auto now = Clock::now();
      if (now >= until) break;
      std::this_thread::sleep_for(std::min<Clock::duration>(until - now, kSleepSlice));
    }
  }

  uint32_t count = 0;
  for (const Sub& s : subs) {
    uint8_t event[32] = {};
    std::memcpy(event, &s.userdata, 8);
    uint16_t error = 0;
    if (s.tag == kEventClock) {
      if (any_fd && s.wait_ns > 0) continue;  // this timer has not fired
    } else {
      // Files are always ready; the standard streams as their direction allows.
      const bool ready = fs_.Has(s.fd) || (s.tag == kEventFdRead ? s.fd == 0 : (s.fd == 1 || s.fd == 2));
      if (!ready) error = kBadf;
    }
    std::memcpy(event + 8, &error, 2);
    event[10] = s.tag;
    uint8_t* p = m.Range(static_cast<uint32_t>(out) + 32u * count, 32);
    if (p == nullptr) return kFault;
    std::memcpy(p, event, 32);
    ++count;
  }
  return m.Write(nevents, count) ? kSuccess : kFault;
}

Result<int32_t> Wasi::ProcExit(int32_t code) {
  exit_code_ = code;
  return FailedPreconditionError("proc_exit(" + std::to_string(code) + ")");
}

Result<int32_t> Wasi::RandomGet(GuestMemory m, int32_t buf, int32_t len) {
  uint8_t* p = m.Range(static_cast<uint32_t>(buf), static_cast<uint32_t>(len));
  if (p == nullptr) return kFault;
  size_t done = 0;
  const size_t want = static_cast<uint32_t>(len);
  while (done < want) {
    const ssize_t n = getrandom(p + done, want - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return kIo;
    }
    done += static_cast<size_t>(n);
  }
  return kSuccess;
}

Result<int32_t> Wasi::SchedYield() {
  std::this_thread::yield();
  return kSuccess;
}

}  // namespace pier::internal
