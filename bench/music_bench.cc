// Music host benchmark, in one run on this machine:
//  * scan rate: a library of N sox-made, TagLib-tagged files (flac and mp3)
//    read by TagLib bare (FileRef, properties, audio properties), next to a
//    full scan into a fresh catalog and an incremental rescan with nothing
//    changed;
//  * subsonicapi_call from a plugin built with Navidrome's Go kit (one export
//    call per request), next to the same request through the service called
//    natively, and the router alone.
//
//   bench/music.sh                 # 300 files, 2000 calls
//   pier_music_bench --files 1000 --calls 5000
#include <taglib/fileref.h>
#include <taglib/tpropertymap.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/scanner.h"
#include "manager/plugin_manager.h"
#include "music/catalog_music_host.h"
#include "music/fixtures.h"
#include "music/agents.h"
#include "music/scrobbling.h"
#include "music/subsonic_router.h"
#include "support/temp_dir.h"
#include "support/test_call_context.h"
#include "support/test_plugins.h"
#include "support/plugin_packages.h"
#include "support/zip_writer.h"

namespace fs = std::filesystem;
using namespace pier;
using Clock = std::chrono::steady_clock;

namespace {

template <typename F>
double PerSecond(int n, F op) {
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) op(i);
  return n / std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "music bench: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  int files = 300, calls = 2000, plays = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--files") == 0) files = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--plays") == 0) plays = std::atoi(argv[i + 1]);
  }
  pier::testing::TempDir dir;
  const fs::path music = dir.path() / "music";
  std::fprintf(stderr, "making %d files with sox and TagLib…\n", files);
  std::vector<fs::path> paths;
  for (int i = 0; i < files; ++i) {
    const fs::path p = music / ("Artist " + std::to_string(i % 20)) / ("Album " + std::to_string(i % 50)) /
                       (std::to_string(i) + (i % 2 ? ".mp3" : ".flac"));
    if (!pier::testing::MakeTrack(p, {.title = "Song " + std::to_string(i), .artist = "Artist " + std::to_string(i % 20),
                                .album = "Album " + std::to_string(i % 50), .track = i % 12 + 1, .year = 2000 + i % 20,
                                .seconds = 1})) {
      Fail("cannot make fixtures (sox installed?)");
    }
    paths.push_back(p);
  }

  // --- scan rate ---
  size_t sink = 0;
  const double bare = PerSecond(files, [&](int i) {
    TagLib::FileRef ref(paths[static_cast<size_t>(i)].c_str(), true, TagLib::AudioProperties::Average);
    sink += ref.file()->properties().size() + static_cast<size_t>(ref.audioProperties()->lengthInMilliseconds());
  });
  auto catalog = std::shared_ptr<catalog::Catalog>(catalog::Catalog::Open(dir.path() / "catalog.db").value());
  if (!catalog->SyncLibraries({{.id = 1, .name = "Music", .path = music}}).ok()) Fail("sync");
  const auto library = catalog->GetLibrary(1).value().value();
  auto t0 = Clock::now();
  auto full = catalog::ScanLibrary(*catalog, library);
  const double full_rate = files / std::chrono::duration<double>(Clock::now() - t0).count();
  if (!full.ok() || full->added != files) Fail("scan: " + (full.ok() ? std::to_string(full->added) : full.status().message()));
  t0 = Clock::now();
  auto again = catalog::ScanLibrary(*catalog, library);
  const double incremental_rate = files / std::chrono::duration<double>(Clock::now() - t0).count();
  if (!again.ok() || again->unchanged != files) Fail("rescan");
  std::printf("Scan of %d files (flac and mp3, 1 s each; this machine, one run)\n\n", files);
  std::printf("| %-40s | %10s | %6s |\n", "reader", "files/s", "ratio");
  std::printf("|%s|%s|%s|\n", std::string(42, '-').c_str(), std::string(12, '-').c_str(), std::string(8, '-').c_str());
  std::printf("| %-40s | %10.0f | %6.2f |\n", "TagLib alone (tags + audio properties)", bare, 1.0);
  std::printf("| %-40s | %10.0f | %6.2f |\n", "pier scan, fresh catalog", full_rate, full_rate / bare);
  std::printf("| %-40s | %10.0f | %6.2f |\n", "pier rescan, nothing changed", incremental_rate, incremental_rate / bare);

  // --- subsonicapi_call ---
  if (!catalog->SyncUsers({{"alice", "alice", "Alice", true, {}}}).ok()) Fail("users");
  const std::string uri = "getAlbumList2?type=alphabeticalByName&size=10&u=alice";
  auto router = std::make_shared<music::CatalogSubsonicRouter>(catalog);
  const double router_rate = PerSecond(calls, [&](int) {
    SubsonicRequest r{.endpoint = "getAlbumList2",
                      .params = {{"type", "alphabeticalByName"}, {"size", "10"}, {"u", "alice"}, {"c", "b"},
                                 {"v", "1.16.1"}, {"f", "json"}},
                      .user_name = "alice"};
    sink += router->Handle(r).body.size();
  });
  music::CatalogMusicOptions options;
  options.router = router;
  auto host = std::make_shared<music::CatalogMusicHost>(catalog, options);
  MusicScope scope{.plugin_id = "bench", .granted = {"subsonicapi", "users"}, .all_users = true};
  auto set = host->ForPlugin(scope).value();
  pier::testing::TestCallContext ctx;
  const double service_rate = PerSecond(calls, [&](int) {
    auto r = set.subsonicapi->Call(ctx, {.uri = uri});
    if (!r.ok()) Fail(r.status().message());
    sink += r->response_json.size();
  });
  auto runtime = Runtime::Create().value();
  ManagerOptions manager_options;
  manager_options.music = host;
  manager_options.data_dir = dir.path() / "data";
  PluginManager manager(*runtime, manager_options);
  pier::testing::ZipWriter zip;
  zip.Add("manifest.json", R"({"name":"b","author":"pier","version":"1","permissions":{"subsonicapi":{},"users":{}}})");
  zip.Add("plugin.wasm", pier::testing::PluginWasm("go_nd_subsonicapi"));
  zip.WriteTo(dir.path() / "sub.ndp");
  auto loaded = manager.Load(dir.path() / "sub.ndp", {.all_users = true});  // ID "sub"
  if (!loaded.ok()) Fail(loaded.status().message());
  for (int i = 0; i < 50; ++i) (void)(*loaded)->plugin->Call("call_subsonic_api", uri);  // warm the pool
  const double plugin_rate = PerSecond(calls, [&](int) {
    auto r = (*loaded)->plugin->Call("call_subsonic_api", uri);
    if (!r.ok() || !r->is_output()) Fail(r.ok() ? r->Describe() : r.status().message());
    sink += r->output().size();
  });
  std::printf("\nsubsonicapi_call getAlbumList2 (10 albums, JSON), %d calls\n\n", calls);
  std::printf("| %-40s | %10s | %6s |\n", "caller", "calls/s", "ratio");
  std::printf("|%s|%s|%s|\n", std::string(42, '-').c_str(), std::string(12, '-').c_str(), std::string(8, '-').c_str());
  std::printf("| %-40s | %10.0f | %6.2f |\n", "router alone (native)", router_rate, 1.0);
  std::printf("| %-40s | %10.0f | %6.2f |\n", "SubsonicAPI service (native: URI, rules)", service_rate,
              service_rate / router_rate);
  std::printf("| %-40s | %10.0f | %6.2f |\n", "Go-kit plugin export → subsonicapi_call", plugin_rate,
              plugin_rate / router_rate);

  // --- the agent chain: three Go-kit agents, two answering nothing ---
  const std::string schema = R"(,"config":{"schema":{"type":"object","properties":{"null":{"type":"string"}}}})";
  for (const char* id : {"a", "b", "c"}) {
    pier::testing::WritePackage(dir.path() / (std::string(id) + ".ndp"), id, "{}", "go_nd_agent", schema);
    auto l = manager.Load(dir.path() / (std::string(id) + ".ndp"),
                          {.config_json = std::string(id) == "c" ? "{}" : R"({"null":"true"})"});
    if (!l.ok()) Fail(l.status().message());
  }
  const std::string question = R"({"id":"","name":"Artist 1"})";
  auto direct_agent = manager.Get("c");
  for (int i = 0; i < 50; ++i) (void)direct_agent->plugin->Call("nd_get_artist_biography", question);
  const int asks = std::max(calls / 4, 50);
  const double direct = PerSecond(asks, [&](int) {
    auto r = direct_agent->plugin->Call("nd_get_artist_biography", question);
    if (!r.ok() || !r->is_output()) Fail("direct agent call");
  });
  auto chain_rate = [&](std::vector<std::string> order) {
    music::AgentChain chain([&](std::string_view id) { return manager.Get(id); }, catalog,
                            {.order = std::move(order), .cache_ttl = std::chrono::milliseconds(0)});
    return PerSecond(asks, [&](int) {
      auto a = chain.Ask({.method = music::AgentMethod::kArtistBiography, .name = "Artist 1"});
      if (!a.ok() || a->plugin != "c") Fail("chain");
    });
  };
  const double first = chain_rate({"c", "a", "b"});
  const double last = chain_rate({"a", "b", "c"});
  std::printf("\nAgent chain, artist biography, %d questions (cache off)\n\n", asks);
  std::printf("| %-40s | %10s | %9s | %6s |\n", "how", "answers/s", "µs each", "ratio");
  std::printf("|%s|%s|%s|%s|\n", std::string(42, '-').c_str(), std::string(12, '-').c_str(), std::string(11, '-').c_str(),
              std::string(8, '-').c_str());
  std::printf("| %-40s | %10.0f | %9.1f | %6.2f |\n", "one agent called directly", direct, 1e6 / direct, 1.0);
  std::printf("| %-40s | %10.0f | %9.1f | %6.2f |\n", "chain of 3, the first answers", first, 1e6 / first, first / direct);
  std::printf("| %-40s | %10.0f | %9.1f | %6.2f |\n", "chain of 3, the last answers", last, 1e6 / last, last / direct);

  // --- scrobbles through two Go-kit scrobblers ---
  for (const char* id : {"s1", "s2"}) {
    pier::testing::WritePackage(dir.path() / (std::string(id) + ".ndp"), id, R"({"users":{},"kvstore":{}})", "go_nd_scrobbler");
    auto l = manager.Load(dir.path() / (std::string(id) + ".ndp"), {.all_users = true});
    if (!l.ok()) Fail(l.status().message());
  }
  for (const char* id : {"a", "b", "c"}) (void)manager.Unload(id);
  (void)manager.Unload("sub");
  auto plays_store = std::shared_ptr<music::PlayStore>(music::PlayStore::Open(dir.path() / "plays.db").value());
  music::Scrobbling scrobbling(catalog, plays_store, [&] {
    std::vector<std::shared_ptr<LoadedPlugin>> out;
    for (const auto& id : manager.loaded()) out.push_back(manager.Get(id));
    return out;
  });
  const std::string track = catalog::TrackId(1, paths[0].lexically_relative(music).string());
  const std::string request =
      R"({"username":"alice","track":{"id":")" + track + R"(","title":"t","album":"a","artist":"x","albumArtist":"x","artists":[],"albumArtists":[],"duration":1,"trackNumber":1,"discNumber":0},"timestamp":)";
  const double native = PerSecond(plays, [&](int i) {
    for (const char* id : {"s1", "s2"}) {
      auto r = manager.Get(id)->plugin->Call("nd_scrobbler_scrobble", request + std::to_string(1000000 + i) + "}");
      if (!r.ok() || !r->is_output()) Fail("direct scrobble");
    }
  });
  const double dispatched = PerSecond(plays, [&](int i) {
    auto r = scrobbling.Play("alice", track, 0, 2000000 + i);
    if (!r.ok() || r->scrobble.size() != 2) Fail("play");
  });
  std::printf("\nPlays through 2 Scrobbler plugins (now-playing + scrobble each, history in SQLite FULL), %d plays\n\n", plays);
  std::printf("| %-40s | %10s | %6s |\n", "how", "plays/s", "ratio");
  std::printf("|%s|%s|%s|\n", std::string(42, '-').c_str(), std::string(12, '-').c_str(), std::string(8, '-').c_str());
  std::printf("| %-40s | %10.0f | %6.2f |\n", "nd_scrobbler_scrobble called on both", native, 1.0);
  std::printf("| %-40s | %10.0f | %6.2f |\n", "pier play (authorize, now-playing, scrobble)", dispatched, dispatched / native);
  std::printf("\n(checksum %zu)\n", sink);
  return 0;
}
