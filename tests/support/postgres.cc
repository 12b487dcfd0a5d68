#include "support/postgres.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>

#include "storage/postgres/connection.h"

namespace pier::testing {

namespace {

// Test binaries run in parallel on one server: each process gets its own
// databases ("<name>_<pid>"), dropped when it exits.
std::string ProcessName(const std::string& name) { return name + "_" + std::to_string(getpid()); }

std::mutex created_mu;
std::set<std::string>& Created() {
  static auto* created = new std::set<std::string>();
  return *created;
}

std::unique_ptr<pg::Connection> Admin() {
  auto admin = pg::Connection::Connect({.url = PostgresAdminUrl().value_or("")});
  if (!admin.ok()) {
    std::fprintf(stderr, "test PostgreSQL server: %s\n", admin.status().message().c_str());
    std::abort();
  }
  return std::move(*admin);
}

void DropCreated() {
  std::lock_guard<std::mutex> lock(created_mu);
  if (Created().empty()) return;
  auto admin = pg::Connection::Connect({.url = PostgresAdminUrl().value_or("")});
  if (!admin.ok()) return;
  for (const std::string& db : Created()) (void)(*admin)->Exec("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
}

}  // namespace

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
  return url.replace(at, from.size(), "/" + ProcessName(name) + "?");
}

std::string FreshPostgresDatabase(const std::string& name) {
  const std::string db = ProcessName(name);
  auto admin = Admin();
  for (const std::string& sql : {"DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)", "CREATE DATABASE \"" + db + "\""}) {
    if (Status st = admin->Exec(sql); !st.ok()) {
      std::fprintf(stderr, "test PostgreSQL server: %s\n", st.message().c_str());
      std::abort();
    }
  }
  std::lock_guard<std::mutex> lock(created_mu);
  if (Created().empty()) std::atexit(DropCreated);
  Created().insert(db);
  return PostgresDatabaseUrl(name);
}

}  // namespace pier::testing
