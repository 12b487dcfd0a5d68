// Runs `pier serve` as a child process writing its log to a file, for the
// tests that need a real server (and the crash harness, which kills it).
//
//   ServeProcess serve(root / "pier.toml", root / "serve.log");
//   serve.Start();
//   ASSERT_TRUE(serve.LogShows("pier serve: ready"));
//   serve.Kill(SIGKILL);
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/test_plugins.h"
#include "support/wait.h"

extern char** environ;

namespace pier {

class ServeProcess {
 public:
  ServeProcess(std::filesystem::path config, std::filesystem::path log)
      : config_(std::move(config)), log_(std::move(log)) {}
  ~ServeProcess() { Kill(SIGKILL); }

  // Starts `pier serve --config CONFIG`; `append` keeps the earlier log.
  void Start(bool append = false) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC),
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const std::string config = config_.string();
    const char* argv[] = {PIER_BINARY, "serve", "--config", config.c_str(), nullptr};
    ASSERT_EQ(posix_spawn(&pid_, PIER_BINARY, &actions, nullptr, const_cast<char**>(argv), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  // Sends `signal` and reaps the process; its exit status (-1 when killed by a signal or not running).
  int Kill(int signal) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // Waits until the log contains `text` `occurrences` times (10 s at most).
  bool LogShows(const std::string& text, size_t occurrences = 1, int seconds = 10) {
    const bool shown = testing::WaitFor(
        [&] {
          const std::string log = testing::ReadFile(log_);
          size_t count = 0;
          for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++count;
          return count >= occurrences;
        },
        std::chrono::seconds(seconds), std::chrono::milliseconds(50));
    if (shown) return true;
    ADD_FAILURE() << "log never showed '" << text << "':\n" << testing::ReadFile(log_);
    return false;
  }
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path config_, log_;
  pid_t pid_ = -1;
};

}  // namespace pier
