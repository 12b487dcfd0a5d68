// The private PostgreSQL server of a test run (scripts/with-postgres.sh
// starts it and sets PIER_TEST_POSTGRES_URL). Tests that need it skip with
// kNoPostgres when it is absent, so a skip is reported, never a pass.
//
//   if (!testing::PostgresAvailable()) GTEST_SKIP() << testing::kNoPostgres;
//   std::string url = testing::FreshPostgresDatabase("pier_store_test");
#pragma once

#include <optional>
#include <string>

namespace pier::testing {

inline constexpr const char* kNoPostgres =
    "PostgreSQL tests skipped: no test server (run under scripts/with-postgres.sh, as scripts/test.sh does)";

// PIER_TEST_POSTGRES_URL, when set.
std::optional<std::string> PostgresAdminUrl();
inline bool PostgresAvailable() { return PostgresAdminUrl().has_value(); }
// The URL of this process's database `name` on the test server (test
// binaries run in parallel: each process has its own, "<name>_<pid>").
std::string PostgresDatabaseUrl(const std::string& name);
// Drops this process's database `name` if it exists (closing its sessions),
// creates it empty, and returns its URL; it is dropped when the process
// exits. Aborts the test binary when the server fails.
std::string FreshPostgresDatabase(const std::string& name);

}  // namespace pier::testing
