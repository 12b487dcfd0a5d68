// Library report: the music services from a C++ plugin. `report` lists the
// libraries the plugin may see and, through the Subsonic API acting for the
// configured user, the newest albums; `cover` gives an album's artwork URL.
//
//   pier call build/packages/library_report.ndp report --data data --all-libraries --all-users --config user=alice
#include <string>

#include "pier/host/artwork.h"
#include "pier/host/library.h"
#include "pier/host/subsonicapi.h"
#include "pier/pdk.h"
#include "pier/pdk/json.h"

namespace pdk = pier::pdk;

PIER_FUNCTION(report) {
  PIER_ASSIGN_OR_RETURN(auto libraries, pier::host::LibraryGetAllLibraries());
  nlohmann::json out = {{"libraries", nlohmann::json::array()}, {"newest", nlohmann::json::array()}};
  for (const auto& l : libraries) {
    out["libraries"].push_back({{"id", l.id}, {"name", l.name}, {"songs", l.total_songs}, {"albums", l.total_albums}});
  }
  const std::string user = pdk::Config("user").value_or("");
  if (!user.empty()) {
    PIER_ASSIGN_OR_RETURN(std::string body, pier::host::SubsonicAPICall("getAlbumList2?type=newest&size=5&u=" + user));
    PIER_ASSIGN_OR_RETURN(nlohmann::json doc, pdk::ParseJson(body));
    const nlohmann::json& r = doc["subsonic-response"];
    if (r.value("status", "") != "ok") {
      return pier::FailedPreconditionError("the Subsonic API refused: " + r["error"].value("message", "?"));
    }
    for (const auto& a : r["albumList2"].value("album", nlohmann::json::array())) {
      out["newest"].push_back(a.value("artist", "") + " — " + a.value("name", ""));
    }
  }
  pdk::LogInfo("report: " + std::to_string(libraries.size()) + " libraries");
  return pdk::ToJson(out);
}

// {"album": "<id>", "size": 300} -> {"url": "..."}
PIER_FUNCTION(cover) {
  PIER_ASSIGN_OR_RETURN(nlohmann::json in, pdk::ParseJson(input.empty() ? "{}" : input));
  if (!in.is_object() || !in.contains("album") || !in["album"].is_string()) {
    return pier::InvalidArgumentError("expected {\"album\": \"<id>\", \"size\": 300}");
  }
  PIER_ASSIGN_OR_RETURN(auto url, pier::host::ArtworkGetAlbumUrl(in["album"].get<std::string>(), in.value("size", 0)));
  return pdk::ToJson({{"url", url}});
}
