// TuneSqliteForPier: one process-wide SQLite setting that makes Pier's stores
// faster, for an application that owns its process's use of SQLite.
//
// SQLite keeps global memory statistics by default, which costs a
// process-wide mutex on every allocation it makes. Pier's SQLite stores
// allocate on every row they write; turning the statistics off makes the task
// store's write path about 15% faster (bench/taskqueue.sh). The price, for
// the whole process: sqlite3_memory_used(), sqlite3_memory_highwater() and
// sqlite3_soft_heap_limit64() stop working. The `pier` command calls this at
// start; an embedding application decides for itself.
//
// Call it before anything in the process uses SQLite (before Pier opens a
// store). Once SQLite has started it changes nothing and returns
// FailedPrecondition; Pier works the same either way, only slower.
//
// Not thread-safe: call it while no other thread uses SQLite (at start, from main).
#pragma once

#include "pier/status.h"

namespace pier {

Status TuneSqliteForPier();

}  // namespace pier
