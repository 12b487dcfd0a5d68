// The catalog and its scanner over real files: sox tones tagged by TagLib,
// a real SQLite catalog, rescans after changes, hostile trees.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "catalog/catalog.h"
#include "catalog/scanner.h"
#include "catalog/tags.h"
#include "music/fixtures.h"
#include "support/temp_dir.h"

namespace pier::catalog {
namespace {

using pier::testing::MakeTrack;
using pier::testing::TrackTags;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pier::testing::HaveSox()) << "sox is not installed (scripts/setup.sh installs it)";
    music_ = dir_.path() / "music";
    std::filesystem::create_directories(music_);
    auto c = Catalog::Open(dir_.path() / "catalog.db");
    ASSERT_TRUE(c.ok()) << c.status().message();
    catalog_ = std::move(*c);
    ASSERT_TRUE(catalog_->SyncLibraries({{.id = 1, .name = "Music", .path = music_}}).ok());
  }

  ScanReport Scan(ScanOptions options = {}) {
    auto library = catalog_->GetLibrary(1);
    EXPECT_TRUE(library.ok() && library->has_value());
    auto report = ScanLibrary(*catalog_, **library, options);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? *report : ScanReport{};
  }

  pier::testing::TempDir dir_;
  std::filesystem::path music_;
  std::unique_ptr<Catalog> catalog_;
  LibraryScope all_;
};

TEST_F(CatalogTest, ReadsTagsOfEveryFormat) {
  ASSERT_TRUE(MakeTrack(music_ / "A/One/01.flac",
                        {.title = "Flac Song", .artist = "Ärtist", .album = "One", .track = 1, .year = 2001,
                         .genre = "Rock", .mbid = "0f3a8f2e-1111-4a4a-9b9b-000000000001", .isrc = "US-ABC-01-00001",
                         .seconds = 2.0}));
  ASSERT_TRUE(MakeTrack(music_ / "A/One/02.mp3", {.title = "Mp3 Song", .artist = "Ärtist", .album = "One", .track = 2}));
  ASSERT_TRUE(MakeTrack(music_ / "A/One/03.ogg", {.title = "Ogg Song", .artist = "Ärtist", .album = "One", .track = 3}));
  ASSERT_TRUE(MakeTrack(music_ / "B/untagged.wav", {}));
  const ScanReport r = Scan();
  EXPECT_EQ(r.files, 4);
  EXPECT_EQ(r.added, 4);
  EXPECT_TRUE(r.problems.empty()) << r.problems[0].path << ": " << r.problems[0].message;

  auto t = catalog_->GetTrack(TrackId(1, "A/One/01.flac"), all_);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->title, "Flac Song");
  EXPECT_EQ((*t)->artist, "Ärtist");
  EXPECT_EQ((*t)->album, "One");
  EXPECT_EQ((*t)->track_number, 1);
  EXPECT_EQ((*t)->year, 2001);
  EXPECT_EQ((*t)->genre, "Rock");
  EXPECT_EQ((*t)->mbz_recording_id, "0f3a8f2e-1111-4a4a-9b9b-000000000001");
  EXPECT_EQ((*t)->isrc, "USABC0100001");
  EXPECT_EQ((*t)->suffix, "flac");
  EXPECT_EQ((*t)->content_type, "audio/flac");
  EXPECT_NEAR((*t)->duration, 2.0, 0.05);
  EXPECT_EQ((*t)->sample_rate, 44100);
  EXPECT_EQ((*t)->channels, 2);

  auto wav = catalog_->GetTrack(TrackId(1, "B/untagged.wav"), all_);
  ASSERT_TRUE(wav.ok() && wav->has_value());
  EXPECT_EQ((*wav)->title, "untagged");  // the file name stands in
  EXPECT_EQ((*wav)->artist, "[Unknown Artist]");

  auto album = catalog_->GetAlbum(AlbumId(1, "Ärtist", "One"), all_);
  ASSERT_TRUE(album.ok() && album->has_value());
  EXPECT_EQ((*album)->song_count, 3);
  auto tracks = catalog_->AlbumTracks((*album)->id, all_);
  ASSERT_TRUE(tracks.ok());
  ASSERT_EQ(tracks->size(), 3u);
  EXPECT_EQ((*tracks)[1].title, "Mp3 Song");

  auto libraries = catalog_->Libraries();
  ASSERT_TRUE(libraries.ok());
  EXPECT_EQ((*libraries)[0].songs, 4);
  EXPECT_EQ((*libraries)[0].albums, 2);
  EXPECT_EQ((*libraries)[0].artists, 2);
  EXPECT_GT((*libraries)[0].last_scan_at, 0);
  EXPECT_GT((*libraries)[0].size, 0);
}

