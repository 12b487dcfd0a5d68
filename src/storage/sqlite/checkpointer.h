// Checkpointer: copies a WAL database's committed pages back into its main
// file on a thread and connection of its own, so that no committing thread
// pays for a checkpoint's writes and syncs. Without it SQLite checkpoints
// inside the COMMIT that takes the log past its threshold, and that one
// commit stalls for milliseconds (the tail of a queue's latency).
//
//   auto writer = Database::Open(file).value();
//   auto checkpoints = Checkpointer::Start(*writer).value();  // before the first write
//
// It replaces the writer connection's auto-checkpoint with a signal to its
// thread, which runs PASSIVE checkpoints (they never block writers or
// readers). Should the log still grow past kInlineFactor times the threshold
// (the thread cannot keep up), the committing thread checkpoints as SQLite
// would. Destroy it before the writer connection; it runs a last checkpoint.
//
// Thread-safe.
#pragma once

#include <memory>
#include <thread>

#include "common/mutex.h"
#include "storage/sqlite/database.h"

namespace pier::sqlite {

class Checkpointer {
 public:
  static constexpr int kDefaultPages = 1000;  // SQLite's own auto-checkpoint threshold
  static constexpr int kInlineFactor = 16;

  static Result<std::unique_ptr<Checkpointer>> Start(Database& writer, int pages = kDefaultPages);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Checkpoints run so far by the thread.
  int64_t background_runs() const;

 private:
  Checkpointer(Database& writer, std::unique_ptr<Database> own, int pages);
  static int OnCommit(void* self, sqlite3* db, const char* name, int pages);
  void Loop();

  Database& writer_;
  std::unique_ptr<Database> own_;  // the thread's connection
  const int pages_;
  mutable Mutex mu_;
  CondVar wake_;
  bool due_ PIER_GUARDED_BY(mu_) = false;
  // Frames in the log when the thread last checkpointed: the next run is due
  // `pages_` frames later (or when the log restarted below it).
  int checkpointed_frames_ PIER_GUARDED_BY(mu_) = 0;
  bool stop_ PIER_GUARDED_BY(mu_) = false;
  int64_t background_runs_ PIER_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // last: starts once the rest is set
};

}  // namespace pier::sqlite
