// Reading JSON text that arrives from outside (request bodies): one parse for every body; and
// JSON Lines (a release's records), one reading for every reader of them.
//
// nlohmann::json keeps the last of two members with the same name, so `{"Biden": 3,
// "Biden": 300}` would silently record 300. ParseJsonText refuses a repeated member name instead,
// naming it and where it is, as it refuses text that is not JSON.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace canvass {

// Why ParseJsonText refused a text.
struct JsonTextError {
  enum class Kind : uint8_t {
    kNotJson,       // not valid JSON
    kDuplicateKey,  // an object names the same member twice
  };
  Kind kind = Kind::kNotJson;
  // The member's path, "first.Biden" (object members joined by '.', array elements as "[2]");
  // for kNotJson, empty.
  std::string field;
  std::string message;  // for the person who sent it
};

// The JSON value of `text`, or why not: not JSON, or (the first, in reading order) a member name
// repeated within one object, compared byte for byte after unescaping ("B" and "\u0042" are
// the same name).
std::variant<nlohmann::json, JsonTextError> ParseJsonText(std::string_view text);

// The values of JSON Lines text (jsonlines.org: one JSON text a line, each line ended by a line
// break), in order, as an array; none for empty text. InvalidArgument naming the first line that
// is not JSON, or the last when no line break ends it.
Result<nlohmann::json> ParseJsonLines(std::string_view text);

}  // namespace canvass
