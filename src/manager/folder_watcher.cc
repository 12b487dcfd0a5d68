#include "manager/folder_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>
#include <map>

#include "common/thread.h"
#include "package/package.h"

namespace pier {

std::string PluginIdForEntry(std::string_view name) {
  std::string id(name);
  if (id.size() > kPackageExtension.size() &&
      id.compare(id.size() - kPackageExtension.size(), kPackageExtension.size(), kPackageExtension) == 0) {
    id.resize(id.size() - kPackageExtension.size());
  }
  return ValidatePluginId(id).ok() ? id : "";
}

FolderWatcher::FolderWatcher(std::filesystem::path dir, std::chrono::milliseconds debounce, Callback callback)
    : dir_(std::move(dir)), debounce_(debounce), callback_(std::move(callback)) {}

FolderWatcher::~FolderWatcher() { Stop(); }

Status FolderWatcher::Start() {
  inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_ < 0 || wake_ < 0) return InternalError(std::string("inotify: ") + std::strerror(errno));
  const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB;
  if (inotify_add_watch(inotify_, dir_.c_str(), mask) < 0) {
    return InternalError("cannot watch " + dir_.string() + ": " + std::strerror(errno));
  }
  thread_ = StartThread("pier-watch", [this] { Run(); });
  return OkStatus();
}

void FolderWatcher::Stop() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_, &one, sizeof one);
    thread_.join();
  }
  if (inotify_ >= 0) close(inotify_);
  if (wake_ >= 0) close(wake_);
  inotify_ = wake_ = -1;
}

void FolderWatcher::Run() {
  using Clock = std::chrono::steady_clock;
  std::map<std::string, Clock::time_point> due;  // id -> when it has been quiet long enough
  alignas(inotify_event) char buf[16 * 1024];
  while (true) {
    int timeout = -1;
    if (!due.empty()) {
      auto next = std::min_element(due.begin(), due.end(), [](auto& a, auto& b) { return a.second < b.second; });
      timeout = static_cast<int>(std::max<int64_t>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(next->second - Clock::now()).count() + 1));
    }
    pollfd fds[2] = {{inotify_, POLLIN, 0}, {wake_, POLLIN, 0}};
    if (poll(fds, 2, timeout) < 0 && errno != EINTR) return;
    if (fds[1].revents & POLLIN) return;
    if (fds[0].revents & POLLIN) {
      ssize_t n;
      while ((n = read(inotify_, buf, sizeof buf)) > 0) {
        for (char* p = buf; p < buf + n;) {
          auto* ev = reinterpret_cast<inotify_event*>(p);
          if (ev->len > 0) {
            const std::string id = PluginIdForEntry(ev->name);
            if (!id.empty()) due[id] = Clock::now() + debounce_;
          }
          p += sizeof(inotify_event) + ev->len;
        }
      }
    }
    const auto now = Clock::now();
    for (auto it = due.begin(); it != due.end();) {
      if (it->second <= now) {
        callback_(it->first);
        it = due.erase(it);
      } else {
        ++it;
      }
    }
  }
}

}  // namespace pier
