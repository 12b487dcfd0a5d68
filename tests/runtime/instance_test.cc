// Instance lifecycle: pooled vs fresh, initialisers, command modules, host
// functions, re-entrancy and link errors.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/test_plugins.h"

namespace pier {
namespace {

using testing::PluginPath;

class InstanceTest : public ::testing::Test {
 protected:
  void SetUp() override { runtime_ = Runtime::Create().value(); }
  std::unique_ptr<Plugin> Load(const std::string& name, PluginOptions options = {}) {
    auto p = runtime_->LoadFile(PluginPath(name), std::move(options));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(*p) : nullptr;
  }
  std::string Out(Plugin& p, std::string_view fn, std::string_view in = "") {
    auto r = p.Call(fn, in);
    if (!r.ok()) return "host error: " + r.status().ToString();
    return r->is_output() ? r->output() : r->Describe();
  }
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(InstanceTest, PooledInstancesKeepStateFreshOnesDoNot) {
  PluginOptions pooled;
  pooled.instance_mode = InstanceMode::kPooled;
  pooled.max_idle_instances = 1;
  auto p = Load("cpp_test", pooled);
  EXPECT_EQ(Out(*p, "counter"), "1");
  EXPECT_EQ(Out(*p, "counter"), "2");
  auto g = Load("c_hostile", pooled);
  EXPECT_EQ(Out(*g, "global_counter"), "1");
  EXPECT_EQ(Out(*g, "global_counter"), "2");
  EXPECT_EQ(p->stats().instances_created, 1u);

  PluginOptions fresh;
  fresh.instance_mode = InstanceMode::kFreshPerCall;
  auto f = Load("cpp_test", fresh);
  EXPECT_EQ(Out(*f, "counter"), "1");
  EXPECT_EQ(Out(*f, "counter"), "1");
  auto fg = Load("c_hostile", fresh);
  EXPECT_EQ(Out(*fg, "global_counter"), "1");
  EXPECT_EQ(Out(*fg, "global_counter"), "1");
  EXPECT_EQ(f->stats().instances_created, 2u);
  EXPECT_EQ(f->stats().idle_instances, 0u);
}

// Extism's Haskell kit: GHC's runtime starts with hs_init(0, 0), after the
// reactor's _initialize, once per instance (regression: Pier called only
// _initialize, and every export failed with "RTS is not initialised").
TEST_F(InstanceTest, HaskellRuntimeIsStartedAfterTheReactorInitialiser) {
  PluginOptions pooled;
  pooled.instance_mode = InstanceMode::kPooled;
  pooled.max_idle_instances = 1;
  auto p = Load("c_guest_runtime", pooled);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Out(*p, "events"), "_initialize;hs_init(0,0);");
  EXPECT_EQ(Out(*p, "events"), "_initialize;hs_init(0,0);") << "once per instance, not per call";

