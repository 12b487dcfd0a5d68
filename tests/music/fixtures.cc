#include "music/fixtures.h"

#include <Magick++.h>
#include <gtest/gtest.h>
#include <taglib/attachedpictureframe.h>
#include <taglib/fileref.h>
#include <taglib/flacfile.h>
#include <taglib/id3v2tag.h>
#include <taglib/mpegfile.h>
#include <taglib/tpropertymap.h>

#include <cstdlib>
#include <mutex>

namespace pier::testing {

namespace {

void InitMagick() {
  static std::once_flag once;
  std::call_once(once, [] { Magick::InitializeMagick(nullptr); });
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool HaveSox() { return std::system("sox --version >/dev/null 2>&1") == 0; }

std::string JpegBytes(int width, int height) {
  InitMagick();
  Magick::Image image(Magick::Geometry(width, height), Magick::Color("orange"));
  image.magick("JPEG");
  Magick::Blob blob;
  image.write(&blob);
  return std::string(static_cast<const char*>(blob.data()), blob.length());
}

bool WriteImage(const std::filesystem::path& file, int width, int height) {
  InitMagick();
  std::filesystem::create_directories(file.parent_path());
  Magick::Image image(Magick::Geometry(width, height), Magick::Color("teal"));
  image.write(file.string());
  return std::filesystem::exists(file);
}

std::pair<int, int> ImageSize(const std::string& bytes) {
  InitMagick();
  try {
    Magick::Blob blob(bytes.data(), bytes.size());
    Magick::Image image;
    image.ping(blob);
    return {static_cast<int>(image.columns()), static_cast<int>(image.rows())};
  } catch (const std::exception&) {
    return {0, 0};
  }
}

bool MakeTrack(const std::filesystem::path& file, const TrackTags& tags) {
  std::filesystem::create_directories(file.parent_path());
  const std::string cmd = "sox -q -n -r 44100 -c 2 " + Quote(file.string()) + " synth " +
                          std::to_string(tags.seconds) + " sine 440 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "sox failed: " << cmd;
    return false;
  }
  const std::string ext = file.extension().string();
  if (ext == ".wav") return true;  // RIFF INFO tags are not what the tests need
  TagLib::FileRef ref(file.c_str());
  if (ref.isNull()) {
    ADD_FAILURE() << "TagLib cannot open " << file;
    return false;
  }
  TagLib::PropertyMap p = ref.file()->properties();
  auto set = [&](const char* key, const std::string& value) {
    if (!value.empty()) p.replace(key, TagLib::StringList(TagLib::String(value, TagLib::String::UTF8)));
  };
  set("TITLE", tags.title);
  set("ARTIST", tags.artist);
  set("ALBUM", tags.album);
  set("ALBUMARTIST", tags.album_artist);
  set("GENRE", tags.genre);
  set("MUSICBRAINZ_TRACKID", tags.mbid);
  set("MUSICBRAINZ_ALBUMID", tags.album_mbid);
  set("ISRC", tags.isrc);
  if (tags.track) set("TRACKNUMBER", std::to_string(tags.track));
  if (tags.disc) set("DISCNUMBER", std::to_string(tags.disc));
  if (tags.year) set("DATE", std::to_string(tags.year));
  if (!tags.artists.empty()) {
    TagLib::StringList list;
    for (const auto& a : tags.artists) list.append(TagLib::String(a, TagLib::String::UTF8));
    p.replace("ARTISTS", list);
  }
  ref.file()->setProperties(p);
  if (!ref.save()) {
    ADD_FAILURE() << "TagLib cannot save " << file;
    return false;
  }
  if (tags.picture) {
    const std::string jpeg = JpegBytes(300, 300);
    const TagLib::ByteVector data(jpeg.data(), static_cast<unsigned>(jpeg.size()));
    if (ext == ".flac") {
      TagLib::FLAC::File f(file.c_str());
      auto* pic = new TagLib::FLAC::Picture();
      pic->setType(TagLib::FLAC::Picture::FrontCover);
      pic->setMimeType("image/jpeg");
      pic->setData(data);
      f.addPicture(pic);
      return f.save();
    }
    if (ext == ".mp3") {
      TagLib::MPEG::File f(file.c_str());
      auto* frame = new TagLib::ID3v2::AttachedPictureFrame();
      frame->setType(TagLib::ID3v2::AttachedPictureFrame::FrontCover);
      frame->setMimeType("image/jpeg");
      frame->setPicture(data);
      f.ID3v2Tag(true)->addFrame(frame);
      return f.save();
    }
    ADD_FAILURE() << "pictures only in flac and mp3 fixtures";
    return false;
  }
  return true;
}

}  // namespace pier::testing
