#include "kernel/kernel.h"

#include <gtest/gtest.h>

namespace pier::internal {
namespace {

// Answers every request with a fixed response and remembers the last one.
class FakeHttp final : public http::HttpClient {
 public:
  Result<http::ClientResponse> Send(const http::ClientRequest& request, const http::ClientLimits& limits) override {
    last = request;
    if (response.body.size() > limits.max_body_bytes) return ResourceExhaustedError("too big");
    return response;
  }
  http::ClientRequest last;
  http::ClientResponse response{201, {{"X-A", "1"}, {"X-A", "2"}}, "created"};
};

class KernelTest : public ::testing::Test {
 protected:
  KernelTest() {
    auto s = std::make_shared<KernelSettings>();
    s->plugin_name = "unit";
    s->config = {{"present", "value"}, {"empty", ""}};
    s->allowed_hosts = HostPatterns({"*.allowed.test"});
    s->max_arena_bytes = 1 << 20;
    s->max_var_bytes = 64;
    s->log_level = LogLevel::kInfo;
    s->log_sink = [this](LogLevel l, std::string_view, std::string_view m) {
      logs.push_back(std::string(LogLevelName(l)) + ":" + std::string(m));
    };
    s->http = http;
    settings = s;
    kernel = std::make_unique<Kernel>(settings);
    EXPECT_TRUE(kernel->BeginCall("input-bytes", &call).ok());
  }

  int64_t Put(std::string_view s) { return static_cast<int64_t>(*kernel->arena().AllocBytes(s)); }
  std::string Get(int64_t h) { return std::string(kernel->arena().Block(static_cast<uint64_t>(h))); }

  std::shared_ptr<FakeHttp> http = std::make_shared<FakeHttp>();
  std::shared_ptr<const KernelSettings> settings;
  std::unique_ptr<Kernel> kernel;
  CallState call;
  std::vector<std::string> logs;
};

TEST_F(KernelTest, InputIsABlockAndRelativeLoadsAreBounded) {
  EXPECT_EQ(kernel->InputLength(), 11);
  EXPECT_EQ(kernel->Length(kernel->InputOffset()), 11);
  EXPECT_EQ(*kernel->InputLoadU8(0), 'i');
  EXPECT_TRUE(kernel->InputLoadU64(3).ok());
  EXPECT_FALSE(kernel->InputLoadU64(4).ok()) << "would read past the input";
  EXPECT_FALSE(kernel->InputLoadU8(11).ok());
  EXPECT_FALSE(kernel->InputLoadU8(-1).ok());
}

TEST_F(KernelTest, LoadStoreLittleEndianUnaligned) {
  int64_t h = static_cast<int64_t>(*kernel->Alloc(16));
  ASSERT_TRUE(kernel->StoreU64(h + 3, 0x1122334455667788).ok());
  EXPECT_EQ(*kernel->LoadU8(h + 3), 0x88);
  EXPECT_EQ(*kernel->LoadU64(h + 3), 0x1122334455667788);
  auto bad = kernel->LoadU64(h + 9);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("load_u64"), std::string::npos) << "names the function";
  EXPECT_NE(bad.status().message().find(std::to_string(h + 9)), std::string::npos) << "names the handle";
  EXPECT_FALSE(kernel->StoreU8(0, 1).ok());
  EXPECT_FALSE(kernel->Alloc(-5).ok());
}

TEST_F(KernelTest, OutputMayBeInteriorAndIsValidatedAgainAtTheEnd) {
  int64_t h = Put("xxhelloxx");
  ASSERT_TRUE(kernel->OutputSet(h + 2, 5).ok());
  EXPECT_EQ(*kernel->Output(), "hello");
  EXPECT_FALSE(kernel->OutputSet(h + 2, 50).ok());
  kernel->Free(h);
  EXPECT_EQ(kernel->Output().status().code(), StatusCode::kDataLoss);
}

TEST_F(KernelTest, ErrorSetNeedsABlockStartAndZeroClears) {
  int64_t h = Put("it failed");
  ASSERT_TRUE(kernel->ErrorSet(h).ok());
  EXPECT_EQ(kernel->ErrorGet(), h);
  EXPECT_EQ(*kernel->Error(), "it failed");
  EXPECT_FALSE(kernel->ErrorSet(h + 1).ok());
  ASSERT_TRUE(kernel->ErrorSet(0).ok());
  EXPECT_FALSE(kernel->Error().has_value());
}

TEST_F(KernelTest, ConfigGetReturnsValueOrZero) {
  EXPECT_EQ(Get(*kernel->ConfigGet(Put("present"))), "value");
  EXPECT_EQ(*kernel->ConfigGet(Put("missing")), 0);
  EXPECT_EQ(*kernel->ConfigGet(Put("empty")), 0) << "an empty value reads as absent";
  EXPECT_FALSE(kernel->ConfigGet(424242).ok());
}

TEST_F(KernelTest, VarsPersistAcrossCallsAndRespectTheCap) {
  ASSERT_TRUE(kernel->VarSet(Put("k"), Put("v1")).ok());
  ASSERT_TRUE(kernel->BeginCall("", &call).ok());  // a new call on the same instance
  EXPECT_EQ(Get(*kernel->VarGet(Put("k"))), "v1");
  auto over = kernel->VarSet(Put("big"), Put(std::string(100, 'x')));
  EXPECT_EQ(over.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.message().find("max_var_bytes"), std::string::npos);
  ASSERT_TRUE(kernel->VarSet(Put("k"), 0).ok());
  EXPECT_EQ(*kernel->VarGet(Put("k")), 0);
}

TEST_F(KernelTest, LogsAreFilteredByLevelAndTagged) {
  ASSERT_TRUE(kernel->Log(LogLevel::kDebug, Put("hidden")).ok());
  ASSERT_TRUE(kernel->Log(LogLevel::kWarn, Put("shown")).ok());
  EXPECT_EQ(logs, std::vector<std::string>{"warn:shown"});
  EXPECT_EQ(kernel->GetLogLevel(), 2);
}

TEST_F(KernelTest, HttpRequestEnforcesAllowedHostsAndRecordsResponse) {
  auto refused = kernel->HttpRequest(Put(R"({"url":"http://evil.test/x"})"), 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("evil.test"), std::string::npos);

  auto ok = kernel->HttpRequest(Put(R"({"url":"http://api.allowed.test/x","method":"POST","headers":{"A":"b"}})"),
                                Put("payload"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Get(*ok), "created");
  EXPECT_EQ(kernel->HttpStatusCode(), 201);
  EXPECT_EQ(http->last.method, "POST");
  EXPECT_EQ(http->last.body, "payload");
  EXPECT_EQ(Get(*kernel->HttpHeaders()), R"({"x-a":"1,2"})") << "lower-cased names, values joined with a comma";

  EXPECT_FALSE(kernel->HttpRequest(Put("not json"), 0).ok());
  EXPECT_FALSE(kernel->HttpRequest(Put(R"({"url":"ftp://api.allowed.test/"})"), 0).ok());
}

TEST_F(KernelTest, ResetClearsBlocksButNotVars) {
  ASSERT_TRUE(kernel->VarSet(Put("k"), Put("v")).ok());
  int64_t h = Put("x");
  kernel->Reset();
  EXPECT_EQ(kernel->Length(h), 0);
  EXPECT_EQ(kernel->InputLength(), 0);
  EXPECT_EQ(Get(*kernel->VarGet(Put("k"))), "v");
}

}  // namespace
}  // namespace pier::internal
