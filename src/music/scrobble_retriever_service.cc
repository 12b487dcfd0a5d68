// ScrobbleRetriever over the host's play history: the plays of the users the
// plugin may act for.
#include "music/catalog_services.h"
#include "music/play_store.h"

namespace pier::music {

namespace {

class PlayHistoryRetriever final : public services::ScrobbleRetrieverService {
 public:
  PlayHistoryRetriever(std::shared_ptr<catalog::Catalog> c, std::shared_ptr<PlayStore> p, MusicScope s)
      : catalog_(std::move(c)), plays_(std::move(p)), scope_(std::move(s)) {}

  Result<wire::ScrobbleRetrieverGetFirstTimestampResponse> GetFirstTimestamp(
      HostCallContext&, const wire::ScrobbleRetrieverGetFirstTimestampRequest& r) override {
    PIER_ASSIGN_OR_RETURN(std::string user, UserId(r.username));
    PIER_ASSIGN_OR_RETURN(auto t, plays_->FirstTimestamp(user));
    return wire::ScrobbleRetrieverGetFirstTimestampResponse{t};
  }
  Result<wire::ScrobbleRetrieverGetLastTimestampResponse> GetLastTimestamp(
      HostCallContext&, const wire::ScrobbleRetrieverGetLastTimestampRequest& r) override {
    PIER_ASSIGN_OR_RETURN(std::string user, UserId(r.username));
    PIER_ASSIGN_OR_RETURN(auto t, plays_->LastTimestamp(user));
    return wire::ScrobbleRetrieverGetLastTimestampResponse{t};
  }
  Result<wire::ScrobbleRetrieverGetScrobblesResponse> GetScrobbles(
      HostCallContext&, const wire::ScrobbleRetrieverGetScrobblesRequest& r) override {
    PIER_ASSIGN_OR_RETURN(std::string user, UserId(r.username));
    if (r.options.from_timestamp && r.options.to_timestamp && *r.options.from_timestamp > *r.options.to_timestamp) {
      return InvalidArgumentError("fromTimestamp is after toTimestamp");
    }
    PIER_ASSIGN_OR_RETURN(auto page, plays_->Plays(user, r.options));
    return wire::ScrobbleRetrieverGetScrobblesResponse{std::move(page.scrobbles), std::move(page.next)};
  }
  Result<wire::ScrobbleRetrieverGetScrobbleCountResponse> GetScrobbleCount(
      HostCallContext&, const wire::ScrobbleRetrieverGetScrobbleCountRequest& r) override {
    PIER_ASSIGN_OR_RETURN(std::string user, UserId(r.username));
    PIER_ASSIGN_OR_RETURN(int64_t n, plays_->CountPlays(user, r.options.from_timestamp, r.options.to_timestamp));
    return wire::ScrobbleRetrieverGetScrobbleCountResponse{n};
  }

 private:
  Result<std::string> UserId(const std::string& name) {
    if (name.empty()) return InvalidArgumentError("username is required");
    PIER_ASSIGN_OR_RETURN(auto user, catalog_->UserByName(name));
    if (!user) return NotFoundError("username " + name + " not found");
    if (!scope_.MayActFor(user->id)) return PermissionDeniedError("user " + name + " is not authorized for this plugin");
    return user->id;
  }

  const std::shared_ptr<catalog::Catalog> catalog_;
  const std::shared_ptr<PlayStore> plays_;
  const MusicScope scope_;
};

}  // namespace

std::unique_ptr<services::ScrobbleRetrieverService> MakeScrobbleRetrieverService(std::shared_ptr<catalog::Catalog> c,
                                                                                 std::shared_ptr<PlayStore> plays,
                                                                                 MusicScope scope) {
  return std::make_unique<PlayHistoryRetriever>(std::move(c), std::move(plays), std::move(scope));
}

}  // namespace pier::music
