#include "pier/sqlite_tuning.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "storage/sqlite/database.h"
#include "support/temp_dir.h"

namespace pier {
namespace {

// ctest runs each test in a process of its own, so SQLite is untouched here
// when the test starts. Run in one process after other SQLite tests, it
// cannot see the "before" half and reports a skip.
TEST(TuneSqliteForPier, TurnsMemoryStatisticsOffBeforeSqliteStartsAndRefusesAfter) {
  if (sqlite3_memory_used() != 0) GTEST_SKIP() << "SQLite was used before this test in this process; run it alone";
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
