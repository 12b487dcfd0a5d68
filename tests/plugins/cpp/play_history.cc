// The ScrobbleRetriever service from a C++ kit plugin: `history` answers one
// page of a user's plays ({"username", "options": ScrobbleOptions} in, the
// service's response out), `bounds` the first/last timestamps and the count.
#include "pier/host/scrobbleretriever.h"
#include "pier/pdk.h"
#include "pier/pdk/json.h"
#include "pier/wire/types.h"

namespace pdk = pier::pdk;

PIER_FUNCTION(history) {
  PIER_ASSIGN_OR_RETURN(nlohmann::json in, pdk::ParseJson(input));
  pier::wire::ScrobbleOptions options;
  if (in.contains("options")) PIER_RETURN_IF_ERROR(pier::wire::DecodeScrobbleOptions(in["options"], &options, "options"));
  PIER_ASSIGN_OR_RETURN(auto page, pier::host::ScrobbleRetrieverGetScrobbles(in.value("username", ""), options));
  return pier::wire::EncodeScrobbleRetrieverGetScrobblesResponse(page).dump();
}

PIER_FUNCTION(bounds) {
  PIER_ASSIGN_OR_RETURN(nlohmann::json in, pdk::ParseJson(input));
  const std::string user = in.value("username", "");
  PIER_ASSIGN_OR_RETURN(auto first, pier::host::ScrobbleRetrieverGetFirstTimestamp(user));
  PIER_ASSIGN_OR_RETURN(auto last, pier::host::ScrobbleRetrieverGetLastTimestamp(user));
  PIER_ASSIGN_OR_RETURN(int64_t count, pier::host::ScrobbleRetrieverGetScrobbleCount(user, {}));
  nlohmann::json out = {{"count", count}};
  if (first) out["first"] = *first;
  if (last) out["last"] = *last;
  return pdk::ToJson(out);
}
