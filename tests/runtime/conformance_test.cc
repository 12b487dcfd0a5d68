// The same behaviours through three plugins that share nothing but the ABI:
// C++ through Pier's kit, C against the raw imports, and Go through the Extism
// Go kit. Each runs in both instance modes.
#include <gtest/gtest.h>

#include "support/test_plugins.h"

namespace pier {
namespace {

using testing::PluginPath;

struct Case {
  std::string plugin;
  InstanceMode mode;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.plugin << "/" << InstanceModeName(c.mode); }

std::string Name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.plugin + "_" + std::string(InstanceModeName(info.param.mode));
}

class Conformance : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { runtime_ = Runtime::Create().value().release(); }
  static void TearDownTestSuite() { delete runtime_; }

  std::unique_ptr<Plugin> Load(PluginOptions options = {}) {
    options.instance_mode = GetParam().mode;
    options.log_sink = logs_.sink();
    options.log_level = LogLevel::kDebug;
    auto p = runtime_->LoadFile(PluginPath(GetParam().plugin), options);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(*p) : nullptr;
  }

  CallResult MustCall(Plugin& p, std::string_view fn, std::string_view input) {
    auto r = p.Call(fn, input);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : CallResult::Trapped({TrapKind::kCrash, r.status().ToString()});
  }

  static Runtime* runtime_;
  testing::LogCapture logs_;
};
Runtime* Conformance::runtime_ = nullptr;


TEST_P(Conformance, GreetUsesConfigOrDefault) {
  const bool raw = GetParam().plugin == "c_raw";
  PluginOptions options;
  options.config["greeting"] = "Howdy";
  auto p = Load(options);
  ASSERT_TRUE(p);
  CallResult r = MustCall(*p, "greet", "World");
  ASSERT_TRUE(r.is_output()) << r.Describe();
  EXPECT_EQ(r.output(), raw ? "Hello, World!" : "Howdy, World!");
}

TEST_P(Conformance, EchoesLargeInputsByteForByte) {
  auto p = Load();
  ASSERT_TRUE(p);
  const std::string fn = GetParam().plugin == "c_raw" ? "copy64" : "echo";
  std::string big(3 * 1024 * 1024 + 5, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  CallResult r = MustCall(*p, fn, big);
  ASSERT_TRUE(r.is_output()) << r.Describe();
  EXPECT_EQ(r.output(), big);
  CallResult empty = MustCall(*p, fn, "");
  ASSERT_TRUE(empty.is_output());
  EXPECT_EQ(empty.output(), "");
}

TEST_P(Conformance, PluginErrorsCarryTheirMessage) {
  auto p = Load();
  ASSERT_TRUE(p);
  CallResult r = MustCall(*p, "fail", "x");
  ASSERT_TRUE(r.is_plugin_error()) << r.Describe();
  EXPECT_NE(r.plugin_error().message.find(GetParam().plugin == "c_raw" ? "raw failure" : "x"), std::string::npos);
  EXPECT_FALSE(r.plugin_error().not_implemented());
}

TEST_P(Conformance, MissingExportIsAHostError) {
  auto p = Load();
  ASSERT_TRUE(p);
  auto r = p->Call("no_such_export", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "function not found: no_such_export");
}

TEST_P(Conformance, ManySequentialCallsStayCorrect) {
  auto p = Load();
  ASSERT_TRUE(p);
  const std::string fn = GetParam().plugin == "c_raw" ? "copy64" : "echo";
  for (int i = 0; i < 200; ++i) {
    const std::string in = "call-" + std::to_string(i);
    CallResult r = MustCall(*p, fn, in);
    ASSERT_TRUE(r.is_output());
    ASSERT_EQ(r.output(), in);
  }
}

INSTANTIATE_TEST_SUITE_P(Plugins, Conformance,
                         ::testing::Values(Case{"cpp_test", InstanceMode::kPooled},
                                           Case{"cpp_test", InstanceMode::kFreshPerCall},
                                           Case{"c_raw", InstanceMode::kPooled},
                                           Case{"c_raw", InstanceMode::kFreshPerCall},
                                           Case{"go_test", InstanceMode::kPooled},
                                           Case{"go_test", InstanceMode::kFreshPerCall}),
                         Name);

// --- behaviours specific to one plugin ---

class PluginBehaviour : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { runtime_ = Runtime::Create().value().release(); }
  static void TearDownTestSuite() { delete runtime_; }
  std::unique_ptr<Plugin> Load(const std::string& name, PluginOptions options = {}) {
    options.log_sink = logs_.sink();
    auto p = runtime_->LoadFile(PluginPath(name), options);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(*p) : nullptr;
  }
  static Runtime* runtime_;
  testing::LogCapture logs_;
};
Runtime* PluginBehaviour::runtime_ = nullptr;

