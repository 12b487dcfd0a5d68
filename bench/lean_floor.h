// The independent floor of the task-queue benchmark: the minimal writes a
// task needs — insert, claim, complete — on a lean schema (an integer row
// key, status and run time, one partial index over ready work), written with
// SQLite's C API directly, in WAL mode, with the batch sizes of the run it is
// compared with. It knows nothing of Pier's store, so it shows how far that
// store is from what SQLite itself can do on this machine.
#pragma once

#include <filesystem>

namespace pier::bench {

struct LeanFloorOptions {
  int tasks = 20000;
  int enqueue_batch = 100;  // inserts per transaction
  int per_round = 100;      // tasks claimed (and then completed) per transaction
  bool full_sync = true;    // synchronous=FULL; false: NORMAL
};

// Tasks per second through the three writes; the file is created anew.
double LeanFloor(const std::filesystem::path& file, const LeanFloorOptions& options);

}  // namespace pier::bench
