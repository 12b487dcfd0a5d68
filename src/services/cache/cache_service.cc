#include "services/cache/cache_service.h"

#include "common/duration.h"
#include "common/thread.h"

namespace pier::cache {

CacheService::CacheService(CacheOptions options) : options_(std::move(options)) {}

CacheService::~CacheService() { Stop(); }

int64_t CacheService::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void CacheService::Start() {
  MutexLock lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  janitor_ = StartThread("pier-cache-gc", [this] { JanitorLoop(); });
}

void CacheService::Stop() {
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    cv_.NotifyAll();
  }
  if (janitor_.joinable()) janitor_.join();
  MutexLock lock(mu_);
  entries_.clear();
  lru_.clear();
  stats_.entries = stats_.bytes = 0;
}

void CacheService::JanitorLoop() {
  MutexLock lock(mu_);
  while (!cv_.WaitFor(mu_, options_.janitor_interval, [&]() PIER_REQUIRES(mu_) { return stopped_; })) {
    const int64_t now = Now();
    for (auto it = entries_.begin(); it != entries_.end();) {
      auto next = std::next(it);
      if (it->second.expires_at <= now) {
        ++stats_.expirations;
        Erase(it);
      }
      it = next;
    }
  }
}

void CacheService::Erase(std::unordered_map<std::string, Entry>::iterator it) {
  stats_.bytes -= it->second.size;
  --stats_.entries;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

void CacheService::Put(const std::string& key, Value value, int64_t ttl_seconds) {
  const int64_t ttl_ms = ttl_seconds > 0 ? std::min(ttl_seconds, kMaxDurationMs / 1000) * 1000 : kDefaultTtlSeconds * 1000;
  int64_t size = kEntryOverheadBytes + static_cast<int64_t>(key.size());
  if (auto* s = std::get_if<std::string>(&value)) size += static_cast<int64_t>(s->size());
  if (auto* b = std::get_if<Bytes>(&value)) size += static_cast<int64_t>(b->data.size());
  MutexLock lock(mu_);
  if (stopped_) return;
  if (auto it = entries_.find(key); it != entries_.end()) Erase(it);
  if (size > options_.max_bytes) {  // could never fit: not kept (the cache answers no errors)
    ++stats_.evictions;
    return;
  }
  while (stats_.bytes + size > options_.max_bytes && !lru_.empty()) {
    ++stats_.evictions;
    Erase(entries_.find(lru_.back()));
  }
  lru_.push_front(key);
  entries_[key] = Entry{std::move(value), ttl_ms, SaturatingAdd(Now(), ttl_ms), size, lru_.begin()};
  stats_.bytes += size;
  ++stats_.entries;
}

CacheService::Entry* CacheService::Touch(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  const int64_t now = Now();
  if (it->second.expires_at <= now) {
    ++stats_.expirations;
    ++stats_.misses;
    Erase(it);
    return nullptr;
  }
  ++stats_.hits;
  it->second.expires_at = SaturatingAdd(now, it->second.ttl_ms);
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return &it->second;
}

Status CacheService::SetString(HostCallContext&, const wire::CacheSetStringRequest& r) {
  Put(r.key, r.value, r.ttl_seconds);
  return OkStatus();
}
Status CacheService::SetInt(HostCallContext&, const wire::CacheSetIntRequest& r) {
  Put(r.key, r.value, r.ttl_seconds);
  return OkStatus();
}
Status CacheService::SetFloat(HostCallContext&, const wire::CacheSetFloatRequest& r) {
  Put(r.key, r.value, r.ttl_seconds);
  return OkStatus();
}
Status CacheService::SetBytes(HostCallContext&, const wire::CacheSetBytesRequest& r) {
  Put(r.key, Bytes{r.value}, r.ttl_seconds);
  return OkStatus();
}

Result<wire::CacheGetStringResponse> CacheService::GetString(HostCallContext&, const wire::CacheGetStringRequest& r) {
  wire::CacheGetStringResponse out;
  out.exists = Get<std::string>(r.key, [&](const std::string& v) { out.value = v; });
  return out;
}
Result<wire::CacheGetIntResponse> CacheService::GetInt(HostCallContext&, const wire::CacheGetIntRequest& r) {
  wire::CacheGetIntResponse out;
  out.exists = Get<int64_t>(r.key, [&](int64_t v) { out.value = v; });
  return out;
}
Result<wire::CacheGetFloatResponse> CacheService::GetFloat(HostCallContext&, const wire::CacheGetFloatRequest& r) {
  wire::CacheGetFloatResponse out;
  out.exists = Get<double>(r.key, [&](double v) { out.value = v; });
  return out;
}
Result<wire::CacheGetBytesResponse> CacheService::GetBytes(HostCallContext&, const wire::CacheGetBytesRequest& r) {
  wire::CacheGetBytesResponse out;
  out.exists = Get<Bytes>(r.key, [&](const Bytes& v) { out.value = v.data; });
  return out;
}

Result<wire::CacheHasResponse> CacheService::Has(HostCallContext&, const wire::CacheHasRequest& r) {
  MutexLock lock(mu_);
  return wire::CacheHasResponse{Touch(r.key) != nullptr};
}

Status CacheService::Remove(HostCallContext&, const wire::CacheRemoveRequest& r) {
  MutexLock lock(mu_);
  if (auto it = entries_.find(r.key); it != entries_.end()) Erase(it);
  return OkStatus();
}

CacheStats CacheService::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

}  // namespace pier::cache
