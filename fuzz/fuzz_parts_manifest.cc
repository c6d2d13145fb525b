// Feeds untrusted bytes, as a stored parts manifest (store/parts.h: a damaged or forged blob), to
// ParseManifest and to ReadStoredFile over a store holding nothing but that blob: any input must
// give a manifest or an error, never a crash or a sanitizer report. A manifest that parses must
// print back to the same bytes (the format has one spelling), and its parts must add up to its
// file's size. Both formats: canvass-parts-1 (a whole-file hash) and canvass-parts-2 (cut by
// its writer, the size alone).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/sha256.h"
#include "store/parts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto manifest = canvass::ParseManifest(text);
  if (manifest.ok()) {
    if (canvass::ManifestText(*manifest) != text) __builtin_trap();
    int64_t sum = 0;
    for (const canvass::PartRef& p : manifest->parts) sum += p.size;
    if (sum != manifest->size) __builtin_trap();
  }
  const std::string hash = canvass::Sha256Hex(text);
  auto read = canvass::ReadStoredFile(
      [&](const std::string& sha) -> canvass::Result<std::optional<std::string>> {
        if (sha == hash) return std::optional<std::string>(text);
        return std::optional<std::string>();
      },
      "fuzzed", manifest.ok() ? manifest->sha256 : std::string(64, '0'), hash);
  // Only an empty file can be read back from a store holding no part.
  if (read.ok() && !read->empty()) __builtin_trap();
  // A file checked against a manifest (release verify: both from disk). The input as both, and
  // as a manifest of its own first line's bytes.
  (void)canvass::CheckFileAgainstManifest(text, text);
  // A file the check accepts has the size the manifest names, and its parts cover it exactly.
  const std::string first = text.substr(0, text.find('\n'));
  if (canvass::CheckFileAgainstManifest(first, text).ok() &&
      (!manifest.ok() || manifest->size != static_cast<int64_t>(first.size()))) {
    __builtin_trap();
  }
  return 0;
}
