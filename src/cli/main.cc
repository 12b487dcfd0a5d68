// The `pier` command: thin dispatch to one file per subcommand.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <wasmtime.h>

#include <iostream>

#include "cli/agent_command.h"
#include "cli/call_command.h"
#include "cli/inspect_command.h"
#include "cli/library_command.h"
#include "cli/play_command.h"
#include "cli/plugins_command.h"
#include "cli/queue_command.h"
#include "cli/serve_command.h"
#include "pier/sqlite_tuning.h"

int main(int argc, char** argv) {
  // Before anything opens a database: SQLite's global memory statistics off
  // (a process-wide mutex on every allocation of every store).
  (void)pier::TuneSqliteForPier();
  // Logs go to stderr: stdout carries a command's output (`pier call ... | jq`, `--json`).
  spdlog::set_default_logger(spdlog::stderr_color_mt("pier"));
  CLI::App app{"Pier: a host for sandboxed WebAssembly plugins (Extism ABI, Navidrome-compatible)", "pier"};
  // What this build is: Pier's version, the Wasm engine's, and the contract it implements.
  app.set_version_flag("--version", std::string("pier ") + PIER_VERSION + "\nwasmtime " + WASMTIME_VERSION +
                                        "\nabi: Extism kernel 1.7 (go-sdk v1.7.1); Navidrome plugins at 668869b6c773"
                                        " (TaskQueue, #5116) and later services");
  app.require_subcommand(1);
  app.footer("Run 'pier <command> --help' for a command's options.");
  pier::cli::CallArgs call_args;
  CLI::App* call = pier::cli::AddCallCommand(app, call_args);
  pier::cli::InspectArgs inspect_args;
  CLI::App* inspect = pier::cli::AddInspectCommand(app, inspect_args);
  pier::cli::ServeArgs serve_args;
  CLI::App* serve = pier::cli::AddServeCommand(app, serve_args);
  pier::cli::PluginsArgs plugins_args;
  CLI::App* plugins = pier::cli::AddPluginsCommand(app, plugins_args);
  pier::cli::LibraryArgs library_args;
  CLI::App* library = pier::cli::AddLibraryCommand(app, library_args);
  pier::cli::AgentArgs agent_args;
  CLI::App* agent = pier::cli::AddAgentCommand(app, agent_args);
  pier::cli::PlayArgs play_args, scrobbles_args, lyrics_args, similar_args;
  CLI::App* play = pier::cli::AddPlayCommand(app, play_args);
  CLI::App* scrobbles = pier::cli::AddScrobblesCommand(app, scrobbles_args);
  CLI::App* lyrics = pier::cli::AddLyricsCommand(app, lyrics_args);
  CLI::App* similar = pier::cli::AddSimilarCommand(app, similar_args);
  pier::cli::QueueArgs queue_args;
  CLI::App* queue = pier::cli::AddQueueCommand(app, queue_args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 3;  // usage error
  }
  if (call->parsed()) return pier::cli::RunCall(call_args);
  if (inspect->parsed()) return pier::cli::RunInspect(inspect_args);
  if (serve->parsed()) return pier::cli::RunServe(serve_args);
  if (plugins->parsed()) return pier::cli::RunPlugins(plugins_args);
  if (queue->parsed()) return pier::cli::RunQueue(queue_args);
  if (library->parsed()) return pier::cli::RunLibrary(library_args);
  if (play->parsed()) return pier::cli::RunPlay(play_args);
  if (agent->parsed()) return pier::cli::RunAgent(agent_args);
  if (lyrics->parsed()) return pier::cli::RunLyrics(lyrics_args);
  if (similar->parsed()) return pier::cli::RunSimilar(similar_args);
  if (scrobbles->parsed()) return pier::cli::RunScrobbles(scrobbles_args);
  return 3;
}
