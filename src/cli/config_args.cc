#include "cli/config_args.h"

#include "common/host_name.h"
#include "common/sha256.h"

namespace pier::cli {

Result<PierConfig> ResolveConfig(const std::string& config_file, const std::string& plugins_dir,
                                 const std::string& data_dir) {
  PierConfig config;
  if (!config_file.empty()) {
    PIER_ASSIGN_OR_RETURN(config, LoadPierConfig(config_file));
  }
  if (!plugins_dir.empty()) config.plugins_folder = plugins_dir;
  if (!data_dir.empty()) config.data_folder = data_dir;
  config.plugins_folder = std::filesystem::absolute(config.plugins_folder);
  config.data_folder = std::filesystem::absolute(config.data_folder);
  if (config.cache_folder.empty()) config.cache_folder = config.data_folder / "cache";
  ApplyEnvironment(config);
  return config;
}

Result<std::shared_ptr<pg::Database>> OpenStorage(const PierConfig& config, bool listen) {
  if (config.storage_url.empty()) return std::shared_ptr<pg::Database>();
  return pg::Database::Open({.url = config.storage_url,
                             .pool_size = config.storage_pool_size,
                             .statement_timeout = config.storage_statement_timeout,
                             .listen = listen});
}

std::string NodeId(const PierConfig& config) {
  if (config.storage_url.empty()) return {};
  if (!config.storage_node.empty()) return config.storage_node;
  return HostName() + "-" + internal::Sha256Hex(config.data_folder.string()).substr(0, 8);
}

}  // namespace pier::cli
