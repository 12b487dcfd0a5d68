#include "cli/server_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace pier::cli {

namespace {

std::filesystem::path LockFile(const std::filesystem::path& d) { return d / "pier.lock"; }
std::filesystem::path PidFile(const std::filesystem::path& d) { return d / "pier.pid"; }
std::filesystem::path AdminFile(const std::filesystem::path& d) { return d / "pier.admin"; }

pid_t ReadPid(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  return n > 0 ? static_cast<pid_t>(std::atol(buf)) : 0;
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  fchmod(fd, 0600);
  (void)!write(fd, text.data(), text.size());
  close(fd);
}

}  // namespace

Result<std::unique_ptr<ServerLock>> ServerLock::Acquire(const std::filesystem::path& data_dir) {
  const auto path = LockFile(data_dir);
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot open " + path.string() + ": " + std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const pid_t other = ReadPid(fd);
    close(fd);
    return FailedPreconditionError("another pier serve (pid " + std::to_string(other) + ") runs on the data folder " +
                                   data_dir.string());
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    close(fd);
    return UnavailableError("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  WriteFile(PidFile(data_dir), pid);
  return std::unique_ptr<ServerLock>(new ServerLock(fd, data_dir));
}

ServerLock::~ServerLock() {
  std::error_code ec;
  std::filesystem::remove(AdminFile(data_dir_), ec);
  std::filesystem::remove(PidFile(data_dir_), ec);
  close(fd_);  // releases the lock
}

void ServerLock::PublishAdminUrl(const std::string& url, const std::string& token, const std::string& read_only_token) {
  WriteFile(AdminFile(data_dir_), url + "\n" + token + "\n" + read_only_token + "\n");
}

std::optional<RunningServer> FindRunningServer(const std::filesystem::path& data_dir) {
  const int fd = open(LockFile(data_dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  if (flock(fd, LOCK_SH | LOCK_NB) == 0) {  // nobody holds it: no server, whatever pier.pid says
    close(fd);
    return std::nullopt;
  }
  RunningServer out;
  out.pid = ReadPid(fd);
  close(fd);
  std::ifstream(AdminFile(data_dir)) >> out.admin_url >> out.token;
  if (out.pid <= 0) return std::nullopt;
  return out;
}

}  // namespace pier::cli
