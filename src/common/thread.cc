#include "common/thread.h"

#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace pier {

bool RequestShortTimeSlices() {
#if defined(__linux__) && defined(SYS_sched_setattr)
  // The kernel's struct sched_attr (first version, 48 bytes); glibc has no wrapper.
  struct {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
  } attr{};
  attr.size = sizeof attr;
  attr.sched_policy = SCHED_OTHER;
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));  // kept as it is
  if (errno != 0) return false;
  attr.sched_nice = nice;
  attr.sched_runtime = 100'000;  // ns: the shortest slice EEVDF grants
  return syscall(SYS_sched_setattr, 0, &attr, 0) == 0;
#else
  return false;
#endif
}

}  // namespace pier

namespace pier::internal {

void PrepareThreadStart() { (void)spdlog::default_logger_raw(); }

void NameThisThread(std::string_view name) {
  std::string n(name.substr(0, 15));  // Linux keeps 15 bytes and the NUL
  pthread_setname_np(pthread_self(), n.c_str());
}

}  // namespace pier::internal
