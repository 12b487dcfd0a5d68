#include <sqlite3.h>

#include "pier/sqlite_tuning.h"

namespace pier {

Status TuneSqliteForPier() {
  // sqlite3_config refuses (SQLITE_MISUSE) once SQLite is initialised.
  if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) {
    return FailedPreconditionError(
        "SQLite is already in use in this process; its memory statistics stay on (Pier works, a little slower)");
  }
  return OkStatus();
}

}  // namespace pier
