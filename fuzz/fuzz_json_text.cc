// Feeds untrusted bytes to ParseJsonText, the parser of every API request body: any input must
// give a value or a named error (not JSON, or a member given twice), never a crash or a sanitizer
// report; an accepted value must read back the same from its own dump.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/json_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = canvass::ParseJsonText(text);
  if (const auto* value = std::get_if<nlohmann::json>(&parsed)) {
    const std::string dumped = value->dump();
    auto again = canvass::ParseJsonText(dumped);
    const auto* same = std::get_if<nlohmann::json>(&again);
    if (same == nullptr || *same != *value) __builtin_trap();
  } else {
    (void)std::get<canvass::JsonTextError>(parsed).message;
  }
  return 0;
}
