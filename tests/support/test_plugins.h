// Where the build put the Wasm plugins, and small helpers shared by tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <mutex>
#include <string>
#include <vector>

#include "pier/runtime.h"

namespace pier::testing {

inline std::filesystem::path PluginPath(const std::string& name) {
  return std::filesystem::path(PIER_TEST_PLUGIN_DIR) / (name + ".wasm");
}

// The whole file, as bytes ("" when it cannot be read).
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What a call gave: its output, or a description of anything else ("host
// error: ...", a plugin error, a trap), for one-line assertions.
inline std::string OutputOf(Plugin& p, std::string_view fn, std::string_view in = "") {
  auto r = p.Call(fn, in);
  if (!r.ok()) return "host error: " + r.status().ToString();
  return r->is_output() ? r->output() : r->Describe();
}

// The bytes of a plugin the build made.
inline std::string PluginWasm(const std::string& name) { return ReadFile(PluginPath(name)); }

// Collects what plugins log, for assertions. Thread-safe.
class LogCapture {
 public:
  LogSink sink() {
    return [this](LogLevel level, std::string_view plugin, std::string_view message) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(std::string(LogLevelName(level)) + "|" + std::string(plugin) + "|" + std::string(message));
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace pier::testing
