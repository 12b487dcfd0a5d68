// The public image endpoint behind the Artwork service's URLs:
//
//   GET /share/img/<token>[?size=N]   the image (JPEG/PNG/…); 403 for a token
//                                     this host did not sign, 404 with no image
//
//   AddShareImageRoute(admin.router(), catalog, secret);   // before admin.Start
//
// Images are found in the whole catalog (the token is the permission, as in
// the original host) and resized on request (size clamped to 4096).
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "http/router.h"

namespace pier::music {

void AddShareImageRoute(http::Router& router, std::shared_ptr<catalog::Catalog> catalog, std::string secret);

}  // namespace pier::music
