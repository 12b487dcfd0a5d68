#include "config/pier_config.h"

#include <cstdlib>

#include "common/byte_size.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace pier {

namespace {

const toml::array* ArrayOfTables(const toml::node& node, const std::string& key) {
  const toml::array* a = node.as_array();
  if (a == nullptr || !a->is_array_of_tables()) return nullptr;
  return a;
}

Status ParseLibraries(const toml::node& node, const std::filesystem::path& base, std::vector<LibraryConfig>* out) {
  const toml::array* list = ArrayOfTables(node, "library");
  if (list == nullptr) return InvalidArgumentError("library must be a list of tables ([[library]])");
  std::set<int32_t> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table& t = *list->get(i)->as_table();
    const std::string where = "library[" + std::to_string(i) + "]";
    LibraryConfig l;
    for (const auto& [k, n] : t) {
      const std::string key(k.str());
      if (key == "id") {
        auto v = n.value<int64_t>();
        if (!v || !n.is_integer() || *v <= 0 || *v > INT32_MAX) {
          return InvalidArgumentError(where + ".id must be a positive integer");
        }
        l.id = static_cast<int32_t>(*v);
      } else if (key == "name") {
        auto v = n.value<std::string>();
        if (!v || !n.is_string()) return InvalidArgumentError(where + ".name must be a string");
        l.name = *v;
      } else if (key == "path") {
        auto v = n.value<std::string>();
        if (!v || !n.is_string() || v->empty()) return InvalidArgumentError(where + ".path must be a folder");
        std::filesystem::path p(*v);
        l.path = (p.is_absolute() ? p : base / p).lexically_normal();
      } else {
        return InvalidArgumentError("unknown setting '" + where + "." + key + "'");
      }
    }
    if (l.id == 0) return InvalidArgumentError(where + " needs an id");
    if (l.path.empty()) return InvalidArgumentError(where + " needs a path");
    if (l.name.empty()) l.name = l.path.filename().string();
    if (!ids.insert(l.id).second) return InvalidArgumentError("library id " + std::to_string(l.id) + " is given twice");
    out->push_back(std::move(l));
  }
  return OkStatus();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status ParseUsers(const toml::node& node, std::vector<UserConfig>* out) {
  const toml::array* list = ArrayOfTables(node, "user");
  if (list == nullptr) return InvalidArgumentError("user must be a list of tables ([[user]])");
  std::set<std::string> ids, names;
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table& t = *list->get(i)->as_table();
    const std::string where = "user[" + std::to_string(i) + "]";
    UserConfig u;
    for (const auto& [k, n] : t) {
      const std::string key(k.str());
      auto text = [&](std::string* into) -> Status {
        auto v = n.value<std::string>();
        if (!v || !n.is_string()) return InvalidArgumentError(where + "." + key + " must be a string");
        *into = *v;
        return OkStatus();
      };
      if (key == "id") {
        PIER_RETURN_IF_ERROR(text(&u.id));
      } else if (key == "user_name") {
        PIER_RETURN_IF_ERROR(text(&u.user_name));
      } else if (key == "name") {
        PIER_RETURN_IF_ERROR(text(&u.name));
      } else if (key == "is_admin") {
        auto b = n.value<bool>();
        if (!b || !n.is_boolean()) return InvalidArgumentError(where + ".is_admin must be true or false");
        u.is_admin = *b;
      } else if (key == "libraries") {
        const toml::array* a = n.as_array();
        if (a == nullptr) return InvalidArgumentError(where + ".libraries must be a list of library IDs");
        for (const auto& e : *a) {
          auto v = e.value<int64_t>();
          if (!v || !e.is_integer() || *v <= 0 || *v > INT32_MAX) {
            return InvalidArgumentError(where + ".libraries must be a list of library IDs");
          }
          u.libraries.push_back(static_cast<int32_t>(*v));
        }
      } else if (key == "password") {
        return InvalidArgumentError(where + ".password: Pier stores no passwords (plugins act for users without one)");
      } else {
        return InvalidArgumentError("unknown setting '" + where + "." + key + "'");
      }
    }
    if (u.user_name.empty()) return InvalidArgumentError(where + " needs a user_name");
    if (u.id.empty()) u.id = u.user_name;
    if (u.name.empty()) u.name = u.user_name;
    if (!ids.insert(u.id).second) return InvalidArgumentError("user id " + u.id + " is given twice");
    if (!names.insert(Lower(u.user_name)).second) {
      return InvalidArgumentError("user_name " + u.user_name + " is given twice");
    }
    out->push_back(std::move(u));
  }
  return OkStatus();
}

}  // namespace

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
    } else if (key == "admin_read_only") {
      auto b = node.value<bool>();
      if (!b || !node.is_boolean()) return InvalidArgumentError("admin_read_only must be true or false");
      c.admin_read_only = *b;
    } else if (key == "auto_reload") {
      auto b = node.value<bool>();
      if (!b || !node.is_boolean()) return InvalidArgumentError("auto_reload must be true or false");
      c.auto_reload = *b;
    } else if (key == "share_url") {
      auto s = node.value<std::string>();
      if (!s || !node.is_string()) return InvalidArgumentError("share_url must be a string such as \"https://music.example.org\"");
      std::string url = *s;
      while (!url.empty() && url.back() == '/') url.pop_back();
      if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://")) {
        return InvalidArgumentError("share_url must start with http:// or https://");
      }
      c.share_url = url;
    } else if (key == "scan_on_start") {
      auto b = node.value<bool>();
      if (!b || !node.is_boolean()) return InvalidArgumentError("scan_on_start must be true or false");
      c.scan_on_start = *b;
    } else if (key == "library") {
      PIER_RETURN_IF_ERROR(ParseLibraries(node, base, &c.libraries));
    } else if (key == "user") {
      PIER_RETURN_IF_ERROR(ParseUsers(node, &c.users));
    } else if (key == "cache" || key == "tls" || key == "scrobbling" || key == "agents" || key == "storage" ||
               key == "taskqueue") {
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
        } else if (name == "agents.order") {
          const toml::array* list = sn.as_array();
          if (list == nullptr) return InvalidArgumentError(name + " must be a list of plugin IDs");
          for (const auto& e : *list) {
            auto id = e.value<std::string>();
            if (!id || !e.is_string() || id->empty()) return InvalidArgumentError(name + " must be a list of plugin IDs");
            c.agents.push_back(*id);
          }
        } else if (name == "agents.cache_ttl") {
          PIER_RETURN_IF_ERROR(duration(sn, name, std::chrono::hours(24 * 30), &c.agent_cache_ttl));
        } else if (name == "agents.failure_backoff") {
          PIER_RETURN_IF_ERROR(duration(sn, name, std::chrono::hours(24), &c.agent_failure_backoff));
        } else if (name == "scrobbling.retry_backoff") {
          PIER_RETURN_IF_ERROR(duration(sn, name, std::chrono::hours(24), &c.scrobble_retry_backoff));
          if (c.scrobble_retry_backoff.count() == 0) return InvalidArgumentError(name + " must be greater than 0");
        } else if (name == "scrobbling.retry_backoff_max") {
          PIER_RETURN_IF_ERROR(duration(sn, name, std::chrono::hours(24 * 7), &c.scrobble_retry_backoff_max));
        } else if (name == "storage.url") {
          auto u = sn.value<std::string>();
          if (!u || !sn.is_string()) return InvalidArgumentError(name + " must be a string such as \"postgresql://pier@127.0.0.1/pier\"");
          if (!u->empty() && !u->starts_with("postgresql://") && !u->starts_with("postgres://")) {
            return InvalidArgumentError(name + " must start with postgresql:// (or be empty for SQLite files)");
          }
          c.storage_url = *u;
        } else if (name == "storage.node") {
          auto n = sn.value<std::string>();
          if (!n || !sn.is_string() || n->find('/') != std::string::npos) {
            return InvalidArgumentError(name + " must be a string without '/'");
          }
          c.storage_node = *n;
        } else if (name == "storage.pool_size") {
          auto i = sn.value<int64_t>();
          if (!i || !sn.is_integer() || *i < 1 || *i > 256) return InvalidArgumentError(name + " must be from 1 to 256");
          c.storage_pool_size = static_cast<int>(*i);
        } else if (name == "storage.statement_timeout") {
          PIER_RETURN_IF_ERROR(duration(sn, name, std::chrono::hours(1), &c.storage_statement_timeout));
        } else if (name == "taskqueue.lease_slack") {
          PIER_RETURN_IF_ERROR(duration(sn, name, std::chrono::hours(24), &c.task_lease_slack));
          if (c.task_lease_slack < std::chrono::seconds(1)) return InvalidArgumentError(name + " must be at least 1s");
        } else if (name == "taskqueue.durability") {
          auto d = sn.value<std::string>();
          if (!d || !sn.is_string() || (*d != "full" && *d != "normal")) {
            return InvalidArgumentError(name + " must be \"full\" or \"normal\"");
          }
          c.task_durability_full = *d == "full";
        } else if (name == "taskqueue.recovery_interval") {
          PIER_RETURN_IF_ERROR(duration(sn, name, std::chrono::hours(24), &c.task_recovery_interval));
          if (c.task_recovery_interval < std::chrono::milliseconds(100)) {
            return InvalidArgumentError(name + " must be at least 100ms");
          }
        } else if (name == "scrobbling.buffer_max") {
          auto i = sn.value<int64_t>();
          if (!i || !sn.is_integer() || *i <= 0) return InvalidArgumentError(name + " must be a positive number");
          c.scrobble_buffer_max = *i;
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
  for (const UserConfig& u : c.users) {
    for (int32_t id : u.libraries) {
      if (std::none_of(c.libraries.begin(), c.libraries.end(), [&](const LibraryConfig& l) { return l.id == id; })) {
        return InvalidArgumentError("user " + u.user_name + ": library " + std::to_string(id) + " is not configured");
      }
    }
  }
  return c;
}

void ApplyEnvironment(PierConfig& config) {
  if (const char* url = std::getenv("PIER_STORAGE_URL"); url != nullptr && *url != '\0') config.storage_url = url;
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
