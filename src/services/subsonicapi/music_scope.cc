#include <algorithm>

#include "pier/music_host.h"

namespace pier {

bool MusicScope::SeesLibrary(int32_t id) const {
  return all_libraries || std::find(libraries.begin(), libraries.end(), id) != libraries.end();
}

bool MusicScope::MayActFor(std::string_view user_id) const {
  return all_users || std::find(users.begin(), users.end(), user_id) != users.end();
}

}  // namespace pier
