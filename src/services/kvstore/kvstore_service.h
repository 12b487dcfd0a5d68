// KVStoreService: the KVStore host service (spec §6.1) over a KVStore.
//
// The original's contract: keys of 1 to 256 bytes (checked on writes only),
// `ttlSeconds` > 0 for SetWithTTL, 1-second TTL resolution, expired keys
// invisible at once, the quota of the manifest's `maxSize` (1 MiB by
// default; "1MB" is 1,000,000 bytes) counted over the values of live keys,
// and the original's messages ("storage limit exceeded: would use 2.0 kB of
// 1.0 kB allowed"). Unlike the original, the quota check and the write are
// one transaction, so concurrent writers cannot overshoot the quota.
//
// Expired rows are also swept: every `sweep_interval` while the plugin is
// loaded (Start), and once more at Stop — the sweeper lives and dies with the
// plugin.
//
//   KVStoreService kv(SqliteKVStore::Open(dir / "kvstore.db").value(), {.quota = ParseByteSize("10KB").value()});
//   host.kvstore = &kv;
//   kv.Start();  ...  kv.Stop();
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "common/mutex.h"
#include "pier/services/kvstore.h"
#include "services/kvstore/kv_store.h"

namespace pier::kvstore {

inline constexpr int64_t kDefaultQuota = 1 << 20;
inline constexpr size_t kMaxKeyBytes = 256;

struct KVStoreOptions {
  int64_t quota = kDefaultQuota;
  std::function<int64_t()> now_s;  // unset: the system clock (Unix seconds)
  std::chrono::milliseconds sweep_interval = std::chrono::hours(1);
};

class KVStoreService final : public services::KVStoreService {
 public:
  KVStoreService(std::unique_ptr<KVStore> store, KVStoreOptions options);
  ~KVStoreService() override;

  void Start();  // the sweeper
  void Stop();   // stops the sweeper and sweeps once more; idempotent

  Status Set(HostCallContext& context, const wire::KVStoreSetRequest& request) override;
  Status SetWithTTL(HostCallContext& context, const wire::KVStoreSetWithTTLRequest& request) override;
  Result<wire::KVStoreGetResponse> Get(HostCallContext& context, const wire::KVStoreGetRequest& request) override;
  Result<wire::KVStoreGetManyResponse> GetMany(HostCallContext& context,
                                               const wire::KVStoreGetManyRequest& request) override;
  Result<wire::KVStoreHasResponse> Has(HostCallContext& context, const wire::KVStoreHasRequest& request) override;
  Result<wire::KVStoreListResponse> List(HostCallContext& context, const wire::KVStoreListRequest& request) override;
  Status Delete(HostCallContext& context, const wire::KVStoreDeleteRequest& request) override;
  Result<wire::KVStoreDeleteByPrefixResponse> DeleteByPrefix(HostCallContext& context,
                                                             const wire::KVStoreDeleteByPrefixRequest& request) override;
  Result<wire::KVStoreGetStorageUsedResponse> GetStorageUsed(HostCallContext& context,
                                                             const wire::KVStoreGetStorageUsedRequest& request) override;

  KVStore& store() { return *store_; }
  // Bytes counted against the quota now (live keys' values).
  Result<int64_t> UsedBytes() { return store_->Used(Now()); }
  int64_t quota() const { return options_.quota; }

 private:
  int64_t Now() const;
  Status Put(const std::string& key, const std::string& value, int64_t ttl_seconds);
  void SweepLoop();

  const std::unique_ptr<KVStore> store_;
  const KVStoreOptions options_;
  Mutex mu_;
  CondVar cv_;
  bool started_ PIER_GUARDED_BY(mu_) = false;
  bool stopped_ PIER_GUARDED_BY(mu_) = false;
  std::thread sweeper_;
};

}  // namespace pier::kvstore
