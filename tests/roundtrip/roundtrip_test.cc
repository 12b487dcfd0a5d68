// Round trip through everything the generator emits: a C++ plugin built with
// the generated kit calls every host function against fakes implemented
// through the generated service interfaces, and the generated callers call
// every capability export of a plugin that implements them all.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "pier/capabilities/callers.h"
#include "pier/services/host_services.h"
#include "roundtrip/generated/caller_checks.h"
#include "roundtrip/generated/fake_services.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

class RoundTrip : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    runtime_ = Runtime::Create().value().release();
    fakes_ = new roundtrip::FakeServices;
    PluginOptions options;
    options.host_functions = services::BindHostServices(fakes_->Bind(), roundtrip::AllPermissions());
    options.max_memory_bytes = 768 << 20;  // variant 2 moves megabytes per function
    options.timeout = std::chrono::seconds(120);
    plugin_ = runtime_->LoadFile(testing::PluginPath("cpp_roundtrip"), options).value().release();
  }
  static void TearDownTestSuite() {
    delete plugin_;
    delete fakes_;
    delete runtime_;
  }
  static Runtime* runtime_;
  static roundtrip::FakeServices* fakes_;
  static Plugin* plugin_;
};
Runtime* RoundTrip::runtime_ = nullptr;
roundtrip::FakeServices* RoundTrip::fakes_ = nullptr;
Plugin* RoundTrip::plugin_ = nullptr;

TEST_P(RoundTrip, EveryHostFunction) {
  fakes_->variant = GetParam();
  const int before = fakes_->calls;
  auto r = plugin_->Call("host_calls", std::to_string(GetParam()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->is_output()) << r->Describe();
  EXPECT_EQ(r->output(), "ok");
  EXPECT_EQ(fakes_->calls - before, static_cast<int>(services::AllHostFunctions().size()))
      << "every host function reached its service";
}

TEST_P(RoundTrip, EveryCapabilityExport) {
  EXPECT_EQ(roundtrip::CallEveryCapability(*plugin_, GetParam()), "");
}

// The harness must be able to fail: fakes expecting variant 0 reject every
// request of variant 1, and the plugin reports each function.
INSTANTIATE_TEST_SUITE_P(Variants, RoundTrip, ::testing::Range(0, roundtrip::kVariants));

TEST(RoundTripHarness, MismatchIsReportedForEveryFunction) {
  auto runtime = Runtime::Create().value();
  roundtrip::FakeServices fakes;  // expects variant 0
  PluginOptions options;
  options.host_functions = services::BindHostServices(fakes.Bind(), roundtrip::AllPermissions());
  auto plugin = runtime->LoadFile(testing::PluginPath("cpp_roundtrip"), options).value();
  auto r = plugin->Call("host_calls", "1");
  ASSERT_TRUE(r.ok() && r->is_output());
  size_t lines = 0;
  for (char c : r->output()) lines += c == '\n';
  EXPECT_EQ(lines, services::AllHostFunctions().size()) << r->output().substr(0, 500);
  EXPECT_NE(r->output().find("task_enqueue: "), std::string::npos);
}

TEST(RoundTripCoverage, IdlCoversTheSpec) {
  size_t pier_extensions = 0;
  for (const auto& f : services::AllHostFunctions()) pier_extensions += f.name == "task_enqueuemany" || f.name == "task_interrupt" || f.name == "task_retry" || f.name == "task_pausequeue" || f.name == "task_resumequeue" || f.name == "task_getqueuestats" || f.name == "task_listtasks";
  EXPECT_EQ(pier_extensions, 7u);
  // Upstream's services after the baseline: Storage, Matcher, ScrobbleRetriever.
  const std::set<std::string> newer = {"storage_getstoragepath",
                                       "matcher_matchsongs",
                                       "scrobbleretriever_getfirsttimestamp",
                                       "scrobbleretriever_getlasttimestamp",
                                       "scrobbleretriever_getscrobbles",
                                       "scrobbleretriever_getscrobblecount"};
  size_t upstream_newer = 0;
  for (const auto& f : services::AllHostFunctions()) upstream_newer += newer.contains(std::string(f.name));
  EXPECT_EQ(upstream_newer, newer.size());
  EXPECT_EQ(services::AllHostFunctions().size(), 45u + pier_extensions + upstream_newer)
      << "the spec's 45, upstream's newer ones and Pier's TaskQueue extensions";
  // The spec's 21 exports, and upstream's newer playback report, Lyrics and SonicSimilarity.
  const std::set<std::string> newer_exports = {"nd_scrobbler_playback_report", "nd_lyrics_get_lyrics",
                                               "nd_get_sonic_similar_tracks", "nd_find_sonic_path"};
  size_t exports_newer = 0;
  for (const auto& e : capabilities::AllCapabilityExports()) exports_newer += newer_exports.contains(std::string(e.export_name));
  EXPECT_EQ(exports_newer, newer_exports.size());
  EXPECT_EQ(capabilities::AllCapabilityExports().size(), 21u + exports_newer);
}

TEST(Capabilities, DetectedFromExportsWithoutRunningGuestCode) {
  auto runtime = Runtime::Create().value();
  roundtrip::FakeServices fakes;
  PluginOptions options;
  options.host_functions = services::BindHostServices(fakes.Bind(), roundtrip::AllPermissions());
  auto plugin = runtime->LoadFile(testing::PluginPath("cpp_roundtrip"), options).value();
  EXPECT_EQ(capabilities::DetectCapabilities(*plugin),
            (std::vector<std::string>{"Lifecycle", "Lyrics", "MetadataAgent", "Scheduler", "Scrobbler",
                                      "SonicSimilarity", "TaskWorker", "WebSocket"}));
  EXPECT_EQ(fakes.calls, 0);
  auto none = runtime->LoadFile(testing::PluginPath("cpp_test"), {}).value();
  EXPECT_TRUE(capabilities::DetectCapabilities(*none).empty());
  auto missing = capabilities::CallTaskWorkerOnTaskExecute(*none, {});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->kind, capabilities::CallKind::kMissing);
  EXPECT_EQ(missing->error, "function not found: nd_task_execute");
}

TEST(HostServices, UngrantedImportFailsTheLoadNamingThePermission) {
  auto runtime = Runtime::Create().value();
  roundtrip::FakeServices fakes;
  std::set<std::string> granted = roundtrip::AllPermissions();
  granted.erase("taskqueue");
  PluginOptions options;
  options.host_functions = services::BindHostServices(fakes.Bind(), granted);
  options.explain_missing_import = services::MissingImportExplainer(granted);
  auto plugin = runtime->LoadFile(testing::PluginPath("cpp_roundtrip"), options);
  ASSERT_FALSE(plugin.ok());
  EXPECT_NE(plugin.status().message().find("extism:host/user::task_"), std::string::npos) << plugin.status().message();
  EXPECT_NE(plugin.status().message().find("needs the 'taskqueue' permission"), std::string::npos)
      << plugin.status().message();
}

}  // namespace
}  // namespace pier
