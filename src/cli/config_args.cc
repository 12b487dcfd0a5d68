#include "cli/config_args.h"

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
  return config;
}

}  // namespace pier::cli
