#include "core/json_text.h"

#include <fmt/format.h>

#include <optional>
#include <set>
#include <vector>

namespace canvass {

namespace {

// One open object or array while parsing, for the path of a repeated member.
struct Frame {
  bool object = false;
  std::set<std::string> keys;  // object: the member names read so far
  std::string key;             // object: the member being read
  size_t index = 0;            // array: the element being read
};

// "first.Biden", "groups[2].A": the path of the member being read (with_key) or of the object
// it is in.
std::string PathOf(const std::vector<Frame>& frames, bool with_key) {
  std::string path;
  // frames[0] is the sentinel for the top-level value.
  for (size_t i = 1; i < frames.size(); ++i) {
    const Frame& f = frames[i];
    if (!f.object) {
      path += fmt::format("[{}]", f.index);
    } else if (with_key || i + 1 < frames.size()) {
      path += path.empty() ? f.key : "." + f.key;
    }
  }
  return path;
}

}  // namespace

std::variant<nlohmann::json, JsonTextError> ParseJsonText(std::string_view text) {
  using nlohmann::json;
  std::vector<Frame> frames(1);  // a sentinel: the top-level value is no member
  std::optional<JsonTextError> duplicate;
  // A value has been read in the innermost open container: an array moves to its next element.
  const auto value_done = [&frames] {
    if (!frames.back().object && frames.size() > 1) frames.back().index += 1;
  };
  json::parser_callback_t watch = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (duplicate) return true;  // the first one is reported; the rest of the text is read
    switch (event) {
      case json::parse_event_t::object_start:
        frames.push_back(Frame{true, {}, {}, 0});
        break;
      case json::parse_event_t::array_start:
        frames.push_back(Frame{false, {}, {}, 0});
        break;
      case json::parse_event_t::key: {
        Frame& f = frames.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) {
          const std::string within = PathOf(frames, false);
          const std::string where = within.empty() ? std::string() : " in " + within;
          duplicate = JsonTextError{
              JsonTextError::Kind::kDuplicateKey, PathOf(frames, true),
              fmt::format("\"{}\" is given twice{}; give each name once", f.key, where)};
        }
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (frames.size() > 1) frames.pop_back();
        value_done();
        break;
      case json::parse_event_t::value:
        value_done();
        break;
    }
    return true;
  };
  json out = json::parse(text.begin(), text.end(), watch, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    return JsonTextError{JsonTextError::Kind::kNotJson, "", "the text is not valid JSON"};
  }
  if (duplicate) return *duplicate;
  return out;
}

Result<nlohmann::json> ParseJsonLines(std::string_view text) {
  nlohmann::json lines = nlohmann::json::array();
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      return Status::InvalidArgument(
          fmt::format("line {} has no line break at its end", lines.size() + 1));
    }
    nlohmann::json value = nlohmann::json::parse(text.substr(pos, end - pos), nullptr, false);
    if (value.is_discarded()) {
      return Status::InvalidArgument(fmt::format("line {} is not JSON", lines.size() + 1));
    }
    lines.push_back(std::move(value));
    pos = end + 1;
  }
  return lines;
}

}  // namespace canvass
