#include "publish/release_files.h"

#include <fmt/format.h>

#include "core/sha256.h"
#include "publish/release.h"

namespace canvass {

Result<std::string> ReadReleaseFile(const BlobGet& get, const ReleaseRecord& record,
                                    const std::string& name) {
  const nlohmann::json& files = record.files;
  const auto hash = files.is_object() ? files.find(name) : files.end();
  if (!files.is_object() || hash == files.end() || !hash->is_string() ||
      !IsSha256Hex(hash->get<std::string>())) {
    return Status::NotFound(fmt::format("release {} names no {}", record.number, name));
  }
  std::string manifest;
  const auto parts = files.find(ReleasePartsName(name));
  if (parts != files.end()) {
    if (!parts->is_string() || !IsSha256Hex(parts->get<std::string>())) {
      return Status::Corruption(
          fmt::format("release {} names a malformed manifest for {}", record.number, name));
    }
    manifest = parts->get<std::string>();
  }
  return ReadStoredFile(get, name, hash->get<std::string>(), manifest);
}

}  // namespace canvass
