// `pier play`, `pier scrobbles`, `pier lyrics`, `pier similar`: plays through
// the Scrobbler plugins of a running `pier serve`, the play history of a data
// folder, and the server's Lyrics and SonicSimilarity plugins.
//
//   pier lyrics "So What" --config pier.toml
//   pier similar "So What" [--to "Blue Train"] [--count 10] --config pier.toml
//
//   pier play alice "So What" --config pier.toml [--position 30] [--json]
//        now-playing then scrobble, with each plugin's outcome
//   pier play alice "So What" --report paused --position 61   a playback report instead
//   pier scrobbles alice --config pier.toml [--limit 20] [--json]
//
// `pier play` needs the server (its plugins are the ones that scrobble; a
// retry-later scrobble waits in its buffer); `pier scrobbles` reads
// data/plays.db directly. Exit codes: 0 done, 1 refused (unknown user or
// track, no server), 3 usage or host error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pier::cli {

struct PlayArgs {
  std::string config;
  std::string data;
  std::string user;
  std::string track;
  int32_t position = 0;
  int64_t limit = 20;
  bool json = false;
  std::string to;  // similar: a sonic path to this track
  std::string report;  // play: send a playback report in this state instead
};

CLI::App* AddPlayCommand(CLI::App& app, PlayArgs& args);
CLI::App* AddScrobblesCommand(CLI::App& app, PlayArgs& args);
int RunPlay(const PlayArgs& args);
int RunScrobbles(const PlayArgs& args);
CLI::App* AddLyricsCommand(CLI::App& app, PlayArgs& args);
CLI::App* AddSimilarCommand(CLI::App& app, PlayArgs& args);
int RunLyrics(const PlayArgs& args);
int RunSimilar(const PlayArgs& args);

}  // namespace pier::cli
