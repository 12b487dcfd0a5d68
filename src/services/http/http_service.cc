#include "services/http/http_service.h"

#include <algorithm>

#include "common/go_quote.h"
#include "services/http/host_rules.h"

namespace pier::services {

namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Go's url.Error operation name: "GET" -> "Get".
std::string Op(const std::string& method) {
  std::string op = method;
  std::transform(op.begin(), op.end(), op.begin(), ::tolower);
  if (!op.empty()) op[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(op[0])));
  return op;
}

bool IsRedirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

}  // namespace

std::string CanonicalHeaderName(std::string_view name) {
  for (char c : name) {
    if (!IsTokenChar(c)) return std::string(name);  // Go leaves such names alone
  }
  std::string out(name);
  bool upper = true;
  for (char& c : out) {
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
    upper = c == '-';
  }
  return out;
}

HttpService::HttpService(HttpServiceOptions options) : options_(std::move(options)) {}

std::string HttpService::Check(const std::string& url, std::string* host) const {
  auto parts = http::ParseUrl(url);
  if (!parts.ok()) return "parse " + GoQuote(url) + ": invalid URL";
  if (parts->scheme != "http" && parts->scheme != "https") {
    return "invalid URL scheme " + GoQuote(parts->scheme) + ": must be http or https";
  }
  if (parts->host.empty()) return "parse " + GoQuote(url) + ": missing host";
  *host = parts->host;
  if (!options_.required_hosts.empty()) {
    if (!HostPatternsAllow(options_.required_hosts, parts->host)) return "host " + GoQuote(parts->host) + " is not allowed";
  } else if (IsPrivateOrLoopback(parts->host)) {
    return "host " + GoQuote(parts->host) +
           " is not allowed: private/loopback addresses require explicit requiredHosts in manifest";
  }
  return "";
}

Result<wire::HTTPSendResponse> HttpService::Send(HostCallContext& context, const wire::HTTPSendRequest& send) {
  const wire::HTTPRequest& r = send.request;
  http::ClientRequest request;
  request.method = r.method.empty() ? "GET" : r.method;
  std::transform(request.method.begin(), request.method.end(), request.method.begin(), ::toupper);
  request.url = r.url;
  for (const auto& [name, value] : r.headers) request.headers.emplace_back(CanonicalHeaderName(name), value);
  request.body = r.body;
  std::string host;
  if (std::string why = Check(request.url, &host); !why.empty()) return PermissionDeniedError(why);

  // The request's timeout, never beyond the plugin call's own deadline.
  const auto now = std::chrono::steady_clock::now();
  auto deadline = r.timeout_ms > 0 ? now + std::chrono::milliseconds(r.timeout_ms)
                  : r.timeout_ms < 0 ? now
                                     : now + options_.default_timeout;
  deadline = std::min(deadline, context.deadline() == std::chrono::steady_clock::time_point{}
                                    ? std::chrono::steady_clock::time_point::max()
                                    : context.deadline());
  http::ClientLimits limits;
  limits.max_body_bytes = options_.max_body_bytes;
  limits.truncate_body = true;
  limits.deadline = deadline;
  limits.cancelled = [&context] { return context.interrupted(); };
  limits.ca_file = options_.ca_file;
  if (options_.required_hosts.empty()) {
    limits.refuse_address = [](const std::string& ip) -> std::string {
      return IsPrivateOrLoopback(ip) ? "it resolves to a private/loopback address (" + ip + ")" : "";
    };
  }
  static const std::shared_ptr<http::HttpClient> kDefault = http::NewCurlHttpClient();
  http::HttpClient& client = options_.client ? *options_.client : *kDefault;

  for (int hop = 0;; ++hop) {
    auto response = client.Send(request, limits);
    if (!response.ok()) {
      std::string why = response.status().message();
      if (response.status().code() == StatusCode::kPermissionDenied) why = "host " + GoQuote(host) + " is not allowed: " + why;
      if (response.status().code() == StatusCode::kCancelled) why = "context canceled";
      return UnavailableError(Op(request.method) + " " + GoQuote(request.url) + ": " + why);
    }
    const bool follow = IsRedirect(response->status) && !r.no_follow_redirects && hop < options_.max_redirects;
    std::string location;
    for (const auto& [name, value] : response->headers) {
      if (CanonicalHeaderName(name) == "Location") location = value;
    }
    if (!follow || location.empty()) {
      wire::HTTPResponse out;
      out.status_code = response->status;
      for (const auto& [name, value] : response->headers) out.headers.emplace(CanonicalHeaderName(name), value);  // first wins
      out.body = std::move(response->body);
      return wire::HTTPSendResponse{std::move(out)};
    }
    auto next = http::ResolveUrl(request.url, location);
    if (!next.ok()) return UnavailableError(Op(request.method) + " " + GoQuote(request.url) + ": " + next.status().message());
    std::string next_host;
    if (std::string why = Check(*next, &next_host); !why.empty()) {
      return PermissionDeniedError(Op(request.method) + " " + GoQuote(*next) + ": " + why);
    }
    // As Go's client: 301/302/303 become GET without a body (HEAD stays HEAD);
    // credentials are not sent to another host.
    if (response->status != 307 && response->status != 308) {
      if (request.method != "HEAD") request.method = "GET";
      request.body.clear();
      std::erase_if(request.headers, [](const auto& h) { return h.first == "Content-Type" || h.first == "Content-Length"; });
    }
    if (next_host != host) {
      std::erase_if(request.headers, [](const auto& h) {
        return h.first == "Authorization" || h.first == "Cookie" || h.first == "Www-Authenticate";
      });
    }
    request.url = *next;
    host = next_host;
  }
}

}  // namespace pier::services
