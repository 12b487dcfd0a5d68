#include "dashboard/dashboard_routes.h"

#include <fstream>
#include <sstream>

#include "dashboard/assets.h"

namespace pier::dashboard {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A path inside dashboard/: segments of [A-Za-z0-9._-], none "." or "..".
bool SafeRelative(std::string_view p) {
  if (p.empty() || p.front() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    const size_t end = std::min(p.find('/', start), p.size());
    const std::string_view seg = p.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

void Serve(const std::filesystem::path& dir, std::string_view rel, http::HttpResponse& res) {
  if (!SafeRelative(rel)) return http::ErrorReply(res, 404, "no such file");
  if (dir.empty()) {
    for (const Asset& a : Assets()) {
      if (a.path != rel) continue;
      res.body.assign(reinterpret_cast<const char*>(a.data), a.size);
      res.content_type = std::string(ContentTypeFor(rel));
      res.headers.emplace_back("Cache-Control", "no-cache");
      return;
    }
    return http::ErrorReply(res, 404, "no such file");
  }
  std::ifstream in(dir / std::string(rel), std::ios::binary);
  if (!in) return http::ErrorReply(res, 404, "no such file");
  std::ostringstream body;
  body << in.rdbuf();
  res.body = body.str();
  res.content_type = std::string(ContentTypeFor(rel));
  res.headers.emplace_back("Cache-Control", "no-cache");
}

}  // namespace

std::string_view ContentTypeFor(std::string_view name) {
  if (EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(name, ".js") || EndsWith(name, ".mjs")) return "text/javascript; charset=utf-8";
  if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
  if (EndsWith(name, ".svg")) return "image/svg+xml";
  if (EndsWith(name, ".png")) return "image/png";
  if (EndsWith(name, ".json")) return "application/json";
  return "text/plain; charset=utf-8";
}

void AddDashboardRoutes(http::Router& router, std::filesystem::path dir) {
  router.Add("GET", R"(/ui/(.+))", [dir](const http::HttpRequest& req, http::HttpResponse& res) {
    // The raw path's remainder: params are decoded, and a decoded "%2e%2e" must not pass as "..".
    Serve(dir, std::string_view(req.path).substr(4), res);
  });
  router.Add("GET", R"(/|/plugins(/.*)?|/queues(/.*)?|/schedules|/running|/logs(/.*)?|/audit)",
             [dir](const http::HttpRequest&, http::HttpResponse& res) { Serve(dir, "index.html", res); });
}

}  // namespace pier::dashboard
