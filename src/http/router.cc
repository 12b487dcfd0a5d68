#include "http/router.h"

#include "pier/url.h"

#include <re2/re2.h>
#include <strings.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace pier::http {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  const size_t n = std::min(a.size(), b.size());
  const int c = strncasecmp(a.data(), b.data(), n);
  return c != 0 ? c < 0 : a.size() < b.size();
}

std::string HttpRequest::Query(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

std::string HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}


std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  pier::PercentDecode(s, plus_is_space, &out);  // lenient: a bad escape stays as written
  return out;
}

void ParseTarget(std::string_view target, HttpRequest* r) {
  const size_t q = target.find('?');
  r->path = std::string(target.substr(0, q));
  r->query.clear();
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string key = PercentDecode(pair.substr(0, eq), true);
      const std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
      r->query.emplace(key, value);  // the first of repeated keys wins
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
}

void ErrorReply(HttpResponse& response, int status, const std::string& message) {
  response.status = status;
  response.content_type = "application/json";
  response.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Router::Router() = default;
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(std::string method, std::string_view pattern, Handler handler) {
  auto re = std::make_unique<re2::RE2>(pattern);
  if (!re->ok()) std::abort();
  routes_.push_back({std::move(method), std::move(re), std::move(handler)});
}

HttpResponse Router::Handle(HttpRequest request) const {
  std::string_view route;
  HttpResponse response = Dispatch(request, &route);
  if (etags_ && request.method == "GET" && response.status == 200 && !response.stream && !response.push) {
    // FNV-1a, 64 bits: a change detector, not a security measure.
    uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : response.body) hash = (hash ^ c) * 1099511628211ull;
    char tag[24];
    std::snprintf(tag, sizeof tag, "\"%016llx\"", static_cast<unsigned long long>(hash));
    response.headers.emplace_back("ETag", tag);
    if (request.Header("If-None-Match") == tag) {
      response.status = 304;
      response.body.clear();
    }
  }
  for (const auto& [name, value] : default_headers_) {
    bool set = false;
    for (const auto& h : response.headers) set = set || (!CaseInsensitiveLess()(h.first, name) && !CaseInsensitiveLess()(name, h.first));
    if (!set) response.headers.emplace_back(name, value);
  }
  if (observer_) observer_(request, route, response);
  return response;
}

HttpResponse Router::Dispatch(HttpRequest& request, std::string_view* matched) const {
  HttpResponse response;
  if (filter_ && filter_(request, response)) return response;
  bool path_known = false;
  for (const Route& route : routes_) {
    const int groups = route.pattern->NumberOfCapturingGroups();
    std::vector<re2::StringPiece> captures(groups);
    std::vector<re2::RE2::Arg> args(groups);
    std::vector<re2::RE2::Arg*> arg_ptrs(groups);
    for (int i = 0; i < groups; ++i) {
      args[i] = &captures[i];
      arg_ptrs[i] = &args[i];
    }
    if (!re2::RE2::FullMatchN(request.path, *route.pattern, arg_ptrs.data(), groups)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    request.params.clear();
    for (const auto& c : captures) request.params.push_back(PercentDecode(std::string_view(c.data(), c.size())));
    route.handler(request, response);
    *matched = route.pattern->pattern();
    return response;
  }
  if (path_known) {
    ErrorReply(response, 405, request.method + " is not allowed on " + request.path);
  } else {
    ErrorReply(response, 404, "no such route: " + request.path);
  }
  return response;
}

}  // namespace pier::http
