// How `pier serve` and `pier plugins` find their settings: the TOML file if
// given, then the command-line folders over it, made absolute.
#pragma once

#include <string>

#include "config/pier_config.h"

namespace pier::cli {

Result<PierConfig> ResolveConfig(const std::string& config_file, const std::string& plugins_dir,
                                 const std::string& data_dir);

}  // namespace pier::cli
