#include "admin/audit_log.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>

#include <nlohmann/json.hpp>

namespace pier {

namespace {

using Json = nlohmann::json;

std::string Line(const AuditEntry& e) {
  Json j = {{"at", e.at_ms}, {"who", e.who}, {"method", e.method}, {"route", e.route},
            {"path", e.path}, {"query", e.query}, {"status", e.status}};
  if (e.count) j["count"] = *e.count;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::optional<AuditEntry> Parse(const std::string& line) {
  const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  AuditEntry e;
  try {
    e.at_ms = j.at("at").get<int64_t>();
    e.who = j.at("who").get<std::string>();
    e.method = j.at("method").get<std::string>();
    e.route = j.value("route", "");
    e.path = j.at("path").get<std::string>();
    e.query = j.value("query", "");
    e.status = j.at("status").get<int>();
    if (auto c = j.find("count"); c != j.end() && c->is_number_integer()) e.count = c->get<int64_t>();
  } catch (const Json::exception&) {
    return std::nullopt;
  }
  return e;
}

}  // namespace

AuditLog::~AuditLog() {
  MutexLock lock(mu_);
  if (out_ != nullptr) std::fclose(out_);
}

Status AuditLog::Persist(const std::filesystem::path& file) {
  MutexLock lock(mu_);
  if (out_ != nullptr) return FailedPreconditionError("the audit log is already kept in " + file_.string());
  std::deque<AuditEntry> earlier;
  size_t lines = 0;
  if (std::ifstream in(file); in) {
    for (std::string line; std::getline(in, line);) {
      ++lines;
      if (auto e = Parse(line)) {
        earlier.push_back(std::move(*e));
        if (earlier.size() > kMaxEntries) earlier.pop_front();
      }
    }
  }
  // Earlier runs first, then anything recorded before this call.
  for (AuditEntry& e : entries_) earlier.push_back(std::move(e));
  while (earlier.size() > kMaxEntries) earlier.pop_front();
  entries_ = std::move(earlier);
  file_ = file;
  lines_ = lines;
  // Rewritten at once: drops torn lines and what is beyond kMaxEntries.
  return Rewrite();
}

Status AuditLog::Rewrite() {
  if (out_ != nullptr) {
    std::fclose(out_);
    out_ = nullptr;
  }
  const std::filesystem::path temp = file_.string() + ".new";
  FILE* f = std::fopen(temp.c_str(), "w");
  if (f == nullptr) return UnavailableError("cannot write the audit log " + temp.string());
  for (const AuditEntry& e : entries_) std::fputs(Line(e).c_str(), f);
  const bool written = std::fflush(f) == 0 && std::fclose(f) == 0;
  std::error_code ec;
  if (written) std::filesystem::rename(temp, file_, ec);
  if (!written || ec) return UnavailableError("cannot write the audit log " + file_.string());
  lines_ = entries_.size();
  out_ = std::fopen(file_.c_str(), "a");
  if (out_ == nullptr) return UnavailableError("cannot append to the audit log " + file_.string());
  return OkStatus();
}

void AuditLog::Record(AuditEntry entry) {
  if (entry.at_ms == 0) {
    entry.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  }
  spdlog::info("admin: {} {} {} -> {}{}", entry.who, entry.method, entry.path, entry.status,
               entry.count ? " (" + std::to_string(*entry.count) + ")" : "");
  MutexLock lock(mu_);
  if (out_ != nullptr) {
    const std::string line = Line(entry);
    if (std::fputs(line.c_str(), out_) < 0 || std::fflush(out_) != 0) {
      spdlog::warn("admin: the audit log {} could not be written; entries are kept in memory only", file_.string());
      std::fclose(out_);
      out_ = nullptr;
    } else if (++lines_ >= kRewriteAt) {
      entries_.push_back(entry);
      if (entries_.size() > kMaxEntries) entries_.pop_front();
      if (Status st = Rewrite(); !st.ok()) spdlog::warn("admin: {}", st.message());
      return;
    }
  }
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
