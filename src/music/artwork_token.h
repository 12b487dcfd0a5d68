// Artwork tokens: the non-expiring JWTs (HS256, issuer "ND") inside the
// public image URLs the Artwork service hands out, with the artwork ID
// ("al-<id>_0") in their `id` claim; and their verification by the image
// endpoint (/share/img/<token>).
//
//   ArtworkUrls urls{.base_url = [] { return std::string("http://127.0.0.1:4533"); }, .secret = secret};
//   std::string url = urls.Url("al", album_id, 300);   // …/share/img/eyJ…?size=300
//   auto id = VerifyArtworkToken(token, secret);       // "al-<album_id>_0"
//
// Thread-safe (no state).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "pier/status.h"

namespace pier::music {

struct ArtworkUrls {
  // "<scheme>://<host>[/<path>]" without a trailing '/', asked at every URL
  // (a server learns its port after plugins load); unset or "": http://localhost.
  std::function<std::string()> base_url;
  std::string secret;  // the HMAC key

  // kind: ar (artist), al (album), mf (track), pl (playlist). size 0 = original.
  std::string Url(std::string_view kind, std::string_view id, int32_t size) const;
};

std::string SignArtworkToken(std::string_view artwork_id, std::string_view secret);
// The `id` claim of a well-formed token signed with `secret`; PermissionDenied otherwise.
Result<std::string> VerifyArtworkToken(std::string_view token, std::string_view secret);

// The kind and ID inside an artwork ID ("al-abc_0" → {"al", "abc"}); InvalidArgument if malformed.
struct ArtworkId {
  std::string kind, id;
};
Result<ArtworkId> ParseArtworkId(std::string_view artwork_id);

// The host secret in `file`, created (32 random bytes, hex, mode 0600) when missing.
Result<std::string> LoadOrCreateSecret(const std::filesystem::path& file);

}  // namespace pier::music
