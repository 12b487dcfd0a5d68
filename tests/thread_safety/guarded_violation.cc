// Must NOT compile under -Werror=thread-safety: `value_` is read without its
// mutex. The test that compiles this file passes only when clang refuses it,
// which proves the analysis is on and the annotations mean something.
#include "common/mutex.h"

namespace {

class Counter {
 public:
  int Peek() const { return value_; }  // no lock

 private:
  mutable pier::Mutex mu_;
  int value_ PIER_GUARDED_BY(mu_) = 0;
};

}  // namespace

int PeekCounter() { return Counter().Peek(); }
