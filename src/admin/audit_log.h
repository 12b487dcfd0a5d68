// AuditLog: every change asked of the admin listener (API or dashboard):
// who (the credential's role and kind), what (method, route, path), when,
// the answer's status and, for changes that touch several tasks, how many.
// In memory, the newest kMaxEntries; also written to Pier's log at info
// and, once Persist is called, appended to a file of JSON lines that the
// next run reads back (so the audit outlives restarts). The file is
// rewritten with the newest kMaxEntries when it holds kRewriteAt lines, so
// it stays bounded; a torn last line (a crash mid-write) is skipped. Lines
// are flushed, not fsynced: a power cut may lose the last few.
//
//   audit.Persist(data_dir / "admin-audit.jsonl");   // reads what earlier runs wrote
//   audit.Record({.who = "admin (session)", .method = "POST", .path = "/api/plugins/x/disable", .status = 200});
//   auto newest = audit.Newest(100);
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "pier/status.h"

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
  static constexpr size_t kRewriteAt = 4 * kMaxEntries;
  ~AuditLog();

  // Reads the entries `file` holds (if it exists) and appends every later one to it.
  Status Persist(const std::filesystem::path& file) PIER_EXCLUDES(mu_);
  void Record(AuditEntry entry) PIER_EXCLUDES(mu_);
  std::vector<AuditEntry> Newest(size_t limit) const PIER_EXCLUDES(mu_);

 private:
  Status Rewrite() PIER_REQUIRES(mu_);

  mutable Mutex mu_;
  std::deque<AuditEntry> entries_ PIER_GUARDED_BY(mu_);
  std::filesystem::path file_ PIER_GUARDED_BY(mu_);
  FILE* out_ PIER_GUARDED_BY(mu_) = nullptr;
  size_t lines_ PIER_GUARDED_BY(mu_) = 0;  // in the file
};

}  // namespace pier