TEST_F(CatalogTest, RescanSeesAddedChangedAndRemovedFilesOnly) {
  ASSERT_TRUE(MakeTrack(music_ / "x/1.flac", {.title = "First", .artist = "X", .album = "Y"}));
  ASSERT_TRUE(MakeTrack(music_ / "x/2.flac", {.title = "Second", .artist = "X", .album = "Y"}));
  ASSERT_EQ(Scan().added, 2);
  const ScanReport again = Scan();
  EXPECT_EQ(again.unchanged, 2);
  EXPECT_EQ(again.added + again.updated + again.removed, 0);

  ASSERT_TRUE(MakeTrack(music_ / "x/3.mp3", {.title = "Third", .artist = "X", .album = "Y"}));
  std::filesystem::remove(music_ / "x/1.flac");
  sleep(1);  // a different modification time, whatever the file system's resolution
  ASSERT_TRUE(MakeTrack(music_ / "x/2.flac", {.title = "Second, retitled", .artist = "X", .album = "Y"}));
  const ScanReport r = Scan();
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.removed, 1);
  EXPECT_EQ(r.files, 2);
  auto two = catalog_->GetTrack(TrackId(1, "x/2.flac"), all_);
  ASSERT_TRUE(two.ok() && two->has_value());
  EXPECT_EQ((*two)->title, "Second, retitled");
  EXPECT_FALSE(catalog_->GetTrack(TrackId(1, "x/1.flac"), all_)->has_value());
  auto album = catalog_->GetAlbum(AlbumId(1, "X", "Y"), all_);
  ASSERT_TRUE(album.ok() && album->has_value());
  EXPECT_EQ((*album)->song_count, 2);
}

TEST_F(CatalogTest, HostileFilesAndFoldersAreSkippedAndReported) {
  ASSERT_TRUE(MakeTrack(music_ / "ok/good.flac", {.title = "Good", .artist = "G", .album = "H"}));
  {  // not audio at all, named like audio
    std::ofstream(music_ / "ok/fake.mp3") << "this is not an mp3";
  }
  {  // a real file cut short
    ASSERT_TRUE(MakeTrack(music_ / "ok/whole.flac", {.title = "Whole", .seconds = 3}));
    std::filesystem::resize_file(music_ / "ok/whole.flac", 100);
  }
  {  // an empty file
    std::ofstream(music_ / "ok/empty.ogg");
  }
  // A symbolic link loop and a link to the library itself.
  std::filesystem::create_directory_symlink(music_ / "ok", music_ / "ok/loop");
  std::filesystem::create_directory_symlink(music_, music_ / "root-again");
  std::filesystem::create_symlink(music_ / "nowhere.flac", music_ / "ok/dangling.flac");
  // An unreadable folder (root reads everything: then it is only listed).
  std::filesystem::create_directories(music_ / "locked");
  ASSERT_TRUE(MakeTrack(music_ / "locked/in.flac", {.title = "Locked"}));
  chmod((music_ / "locked").c_str(), 0);

  const ScanReport r = Scan();
  chmod((music_ / "locked").c_str(), 0755);
  std::set<std::string> problem_paths;
  for (const auto& p : r.problems) problem_paths.insert(p.path);
  EXPECT_TRUE(problem_paths.contains("ok/fake.mp3"));
  EXPECT_TRUE(problem_paths.contains("ok/empty.ogg"));
  EXPECT_TRUE(problem_paths.contains("ok/dangling.flac"));
  EXPECT_TRUE(problem_paths.contains("ok/loop") || problem_paths.contains("root-again"));
  EXPECT_TRUE(catalog_->GetTrack(TrackId(1, "ok/good.flac"), all_)->has_value());
  // Each real file is catalogued once, whatever links lead to it again.
  auto found = catalog_->SearchTracks("Good", 10, 0, all_);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 1u);
  EXPECT_FALSE(catalog_->GetTrack(TrackId(1, "ok/fake.mp3"), all_)->has_value());
}

TEST_F(CatalogTest, FilesOverTheSizeLimitAreSkipped) {
  ASSERT_TRUE(MakeTrack(music_ / "big.flac", {.title = "Big", .seconds = 2}));
  ASSERT_TRUE(MakeTrack(music_ / "small.mp3", {.title = "Small", .seconds = 0.1}));
  ScanOptions options;
  options.max_file_bytes = static_cast<int64_t>(std::filesystem::file_size(music_ / "big.flac")) - 1;
  const ScanReport r = Scan(options);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].path, "big.flac");
  EXPECT_NE(r.problems[0].message.find("exceeds the limit"), std::string::npos);
  EXPECT_EQ(r.files, 1);
}

