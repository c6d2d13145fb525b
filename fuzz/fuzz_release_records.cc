// Feeds untrusted bytes, as a release's records file (release-N-records.jsonl, fetched from a
// mirror or given beside a release to `canvass release verify` and `canvass release prove`), to
// the readers of its lines: ReleaseEntries, ReleaseRecords and ReleaseTreeOf, and to the
// manifest its writer would name it by. Any input must give an answer, never a crash or a
// sanitizer report; what is accepted is exactly the lines given, and no input reaches a Merkle
// root made up at random.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "publish/proof.h"
#include "publish/release.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json release = {
      {"format", canvass::kReleaseFormat},
      {"number", 1},
      {"files",
       {{"records",
         {{"bytes", static_cast<int64_t>(size)},
          {"manifest", std::string(64, 'b')},
          {"name", canvass::ReleaseRecordsName(1)}}}}},
      {"merkle", {{"leaves", 1}, {"root", std::string(64, 'a')}, {"tree", "rfc6962-sha256"}}}};
  size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;

  auto entries = canvass::ReleaseEntries(release, text);
  if (entries.ok()) {
    // A line each, every one a JSON object, and nothing after the last line break.
    if (!entries->is_array() || entries->size() != lines) __builtin_trap();
    if (!text.empty() && text.back() != '\n') __builtin_trap();
    for (const nlohmann::json& e : *entries) {
      if (!e.is_object()) __builtin_trap();
    }
  }
  auto records = canvass::ReleaseRecords(release, text);
  if (records.ok()) {
    // The records are the lines themselves, byte for byte.
    std::string joined;
    for (const std::string& r : *records) joined += r + "\n";
    if (joined != text) __builtin_trap();
  }
  const std::string manifest = canvass::ReleaseRecordsManifestSha256(text);
  if (!canvass::IsSha256Hex(manifest)) __builtin_trap();

  // Named by a root no records hash to: never accepted.
  if (canvass::ReleaseTreeOf(release.dump(), text).ok()) __builtin_trap();
  return 0;
}
