// Task search for the dashboard: qualifiers, pages that never load a queue
// whole, and bulk actions on every task that matches.
//
// Query words (space-separated, ANDed; values may be "quoted"):
//   status:failed   id:00Vck…   priority:5   attempt>2   error:timeout   payload:abc
//   a bare word matches the ID, the error or the payload.
// Text matches are case-insensitive substrings; the payload is searched as bytes.
//
// Search reads the store newest first, kSearchBatch rows at a time (with
// the status in SQL), until a page is full or kMaxScan rows were read; the
// answer carries a cursor to go on from: the place of the last row read
// (keyset paging), so the thousandth page of a million-task queue costs what
// the first does. Bulk actions first find every
// match (IDs only) once; the caller refuses when their number is not the
// one the person confirmed; then they act in batches, reporting progress.
//
//   auto q = TaskQuery::Parse("status:failed error:timeout").value();
//   auto page = SearchTasks(tasks, "thumbs", q, {.limit = 50});
//   auto more = SearchTasks(tasks, "thumbs", q, {.limit = 50, .after = page->next});
//   auto ids = MatchingTaskIds(tasks, "thumbs", q).value();   // ids.size() == n_confirmed?
//   int64_t n = ApplyToTasks(tasks, ids, BulkAction::kRetry, progress);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pier/wire/types.h"
#include "services/taskqueue/task_service.h"

namespace pier {

struct TaskQuery {
  std::string status, id, error, payload;
  std::vector<std::string> words;  // bare words: ID, error or payload
  std::optional<int32_t> priority;
  std::optional<int32_t> attempt_above;

  static Result<TaskQuery> Parse(std::string_view text);
  bool Matches(const wire::TaskDetail& t) const;
};

struct SearchPage {
  std::vector<wire::TaskDetail> tasks;
  std::optional<taskqueue::ListKey> next;  // where the next page starts; none: this was the last
  int64_t scanned = 0;                     // rows read for this page
};

// A cursor as the API carries it: "createdAt.row"; nullopt when malformed.
std::string EncodeCursor(const taskqueue::ListKey& key);
std::optional<taskqueue::ListKey> ParseCursor(std::string_view text);

inline constexpr int kSearchBatch = 1000;
inline constexpr int64_t kMaxScan = 200'000;

struct SearchOptions {
  int limit = 50;
  std::optional<taskqueue::ListKey> after;  // SearchPage::next of the page before
};

Result<SearchPage> SearchTasks(taskqueue::TaskQueueService& tasks, const std::string& queue, const TaskQuery& q,
                               SearchOptions options);

// The IDs of every match (reads every candidate row of the queue, in batches).
Result<std::vector<std::string>> MatchingTaskIds(taskqueue::TaskQueueService& tasks, const std::string& queue,
                                                 const TaskQuery& q);

enum class BulkAction { kRetry, kCancel, kDelete };
std::optional<BulkAction> ParseBulkAction(std::string_view name);

// Applies `action` to each of `ids` (MatchingTaskIds, after checking their
// number is the one the person confirmed), reporting progress every batch.
// Tasks the action does not apply to any more (retried meanwhile,
// finished) are skipped. Returns how many it changed.
int64_t ApplyToTasks(taskqueue::TaskQueueService& tasks, const std::vector<std::string>& ids, BulkAction action,
                     const std::function<void(int64_t done)>& progress);

}  // namespace pier
