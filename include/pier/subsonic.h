// The SubsonicAPI service's two halves: the rules every plugin call goes
// through (the `u` user, impersonation scope, forced c/v/f, the original's
// messages), and a SubsonicRouter answering the request in-process. Pier's
// reference router (catalog::CatalogSubsonicRouter) answers from its catalog;
// an application with a Subsonic server of its own plugs that in instead.
//
//   auto service = pier::MakeSubsonicApiService(my_router, lookup_user_id, scope);
//   set.subsonicapi = std::move(service);   // in MusicHost::ForPlugin
//
// Thread contract: Handle is called concurrently from plugin calls.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pier/music_host.h"
#include "pier/services/subsonicapi.h"
#include "pier/status.h"

namespace pier {

struct SubsonicRequest {
  // The endpoint: the URI's last path segment without ".view" ("getAlbum").
  std::string endpoint;
  // Decoded query parameters in order, with c=<plugin ID>, v=1.16.1 and
  // (subsonicapi_call) f=json already forced.
  std::vector<std::pair<std::string, std::string>> params;
  // The user the request acts for (its `u`, as stored: the host checked it exists).
  std::string user_name;

  // The first value of `name`, or nullopt.
  std::optional<std::string> Param(std::string_view name) const;
  std::vector<std::string> Params(std::string_view name) const;
};

struct SubsonicResponse {
  int status = 200;  // not inspected by the service (as the original)
  std::string content_type;
  std::string body;
};

class SubsonicRouter {
 public:
  virtual ~SubsonicRouter() = default;
  // Answers one request; failures are Subsonic error documents, not statuses.
  virtual SubsonicResponse Handle(const SubsonicRequest& request) = 0;
};

// Resolves a user name (case-insensitively) to the stored user: its ID (what
// plugin settings list) and its name as stored; nullopt when there is none.
struct SubsonicUser {
  std::string id, user_name;
};
using SubsonicUserLookup = std::function<Result<std::optional<SubsonicUser>>(std::string_view user_name)>;

// The SubsonicAPI host service for one plugin. A null router answers every
// call with "SubsonicAPI router not available".
std::unique_ptr<services::SubsonicAPIService> MakeSubsonicApiService(std::shared_ptr<SubsonicRouter> router,
                                                                     SubsonicUserLookup lookup, MusicScope scope);

}  // namespace pier
