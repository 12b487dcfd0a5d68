// A tiny ZIP writer for tests: it writes what real tools refuse to write
// (duplicate names, "../" paths, symbolic links, lying sizes), so the package
// reader can be tested against hostile archives.
//
//   ZipWriter zip;
//   zip.Add("manifest.json", text);
//   zip.Add("../evil", "x");
//   zip.WriteTo(path);
#pragma once

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace pier::testing {

class ZipWriter {
 public:
  struct Entry {
    std::string name;
    std::string data;
    bool deflate = false;
    uint32_t unix_mode = 0100644;
    std::optional<uint32_t> declared_size;  // lie about the uncompressed size
  };

  void Add(Entry e) { entries_.push_back(std::move(e)); }
  void Add(std::string name, std::string data) { entries_.push_back({std::move(name), std::move(data)}); }

  void WriteTo(const std::string& path) const {
    std::string out, central;
    for (const Entry& e : entries_) {
      const uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(e.data.data()), e.data.size());
      const std::string body = e.deflate ? Deflate(e.data) : e.data;
      const uint32_t usize = e.declared_size.value_or(static_cast<uint32_t>(e.data.size()));
      const uint32_t offset = static_cast<uint32_t>(out.size());
      U32(out, 0x04034b50), U16(out, 20), U16(out, 0), U16(out, e.deflate ? 8 : 0), U16(out, 0), U16(out, 0x21);
      U32(out, crc), U32(out, static_cast<uint32_t>(body.size())), U32(out, usize);
      U16(out, static_cast<uint16_t>(e.name.size())), U16(out, 0);
      out += e.name + body;
      U32(central, 0x02014b50), U16(central, (3 << 8) | 20), U16(central, 20), U16(central, 0);
      U16(central, e.deflate ? 8 : 0), U16(central, 0), U16(central, 0x21), U32(central, crc);
      U32(central, static_cast<uint32_t>(body.size())), U32(central, usize);
      U16(central, static_cast<uint16_t>(e.name.size())), U16(central, 0), U16(central, 0), U16(central, 0);
      U16(central, 0), U32(central, e.unix_mode << 16), U32(central, offset);
      central += e.name;
    }
    const uint32_t cd_offset = static_cast<uint32_t>(out.size());
    out += central;
    U32(out, 0x06054b50), U16(out, 0), U16(out, 0), U16(out, static_cast<uint16_t>(entries_.size()));
    U16(out, static_cast<uint16_t>(entries_.size())), U32(out, static_cast<uint32_t>(central.size()));
    U32(out, cd_offset), U16(out, 0);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << out;
  }

 private:
  static void U16(std::string& s, uint16_t v) { s += static_cast<char>(v & 255), s += static_cast<char>(v >> 8); }
  static void U32(std::string& s, uint32_t v) { U16(s, v & 0xffff), U16(s, v >> 16); }
  static std::string Deflate(const std::string& in) {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, in.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  }
  std::vector<Entry> entries_;
};

}  // namespace pier::testing
