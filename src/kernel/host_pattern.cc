#include "kernel/host_pattern.h"

#include <algorithm>
#include <cctype>

namespace pier::internal {

namespace {
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
}  // namespace

HostPatterns::HostPatterns(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {
  for (auto& p : patterns_) std::transform(p.begin(), p.end(), p.begin(), Lower);
}

bool HostPatterns::Allows(std::string_view host) const {
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const std::string& p) { return GlobMatch(p, host); });
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative wildcard matching with single-star backtracking: linear in
  // practice, never exponential on hostile patterns.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || Lower(pattern[p]) == Lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace pier::internal
