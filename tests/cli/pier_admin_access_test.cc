// Who may use a running `pier serve`'s admin listener (admin/admin_access.h):
// cross-origin and form posts, a wrong Host, no token, the read-only token
// and read-only servers are refused with nothing changed; browser sessions
// are made from the token and carried by an HttpOnly, SameSite=Strict cookie;
// every answer carries the security headers.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/served_folder.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PierAdminAccess : public ServedFolder {
 protected:
  void SetUp() override { WritePackage("hello", R"({"name":"Hello","author":"Pier","version":"1"})", "hello"); }
  void Start(bool read_only = false) {
    if (read_only) WriteConfig("admin_read_only = true\n");
    ASSERT_EQ(Cli({"plugins", "enable", "hello"}).exit_code, 0);
    serve_.Start();
    ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  }
  std::string Url() const { return AdminUrl(); }
  std::string Host() const { return Url().substr(std::string("http://").size()); }
  // Still enabled and loaded, whatever was refused.
  bool HelloLoaded() {
    httplib::Client c(Url());
    testing::Authorize(c, data());
    auto r = c.Get("/api/plugins/hello");
    return r && r->status == 200 && json::parse(r->body)["loaded"] == true;
  }
  httplib::Result Disable(const httplib::Headers& headers, const std::string& type = "application/json",
                          const std::string& bearer = "") {
    httplib::Client c(Url());
    c.set_bearer_token_auth(bearer.empty() ? testing::AdminToken(data()) : bearer);
    return c.Post("/api/plugins/hello/disable", headers, "", type);
  }
};

TEST_F(PierAdminAccess, CrossOriginFormAndForeignHostRequestsChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // Another loopback port is another origin.
  auto other_port = Disable({{"Origin", "http://127.0.0.1:1"}});
  ASSERT_TRUE(other_port);
  EXPECT_EQ(other_port->status, 403) << other_port->body;
  EXPECT_EQ(Disable({{"Sec-Fetch-Site", "cross-site"}})->status, 403);
  EXPECT_EQ(Disable({{"Sec-Fetch-Site", "same-site"}})->status, 403);
  // What an HTML form or a no-preflight fetch can send.
  for (const char* type : {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"}) {
    auto r = Disable({}, type);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 415) << type;
  }
  EXPECT_EQ(Disable({{"Host", "pier.attacker.example"}})->status, 403);
  EXPECT_EQ(Disable({}, "application/json", "not-the-token")->status, 401);
  EXPECT_TRUE(HelloLoaded());
  // The same request from this origin (as the dashboard sends it) works.
  auto same = Disable({{"Origin", "http://" + Host()}, {"Sec-Fetch-Site", "same-origin"}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200) << same->body;
  EXPECT_FALSE(HelloLoaded());
}

TEST_F(PierAdminAccess, TheReadOnlyTokenReadsAndIsRefusedEverything) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string reader = testing::AdminFileLine(data(), 2);
  ASSERT_FALSE(reader.empty());
  ASSERT_NE(reader, testing::AdminToken(data()));
  httplib::Client c(Url());
  c.set_bearer_token_auth(reader);
  EXPECT_EQ(c.Get("/api/plugins")->status, 200);
  EXPECT_EQ(c.Get("/metrics")->status, 200);
  auto forged = Disable({}, "application/json", reader);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_NE(forged->body.find("this token may only read"), std::string::npos) << forged->body;
  EXPECT_EQ(c.Post("/api/plugins/rescan", "", "application/json")->status, 403);
  EXPECT_TRUE(HelloLoaded());
}

TEST_F(PierAdminAccess, AReadOnlyServerRefusesEvenTheFullToken) {
  ASSERT_NO_FATAL_FAILURE(Start(/*read_only=*/true));
  auto r = Disable({});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("read-only"), std::string::npos) << r->body;
  EXPECT_TRUE(HelloLoaded());
}

