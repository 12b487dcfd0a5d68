// The kernel's http_request against a real loopback server.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/loopback_web_server.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

using namespace std::chrono_literals;
using testing::PluginPath;

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override { runtime_ = Runtime::Create().value(); }
  std::unique_ptr<Plugin> Load(const std::string& name, std::vector<std::string> allowed, PluginOptions o = {}) {
    o.allowed_hosts = std::move(allowed);
    auto p = runtime_->LoadFile(PluginPath(name), o);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::move(*p);
  }
  nlohmann::json CallJson(Plugin& p, const nlohmann::json& in) {
    auto r = p.Call("http", in.dump());
    EXPECT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
    return r.ok() && r->is_output() ? nlohmann::json::parse(r->output()) : nlohmann::json();
  }
  testing::LoopbackWebServer server_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(HttpTest, AllowedHostGetsTheResponseStatusAndHeaders) {
  auto p = Load("cpp_test", {"127.0.0.1"});
  auto out = CallJson(*p, {{"url", server_.Url("/hello")}});
  EXPECT_EQ(out["status"], 200);
  EXPECT_EQ(out["body"], "hello");
  EXPECT_EQ(out["headers"]["x-server"], "pier-test") << "names lower-cased, as Extism's hosts give them";
  EXPECT_FALSE(out["headers"].contains("X-Server"));
}

TEST_F(HttpTest, MethodBodyAndHeadersReachTheServer) {
  auto p = Load("cpp_test", {"127.0.0.*"});
  auto out = CallJson(*p, {{"url", server_.Url("/echo")}, {"method", "POST"}, {"body", "payload!"}});
  auto echoed = nlohmann::json::parse(out["body"].get<std::string>());
  EXPECT_EQ(echoed["method"], "POST");
  EXPECT_EQ(echoed["body"], "payload!");
  EXPECT_EQ(echoed["x-pier-test"], "yes");
}

TEST_F(HttpTest, NonSuccessStatusIsAResponseNotAnError) {
  auto p = Load("cpp_test", {"127.0.0.1"});
  auto out = CallJson(*p, {{"url", server_.Url("/status/404")}});
  EXPECT_EQ(out["status"], 404);
  EXPECT_EQ(out["body"], "status body");
}

TEST_F(HttpTest, ForbiddenHostTrapsAndNothingIsSent) {
  for (auto allowed : {std::vector<std::string>{}, std::vector<std::string>{"*.example.com"}}) {
    auto p = Load("cpp_test", allowed);
    auto r = p->Call("http", nlohmann::json{{"url", server_.Url("/hello")}}.dump());
    ASSERT_TRUE(r->is_trap()) << r->Describe();
    EXPECT_NE(r->trap().message.find("host '127.0.0.1' is not allowed"), std::string::npos) << r->trap().message;
  }
  auto raw = Load("c_raw", {"localhost"});
  auto r = raw->Call("raw_http", server_.Url("/hello"));
  ASSERT_TRUE(r->is_trap());
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(HttpTest, ResponseLargerThanTheCapTraps) {
  PluginOptions o;
  o.max_http_response_bytes = 1000;
  auto p = Load("cpp_test", {"127.0.0.1"}, o);
  auto r = p->Call("http", nlohmann::json{{"url", server_.Url("/bytes/5000")}}.dump());
  ASSERT_TRUE(r->is_trap());
  EXPECT_EQ(r->trap().kind, TrapKind::kOutOfMemory);
  EXPECT_NE(r->trap().message.find("max_http_response_bytes"), std::string::npos);
  auto fits = CallJson(*p, {{"url", server_.Url("/bytes/999")}});
  EXPECT_EQ(fits["body"].get<std::string>().size(), 999u);
}

TEST_F(HttpTest, SlowServerIsCutAtTheCallsRemainingTime) {
  PluginOptions o;
  o.timeout = 300ms;
  auto p = Load("cpp_test", {"127.0.0.1"}, o);
  const auto start = std::chrono::steady_clock::now();
  auto r = p->Call("http", nlohmann::json{{"url", server_.Url("/slow/5000")}}.dump());
  ASSERT_TRUE(r->is_trap());
  EXPECT_EQ(r->trap().kind, TrapKind::kTimeout) << r->trap().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST_F(HttpTest, GoPluginUsesTheSameKernelHttp) {
  auto p = Load("go_test", {"127.0.0.1"});
  auto r = p->Call("http_get", server_.Url("/echo"));
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
  auto out = nlohmann::json::parse(r->output());
  EXPECT_EQ(out["status"], 200);
  EXPECT_EQ(nlohmann::json::parse(out["body"].get<std::string>())["x-pier-test"], "go");
}

}  // namespace
}  // namespace pier
