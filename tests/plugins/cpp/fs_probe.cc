// Exercises WASI files through wasi-libc, as an ordinary plugin would, and as
// a hostile one tries to leave its mounts. Input: {"op", "path", "to",
// "data"}; output: {"ok", "errno", "error", "data", "entries", "size",
// "type"}. Also the Storage service (storage_getstoragepath).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pier/host/storage.h"
#include "pier/pdk.h"
#include "pier/pdk/json.h"

namespace {

using Json = nlohmann::json;

Json Fail() { return {{"ok", false}, {"errno", errno}, {"error", strerror(errno)}}; }

Json Read(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return Fail();
  std::string data;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) data.append(buf, static_cast<size_t>(n));
  close(fd);
  return {{"ok", true}, {"data", data}};
}

Json Write(const std::string& path, const std::string& data, int flags) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | flags, 0644);
  if (fd < 0) return Fail();
  const ssize_t n = write(fd, data.data(), data.size());
  const int saved = errno;
  close(fd);
  errno = saved;
  return n == static_cast<ssize_t>(data.size()) ? Json{{"ok", true}} : Fail();
}

Json List(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return Fail();
  Json entries = Json::array();
  while (dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) entries.push_back(std::string(e->d_name));
  }
  closedir(d);
  std::sort(entries.begin(), entries.end());
  return {{"ok", true}, {"entries", entries}};
}

Json Stat(const std::string& path, bool follow) {
  struct stat st {};
  if ((follow ? stat(path.c_str(), &st) : lstat(path.c_str(), &st)) != 0) return Fail();
  const char* type = S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : S_ISLNK(st.st_mode) ? "link" : "other";
  return {{"ok", true}, {"size", static_cast<int64_t>(st.st_size)}, {"type", type}};
}

Json Check(int rc) { return rc == 0 ? Json{{"ok", true}} : Fail(); }

}  // namespace

PIER_FUNCTION(probe) {
  PIER_ASSIGN_OR_RETURN(Json in, pier::pdk::ParseJson(input));
  const std::string op = in.value("op", ""), path = in.value("path", ""), to = in.value("to", "");
  const std::string data = in.value("data", "");
  errno = 0;
  Json out;
  if (op == "read") out = Read(path);
  else if (op == "write") out = Write(path, data, O_TRUNC);
  else if (op == "append") out = Write(path, data, O_APPEND);
  else if (op == "create_new") out = Write(path, data, O_EXCL);
  else if (op == "list") out = List(path);
  else if (op == "stat") out = Stat(path, true);
  else if (op == "lstat") out = Stat(path, false);
  else if (op == "mkdir") out = Check(mkdir(path.c_str(), 0755));
  else if (op == "rmdir") out = Check(rmdir(path.c_str()));
  else if (op == "unlink") out = Check(unlink(path.c_str()));
  else if (op == "rename") out = Check(rename(path.c_str(), to.c_str()));
  else if (op == "link") out = Check(link(path.c_str(), to.c_str()));
  else if (op == "symlink") out = Check(symlink(path.c_str(), to.c_str()));
  else if (op == "truncate") out = Check(truncate(path.c_str(), 3));
  else if (op == "readlink") {
    char buf[512];
    const ssize_t n = readlink(path.c_str(), buf, sizeof buf);
    out = n < 0 ? Fail() : Json{{"ok", true}, {"data", std::string(buf, static_cast<size_t>(n))}};
  } else if (op == "storage_path") {
    PIER_ASSIGN_OR_RETURN(std::string p, pier::host::StorageGetStoragePath());
    out = {{"ok", true}, {"data", p}};
  } else {
    return pier::InvalidArgumentError("unknown op " + op);
  }
  return pier::pdk::ToJson(out);
}
