// Audio fixtures made at run time: sox synthesises short tones in several
// formats, TagLib writes the tags (and embedded pictures) the tests read back,
// GraphicsMagick draws cover images.
//
//   MakeTrack(root / "Artist/Album/01.flac", {.title = "One", .artist = "A", .album = "Al", .track = 1});
//   WriteImage(root / "Artist/Album/cover.jpg", 600, 400);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pier::testing {

struct TrackTags {
  std::string title, artist, album, album_artist;
  std::vector<std::string> artists;  // several ARTISTS values when set
  int track = 0, disc = 0, year = 0;
  std::string genre;
  std::string mbid;       // MUSICBRAINZ_TRACKID
  std::string album_mbid; // MUSICBRAINZ_ALBUMID
  std::string isrc;
  double seconds = 1.0;
  bool picture = false;   // embed a 300x300 JPEG front cover (mp3, flac)
};

// Writes an audio file (format from the extension: flac, mp3, ogg, wav) with
// the tags. Fails the test (ADD_FAILURE) and returns false if a tool fails.
bool MakeTrack(const std::filesystem::path& file, const TrackTags& tags);
// A JPEG (or PNG, by extension) of width x height.
bool WriteImage(const std::filesystem::path& file, int width, int height);
std::string JpegBytes(int width, int height);
// Dimensions of an encoded image (0x0 when it is not one).
std::pair<int, int> ImageSize(const std::string& bytes);

// sox and its formats are installed (scripts/setup.sh).
bool HaveSox();

}  // namespace pier::testing
