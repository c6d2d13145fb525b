// Feeds untrusted bytes to PhotoKind, the magic-byte check of uploaded worksheet photos: any input
// gives a kind or a Status, never a crash or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intake/photo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto kind = canvass::PhotoKind(bytes);
  if (kind.ok() && kind.value() != "image/jpeg" && kind.value() != "image/png" &&
      kind.value() != "image/heic") {
    __builtin_trap();
  }
  return 0;
}
