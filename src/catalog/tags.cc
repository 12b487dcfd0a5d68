#include "catalog/tags.h"

#include <taglib/aifffile.h>
#include <taglib/apefile.h>
#include <taglib/attachedpictureframe.h>
#include <taglib/fileref.h>
#include <taglib/flacfile.h>
#include <taglib/flacpicture.h>
#include <taglib/id3v2tag.h>
#include <taglib/mp4file.h>
#include <taglib/mpegfile.h>
#include <taglib/opusfile.h>
#include <taglib/tpropertymap.h>
#include <taglib/vorbisfile.h>
#include <taglib/wavfile.h>
#include <taglib/wavpackfile.h>
#include <taglib/xiphcomment.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace pier::catalog {

namespace {

const std::map<std::string, std::string, std::less<>>& ContentTypes() {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {"mp3", "audio/mpeg"},    {"flac", "audio/flac"}, {"ogg", "audio/ogg"},     {"oga", "audio/ogg"},
      {"opus", "audio/ogg"},    {"m4a", "audio/mp4"},   {"mp4", "audio/mp4"},     {"aac", "audio/aac"},
      {"wav", "audio/wav"},     {"aif", "audio/aiff"},  {"aiff", "audio/aiff"},   {"wv", "audio/x-wavpack"},
      {"ape", "audio/x-ape"},   {"mpc", "audio/x-musepack"}};
  return kTypes;
}

std::string Text(const TagLib::String& s) { return s.to8Bit(true); }

std::string First(const TagLib::PropertyMap& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || it->second.isEmpty()) return {};
  return Text(it->second.front());
}

