#include "services/subsonicapi/uri.h"

#include "common/go_quote.h"
#include "pier/url.h"

namespace pier::subsonic {

namespace {

// The bad escape at `i` as Go prints it ("%zz", or what is left of it).
std::string BadEscape(std::string_view s, size_t i) {
  return std::string(s.substr(i, std::min<size_t>(3, s.size() - i)));
}

}  // namespace

Result<ParsedUri> ParseRelativeUri(std::string_view uri) {
  const std::string quoted = GoQuote(uri);
  for (unsigned char c : uri) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgumentError("parse " + quoted + ": net/url: invalid control character in URL");
    }
  }
  std::string_view rest = uri;
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  // scheme:  letters, digits, + - . before the first ':' (and before any '/').
  if (const size_t colon = rest.find(':'); colon != std::string_view::npos) {
    const std::string_view scheme = rest.substr(0, colon);
    bool is_scheme = !scheme.empty() && std::isalpha(static_cast<unsigned char>(scheme[0]));
    for (char c : scheme) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') is_scheme = false;
    }
    if (is_scheme) {
      rest = rest.substr(colon + 1);
    } else if (scheme.find('/') == std::string_view::npos) {
      return InvalidArgumentError("parse " + quoted + ": first path segment in URL cannot contain colon");
    }
  }
  if (rest.starts_with("//")) {  // authority: ignored
    rest = rest.substr(2);
    const size_t slash = rest.find('/');
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  ParsedUri out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && (i + 2 >= rest.size() || HexDigit(rest[i + 1]) < 0 || HexDigit(rest[i + 2]) < 0)) {
      return InvalidArgumentError("parse " + quoted + ": invalid URL escape " + GoQuote(BadEscape(rest, i)));
    }
  }
  PercentDecode(rest, false, &out.path);
  const size_t slash = out.path.rfind('/');
  out.last_segment = slash == std::string::npos ? out.path : out.path.substr(slash + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    const size_t eq = pair.find('=');
    std::string key, value;
    if (!PercentDecode(pair.substr(0, eq), true, &key)) continue;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, &value)) continue;
    out.params.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace pier::subsonic
