#include "pier/sqlite_tuning.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "storage/sqlite/database.h"
#include "support/temp_dir.h"

namespace pier {
namespace {

// ctest runs each test in a process of its own, so SQLite is untouched here
// when the test starts. (Run in one process after other SQLite tests, the
// first call reports FailedPrecondition instead, and the test says so.)
TEST(TuneSqliteForPier, TurnsMemoryStatisticsOffBeforeSqliteStartsAndRefusesAfter) {
  ASSERT_EQ(sqlite3_memory_used(), 0) << "SQLite was used before this test; run it on its own (as ctest does)";
  ASSERT_TRUE(TuneSqliteForPier().ok());
  pier::testing::TempDir temp;
  auto db = sqlite::Database::Open(temp.path() / "t.db").value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x BLOB); INSERT INTO t VALUES (zeroblob(100000))").ok());
  EXPECT_EQ(sqlite3_memory_used(), 0) << "statistics are off: nothing counted";
  Status again = TuneSqliteForPier();
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.message().find("already in use"), std::string::npos) << again.message();
}

}  // namespace
}  // namespace pier
