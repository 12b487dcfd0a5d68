// Lyrics and SonicSimilarity through a real C++ kit plugin: answers, the
// fall-through when a plugin has none, the cap of 2 concurrent lyrics calls
// per plugin, and similar songs resolved in the catalog.
#include <gtest/gtest.h>

#include <thread>

#include "catalog/catalog.h"
#include "catalog/scanner.h"
#include "manager/plugin_manager.h"
#include "music/fixtures.h"
#include "music/track_queries.h"
#include "support/plugin_packages.h"
#include "support/temp_dir.h"

namespace pier::music {
namespace {

using namespace std::chrono_literals;

class TrackQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::HaveSox());
    for (const char* title : {"First", "Second", "slow"}) {
      ASSERT_TRUE(testing::MakeTrack(dir_.path() / "m" / (std::string(title) + ".ogg"),
                                     {.title = title, .artist = "Band", .album = "LP", .seconds = 0.2}));
    }
    catalog_ = std::shared_ptr<catalog::Catalog>(catalog::Catalog::Open(dir_.path() / "c.db").value());
    ASSERT_TRUE(catalog_->SyncLibraries({{.id = 1, .name = "M", .path = dir_.path() / "m"}}).ok());
    ASSERT_TRUE(catalog::ScanLibrary(*catalog_, *catalog_->GetLibrary(1).value()).ok());
    runtime_ = Runtime::Create().value();
    manager_ = std::make_unique<PluginManager>(*runtime_, ManagerOptions{.call_timeout = 10s});
    testing::WritePackage(dir_.path() / "words.ndp", "words", "{}", "cpp_lyrics_sonic");
    ASSERT_TRUE(manager_->Load(dir_.path() / "words.ndp", {}).ok());
    queries_ = std::make_unique<TrackQueries>(
        [this] {
          std::vector<std::shared_ptr<LoadedPlugin>> out;
          for (const auto& id : manager_->loaded()) out.push_back(manager_->Get(id));
          return out;
        },
        catalog_);
  }
  std::string Id(const std::string& title) { return catalog::TrackId(1, title + ".ogg"); }

  testing::TempDir dir_;
  std::shared_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<PluginManager> manager_;
  std::unique_ptr<TrackQueries> queries_;
};

TEST_F(TrackQueriesTest, LyricsAnswerOrFallThrough) {
  auto lyrics = queries_->Lyrics(Id("First")).value();
  EXPECT_EQ(lyrics.plugin, "words");
  ASSERT_EQ(lyrics.value.size(), 1u);
  EXPECT_EQ(lyrics.value[0]["text"], "[00:01.00]First by Band");
  EXPECT_EQ(lyrics.value[0]["lang"], "en");
  auto none = queries_->Lyrics(Id("Second")).value();
  EXPECT_EQ(none.plugin, "");
  ASSERT_EQ(none.attempts.size(), 1u);
  EXPECT_EQ(none.attempts[0].second, "no lyrics");
  EXPECT_EQ(queries_->Lyrics("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(TrackQueriesTest, AtMostTwoLyricsCallsAtOncePerPlugin) {
  std::vector<std::thread> callers;
  for (int i = 0; i < 6; ++i) callers.emplace_back([&] { EXPECT_TRUE(queries_->Lyrics(Id("slow")).ok()); });
  for (auto& t : callers) t.join();
  EXPECT_EQ(queries_->PeakLyricsCalls(), TrackQueries::kLyricsCallsPerPlugin);
}

TEST_F(TrackQueriesTest, SimilarSongsAndPathsResolvedInTheCatalog) {
  auto similar = queries_->Similar(Id("First"), 3).value();
  EXPECT_EQ(similar.plugin, "words");
  ASSERT_EQ(similar.value.size(), 3u);
  EXPECT_EQ(similar.value[0]["song"]["name"], "Second");
  EXPECT_EQ(similar.value[0]["trackId"], Id("Second"));
  EXPECT_DOUBLE_EQ(similar.value[0]["similarity"].get<double>(), 0.9);
  EXPECT_TRUE(similar.value[1]["trackId"].is_null());
  auto path = queries_->Path(Id("First"), Id("slow"), 5).value();
  ASSERT_EQ(path.value.size(), 3u);
  EXPECT_EQ(path.value[0]["trackId"], Id("First")) << "by the ID the host sent";
  EXPECT_EQ(path.value[1]["trackId"], Id("Second"));
  EXPECT_EQ(path.value[2]["trackId"], Id("slow"));
}

}  // namespace
}  // namespace pier::music
