// The SubsonicAPI host service: the original's URI rules and impersonation
// checks in front of a SubsonicRouter.
#include <algorithm>
#include <cctype>

#include "pier/subsonic.h"
#include "services/subsonicapi/uri.h"

namespace pier {

namespace {

constexpr std::string_view kApiVersion = "1.16.1";

class SubsonicApiService final : public services::SubsonicAPIService {
 public:
  SubsonicApiService(std::shared_ptr<SubsonicRouter> router, SubsonicUserLookup lookup, MusicScope scope)
      : router_(std::move(router)), lookup_(std::move(lookup)), scope_(std::move(scope)) {}

  Result<wire::SubsonicAPICallResponse> Call(HostCallContext&, const wire::SubsonicAPICallRequest& r) override {
    PIER_ASSIGN_OR_RETURN(SubsonicResponse response, Dispatch(r.uri, /*json=*/true));
    wire::SubsonicAPICallResponse out;
    out.response_json = std::move(response.body);
    return out;
  }

  Result<wire::SubsonicAPICallRawResponse> CallRaw(HostCallContext&, const wire::SubsonicAPICallRawRequest& r) override {
    PIER_ASSIGN_OR_RETURN(SubsonicResponse response, Dispatch(r.uri, /*json=*/false));
    wire::SubsonicAPICallRawResponse out;
    out.content_type = std::move(response.content_type);
    out.data = std::move(response.body);
    return out;
  }

 private:
  Result<SubsonicResponse> Dispatch(const std::string& uri, bool json) {
    if (!router_) return FailedPreconditionError("SubsonicAPI router not available");
    auto parsed = subsonic::ParseRelativeUri(uri);
    if (!parsed.ok()) return InvalidArgumentError("invalid URL format: " + parsed.status().message());
    SubsonicRequest request;
    request.endpoint = parsed->last_segment;
    if (request.endpoint.size() > 5 && request.endpoint.ends_with(".view")) {
      request.endpoint.resize(request.endpoint.size() - 5);
    }
    std::string user;
    for (const auto& [k, v] : parsed->params) {
      if (k == "u") {
        user = v;
        break;
      }
    }
    if (user.empty()) return InvalidArgumentError("missing required parameter 'u' (username)");
    if (!scope_.all_users && scope_.users.empty()) {
      return PermissionDeniedError("no users configured for plugin " + scope_.plugin_id);
    }
    PIER_ASSIGN_OR_RETURN(auto found, lookup_(user));
    if (!found) return NotFoundError("username " + user + " not found");
    if (!scope_.MayActFor(found->id)) {
      return PermissionDeniedError("user " + user + " is not authorized for this plugin");
    }
    request.user_name = found->user_name;
    for (auto& [k, v] : parsed->params) {
      if (k == "c" || k == "v" || (json && k == "f")) continue;
      request.params.emplace_back(std::move(k), std::move(v));
    }
    request.params.emplace_back("c", scope_.plugin_id);
    request.params.emplace_back("v", std::string(kApiVersion));
    if (json) request.params.emplace_back("f", "json");
    return router_->Handle(request);
  }

  const std::shared_ptr<SubsonicRouter> router_;
  const SubsonicUserLookup lookup_;
  const MusicScope scope_;
};

}  // namespace

std::optional<std::string> SubsonicRequest::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> SubsonicRequest::Params(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : params) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::unique_ptr<services::SubsonicAPIService> MakeSubsonicApiService(std::shared_ptr<SubsonicRouter> router,
                                                                     SubsonicUserLookup lookup, MusicScope scope) {
  return std::make_unique<SubsonicApiService>(std::move(router), std::move(lookup), std::move(scope));
}

}  // namespace pier
