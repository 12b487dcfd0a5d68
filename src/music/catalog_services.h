// The music host services over Pier's reference catalog, each for one
// plugin's scope. CatalogMusicHost (catalog_music_host.h) puts them together;
// they are separate so an embedder can take some of them and write others.
//
//   auto library = MakeLibraryService(catalog, scope);
//
// Thread-safe: they only read the catalog (itself thread-safe).
#pragma once

#include <memory>

#include "catalog/catalog.h"
#include "music/artwork_token.h"
#include "pier/music_host.h"
#include "pier/wire/types.h"

namespace pier::music {

// Go's zero time in Unix seconds: the lastScanAt of a never-scanned library.
inline constexpr int64_t kNeverScanned = -62135596800;

catalog::LibraryScope ScopeOf(const MusicScope& scope);

std::unique_ptr<services::LibraryService> MakeLibraryService(std::shared_ptr<catalog::Catalog> catalog, MusicScope scope);
std::unique_ptr<services::UsersService> MakeUsersService(std::shared_ptr<catalog::Catalog> catalog, MusicScope scope);
std::unique_ptr<services::ArtworkService> MakeArtworkService(ArtworkUrls urls);
std::unique_ptr<services::MatcherService> MakeMatcherService(std::shared_ptr<catalog::Catalog> catalog, MusicScope scope);
class PlayStore;
std::unique_ptr<services::ScrobbleRetrieverService> MakeScrobbleRetrieverService(std::shared_ptr<catalog::Catalog> catalog,
                                                                                 std::shared_ptr<PlayStore> plays,
                                                                                 MusicScope scope);

// Song references from plugins resolved against the whole catalog by the
// Matcher's rules: one track ID per song, nullopt where none matches (or the
// lookup failed).
std::vector<std::optional<std::string>> ResolveSongs(std::shared_ptr<catalog::Catalog> catalog,
                                                     std::vector<wire::SongRef> songs);

// A catalog track as plugins see it (path only with filesystem access).
wire::Track ToWireTrack(const catalog::Track& t, const std::string& library_name, bool with_path);

}  // namespace pier::music
