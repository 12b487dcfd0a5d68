// RuntimeCore: the process-wide parts every plugin shares: engines, the epoch
// ticker, the module and snapshot caches, the HTTP client and the core-dump writer. Plugins
// hold a shared_ptr, so it lives until the last plugin is gone. Thread-safe.
#pragma once

#include <memory>

#include "http/http_client.h"
#include "pier/runtime.h"
#include "runtime/core_dumps.h"
#include "runtime/engine_set.h"
#include "runtime/epoch_ticker.h"
#include "runtime/module_cache.h"
#include "runtime/snapshot.h"

namespace pier::internal {

class RuntimeCore {
 public:
  RuntimeCore(RuntimeOptions options, std::unique_ptr<EngineSet> engines)
      : options_(std::move(options)),
        engines_(std::move(engines)),
        ticker_([e = engines_.get()] { e->IncrementEpochs(); }, options_.epoch_tick),
        cache_(options_.cache_dir),
        snapshots_(options_.cache_dir, &cache_, &ticker_),
        http_(http::NewCurlHttpClient()),
        core_dumps_(options_.coredump_dir, RuntimeOptions::kMaxCoreDumps),
        metrics_(options_.metrics ? options_.metrics : std::make_shared<Metrics>()) {}

  const EngineSet& engines() const { return *engines_; }
  EpochTicker& ticker() { return ticker_; }
  ModuleCache& cache() { return cache_; }
  SnapshotCache& snapshots() { return snapshots_; }
  std::shared_ptr<http::HttpClient> http() const { return http_; }
  CoreDumps& core_dumps() { return core_dumps_; }
  const std::shared_ptr<Metrics>& metrics() const { return metrics_; }

 private:
  RuntimeOptions options_;
  std::unique_ptr<EngineSet> engines_;
  EpochTicker ticker_;
  ModuleCache cache_;
  SnapshotCache snapshots_;
  std::shared_ptr<http::HttpClient> http_;
  CoreDumps core_dumps_;
  std::shared_ptr<Metrics> metrics_;
};

}  // namespace pier::internal
