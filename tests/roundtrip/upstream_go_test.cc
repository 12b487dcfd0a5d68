// Agreement with upstream: a plugin built with Navidrome's own Go kit calls
// Config, KVStore, Cache and Task through Pier's generated glue, and Pier's
// generated caller runs its TaskWorker export.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "pier/capabilities/callers.h"
#include "pier/services/host_services.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

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
  std::map<std::string, int64_t> ints;
  std::map<std::string, double> floats;
  Status SetString(HostCallContext&, const wire::CacheSetStringRequest&) override { return OkStatus(); }
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
};

class UpstreamGoKit : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_ = Runtime::Create().value();
    HostServices services;
    services.config = &config_;
    services.kvstore = &kv_;
    services.cache = &cache_;
    services.task = &task_;
    PluginOptions options;
    options.host_functions = BindHostServices(services, {"kvstore", "cache", "taskqueue"});
    auto p = runtime_->LoadFile(testing::PluginPath("go_ndpdk"), options);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    plugin_ = std::move(*p);
  }
  MemoryConfig config_;
  MemoryKVStore kv_;
  MemoryCache cache_;
  MemoryTask task_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Plugin> plugin_;
};

TEST_F(UpstreamGoKit, HostFunctionsAgreeWithTheUpstreamKit) {
  auto r = plugin_->Call("exercise", "");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
  auto report = nlohmann::json::parse(r->output());
  for (auto& [step, result] : report.items()) {
    if (step == "task_get_error") continue;
    EXPECT_EQ(result, "ok") << step;
  }
  EXPECT_GE(report.size(), 16u);
  EXPECT_EQ(report["task_get_error"], "task \"nope\" not found") << "service errors reach the plugin verbatim";
  std::string blob;
  for (int i = 0; i < 300; ++i) blob += static_cast<char>(i);
  EXPECT_EQ(kv_.data["blob"], blob) << "bytes travel as base64 both ways";
  EXPECT_EQ(task_.created.concurrency, 2);
  EXPECT_EQ(task_.created.max_retries, 3);
  EXPECT_EQ(task_.payload, "payload");
  EXPECT_EQ(cache_.ints["n"], -42);
}

TEST_F(UpstreamGoKit, GeneratedCallerRunsTheUpstreamTaskWorker) {
  EXPECT_EQ(capabilities::DetectCapabilities(*plugin_), std::vector<std::string>{"TaskWorker"});
  // The worker echoes the payload inside a JSON string, so keep it valid UTF-8
  // (binary bytes are covered by the KVStore check above).
  const std::string payload("\x00 p\xc3\xa9yload", 10);
  wire::TaskExecuteRequest req{"jobs", "task-9", payload, 1};
  auto r = capabilities::CallTaskWorkerOnTaskExecute(*plugin_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->ok()) << r->error;
  EXPECT_EQ(r->value, "jobs/task-9/" + payload + "/1");
  req.attempt = 2;
  auto failed = capabilities::CallTaskWorkerOnTaskExecute(*plugin_, req);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->kind, capabilities::CallKind::kFailed);
  EXPECT_EQ(failed->error, "attempt 2 refused");
}

TEST_F(UpstreamGoKit, UngrantedServiceFailsTheLoadNamingThePermission) {
  HostServices services;
  services.config = &config_;
  services.kvstore = &kv_;
  PluginOptions options;
  options.host_functions = BindHostServices(services, {"kvstore"});
  options.explain_missing_import = MissingImportExplainer({"kvstore"});
  auto p = runtime_->LoadFile(testing::PluginPath("go_ndpdk"), options);
  ASSERT_FALSE(p.ok());
  const std::string& m = p.status().message();
  EXPECT_TRUE(m.find("needs the 'cache' permission") != std::string::npos ||
              m.find("needs the 'taskqueue' permission") != std::string::npos) << m;
}

}  // namespace
}  // namespace pier
