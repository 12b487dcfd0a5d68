// The HTTP service's contract (spec §6.6a) against real loopback servers,
// plain and TLS with a test CA.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "services/http/host_rules.h"
#include "services/http/http_service.h"
#include "support/loopback_web_server.h"
#include "support/test_call_context.h"

namespace pier::services {
namespace {

using namespace std::chrono_literals;

using Context = pier::testing::TestCallContext;

class HttpServiceTest : public ::testing::Test {
 protected:
  Result<wire::HTTPSendResponse> Send(const std::vector<std::string>& hosts, wire::HTTPRequest r,
                                      const std::string& ca = "", std::chrono::milliseconds budget = 1h) {
    HttpService service({.required_hosts = hosts, .ca_file = ca});
    Context ctx(budget);
    return service.Send(ctx, {std::move(r)});
  }
  testing::LoopbackWebServer server_;
};

TEST_F(HttpServiceTest, GetWithCanonicalFirstValueHeaders) {
  auto r = Send({"127.0.0.1"}, {.method = "get", .url = server_.Url("/headers")});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->result.has_value());
  EXPECT_EQ(r->result->status_code, 200);
  EXPECT_EQ(r->result->body, "headers");
  EXPECT_EQ(r->result->headers.at("X-Multi"), "a") << "the first value";
  EXPECT_EQ(r->result->headers.at("Content-Type"), "text/plain") << "canonical names";
  EXPECT_FALSE(r->result->headers.contains("content-type"));
}

TEST_F(HttpServiceTest, MethodsBodiesAndHeadersReachTheServer) {
  for (const char* method : {"POST", "put", "PATCH", "DELETE", ""}) {
    auto r = Send({"127.0.0.1"}, {.method = method, .url = server_.Url("/echo"),
                                  .headers = {{"x-pier-test", "yes"}}, .body = "payload"});
    ASSERT_TRUE(r.ok()) << method << ": " << r.status().message();
    auto echoed = nlohmann::json::parse(r->result->body);
    std::string expected = method;
    for (char& c : expected) c = static_cast<char>(std::toupper(c));
    EXPECT_EQ(echoed["method"], expected.empty() ? "GET" : expected) << "empty method = GET";
    EXPECT_EQ(echoed["body"], "payload");
    EXPECT_EQ(echoed["x-pier-test"], "yes");
  }
  auto no_body = Send({"127.0.0.1"}, {.method = "POST", .url = server_.Url("/echo")});
  EXPECT_EQ(nlohmann::json::parse(no_body->result->body)["headers"].value("content-length", "0"), "0");
  auto status = Send({"127.0.0.1"}, {.url = server_.Url("/status/503")});
  ASSERT_TRUE(status.ok()) << "a 5xx is a success";
  EXPECT_EQ(status->result->status_code, 503);
}

TEST_F(HttpServiceTest, HostRulesWithAndWithoutRequiredHosts) {
  EXPECT_EQ(Send({"api.example.com"}, {.url = server_.Url("/hello")}).status().message(),
            "host \"127.0.0.1\" is not allowed");
  EXPECT_EQ(Send({}, {.url = server_.Url("/hello")}).status().message(),
            "host \"127.0.0.1\" is not allowed: private/loopback addresses require explicit requiredHosts in manifest");
  const std::string port = std::to_string(server_.port());
  EXPECT_NE(Send({}, {.url = "http://localhost:" + port + "/"}).status().message().find("private/loopback"),
            std::string::npos);
  EXPECT_NE(Send({}, {.url = "http://[::1]:" + port + "/"}).status().message().find("private/loopback"), std::string::npos);
  EXPECT_NE(Send({}, {.url = "http://10.1.2.3/"}).status().message().find("private/loopback"), std::string::npos);
  EXPECT_NE(Send({}, {.url = "http://169.254.169.254/"}).status().message().find("private/loopback"), std::string::npos);
  EXPECT_EQ(Send({"127.0.0.1:*"}, {.url = server_.Url("/hello")}).status().message(), "host \"127.0.0.1\" is not allowed")
      << "a pattern with a port never matches";
  EXPECT_TRUE(Send({"*"}, {.url = server_.Url("/hello")}).ok());
  EXPECT_EQ(Send({"127.0.0.1"}, {.url = "ftp://127.0.0.1/x"}).status().message(),
            "invalid URL scheme \"ftp\": must be http or https");
  EXPECT_FALSE(Send({"127.0.0.1"}, {.url = "not a url"}).ok());
}

TEST(HostRules, PatternsAsTheOriginal) {
  EXPECT_TRUE(HostPatternsAllow({"*.example.com"}, "api.example.com"));
  EXPECT_TRUE(HostPatternsAllow({"*.example.com"}, "a.b.example.com"));
  EXPECT_FALSE(HostPatternsAllow({"*.example.com"}, "example.com"));
  EXPECT_FALSE(HostPatternsAllow({"api.example.com"}, "API.example.com")) << "case-sensitive";
  EXPECT_FALSE(HostPatternsAllow({"api.*.com"}, "api.x.com")) << "other wildcards compare exactly";
  EXPECT_TRUE(HostPatternsAllow({"api.*.com"}, "api.*.com"));
  EXPECT_FALSE(HostPatternsAllow({}, "x"));
  for (const char* a : {"127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1",
                        "0.0.0.0", "::1", "fc00::1", "fd12::1", "fe80::1", "::ffff:127.0.0.1", "localhost", "a.localhost"}) {
    EXPECT_TRUE(IsPrivateOrLoopback(a)) << a;
  }
  for (const char* a : {"8.8.8.8", "172.32.0.1", "2001:db8::1", "example.com", "192.169.0.1"}) {
    EXPECT_FALSE(IsPrivateOrLoopback(a)) << a;
  }
}

TEST_F(HttpServiceTest, RedirectsAreFollowedAndCheckedAtEveryHop) {
  auto three = Send({"127.0.0.1"}, {.url = server_.Url("/hops/3")});
  ASSERT_TRUE(three.ok()) << three.status().message();
  EXPECT_EQ(three->result->body, "arrived");
  auto seven = Send({"127.0.0.1"}, {.url = server_.Url("/hops/7")});
  ASSERT_TRUE(seven.ok());
  EXPECT_EQ(seven->result->status_code, 302) << "after 5 redirects the last 3xx is the answer";
  EXPECT_EQ(seven->result->headers.at("Location"), server_.Url("/hops/1"));
  auto kept = Send({"127.0.0.1"}, {.url = server_.Url("/hops/1"), .no_follow_redirects = true});
  EXPECT_EQ(kept->result->status_code, 302);
  // A redirect to a host the plugin may not reach is refused.
  const std::string evil = "http://localhost:" + std::to_string(server_.port()) + "/hello";
  auto refused = Send({"127.0.0.1"}, {.url = server_.Url("/redirect?to=" + evil)});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "Get \"" + evil + "\": host \"localhost\" is not allowed");
  auto scheme = Send({"127.0.0.1"}, {.url = server_.Url("/redirect?to=file:///etc/passwd")});
  EXPECT_NE(scheme.status().message().find("invalid URL scheme \"file\""), std::string::npos) << scheme.status().message();
  // 303 turns a POST into a GET without its body; 307 keeps both.
  auto see_other = Send({"127.0.0.1"}, {.method = "POST", .url = server_.Url("/redirect?code=303&to=/echo"), .body = "b"});
  EXPECT_EQ(nlohmann::json::parse(see_other->result->body)["method"], "GET");
  auto temporary = Send({"127.0.0.1"}, {.method = "POST", .url = server_.Url("/redirect?code=307&to=/echo"), .body = "b"});
  auto echoed = nlohmann::json::parse(temporary->result->body);
  EXPECT_EQ(echoed["method"], "POST");
  EXPECT_EQ(echoed["body"], "b");
}

