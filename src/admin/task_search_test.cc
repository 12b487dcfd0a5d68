// Task search over a real SQLite store: qualifiers, keyset pages that add up
// to every match exactly once, "all matching", and bulk actions.
#include "admin/task_search.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "services/taskqueue/sqlite_task_store.h"
#include "support/test_call_context.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using taskqueue::ListKey;

class TaskSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-search-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = taskqueue::SqliteTaskStore::Open(dir_ / "taskqueue.db").value();
    service_ = std::make_unique<taskqueue::TaskQueueService>(std::move(store), taskqueue::TaskServiceOptions{});
    pier::testing::TestCallContext ctx;
    ASSERT_TRUE(service_->CreateQueue(ctx, {"q", {}}).ok());
    // 2,500 tasks (more than two store batches), payloads "task-<i>", every 7th with priority 3.
    for (int start = 0; start < kTasks; start += 500) {
      std::vector<wire::TaskSpec> specs;
      for (int i = start; i < start + 500; ++i) {
        specs.push_back({.payload = "task-" + std::to_string(i), .priority = i % 7 == 0 ? 3 : 0});
      }
      auto ids = service_->AdminEnqueue("q", specs).value();
      ids_.insert(ids_.end(), ids.begin(), ids.end());
    }
  }
  void TearDown() override {
    service_.reset();
    fs::remove_all(dir_);
  }
  // Every page of `query`, `limit` at a time, in order.
  std::vector<std::string> AllPages(const std::string& query, int limit, int* pages) {
    const TaskQuery q = TaskQuery::Parse(query).value();
    std::vector<std::string> out;
    std::optional<ListKey> after;
    *pages = 0;
    while (true) {
      SearchPage page = SearchTasks(*service_, "q", q, {.limit = limit, .after = after}).value();
      ++*pages;
      EXPECT_LE(static_cast<int>(page.tasks.size()), limit);
      for (const auto& t : page.tasks) out.push_back(t.id);
      if (!page.next) return out;
      // The cursor goes through the API as text.
      after = ParseCursor(EncodeCursor(*page.next));
      EXPECT_EQ(after, page.next);
      if (*pages > 10000) return out;
    }
  }

  static constexpr int kTasks = 2500;
  fs::path dir_;
  std::unique_ptr<taskqueue::TaskQueueService> service_;
  std::vector<std::string> ids_;  // oldest first
};

TEST_F(TaskSearchTest, PagesAddUpToEveryTaskOnceNewestFirst) {
  int pages = 0;
  const std::vector<std::string> all = AllPages("", 333, &pages);
  EXPECT_EQ(all, std::vector<std::string>(ids_.rbegin(), ids_.rend()));
  EXPECT_EQ(pages, 8);  // 7 full pages and a partial one
}

TEST_F(TaskSearchTest, QualifiedPagesHoldExactlyTheMatches) {
  int pages = 0;
  // payload:task-1 matches task-1, task-10..19, task-100..199, task-1000..1999: 1 + 10 + 100 + 1000.
  const std::vector<std::string> found = AllPages("payload:TASK-1", 50, &pages);
  EXPECT_EQ(found.size(), 1111u);
  EXPECT_EQ(std::set<std::string>(found.begin(), found.end()).size(), found.size()) << "no task twice";
  EXPECT_EQ(found.front(), ids_[1999]);
  EXPECT_EQ(found.back(), ids_[1]);
  const std::vector<std::string> high = AllPages("priority:3 payload:task-1", 40, &pages);
  int expected = 0;
  for (int i = 0; i < kTasks; ++i) {
    const std::string p = "task-" + std::to_string(i);
    if (i % 7 == 0 && p.find("task-1") != std::string::npos) ++expected;
  }
  EXPECT_EQ(static_cast<int>(high.size()), expected);
  EXPECT_EQ(MatchingTaskIds(*service_, "q", TaskQuery::Parse("priority:3 payload:task-1").value()).value(), high);
  EXPECT_TRUE(AllPages("status:failed", 50, &pages).empty());
  EXPECT_EQ(pages, 1);
  EXPECT_EQ(AllPages("id:" + ids_[42], 50, &pages), std::vector<std::string>{ids_[42]});
}

TEST_F(TaskSearchTest, BulkActionsApplyToEveryMatchAndSkipWhatNoLongerFits) {
  const TaskQuery fives = TaskQuery::Parse("payload:5").value();
  const auto ids = MatchingTaskIds(*service_, "q", fives).value();
  ASSERT_FALSE(ids.empty());
  std::vector<int64_t> progress;
  EXPECT_EQ(ApplyToTasks(*service_, ids, BulkAction::kCancel, [&](int64_t n) { progress.push_back(n); }),
            static_cast<int64_t>(ids.size()));
  EXPECT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), static_cast<int64_t>(ids.size()));
  const TaskQuery cancelled = TaskQuery::Parse("status:cancelled").value();
  EXPECT_EQ(MatchingTaskIds(*service_, "q", cancelled).value().size(), ids.size());
  // Cancelling again changes nothing: they are cancelled already.
  EXPECT_EQ(ApplyToTasks(*service_, ids, BulkAction::kCancel, {}), 0);
  EXPECT_EQ(ApplyToTasks(*service_, ids, BulkAction::kDelete, {}), static_cast<int64_t>(ids.size()));
  EXPECT_TRUE(MatchingTaskIds(*service_, "q", fives).value().empty());
  EXPECT_EQ(service_->QueueStatsOf("q").value().pending, kTasks - static_cast<int64_t>(ids.size()));
  EXPECT_EQ(service_->TaskDetailOf(ids[0]).status().code(), StatusCode::kNotFound);
}

TEST(TaskCursorTest, MalformedCursorsAreRefused) {
  EXPECT_EQ(ParseCursor("1733350000000.42"), (ListKey{1733350000000, 42}));
  for (const char* bad : {"", "12", "12.", ".5", "a.b", "1.2.3", "1.2x", " 1.2"}) {
    EXPECT_FALSE(ParseCursor(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseBulkAction("delete"), BulkAction::kDelete);
  EXPECT_FALSE(ParseBulkAction("purge").has_value());
}

}  // namespace
}  // namespace pier
