#include "cli/agent_command.h"

#include <httplib.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/config_args.h"
#include "cli/server_files.h"
#include "music/agents.h"
#include "pier/json.h"

namespace pier::cli {

CLI::App* AddAgentCommand(CLI::App& app, AgentArgs& a) {
  CLI::App* cmd = app.add_subcommand("agent", "Ask the server's MetadataAgent chain one question");
  std::vector<std::string> methods;
  for (auto m : music::AllAgentMethods()) methods.emplace_back(music::AgentMethodName(m));
  cmd->add_option("method", a.method, "What to ask")->required()->check(CLI::IsMember(methods));
  cmd->add_option("name", a.name, "Artist, album or song name")->required();
  cmd->add_option("--artist", a.artist, "The artist (albums and songs)");
  cmd->add_option("--mbid", a.mbid, "MusicBrainz ID, when known");
  cmd->add_option("--id", a.id, "Catalog ID, when known");
  cmd->add_option("--limit", a.limit, "How many (similar artists, top and similar songs)");
  cmd->add_option("--config", a.config, "Pier configuration file (TOML)");
  cmd->add_option("--data", a.data, "Data folder of the running server; overrides the file");
  cmd->add_flag("--json", a.json, "Print the server's JSON answer");
  return cmd;
}

int RunAgent(const AgentArgs& a) {
  auto config = ResolveConfig(a.config, "", a.data);
  if (!config.ok()) {
    std::cerr << "pier agent: " << config.status().message() << "\n";
    return 3;
  }
  auto server = FindRunningServer(config->data_folder);
  if (!server || server->admin_url.empty()) {
    std::cerr << "pier agent: no pier serve with its admin API runs on " << config->data_folder.string()
              << " (the agents are its plugins: start it with pier serve)\n";
    return 1;
  }
  nlohmann::json body = {{"name", a.name}};
  if (!a.artist.empty()) body["artist"] = a.artist;
  if (!a.mbid.empty()) body["mbid"] = a.mbid;
  if (!a.id.empty()) body["id"] = a.id;
  if (a.limit > 0) body["limit"] = a.limit;
  httplib::Client client(server->admin_url);
  client.set_bearer_token_auth(server->token);
  client.set_read_timeout(std::chrono::minutes(5));
  auto res = client.Post("/api/music/agent/" + a.method, body.dump(), "application/json");
  if (!res) {
    std::cerr << "pier agent: the server at " << server->admin_url << " did not answer\n";
    return 3;
  }
  const nlohmann::json answer = ParseJsonOrNull(res->body);
  if (res->status != 200 || !answer.is_object()) {
    std::cerr << "pier agent: " << (answer.is_object() ? answer.value("error", res->body) : res->body) << "\n";
    return 3;
  }
  if (a.json) {
    std::cout << answer.dump(2) << "\n";
  } else {
    const std::string who = answer.value("plugin", "");
    if (answer["attempts"].empty()) std::cerr << "no agents are configured ([agents] order in pier.toml)\n";
    for (const auto& t : answer["attempts"]) {
      std::cerr << "  " << t.value("plugin", "?") << ": " << t.value("result", "?");
      if (t.contains("detail")) std::cerr << " (" << t["detail"].get<std::string>() << ")";
      std::cerr << "\n";
    }
    if (!who.empty()) std::cout << answer["value"].dump(2) << "\n";
    if (answer.value("cached", false)) std::cerr << "  (from the cache)\n";
  }
  return answer.value("plugin", "").empty() ? 1 : 0;
}

}  // namespace pier::cli
