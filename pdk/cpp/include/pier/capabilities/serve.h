// How a capability export runs inside a plugin: decode the JSON input, call
// the plugin's method, encode its output. Used by the PIER_REGISTER_* macros
// of the generated capability headers.
#pragma once

#include <type_traits>

#include "pier/pdk.h"
#include "pier/wire/types.h"

namespace pier::capabilities {

// What an optional method answers when the plugin does not implement it.
inline Status NotImplemented() { return UnimplementedError("not implemented"); }

namespace internal {

inline int32_t Fail(const Status& st) {
  if (st.code() == StatusCode::kUnimplemented) return -2;  // "not implemented", no error text
  pdk::SetError(st.message());
  return -1;
}

// Methods without output return Status.
template <typename Req, typename Decode, typename Fn>
int32_t Serve(Decode decode, Fn fn) {
  auto input = wire::ParseObject(pdk::Input());
  if (!input.ok()) return Fail(InvalidArgumentError("invalid input: " + input.status().message()));
  Req request;
  if (Status st = decode(*input, &request, ""); !st.ok()) return Fail(InvalidArgumentError("invalid input: " + st.message()));
  Status st = fn(request);
  return st.ok() ? 0 : Fail(st);
}

// Methods with output return Result<T>; `encode` writes T as JSON.
template <typename Req, typename Decode, typename Fn, typename Encode>
int32_t Serve(Decode decode, Fn fn, Encode encode) {
  auto input = wire::ParseObject(pdk::Input());
  if (!input.ok()) return Fail(InvalidArgumentError("invalid input: " + input.status().message()));
  Req request;
  if (Status st = decode(*input, &request, ""); !st.ok()) return Fail(InvalidArgumentError("invalid input: " + st.message()));
  auto result = fn(request);
  if (!result.ok()) return Fail(result.status());
  pdk::Output(wire::Dump(encode(*result)));
  return 0;
}

}  // namespace internal
}  // namespace pier::capabilities
