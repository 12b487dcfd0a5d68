// ModuleCache: compiles a Wasm module once and keeps the result, in memory for
// this process and on disk across processes.
//
// A disk entry is named by the module's SHA-256 and the engine fingerprint
// (Wasmtime version + settings), and wrapped in an envelope that repeats both
// and carries the payload's length and SHA-256. An entry is handed to Wasmtime
// only when all of that matches: a corrupt, truncated or foreign file is
// counted, deleted and rebuilt, never loaded blindly (deserializing compiled
// code trusts its bytes).
//
//   ModuleCache cache("/var/cache/pier/modules");
//   Result<SharedModule> m = cache.Get(engines.Get(false), wasm_bytes);
//
// Thread-safe.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "common/mutex.h"
#include "pier/status.h"
#include "runtime/engine_set.h"

namespace pier::internal {

struct ModuleCacheStats {
  std::atomic<uint64_t> compiled{0};
  std::atomic<uint64_t> disk_hits{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> memory_hits{0};
};

class ModuleCache {
 public:
  explicit ModuleCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // The compiled module for `wasm`. InvalidArgument when it is not valid Wasm.
  // `wasm_sha`: its SHA-256 in hex when the caller has already computed it.
  Result<SharedModule> Get(const EngineFlavor& engine, std::span<const uint8_t> wasm, std::string wasm_sha = "");

  const ModuleCacheStats& stats() const { return stats_; }

 private:
  // Path of the disk entry for a module (exists or not); empty without a dir.
  std::filesystem::path EntryPath(const EngineFlavor& engine, const std::string& wasm_sha) const;
  SharedModule LoadEntry(const EngineFlavor& engine, const std::string& wasm_sha,
                                            const std::filesystem::path& path);
  void StoreEntry(const EngineFlavor& engine, const std::string& wasm_sha, const std::filesystem::path& path,
                  const wasmtime_module_t* module);

  std::filesystem::path dir_;
  Mutex mu_;
  std::map<std::string, SharedModule> memory_ PIER_GUARDED_BY(mu_);  // key: fingerprint|sha
  ModuleCacheStats stats_;  // atomics
};

}  // namespace pier::internal
