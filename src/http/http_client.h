// HttpClient: Pier's outgoing HTTP, on libcurl, for the kernel's
// `http_request` and the HTTP host service. Limits come with each request:
// body cap (error or silent truncation), deadline, cancellation, extra trust
// anchors, and a check of every address a connection is about to use (so a
// name that resolves to a refused address is refused too). Environment
// proxies are ignored; redirects are never followed (callers that follow
// them check every hop themselves).
//
//   auto client = NewCurlHttpClient();
//   ClientLimits limits{.max_body_bytes = 1 << 20, .deadline = deadline};
//   Result<ClientResponse> r = client->Send({"GET", "http://127.0.0.1:8080/"}, limits);
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pier/status.h"

namespace pier::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;  // as on the wire, in order
  std::string body;
  bool truncated = false;  // the body was cut at max_body_bytes (truncate_body)
};

struct ClientLimits {
  uint64_t max_body_bytes = 50 << 20;
  bool truncate_body = false;  // false: a larger body is an error (ResourceExhausted)
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> cancelled;  // polled during the transfer; may be empty
  // Why a connection to `ip` must not be made ("" = allowed); may be empty.
  std::function<std::string(const std::string& ip)> refuse_address;
  std::string ca_file;  // extra trust anchors (PEM); "" = the system's only
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Any status code is a response, not an error. Errors: DeadlineExceeded,
  // Cancelled, ResourceExhausted (body over the cap), PermissionDenied
  // (refused address), Unavailable (network; the message says what
  // happened), InvalidArgument (bad URL or method).
  virtual Result<ClientResponse> Send(const ClientRequest& request, const ClientLimits& limits) = 0;
};

std::unique_ptr<HttpClient> NewCurlHttpClient();

struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // lower case, without brackets
  int port = 0;        // 0: the scheme's default
  std::string target;  // path and query: "/a/b?c=d"
};
// The parts of an absolute URL (any scheme); InvalidArgument when it does not parse.
Result<UrlParts> ParseUrl(const std::string& url);
// The host name of an http(s) URL, lower-cased; InvalidArgument otherwise.
Result<std::string> UrlHost(const std::string& url);
// `relative` (a Location header) resolved against `base`.
Result<std::string> ResolveUrl(const std::string& base, const std::string& relative);

}  // namespace pier::http
