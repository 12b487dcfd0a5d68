// Requests, responses and routing for HttpServer, with no networking in
// them (so they can be tested and fuzzed alone).
//
// Routes match the raw path with an RE2 pattern (whole path); each capture
// group is percent-decoded into `params`, so a segment `[^/]+` may carry an
// encoded '/' ("a%2Fb" -> "a/b").
//
//   Router r;
//   r.Add("GET", R"(/api/plugins/([^/]+))", [](const HttpRequest& q, HttpResponse& a) {
//     a.body = q.params[0];
//   });
//   HttpResponse out = r.Handle(request);   // 404 / 405 when nothing matches
//
// Thread-compatible: add every route, then Handle from any number of threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace pier::http {

struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

struct HttpRequest {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // as sent: "/api/x?a=1"
  std::string path;    // the target without its query, not decoded
  std::map<std::string, std::string> query;  // decoded ('+' is a space)
  std::map<std::string, std::string, CaseInsensitiveLess> headers;
  std::string body;
  std::vector<std::string> params;  // the route's captures, decoded

  bool HasQuery(const std::string& name) const { return query.contains(name); }
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  std::string Header(std::string_view name) const;
};

// Writes one chunk of a streamed response; false once the client is gone.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  virtual bool Write(std::string_view chunk) = 0;
};

// A response kept open for server-sent events: the server sends chunks
// whenever it has something to say, and no handler thread is held meanwhile.
// Send queues the chunk for the connection's I/O thread and returns at once;
// a client that stops reading (more than kMaxBacklog bytes waiting) is
// disconnected. Thread-safe.
class PushChannel {
 public:
  static constexpr size_t kMaxBacklog = 4 << 20;
  virtual ~PushChannel() = default;
  // False once the connection is closed (by the client, the server or a failed write).
  virtual bool Send(std::string chunk) = 0;
  virtual bool open() const = 0;
  virtual void Close() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the response is streamed (chunked): called on a handler thread
  // after the status and headers are sent; `body` is ignored.
  std::function<void(ChunkWriter&)> stream;
  // When set (and `stream` is not), the response is an open-ended chunked
  // stream: called once on a handler thread after the headers are sent, with
  // the channel to keep; the connection closes when the channel is closed or
  // released, or the client goes away.
  std::function<void(std::shared_ptr<PushChannel>)> push;
};

using Handler = std::function<void(const HttpRequest&, HttpResponse&)>;

// Splits "path?query" into `path` and decoded `query`.
void ParseTarget(std::string_view target, HttpRequest* request);
// %XX decoded (invalid escapes kept as written); with `plus_is_space`, '+' is ' '.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Aborts on an invalid pattern (routes are written by Pier, not users).
  void Add(std::string method, std::string_view pattern, Handler handler);
  // Runs before every route; returning true means it answered `response`
  // itself (a refused request), and no route runs.
  void SetFilter(std::function<bool(const HttpRequest&, HttpResponse&)> filter) { filter_ = std::move(filter); }
  // Told of every answer: the pattern of the route that answered ("" when
  // none did: refused by the filter, 404 or 405) and the answer (a streamed
  // one before its body runs).
  using Observer = std::function<void(const HttpRequest&, std::string_view route, const HttpResponse&)>;
  void SetObserver(Observer observer) { observer_ = std::move(observer); }
  // GET answers (200, not streamed) carry an ETag of their body; a request
  // whose If-None-Match names it gets 304 and no body (pollers' cheap "no change").
  void EnableETags() { etags_ = true; }
  // Added to every answer that does not set a header of the same name.
  void SetDefaultHeaders(std::vector<std::pair<std::string, std::string>> headers) {
    default_headers_ = std::move(headers);
  }
  HttpResponse Handle(HttpRequest request) const;

 private:
  struct Route {
    std::string method;
    std::unique_ptr<re2::RE2> pattern;
    Handler handler;
  };
  HttpResponse Dispatch(HttpRequest& request, std::string_view* route) const;

  std::vector<Route> routes_;
  std::function<bool(const HttpRequest&, HttpResponse&)> filter_;
  Observer observer_;
  std::vector<std::pair<std::string, std::string>> default_headers_;
  bool etags_ = false;
};

// {"error": message} with `status`.
void ErrorReply(HttpResponse& response, int status, const std::string& message);

}  // namespace pier::http
