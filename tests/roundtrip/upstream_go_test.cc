// Agreement with upstream: a plugin built with Navidrome's own Go kit calls
// Config, KVStore, Cache and Task through Pier's generated glue, and Pier's
// generated caller runs its TaskWorker export.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "pier/capabilities/callers.h"
#include "pier/services/host_services.h"
#include "support/memory_services.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

using namespace pier::services;
using namespace pier::testing;

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
