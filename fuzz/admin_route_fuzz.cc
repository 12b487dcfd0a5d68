// Fuzzes what the admin API does with a request before any handler runs:
// the target's split and decoding, routing with captures, the Host check
// and the bearer-token comparison. Input: "<method> <target>\n<host>\n<authorization>".
#include <cstdint>
#include <string>

#include "admin/admin_server.h"
#include "http/router.h"

namespace {

pier::http::Router& Routes() {
  static pier::http::Router* r = [] {
    auto* router = new pier::http::Router();
    for (const char* pattern : {R"(/api/plugins/([^/]+))", R"(/api/plugins/([^/]+)/queues/([^/]+)/tasks)",
                                R"(/api/plugins/([^/]+)/tasks/([^/]+)/(cancel|retry))", R"(/share/img/([^/]+))"}) {
      router->Add("GET", pattern, [](const pier::http::HttpRequest& q, pier::http::HttpResponse& a) {
        for (const std::string& p : q.params) a.body += p;
      });
    }
    return router;
  }();
  return *r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t space = text.find(' ');
  const size_t nl1 = text.find('\n');
  const size_t nl2 = nl1 == std::string::npos ? std::string::npos : text.find('\n', nl1 + 1);
  pier::http::HttpRequest request;
  request.method = text.substr(0, std::min(space, nl1));
  const std::string target = space == std::string::npos || space > nl1 ? "" : text.substr(space + 1, nl1 - space - 1);
  request.target = target;
  pier::http::ParseTarget(target, &request);
  const std::string host = nl1 == std::string::npos ? "" : text.substr(nl1 + 1, nl2 - nl1 - 1);
  const std::string auth = nl2 == std::string::npos ? "" : text.substr(nl2 + 1);
  (void)pier::IsLoopbackHostHeader(host);
  (void)pier::BearerMatches(auth, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH");
  request.headers["Host"] = host;
  (void)Routes().Handle(request);
  return 0;
}
