#include "admin/audit_log.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace pier {

void AuditLog::Record(AuditEntry entry) {
  if (entry.at_ms == 0) {
    entry.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  }
  spdlog::info("admin: {} {} {} -> {}{}", entry.who, entry.method, entry.path, entry.status,
               entry.count ? " (" + std::to_string(*entry.count) + ")" : "");
  MutexLock lock(mu_);
  entries_.push_back(std::move(entry));
  if (entries_.size() > kMaxEntries) entries_.pop_front();
}

std::vector<AuditEntry> AuditLog::Newest(size_t limit) const {
  MutexLock lock(mu_);
  std::vector<AuditEntry> out;
  for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

}  // namespace pier
