#include "cli/library_command.h"

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/config_args.h"
#include "cli/music_setup.h"
#include "common/logging.h"
#include "music/catalog_services.h"

namespace pier::cli {

namespace {

nlohmann::json LibraryJson(const catalog::LibraryInfo& l) {
  return {{"id", l.id}, {"name", l.name}, {"path", l.path.string()},
          {"lastScanAt", l.last_scan_at == 0 ? music::kNeverScanned : l.last_scan_at},
          {"totalSongs", l.songs}, {"totalAlbums", l.albums}, {"totalArtists", l.artists},
          {"totalSize", l.size}, {"totalDuration", l.duration}};
}

std::string When(int64_t unix_seconds) {
  if (unix_seconds == 0) return "never";
  std::time_t t = unix_seconds;
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

void PrintLibrary(const catalog::LibraryInfo& l) {
  std::cout << l.id << "  " << l.name << "  " << l.path.string() << "\n    " << l.songs << " songs, " << l.albums
            << " albums, " << l.artists << " artists, " << (l.size >> 20) << " MiB, " << std::fixed
            << std::setprecision(0) << l.duration / 60 << " min; last scan " << When(l.last_scan_at) << "\n";
}

}  // namespace

CLI::App* AddLibraryCommand(CLI::App& app, LibraryArgs& a) {
  CLI::App* cmd = app.add_subcommand("library", "Scan and look at the reference music catalog");
  cmd->require_subcommand(1);
  auto common = [&a](CLI::App* sub) {
    sub->add_option("--config", a.config, "Pier configuration file (TOML): its [[library]] and [[user]] entries");
    sub->add_option("--data", a.data, "Data folder holding catalog.db; overrides the file");
    sub->add_flag("--json", a.json, "Print JSON");
  };
  auto* scan = cmd->add_subcommand("scan", "Bring the catalog up to date with the library folders");
  scan->add_option("--library", a.library, "Only this library ID");
  scan->add_flag("--full", a.full, "Re-read every file, not only new and changed ones");
  scan->add_flag("--quiet", a.quiet, "No progress lines");
  common(scan);
  auto* list = cmd->add_subcommand("list", "Libraries with their totals and last scan");
  common(list);
  auto* show = cmd->add_subcommand("show", "One library: totals and albums");
  show->add_option("id", a.library, "Library ID")->required();
  common(show);
  cmd->final_callback([cmd, &a] {
    for (CLI::App* sub : cmd->get_subcommands()) a.action = sub->get_name();
  });
  return cmd;
}

int RunLibrary(const LibraryArgs& a) {
  auto config = ResolveConfig(a.config, "", a.data);
  if (!config.ok()) {
    std::cerr << "pier library: " << config.status().message() << "\n";
    return 3;
  }
  internal::SetHostLogLevel(LogLevel::kWarn);
  auto catalog = OpenCatalog(*config, /*sync=*/!a.config.empty());
  if (!catalog.ok()) {
    std::cerr << "pier library: " << catalog.status().message() << "\n";
    return 3;
  }
  catalog::Catalog& c = **catalog;
  if (a.action == "scan") {
    const bool tty = isatty(STDERR_FILENO);
    auto progress = [&](const catalog::ScanProgress& p) {
      if (a.quiet || a.json) return;
      std::cerr << (tty ? "\r" : "") << "library " << p.library_id << ": " << p.seen << " files, " << p.read
                << " read, " << p.skipped << " skipped" << (tty ? "   " : "\n") << std::flush;
    };
    auto reports = ScanLibraries(c, a.library, a.full, progress);
    if (tty && !a.quiet && !a.json) std::cerr << "\n";
    if (!reports.ok()) {
      std::cerr << "pier library scan: " << reports.status().message() << "\n";
      return reports.status().code() == StatusCode::kNotFound ? 1 : 3;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *reports) {
      nlohmann::json problems = nlohmann::json::array();
      for (const auto& p : r.problems) problems.push_back({{"path", p.path}, {"message", p.message}});
      out.push_back({{"library", r.library_id}, {"files", r.files}, {"added", r.added}, {"updated", r.updated},
                     {"removed", r.removed}, {"unchanged", r.unchanged}, {"seconds", r.seconds},
                     {"problems", problems}});
      if (!a.json) {
        std::cout << "library " << r.library_id << ": " << r.files << " files (" << r.added << " added, " << r.updated
                  << " updated, " << r.removed << " removed, " << r.unchanged << " unchanged) in " << std::fixed
                  << std::setprecision(1) << r.seconds << " s\n";
        for (const auto& p : r.problems) std::cout << "  skipped " << (p.path.empty() ? "." : p.path) << ": " << p.message << "\n";
      }
    }
    if (a.json) std::cout << out.dump(2) << "\n";
    if (reports->empty()) std::cerr << "pier library scan: no libraries are configured ([[library]] in pier.toml)\n";
    return 0;
  }
  auto libraries = c.Libraries();
  if (!libraries.ok()) {
    std::cerr << "pier library: " << libraries.status().message() << "\n";
    return 3;
  }
  if (a.action == "list") {
    if (a.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& l : *libraries) out.push_back(LibraryJson(l));
      std::cout << out.dump(2) << "\n";
    } else if (libraries->empty()) {
      std::cout << "no libraries (add [[library]] entries to pier.toml)\n";
    } else {
      for (const auto& l : *libraries) PrintLibrary(l);
    }
    return 0;
  }
  // show
  const catalog::LibraryInfo* found = nullptr;
  for (const auto& l : *libraries) {
    if (l.id == a.library) found = &l;
  }
  if (!found) {
    std::cerr << "pier library show: no library " << a.library << "\n";
    return 1;
  }
  catalog::AlbumQuery q{.order = catalog::AlbumOrder::kAlphabeticalByArtist, .size = 100000};
  auto albums = c.Albums(q, catalog::LibraryScope{.all = false, .ids = {found->id}});
  if (!albums.ok()) {
    std::cerr << "pier library show: " << albums.status().message() << "\n";
    return 3;
  }
  if (a.json) {
    nlohmann::json out = LibraryJson(*found);
    out["albums"] = nlohmann::json::array();
    for (const auto& al : *albums) {
      out["albums"].push_back({{"id", al.id}, {"name", al.name}, {"artist", al.artist}, {"year", al.year},
                               {"songCount", al.song_count}, {"hasCover", !al.cover_file.empty() || !al.cover_track_id.empty()}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    PrintLibrary(*found);
    for (const auto& al : *albums) {
      std::cout << "  " << al.artist << " — " << al.name;
      if (al.year > 0) std::cout << " (" << al.year << ")";
      std::cout << ", " << al.song_count << " songs\n";
    }
  }
  return 0;
}

}  // namespace pier::cli
