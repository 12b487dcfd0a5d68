// HttpService: the HTTP host service (spec §6.6a), `http_send`.
//
// The original's contract: http and https only (`invalid URL scheme "ftp":
// must be http or https`), the host rules of host_rules.h (`host "x" is not
// allowed`, or `...: private/loopback addresses require explicit
// requiredHosts in manifest`), the method upper-cased (empty = GET), one
// value per request header, a body only when non-empty, `timeoutMs` > 0 or
// 10 s (negative: times out at once) and never beyond the plugin call's own
// deadline, redirects followed up to 5 with every hop checked by the same
// rules (the last 3xx is returned after 5; `noFollowRedirects` returns the
// first), the response body cut silently at 10 MiB, response headers with
// their first value under canonical names (`Content-Type`), any status a
// success, and transport errors in Go's words (`Get "http://x/": context
// deadline exceeded`). Beyond the original: with no `requiredHosts`, a name
// that resolves to a private or loopback address is refused too.
//
//   HttpService http({.required_hosts = manifest.permissions.http->required_hosts});
//   host.http = &http;
//
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "pier/services/http.h"

namespace pier::services {

struct HttpServiceOptions {
  std::vector<std::string> required_hosts;
  std::chrono::milliseconds default_timeout{10000};
  uint64_t max_body_bytes = 10 << 20;
  int max_redirects = 5;
  std::string ca_file;                        // extra trust anchors (tests, private CAs)
  std::shared_ptr<http::HttpClient> client;   // unset: libcurl
};

class HttpService final : public HTTPService {
 public:
  explicit HttpService(HttpServiceOptions options);
  Result<wire::HTTPSendResponse> Send(HostCallContext& context, const wire::HTTPSendRequest& request) override;

 private:
  // "" when `url` may be requested, else the error text.
  std::string Check(const std::string& url, std::string* host) const;
  const HttpServiceOptions options_;
};

// Go's canonical header name: "content-type" -> "Content-Type".
std::string CanonicalHeaderName(std::string_view name);

}  // namespace pier::services
