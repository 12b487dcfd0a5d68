// Kernel: the native Extism kernel of one plugin instance — every function of
// `extism:host/env` — over a KernelArena. It knows nothing of the Wasm engine:
// the runtime binds each method to an import and turns a non-OK status into a
// trap (ResourceExhausted -> out of memory, DeadlineExceeded -> timeout,
// Cancelled -> cancelled, anything else -> crash).
//
//   Kernel kernel(settings);
//   kernel.BeginCall("input bytes", &call_state);
//   ... guest runs, calling kernel.Alloc(), kernel.StoreU64(), kernel.OutputSet() ...
//   Result<std::string> out = kernel.Output();
//
// Confined to one thread at a time (it belongs to one instance).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/call_state.h"
#include "kernel/arena.h"
#include "kernel/host_pattern.h"
#include "http/http_client.h"
#include "pier/log_level.h"
#include "pier/status.h"

namespace pier::internal {

// Per-plugin settings shared (read-only) by all of its instances.
struct KernelSettings {
  std::string plugin_name;
  std::map<std::string, std::string> config;
  HostPatterns allowed_hosts{{}};
  uint64_t max_arena_bytes = 128 << 20;
  uint64_t max_var_bytes = 1 << 20;
  uint64_t max_http_response_bytes = 50 << 20;
  bool http_response_headers = true;
  LogLevel log_level = LogLevel::kInfo;
  LogSink log_sink;                      // never empty
  std::shared_ptr<http::HttpClient> http;      // never null
};

class Kernel {
 public:
  explicit Kernel(std::shared_ptr<const KernelSettings> settings);

  // --- host side of a call ---
  // Resets the arena, clears output and error, copies `input` into a block.
  Status BeginCall(std::string_view input, const CallState* call);
  // The declared output range (empty when none). DataLoss if its block was freed.
  Result<std::string> Output();
  // The `error_set` message, if a non-empty one is set.
  std::optional<std::string> Error() const;
  void EndCall() { call_ = nullptr; }

  KernelArena& arena() { return arena_; }
  const KernelSettings& settings() const { return *settings_; }
  const CallState* call() const { return call_; }

  // --- extism:host/env: memory ---
  Result<uint64_t> Alloc(int64_t n);
  void Free(int64_t h) { arena_.Free(static_cast<uint64_t>(h)); }
  int64_t Length(int64_t h) const;
  Result<int32_t> LoadU8(int64_t addr);
  Result<int64_t> LoadU64(int64_t addr);
  Status StoreU8(int64_t addr, int32_t value);
  Status StoreU64(int64_t addr, int64_t value);

  // --- input / output / error ---
  int64_t InputLength() const { return static_cast<int64_t>(input_length_); }
  int64_t InputOffset() const { return static_cast<int64_t>(input_); }
  Result<int32_t> InputLoadU8(int64_t offset);
  Result<int64_t> InputLoadU64(int64_t offset);
  Status InputSet(int64_t h, int64_t length);
  Status OutputSet(int64_t addr, int64_t length);
  int64_t OutputOffset() const { return static_cast<int64_t>(output_); }
  int64_t OutputLength() const { return static_cast<int64_t>(output_length_); }
  Status ErrorSet(int64_t h);
  int64_t ErrorGet() const { return static_cast<int64_t>(error_); }
  void Reset();
  int64_t MemoryBytes() const { return static_cast<int64_t>(arena_.bytes_in_use()); }

  // --- config, vars ---
  Result<int64_t> ConfigGet(int64_t key);
  Result<int64_t> VarGet(int64_t key);
  Status VarSet(int64_t key, int64_t value);
  // The host's view of the vars (they survive calls, per instance).
  std::optional<std::string> Var(std::string_view name) const;
  // Sets (or with nullopt removes) a var, within max_var_bytes.
  Status PutVar(std::string_view name, std::optional<std::string_view> value);
  void ClearVars();
  const std::map<std::string, std::string, std::less<>>& vars() const { return vars_; }

  // --- logging ---
  Status Log(LogLevel level, int64_t message);
  int32_t GetLogLevel() const { return static_cast<int32_t>(settings_->log_level); }

  // --- HTTP ---
  Result<int64_t> HttpRequest(int64_t request, int64_t body);
  int32_t HttpStatusCode() const { return http_status_; }
  Result<int64_t> HttpHeaders();

  // Reads the whole live block `h` for a host function argument.
  Result<std::string_view> ReadBlock(std::string_view function, int64_t h) const;

 private:
  // Pointer to n bytes at addr inside a live block, or an error naming `function`.
  Result<uint8_t*> Access(std::string_view function, int64_t addr, uint64_t n);

  std::shared_ptr<const KernelSettings> settings_;
  KernelArena arena_;
  const CallState* call_ = nullptr;  // owned by the runtime for the duration of a call

  uint64_t input_ = 0;
  uint64_t input_length_ = 0;
  uint64_t output_ = 0;
  uint64_t output_length_ = 0;
  uint64_t error_ = 0;

  std::map<std::string, std::string, std::less<>> vars_;  // survive Reset (per instance)
  uint64_t var_bytes_ = 0;

  int32_t http_status_ = 0;
  std::string http_headers_json_;  // of the last response
};

}  // namespace pier::internal
