#include "common/plugin_id.h"

#include <cctype>

namespace pier {

Status ValidatePluginId(std::string_view id) {
  if (id.empty() || id.size() > 128) return InvalidArgumentError("plugin ID must have 1 to 128 characters");
  if (id.front() == '.' || id.back() == '.') {
    return InvalidArgumentError("plugin ID \"" + std::string(id) + "\" starts or ends with '.'");
  }
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return InvalidArgumentError("plugin ID \"" + std::string(id) + "\" may only use letters, digits, '.', '_' and '-'");
    }
  }
  return OkStatus();
}

Result<std::filesystem::path> PluginDataDir(const std::filesystem::path& data_dir, std::string_view id) {
  PIER_RETURN_IF_ERROR(ValidatePluginId(id));
  return data_dir / "plugins" / std::string(id);
}

}  // namespace pier
