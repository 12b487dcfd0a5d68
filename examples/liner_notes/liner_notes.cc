// Liner notes: a MetadataAgent that answers from the host's own library,
// through the Subsonic API (acting for the configured user): an artist's
// biography lists their albums, an album's info its year and tracks. Any
// other question is "not implemented", so the agent chain moves on.
//
//   pier agent artist-biography "Miles Davis" --config pier.toml
#include <string>

#include "pier/capabilities/metadata_agent.h"
#include "pier/host/subsonicapi.h"
#include "pier/pdk.h"
#include "pier/pdk/json.h"
#include "pier/url.h"

namespace pdk = pier::pdk;

namespace {

pier::Result<nlohmann::json> Subsonic(const std::string& endpoint, const std::string& query) {
  const std::string user = pdk::Config("user").value_or("");
  if (user.empty()) return pier::FailedPreconditionError("set the user the agent reads the library as (config user)");
  PIER_ASSIGN_OR_RETURN(std::string body, pier::host::SubsonicAPICall(endpoint + "?u=" + pier::PercentEncode(user) + "&" + query));
  PIER_ASSIGN_OR_RETURN(nlohmann::json doc, pdk::ParseJson(body));
  nlohmann::json r = doc["subsonic-response"];
  if (r.value("status", "") != "ok") return pier::UnavailableError(r["error"].value("message", "Subsonic API error"));
  return r;
}

class LinerNotes : public pier::capabilities::MetadataAgent {
 public:
  pier::Result<std::optional<pier::wire::ArtistBiographyResponse>> GetArtistBiography(
      const pier::wire::ArtistRequest& r) override {
    PIER_ASSIGN_OR_RETURN(auto found, Subsonic("search3", "artistCount=1&albumCount=0&songCount=0&query=" + pier::PercentEncode(r.name)));
    const auto artists = found["searchResult3"].value("artist", nlohmann::json::array());
    if (artists.empty()) return std::optional<pier::wire::ArtistBiographyResponse>();  // not found: the next agent may know
    PIER_ASSIGN_OR_RETURN(auto artist, Subsonic("getArtist", "id=" + pier::PercentEncode(artists[0].value("id", ""))));
    std::string text = artists[0].value("name", r.name) + " in this library:";
    for (const auto& a : artist["artist"].value("album", nlohmann::json::array())) {
      text += " " + a.value("name", "?");
      if (a.contains("year")) text += " (" + std::to_string(a["year"].get<int>()) + ")";
      text += ",";
    }
    text.back() = '.';
    return std::optional(pier::wire::ArtistBiographyResponse{text});
  }

  pier::Result<std::optional<pier::wire::AlbumInfoResponse>> GetAlbumInfo(const pier::wire::AlbumRequest& r) override {
    PIER_ASSIGN_OR_RETURN(auto found, Subsonic("search3", "artistCount=0&songCount=0&albumCount=20&query=" + pier::PercentEncode(r.name)));
    for (const auto& a : found["searchResult3"].value("album", nlohmann::json::array())) {
      if (!r.artist.empty() && a.value("artist", "") != r.artist) continue;
      pier::wire::AlbumInfoResponse out;
      out.name = a.value("name", r.name);
      out.mbid = a.value("musicBrainzId", "");
      out.description = out.name + " by " + a.value("artist", "?") + ": " + std::to_string(a.value("songCount", 0)) +
                        " tracks, " + std::to_string(a.value("duration", 0) / 60) + " min.";
      return std::optional(out);
    }
    return std::optional<pier::wire::AlbumInfoResponse>();
  }
};

}  // namespace

PIER_REGISTER_METADATA_AGENT(LinerNotes);
