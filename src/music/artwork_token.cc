#include "music/artwork_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pier/json.h"

namespace pier::music {

namespace {

constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kB64Url[n >> 18 & 63];
    out += kB64Url[n >> 12 & 63];
    out += kB64Url[n >> 6 & 63];
    out += kB64Url[n & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += kB64Url[n >> 18 & 63];
    out += kB64Url[n >> 12 & 63];
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kB64Url[n >> 18 & 63];
    out += kB64Url[n >> 12 & 63];
    out += kB64Url[n >> 6 & 63];
  }
  return out;
}

bool FromBase64Url(std::string_view in, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return bits < 6;  // a lone trailing character cannot be a whole byte
}

std::string Hmac(std::string_view data, std::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

const std::string& Header() {
  static const std::string h = Base64Url(R"({"alg":"HS256","typ":"JWT"})");
  return h;
}

}  // namespace

std::string SignArtworkToken(std::string_view artwork_id, std::string_view secret) {
  const std::string payload = Base64Url(nlohmann::json{{"id", std::string(artwork_id)}, {"iss", "ND"}}.dump());
  const std::string signing_input = Header() + "." + payload;
  return signing_input + "." + Base64Url(Hmac(signing_input, secret));
}

Result<std::string> VerifyArtworkToken(std::string_view token, std::string_view secret) {
  const auto invalid = [] { return PermissionDeniedError("invalid artwork token"); };
  if (token.size() > 4096) return invalid();
  const size_t a = token.find('.');
  const size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) return invalid();
  std::string header, payload, signature;
  if (!FromBase64Url(token.substr(0, a), &header) || !FromBase64Url(token.substr(a + 1, b - a - 1), &payload) ||
      !FromBase64Url(token.substr(b + 1), &signature)) {
    return invalid();
  }
  const nlohmann::json h = ParseJsonOrNull(header);
  if (!h.is_object() || !h.contains("alg") || h["alg"] != "HS256") return invalid();
  const std::string expected = Hmac(token.substr(0, b), secret);
  if (expected.size() != signature.size() || CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0) {
    return invalid();
  }
  const nlohmann::json p = ParseJsonOrNull(payload);
  if (!p.is_object() || !p.contains("iss") || p["iss"] != "ND" || !p.contains("id") || !p["id"].is_string()) {
    return invalid();
  }
  return p["id"].get<std::string>();
}

std::string ArtworkUrls::Url(std::string_view kind, std::string_view id, int32_t size) const {
  std::string base = base_url ? base_url() : "";
  if (base.empty()) base = "http://localhost";
  std::string url = base + "/share/img/" + SignArtworkToken(std::string(kind) + "-" + std::string(id) + "_0", secret);
  if (size > 0) url += "?size=" + std::to_string(size);
  return url;
}

Result<ArtworkId> ParseArtworkId(std::string_view artwork_id) {
  const size_t dash = artwork_id.find('-');
  if (dash == std::string_view::npos || dash == 0) return InvalidArgumentError("malformed artwork ID");
  std::string_view id = artwork_id.substr(dash + 1);
  if (const size_t underscore = id.rfind('_'); underscore != std::string_view::npos) id = id.substr(0, underscore);
  return ArtworkId{std::string(artwork_id.substr(0, dash)), std::string(id)};
}

Result<std::string> LoadOrCreateSecret(const std::filesystem::path& file) {
  {
    std::ifstream in(file);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      std::string secret = ss.str();
      while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
      if (secret.size() >= 16) return secret;
      return FailedPreconditionError("the secret in " + file.string() + " is too short (delete it to make a new one)");
    }
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return InternalError("no random bytes for the host secret");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string secret;
  for (unsigned char b : bytes) {
    secret += kHex[b >> 4];
    secret += kHex[b & 15];
  }
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return LoadOrCreateSecret(file);  // another process made it first
    return InternalError("cannot create " + file.string() + ": " + std::strerror(errno));
  }
  const std::string line = secret + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return InternalError("cannot write " + file.string());
  return secret;
}

}  // namespace pier::music
