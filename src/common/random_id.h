// Random public IDs: 22 characters of base62 (about 131 bits from the
// system's cryptographic random source), the form the original host uses
// for task, schedule and connection IDs.
#pragma once

#include <string>

namespace pier {

std::string NewRandomId();

}  // namespace pier