  PluginOptions fresh;
  fresh.instance_mode = InstanceMode::kFreshPerCall;
  auto f = Load("c_guest_runtime", fresh);
  EXPECT_EQ(Out(*f, "events"), "_initialize;hs_init(0,0);");
  EXPECT_EQ(Out(*f, "events"), "_initialize;hs_init(0,0);");
}

TEST_F(InstanceTest, TrappedInstanceIsDiscarded) {
  PluginOptions pooled;
  pooled.max_idle_instances = 1;
  auto p = Load("c_hostile", pooled);
  EXPECT_EQ(Out(*p, "global_counter"), "1");
  auto r = p->Call("unreachable", "");
  ASSERT_TRUE(r->is_trap());
  EXPECT_EQ(p->stats().instances_discarded, 1u);
  EXPECT_EQ(Out(*p, "global_counter"), "1") << "a new instance replaced the trapped one";
}

TEST_F(InstanceTest, CommandModuleStartRunsMainAndIsDiscarded) {
  testing::LogCapture logs;
  PluginOptions options;
  options.log_sink = logs.sink();
  auto p = Load("c_command", options);
  ASSERT_TRUE(p);
  EXPECT_EQ(Out(*p, "answer"), "42") << "exports of a command module run without _start";
  auto r = p->Call("_start", "");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
  EXPECT_EQ(logs.lines(), std::vector<std::string>{"info|c_command|stdout: hello from main"});
  EXPECT_EQ(Out(*p, "answer"), "42");
  EXPECT_GE(p->stats().instances_created, 2u);
}

TEST_F(InstanceTest, HostFunctionsRoundTripBytes) {
  PluginOptions options;
  options.host_functions.push_back({"extism:host/user", "host_echo",
                                    [](HostCallContext& ctx, std::string_view in) -> Result<std::string> {
                                      return std::string(ctx.plugin_name()) + " got " + std::string(in);
                                    }});
  options.host_functions.push_back({"extism:host/user", "reenter",
                                    [](HostCallContext&, std::string_view) -> Result<std::string> {
                                      return InternalError("unused here");
                                    }});
  auto p = Load("cpp_host_user", options);
  ASSERT_TRUE(p);
  EXPECT_EQ(Out(*p, "call_host", "ping"), "cpp_host_user got ping");
  std::string big(2 << 20, 'z');
  EXPECT_EQ(Out(*p, "call_host", big), "cpp_host_user got " + big);
}

// Per-call host context and the calling instance's vars, from a host function.
TEST_F(InstanceTest, HostFunctionsSeeTheCallsContextAndTheInstancesVars) {
  PluginOptions options;
  options.instance_mode = InstanceMode::kPooled;
  options.max_idle_instances = 1;
  options.host_functions.push_back({"extism:host/user", "host_echo",
                                    [](HostCallContext& ctx, std::string_view in) -> Result<std::string> {
                                      auto* who = static_cast<std::string*>(ctx.host_context());
                                      PIER_RETURN_IF_ERROR(ctx.set_var("seen", in));
                                      return (who ? *who : "nobody") + "|" + ctx.var("seen").value_or("-");
                                    }});
  options.host_functions.push_back(
      {"extism:host/user", "reenter", [](HostCallContext&, std::string_view) -> Result<std::string> { return std::string(); }});
  auto p = Load("cpp_host_user", options);
  ASSERT_TRUE(p);
  std::string ada = "ada", bob = "bob";
  CallOptions for_ada;
  for_ada.host_context = &ada;
  auto r = p->Call("call_host", "x1", for_ada);
  ASSERT_TRUE(r.ok() && r->is_output());
  EXPECT_EQ(r->output(), "ada|x1");
  CallOptions for_bob;
  for_bob.host_context = &bob;
  EXPECT_EQ(p->Call("call_host", "x2", for_bob)->output(), "bob|x2") << "each call its own context";
  EXPECT_EQ(Out(*p, "call_host", "x3"), "nobody|x3");
}

// A session holds one instance: vars persist, and the host reads and sets them.
TEST_F(InstanceTest, SessionsKeepOneInstanceAndExposeItsVars) {
  PluginOptions options;
  options.instance_mode = InstanceMode::kFreshPerCall;  // sessions pin an instance in either mode
  options.max_var_bytes = 64;
  auto p = Load("cpp_test", options);
  ASSERT_TRUE(p);
  auto session = p->OpenSession();
  ASSERT_TRUE(session->SetVar("count", "41").ok());
  auto r = session->Call("counter", "");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
  EXPECT_EQ(r->output(), "42") << "the plugin read the host's var";
  EXPECT_EQ(session->Call("counter", "")->output(), "43");
  EXPECT_EQ(session->Var("count").value(), std::optional<std::string>("43"));
  EXPECT_EQ(session->Vars()->size(), 1u);
  EXPECT_EQ(session->SetVar("big", std::string(100, 'x')).code(), StatusCode::kResourceExhausted)
      << "max_var_bytes holds for the host too";
  ASSERT_TRUE(session->RemoveVar("count").ok());
  EXPECT_EQ(session->Call("counter", "")->output(), "1");
  ASSERT_TRUE(session->ClearVars().ok());
  EXPECT_FALSE(session->Var("count")->has_value());
  EXPECT_EQ(p->stats().instances_created, 1u) << "one instance for the whole session";

  auto other = p->OpenSession();
  EXPECT_EQ(other->Call("counter", "")->output(), "1") << "sessions do not share instances";
  EXPECT_EQ(Out(*p, "counter"), "1") << "nor do plain calls";
}

TEST_F(InstanceTest, HostFunctionErrorTrapsWithItsMessage) {
  PluginOptions options;
  options.host_functions.push_back({"extism:host/user", "host_echo",
                                    [](HostCallContext&, std::string_view) -> Result<std::string> {
                                      return UnavailableError("backend down");
                                    }});
  options.host_functions.push_back(
      {"extism:host/user", "reenter", [](HostCallContext&, std::string_view) -> Result<std::string> { return std::string(); }});
  auto p = Load("cpp_host_user", options);
  auto r = p->Call("call_host", "x");
  ASSERT_TRUE(r->is_trap());
  EXPECT_NE(r->trap().message.find("extism:host/user::host_echo: backend down"), std::string::npos)
      << r->trap().message;
}

TEST_F(InstanceTest, HostFunctionCanCallBackIntoTheSamePlugin) {
  for (InstanceMode mode : {InstanceMode::kPooled, InstanceMode::kFreshPerCall}) {
    Plugin* self = nullptr;
    PluginOptions options;
    options.instance_mode = mode;
    options.host_functions.push_back(
        {"extism:host/user", "host_echo", [](HostCallContext&, std::string_view in) -> Result<std::string> {
           return std::string(in);
         }});
    options.host_functions.push_back(
        {"extism:host/user", "reenter", [&self](HostCallContext&, std::string_view in) -> Result<std::string> {
           auto r = self->Call("inner", in);  // while the outer call is still running
           if (!r.ok()) return r.status();
           if (!r->is_output()) return InternalError(r->Describe());
           return r->output();
         }});
    auto p = Load("cpp_host_user", options);
    self = p.get();
    EXPECT_EQ(Out(*p, "call_reenter", "x"), "outer(inner:x)");
    EXPECT_GE(p->stats().instances_created, 2u) << "a second instance served the inner call";
  }
}

TEST_F(InstanceTest, MissingHostFunctionFailsTheLoadNamingTheImport) {
  auto p = runtime_->LoadFile(PluginPath("cpp_host_user"), {});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("extism:host/user::"), std::string::npos) << p.status().message();
  EXPECT_NE(p.status().message().find("no host function"), std::string::npos) << p.status().message();
}

TEST_F(InstanceTest, InvalidWasmIsRefused) {
  const std::string junk = "\0asm but not really";
  auto p = runtime_->Load(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(junk.data()), junk.size()), {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("invalid Wasm module"), std::string::npos);
  EXPECT_EQ(runtime_->LoadFile("/nonexistent/x.wasm", {}).status().code(), StatusCode::kNotFound);
}

TEST(BuiltinImports, EveryKernelAndWasiFunctionIsKnown) {
  for (const char* name : {"alloc", "free", "length", "length_unsafe", "load_u8", "load_u64", "store_u8", "store_u64",
                           "input_length", "input_offset", "input_load_u8", "input_load_u64", "input_set",
                           "output_set", "output_offset", "output_length", "error_set", "error_get", "reset",
                           "memory_bytes", "config_get", "var_get", "var_set", "http_request", "http_status_code",
                           "http_headers", "log_trace", "log_debug", "log_info", "log_warn", "log_error",
                           "get_log_level"}) {
    EXPECT_TRUE(IsBuiltinImport("extism:host/env", name)) << name;
  }
  for (const char* name : {"fd_write", "poll_oneoff", "path_open", "sock_shutdown", "proc_exit", "random_get"}) {
    EXPECT_TRUE(IsBuiltinImport("wasi_snapshot_preview1", name)) << name;
  }
  EXPECT_FALSE(IsBuiltinImport("extism:host/env", "fd_write")) << "names are per module";
  EXPECT_FALSE(IsBuiltinImport("extism:host/env", "not_a_function"));
  EXPECT_FALSE(IsBuiltinImport("extism:host/user", "alloc"));
}

TEST_F(InstanceTest, ConcurrentCallsIntoOnePlugin) {
  auto p = Load("cpp_test");
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string in = std::to_string(t) + ":" + std::to_string(i);
        auto r = p->Call("echo", in);
        if (r.ok() && r->is_output() && r->output() == in) good++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 16 * 50);
}

}  // namespace
}  // namespace pier
