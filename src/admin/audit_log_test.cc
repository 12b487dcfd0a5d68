#include "admin/audit_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace pier {
namespace {

namespace fs = std::filesystem;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-audit-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  size_t Lines() {
    std::ifstream in(dir_ / "audit.jsonl");
    size_t n = 0;
    for (std::string l; std::getline(in, l);) ++n;
    return n;
  }
  fs::path dir_;
};

TEST_F(AuditLogTest, EntriesOutliveTheProcessAndTornLinesAreSkipped) {
  {
    AuditLog log;
    ASSERT_TRUE(log.Persist(dir_ / "audit.jsonl").ok());
    log.Record({.who = "admin (token)", .method = "POST", .route = "r", .path = "/api/a\n\"quoted\"", .status = 200,
                .count = 7});
    log.Record({.who = "admin (session)", .method = "DELETE", .path = "/api/session", .status = 200});
  }
  // A crash mid-write leaves half a line.
  std::ofstream(dir_ / "audit.jsonl", std::ios::app) << "{\"at\": 12, \"who\": \"tor";
  AuditLog again;
  ASSERT_TRUE(again.Persist(dir_ / "audit.jsonl").ok());
  auto newest = again.Newest(10);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].method, "DELETE");
  EXPECT_EQ(newest[1].path, "/api/a\n\"quoted\"") << "text comes back as it was";
  EXPECT_EQ(newest[1].count, 7);
  EXPECT_FALSE(newest[0].count.has_value());
  EXPECT_EQ(Lines(), 2u) << "rewritten without the torn line";
}

TEST_F(AuditLogTest, TheFileStaysBounded) {
  AuditLog log;
  ASSERT_TRUE(log.Persist(dir_ / "audit.jsonl").ok());
  for (size_t i = 0; i < AuditLog::kRewriteAt + 10; ++i) {
    log.Record({.who = "admin (token)", .method = "POST", .path = "/api/" + std::to_string(i), .status = 200});
  }
  EXPECT_LE(Lines(), AuditLog::kRewriteAt);
  EXPECT_GE(Lines(), AuditLog::kMaxEntries);
  AuditLog again;
  ASSERT_TRUE(again.Persist(dir_ / "audit.jsonl").ok());
  auto newest = again.Newest(AuditLog::kMaxEntries + 5);
  ASSERT_EQ(newest.size(), AuditLog::kMaxEntries);
  EXPECT_EQ(newest[0].path, "/api/" + std::to_string(AuditLog::kRewriteAt + 9));
}

TEST_F(AuditLogTest, AnUnwritableFileIsReportedAndMemoryStillWorks) {
  AuditLog log;
  EXPECT_FALSE(log.Persist(dir_ / "no-such-folder" / "audit.jsonl").ok());
  log.Record({.who = "x", .method = "POST", .path = "/p", .status = 200});
  EXPECT_EQ(log.Newest(5).size(), 1u);
}

}  // namespace
}  // namespace pier
