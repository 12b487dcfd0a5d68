// libcurl implementation of HttpClient. One easy handle per request: requests
// come from many instances at once and are rare compared with calls.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "http/http_client.h"

namespace pier::http {

namespace {

struct Transfer {
  const ClientLimits* limits;
  ClientResponse response;
  bool too_large = false;
  std::string refused;  // why a connection was refused
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const uint64_t room = t->limits->max_body_bytes - std::min<uint64_t>(t->response.body.size(), t->limits->max_body_bytes);
  if (n > room) {
    if (!t->limits->truncate_body) {
      t->too_large = true;
      return 0;  // aborts the transfer
    }
    t->response.body.append(data, room);
    t->response.truncated = true;
    return n;  // read on and drop: the connection ends cleanly
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
  return (t->limits->cancelled && t->limits->cancelled()) ? 1 : 0;
}

// Vets every address curl is about to connect to (after name resolution).
curl_socket_t OnOpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (t->limits->refuse_address) {
    char ip[INET6_ADDRSTRLEN] = {};
    if (address->family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address->addr)->sin_addr, ip, sizeof ip);
    } else if (address->family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address->addr)->sin6_addr, ip, sizeof ip);
    }
    if (std::string why = t->limits->refuse_address(ip); !why.empty()) {
      t->refused = why;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() { GlobalInit(); }

  Result<ClientResponse> Send(const ClientRequest& request, const ClientLimits& limits) override {
    using SteadyClock = std::chrono::steady_clock;
    if (limits.cancelled && limits.cancelled()) return CancelledError("call cancelled");
    if (limits.deadline != SteadyClock::time_point::max() && SteadyClock::now() >= limits.deadline) {
      return DeadlineExceededError("context deadline exceeded");
    }
    std::string method = request.method;
    std::transform(method.begin(), method.end(), method.begin(), ::toupper);
    if (method.empty() || method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
      return InvalidArgumentError("invalid HTTP method '" + request.method + "'");
    }
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return InternalError("curl_easy_init failed");
    CURL* c = curl.get();
    Transfer t{&limits, {}, false, {}};

    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // callers check every hop
    curl_easy_setopt(c, CURLOPT_PROXY, "");             // never an environment proxy
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (!request.body.empty()) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    if (!limits.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, limits.ca_file.c_str());
    curl_slist* headers = nullptr;
    for (auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    // curl's own "Expect: 100-continue" would delay bodies by a second.
    headers = curl_slist_append(headers, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
    if (limits.deadline != SteadyClock::time_point::max()) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(limits.deadline - SteadyClock::now()).count();
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(ms, 1)));
    }

    const CURLcode rc = curl_easy_perform(c);
    if (t.too_large) {
      return ResourceExhaustedError("response body exceeds the limit of " + std::to_string(limits.max_body_bytes) +
                                    " bytes (max_http_response_bytes)");
    }
    if (rc != CURLE_OK && !t.refused.empty()) return PermissionDeniedError(t.refused);
    if (rc == CURLE_ABORTED_BY_CALLBACK) return CancelledError("context canceled");
    if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceededError("context deadline exceeded");
    if (rc == CURLE_COULDNT_RESOLVE_HOST) {
      auto host = ParseUrl(request.url);
      return UnavailableError("dial tcp: lookup " + (host.ok() ? host->host : request.url) + ": no such host");
    }
    if (rc == CURLE_COULDNT_CONNECT) {
      char* ip = nullptr;
      long port = 0;
      curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip);
      curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port);
      std::string where;
      if (ip != nullptr && *ip) {
        where = std::string(ip) + ":" + std::to_string(port);
      } else if (auto parts = ParseUrl(request.url); parts.ok()) {
        const int p = parts->port != 0 ? parts->port : parts->scheme == "https" ? 443 : 80;
        where = (parts->host.find(':') != std::string::npos ? "[" + parts->host + "]" : parts->host) + ":" + std::to_string(p);
      }
      return UnavailableError("dial tcp " + where + ": connect: connection refused");
    }
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
      return UnavailableError(std::string("tls: failed to verify certificate: ") + curl_easy_strerror(rc));
    }
    if (rc != CURLE_OK) return UnavailableError(curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    return std::move(t.response);
  }
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

Result<UrlParts> ParseUrl(const std::string& url) {
  GlobalInit();
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return InvalidArgumentError("invalid URL '" + url + "'");
  }
  auto part = [&](CURLUPart which) {
    char* p = nullptr;
    std::string out;
    if (curl_url_get(u.get(), which, &p, 0) == CURLUE_OK && p != nullptr) out = p;
    curl_free(p);
    return out;
  };
  UrlParts out;
  out.scheme = Lower(part(CURLUPART_SCHEME));
  out.host = Lower(part(CURLUPART_HOST));
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
  const std::string port = part(CURLUPART_PORT);
  out.port = port.empty() ? 0 : std::atoi(port.c_str());
  out.target = part(CURLUPART_PATH);
  if (out.target.empty()) out.target = "/";
  if (const std::string query = part(CURLUPART_QUERY); !query.empty()) out.target += "?" + query;
  return out;
}

Result<std::string> UrlHost(const std::string& url) {
  PIER_ASSIGN_OR_RETURN(UrlParts p, ParseUrl(url));
  if (p.scheme != "http" && p.scheme != "https") return InvalidArgumentError("URL '" + url + "' is not http or https");
  if (p.host.empty()) return InvalidArgumentError("URL '" + url + "' has no host");
  return p.host;
}

Result<std::string> ResolveUrl(const std::string& base, const std::string& relative) {
  GlobalInit();
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(u.get(), CURLUPART_URL, relative.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return InvalidArgumentError("invalid redirect location '" + relative + "'");
  }
  char* p = nullptr;
  if (curl_url_get(u.get(), CURLUPART_URL, &p, 0) != CURLUE_OK) return InvalidArgumentError("invalid redirect location");
  std::string out(p);
  curl_free(p);
  return out;
}

}  // namespace pier::http
