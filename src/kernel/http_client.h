// HttpClient: how the kernel's `http_request` reaches the network. The curl
// implementation enforces the limits given with each request; tests can use it
// against loopback servers.
//
//   auto client = NewCurlHttpClient();
//   HttpLimits limits{.max_body_bytes = 1 << 20, .call = &call_state};
//   Result<HttpResponse> r = client->Send({"GET", "http://127.0.0.1:8080/"}, limits);
//
// Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/call_state.h"
#include "pier/status.h"

namespace pier::internal {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
};

struct HttpLimits {
  uint64_t max_body_bytes = 50 << 20;
  const CallState* call = nullptr;  // deadline and cancellation; may be null
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Any status code is a response, not an error. Errors: DeadlineExceeded,
  // Cancelled, ResourceExhausted (body over the cap), Unavailable (network),
  // InvalidArgument (bad URL or method). Redirects are not followed.
  virtual Result<HttpResponse> Send(const HttpRequest& request, const HttpLimits& limits) = 0;
};

std::unique_ptr<HttpClient> NewCurlHttpClient();

// The host name of an http(s) URL, lower-cased; InvalidArgument otherwise.
Result<std::string> UrlHost(const std::string& url);

}  // namespace pier::internal
