// CatalogMusicHost: the music services of `pier serve`, all over Pier's
// reference catalog — Library (with /libraries/<id> mounts), Users, Artwork
// (URLs the host's /share/img endpoint answers), SubsonicAPI (an in-process
// router; the catalog's own unless another is given) and Matcher.
//
//   auto catalog = std::shared_ptr(catalog::Catalog::Open(data / "catalog.db").value());
//   auto music = std::make_shared<CatalogMusicHost>(catalog, CatalogMusicOptions{.artwork = urls});
//   manager_options.music = music;
//
// Thread-safe.
#pragma once

#include <memory>

#include "catalog/catalog.h"
#include "music/artwork_token.h"
#include "pier/music_host.h"
#include "pier/subsonic.h"

namespace pier::music {

class PlayStore;

struct CatalogMusicOptions {
  ArtworkUrls artwork;
  std::shared_ptr<PlayStore> plays;  // the play history behind ScrobbleRetriever; null: not available
  std::shared_ptr<SubsonicRouter> router;  // null: a CatalogSubsonicRouter over the catalog
};

class CatalogMusicHost final : public MusicHost {
 public:
  CatalogMusicHost(std::shared_ptr<catalog::Catalog> catalog, CatalogMusicOptions options);
  Result<MusicServiceSet> ForPlugin(const MusicScope& scope) override;

  catalog::Catalog& catalog() { return *catalog_; }

 private:
  const std::shared_ptr<catalog::Catalog> catalog_;
  const CatalogMusicOptions options_;
};

}  // namespace pier::music
