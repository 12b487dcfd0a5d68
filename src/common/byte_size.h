// Byte sizes as plugin manifests write them ("1MB", "500 KiB", "1,000kb"),
// read and printed exactly as the original host does (go-humanize): SI
// suffixes are powers of 1000 (KB, K, MB, M, GB...), IEC suffixes powers of
// 1024 (KiB, Ki, MiB, Mi...), case-insensitive, with an optional space,
// decimals and thousands commas. So "1MB" is 1,000,000 bytes and "1MiB"
// 1,048,576.
//
//   ParseByteSize("10KB").value();   // 10000
//   FormatByteSize(2048);            // "2.0 kB"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pier/status.h"

namespace pier {

Result<int64_t> ParseByteSize(std::string_view text);

// SI, as the original's messages print it: "999 B", "2.0 kB", "10 kB", "1.0 MB".
std::string FormatByteSize(int64_t bytes);

}  // namespace pier
