#include "admin/task_search.h"

#include "common/ascii.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pier {

namespace {

bool Contains(std::string_view hay, const std::string& lower_needle) {
  return AsciiLower(hay).find(lower_needle) != std::string::npos;
}

// Splits on spaces outside "double quotes"; quotes are removed.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any || !cur.empty()) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
    }
  }
  if (any || !cur.empty()) out.push_back(cur);
  return out;
}

Result<int32_t> Int(std::string_view key, std::string_view v) {
  int32_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) {
    return InvalidArgumentError(std::string(key) + " needs a whole number, not \"" + std::string(v) + "\"");
  }
  return n;
}

}  // namespace

Result<TaskQuery> TaskQuery::Parse(std::string_view text) {
  TaskQuery q;
  for (const std::string& w : Words(text)) {
    if (w.empty()) continue;
    if (const size_t gt = w.find('>'); gt != std::string::npos && w.substr(0, gt) == "attempt") {
      PIER_ASSIGN_OR_RETURN(q.attempt_above, Int("attempt>", w.substr(gt + 1)));
      continue;
    }
    const size_t colon = w.find(':');
    const std::string key = colon == std::string::npos ? "" : AsciiLower(w.substr(0, colon));
    const std::string value = colon == std::string::npos ? w : w.substr(colon + 1);
    if (key == "status") {
      static const char* kStates[] = {"pending", "running", "completed", "failed", "cancelled"};
      if (std::find(std::begin(kStates), std::end(kStates), AsciiLower(value)) == std::end(kStates)) {
        return InvalidArgumentError("status: is one of pending, running, completed, failed, cancelled");
      }
      q.status = AsciiLower(value);
    } else if (key == "id") {
      q.id = value;
    } else if (key == "priority") {
      PIER_ASSIGN_OR_RETURN(q.priority, Int("priority:", value));
    } else if (key == "error") {
      q.error = AsciiLower(value);
    } else if (key == "payload") {
      q.payload = AsciiLower(value);
    } else if (key.empty() || key.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos) {
      q.words.push_back(AsciiLower(w));  // a bare word, or one whose "key" is not a word (a URL, a time)
    } else {
      return InvalidArgumentError("unknown qualifier \"" + key + ":\" (status:, id:, priority:, attempt>, error:, payload:)");
    }
  }
  return q;
}

bool TaskQuery::Matches(const wire::TaskDetail& t) const {
  if (!status.empty() && t.status != status) return false;
  if (!id.empty() && t.id != id) return false;
  if (priority && t.priority != *priority) return false;
  if (attempt_above && t.attempt <= *attempt_above) return false;
  const std::string& err = t.last_error.empty() ? t.message : t.last_error;
  if (!error.empty() && !Contains(err, error)) return false;
  if (!payload.empty() && !Contains(t.payload, payload)) return false;
  for (const std::string& w : words) {
    if (!Contains(t.id, w) && !Contains(err, w) && !Contains(t.payload, w)) return false;
  }
  return true;
}

std::string EncodeCursor(const taskqueue::ListKey& key) {
  return std::to_string(key.created_at) + "." + std::to_string(key.row);
}

std::optional<taskqueue::ListKey> ParseCursor(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  taskqueue::ListKey key;
  auto whole = [](std::string_view v, int64_t* out) {
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
    return !v.empty() && ec == std::errc() && end == v.data() + v.size();
  };
  if (!whole(text.substr(0, dot), &key.created_at) || !whole(text.substr(dot + 1), &key.row)) return std::nullopt;
  return key;
}

std::optional<BulkAction> ParseBulkAction(std::string_view name) {
  if (name == "retry") return BulkAction::kRetry;
  if (name == "cancel") return BulkAction::kCancel;
  if (name == "delete") return BulkAction::kDelete;
  return std::nullopt;
}

namespace {

// Calls `visit` for each task of the queue (of the query's status) newest
// first, from `after`, a batch at a time, until it returns false or the
// queue ends. The place of the last task visited is left in `*last`.
template <typename Visit>
Status Scan(taskqueue::TaskQueueService& tasks, const std::string& queue, const TaskQuery& q,
            std::optional<taskqueue::ListKey> after, std::optional<taskqueue::ListKey>* last, bool* ended,
            Visit visit) {
  *ended = false;
  while (true) {
    PIER_ASSIGN_OR_RETURN(auto batch,
                          tasks.ListedTasks({.queue = queue, .status = q.status, .limit = kSearchBatch, .after = after}));
    for (auto& listed : batch) {
      *last = after = listed.key;
      if (!visit(listed.task)) return OkStatus();
    }
    if (static_cast<int>(batch.size()) < kSearchBatch) {
      *ended = true;
      return OkStatus();
    }
  }
}

}  // namespace

Result<SearchPage> SearchTasks(taskqueue::TaskQueueService& tasks, const std::string& queue, const TaskQuery& q,
                               SearchOptions options) {
  SearchPage page;
  const int limit = std::clamp(options.limit, 1, 1000);
  if (!q.id.empty()) {  // one task: no scan
    auto t = tasks.TaskDetailOf(q.id);
    if (t.ok() && t->queue_name == queue && q.Matches(*t)) page.tasks.push_back(std::move(*t));
    return page;
  }
  std::optional<taskqueue::ListKey> last;
  bool ended = false;
  PIER_RETURN_IF_ERROR(Scan(tasks, queue, q, options.after, &last, &ended, [&](wire::TaskDetail& t) {
    ++page.scanned;
    if (q.Matches(t)) page.tasks.push_back(std::move(t));
    // Stop on a full page, or when the scan budget ran out (go on from here).
    return static_cast<int>(page.tasks.size()) < limit && page.scanned < kMaxScan;
  }));
  if (!ended) page.next = last;
  return page;
}

Result<std::vector<std::string>> MatchingTaskIds(taskqueue::TaskQueueService& tasks, const std::string& queue,
                                                 const TaskQuery& q) {
  std::vector<std::string> ids;
  if (!q.id.empty()) {
    auto t = tasks.TaskDetailOf(q.id);
    if (t.ok() && t->queue_name == queue && q.Matches(*t)) ids.push_back(t->id);
    return ids;
  }
  std::optional<taskqueue::ListKey> last;
  bool ended = false;
  PIER_RETURN_IF_ERROR(Scan(tasks, queue, q, std::nullopt, &last, &ended, [&](const wire::TaskDetail& t) {
    if (q.Matches(t)) ids.push_back(t.id);
    return true;
  }));
  return ids;
}

int64_t ApplyToTasks(taskqueue::TaskQueueService& tasks, const std::vector<std::string>& ids, BulkAction action,
                     const std::function<void(int64_t done)>& progress) {
  int64_t done = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    Status st;
    switch (action) {
      case BulkAction::kRetry: st = tasks.RetryTask(ids[i]); break;
      case BulkAction::kCancel: st = tasks.CancelTask(ids[i]); break;
      case BulkAction::kDelete: st = tasks.DeleteTask(ids[i]); break;
    }
    if (st.ok()) ++done;
    if (progress && ((i + 1) % kSearchBatch == 0 || i + 1 == ids.size())) progress(done);
  }
  return done;
}

}  // namespace pier
