#include "metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pier {

namespace {

// Fields of /proc/self/stat after the command name (which may hold spaces).
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const size_t close = line.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(line.substr(close + 2));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;  // fields[0] is field 3 (state)
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

void Collect(MetricWriter& w) {
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const std::vector<std::string> f = StatFields();
  // utime 14, stime 15, num_threads 20, starttime 22, vsize 23, rss 24 (1-based field numbers).
  auto field = [&](size_t n) { return n - 3 < f.size() ? std::stod(f[n - 3]) : 0.0; };
  if (f.size() > 21) {
    w.Counter("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", {},
              (field(14) + field(15)) / tick);
    w.Gauge("process_virtual_memory_bytes", "Virtual memory size, in bytes.", {}, field(23));
    w.Gauge("process_resident_memory_bytes", "Resident memory size, in bytes.", {}, field(24) * page);
    w.Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", {},
            BootTimeSeconds() + field(22) / tick);
    w.Gauge("pier_process_threads", "Threads of the process.", {}, field(20));
  }
  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    ++fds;
  }
  w.Gauge("process_open_fds", "Open file descriptors.", {}, fds);
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    w.Gauge("process_max_fds", "Most file descriptors the process may open.", {},
            lim.rlim_cur == RLIM_INFINITY ? -1 : static_cast<double>(lim.rlim_cur));
  }
}

}  // namespace

Metrics::Collector AddProcessMetrics(Metrics& metrics) { return metrics.AddCollector(Collect); }

}  // namespace pier
