#include "config/pier_config.h"

#include "common/byte_size.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace pier {

Result<PierConfig> ParsePierConfig(std::string_view text, const std::filesystem::path& base) {
  toml::table t;
  try {  // this toml++ build reports syntax errors by exception; none leaves here
    t = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError("line " + std::to_string(e.source().begin.line) + ": " +
                                std::string(e.description()));
  }
  PierConfig c;
  auto path = [&](const toml::node& n, const std::string& key, std::filesystem::path* out) -> Status {
    auto s = n.value<std::string>();
    if (!s) return InvalidArgumentError(key + " must be a string");
    std::filesystem::path p(*s);
    *out = p.is_absolute() ? p : base / p;
    return OkStatus();
  };
  auto duration = [&](const toml::node& n, const std::string& key, std::chrono::milliseconds max,
                      std::chrono::milliseconds* out) -> Status {
    if (auto i = n.value<int64_t>(); i && n.is_integer()) {
      if (*i < 0) return InvalidArgumentError(key + " must not be negative");
      if (*i > max.count()) {
        return InvalidArgumentError(key + ": " + std::to_string(*i) + " ms exceeds the maximum of " + FormatDuration(max));
      }
      *out = std::chrono::milliseconds(*i);
      return OkStatus();
    }
    auto s = n.value<std::string>();
    if (!s || !n.is_string()) return InvalidArgumentError(key + " must be a duration such as \"30s\" or milliseconds");
    auto d = ParseDuration(*s, max);
    if (!d.ok()) return InvalidArgumentError(key + ": " + d.status().message());
    *out = *d;
    return OkStatus();
  };
  for (const auto& [k, node] : t) {
    const std::string key(k.str());
    if (key == "plugins_folder") {
      PIER_RETURN_IF_ERROR(path(node, key, &c.plugins_folder));
    } else if (key == "data_folder") {
      PIER_RETURN_IF_ERROR(path(node, key, &c.data_folder));
    } else if (key == "cache_folder") {
      PIER_RETURN_IF_ERROR(path(node, key, &c.cache_folder));
    } else if (key == "log_level") {
      auto s = node.value<std::string>();
      if (!s) return InvalidArgumentError("log_level must be a string");
      PIER_ASSIGN_OR_RETURN(c.log_level, ParseLogLevel(*s));
    } else if (key == "call_timeout") {
      PIER_RETURN_IF_ERROR(duration(node, key, kMaxCallTimeout, &c.call_timeout));
      if (c.call_timeout.count() == 0) return InvalidArgumentError("call_timeout must be greater than 0");
    } else if (key == "reload_debounce") {
      PIER_RETURN_IF_ERROR(duration(node, key, kMaxReloadDebounce, &c.reload_debounce));
    } else if (key == "instance_mode") {
      auto s = node.value<std::string>();
      if (!s) return InvalidArgumentError("instance_mode must be a string");
      PIER_ASSIGN_OR_RETURN(c.instance_mode, ParseInstanceMode(*s));
    } else if (key == "admin_listen") {
      auto s = node.value<std::string>();
      if (!s) return InvalidArgumentError("admin_listen must be a string such as \"127.0.0.1:4533\"");
      if (!s->empty()) {
        auto address = ParseListenAddress(*s);
        if (!address.ok()) return InvalidArgumentError("admin_listen: " + address.status().message());
      }
      c.admin_listen = *s;
    } else if (key == "auto_reload") {
      auto b = node.value<bool>();
      if (!b || !node.is_boolean()) return InvalidArgumentError("auto_reload must be true or false");
      c.auto_reload = *b;
    } else if (key == "cache" || key == "tls") {
      const toml::table* section = node.as_table();
      if (section == nullptr) return InvalidArgumentError(key + " must be a table ([" + key + "])");
      for (const auto& [sk, sn] : *section) {
        const std::string name = key + "." + std::string(sk.str());
        if (name == "cache.max_bytes") {
          if (auto i = sn.value<int64_t>(); i && sn.is_integer()) {
            if (*i <= 0) return InvalidArgumentError(name + " must be greater than 0");
            c.cache_max_bytes = *i;
          } else if (auto text = sn.value<std::string>(); text && sn.is_string()) {
            auto bytes = ParseByteSize(*text);
            if (!bytes.ok()) return InvalidArgumentError(name + ": " + bytes.status().message());
            if (*bytes <= 0) return InvalidArgumentError(name + " must be greater than 0");
            c.cache_max_bytes = *bytes;
          } else {
            return InvalidArgumentError(name + " must be a size such as \"64MiB\" or a number of bytes");
          }
        } else if (name == "tls.ca_file") {
          PIER_RETURN_IF_ERROR(path(sn, name, &c.ca_file));
        } else {
          return InvalidArgumentError("unknown setting '" + name + "'");
        }
      }
    } else {
      return InvalidArgumentError("unknown setting '" + key + "'");
    }
  }
  if (!c.plugins_folder.is_absolute()) c.plugins_folder = base / c.plugins_folder;
  if (!c.data_folder.is_absolute()) c.data_folder = base / c.data_folder;
  return c;
}

Result<PierConfig> LoadPierConfig(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return NotFoundError("cannot read configuration file " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = ParsePierConfig(ss.str(), std::filesystem::absolute(file).parent_path());
  if (!c.ok()) return c.status().WithContext(file.string());
  return c;
}

}  // namespace pier
