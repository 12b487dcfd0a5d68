// The MetadataAgent chain through real plugins on Navidrome's Go kit (a full
// agent configured to answer, fail, answer nothing or trap, and a partial
// one): fall-through with the original's classification, back-off for a
// failing agent, the answer cache, and song lists resolved in the catalog.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/scanner.h"
#include "manager/plugin_manager.h"
#include "music/agents.h"
#include "music/fixtures.h"
#include "support/plugin_packages.h"
#include "support/temp_dir.h"

namespace pier::music {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const char kConfigSchema[] =
    R"(,"config":{"schema":{"type":"object","properties":{"label":{"type":"string"},"error":{"type":"string"},"null":{"type":"string"},"panic":{"type":"string"}}}})";

class AgentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::HaveSox());
    ASSERT_TRUE(testing::MakeTrack(dir_.path() / "m/1.flac", {.title = "First", .artist = "Band", .album = "LP"}));
    ASSERT_TRUE(testing::MakeTrack(dir_.path() / "m/2.flac", {.title = "Second", .artist = "Band", .album = "LP"}));
    catalog_ = std::shared_ptr<catalog::Catalog>(catalog::Catalog::Open(dir_.path() / "c.db").value());
    ASSERT_TRUE(catalog_->SyncLibraries({{.id = 1, .name = "M", .path = dir_.path() / "m"}}).ok());
    ASSERT_TRUE(catalog::ScanLibrary(*catalog_, *catalog_->GetLibrary(1).value()).ok());
    runtime_ = Runtime::Create().value();
    manager_ = std::make_unique<PluginManager>(*runtime_, ManagerOptions{.call_timeout = 5s, .data_dir = dir_.path() / "data"});
    Load("partial", "go_nd_agent_partial", "");
    Load("failing", "go_nd_agent", R"({"error":"service down"})");
    Load("empty", "go_nd_agent", R"({"null":"true"})");
    Load("crashing", "go_nd_agent", R"({"panic":"true"})");
    Load("full", "go_nd_agent", R"({"label":"full"})");
    Load("not-agent", "go_nd_kvstore", "", R"({"kvstore":{}})");
  }
  void Load(const std::string& id, const std::string& wasm, const std::string& config,
            const std::string& permissions = "{}") {
    const fs::path path = dir_.path() / (id + ".ndp");
    testing::WritePackage(path, id, permissions, wasm, wasm == "go_nd_agent" ? kConfigSchema : "");
    auto loaded = manager_->Load(path, {.config_json = config});
    ASSERT_TRUE(loaded.ok()) << id << ": " << loaded.status().message();
  }
  AgentChain Chain(std::vector<std::string> order, AgentOptions options = {}) {
    options.order = std::move(order);
    return AgentChain([this](std::string_view id) { return manager_->Get(id); }, catalog_, options);
  }
  static std::vector<std::string> Results(const AgentAnswer& a) {
    std::vector<std::string> out;
    for (const auto& t : a.attempts) out.push_back(t.plugin + ": " + t.result);
    return out;
  }

  testing::TempDir dir_;
  std::shared_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<PluginManager> manager_;
};

TEST_F(AgentsTest, FallsThroughTheChainAsTheOriginalClassifies) {
  AgentChain chain = Chain({"missing", "not-agent", "partial", "failing", "empty", "crashing", "full"});
  auto bio = chain.Ask({.method = AgentMethod::kArtistBiography, .name = "Band"}).value();
  EXPECT_EQ(bio.plugin, "partial");
  EXPECT_EQ(bio.value["biography"], "Partial agent biography for Band");
  EXPECT_EQ(Results(bio), (std::vector<std::string>{"missing: not loaded", "not-agent: not an agent", "partial: answered"}));

  auto url = chain.Ask({.method = AgentMethod::kArtistUrl, .name = "Band"}).value();
  EXPECT_EQ(url.plugin, "full");
  EXPECT_EQ(url.value["url"], "https://example.test/artist/Band");
  EXPECT_EQ(Results(url), (std::vector<std::string>{"missing: not loaded", "not-agent: not an agent",
                                                    "partial: not implemented", "failing: failed", "empty: not found",
                                                    "crashing: failed", "full: answered"}));
  EXPECT_EQ(url.attempts[3].detail.find("service down") != std::string::npos, true) << url.attempts[3].detail;
  EXPECT_FALSE(url.cached);
  EXPECT_TRUE(chain.Ask({.method = AgentMethod::kArtistUrl, .name = "Band"}).value().cached);

  // The failing agents back off: asked something else, they are skipped.
  auto images = chain.Ask({.method = AgentMethod::kArtistImages, .name = "Band"}).value();
  EXPECT_EQ(images.plugin, "full");
  EXPECT_EQ(images.attempts[3].result, "backing off");
  EXPECT_EQ(images.attempts[5].result, "backing off");
}

TEST_F(AgentsTest, NobodyAnswersAndAlbumInfoIsNotFoundOnlyWhenNull) {
  AgentChain chain = Chain({"partial", "empty"}, {.failure_backoff = 0ms});
  auto none = chain.Ask({.method = AgentMethod::kAlbumInfo, .name = "LP", .artist = "Band"}).value();
  EXPECT_EQ(none.plugin, "");
  EXPECT_TRUE(none.value.is_null());
  EXPECT_EQ(Results(none), (std::vector<std::string>{"partial: not implemented", "empty: not found"}));
  auto info = Chain({"full"}).Ask({.method = AgentMethod::kAlbumInfo, .name = "LP", .artist = "Band"}).value();
  EXPECT_EQ(info.value["description"], "About LP by Band");
}

TEST_F(AgentsTest, SongListsAreResolvedInTheCatalog) {
  auto top = Chain({"full"}).Ask({.method = AgentMethod::kArtistTopSongs, .name = "Band", .limit = 3}).value();
  ASSERT_EQ(top.value["songs"].size(), 3u);
  ASSERT_EQ(top.resolved.size(), 3u) << top.resolved.dump();
  EXPECT_EQ(top.resolved[0], catalog::TrackId(1, "1.flac"));
  EXPECT_EQ(top.resolved[1], catalog::TrackId(1, "2.flac"));
  EXPECT_TRUE(top.resolved[2].is_null());
  auto similar = Chain({"full"}).Ask({.method = AgentMethod::kSimilarArtists, .name = "Band", .limit = 4}).value();
  EXPECT_EQ(similar.value["artists"].size(), 4u);
}

TEST(AgentMethods, NamesRoundTrip) {
  for (AgentMethod m : AllAgentMethods()) EXPECT_EQ(ParseAgentMethod(AgentMethodName(m)), m);
  EXPECT_FALSE(ParseAgentMethod("artist-horoscope").has_value());
  EXPECT_EQ(AgentExport(AgentMethod::kSimilarSongsByTrack), "nd_get_similar_songs_by_track");
}

}  // namespace
}  // namespace pier::music
