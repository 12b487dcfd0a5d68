// How `pier serve` and `pier plugins` find their settings: the TOML file if
// given, then the command-line folders over it, made absolute.
#pragma once

#include <memory>
#include <string>

#include "config/pier_config.h"
#include "storage/postgres/database.h"

namespace pier::cli {

Result<PierConfig> ResolveConfig(const std::string& config_file, const std::string& plugins_dir,
                                 const std::string& data_dir);

// The shared PostgreSQL storage the settings name, connected and migrated;
// null when they name none (SQLite files). `listen`: hear other nodes.
Result<std::shared_ptr<pg::Database>> OpenStorage(const PierConfig& config, bool listen);

// This node's name in task leases: [storage] node, else the host name and a
// digest of the data folder (two nodes on one machine differ; a restarted
// node is itself again, so it recovers its previous run's tasks at once).
// Empty with SQLite files (the host name, as before).
std::string NodeId(const PierConfig& config);

}  // namespace pier::cli
