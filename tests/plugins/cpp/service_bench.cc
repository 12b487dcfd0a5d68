// For bench/services_bench.cc: one host-service operation per export call,
// so each call's time is one operation as a plugin sees it.
#include "pier/capabilities/web_socket_callbacks.h"
#include "pier/host/cache.h"
#include "pier/host/http.h"
#include "pier/host/kvstore.h"
#include "pier/pdk.h"

PIER_FUNCTION(kv_set) {
  PIER_RETURN_IF_ERROR(pier::host::KVStoreSet(input, "a value of moderate size, 48 bytes long........"));
  return std::string();
}

PIER_FUNCTION(kv_get) {
  PIER_ASSIGN_OR_RETURN(auto got, pier::host::KVStoreGet(input));
  return got.value;
}

PIER_FUNCTION(cache_get) {
  PIER_ASSIGN_OR_RETURN(auto got, pier::host::CacheGetString(input));
  return got.value;
}

PIER_FUNCTION(http_get) {
  pier::wire::HTTPRequest r;
  r.method = "GET";
  r.url = std::string(input);
  PIER_ASSIGN_OR_RETURN(auto response, pier::host::HTTPSend(r));
  return response ? response->body : std::string();
}

class Sink : public pier::capabilities::WebSocketCallbacks {
 public:
  pier::Status OnTextMessage(const pier::wire::TextMessageRequest&) override { return pier::OkStatus(); }
};
PIER_REGISTER_WEB_SOCKET_CALLBACKS(Sink);
