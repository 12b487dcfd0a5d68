// Small in-memory host services implemented through the generated
// interfaces, for tests that need working Config, KVStore, Cache and Task.
// Thread-compatible (KVStore is thread-safe).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "pier/services/host_services.h"

namespace pier::testing {

using namespace pier::services;

class MemoryConfig : public ConfigService {
 public:
  std::map<std::string, std::string> values{{"greeting", "hello from pier"}, {"answer", "9007199254740993"}};
  Result<wire::ConfigGetResponse> Get(HostCallContext&, const wire::ConfigGetRequest& r) override {
    wire::ConfigGetResponse out;
    if (auto it = values.find(r.key); it != values.end()) out = {it->second, true};
    return out;
  }
  Result<wire::ConfigGetIntResponse> GetInt(HostCallContext&, const wire::ConfigGetIntRequest& r) override {
    wire::ConfigGetIntResponse out;
    if (auto it = values.find(r.key); it != values.end()) out = {std::stoll(it->second), true};
    return out;
  }
  Result<wire::ConfigKeysResponse> Keys(HostCallContext&, const wire::ConfigKeysRequest& r) override {
    wire::ConfigKeysResponse out;
    for (auto& [k, v] : values) {
      if (k.rfind(r.prefix, 0) == 0) out.keys.push_back(k);
    }
    return out;
  }
};

class MemoryKVStore : public KVStoreService {
 public:
  std::mutex mu;
  std::map<std::string, std::string> data;
  Status Set(HostCallContext&, const wire::KVStoreSetRequest& r) override {
    std::lock_guard<std::mutex> l(mu);
    data[r.key] = r.value;
    return OkStatus();
  }
  Status SetWithTTL(HostCallContext& c, const wire::KVStoreSetWithTTLRequest& r) override {
    return Set(c, {r.key, r.value});
  }
  Result<wire::KVStoreGetResponse> Get(HostCallContext&, const wire::KVStoreGetRequest& r) override {
    std::lock_guard<std::mutex> l(mu);
    wire::KVStoreGetResponse out;
    if (auto it = data.find(r.key); it != data.end()) out = {it->second, true};
    return out;
  }
  Result<wire::KVStoreGetManyResponse> GetMany(HostCallContext&, const wire::KVStoreGetManyRequest& r) override {
    std::lock_guard<std::mutex> l(mu);
    wire::KVStoreGetManyResponse out;
    for (auto& k : r.keys) {
      if (auto it = data.find(k); it != data.end()) out.values[k] = it->second;
    }
    return out;
  }
  Result<wire::KVStoreHasResponse> Has(HostCallContext&, const wire::KVStoreHasRequest& r) override {
    std::lock_guard<std::mutex> l(mu);
    return wire::KVStoreHasResponse{data.contains(r.key)};
  }
  Result<wire::KVStoreListResponse> List(HostCallContext&, const wire::KVStoreListRequest& r) override {
    std::lock_guard<std::mutex> l(mu);
    wire::KVStoreListResponse out;
    for (auto& [k, v] : data) {
      if (k.rfind(r.prefix, 0) == 0) out.keys.push_back(k);
    }
    return out;
  }
  Status Delete(HostCallContext&, const wire::KVStoreDeleteRequest& r) override {
    std::lock_guard<std::mutex> l(mu);
    data.erase(r.key);
    return OkStatus();
  }
  Result<wire::KVStoreDeleteByPrefixResponse> DeleteByPrefix(HostCallContext&,
                                                             const wire::KVStoreDeleteByPrefixRequest&) override {
    return wire::KVStoreDeleteByPrefixResponse{0};
  }
  Result<wire::KVStoreGetStorageUsedResponse> GetStorageUsed(HostCallContext&,
                                                             const wire::KVStoreGetStorageUsedRequest&) override {
    return wire::KVStoreGetStorageUsedResponse{0};
  }
};

class MemoryCache : public CacheService {
 public:
  std::map<std::string, std::string> strings;
  std::map<std::string, int64_t> ints;
  std::map<std::string, double> floats;
  Status SetString(HostCallContext&, const wire::CacheSetStringRequest& r) override {
    strings[r.key] = r.value;
    return OkStatus();
  }
  Result<wire::CacheGetStringResponse> GetString(HostCallContext&, const wire::CacheGetStringRequest&) override {
    return wire::CacheGetStringResponse{};
  }
  Status SetInt(HostCallContext&, const wire::CacheSetIntRequest& r) override {
    ints[r.key] = r.value;
    return OkStatus();
  }
  Result<wire::CacheGetIntResponse> GetInt(HostCallContext&, const wire::CacheGetIntRequest& r) override {
    auto it = ints.find(r.key);
    return it == ints.end() ? wire::CacheGetIntResponse{} : wire::CacheGetIntResponse{it->second, true};
  }
  Status SetFloat(HostCallContext&, const wire::CacheSetFloatRequest& r) override {
    floats[r.key] = r.value;
    return OkStatus();
  }
  Result<wire::CacheGetFloatResponse> GetFloat(HostCallContext&, const wire::CacheGetFloatRequest& r) override {
    auto it = floats.find(r.key);
    return it == floats.end() ? wire::CacheGetFloatResponse{} : wire::CacheGetFloatResponse{it->second, true};
  }
  Status SetBytes(HostCallContext&, const wire::CacheSetBytesRequest&) override { return OkStatus(); }
  Result<wire::CacheGetBytesResponse> GetBytes(HostCallContext&, const wire::CacheGetBytesRequest&) override {
    return wire::CacheGetBytesResponse{};
  }
  Result<wire::CacheHasResponse> Has(HostCallContext&, const wire::CacheHasRequest&) override {
    return wire::CacheHasResponse{};
  }
  Status Remove(HostCallContext&, const wire::CacheRemoveRequest&) override { return OkStatus(); }
};

class MemoryTask : public TaskService {
 public:
  wire::QueueConfig created;
  std::string payload;
  Status CreateQueue(HostCallContext&, const wire::TaskCreateQueueRequest& r) override {
    created = r.config;
    return OkStatus();
  }
  Result<wire::TaskEnqueueResponse> Enqueue(HostCallContext&, const wire::TaskEnqueueRequest& r) override {
    payload = r.payload;
    return wire::TaskEnqueueResponse{"task-1"};
  }
  Result<wire::TaskGetResponse> Get(HostCallContext&, const wire::TaskGetRequest& r) override {
    if (r.task_id != "task-1") return NotFoundError("task \"" + r.task_id + "\" not found");
    return wire::TaskGetResponse{wire::TaskInfo{"pending", "", 0}};
  }
  Status Cancel(HostCallContext&, const wire::TaskCancelRequest&) override { return OkStatus(); }
  Result<wire::TaskClearQueueResponse> ClearQueue(HostCallContext&, const wire::TaskClearQueueRequest&) override {
    return wire::TaskClearQueueResponse{0};
  }
  // The Pier extensions are not in the upstream kit this fake serves.
  Result<wire::TaskEnqueueManyResponse> EnqueueMany(HostCallContext&, const wire::TaskEnqueueManyRequest&) override {
    return UnimplementedError("not in the upstream kit");
  }
  Status Interrupt(HostCallContext&, const wire::TaskInterruptRequest&) override {
    return UnimplementedError("not in the upstream kit");
  }
  Status Retry(HostCallContext&, const wire::TaskRetryRequest&) override {
    return UnimplementedError("not in the upstream kit");
  }
  Status PauseQueue(HostCallContext&, const wire::TaskPauseQueueRequest&) override {
    return UnimplementedError("not in the upstream kit");
  }
  Status ResumeQueue(HostCallContext&, const wire::TaskResumeQueueRequest&) override {
    return UnimplementedError("not in the upstream kit");
  }
  Result<wire::TaskGetQueueStatsResponse> GetQueueStats(HostCallContext&,
                                                        const wire::TaskGetQueueStatsRequest&) override {
    return UnimplementedError("not in the upstream kit");
  }
  Result<wire::TaskListTasksResponse> ListTasks(HostCallContext&, const wire::TaskListTasksRequest&) override {
    return UnimplementedError("not in the upstream kit");
  }
};

}  // namespace pier::testing