TEST_F(PluginBehaviour, RawCPluginTouchesEveryKernelFunction) {
  PluginOptions options;
  options.config["name"] = "tour";
  options.log_level = LogLevel::kTrace;
  auto p = Load("c_raw", options);
  ASSERT_TRUE(p);
  auto r = p->Call("kernel_tour", "");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
  EXPECT_EQ(r->output(), "tour ok");
  auto lines = logs_.lines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "trace|c_raw|tour trace");
  EXPECT_EQ(lines[4], "error|c_raw|tour error");
  auto rr = p->Call("reset_and_republish", "original");
  ASSERT_TRUE(rr.ok() && rr->is_output());
  EXPECT_EQ(rr->output(), "republished");
  EXPECT_EQ(p->imports().size(), 32u) << "the raw plugin imports the whole kernel";
}

TEST_F(PluginBehaviour, ReturnCodeRulesOfTheSpec) {
  auto p = Load("cpp_test");
  ASSERT_TRUE(p);
  auto not_impl = p->Call("rc_minus_two", "");
  ASSERT_TRUE(not_impl->is_plugin_error());
  EXPECT_TRUE(not_impl->plugin_error().not_implemented());
  EXPECT_EQ(not_impl->plugin_error().message, "function not implemented: rc_minus_two");
  auto seven = p->Call("rc_seven", "");
  EXPECT_EQ(seven->plugin_error().message, "plugin call exited with code 7");
  EXPECT_EQ(seven->plugin_error().code, 7);
  auto err0 = p->Call("error_and_zero", "");
  ASSERT_TRUE(err0->is_plugin_error()) << "error_set wins over rc 0";
  EXPECT_EQ(err0->plugin_error().message, "error wins over rc 0");
  auto kit_not_impl = p->Call("not_implemented", "");
  EXPECT_TRUE(kit_not_impl->plugin_error().not_implemented());
  auto v = p->Call("void_export", "");
  ASSERT_TRUE(v->is_output());
  EXPECT_EQ(v->output(), "void ok");
  auto args = p->Call("takes_args", "");
  EXPECT_EQ(args.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(p->HasExport("takes_args"));
  EXPECT_TRUE(p->HasExport("echo"));
}

TEST_F(PluginBehaviour, GoPluginReactorAndWasiImports) {
  auto p = Load("go_test");
  ASSERT_TRUE(p);
  std::set<std::string> wasi;
  for (auto& i : p->imports()) {
    if (i.module == "wasi_snapshot_preview1") wasi.insert(i.name);
  }
  for (const char* name : {"sched_yield", "proc_exit", "args_get", "args_sizes_get", "clock_time_get", "environ_get",
                           "environ_sizes_get", "fd_write", "random_get", "poll_oneoff", "fd_close", "fd_fdstat_get",
                           "fd_fdstat_set_flags", "fd_prestat_get", "fd_prestat_dir_name"}) {
    EXPECT_TRUE(wasi.contains(name)) << "Go baseline import " << name;
  }
  auto r = p->Call("json_echo", R"({"a":[1,2,3],"b":"x"})");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
  EXPECT_EQ(r->output(), R"({"echo":{"a":[1,2,3],"b":"x"},"keys":2})");
  auto slept = p->Call("sleep_ms", "50");
  ASSERT_TRUE(slept->is_output());
  EXPECT_GE(std::stoi(slept->output()), 49) << "Go's time.Sleep really sleeps";
  auto ni = p->Call("not_implemented", "");
  EXPECT_TRUE(ni->plugin_error().not_implemented());
}

TEST_F(PluginBehaviour, LogsAreFilteredAndTaggedWithThePlugin) {
  PluginOptions options;
  options.name = "tagged";
  options.log_level = LogLevel::kWarn;
  auto p = Load("cpp_test", options);
  ASSERT_TRUE(p);
  auto r = p->Call("log_all", "");
  ASSERT_TRUE(r->is_output());
  EXPECT_EQ(r->output(), "warn") << "get_log_level reports the threshold";
  EXPECT_EQ(logs_.lines(), (std::vector<std::string>{"warn|tagged|warn message", "error|tagged|error message"}));
}

TEST_F(PluginBehaviour, StdoutAndStderrReachTheLog) {
  auto p = Load("c_hostile");
  ASSERT_TRUE(p);
  auto r = p->Call("print", "");
  ASSERT_TRUE(r->is_output());
  EXPECT_EQ(logs_.lines(), (std::vector<std::string>{"info|c_hostile|stdout: line one", "info|c_hostile|stdout: line two",
                                                     "warn|c_hostile|stderr: to stderr"}));
}

TEST_F(PluginBehaviour, WasiClockAndRandomAreReal) {
  auto p = Load("c_hostile");
  auto r = p->Call("clock_and_random", "");
  ASSERT_TRUE(r->is_output());
  EXPECT_EQ(r->output(), "clock-ok random-ok");
}

TEST_F(PluginBehaviour, ProcExitIsTheCallsResult) {
  auto p = Load("c_hostile");
  auto zero = p->Call("exit_with", "0");
  ASSERT_TRUE(zero->is_output()) << zero->Describe();
  EXPECT_EQ(zero->output(), "before exit");
  auto three = p->Call("exit_with", "3");
  ASSERT_TRUE(three->is_plugin_error());
  EXPECT_EQ(three->plugin_error().message, "module closed with exit_code(3)");
  EXPECT_EQ(three->plugin_error().code, 3);
  EXPECT_TRUE(p->Call("ok", "")->is_output()) << "the plugin keeps serving";
}

}  // namespace
}  // namespace pier
