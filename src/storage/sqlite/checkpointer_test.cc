#include "storage/sqlite/checkpointer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

namespace pier::sqlite {
namespace {

namespace fs = std::filesystem;

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_ = fs::temp_directory_path() / ("pier-checkpointer-" + std::to_string(getpid()));
};

// Commits one small row at a time, as a queue under single enqueues does.
void CommitRows(Database& db, int n) {
  auto insert = db.Prepare("INSERT INTO t (v) VALUES (?)").value();
  const std::string value(900, 'x');
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(db.Exec("BEGIN IMMEDIATE").ok());
    insert.Bind(1, value + std::to_string(i));
    ASSERT_TRUE(insert.Run().ok());
    insert.Reset();
    ASSERT_TRUE(db.Exec("COMMIT").ok());
  }
}

// The log is folded in by the thread, and stays bounded while commits go on.
TEST_F(CheckpointerTest, KeepsTheLogBoundedOffTheCommittingThread) {
  auto db = Database::Open(dir_ / "x.db").value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").ok());
  constexpr int kPages = 50;
  auto checkpoints = Checkpointer::Start(*db, kPages).value();
  uintmax_t largest = 0;
  // 6,000 commits of a ~1 KiB row: about 24 MB of log if it never restarted.
  for (int round = 0; round < 60; ++round) {
    ASSERT_NO_FATAL_FAILURE(CommitRows(*db, 100));
    largest = std::max(largest, fs::file_size(dir_ / "x.db-wal"));
  }
  for (int i = 0; i < 200 && checkpoints->background_runs() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(checkpoints->background_runs(), 0);
  // Bounded near the inline fallback (frames of 4 KiB pages plus headers);
  // the margin covers a checkpoint thread that a loaded machine deschedules
  // while it holds the checkpoint lock (the writer's own attempts then wait).
  EXPECT_LE(largest, uintmax_t{kPages} * Checkpointer::kInlineFactor * 4 * 4200) << largest;
  checkpoints.reset();
  // Every row is there, through a fresh connection.
  db.reset();
  auto again = Database::Open(dir_ / "x.db").value();
  auto count = again->Prepare("SELECT COUNT(*) FROM t").value();
  ASSERT_TRUE(count.Step().value());
  EXPECT_EQ(count.ColumnInt(0), 6000);
}

// Without the thread (destroyed), the writer checkpoints on its own again.
TEST_F(CheckpointerTest, TheWriterGoesOnAloneAfterIt) {
  auto db = Database::Open(dir_ / "y.db").value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").ok());
  { auto checkpoints = Checkpointer::Start(*db, 10).value(); }
  ASSERT_NO_FATAL_FAILURE(CommitRows(*db, 3000));
  EXPECT_LE(fs::file_size(dir_ / "y.db-wal"), uintmax_t{Checkpointer::kDefaultPages} * 2 * 4200);
}

}  // namespace
}  // namespace pier::sqlite
