// Fuzzes the cron parser and its next-time search: any text, any instant.
// A parsed schedule's next fire time is always after the instant asked about,
// and the search always ends.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "services/scheduler/cron.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  int64_t after = 0;
  std::memcpy(&after, data, 8);
  after = static_cast<int64_t>(static_cast<uint64_t>(after) % 4'102'444'800'000ull);  // 1970 .. 2100
  const std::string spec(reinterpret_cast<const char*>(data + 8), size - 8);
  auto s = pier::scheduler::CronSchedule::Parse(spec);
  if (!s.ok()) return 0;
  for (int i = 0; i < 3; ++i) {
    auto next = s->Next(after);
    if (!next) break;
    if (*next <= after) std::abort();
    after = *next;
  }
  return 0;
}
