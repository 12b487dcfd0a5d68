// CatalogSubsonicRouter: a Subsonic API 1.16.1 server over Pier's reference
// catalog, in-process, for the SubsonicAPI service: ping, getLicense,
// getMusicFolders, getArtists, getArtist, getAlbum, getSong, getAlbumList2,
// getRandomSongs, search3, getUser and getCoverArt, in the JSON (f=json),
// JSONP or XML (default) shapes Subsonic clients read.
//
//   auto router = std::make_shared<CatalogSubsonicRouter>(catalog);
//   SubsonicResponse r = router->Handle({.endpoint = "getAlbum", .params = {{"id", id}, {"f", "json"}},
//                                        .user_name = "alice"});
//
// The user's own library list (pier.toml [[user]] libraries) limits what it
// sees. Errors are Subsonic error documents (codes 0, 10, 50, 70); an unknown
// endpoint is a plain-text 404, as a Go HTTP router answers.
//
// Thread-safe.
#pragma once

#include <memory>

#include "catalog/catalog.h"
#include "pier/subsonic.h"

namespace pier::music {

class CatalogSubsonicRouter final : public SubsonicRouter {
 public:
  explicit CatalogSubsonicRouter(std::shared_ptr<catalog::Catalog> catalog) : catalog_(std::move(catalog)) {}
  SubsonicResponse Handle(const SubsonicRequest& request) override;

 private:
  const std::shared_ptr<catalog::Catalog> catalog_;
};

// The Subsonic XML form of a JSON response document ({"subsonic-response": …}):
// scalars become attributes, objects and arrays child elements.
std::string SubsonicJsonToXml(const nlohmann::json& document);

}  // namespace pier::music
