// Runs the `pier` binary built by this build, as a user would, capturing
// its output (stdout and stderr) and exit status.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pier {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr (or stdout alone)
};

inline std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// `with_stderr` false: `out` is stdout alone (for --json output).
inline CliRun Pier(const std::vector<std::string>& args, bool with_stderr = true) {
  std::string cmd = "PIER_CACHE_DIR=" + Quote(::testing::TempDir() + "pier-cli-cache") + " " + Quote(PIER_BINARY);
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += with_stderr ? " 2>&1" : " 2>/dev/null";
  CliRun run;
  FILE* f = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) run.out.append(buf.data(), n);
  int status = pclose(f);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace pier
