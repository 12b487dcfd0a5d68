// Plugin IDs and the folders named after them.
//
// A plugin ID names a folder under `<data>/plugins/`, so every path built
// from one goes through PluginDataDir, which validates the ID first: `.` and
// `..`, separators and anything but letters, digits, `.`, `_` and `-` never
// reach the file system.
//
//   PIER_ASSIGN_OR_RETURN(auto dir, PluginDataDir(data_dir, id));   // <data>/plugins/<id>
#pragma once

#include <filesystem>
#include <string_view>

#include "pier/status.h"

namespace pier {

// Letters, digits, '.', '_' and '-'; 1 to 128 characters; neither starting
// nor ending with '.' (so never "." or "..").
Status ValidatePluginId(std::string_view id);

// `<data_dir>/plugins/<id>` for a valid ID; InvalidArgument otherwise.
Result<std::filesystem::path> PluginDataDir(const std::filesystem::path& data_dir, std::string_view id);

}  // namespace pier
