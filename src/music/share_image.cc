#include "music/share_image.h"

#include <charconv>

#include "music/artwork_token.h"
#include "music/cover_art.h"

namespace pier::music {

void AddShareImageRoute(http::Router& router, std::shared_ptr<catalog::Catalog> catalog, std::string secret) {
  router.Add("GET", R"(/share/img/([^/]+))", [catalog, secret](const http::HttpRequest& q, http::HttpResponse& a) {
    auto fail = [&](int status, std::string message) {
      a.status = status;
      a.content_type = "text/plain; charset=utf-8";
      a.body = std::move(message) + "\n";
    };
    auto id = VerifyArtworkToken(q.params[0], secret);
    if (!id.ok()) return fail(403, id.status().message());
    auto artwork = ParseArtworkId(*id);
    if (!artwork.ok()) return fail(404, artwork.status().message());
    auto picture = LoadArtwork(*catalog, *artwork, catalog::LibraryScope{});
    if (!picture.ok()) return fail(404, picture.status().message());
    if (q.HasQuery("size")) {
      const std::string text = q.Query("size");
      int size = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
      if (ec != std::errc() || end != text.data() + text.size() || size < 0) return fail(400, "size must be a number");
      if (size > 0) {
        auto resized = ResizeImage(*picture, size);
        if (!resized.ok()) return fail(500, resized.status().message());
        picture = std::move(*resized);
      }
    }
    a.content_type = picture->mime;
    a.body = std::move(picture->data);
    a.headers.emplace_back("Cache-Control", "public, max-age=315360000");
  });
}

}  // namespace pier::music