std::vector<std::string> All(const TagLib::PropertyMap& p, const char* key) {
  std::vector<std::string> out;
  auto it = p.find(key);
  if (it == p.end()) return out;
  for (const auto& v : it->second) {
    const std::string s = Text(v);
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

// "3/12" -> 3; "" -> 0.
int32_t LeadingNumber(const std::string& s) {
  int64_t v = 0;
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && v < 100000000; ++i) v = v * 10 + (s[i] - '0');
  return static_cast<int32_t>(v);
}

std::string LowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::optional<int32_t> BitDepth(TagLib::File* f) {
  if (auto* x = dynamic_cast<TagLib::FLAC::File*>(f); x && x->audioProperties()) return x->audioProperties()->bitsPerSample();
  if (auto* x = dynamic_cast<TagLib::RIFF::WAV::File*>(f); x && x->audioProperties()) return x->audioProperties()->bitsPerSample();
  if (auto* x = dynamic_cast<TagLib::RIFF::AIFF::File*>(f); x && x->audioProperties()) return x->audioProperties()->bitsPerSample();
  if (auto* x = dynamic_cast<TagLib::WavPack::File*>(f); x && x->audioProperties()) return x->audioProperties()->bitsPerSample();
  if (auto* x = dynamic_cast<TagLib::APE::File*>(f); x && x->audioProperties()) return x->audioProperties()->bitsPerSample();
  return std::nullopt;
}

std::optional<Picture> FromBytes(const TagLib::ByteVector& data) {
  if (data.isEmpty()) return std::nullopt;
  Picture p;
  p.data.assign(data.data(), data.size());
  p.mime = SniffImageType(p.data);
  if (p.mime.empty()) return std::nullopt;
  return p;
}

std::optional<Picture> FromId3(TagLib::ID3v2::Tag* tag) {
  if (tag == nullptr) return std::nullopt;
  const auto& frames = tag->frameListMap()["APIC"];
  const TagLib::ID3v2::AttachedPictureFrame* chosen = nullptr;
  for (auto* frame : frames) {
    auto* pic = dynamic_cast<TagLib::ID3v2::AttachedPictureFrame*>(frame);
    if (pic == nullptr) continue;
    if (chosen == nullptr || pic->type() == TagLib::ID3v2::AttachedPictureFrame::FrontCover) chosen = pic;
  }
  return chosen ? FromBytes(chosen->picture()) : std::nullopt;
}

std::optional<Picture> FromFlacList(const TagLib::List<TagLib::FLAC::Picture*>& list) {
  const TagLib::FLAC::Picture* chosen = nullptr;
  for (auto* pic : list) {
    if (chosen == nullptr || pic->type() == TagLib::FLAC::Picture::FrontCover) chosen = pic;
  }
  return chosen ? FromBytes(chosen->data()) : std::nullopt;
}

std::optional<Picture> PictureOf(TagLib::File* f) {
  if (auto* x = dynamic_cast<TagLib::MPEG::File*>(f)) return FromId3(x->ID3v2Tag(false));
  if (auto* x = dynamic_cast<TagLib::FLAC::File*>(f)) {
    if (auto p = FromFlacList(x->pictureList())) return p;
    return FromId3(x->ID3v2Tag(false));
  }
  if (auto* x = dynamic_cast<TagLib::Ogg::Vorbis::File*>(f); x && x->tag()) return FromFlacList(x->tag()->pictureList());
  if (auto* x = dynamic_cast<TagLib::Ogg::Opus::File*>(f); x && x->tag()) return FromFlacList(x->tag()->pictureList());
  if (auto* x = dynamic_cast<TagLib::RIFF::WAV::File*>(f)) return FromId3(x->ID3v2Tag());
  if (auto* x = dynamic_cast<TagLib::RIFF::AIFF::File*>(f)) return FromId3(x->tag());
  if (auto* x = dynamic_cast<TagLib::MP4::File*>(f); x && x->tag()) {
    const auto item = x->tag()->item("covr");
    if (item.isValid()) {
      for (const auto& art : item.toCoverArtList()) {
        if (auto p = FromBytes(art.data())) return p;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

bool IsAudioExtension(std::string_view extension) {
  return ContentTypes().find(LowerAscii(std::string(extension))) != ContentTypes().end();
}

std::string SniffImageType(std::string_view b) {
  if (b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xD8 &&
      static_cast<unsigned char>(b[2]) == 0xFF) {
    return "image/jpeg";
  }
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) return "image/gif";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  return {};
}

Result<Track> ReadAudioFile(const std::filesystem::path& file) {
  TagLib::FileRef ref(file.c_str(), /*readAudioProperties=*/true, TagLib::AudioProperties::Average);
  if (ref.isNull() || ref.file() == nullptr || !ref.file()->isValid() || ref.audioProperties() == nullptr) {
    return InvalidArgumentError("not a readable audio file");
  }
  Track t;
  const TagLib::PropertyMap p = ref.file()->properties();
  t.title = Trim(First(p, "TITLE"));
  t.album = Trim(First(p, "ALBUM"));
  t.artists = All(p, "ARTISTS");
  if (t.artists.empty()) t.artists = All(p, "ARTIST");
  for (auto& a : t.artists) a = Trim(a);
  std::erase_if(t.artists, [](const std::string& a) { return a.empty(); });
  for (size_t i = 0; i < t.artists.size(); ++i) t.artist += (i ? " • " : "") + t.artists[i];
  if (auto a = First(p, "ARTIST"); !a.empty()) t.artist = Trim(a);  // the display string as tagged
  t.album_artist = Trim(First(p, "ALBUMARTIST"));
  t.sort_title = First(p, "TITLESORT");
  t.sort_album = First(p, "ALBUMSORT");
  t.sort_artist = First(p, "ARTISTSORT");
  t.sort_album_artist = First(p, "ALBUMARTISTSORT");
  t.track_number = LeadingNumber(First(p, "TRACKNUMBER"));
  t.disc_number = LeadingNumber(First(p, "DISCNUMBER"));
  t.date = First(p, "DATE");
  t.year = LeadingNumber(t.date);
  t.original_date = First(p, "ORIGINALDATE");
  t.original_year = LeadingNumber(t.original_date);
  t.genres = All(p, "GENRE");
  if (!t.genres.empty()) t.genre = t.genres.front();
  t.comment = First(p, "COMMENT");
  if (auto bpm = First(p, "BPM"); !bpm.empty()) t.bpm = LeadingNumber(bpm);
  const std::string compilation = LowerAscii(First(p, "COMPILATION"));
  t.compilation = compilation == "1" || compilation == "true" || compilation == "yes";
  t.mbz_recording_id = LowerAscii(Trim(First(p, "MUSICBRAINZ_TRACKID")));
  t.mbz_release_track_id = LowerAscii(Trim(First(p, "MUSICBRAINZ_RELEASETRACKID")));
  t.mbz_album_id = LowerAscii(Trim(First(p, "MUSICBRAINZ_ALBUMID")));
  t.mbz_release_group_id = LowerAscii(Trim(First(p, "MUSICBRAINZ_RELEASEGROUPID")));
  t.mbz_artist_id = LowerAscii(Trim(First(p, "MUSICBRAINZ_ARTISTID")));
  t.mbz_album_artist_id = LowerAscii(Trim(First(p, "MUSICBRAINZ_ALBUMARTISTID")));
  t.mbz_album_type = LowerAscii(First(p, "RELEASETYPE"));
  for (char c : First(p, "ISRC")) {
    if (std::isalnum(static_cast<unsigned char>(c))) t.isrc += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  t.catalog_num = First(p, "CATALOGNUMBER");

  const TagLib::AudioProperties* a = ref.audioProperties();
  if (a->sampleRate() <= 0 || a->channels() <= 0) return InvalidArgumentError("no audio stream found");
  t.duration = a->lengthInMilliseconds() / 1000.0;
  t.bit_rate = a->bitrate();
  t.sample_rate = a->sampleRate();
  t.channels = a->channels();
  t.bit_depth = BitDepth(ref.file());
  t.has_cover_art = PictureOf(ref.file()).has_value();

  std::string ext = file.extension().string();
  if (!ext.empty()) ext.erase(0, 1);
  t.suffix = LowerAscii(ext);
  if (auto it = ContentTypes().find(t.suffix); it != ContentTypes().end()) t.content_type = it->second;
  return t;
}

std::optional<Picture> ReadEmbeddedPicture(const std::filesystem::path& file) {
  TagLib::FileRef ref(file.c_str(), /*readAudioProperties=*/false);
  if (ref.isNull() || ref.file() == nullptr || !ref.file()->isValid()) return std::nullopt;
  return PictureOf(ref.file());
}

}  // namespace pier::catalog
