#include "common/thread.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <string>

namespace pier::internal {

void PrepareThreadStart() { (void)spdlog::default_logger_raw(); }

void NameThisThread(std::string_view name) {
  std::string n(name.substr(0, 15));  // Linux keeps 15 bytes and the NUL
  pthread_setname_np(pthread_self(), n.c_str());
}

}  // namespace pier::internal
