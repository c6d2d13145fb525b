// Feeds untrusted bytes to ParseResults: any input must give a value or a Status, never a crash,
// an abort (Rational overflow, failed assertion) or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = canvass::ParseResults(text, "fuzz");
  if (parsed.ok()) {
    // What we write must read back.
    auto again = canvass::ParseResults(canvass::WriteResultsCsv(parsed.value()), "fuzz-written");
    if (!again.ok()) __builtin_trap();
  } else {
    (void)parsed.status().message();
  }
  return 0;
}
