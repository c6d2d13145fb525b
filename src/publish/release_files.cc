#include "publish/release_files.h"

#include <fmt/format.h>

#include <optional>

#include "core/sha256.h"
#include "publish/release.h"

namespace canvass {

Result<std::string> ReadReleaseFile(const BlobGet& get, const ReleaseRecord& record,
                                    const std::string& name) {
  const nlohmann::json& files = record.files;
  if (!files.is_object()) {
    return Status::NotFound(fmt::format("release {} names no {}", record.number, name));
  }
  auto named = [&](const std::string& key) -> std::optional<std::string> {
    const auto it = files.find(key);
    if (it == files.end()) return std::nullopt;
    if (!it->is_string() || !IsSha256Hex(it->get<std::string>())) return std::string();
    return it->get<std::string>();
  };
  const std::optional<std::string> hash = named(name);
  const std::optional<std::string> manifest = named(ReleasePartsName(name));
  if (manifest && manifest->empty()) {
    return Status::Corruption(
        fmt::format("release {} names a malformed manifest for {}", record.number, name));
  }
  // A file cut by group of precincts is named by its manifest alone.
  if ((!hash && !manifest) || (hash && hash->empty())) {
    return Status::NotFound(fmt::format("release {} names no {}", record.number, name));
  }
  return ReadStoredFile(get, name, hash.value_or(std::string()), manifest.value_or(std::string()));
}

Result<PublishedFiles> ReadPublishedRelease(const BlobGet& get, const ReleaseRecord& record) {
  PublishedFiles files;
  auto json = ReadReleaseFile(get, record, ReleaseJsonName(record.number));
  if (!json.ok()) return json.status();
  files.json = std::move(json).value();
  const std::string records = ReleaseRecordsName(record.number);
  if (!ReleaseFileTag(record, records).empty()) {
    auto bytes = ReadReleaseFile(get, record, records);
    if (!bytes.ok()) return bytes.status();
    files.records = std::move(bytes).value();
  }
  return files;
}

std::string ReleaseFileTag(const ReleaseRecord& record, const std::string& name) {
  if (!record.files.is_object()) return "";
  for (const std::string& key : {name, ReleasePartsName(name)}) {
    const auto it = record.files.find(key);
    if (it != record.files.end() && it->is_string() && IsSha256Hex(it->get<std::string>())) {
      return it->get<std::string>();
    }
  }
  return "";
}

std::vector<std::string> ReleaseFileNames(const ReleaseRecord& record) {
  std::vector<std::string> names;
  if (!record.files.is_object()) return names;
  for (const auto& [key, hash] : record.files.items()) {
    names.push_back(key);
    const std::string file = ReleaseFileOfPartsName(key);
    if (!file.empty() && !record.files.contains(file)) names.push_back(file);
  }
  return names;
}

}  // namespace canvass
