// libcurl implementation of HttpClient. One easy handle per request: requests
// come from many instances at once and are rare compared with calls.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "kernel/http_client.h"

namespace pier::internal {

namespace {

struct Transfer {
  const HttpLimits* limits;
  HttpResponse response;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->response.body.size() + n > t->limits->max_body_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (e.g. after 100-continue)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  t->response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                   std::string(trim(line.substr(colon + 1))));
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return (t->limits->call != nullptr && t->limits->call->cancelled()) ? 1 : 0;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() { GlobalInit(); }

  Result<HttpResponse> Send(const HttpRequest& request, const HttpLimits& limits) override {
    if (limits.call != nullptr) PIER_RETURN_IF_ERROR(limits.call->CheckInterrupted());
    std::string method = request.method;
    std::transform(method.begin(), method.end(), method.begin(), ::toupper);
    if (method.empty() || method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
      return InvalidArgumentError("invalid HTTP method '" + request.method + "'");
    }
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return InternalError("curl_easy_init failed");
    CURL* c = curl.get();
    Transfer t{&limits, {}, false};

    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could leave the allowed hosts
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (!request.body.empty()) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    curl_slist* headers = nullptr;
    for (auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, curl_slist_free_all);
    if (headers != nullptr) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    if (limits.call != nullptr && limits.call->deadline != Clock::time_point::max()) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(limits.call->remaining()).count();
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(ms, 1)));
    }

    CURLcode rc = curl_easy_perform(c);
    if (t.too_large) {
      return ResourceExhaustedError("response body exceeds the limit of " +
                                    std::to_string(limits.max_body_bytes) + " bytes (max_http_response_bytes)");
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK) return CancelledError("call cancelled during the request");
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      if (limits.call != nullptr) PIER_RETURN_IF_ERROR(limits.call->CheckInterrupted());
      return DeadlineExceededError("request timed out");
    }
    if (rc != CURLE_OK) return UnavailableError(curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    return std::move(t.response);
  }
};

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

Result<std::string> UrlHost(const std::string& url) {
  GlobalInit();
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return InvalidArgumentError("invalid URL '" + url + "'");
  }
  char* scheme = nullptr;
  char* host = nullptr;
  std::string s, h;
  if (curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) s = scheme;
  if (curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK) h = host;
  curl_free(scheme);
  curl_free(host);
  if (s != "http" && s != "https") return InvalidArgumentError("URL '" + url + "' is not http or https");
  if (h.empty()) return InvalidArgumentError("URL '" + url + "' has no host");
  std::transform(h.begin(), h.end(), h.begin(), ::tolower);
  return h;
}

}  // namespace pier::internal
