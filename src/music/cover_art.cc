#include "music/cover_art.h"

#include <Magick++.h>

#include <fstream>
#include <mutex>
#include <sstream>

namespace pier::music {

namespace {

constexpr int64_t kMaxCoverFileBytes = 32 << 20;

Result<catalog::Picture> ReadImageFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cover image is gone: " + path);
  in.seekg(0, std::ios::end);
  const auto size = static_cast<int64_t>(in.tellg());
  if (size < 0 || size > kMaxCoverFileBytes) return NotFoundError("cover image too large: " + path);
  in.seekg(0);
  catalog::Picture p;
  p.data.resize(static_cast<size_t>(size));
  in.read(p.data.data(), size);
  p.mime = catalog::SniffImageType(p.data);
  if (p.mime.empty()) return NotFoundError("cover file is not an image: " + path);
  return p;
}

Result<catalog::Picture> TrackPicture(catalog::Catalog& c, const catalog::Track& t) {
  auto library = c.GetLibrary(t.library_id);
  if (!library.ok()) return library.status();
  if (!*library) return NotFoundError("library gone");
  if (auto p = catalog::ReadEmbeddedPicture((*library)->path / t.path)) return *p;
  return NotFoundError("track has no picture");
}

Result<catalog::Picture> AlbumPicture(catalog::Catalog& c, const catalog::Album& a, const catalog::LibraryScope& scope) {
  if (!a.cover_file.empty()) {
    auto p = ReadImageFile(a.cover_file);
    if (p.ok()) return p;
  }
  if (!a.cover_track_id.empty()) {
    PIER_ASSIGN_OR_RETURN(auto t, c.GetTrack(a.cover_track_id, scope));
    if (t) return TrackPicture(c, *t);
  }
  return NotFoundError("album has no cover art");
}

void InitMagick() {
  static std::once_flag once;
  std::call_once(once, [] { Magick::InitializeMagick(nullptr); });
}

}  // namespace

Result<catalog::Picture> LoadArtwork(catalog::Catalog& c, const ArtworkId& id, const catalog::LibraryScope& scope) {
  if (id.kind == "mf") {
    PIER_ASSIGN_OR_RETURN(auto t, c.GetTrack(id.id, scope));
    if (!t) return NotFoundError("track not found");
    if (t->has_cover_art) {
      auto p = TrackPicture(c, *t);
      if (p.ok()) return p;
    }
    PIER_ASSIGN_OR_RETURN(auto a, c.GetAlbum(t->album_id, scope));
    if (a) return AlbumPicture(c, *a, scope);
    return NotFoundError("track has no cover art");
  }
  if (id.kind == "al") {
    PIER_ASSIGN_OR_RETURN(auto a, c.GetAlbum(id.id, scope));
    if (!a) return NotFoundError("album not found");
    return AlbumPicture(c, *a, scope);
  }
  if (id.kind == "ar") {
    PIER_ASSIGN_OR_RETURN(auto albums, c.ArtistAlbums(id.id, scope));
    for (const auto& a : albums) {
      auto p = AlbumPicture(c, a, scope);
      if (p.ok()) return p;
    }
    return NotFoundError("artist has no image");
  }
  return NotFoundError("no artwork of kind " + id.kind);  // playlists: the catalog has none
}

Result<catalog::Picture> ResizeImage(const catalog::Picture& picture, int size) {
  InitMagick();
  size = std::clamp(size, 1, kMaxImageSide);
  try {
    Magick::Blob in(picture.data.data(), picture.data.size());
    Magick::Image image;
    image.ping(in);  // dimensions only
    const int64_t w = image.columns(), h = image.rows();
    if (w <= 0 || h <= 0 || w * h > kMaxImagePixels) {
      return InvalidArgumentError("image of " + std::to_string(w) + "x" + std::to_string(h) + " pixels refused");
    }
    if (std::max(w, h) <= size) return picture;
    image.read(in);
    image.resize(Magick::Geometry(static_cast<unsigned>(size), static_cast<unsigned>(size)));
    const bool jpeg = picture.mime == "image/jpeg";
    image.magick(jpeg ? "JPEG" : "PNG");
    if (jpeg) image.quality(85);
    Magick::Blob out;
    image.write(&out);
    return catalog::Picture{std::string(static_cast<const char*>(out.data()), out.length()),
                            jpeg ? "image/jpeg" : "image/png"};
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("cannot resize image: ") + e.what());
  }
}

}  // namespace pier::music
