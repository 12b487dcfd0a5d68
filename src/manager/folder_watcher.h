// FolderWatcher: watches the plugins folder (inotify, not recursive) and
// reports, per plugin ID, that its package changed — once the ID has been
// quiet for `debounce` (copies and editors write in several steps).
//
//   FolderWatcher watcher(dir, 2s, [&](const std::string& id) { host->Refresh(id); });
//   PIER_RETURN_IF_ERROR(watcher.Start());
//
// The callback runs on the watcher's thread. Thread-safe; Stop() (or the
// destructor) joins the thread.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "pier/status.h"

namespace pier {

class FolderWatcher {
 public:
  using Callback = std::function<void(const std::string& id)>;
  FolderWatcher(std::filesystem::path dir, std::chrono::milliseconds debounce, Callback callback);
  ~FolderWatcher();

  Status Start();
  void Stop();

 private:
  void Run();

  const std::filesystem::path dir_;
  const std::chrono::milliseconds debounce_;
  const Callback callback_;
  int inotify_ = -1;
  int wake_ = -1;  // eventfd that ends the poll in Stop()
  std::thread thread_;
};

// The plugin ID a folder entry name stands for ("x.ndp" or folder "x"), or "".
std::string PluginIdForEntry(std::string_view name);

}  // namespace pier
