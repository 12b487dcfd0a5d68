// Reading audio files with TagLib: tags, audio properties and embedded
// cover art, for the scanner and the artwork endpoint.
//
//   auto t = ReadAudioFile(path);   // fills title, artists, MusicBrainz IDs, duration…
//   auto picture = ReadEmbeddedPicture(path);
//
// Hostile files: TagLib reads headers and frames only; a file it cannot open
// as audio (corrupt, truncated, not audio) is an error, never a crash. Text is
// TagLib's UTF-8; lists keep every value of a multi-valued tag.
//
// Thread-safe: no shared state (each call opens its own file).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "pier/status.h"

namespace pier::catalog {

// Audio file extensions the scanner reads (lower case, without the dot).
bool IsAudioExtension(std::string_view extension);

// The file's tags and audio properties in a Track (ID, library, path, album
// and artist IDs and timestamps are left to the caller). InvalidArgument when
// TagLib cannot read it as audio.
Result<Track> ReadAudioFile(const std::filesystem::path& file);

struct Picture {
  std::string data;
  std::string mime;  // image/jpeg, image/png, … (sniffed from the bytes)
};
// The front cover (or else the first picture) embedded in the file.
std::optional<Picture> ReadEmbeddedPicture(const std::filesystem::path& file);

// image/jpeg, image/png, image/gif, image/webp or "" from the first bytes.
std::string SniffImageType(std::string_view bytes);

}  // namespace pier::catalog
