// AuditLog: every change asked of the admin listener (API or dashboard):
// who (the credential's role and kind), what (method, route, path), when,
// the answer's status and, for changes that touch several tasks, how many.
// In memory, the newest kMaxEntries; also written to Pier's log at info.
//
//   audit.Record({.who = "admin (session)", .method = "POST", .path = "/api/plugins/x/disable", .status = 200});
//   auto newest = audit.Newest(100);
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"

namespace pier {

struct AuditEntry {
  int64_t at_ms = 0;
  std::string who;     // "admin (token)", "admin (session)", "read-only (session)", "nobody"
  std::string method;
  std::string route;   // the route pattern that answered ("" when none did)
  std::string path;    // as asked, without the query
  std::string query;
  int status = 0;
  std::optional<int64_t> count;  // tasks enqueued, retried, deleted…, when known
};

class AuditLog {
 public:
  static constexpr size_t kMaxEntries = 2000;
  void Record(AuditEntry entry) PIER_EXCLUDES(mu_);
  std::vector<AuditEntry> Newest(size_t limit) const PIER_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::deque<AuditEntry> entries_ PIER_GUARDED_BY(mu_);
};

}  // namespace pier
