#include "cli/play_command.h"

#include <httplib.h>

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/config_args.h"
#include "cli/music_setup.h"
#include "cli/server_files.h"
#include "common/logging.h"
#include "music/music_admin.h"
#include "pier/json.h"

namespace pier::cli {

namespace {

using nlohmann::json;

void PrintOutcomes(const char* what, const json& outcomes) {
  if (outcomes.empty()) {
    std::cout << "  " << what << ": no Scrobbler plugin is loaded\n";
    return;
  }
  for (const auto& o : outcomes) {
    std::cout << "  " << what << " → " << o.value("plugin", "?") << ": " << o.value("result", "?");
    if (o.contains("detail")) std::cout << " (" << o["detail"].get<std::string>() << ")";
    std::cout << "\n";
  }
}

// GET `path` on the server running on the configuration's data folder; the
// answer, or nullopt after printing why.
std::optional<json> AskServer(const char* command, const PlayArgs& a, const std::string& path) {
  auto config = ResolveConfig(a.config, "", a.data);
  if (!config.ok()) {
    std::cerr << "pier " << command << ": " << config.status().message() << "\n";
    return std::nullopt;
  }
  auto server = FindRunningServer(config->data_folder);
  if (!server || server->admin_url.empty()) {
    std::cerr << "pier " << command << ": no pier serve with its admin API runs on " << config->data_folder.string()
              << " (start it with pier serve)\n";
    return std::nullopt;
  }
  httplib::Client client(server->admin_url);
  client.set_bearer_token_auth(server->token);
  client.set_read_timeout(std::chrono::minutes(5));
  auto res = client.Get(path);
  if (!res) {
    std::cerr << "pier " << command << ": the server did not answer\n";
    return std::nullopt;
  }
  json answer = ParseJsonOrNull(res->body);
  if (res->status != 200 || !answer.is_object()) {
    std::cerr << "pier " << command << ": " << (answer.is_object() ? answer.value("error", res->body) : res->body) << "\n";
    return std::nullopt;
  }
  return answer;
}

void PrintAttempts(const json& answer) {
  for (const auto& t : answer["attempts"]) std::cerr << "  " << t.value("plugin", "?") << ": " << t.value("result", "?") << "\n";
}

std::string When(int64_t t) {
  std::time_t tt = t;
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace

CLI::App* AddPlayCommand(CLI::App& app, PlayArgs& a) {
  CLI::App* cmd = app.add_subcommand("play", "Play a track for a user: now-playing, then scrobble, through the server's scrobblers");
  cmd->add_option("user", a.user, "User name")->required();
  cmd->add_option("track", a.track, "Track ID, or text matched against titles")->required();
  cmd->add_option("--position", a.position, "Seconds into the track (now-playing, reports)");
  cmd->add_option("--report", a.report, "Send a playback report in this state instead (starting, playing, paused, stopped, expired)")
      ->check(CLI::IsMember({"starting", "playing", "paused", "stopped", "expired"}));
  cmd->add_option("--config", a.config, "Pier configuration file (TOML)");
  cmd->add_option("--data", a.data, "Data folder of the running server; overrides the file");
  cmd->add_flag("--json", a.json, "Print the server's JSON answer");
  return cmd;
}

CLI::App* AddScrobblesCommand(CLI::App& app, PlayArgs& a) {
  CLI::App* cmd = app.add_subcommand("scrobbles", "A user's newest plays in the host's play history");
  cmd->add_option("user", a.user, "User name")->required();
  cmd->add_option("--limit", a.limit, "How many (newest first)")->capture_default_str();
  cmd->add_option("--config", a.config, "Pier configuration file (TOML)");
  cmd->add_option("--data", a.data, "Data folder; overrides the file");
  cmd->add_flag("--json", a.json, "Print JSON");
  return cmd;
}

CLI::App* AddLyricsCommand(CLI::App& app, PlayArgs& a) {
  CLI::App* cmd = app.add_subcommand("lyrics", "A track's lyrics from the server's Lyrics plugins");
  cmd->add_option("track", a.track, "Track ID, or text matched against titles")->required();
  cmd->add_option("--config", a.config, "Pier configuration file (TOML)");
  cmd->add_option("--data", a.data, "Data folder of the running server; overrides the file");
  cmd->add_flag("--json", a.json, "Print the server's JSON answer");
  return cmd;
}

CLI::App* AddSimilarCommand(CLI::App& app, PlayArgs& a) {
  CLI::App* cmd = app.add_subcommand("similar", "Tracks that sound alike (or a sonic path) from the server's SonicSimilarity plugins");
  cmd->add_option("track", a.track, "Track ID, or text matched against titles")->required();
  cmd->add_option("--to", a.to, "A path from TRACK to this track");
  cmd->add_option("--count", a.limit, "How many")->capture_default_str();
  cmd->add_option("--config", a.config, "Pier configuration file (TOML)");
  cmd->add_option("--data", a.data, "Data folder of the running server; overrides the file");
  cmd->add_flag("--json", a.json, "Print the server's JSON answer");
  return cmd;
}

int RunLyrics(const PlayArgs& a) {
  auto answer = AskServer("lyrics", a, "/api/music/lyrics?track=" + httplib::detail::encode_query_param(a.track));
  if (!answer) return 1;
  if (a.json) {
    std::cout << answer->dump(2) << "\n";
  } else {
    PrintAttempts(*answer);
    for (const auto& l : (*answer)["lyrics"]) std::cout << l.value("text", "") << "\n";
  }
  return (*answer)["lyrics"].empty() ? 1 : 0;
}

int RunSimilar(const PlayArgs& a) {
  std::string path = "/api/music/similar?track=" + httplib::detail::encode_query_param(a.track) +
                     "&count=" + std::to_string(a.limit);
  if (!a.to.empty()) path += "&to=" + httplib::detail::encode_query_param(a.to);
  auto answer = AskServer("similar", a, path);
  if (!answer) return 1;
  if (a.json) {
    std::cout << answer->dump(2) << "\n";
  } else {
    PrintAttempts(*answer);
    for (const auto& m : (*answer)["matches"]) {
      std::cout << m["song"].value("name", "?") << "  " << m.value("similarity", 0.0)
                << (m["trackId"].is_null() ? "  (not in the library)" : "  " + m["trackId"].get<std::string>()) << "\n";
    }
  }
  return (*answer)["matches"].empty() ? 1 : 0;
}

int RunPlay(const PlayArgs& a) {
  auto config = ResolveConfig(a.config, "", a.data);
  if (!config.ok()) {
    std::cerr << "pier play: " << config.status().message() << "\n";
    return 3;
  }
  auto server = FindRunningServer(config->data_folder);
  if (!server || server->admin_url.empty()) {
    std::cerr << "pier play: no pier serve with its admin API runs on " << config->data_folder.string()
              << " (plays go to the server's Scrobbler plugins: start it with pier serve)\n";
    return 1;
  }
  httplib::Client client(server->admin_url);
  client.set_bearer_token_auth(server->token);
  client.set_read_timeout(std::chrono::minutes(5));
  json body = {{"user", a.user}, {"track", a.track}, {"position", a.position}};
  if (!a.report.empty()) body = {{"user", a.user}, {"track", a.track}, {"state", a.report},
                                 {"positionMs", int64_t{a.position} * 1000}, {"playerName", "pier play"}};
  auto res = client.Post(a.report.empty() ? "/api/music/play" : "/api/music/report", body.dump(), "application/json");
  if (!res) {
    std::cerr << "pier play: the server at " << server->admin_url << " did not answer\n";
    return 3;
  }
  const json answer = ParseJsonOrNull(res->body);
  if (res->status != 200) {
    std::cerr << "pier play: " << (answer.is_object() ? answer.value("error", res->body) : res->body) << "\n";
    return res->status == 404 || res->status == 400 ? 1 : 3;
  }
  if (a.json) {
    std::cout << answer.dump(2) << "\n";
    return 0;
  }
 const json& t = answer["track"];
  if (!a.report.empty()) {
    std::cout << a.user << " " << a.report << " " << t.value("artist", "") << " — " << t.value("title", "") << "\n";
    PrintOutcomes("playback report", answer["report"]);
    return 0;
  }
  std::cout << answer.value("user", a.user) << " plays " << t.value("artist", "") << " — " << t.value("title", "")
            << " (" << t.value("id", "") << ")\n";
  PrintOutcomes("now playing", answer["nowPlaying"]);
  PrintOutcomes("scrobble", answer["scrobble"]);
  return 0;
}

int RunScrobbles(const PlayArgs& a) {
  auto config = ResolveConfig(a.config, "", a.data);
  if (!config.ok()) {
    std::cerr << "pier scrobbles: " << config.status().message() << "\n";
    return 3;
  }
  internal::SetHostLogLevel(LogLevel::kWarn);
  auto catalog = OpenCatalog(*config, /*sync=*/!a.config.empty());
  if (!catalog.ok()) {
    std::cerr << "pier scrobbles: " << catalog.status().message() << "\n";
    return 3;
  }
  auto plays = music::PlayStore::Open(config->data_folder / "plays.db");
  if (!plays.ok()) {
    std::cerr << "pier scrobbles: " << plays.status().message() << "\n";
    return 3;
  }
  auto recent = music::RecentPlays(**catalog, **plays, a.user, a.limit);
  if (!recent.ok()) {
    std::cerr << "pier scrobbles: " << recent.status().message() << "\n";
    return recent.status().code() == StatusCode::kNotFound ? 1 : 3;
  }
  if (a.json) {
    std::cout << recent->dump(2) << "\n";
  } else if (recent->empty()) {
    std::cout << "no plays for " << a.user << "\n";
  } else {
    for (const auto& p : *recent) {
      std::cout << When(p["submissionTime"].get<int64_t>()) << "  ";
      if (p.contains("track")) {
        std::cout << p["track"].value("artist", "") << " — " << p["track"].value("title", "");
      } else {
        std::cout << p["mediaFileId"].get<std::string>() << " (no longer in the catalog)";
      }
      std::cout << "\n";
    }
  }
  return 0;
}

}  // namespace pier::cli
