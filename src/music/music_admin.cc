#include "music/music_admin.h"

#include <chrono>
#include <set>

#include "music/agents.h"
#include "music/track_queries.h"
#include "pier/json.h"

namespace pier::music {

namespace {

using nlohmann::json;

json OutcomesJson(const std::vector<PluginOutcome>& outcomes) {
  json out = json::array();
  for (const auto& o : outcomes) {
    json j = {{"plugin", o.plugin}, {"result", OutcomeName(o.kind)}};
    if (!o.detail.empty()) j["detail"] = o.detail;
    out.push_back(std::move(j));
  }
  return out;
}

json TrackJson(const catalog::Track& t) {
  return {{"id", t.id}, {"title", t.title}, {"artist", t.artist}, {"album", t.album}, {"duration", t.duration}};
}

void Reply(http::HttpResponse& a, int status, const json& body) {
  a.status = status;
  a.content_type = "application/json";
  a.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
}

void Fail(http::HttpResponse& a, const Status& st) {
  const int status = st.code() == StatusCode::kNotFound           ? 404
                     : st.code() == StatusCode::kInvalidArgument ? 400
                                                                 : 500;
  Reply(a, status, {{"error", st.message()}});
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// {"user", "track", "position"?, "startedAt"?} with types checked.
struct PlayRequest {
  std::string user, track;
  int32_t position = 0;
  int64_t started_at = 0;
};
Result<PlayRequest> ParsePlay(const std::string& body) {
  PIER_ASSIGN_OR_RETURN(json j, ParseJson(body));
  if (!j.is_object()) return InvalidArgumentError("expected a JSON object {\"user\", \"track\"}");
  PlayRequest r;
  if (!j.contains("user") || !j["user"].is_string()) return InvalidArgumentError("\"user\" must be a user name");
  if (!j.contains("track") || !j["track"].is_string()) return InvalidArgumentError("\"track\" must be a track ID or title");
  r.user = j["user"];
  r.track = j["track"];
  if (j.contains("position")) {
    PIER_ASSIGN_OR_RETURN(int64_t p, JsonInt64(j["position"]));
    if (p < 0 || p > INT32_MAX) return InvalidArgumentError("\"position\" must be seconds from 0");
    r.position = static_cast<int32_t>(p);
  }
  if (j.contains("startedAt")) {
    PIER_ASSIGN_OR_RETURN(r.started_at, JsonInt64(j["startedAt"]));
  } else {
    r.started_at = NowSeconds() - r.position;
  }
  return r;
}

}  // namespace

Result<catalog::Track> FindTrack(catalog::Catalog& c, std::string_view user_name, std::string_view text) {
  PIER_ASSIGN_OR_RETURN(auto user, c.UserByName(user_name));
  if (!user) return NotFoundError("no user " + std::string(user_name) + " (add a [[user]] to pier.toml)");
  const catalog::LibraryScope scope{.all = user->libraries.empty(), .ids = user->libraries};
  PIER_ASSIGN_OR_RETURN(auto by_id, c.GetTrack(text, scope));
  if (by_id) return *by_id;
  PIER_ASSIGN_OR_RETURN(auto found, c.SearchTracks(text, 1, 0, scope));
  if (found.empty()) return NotFoundError("no track matches \"" + std::string(text) + "\" in the libraries of " + user->user_name);
  return found[0];
}

Result<catalog::Track> FindAnyTrack(catalog::Catalog& c, std::string_view text) {
  PIER_ASSIGN_OR_RETURN(auto by_id, c.GetTrack(text, catalog::LibraryScope{}));
  if (by_id) return *by_id;
  PIER_ASSIGN_OR_RETURN(auto found, c.SearchTracks(text, 1, 0, catalog::LibraryScope{}));
  if (found.empty()) return NotFoundError("no track matches \"" + std::string(text) + "\"");
  return found[0];
}

Result<nlohmann::json> RecentPlays(catalog::Catalog& c, PlayStore& plays, std::string_view user_name, int64_t limit) {
  PIER_ASSIGN_OR_RETURN(auto user, c.UserByName(user_name));
  if (!user) return NotFoundError("no user " + std::string(user_name));
  wire::ScrobbleOptions options;
  options.descending = true;
  options.max_items = std::clamp<int64_t>(limit, 1, PlayStore::kMaxPage);
  PIER_ASSIGN_OR_RETURN(auto page, plays.Plays(user->id, options));
  json out = json::array();
  for (const auto& s : page.scrobbles) {
    json j = {{"id", s.id}, {"mediaFileId", s.media_file_id}, {"submissionTime", s.submission_time}};
    PIER_ASSIGN_OR_RETURN(auto t, c.GetTrack(s.media_file_id, catalog::LibraryScope{}));
    if (t) j["track"] = TrackJson(*t);
    out.push_back(std::move(j));
  }
  return out;
}

void AddMusicRoutes(http::Router& router, Scrobbling& scrobbling, AgentChain& agents, TrackQueries& queries,
                    std::shared_ptr<catalog::Catalog> catalog, std::shared_ptr<PlayStore> plays) {
  auto attempts_json = [](const TrackQueryAnswer& a) {
    json out = json::array();
    for (const auto& [plugin, outcome] : a.attempts) out.push_back({{"plugin", plugin}, {"result", outcome}});
    return out;
  };
  router.Add("GET", "/api/music/lyrics", [&queries, catalog, attempts_json](const http::HttpRequest& q, http::HttpResponse& a) {
    auto track = FindAnyTrack(*catalog, q.Query("track"));
    if (!track.ok()) return Fail(a, track.status());
    auto answer = queries.Lyrics(track->id);
    if (!answer.ok()) return Fail(a, answer.status());
    Reply(a, 200, {{"track", TrackJson(*track)}, {"plugin", answer->plugin},
                   {"lyrics", answer->value.is_null() ? json::array() : answer->value},
                   {"attempts", attempts_json(*answer)}});
  });
  router.Add("GET", "/api/music/similar", [&queries, catalog, attempts_json](const http::HttpRequest& q, http::HttpResponse& a) {
    auto track = FindAnyTrack(*catalog, q.Query("track"));
    if (!track.ok()) return Fail(a, track.status());
    const int32_t count = static_cast<int32_t>(std::clamp<long long>(std::atoll(q.Query("count", "10").c_str()), 1, 500));
    Result<TrackQueryAnswer> answer = NotFoundError("");
    if (q.HasQuery("to")) {
      auto to = FindAnyTrack(*catalog, q.Query("to"));
      if (!to.ok()) return Fail(a, to.status());
      answer = queries.Path(track->id, to->id, count);
    } else {
      answer = queries.Similar(track->id, count);
    }
    if (!answer.ok()) return Fail(a, answer.status());
    Reply(a, 200, {{"track", TrackJson(*track)}, {"plugin", answer->plugin},
                   {"matches", answer->value.is_null() ? json::array() : answer->value},
                   {"attempts", attempts_json(*answer)}});
  });
  router.Add("POST", "/api/music/agent/([a-z-]+)", [&agents](const http::HttpRequest& q, http::HttpResponse& a) {
    auto method = ParseAgentMethod(q.params[0]);
    if (!method) return Fail(a, NotFoundError("no agent method " + q.params[0]));
    auto body = ParseJson(q.body.empty() ? "{}" : q.body);
    if (!body.ok() || !body->is_object()) return Fail(a, InvalidArgumentError("expected a JSON object {\"name\": …}"));
    AgentQuestion question;
    question.method = *method;
    for (auto [field, into] : {std::pair{"name", &question.name}, std::pair{"artist", &question.artist},
                               std::pair{"mbid", &question.mbid}, std::pair{"id", &question.id}}) {
      if (body->contains(field)) {
        if (!(*body)[field].is_string()) return Fail(a, InvalidArgumentError(std::string(field) + " must be a string"));
        *into = (*body)[field].get<std::string>();
      }
    }
    if (question.name.empty()) return Fail(a, InvalidArgumentError("\"name\" is required"));
    if (body->contains("limit")) {
      auto limit = JsonInt64((*body)["limit"]);
      if (!limit.ok() || *limit < 0 || *limit > 1000) return Fail(a, InvalidArgumentError("limit must be 0 to 1000"));
      question.limit = static_cast<int32_t>(*limit);
    }
    auto answer = agents.Ask(question);
    if (!answer.ok()) return Fail(a, answer.status());
    json attempts = json::array();
    for (const auto& t : answer->attempts) {
      json j = {{"plugin", t.plugin}, {"result", t.result}};
      if (!t.detail.empty()) j["detail"] = t.detail;
      attempts.push_back(std::move(j));
    }
    json out = {{"plugin", answer->plugin}, {"value", answer->value}, {"cached", answer->cached}, {"attempts", attempts}};
    if (!answer->resolved.is_null()) out["resolved"] = answer->resolved;
    Reply(a, 200, out);
  });
  router.Add("POST", "/api/music/play", [&scrobbling, catalog](const http::HttpRequest& q, http::HttpResponse& a) {
    auto r = ParsePlay(q.body);
    if (!r.ok()) return Fail(a, r.status());
    auto track = FindTrack(*catalog, r->user, r->track);
    if (!track.ok()) return Fail(a, track.status());
    auto played = scrobbling.Play(r->user, track->id, r->position, r->started_at);
    if (!played.ok()) return Fail(a, played.status());
    Reply(a, 200, {{"track", TrackJson(played->track)}, {"user", played->user_name}, {"playId", played->play_id},
                   {"nowPlaying", OutcomesJson(played->now_playing)}, {"scrobble", OutcomesJson(played->scrobble)}});
  });
  router.Add("POST", "/api/music/nowplaying", [&scrobbling, catalog](const http::HttpRequest& q, http::HttpResponse& a) {
    auto r = ParsePlay(q.body);
    if (!r.ok()) return Fail(a, r.status());
    auto track = FindTrack(*catalog, r->user, r->track);
    if (!track.ok()) return Fail(a, track.status());
    auto outcomes = scrobbling.NowPlaying(r->user, track->id, r->position);
    if (!outcomes.ok()) return Fail(a, outcomes.status());
    Reply(a, 200, {{"track", TrackJson(*track)}, {"nowPlaying", OutcomesJson(*outcomes)}});
  });
  router.Add("POST", "/api/music/report", [&scrobbling, catalog](const http::HttpRequest& q, http::HttpResponse& a) {
    auto body = ParseJson(q.body);
    if (!body.ok() || !body->is_object()) return Fail(a, InvalidArgumentError("expected a JSON object {\"user\", \"track\", \"state\"}"));
    const json& j = *body;
    static const std::set<std::string> kStates = {"starting", "playing", "paused", "stopped", "expired"};
    for (const char* key : {"user", "track", "state"}) {
      if (!j.contains(key) || !j[key].is_string()) return Fail(a, InvalidArgumentError(std::string("\"") + key + "\" must be a string"));
    }
    if (!kStates.contains(j["state"].get<std::string>())) {
      return Fail(a, InvalidArgumentError("state must be starting, playing, paused, stopped or expired"));
    }
    wire::PlaybackReportRequest report;
    report.username = j["user"];
    report.state = j["state"];
    if (j.contains("positionMs")) {
      auto p = JsonInt64(j["positionMs"]);
      if (!p.ok() || *p < 0) return Fail(a, InvalidArgumentError("positionMs must be milliseconds from 0"));
      report.position_ms = *p;
    }
    report.playback_rate = j.contains("playbackRate") && j["playbackRate"].is_number() ? j["playbackRate"].get<double>() : 1.0;
    report.player_id = j.value("playerId", "pier");
    report.player_name = j.value("playerName", "pier");
    report.timestamp = NowSeconds();
    auto track = FindTrack(*catalog, report.username, j["track"].get<std::string>());
    if (!track.ok()) return Fail(a, track.status());
    auto outcomes = scrobbling.PlaybackReport(report, track->id);
    if (!outcomes.ok()) return Fail(a, outcomes.status());
    Reply(a, 200, {{"track", TrackJson(*track)}, {"report", OutcomesJson(*outcomes)}});
  });
  router.Add("GET", "/api/music/scrobbles/([^/]+)", [catalog, plays](const http::HttpRequest& q, http::HttpResponse& a) {
    int64_t limit = 50;
    if (q.HasQuery("limit")) limit = std::atoll(q.Query("limit").c_str());
    auto out = RecentPlays(*catalog, *plays, q.params[0], limit);
    if (!out.ok()) return Fail(a, out.status());
    Reply(a, 200, *out);
  });
  router.Add("GET", "/api/music/buffer", [plays](const http::HttpRequest&, http::HttpResponse& a) {
    auto entries = plays->Buffered();
    if (!entries.ok()) return Fail(a, entries.status());
    json out = json::array();
    for (const auto& e : *entries) {
      out.push_back({{"id", e.id}, {"plugin", e.plugin_id}, {"user", e.user_name}, {"attempts", e.attempts + 1},
                     {"nextAtMs", e.next_at_ms}, {"createdAt", e.created_at}});
    }
    Reply(a, 200, out);
  });
}

}  // namespace pier::music
