// Scrobbling through real plugins: a Scrobbler on Navidrome's Go kit
// (tests/plugins/go_ndkit/scrobbler) receiving now-playing and scrobbles from
// the dispatcher, every error kind classified, the user scope checked before
// is_authorized, retry-later scrobbles in the durable buffer delivered by the
// retry pass (after the store is reopened, as after a restart), dropped for
// removed plugins; and the play history read back through ScrobbleRetriever
// from a C++ kit plugin.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/scanner.h"
#include "manager/plugin_manager.h"
#include "music/catalog_music_host.h"
#include "music/fixtures.h"
#include "music/play_store.h"
#include "music/scrobbling.h"
#include "support/plugin_packages.h"
#include "support/temp_dir.h"

namespace pier::music {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class ScrobblingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::HaveSox());
    ASSERT_TRUE(testing::MakeTrack(dir_.path() / "m/song.flac",
                                   {.title = "So What", .artist = "Miles Davis", .album = "Kind of Blue", .track = 1,
                                    .mbid = "aaaaaaaa-0000-0000-0000-000000000001"}));
    catalog_ = std::shared_ptr<catalog::Catalog>(catalog::Catalog::Open(dir_.path() / "c.db").value());
    ASSERT_TRUE(catalog_->SyncLibraries({{.id = 1, .name = "M", .path = dir_.path() / "m"}}).ok());
    ASSERT_TRUE(catalog_->SyncUsers({{"alice", "alice", "Alice", false, {}}, {"bob", "bob", "Bob", false, {}}}).ok());
    ASSERT_TRUE(catalog::ScanLibrary(*catalog_, *catalog_->GetLibrary(1).value()).ok());
    track_ = catalog::TrackId(1, "song.flac");
    OpenPlays();
    CatalogMusicOptions options;
    options.plays = plays_;
    ManagerOptions manager_options;
    manager_options.data_dir = dir_.path() / "data";
    manager_options.music = std::make_shared<CatalogMusicHost>(catalog_, options);
    runtime_ = Runtime::Create().value();
    manager_ = std::make_unique<PluginManager>(*runtime_, manager_options);
  }
  void OpenPlays() {
    plays_.reset();
    plays_ = std::shared_ptr<PlayStore>(PlayStore::Open(dir_.path() / "plays.db").value());
  }
  std::shared_ptr<LoadedPlugin> Scrobbler(const std::string& id, const json& config, PluginSettings settings) {
    const fs::path path = dir_.path() / (id + ".ndp");
    testing::WritePackage(path, id, R"({"users":{},"kvstore":{}})", "go_nd_scrobbler");
    settings.config_json = config.dump();
    auto loaded = manager_->Load(path, settings);
    EXPECT_TRUE(loaded.ok()) << loaded.status().message();
    return loaded.ok() ? *loaded : nullptr;
  }
  std::unique_ptr<Scrobbling> Make(ScrobblingOptions options = {}) {
    options.retry_backoff = 1ms;
    options.call_timeout = 10s;
    options.now_ms = [this] { return now_ms_; };
    return std::make_unique<Scrobbling>(
        catalog_, plays_,
        [this] {
          std::vector<std::shared_ptr<LoadedPlugin>> out;
          for (const auto& id : manager_->loaded()) out.push_back(manager_->Get(id));
          return out;
        },
        options, [this](std::string_view id) { return !removed_.contains(std::string(id)); });
  }
  json Deliveries(LoadedPlugin& p) {
    auto r = p.plugin->Call("deliveries", "");
    EXPECT_TRUE(r.ok() && r->is_output());
    return r.ok() && r->is_output() ? json::parse(r->output()) : json::object();
  }
  static std::map<std::string, std::string> ByPlugin(const std::vector<PluginOutcome>& outcomes) {
    std::map<std::string, std::string> out;
    for (const auto& o : outcomes) out[o.plugin] = std::string(OutcomeName(o.kind));
    return out;
  }

  testing::TempDir dir_;
  std::shared_ptr<catalog::Catalog> catalog_;
  std::shared_ptr<PlayStore> plays_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<PluginManager> manager_;
  std::string track_;
  int64_t now_ms_ = 1'700'000'000'000;
  std::set<std::string> removed_;
};

