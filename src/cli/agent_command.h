// `pier agent METHOD NAME`: one question down the server's MetadataAgent
// chain ([agents] order in pier.toml), showing who answered and why each
// agent before it did not.
//
//   pier agent artist-biography "Miles Davis" --config pier.toml
//   pier agent album-info "Kind of Blue" --artist "Miles Davis" [--json]
//   pier agent similar-songs "So What" --artist "Miles Davis" --limit 5
//
// Methods: artist-biography, artist-images, artist-url, artist-mbid,
// similar-artists, top-songs, album-info, album-images, similar-songs,
// similar-songs-by-album, similar-songs-by-artist. Needs a running server.
// Exit codes: 0 answered, 1 nobody answered (or no server), 3 usage or host error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pier::cli {

struct AgentArgs {
  std::string config, data;
  std::string method, name, artist, mbid, id;
  int32_t limit = 0;
  bool json = false;
};

CLI::App* AddAgentCommand(CLI::App& app, AgentArgs& args);
int RunAgent(const AgentArgs& args);

}  // namespace pier::cli
