// The Pier C++ plugin kit: write Extism/Navidrome plugins in C++, compiled by
// clang-19 to wasm32-wasi (see wasm32-wasi.cmake and PierPdk.cmake).
//
//   #include "pier/pdk.h"
//
//   PIER_FUNCTION(greet) {  // std::string_view input -> pier::Result<std::string>
//     auto who = pier::pdk::Config("greeting").value_or("Hello");
//     return who + ", " + std::string(input) + "!";
//   }
//
// A PIER_FUNCTION returning an error status reports it with `error_set` and
// returns -1 (or -2, "not implemented", for StatusCode::kUnimplemented).
// PIER_EXPORT(name) declares a raw `() -> i32` export for full control.
// Builds with -fno-exceptions; nothing here throws.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "pier/log_level.h"
#include "pier/status.h"

#define PIER_EXPORT(name) extern "C" __attribute__((export_name(#name))) int32_t name()

#define PIER_FUNCTION(name)                                                  \
  static ::pier::Result<std::string> pier_fn_##name(std::string_view input); \
  PIER_EXPORT(name) { return ::pier::pdk::RunFunction(&pier_fn_##name); }    \
  static ::pier::Result<std::string> pier_fn_##name(std::string_view input)

namespace pier::pdk {

// --- input, output, errors ---
// The call's input bytes.
std::string Input();
// Declares the call's output.
void Output(std::string_view bytes);
// Reports an error; the host treats the call as failed whatever it returns.
void SetError(std::string_view message);
// Runs `fn` on the input: output on success, SetError + -1 (-2 for kUnimplemented) otherwise.
int32_t RunFunction(Result<std::string> (*fn)(std::string_view input));

// --- config and vars ---
// The plugin config value for `key`; nullopt when absent (or empty).
std::optional<std::string> Config(std::string_view key);
// Extism vars live as long as the instance (Pier's pooled mode keeps them
// between calls; fresh mode and Navidrome start every call empty).
std::optional<std::string> GetVar(std::string_view key);
void SetVar(std::string_view key, std::string_view value);
void DeleteVar(std::string_view key);

// --- logging ---
void Log(LogLevel level, std::string_view message);
// The host's threshold: skip building messages below it.
LogLevel CurrentLogLevel();
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarn(std::string_view m) { Log(LogLevel::kWarn, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

// --- HTTP (Extism `http_request`; the host enforces allowed hosts) ---
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
};

struct HttpResponse {
  int32_t status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // when the host shares them
};

// Any status code is a response. A host that refuses the request (host not
// allowed, timeout, body too large) stops the call instead of returning.
Result<HttpResponse> Send(const HttpRequest& request);

// --- kernel memory, for host functions and the bare ABI ---
namespace memory {
// Copies `bytes` into a new kernel block; 0 for empty input.
uint64_t Store(std::string_view bytes);
// Reads the whole block `handle` (empty for 0).
std::string Load(uint64_t handle);
void Free(uint64_t handle);
}  // namespace memory

}  // namespace pier::pdk
