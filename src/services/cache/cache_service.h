// CacheService: the Cache host service (spec §6.2), one per loaded plugin.
//
// The original's contract: typed values (string, int64, float64, bytes; a
// getter of another type answers "does not exist"), a TTL of `ttlSeconds`
// (0 or less: 24 hours), sliding expiry (every successful get and every has
// resets the entry's expiry to now + its TTL), expired entries invisible at
// once, no errors. Unlike the original, a plugin's cache has a byte cap
// (`max_bytes`, counting keys, values and a fixed overhead per entry):
// inserting beyond it evicts the least recently used entries, and an entry
// larger than the whole cap is not kept — so a plugin cannot exhaust host
// memory. A janitor drops expired entries every `janitor_interval`; Stop()
// (unload) drops everything.
//
//   CacheService cache({.max_bytes = 64 << 20});
//   host.cache = &cache;
//   cache.Start(); ... cache.Stop();
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>

#include "common/mutex.h"
#include "pier/services/cache.h"

namespace pier::cache {

inline constexpr int64_t kDefaultTtlSeconds = 24 * 3600;
inline constexpr int64_t kDefaultMaxBytes = 64 << 20;
inline constexpr int64_t kEntryOverheadBytes = 96;

struct CacheOptions {
  int64_t max_bytes = kDefaultMaxBytes;
  std::function<int64_t()> now_ms;  // unset: the steady clock
  std::chrono::milliseconds janitor_interval = std::chrono::seconds(60);
};

struct CacheStats {
  int64_t entries = 0, bytes = 0, hits = 0, misses = 0, evictions = 0, expirations = 0;
};

class CacheService final : public services::CacheService {
 public:
  explicit CacheService(CacheOptions options = {});
  ~CacheService() override;

  void Start();  // the janitor
  void Stop();   // stops it and drops every entry; idempotent

  Status SetString(HostCallContext&, const wire::CacheSetStringRequest& r) override;
  Result<wire::CacheGetStringResponse> GetString(HostCallContext&, const wire::CacheGetStringRequest& r) override;
  Status SetInt(HostCallContext&, const wire::CacheSetIntRequest& r) override;
  Result<wire::CacheGetIntResponse> GetInt(HostCallContext&, const wire::CacheGetIntRequest& r) override;
  Status SetFloat(HostCallContext&, const wire::CacheSetFloatRequest& r) override;
  Result<wire::CacheGetFloatResponse> GetFloat(HostCallContext&, const wire::CacheGetFloatRequest& r) override;
  Status SetBytes(HostCallContext&, const wire::CacheSetBytesRequest& r) override;
  Result<wire::CacheGetBytesResponse> GetBytes(HostCallContext&, const wire::CacheGetBytesRequest& r) override;
  Result<wire::CacheHasResponse> Has(HostCallContext&, const wire::CacheHasRequest& r) override;
  Status Remove(HostCallContext&, const wire::CacheRemoveRequest& r) override;

  CacheStats stats() const;

 private:
  // A string is kept apart from bytes: the types are distinct to plugins.
  struct Bytes {
    std::string data;
  };
  using Value = std::variant<std::string, int64_t, double, Bytes>;
  struct Entry {
    Value value;
    int64_t ttl_ms = 0;
    int64_t expires_at = 0;
    int64_t size = 0;
    std::list<std::string>::iterator lru;  // position in lru_ (front = most recent)
  };

  int64_t Now() const;
  void Put(const std::string& key, Value value, int64_t ttl_seconds) PIER_EXCLUDES(mu_);
  // The live entry of `key` (touched: expiry slides, most recent), else nullptr.
  Entry* Touch(const std::string& key) PIER_REQUIRES(mu_);
  void Erase(std::unordered_map<std::string, Entry>::iterator it) PIER_REQUIRES(mu_);
  // A getter answers only for a live value of its own type (any other is
  // "does not exist"); `read` sees it under the lock.
  template <typename T, typename Read>
  bool Get(const std::string& key, Read read) {
    MutexLock lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || !std::holds_alternative<T>(it->second.value)) {
      ++stats_.misses;
      return false;
    }
    Entry* e = Touch(key);
    if (e != nullptr) read(std::get<T>(e->value));
    return e != nullptr;
  }
  void JanitorLoop();

  const CacheOptions options_;
  mutable Mutex mu_;
  CondVar cv_;
  std::unordered_map<std::string, Entry> entries_ PIER_GUARDED_BY(mu_);
  std::list<std::string> lru_ PIER_GUARDED_BY(mu_);
  CacheStats stats_ PIER_GUARDED_BY(mu_);
  bool started_ PIER_GUARDED_BY(mu_) = false;
  bool stopped_ PIER_GUARDED_BY(mu_) = false;
  std::thread janitor_;
};

}  // namespace pier::cache