TEST_F(ScrobblingTest, EventsReachAllowedAuthorizedScrobblersClassified) {
  auto good = Scrobbler("good", json::object(), {.all_users = true});
  Scrobbler("only-bob", json::object(), {.users = {"bob"}});
  Scrobbler("refuses", {{"authorized", "false"}}, {.all_users = true});
  Scrobbler("not-auth", {{"error_type", "not_authorized"}}, {.all_users = true});
  Scrobbler("broken", {{"error_type", "database on fire"}}, {.all_users = true});
  Scrobbler("gone-for-good", {{"error_type", "unrecoverable"}}, {.all_users = true});
  auto scrobbling = Make();
  auto played = scrobbling->Play("alice", track_, 12, 1'700'000'000);
  ASSERT_TRUE(played.ok()) << played.status().message();
  const std::map<std::string, std::string> want = {
      {"good", "delivered"},         {"only-bob", "not allowed"}, {"refuses", "not authorized"},
      {"not-auth", "not authorized"}, {"broken", "failed"},       {"gone-for-good", "failed"}};
  EXPECT_EQ(ByPlugin(played->now_playing), want);
  EXPECT_EQ(ByPlugin(played->scrobble), want);
  const json got = Deliveries(*good);
  EXPECT_EQ(got["scrobble:alice:1700000000"], "1") << got.dump();
  EXPECT_EQ(got["nowplaying:alice:" + track_], "1");
  EXPECT_EQ(got["track:alice:1700000000"], "So What by Miles Davis");
  // Recorded in the play history whatever the plugins did.
  auto page = plays_->Plays("alice", {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->scrobbles.size(), 1u);
  EXPECT_EQ(page->scrobbles[0].media_file_id, track_);
  EXPECT_EQ(page->scrobbles[0].submission_time, 1'700'000'000);
  // Unknown users and tracks are errors, not plays.
  EXPECT_EQ(scrobbling->Play("nobody", track_, 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(scrobbling->Play("alice", "no-such-track", 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(plays_->CountPlays("alice", {}, {}).value(), 1);
}

TEST_F(ScrobblingTest, RetryLaterIsBufferedDurablyAndDeliveredOnce) {
  auto flaky = Scrobbler("flaky", {{"retry_first", "true"}}, {.all_users = true});
  auto scrobbling = Make();
  auto played = scrobbling->Play("alice", track_, 0, 1'700'000'100);
  ASSERT_TRUE(played.ok());
  EXPECT_EQ(ByPlugin(played->scrobble)["flaky"], "retry later");
  ASSERT_EQ(plays_->Buffered().value().size(), 1u);
  EXPECT_FALSE(Deliveries(*flaky).contains("scrobble:alice:1700000100"));

  // A restart: the dispatcher and the store are new; the buffer is on disk.
  scrobbling.reset();
  OpenPlays();
  scrobbling = Make();
  EXPECT_EQ(scrobbling->RetryDue().value(), 0) << "not due yet";
  now_ms_ += 10;
  EXPECT_EQ(scrobbling->RetryDue().value(), 1);
  EXPECT_TRUE(plays_->Buffered().value().empty());
  EXPECT_EQ(Deliveries(*flaky)["scrobble:alice:1700000100"], "1");
  now_ms_ += 100000;
  EXPECT_EQ(scrobbling->RetryDue().value(), 0);
  EXPECT_EQ(Deliveries(*flaky)["scrobble:alice:1700000100"], "1") << "delivered once";
}

TEST_F(ScrobblingTest, BackoffDoublesTheBufferIsBoundedAndRemovedPluginsLoseTheirs) {
  Scrobbler("down", {{"error_type", "retry_later"}}, {.all_users = true});
  ScrobblingOptions options;
  options.buffer_max_per_plugin = 3;
  auto scrobbling = Make(options);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(scrobbling->Play("alice", track_, 0, 1'700'000'000 + i).ok());
  auto buffered = plays_->Buffered("down").value();
  ASSERT_EQ(buffered.size(), 3u) << "the newest 3 kept";
  EXPECT_NE(buffered[0].request.find("1700000002"), std::string::npos);
  now_ms_ += 1;
  ASSERT_TRUE(scrobbling->RetryDue().ok());
  buffered = plays_->Buffered("down").value();
  EXPECT_EQ(buffered[0].attempts, 1);
  EXPECT_EQ(buffered[0].next_at_ms, now_ms_ + 2) << "1 ms, then 2 ms…";
  // Unloaded but installed: kept. Removed: dropped.
  ASSERT_TRUE(manager_->Unload("down").ok());
  now_ms_ += 1000;
  ASSERT_TRUE(scrobbling->RetryDue().ok());
  EXPECT_EQ(plays_->Buffered("down").value().size(), 3u);
  removed_.insert("down");
  now_ms_ += 100000;
  ASSERT_TRUE(scrobbling->RetryDue().ok());
  EXPECT_TRUE(plays_->Buffered("down").value().empty());
}

TEST_F(ScrobblingTest, PlayHistoryThroughScrobbleRetriever) {
  auto scrobbling = Make();
  for (int64_t t : {100, 200, 300, 400, 500}) ASSERT_TRUE(scrobbling->Play("alice", track_, 0, t).ok());
  ASSERT_TRUE(scrobbling->Play("bob", track_, 0, 150).ok());
  const fs::path path = dir_.path() / "history.ndp";
  testing::WritePackage(path, "history", R"({"users":{},"scrobbleRetriever":{}})", "cpp_play_history");
  auto loaded = manager_->Load(path, {.users = {"alice"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  LoadedPlugin& p = **loaded;
  json bounds = testing::CallJson(p, "bounds", {{"username", "alice"}});
  EXPECT_EQ(bounds, json::parse(R"({"count":5,"first":100,"last":500})"));
  json page = testing::CallJson(p, "history", {{"username", "alice"}, {"options", {{"maxItems", 2}, {"descending", true}}}});
  ASSERT_EQ(page["scrobbles"].size(), 2u) << page.dump();
  EXPECT_EQ(page["scrobbles"][0]["submissionTime"], 500);
  EXPECT_EQ(page["scrobbles"][1]["submissionTime"], 400);
  ASSERT_TRUE(page.contains("next"));
  json next = testing::CallJson(p, "history", {{"username", "alice"}, {"options", page["next"]}});
  EXPECT_EQ(next["scrobbles"][0]["submissionTime"], 300);
  json last = testing::CallJson(p, "history", {{"username", "alice"}, {"options", next["next"]}});
  EXPECT_EQ(last["scrobbles"].size(), 1u);
  EXPECT_FALSE(last.contains("next")) << "nothing remains";
  json range = testing::CallJson(
      p, "history", {{"username", "alice"}, {"options", {{"fromTimestamp", 200}, {"toTimestamp", 300}, {"maxItems", 0}}}});
  EXPECT_EQ(range["scrobbles"].size(), 2u);
  // bob is not granted to this plugin; nobody does not exist.
  auto denied = p.plugin->Call("bounds", R"({"username":"bob"})");
  ASSERT_TRUE(denied.ok());
  EXPECT_TRUE(denied->is_plugin_error());
  EXPECT_NE(denied->Describe().find("user bob is not authorized for this plugin"), std::string::npos) << denied->Describe();
  auto unknown = p.plugin->Call("bounds", R"({"username":"nobody"})");
  EXPECT_NE(unknown->Describe().find("username nobody not found"), std::string::npos);
  // The permission needs users (the manifest rule), and the service needs the permission.
  testing::WritePackage(path, "history", R"({"scrobbleRetriever":{}})", "cpp_play_history");
  EXPECT_FALSE(manager_->Load(path, {.all_users = true}).ok());
}

// Playback reports reach a C++ kit scrobbler (examples/scrobble_counter).
TEST_F(ScrobblingTest, PlaybackReportsReachACppKitScrobbler) {
  const fs::path path = dir_.path() / "counter.ndp";
  testing::WritePackage(path, "counter", R"({"users":{},"kvstore":{},"cache":{}})", "scrobble_counter");
  auto loaded = manager_->Load(path, {.users = {"alice"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto scrobbling = Make();
  wire::PlaybackReportRequest report;
  report.username = "alice";
  report.state = "paused";
  report.position_ms = 61000;
  report.player_name = "Desk";
  auto outcomes = scrobbling->PlaybackReport(report, track_);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().message();
  EXPECT_EQ(ByPlugin(*outcomes), (std::map<std::string, std::string>{{"counter", "delivered"}}));
  auto state = (*loaded)->plugin->Call("player", "alice");
  ASSERT_TRUE(state.ok() && state->is_output());
  EXPECT_EQ(state->output(), "paused 61000 Desk");
  report.username = "bob";  // not selected for this plugin
  EXPECT_EQ(ByPlugin(scrobbling->PlaybackReport(report, track_).value())["counter"], "not allowed");
  // And a play through the same plugin is counted.
  ASSERT_TRUE(scrobbling->Play("alice", track_, 0, 42).ok());
  EXPECT_EQ((*loaded)->plugin->Call("plays", "alice")->output(), "1");
}

}  // namespace
}  // namespace pier::music
