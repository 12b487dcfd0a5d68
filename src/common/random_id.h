// Random public IDs: 22 characters of base62 (about 131 bits from the
// system's cryptographic random source), the form the original host uses
// for task, schedule and connection IDs.
#pragma once

#include <cstdint>
#include <string>

namespace pier {

std::string NewRandomId();

// The same form, ordered by creation time: 9 characters of the Unix time in
// milliseconds (base62, whose alphabet is in ASCII order, so IDs sort as they
// were made, to the millisecond), then 13 random characters (about 77 bits).
// An index over such IDs grows at its end instead of touching a random page
// per insert. `now_ms` is the creation time; 0: the clock's.
std::string NewTimeOrderedId(int64_t now_ms = 0);

}  // namespace pier
