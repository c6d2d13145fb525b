// The event envelope and its canonical line (docs/ledger-format.md, "Canonical form").
//
// The canonical line is what nlohmann::json's dump() prints with no indent and ensure_ascii off:
// its default object type is a std::map<std::string, ...>, whose order is that of
// std::char_traits<char>, which compares as unsigned char, so keys come out sorted by their
// UTF-8 bytes at every level. Everything dump() would accept but the format forbids (floating
// point numbers, integers outside the exact range of an IEEE double, invalid UTF-8, nesting deeper
// than kMaxDepth) is refused beforehand by a walk that names the JSON pointer of the offender.
// DecodeEvent never trusts a line: it parses, checks every member, re-encodes and compares bytes.
#include "ledger/event.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <utility>

#include "core/sha256.h"

namespace canvass {

namespace {

// Nesting depth of a whole line, the envelope being level 1 and the payload object level 2. Bounds
// the recursion of every walk over a parsed line (and of dump()).
constexpr int kMaxDepth = 64;

// Integers must survive a round trip through an IEEE double (JavaScript, jq): |n| <= 2^53 - 1.
constexpr int64_t kMaxExactInteger = (int64_t{1} << 53) - 1;

constexpr std::array<std::string_view, 7> kMembers = {"actor", "channel", "payload", "prev",
                                                      "seq",   "time",    "type"};

// RFC 6901: "~" becomes "~0" and "/" becomes "~1".
std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// Byte offset of the first ill-formed UTF-8 sequence (overlong forms, surrogates and code points
// above U+10FFFF are ill-formed), or npos when the text is valid.
size_t InvalidUtf8At(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
      if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;  // no overlong forms
      if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < 0x80 || b > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

Status CheckText(std::string_view s, const std::string& pointer) {
  const size_t at = InvalidUtf8At(s);
  if (at == std::string_view::npos) return Status::Ok();
  return Status::InvalidArgument("string at " + pointer + " is not valid UTF-8 (byte " +
                                 std::to_string(at) + ")");
}

// Everything in a payload value that the canonical form cannot carry. `depth` is the nesting level
// of `value` itself within the line.
Status CheckValue(const nlohmann::json& value, const std::string& pointer, int depth) {
  switch (value.type()) {
    case nlohmann::json::value_t::number_float:
      return Status::InvalidArgument("floating point number at " + pointer +
                                     " (exact figures travel as strings)");
    case nlohmann::json::value_t::number_integer: {
      const auto n = value.get<int64_t>();
      if (n < -kMaxExactInteger || n > kMaxExactInteger) {
        return Status::InvalidArgument("integer at " + pointer +
                                       " is outside -(2^53-1)..2^53-1 (send it as a string)");
      }
      return Status::Ok();
    }
    case nlohmann::json::value_t::number_unsigned:
      if (value.get<uint64_t>() > static_cast<uint64_t>(kMaxExactInteger)) {
        return Status::InvalidArgument("integer at " + pointer +
                                       " is outside -(2^53-1)..2^53-1 (send it as a string)");
      }
      return Status::Ok();
    case nlohmann::json::value_t::string:
      return CheckText(value.get_ref<const std::string&>(), pointer);
    case nlohmann::json::value_t::binary:
      return Status::InvalidArgument("binary value at " + pointer + " has no JSON form");
    case nlohmann::json::value_t::discarded:
      return Status::InvalidArgument("discarded value at " + pointer);
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::object:
      if (depth > kMaxDepth) {
        return Status::InvalidArgument("value at " + pointer + " nests deeper than " +
                                       std::to_string(kMaxDepth) + " levels");
      }
      if (value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i) {
          CANVASS_RETURN_IF_ERROR(
              CheckValue(value[i], pointer + "/" + std::to_string(i), depth + 1));
        }
      } else {
        for (const auto& [key, member] : value.items()) {
          if (InvalidUtf8At(key) != std::string_view::npos) {
            return Status::InvalidArgument("a key of " + pointer + " is not valid UTF-8");
          }
          const std::string member_pointer = pointer + "/" + PointerToken(key);
          CANVASS_RETURN_IF_ERROR(CheckValue(member, member_pointer, depth + 1));
        }
      }
      return Status::Ok();
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::boolean:
      return Status::Ok();
  }
  return Status::Ok();
}

bool IsDigits(std::string_view s, size_t from, size_t count) {
  for (size_t i = from; i < from + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Number(std::string_view s, size_t from, size_t count) {
  int n = 0;
  for (size_t i = from; i < from + count; ++i) n = n * 10 + (s[i] - '0');
  return n;
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ", a real calendar date, hours 00-23, minutes and seconds 00-59.
bool IsLedgerTime(std::string_view t) {
  if (t.size() != 24) return false;
  if (t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' ||
      t[23] != 'Z') {
    return false;
  }
  if (!IsDigits(t, 0, 4) || !IsDigits(t, 5, 2) || !IsDigits(t, 8, 2) || !IsDigits(t, 11, 2) ||
      !IsDigits(t, 14, 2) || !IsDigits(t, 17, 2) || !IsDigits(t, 20, 3)) {
    return false;
  }
  const int year = Number(t, 0, 4), month = Number(t, 5, 2), day = Number(t, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days && Number(t, 11, 2) <= 23 && Number(t, 14, 2) <= 59 && Number(t, 17, 2) <= 59;
}

// Deepest nesting of arrays and objects in `text`, read as JSON as far as brackets and strings go.
// Run before parsing so that no later walk over the parsed value can recurse without bound.
int NestingDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

const char* TypeName(const nlohmann::json& j) {
  if (j.is_number_float()) return "a floating point number";
  if (j.is_number()) return "an integer";
  if (j.is_string()) return "a string";
  if (j.is_object()) return "an object";
  if (j.is_array()) return "an array";
  if (j.is_boolean()) return "a boolean";
  if (j.is_null()) return "null";
  return "not a value";
}

// nlohmann's messages open with "[json.exception.parse_error.101] "; the rest says where.
std::string WithoutExceptionTag(const char* what) {
  std::string_view s(what);
  if (!s.empty() && s.front() == '[') {
    const size_t end = s.find("] ");
    if (end != std::string_view::npos) s.remove_prefix(end + 2);
  }
  return std::string(s);
}

// Shown around the first differing byte of a non-canonical line.
std::string Excerpt(std::string_view s, size_t at) {
  const size_t from = at < 12 ? 0 : at - 12;
  std::string out;
  for (char c : s.substr(from, 24)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

Status Missing(std::string_view member) {
  return Status::Corruption("member \"" + std::string(member) + "\" is missing");
}

Status Mistyped(std::string_view member, const char* want, const nlohmann::json& got) {
  return Status::Corruption("member \"" + std::string(member) + "\" must be " + want + ", not " +
                            TypeName(got));
}

const nlohmann::json* Find(const nlohmann::json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

Result<std::string> StringMember(const nlohmann::json& object, std::string_view key,
                                 std::string_view pointer) {
  const nlohmann::json* member = Find(object, key);
  if (member == nullptr) return Missing(pointer);
  if (!member->is_string()) return Mistyped(pointer, "a string", *member);
  return member->get<std::string>();
}

}  // namespace

Result<std::string> CanonicalLine(const Event& event) {
  if (event.seq < 1 || event.seq > kMaxExactInteger) {
    return Status::InvalidArgument("seq " + std::to_string(event.seq) + " is outside 1..2^53-1");
  }
  if (!IsLedgerTime(event.time)) {
    return Status::InvalidArgument("time \"" + event.time +
                                   "\" is not in the form YYYY-MM-DDTHH:MM:SS.mmmZ");
  }
  if (!IsSha256Hex(event.prev)) {
    return Status::InvalidArgument("prev \"" + event.prev +
                                   "\" is not 64 lower-case hexadecimal digits");
  }
  if (event.type.empty()) return Status::InvalidArgument("type is empty");
  CANVASS_RETURN_IF_ERROR(CheckText(event.actor.id, "/actor/id"));
  CANVASS_RETURN_IF_ERROR(CheckText(event.actor.role, "/actor/role"));
  CANVASS_RETURN_IF_ERROR(CheckText(event.channel, "/channel"));
  CANVASS_RETURN_IF_ERROR(CheckText(event.type, "/type"));
  if (!event.payload.is_object()) {
    return Status::InvalidArgument(std::string("payload must be an object, not ") +
                                   TypeName(event.payload));
  }
  CANVASS_RETURN_IF_ERROR(CheckValue(event.payload, "/payload", 2));

  nlohmann::json line = {
      {"actor", {{"id", event.actor.id}, {"role", event.actor.role}}},
      {"channel", event.channel},
      {"payload", event.payload},
      {"prev", event.prev},
      {"seq", event.seq},
      {"time", event.time},
      {"type", event.type},
  };
  try {
    return line.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::strict);
  } catch (const std::exception& e) {  // unreachable after the checks above; kept as a guard
    return Status::InvalidArgument("cannot serialise the event: " + WithoutExceptionTag(e.what()));
  }
}

Result<StoredEvent> EncodeEvent(const Event& event) {
  Result<std::string> line = CanonicalLine(event);
  if (!line.ok()) return line.status();
  StoredEvent stored;
  stored.seq = event.seq;
  stored.hash = Sha256Hex(*line);
  stored.line = std::move(*line);
  return stored;
}

Result<Event> DecodeEvent(std::string_view line) {
  if (NestingDepth(line) > kMaxDepth) {
    return Status::Corruption("line nests deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line.begin(), line.end());
  } catch (const std::exception& e) {
    return Status::Corruption("line is not JSON: " + WithoutExceptionTag(e.what()));
  }
  if (!j.is_object()) {
    return Status::Corruption(std::string("line is ") + TypeName(j) + ", not a JSON object");
  }
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view m : kMembers) known = known || key == m;
    if (!known) return Status::Corruption("unknown member \"" + key + "\"");
  }

  Event event;
  const nlohmann::json* actor = Find(j, "actor");
  if (actor == nullptr) return Missing("actor");
  if (!actor->is_object()) return Mistyped("actor", "an object", *actor);
  for (const auto& [key, value] : actor->items()) {
    if (key != "id" && key != "role") {
      return Status::Corruption("unknown member \"actor." + key + "\"");
    }
  }
  Result<std::string> id = StringMember(*actor, "id", "actor.id");
  if (!id.ok()) return id.status();
  Result<std::string> role = StringMember(*actor, "role", "actor.role");
  if (!role.ok()) return role.status();
  event.actor = Actor{std::move(*role), std::move(*id)};

  Result<std::string> channel = StringMember(j, "channel", "channel");
  if (!channel.ok()) return channel.status();
  event.channel = std::move(*channel);

  const nlohmann::json* payload = Find(j, "payload");
  if (payload == nullptr) return Missing("payload");
  if (!payload->is_object()) return Mistyped("payload", "an object", *payload);

  Result<std::string> prev = StringMember(j, "prev", "prev");
  if (!prev.ok()) return prev.status();
  if (!IsSha256Hex(*prev)) {
    return Status::Corruption("prev \"" + *prev + "\" is not 64 lower-case hexadecimal digits");
  }
  event.prev = std::move(*prev);

  const nlohmann::json* seq = Find(j, "seq");
  if (seq == nullptr) return Missing("seq");
  if (!seq->is_number_integer()) return Mistyped("seq", "an integer", *seq);
  // nlohmann reads a number without a sign as unsigned, one with a minus sign as signed.
  if (!seq->is_number_unsigned() || seq->get<uint64_t>() < 1 ||
      seq->get<uint64_t>() > static_cast<uint64_t>(kMaxExactInteger)) {
    return Status::Corruption("seq " + seq->dump() + " is outside 1..2^53-1");
  }
  event.seq = seq->get<int64_t>();

  Result<std::string> time = StringMember(j, "time", "time");
  if (!time.ok()) return time.status();
  if (!IsLedgerTime(*time)) {
    return Status::Corruption("time \"" + *time + "\" is not in the form YYYY-MM-DDTHH:MM:SS.mmmZ");
  }
  event.time = std::move(*time);

  Result<std::string> type = StringMember(j, "type", "type");
  if (!type.ok()) return type.status();
  if (type->empty()) return Status::Corruption("type is empty");
  event.type = std::move(*type);

  if (Status ok = CheckValue(*payload, "/payload", 2); !ok.ok()) {
    return Status::Corruption(ok.message());
  }
  event.payload = std::move(j["payload"]);

  Result<std::string> canonical = CanonicalLine(event);
  if (!canonical.ok()) return Status::Corruption(canonical.status().message());
  if (*canonical != line) {
    size_t at = 0;
    while (at < line.size() && at < canonical->size() && line[at] == (*canonical)[at]) ++at;
    return Status::Corruption(
        "line is not in canonical form: byte " + std::to_string(at) + " reads \"" +
        Excerpt(line, at) + "\" where the canonical line has \"" + Excerpt(*canonical, at) + "\"");
  }
  return event;
}

std::string LedgerTimeNow() {
  const auto now = std::chrono::system_clock::now();
  return LedgerTimeFromMillis(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

std::string LedgerTimeFromMillis(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[80];  // room for any int the compiler can imagine in each field
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::optional<int64_t> LedgerTimeMillis(std::string_view time) {
  // The one format LedgerTimeNow writes; read back through timegm and checked by writing it again
  // (which refuses 30 February and the like).
  if (time.size() != 24 || time[4] != '-' || time[7] != '-' || time[10] != 'T' || time[13] != ':' ||
      time[16] != ':' || time[19] != '.' || time[23] != 'Z') {
    return std::nullopt;
  }
  auto number = [&](size_t at, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (time[i] < '0' || time[i] > '9') return std::nullopt;
      v = v * 10 + (time[i] - '0');
    }
    return v;
  };
  auto year = number(0, 4), month = number(5, 2), day = number(8, 2), hour = number(11, 2),
       minute = number(14, 2), second = number(17, 2), milli = number(20, 3);
  if (!year || !month || !day || !hour || !minute || !second || !milli) return std::nullopt;
  std::tm utc{};
  utc.tm_year = *year - 1900;
  utc.tm_mon = *month - 1;
  utc.tm_mday = *day;
  utc.tm_hour = *hour;
  utc.tm_min = *minute;
  utc.tm_sec = *second;
  const int64_t ms = static_cast<int64_t>(timegm(&utc)) * 1000 + *milli;
  if (LedgerTimeFromMillis(ms) != time) return std::nullopt;
  return ms;
}

}  // namespace canvass
