#include "services/kvstore/kvstore_service.h"

#include <spdlog/spdlog.h>

#include "common/duration.h"
#include "common/byte_size.h"
#include "common/thread.h"

namespace pier::kvstore {

KVStoreService::KVStoreService(std::unique_ptr<KVStore> store, KVStoreOptions options)
    : store_(std::move(store)), options_(std::move(options)) {}

KVStoreService::~KVStoreService() { Stop(); }

int64_t KVStoreService::Now() const {
  if (options_.now_s) return options_.now_s();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void KVStoreService::Start() {
  MutexLock lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  sweeper_ = StartThread("pier-kv-sweep", [this] { SweepLoop(); });
}

void KVStoreService::Stop() {
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    cv_.NotifyAll();
  }
  if (sweeper_.joinable()) sweeper_.join();
  if (auto n = store_->Sweep(Now()); !n.ok()) spdlog::warn("kvstore: final sweep: {}", n.status().message());
}

void KVStoreService::SweepLoop() {
  MutexLock lock(mu_);
  while (!cv_.WaitFor(mu_, options_.sweep_interval, [&]() PIER_REQUIRES(mu_) { return stopped_; })) {
    lock.Unlock();
    if (auto n = store_->Sweep(Now()); !n.ok()) spdlog::warn("kvstore: sweep: {}", n.status().message());
    lock.Lock();
  }
}

Status KVStoreService::Put(const std::string& key, const std::string& value, int64_t ttl_seconds) {
  if (key.empty()) return InvalidArgumentError("key cannot be empty");
  if (key.size() > kMaxKeyBytes) return InvalidArgumentError("key exceeds maximum length of 256 bytes");
  const int64_t now = Now();
  const int64_t expires_at = ttl_seconds > 0 ? SaturatingAdd(now, ttl_seconds) : 0;
  PIER_ASSIGN_OR_RETURN(PutResult r, store_->Put(key, value, expires_at, now, options_.quota));
  if (!r.stored) {
    return ResourceExhaustedError("storage limit exceeded: would use " + FormatByteSize(r.would_use) + " of " +
                                  FormatByteSize(options_.quota) + " allowed");
  }
  return OkStatus();
}

Status KVStoreService::Set(HostCallContext&, const wire::KVStoreSetRequest& r) { return Put(r.key, r.value, 0); }

Status KVStoreService::SetWithTTL(HostCallContext&, const wire::KVStoreSetWithTTLRequest& r) {
  if (r.ttl_seconds <= 0) return InvalidArgumentError("ttlSeconds must be greater than 0");
  // Longer than 100 years is the same as "for ever" and keeps the arithmetic in range.
  return Put(r.key, r.value, std::min<int64_t>(r.ttl_seconds, kMaxDurationMs / 1000));
}

Result<wire::KVStoreGetResponse> KVStoreService::Get(HostCallContext&, const wire::KVStoreGetRequest& r) {
  PIER_ASSIGN_OR_RETURN(auto value, store_->Get(r.key, Now()));
  wire::KVStoreGetResponse out;
  if (value) {
    out.value = std::move(*value);
    out.exists = true;
  }
  return out;
}

Result<wire::KVStoreGetManyResponse> KVStoreService::GetMany(HostCallContext&, const wire::KVStoreGetManyRequest& r) {
  PIER_ASSIGN_OR_RETURN(auto values, store_->GetMany(r.keys, Now()));
  return wire::KVStoreGetManyResponse{std::move(values)};
}

Result<wire::KVStoreHasResponse> KVStoreService::Has(HostCallContext&, const wire::KVStoreHasRequest& r) {
  PIER_ASSIGN_OR_RETURN(bool exists, store_->Has(r.key, Now()));
  return wire::KVStoreHasResponse{exists};
}

Result<wire::KVStoreListResponse> KVStoreService::List(HostCallContext&, const wire::KVStoreListRequest& r) {
  PIER_ASSIGN_OR_RETURN(auto keys, store_->List(r.prefix, Now()));
  return wire::KVStoreListResponse{std::move(keys)};
}

Status KVStoreService::Delete(HostCallContext&, const wire::KVStoreDeleteRequest& r) { return store_->Delete(r.key); }

Result<wire::KVStoreDeleteByPrefixResponse> KVStoreService::DeleteByPrefix(HostCallContext&,
                                                                           const wire::KVStoreDeleteByPrefixRequest& r) {
  if (r.prefix.empty()) return InvalidArgumentError("prefix cannot be empty");
  PIER_ASSIGN_OR_RETURN(int64_t n, store_->DeleteByPrefix(r.prefix));
  return wire::KVStoreDeleteByPrefixResponse{n};
}

Result<wire::KVStoreGetStorageUsedResponse> KVStoreService::GetStorageUsed(HostCallContext&,
                                                                           const wire::KVStoreGetStorageUsedRequest&) {
  PIER_ASSIGN_OR_RETURN(int64_t used, store_->Used(Now()));
  return wire::KVStoreGetStorageUsedResponse{used};
}

}  // namespace pier::kvstore
