// Snapshots: a plugin's module with its guest initialiser already run, so a
// fresh instance starts where `_initialize` left off instead of running it
// again (Wizer's technique, through the wasmtime-wizer crate).
//
// Taking one: Wizer instruments the module (every memory and mutable global
// exported), Pier instantiates that once and runs the initialiser in a
// sandbox — Pier's own WASI, with only the functions a runtime's start-up
// needs (clocks, random bytes, arguments and environment, standard output,
// the pre-opened directories' names); any other WASI function, every Extism
// kernel function and every host function refuses, so the module is loaded
// without a snapshot — and Wizer writes a new module whose data segments and
// globals hold the state it read back. Wasmtime maps those data segments
// copy-on-write into each new instance.
//
//   SnapshotCache snapshots(cache_dir, &modules, &ticker);
//   SnapshotEntry s = snapshots.Get(engine, wasm_bytes, "_initialize", shared);
//   if (s.module) { /* instantiate s.module; run no initialiser */ } else { log(s.refused); }
//
// Thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "common/mutex.h"
#include "pier/status.h"
#include "runtime/engine_set.h"
#include "runtime/epoch_ticker.h"
#include "runtime/module_cache.h"
#include "runtime/plugin_shared.h"

namespace pier::internal {

// What an initialiser read from the host while its snapshot was taken: every
// instance made from the snapshot shares the values of that one run.
struct InitReads {
  bool clock = false;        // clock_time_get / clock_res_get
  bool random = false;       // random_get
  bool environment = false;  // args_* / environ_* (always empty in Pier)
  bool output = false;       // fd_write: logged once, when the snapshot was taken

  // "clock, random bytes" (in that order), or "nothing".
  std::string Describe() const;
  std::string Encode() const;  // "clock,random,environment,output", each when set
  static InitReads Decode(std::string_view text);
};

struct TakenSnapshot {
  std::string wasm;  // the pre-initialised module
  InitReads reads;
  uint64_t monotonic_ns = 0;  // the host's monotonic clock when the initialiser ended
};

// Why a module could not be snapshotted, and whether that holds for every
// later try (a refused import, an unsupported feature) or may not (a trap, a
// timeout, the memory cap: the initialiser may behave differently next time).
struct SnapshotRefusal {
  std::string why;
  bool lasting = false;
};

// Runs `init` (a nullary export) of `wasm` in the sandbox described above,
// under `shared`'s timeout, memory cap and fuel, and returns the snapshot.
Result<TakenSnapshot> TakeSnapshot(const EngineFlavor& engine, EpochTicker& ticker, std::span<const uint8_t> wasm,
                                   const std::string& init, const PluginShared& shared, SnapshotRefusal* refusal);

struct SnapshotEntry {
  SharedModule module;  // null when refused
  std::string refused;  // why there is none
  InitReads reads;
  uint64_t monotonic_ns = 0;
  bool from_disk = false;

  // What to add to the host's monotonic clock so that instances never read it
  // below the snapshot's (taken before a reboot, say): 0, or the gap and 1 ms.
  uint64_t MonotonicOffsetNs() const;
};

// Snapshots by their inputs (module bytes, initialiser, pre-opened guest
// paths, memory cap), in memory for this process and on disk beside the
// module cache: `<key>.snapshot` holds the snapshot's Wasm (checked by
// length and SHA-256 before use; its compiled code is an ordinary module-
// cache entry) or a lasting refusal, so a restart neither runs the
// initialiser nor retries a module that cannot be snapshotted.
class SnapshotCache {
 public:
  SnapshotCache(std::filesystem::path dir, ModuleCache* modules, EpochTicker* ticker)
      : dir_(std::move(dir)), modules_(modules), ticker_(ticker) {}

  SnapshotEntry Get(const EngineFlavor& engine, std::span<const uint8_t> wasm, const std::string& init,
                    const PluginShared& shared);

 private:
  bool LoadEntry(const EngineFlavor& engine, const std::string& key, SnapshotEntry* out);
  void StoreEntry(const std::string& key, const TakenSnapshot* taken, const std::string& refused);

  std::filesystem::path dir_;
  ModuleCache* modules_;  // outlives this
  EpochTicker* ticker_;   // outlives this
  Mutex mu_;
  std::map<std::string, SnapshotEntry> memory_ PIER_GUARDED_BY(mu_);  // key: fingerprint|inputs
};

}  // namespace pier::internal
