// The files `pier serve` keeps in its data folder, and how other `pier`
// commands find a live server through them:
//   pier.lock   held with flock(2) for the server's whole life; holds its pid
//   pier.pid    its pid, for people and scripts
//   pier.admin  the admin API's URL
// A server that crashed leaves pier.pid and pier.admin behind, but never a
// held lock: only the lock says a server runs, so a stale pid (now another
// process's) is never signalled.
//
//   auto lock = ServerLock::Acquire(data_dir);   // refused while another server runs there
//   if (auto s = FindRunningServer(data_dir)) kill(s->pid, SIGHUP);
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "pier/status.h"

namespace pier::cli {

class ServerLock {
 public:
  // FailedPrecondition, with the other server's pid, when one holds it.
  static Result<std::unique_ptr<ServerLock>> Acquire(const std::filesystem::path& data_dir);
  ~ServerLock();  // releases the lock and removes pier.pid and pier.admin
  ServerLock(const ServerLock&) = delete;
  ServerLock& operator=(const ServerLock&) = delete;

  // Records the admin API's URL and its bearer tokens (pier.admin, mode
  // 0600: "<url>\n<token>\n<read-only token>\n").
  void PublishAdminUrl(const std::string& url, const std::string& token, const std::string& read_only_token);

 private:
  ServerLock(int fd, std::filesystem::path data_dir) : fd_(fd), data_dir_(std::move(data_dir)) {}
  int fd_;
  std::filesystem::path data_dir_;
};

struct RunningServer {
  pid_t pid = 0;
  std::string admin_url;  // empty when it runs without the admin API
  std::string token;      // the admin API's bearer token
};

// The server holding the data folder's lock, if any.
std::optional<RunningServer> FindRunningServer(const std::filesystem::path& data_dir);

}  // namespace pier::cli
