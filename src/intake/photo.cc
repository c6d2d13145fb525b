#include "intake/photo.h"

#include <array>

namespace canvass {

Result<std::string> PhotoKind(std::string_view b) {
  if (b.empty()) return Status::InvalidArgument("the photo is empty");
  if (b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF &&
      static_cast<unsigned char>(b[1]) == 0xD8 && static_cast<unsigned char>(b[2]) == 0xFF) {
    return std::string("image/jpeg");
  }
  static constexpr std::string_view kPng("\x89PNG\r\n\x1a\n", 8);
  if (b.substr(0, 8) == kPng) return std::string("image/png");
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") {
    static constexpr std::array<std::string_view, 8> kBrands = {"heic", "heix", "heim", "heis",
                                                                "hevc", "hevx", "mif1", "msf1"};
    for (std::string_view brand : kBrands) {
      if (b.substr(8, 4) == brand) return std::string("image/heic");
    }
    return Status::InvalidArgument(
        "the photo is an ISO media file but not HEIC; send JPEG, PNG "
        "or HEIC");
  }
  return Status::InvalidArgument("the photo is not a JPEG, PNG or HEIC image");
}

Result<std::string> EvidenceKind(std::string_view b) {
  if (b.substr(0, 5) == "%PDF-") return std::string("application/pdf");
  auto photo = PhotoKind(b);
  if (photo.ok()) return photo;
  return Status::InvalidArgument("the evidence is not a PDF document or a JPEG, PNG or HEIC image");
}

}  // namespace canvass
