// The reference catalog as the `pier` commands use it: <data>/catalog.db with
// the libraries and users of pier.toml, and the music host over it (artwork
// secret in <data>/secret, created 0600 on first use).
//
//   auto catalog = OpenCatalog(config, /*sync=*/true).value();
//   auto music = MakeMusicHost(catalog, config.data_folder, [] { return base; }).value();
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "catalog/scanner.h"
#include "config/pier_config.h"
#include "music/catalog_music_host.h"
#include "music/play_store.h"

namespace pier::cli {

// sync: make the stored libraries and users exactly the configuration's
// (commands without a configuration file leave them as they are).
Result<std::shared_ptr<catalog::Catalog>> OpenCatalog(const PierConfig& config, bool sync);

struct MusicHostParts {
  std::shared_ptr<music::CatalogMusicHost> host;
  std::string secret;
  std::shared_ptr<music::PlayStore> plays;  // <data>/plays.db: play history, scrobble retry buffer
};
Result<MusicHostParts> MakeMusicHost(std::shared_ptr<catalog::Catalog> catalog, const std::filesystem::path& data_folder,
                                     std::function<std::string()> share_base);

// Scans every library (or only `only`, when not 0), printing progress lines
// to `progress` when set. Returns the reports; an unknown `only` is NotFound.
Result<std::vector<catalog::ScanReport>> ScanLibraries(catalog::Catalog& catalog, int32_t only, bool full,
                                                       std::function<void(const catalog::ScanProgress&)> progress,
                                                       std::function<bool()> cancelled = {});

}  // namespace pier::cli
