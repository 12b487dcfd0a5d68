// The SubsonicAPI pieces natively: URI parsing the way Go's net/url does,
// the service's forced parameters, the JSON→XML form, and artwork tokens.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "music/artwork_token.h"
#include "music/subsonic_router.h"
#include "pier/subsonic.h"
#include "services/subsonicapi/uri.h"
#include "support/test_call_context.h"

namespace pier {
namespace {

using nlohmann::json;

TEST(SubsonicUri, LastSegmentDecodedQueryAndGoErrors) {
  auto u = subsonic::ParseRelativeUri("https://host:1/rest/getAlbum.view?id=a%201&u=al+ice&x&bad=%zz&semi=1;2#frag");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->last_segment, "getAlbum.view");
  const std::vector<std::pair<std::string, std::string>> want = {{"id", "a 1"}, {"u", "al ice"}, {"x", ""}};
  EXPECT_EQ(u->params, want) << "bad escapes and ';' drop their pair, as Go's ParseQuery";
  EXPECT_EQ(subsonic::ParseRelativeUri("ping")->last_segment, "ping");
  EXPECT_EQ(subsonic::ParseRelativeUri("/rest/")->last_segment, "");
  EXPECT_EQ(subsonic::ParseRelativeUri("a%zz").status().message(), R"(parse "a%zz": invalid URL escape "%zz")");
  EXPECT_EQ(subsonic::ParseRelativeUri("a%4").status().message(), R"(parse "a%4": invalid URL escape "%4")");
  EXPECT_EQ(subsonic::ParseRelativeUri("ping\n?u=a").status().message(),
            "parse \"ping\\n?u=a\": net/url: invalid control character in URL");
  EXPECT_EQ(subsonic::ParseRelativeUri("1a:b").status().message(),
            R"(parse "1a:b": first path segment in URL cannot contain colon)");
}

// Records what reaches the router.
class RecordingRouter : public SubsonicRouter {
 public:
  SubsonicResponse Handle(const SubsonicRequest& r) override {
    last = r;
    return {200, "text/plain", "seen"};
  }
  SubsonicRequest last;
};

TEST(SubsonicService, ForcesClientVersionAndFormat) {
  auto router = std::make_shared<RecordingRouter>();
  SubsonicUserLookup lookup = [](std::string_view name) -> Result<std::optional<SubsonicUser>> {
    if (name == "Alice" || name == "alice") return std::optional<SubsonicUser>(SubsonicUser{"id-a", "alice"});
    return std::optional<SubsonicUser>();
  };
  auto service = MakeSubsonicApiService(router, lookup, MusicScope{.plugin_id = "plug", .users = {"id-a"}});
  testing::TestCallContext ctx;
  auto r = service->Call(ctx, {.uri = "/rest/search3.view?u=Alice&c=me&v=1.0&f=xml&query=x&query=y"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->response_json, "seen");
  EXPECT_EQ(router->last.endpoint, "search3");
  EXPECT_EQ(router->last.user_name, "alice");
  EXPECT_EQ(router->last.Param("c"), "plug");
  EXPECT_EQ(router->last.Param("v"), "1.16.1");
  EXPECT_EQ(router->last.Param("f"), "json");
  EXPECT_EQ(router->last.Params("query"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(router->last.Params("c").size(), 1u);
  auto raw = service->CallRaw(ctx, {.uri = "getCoverArt?u=alice&id=1&f=xml"});
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(router->last.Param("f"), "xml") << "callraw keeps the caller's format";
  EXPECT_EQ(raw->content_type, "text/plain");

  auto no_router = MakeSubsonicApiService(nullptr, lookup, MusicScope{.all_users = true});
  EXPECT_EQ(no_router->Call(ctx, {.uri = "ping?u=alice"}).status().message(),
            "SubsonicAPI router not available");
}

TEST(SubsonicXml, ScalarsAreAttributesObjectsAndArraysElements) {
  const json doc = json::parse(R"({"subsonic-response":{"status":"ok","version":"1.16.1",
      "album":{"id":"a<1","name":"Rock & Roll","song":[{"id":"s1","track":1},{"id":"s2"}]},
      "user":{"username":"bob","folder":[1,2]}}})");
  const std::string xml = music::SubsonicJsonToXml(doc);
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<subsonic-response xmlns=\"http://subsonic.org/restapi\" status=\"ok\" version=\"1.16.1\">"
            "<album id=\"a&lt;1\" name=\"Rock &amp; Roll\"><song id=\"s1\" track=\"1\"/><song id=\"s2\"/></album>"
            "<user username=\"bob\"><folder>1</folder><folder>2</folder></user>"
            "</subsonic-response>");
}

TEST(ArtworkToken, SignsVerifiesAndRefusesTampering) {
  const std::string token = music::SignArtworkToken("al-42_0", "a secret of enough length");
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(music::VerifyArtworkToken(token, "a secret of enough length").value(), "al-42_0");
  EXPECT_FALSE(music::VerifyArtworkToken(token, "another secret entirely").ok());
  EXPECT_FALSE(music::VerifyArtworkToken(token + "x", "a secret of enough length").ok());
  EXPECT_FALSE(music::VerifyArtworkToken("", "a secret of enough length").ok());
  EXPECT_FALSE(music::VerifyArtworkToken("a.b.c.d", "a secret of enough length").ok());
  // alg "none" with the signature dropped.
  EXPECT_FALSE(music::VerifyArtworkToken("eyJhbGciOiJub25lIn0.eyJpZCI6ImFsLTFfMCIsImlzcyI6Ik5EIn0.",
                                         "a secret of enough length")
                   .ok());
  auto id = music::ParseArtworkId("mf-abc_def_0");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->kind, "mf");
  EXPECT_EQ(id->id, "abc_def");
  music::ArtworkUrls urls{.base_url = {}, .secret = "s3cr3t-s3cr3t-s3cr3t"};
  EXPECT_EQ(urls.Url("ar", "1", 0).rfind("http://localhost/share/img/", 0), 0u);
}

}  // namespace
}  // namespace pier