TEST_F(HttpServiceTest, TimeoutsAndTheCallsDeadline) {
  auto start = std::chrono::steady_clock::now();
  auto slow = Send({"127.0.0.1"}, {.url = server_.Url("/slow/3000"), .timeout_ms = 200});
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().message(), "Get \"" + server_.Url("/slow/3000") + "\": context deadline exceeded");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Send({"127.0.0.1"}, {.url = server_.Url("/hello"), .timeout_ms = -1}).ok()) << "negative: at once";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  // No timeoutMs (10 s by default), but the plugin call ends in 300 ms.
  start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Send({"127.0.0.1"}, {.url = server_.Url("/slow/3000")}, "", 300ms).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST_F(HttpServiceTest, BodiesAreCutAtTenMebibytes) {
  auto big = Send({"127.0.0.1"}, {.url = server_.Url("/bytes/11000000")});
  ASSERT_TRUE(big.ok()) << big.status().message();
  EXPECT_EQ(big->result->body.size(), 10u << 20);
}

TEST_F(HttpServiceTest, ConnectionErrorsReadLikeGos) {
  auto refused = Send({"127.0.0.1"}, {.url = "http://127.0.0.1:1/"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "Get \"http://127.0.0.1:1/\": dial tcp 127.0.0.1:1: connect: connection refused");
}

TEST(HttpServiceTls, HttpsWithATestCaAndRefusedWithoutIt) {
  testing::TestCa ca(std::filesystem::path(::testing::TempDir()) / ("pier-ca-" + std::to_string(getpid())));
  testing::LoopbackWebServer tls(&ca);
  HttpService trusted({.required_hosts = {"127.0.0.1"}, .ca_file = ca.ca_pem().string()});
  Context ctx;
  auto ok = trusted.Send(ctx, {{.url = tls.Url("/hello")}});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->result->body, "hello");
  HttpService system_roots({.required_hosts = {"127.0.0.1"}});
  auto refused = system_roots.Send(ctx, {{.url = tls.Url("/hello")}});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("certificate"), std::string::npos) << refused.status().message();
}

// Pier goes further than the original: with no requiredHosts, a *name* that
// resolves to a loopback address is refused too (checked on the address the
// connection would use). The machine's own host name resolves through
// /etc/hosts, without any network traffic.
TEST_F(HttpServiceTest, NamesResolvingToLoopbackAreRefusedWithoutRequiredHosts) {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  addrinfo* found = nullptr;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  if (getaddrinfo(name, nullptr, &hints, &found) != 0 || found == nullptr) {
    GTEST_SKIP() << "this machine's host name (" << name << ") does not resolve locally";
  }
  char ip[64] = {};
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, ip, sizeof ip);
  freeaddrinfo(found);
  if (!IsPrivateOrLoopback(ip)) GTEST_SKIP() << name << " resolves to " << ip << ", not a loopback address";
  const std::string url = "http://" + std::string(name) + ":" + std::to_string(server_.port()) + "/hello";
  auto r = Send({}, {.url = url});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("resolves to a private/loopback address"), std::string::npos) << r.status().message();
  EXPECT_TRUE(Send({name}, {.url = url}).ok()) << "allowed when the manifest names it";
}

}  // namespace
}  // namespace pier::services
