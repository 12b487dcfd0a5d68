// The admin API as `pier` reaches it: the URL and bearer token a running
// `pier serve` wrote to <data>/pier.admin ("<url>\n<token>\n").
//
//   httplib::Client admin(testing::AdminAddress(data));
//   testing::Authorize(admin, data);
#pragma once

#include <httplib.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "support/test_plugins.h"

namespace pier::testing {

inline std::string AdminFileLine(const std::filesystem::path& data, int line) {
  std::istringstream in(ReadFile(data / "pier.admin"));
  std::string out;
  for (int i = 0; i <= line; ++i) std::getline(in, out);
  return out;
}
inline std::string AdminAddress(const std::filesystem::path& data) { return AdminFileLine(data, 0); }
inline std::string AdminToken(const std::filesystem::path& data) { return AdminFileLine(data, 1); }
inline void Authorize(httplib::Client& client, const std::filesystem::path& data) {
  client.set_bearer_token_auth(AdminToken(data));
}

}  // namespace pier::testing
