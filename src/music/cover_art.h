// Cover art of the reference catalog: the image behind an artwork ID
// (embedded in a track, or a cover file next to an album's tracks), resized
// on request with GraphicsMagick.
//
//   auto picture = LoadArtwork(catalog, {"al", album_id}, scope).value();
//   auto small = ResizeImage(picture, 300).value();   // longest side 300 px
//
// Hostile images: dimensions are read first and images over kMaxImagePixels
// are refused before they are decoded; GraphicsMagick errors are statuses.
// Thread-safe.
#pragma once

#include "catalog/catalog.h"
#include "catalog/tags.h"
#include "music/artwork_token.h"

namespace pier::music {

inline constexpr int64_t kMaxImagePixels = 64'000'000;
inline constexpr int kMaxImageSide = 4096;  // a requested size is clamped to this

// NotFound when the item does not exist, is outside `scope`, or has no image.
Result<catalog::Picture> LoadArtwork(catalog::Catalog& catalog, const ArtworkId& id, const catalog::LibraryScope& scope);

// Scales the picture so its longest side is `size` pixels (never enlarging);
// JPEG stays JPEG, anything else becomes PNG.
Result<catalog::Picture> ResizeImage(const catalog::Picture& picture, int size);

}  // namespace pier::music
