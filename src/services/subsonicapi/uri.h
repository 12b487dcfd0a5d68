// Parsing the relative URIs plugins give the SubsonicAPI service the way the
// original host does (Go's net/url): scheme and host ignored, the path's
// escapes checked, the query split into decoded pairs (a pair with a bad
// escape or a ';' is dropped, as Go's ParseQuery drops it).
//
//   auto u = ParseRelativeUri("/rest/getAlbum.view?id=a%201&u=alice").value();
//   u.last_segment == "getAlbum.view"; u.params == {{"id","a 1"},{"u","alice"}}
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pier/status.h"

namespace pier::subsonic {

struct ParsedUri {
  std::string path;          // decoded
  std::string last_segment;  // after the last '/', decoded
  std::vector<std::pair<std::string, std::string>> params;
};

// Errors read like Go's: `parse "<uri>": invalid URL escape "%zz"`.
Result<ParsedUri> ParseRelativeUri(std::string_view uri);

}  // namespace pier::subsonic