TEST_F(CatalogTest, ProgressIsReportedAndACancelledScanKeepsWhatItRead) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(MakeTrack(music_ / (std::to_string(i) + ".ogg"), {.seconds = 0.1}));
  std::vector<ScanProgress> seen;
  ScanOptions options;
  options.progress_every = 2;
  options.progress = [&](const ScanProgress& p) { seen.push_back(p); };
  int asked = 0;
  options.cancelled = [&] { return ++asked > 3; };
  const ScanReport r = Scan(options);
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.added, 3);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().seen, 5);
  EXPECT_EQ(catalog_->GetLibrary(1).value()->last_scan_at, 0) << "a cancelled scan records no scan time";
  const ScanReport rest = Scan();
  EXPECT_EQ(rest.added, 2);
  EXPECT_EQ(rest.unchanged, 3);
}

TEST_F(CatalogTest, AnUnreadableLibraryFolderRemovesNothing) {
  ASSERT_TRUE(MakeTrack(music_ / "a.flac", {.title = "Kept"}));
  ASSERT_EQ(Scan().added, 1);
  std::filesystem::rename(music_, dir_.path() / "unmounted");
  const ScanReport r = Scan();
  EXPECT_EQ(r.removed, 0);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_TRUE(catalog_->GetTrack(TrackId(1, "a.flac"), all_)->has_value());
}

TEST_F(CatalogTest, EmbeddedAndFolderCoversAreFound) {
  ASSERT_TRUE(MakeTrack(music_ / "P/Pics/1.mp3", {.title = "Pic", .artist = "P", .album = "Pics", .picture = true}));
  ASSERT_TRUE(MakeTrack(music_ / "F/Folder/1.flac", {.title = "Fold", .artist = "F", .album = "Folder"}));
  ASSERT_TRUE(pier::testing::WriteImage(music_ / "F/Folder/Cover.JPG", 50, 40));
  Scan();
  auto pics = catalog_->GetAlbum(AlbumId(1, "P", "Pics"), all_);
  ASSERT_TRUE(pics.ok() && pics->has_value());
  EXPECT_EQ((*pics)->cover_track_id, TrackId(1, "P/Pics/1.mp3"));
  auto picture = ReadEmbeddedPicture(music_ / "P/Pics/1.mp3");
  ASSERT_TRUE(picture.has_value());
  EXPECT_EQ(picture->mime, "image/jpeg");
  EXPECT_EQ(pier::testing::ImageSize(picture->data), std::make_pair(300, 300));
  auto folder = catalog_->GetAlbum(AlbumId(1, "F", "Folder"), all_);
  ASSERT_TRUE(folder.ok() && folder->has_value());
  EXPECT_EQ((*folder)->cover_file, (music_ / "F/Folder/Cover.JPG").string());
}

TEST_F(CatalogTest, ScopesHideOtherLibraries) {
  const auto second = dir_.path() / "second";
  ASSERT_TRUE(catalog_->SyncLibraries({{.id = 1, .name = "Music", .path = music_}, {.id = 2, .name = "Two", .path = second}}).ok());
  ASSERT_TRUE(MakeTrack(music_ / "a.flac", {.title = "In One", .artist = "Same", .album = "Same"}));
  ASSERT_TRUE(MakeTrack(second / "b.flac", {.title = "In Two", .artist = "Same", .album = "Same"}));
  Scan();
  ASSERT_TRUE(ScanLibrary(*catalog_, *catalog_->GetLibrary(2).value(), {}).ok());
  const LibraryScope only_one{.all = false, .ids = {1}};
  auto tracks = catalog_->SearchTracks("", 10, 0, only_one);
  ASSERT_TRUE(tracks.ok());
  ASSERT_EQ(tracks->size(), 1u);
  EXPECT_EQ((*tracks)[0].title, "In One");
  EXPECT_FALSE(catalog_->GetTrack(TrackId(2, "b.flac"), only_one)->has_value());
  EXPECT_TRUE(catalog_->GetTrack(TrackId(2, "b.flac"), all_)->has_value());
  const LibraryScope none{.all = false, .ids = {}};
  EXPECT_TRUE(catalog_->SearchTracks("", 10, 0, none)->empty());
  // Removing a library from the configuration removes its tracks.
  ASSERT_TRUE(catalog_->SyncLibraries({{.id = 1, .name = "Music", .path = music_}}).ok());
  EXPECT_FALSE(catalog_->GetTrack(TrackId(2, "b.flac"), all_)->has_value());
}

TEST(NormaliseTitle, FoldsCaseAccentsAndPunctuation) {
  EXPECT_EQ(NormaliseTitle("Café  del   Mar!"), "cafe del mar");
  EXPECT_EQ(NormaliseTitle("DON'T STOP"), "don t stop");
  EXPECT_EQ(NormaliseTitle("Ünïcødé"), "unicode");
  EXPECT_EQ(NormaliseTitle(""), "");
}

}  // namespace
}  // namespace pier::catalog
