#include "admin/admin_access.h"

#include <nlohmann/json.hpp>

#include <cctype>

#include "common/ascii.h"
#include "common/listen_address.h"
#include "common/random_id.h"

namespace pier {

namespace {

void Refusal(http::HttpResponse& res, int status, const std::string& message) {
  res.status = status;
  res.content_type = "application/json";
  res.body = nlohmann::json{{"ok", false}, {"error", message}}.dump();
}

bool Mutating(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

// The media type of a Content-Type header, without parameters, lower case.
std::string MediaType(std::string_view header) {
  std::string_view t = header.substr(0, header.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  return AsciiLower(t);
}

bool IsCallRoute(std::string_view path) {
  static constexpr std::string_view kPrefix = "/api/plugins/";
  if (path.rfind(kPrefix, 0) != 0) return false;
  const size_t slash = path.find('/', kPrefix.size());
  return slash != std::string_view::npos && path.substr(slash).rfind("/call/", 0) == 0;
}

}  // namespace

bool IsLoopbackHostHeader(std::string_view host) {
  if (host.empty()) return false;
  std::string name(host);
  if (name.front() == '[') {  // [v6]:port
    const size_t close = name.find(']');
    if (close == std::string::npos) return false;
    const std::string rest = name.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || rest.size() == 1 ||
                          rest.find_first_not_of("0123456789", 1) != std::string::npos)) {
      return false;
    }
    return name.substr(1, close - 1) == "::1";
  }
  if (const size_t colon = name.rfind(':'); colon != std::string::npos) {
    const std::string port = name.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) return false;
    name.resize(colon);
  }
  name = AsciiLower(name);
  if (name == "localhost") return true;
  return IsNumericLoopback(name) && name.find(':') == std::string::npos;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < b.size(); ++i) diff |= static_cast<unsigned char>(b[i] ^ (i < a.size() ? a[i] : 0));
  return diff == 0;
}

std::optional<std::string_view> BearerToken(std::string_view header) {
  static constexpr std::string_view kScheme = "bearer ";
  if (header.size() < kScheme.size() || AsciiLower(header.substr(0, kScheme.size())) != kScheme) return std::nullopt;
  return header.substr(kScheme.size());
}

bool BearerMatches(std::string_view header, std::string_view token) {
  const auto given = BearerToken(header);
  return given && ConstantTimeEquals(*given, token);
}

std::string_view AdminRoleName(AdminRole role) {
  switch (role) {
    case AdminRole::kAdmin: return "admin";
    case AdminRole::kReadOnly: return "read-only";
    case AdminRole::kNone: return "none";
  }
  return "none";
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return "";
}

AdminRole AdminAccess::TokenRole(std::string_view token) const {
  // Both compared, whatever the first gives: no timing tells which matched.
  const bool admin = !settings_.token.empty() && ConstantTimeEquals(token, settings_.token);
  const bool reader = !settings_.read_only_token.empty() && ConstantTimeEquals(token, settings_.read_only_token);
  if (admin) return settings_.read_only ? AdminRole::kReadOnly : AdminRole::kAdmin;
  return reader ? AdminRole::kReadOnly : AdminRole::kNone;
}

AdminRole AdminAccess::SessionRole(std::string_view id) {
  if (id.empty()) return AdminRole::kNone;
  MutexLock lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return AdminRole::kNone;
  const auto now = std::chrono::steady_clock::now();
  if (now - it->second.used > kSessionIdle) {
    sessions_.erase(it);
    return AdminRole::kNone;
  }
  it->second.used = now;
  return it->second.role;
}

AdminRole AdminAccess::RoleOf(const http::HttpRequest& req) {
  if (open()) return settings_.read_only ? AdminRole::kReadOnly : AdminRole::kAdmin;
  const std::string auth = req.Header("Authorization");
  if (auto token = BearerToken(auth); token && !token->empty()) return TokenRole(*token);
  return SessionRole(CookieValue(req.Header("Cookie"), kCookie));
}

std::optional<std::string> AdminAccess::Login(std::string_view token, AdminRole* role) {
  *role = open() ? (settings_.read_only ? AdminRole::kReadOnly : AdminRole::kAdmin) : TokenRole(token);
  if (*role == AdminRole::kNone) return std::nullopt;
  std::string id = NewRandomId() + NewRandomId();
  MutexLock lock(mu_);
  if (sessions_.size() >= kMaxSessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.used < oldest->second.used) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[id] = Session{*role, std::chrono::steady_clock::now()};
  return id;
}

std::string AdminAccess::WhoIs(const http::HttpRequest& req) {
  const AdminRole role = RoleOf(req);
  if (role == AdminRole::kNone) return "nobody";
  const char* how = open() ? "open listener" : !req.Header("Authorization").empty() ? "token" : "session";
  return std::string(AdminRoleName(role)) + " (" + how + ")";
}

void AdminAccess::Logout(const http::HttpRequest& req) {
  const std::string id = CookieValue(req.Header("Cookie"), kCookie);
  MutexLock lock(mu_);
  if (auto it = sessions_.find(id); it != sessions_.end()) sessions_.erase(it);
}

bool AdminAccess::Refuse(const http::HttpRequest& req, http::HttpResponse& res) {
  if (req.path.rfind("/share/img/", 0) == 0) return false;  // signed URLs, possibly proxied
  const std::string host = req.Header("Host");
  if (!IsLoopbackHostHeader(host)) {
    Refusal(res, 403, "the admin API answers only requests addressed to a loopback host");
    return true;
  }
  const bool mutating = Mutating(req.method);
  if (mutating) {
    const std::string site = AsciiLower(req.Header("Sec-Fetch-Site"));
    if (!site.empty() && site != "same-origin" && site != "none") {
      Refusal(res, 403, "cross-origin request refused (Sec-Fetch-Site: " + site + ")");
      return true;
    }
    const std::string origin = req.Header("Origin");
    if (!origin.empty() && AsciiLower(origin) != "http://" + AsciiLower(host)) {
      Refusal(res, 403, "cross-origin request refused (Origin: " + origin + ")");
      return true;
    }
    const std::string type = MediaType(req.Header("Content-Type"));
    if (type != "application/json" && !(type == "application/octet-stream" && IsCallRoute(req.path))) {
      Refusal(res, 415, "a request that changes something must be sent as application/json");
      return true;
    }
  }
  // /api/session answers anyone: signing in needs no session, and asking
  // who one is tells a caller without one only "none".
  const bool guarded =
      (req.path.rfind("/api/", 0) == 0 && req.path != "/api/health" && req.path != "/api/session") ||
      req.path == "/metrics";
  if (!guarded) return false;
  const AdminRole role = RoleOf(req);
  if (role == AdminRole::kNone) {
    res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"pier\"");
    Refusal(res, 401, "missing or wrong admin token (see <data>/pier.admin)");
    return true;
  }
  if (mutating && role != AdminRole::kAdmin) {
    Refusal(res, 403, settings_.read_only ? "this server runs read-only" : "this token may only read");
    return true;
  }
  return false;
}

}  // namespace pier
