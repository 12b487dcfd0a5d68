// AdminAccess: who may use the admin listener, and how — checked before any
// route runs (AdminServer installs it as the router's filter).
//
// In order, for every request but /share/img/ (signed URLs that may sit
// behind a proxy with a public name):
//  1. The Host header names a loopback host (127.0.0.0/8, [::1],
//     localhost), so a DNS-rebinding page cannot reach the API by name. 403.
//  2. A mutating request (any method but GET, HEAD, OPTIONS) from a browser
//     comes from this origin: `Sec-Fetch-Site`, when sent, is same-origin
//     (or none: typed by the user), and `Origin`, when sent, is
//     http://<Host>. Its Content-Type is application/json (the call route
//     also takes application/octet-stream): the types a cross-site HTML
//     form or a no-preflight fetch can send are refused. 403 / 415.
//  3. /api/ (but /api/health and /api/session) and /metrics need a
//     credential: `Authorization: Bearer <token>` or the session cookie
//     made by POST /api/session. 401.
//  4. The read-only token, its sessions, and every caller when the server
//     runs read-only, may only read: a mutating request is refused, 403,
//     before it does anything.
//
// Sessions: POST /api/session {"token": "..."} answers the role and sets
// `pier_session` (HttpOnly, SameSite=Strict, Path=/); at most kMaxSessions
// are kept (the least recently used goes), each until kSessionIdle passes
// unused. DELETE /api/session ends the caller's.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "http/router.h"

namespace pier {

// A Host header naming a loopback host (127.0.0.0/8, [::1], localhost), with or without a port.
bool IsLoopbackHostHeader(std::string_view host);
// What follows "Bearer " (any case) in an `Authorization` header; nothing for another scheme.
std::optional<std::string_view> BearerToken(std::string_view header);
// `Authorization` carries "Bearer <token>" (compared in constant time).
bool BearerMatches(std::string_view header, std::string_view token);
// `a` equals `b`, in time that depends on their lengths only.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

enum class AdminRole { kNone, kReadOnly, kAdmin };
std::string_view AdminRoleName(AdminRole role);  // "none", "read-only", "admin"

struct AccessSettings {
  std::string token;            // full access; empty: no credential needed (tests, embedding)
  std::string read_only_token;  // reads only; empty: none
  bool read_only = false;       // nobody may change anything
};

class AdminAccess {
 public:
  static constexpr size_t kMaxSessions = 256;
  static constexpr std::chrono::hours kSessionIdle{12};
  static constexpr std::string_view kCookie = "pier_session";

  explicit AdminAccess(AccessSettings settings) : settings_(std::move(settings)) {}

  // The filter: true when it answered `res` itself (refused).
  bool Refuse(const http::HttpRequest& req, http::HttpResponse& res);
  // The caller's role: from the bearer token or the session cookie.
  AdminRole RoleOf(const http::HttpRequest& req);
  // What POST /api/session does: a new session for `token`'s role, or nothing.
  std::optional<std::string> Login(std::string_view token, AdminRole* role);
  void Logout(const http::HttpRequest& req);
  // For the audit log: "admin (token)", "read-only (session)", "nobody".
  std::string WhoIs(const http::HttpRequest& req);
  bool read_only() const { return settings_.read_only; }
  bool open() const { return settings_.token.empty(); }

 private:
  struct Session {
    AdminRole role;
    std::chrono::steady_clock::time_point used;
  };
  AdminRole TokenRole(std::string_view token) const;
  AdminRole SessionRole(std::string_view id) PIER_EXCLUDES(mu_);

  const AccessSettings settings_;
  Mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_ PIER_GUARDED_BY(mu_);
};

// The value of cookie `name` in a Cookie header; empty when absent.
std::string CookieValue(std::string_view header, std::string_view name);

}  // namespace pier
