#include "support/postgres.h"

#include <cstdio>
#include <cstdlib>

#include "storage/postgres/connection.h"

namespace pier::testing {

std::optional<std::string> PostgresAdminUrl() {
  const char* url = std::getenv("PIER_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

std::string PostgresDatabaseUrl(const std::string& name) {
  std::string url = PostgresAdminUrl().value_or("");
  const std::string from = "/postgres?";
  const size_t at = url.find(from);
  if (at == std::string::npos) return url;
  return url.replace(at, from.size(), "/" + name + "?");
}

std::string FreshPostgresDatabase(const std::string& name) {
  auto admin = pg::Connection::Connect({.url = PostgresAdminUrl().value_or("")});
  if (!admin.ok()) {
    std::fprintf(stderr, "test PostgreSQL server: %s\n", admin.status().message().c_str());
    std::abort();
  }
  for (const std::string sql : {"DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)",
                                "CREATE DATABASE \"" + name + "\""}) {
    if (Status st = (*admin)->Exec(sql); !st.ok()) {
      std::fprintf(stderr, "test PostgreSQL server: %s\n", st.message().c_str());
      std::abort();
    }
  }
  return PostgresDatabaseUrl(name);
}

}  // namespace pier::testing