TEST_F(PierAdminAccess, SessionsComeFromTheTokenInAStrictHttpOnlyCookie) {
  ASSERT_NO_FATAL_FAILURE(Start());
  httplib::Client c(Url());
  const httplib::Headers same_origin = {{"Origin", "http://" + Host()}};
  EXPECT_EQ(c.Post("/api/session", same_origin, json{{"token", "wrong"}}.dump(), "application/json")->status, 401);
  EXPECT_EQ(c.Post("/api/session", {{"Origin", "http://127.0.0.1:1"}},
                   json{{"token", testing::AdminToken(data())}}.dump(), "application/json")->status, 403);
  auto login = c.Post("/api/session", same_origin, json{{"token", testing::AdminToken(data())}}.dump(), "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  EXPECT_EQ(json::parse(login->body)["role"], "admin");
  const std::string cookie = login->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  const std::string pair = cookie.substr(0, cookie.find(';'));
  ASSERT_EQ(pair.rfind("pier_session=", 0), 0u) << cookie;
  EXPECT_EQ(c.Get("/api/plugins", {{"Cookie", pair}})->status, 200);
  EXPECT_EQ(json::parse(c.Get("/api/session", {{"Cookie", pair}})->body)["role"], "admin");
  EXPECT_EQ(c.Get("/api/plugins", {{"Cookie", "pier_session=guessed"}})->status, 401);
  // Ending it: the cookie no longer opens anything.
  EXPECT_EQ(c.Delete("/api/session", {{"Cookie", pair}, {"Origin", "http://" + Host()}}, "", "application/json")->status,
            200);
  EXPECT_EQ(c.Get("/api/plugins", {{"Cookie", pair}})->status, 401);

  // A read-only token's session reads only.
  auto reader = c.Post("/api/session", same_origin, json{{"token", testing::AdminFileLine(data(), 2)}}.dump(),
                       "application/json");
  ASSERT_TRUE(reader);
  EXPECT_EQ(json::parse(reader->body)["role"], "read-only");
  const std::string rpair = reader->get_header_value("Set-Cookie").substr(0, reader->get_header_value("Set-Cookie").find(';'));
  EXPECT_EQ(c.Get("/api/plugins", {{"Cookie", rpair}})->status, 200);
  EXPECT_EQ(c.Post("/api/plugins/hello/disable", {{"Cookie", rpair}}, "", "application/json")->status, 403);
  EXPECT_TRUE(HelloLoaded());
}

TEST_F(PierAdminAccess, EveryAnswerCarriesTheSecurityHeaders) {
  ASSERT_NO_FATAL_FAILURE(Start());
  httplib::Client c(Url());
  for (const char* path : {"/api/health", "/api/plugins", "/no/such/route"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    const std::string csp = r->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path << ": " << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
  }
}

TEST_F(PierAdminAccess, TheAuditLogOutlivesARestart) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_EQ(Disable({})->status, 200);
  {
    httplib::Client c(Url());
    c.set_bearer_token_auth(testing::AdminToken(data()));
    ASSERT_EQ(c.Post("/api/plugins/hello/enable", "", "application/json")->status, 200);
  }
  EXPECT_EQ(serve_.Kill(SIGTERM), 0);
  serve_.Start(/*append=*/true);
  ASSERT_TRUE(serve_.LogShows("pier serve: ready", 2));
  httplib::Client c(Url());
  c.set_bearer_token_auth(testing::AdminToken(data()));
  auto r = c.Get("/api/audit");
  ASSERT_TRUE(r);
  const json audit = json::parse(r->body);
  ASSERT_GE(audit.size(), 2u) << audit;
  EXPECT_EQ(audit[0]["path"], "/api/plugins/hello/enable") << "newest first, from the run before";
  EXPECT_EQ(audit[1]["path"], "/api/plugins/hello/disable");
  EXPECT_EQ(audit[1]["who"], "admin (token)");
  EXPECT_TRUE(fs::exists(data() / "admin-audit.jsonl"));
}

}  // namespace
}  // namespace pier
