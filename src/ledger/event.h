// Ledger events: the envelope every event shares, its canonical serialization, and the hash chain.
//
// docs/ledger-format.md is the normative description, written so that an outsider can recompute
// the chain with `sha256sum`. In short: an event is one line of JSON, its canonical form, with
// exactly these members
//   {"actor":{"id":..,"role":..},"channel":..,"payload":{..},"prev":..,"seq":..,"time":..,"type":..}
// keys sorted by their UTF-8 bytes at every level, no insignificant white space, strings escaped
// only where JSON requires it (", \, control characters as \u00xx or \n \t ...), integers only
// (no fractions, no exponents, no floating point numbers anywhere: exact figures travel as
// strings; and within -(2^53-1)..2^53-1, so that JavaScript and jq read them exactly), UTF-8
// text, and at most 64 levels of nesting, the envelope being the first. `prev` is the hash of the
// previous event's line (64 zeros for the first), `hash` is the lower-case hex SHA-256 of the
// line itself. The line does not contain its own hash; the export (JSON Lines) is the lines in
// order, one per line, so that
//   sed -n Np ledger.jsonl | tr -d '\n' | sha256sum
// prints the `prev` of line N+1.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "store/store.h"

namespace canvass {

inline constexpr std::string_view kGenesisPrev =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Who did it. Never a secret: a role and a public id ("chair" + "polk/des-moines-01",
// "operator" + "op-7", "campaign" + "Sanders", "admin" + "admin").
struct Actor {
  std::string role;
  std::string id;
};

struct Event {
  int64_t seq = 0;
  std::string time;  // RFC 3339 UTC with milliseconds: "2020-02-03T19:04:05.123Z"
  Actor actor;
  std::string channel;  // "web", "hotline", "campaign", "admin", "import", "cli"
  std::string type;     // "first-alignment-reported", ... (docs/ledger-format.md)
  nlohmann::json payload = nlohmann::json::object();
  std::string prev;  // hash of the previous event's line, kGenesisPrev for seq 1
};

// The canonical line. InvalidArgument when the payload holds a floating point number, an integer
// outside -(2^53-1)..2^53-1, a string that is not valid UTF-8 (named by its JSON pointer) or nests
// too deep; or when seq, time or prev are not in their format, or the type is empty.
Result<std::string> CanonicalLine(const Event& event);

// Encodes `event` as a StoredEvent: its canonical line and that line's hash.
Result<StoredEvent> EncodeEvent(const Event& event);

// Parses a stored line back. Corruption (with what is wrong) when the line is not JSON, lacks a
// member or has one of the wrong type, has an unknown member, or is not in canonical form (the
// re-encoded line differs from the bytes).
Result<Event> DecodeEvent(std::string_view line);

// The time now, in the ledger's format.
std::string LedgerTimeNow();
// Milliseconds since the Unix epoch, in the ledger's format, and back: nullopt when `time` is not
// "YYYY-MM-DDTHH:MM:SS.mmmZ" with a real date.
std::string LedgerTimeFromMillis(int64_t ms);
std::optional<int64_t> LedgerTimeMillis(std::string_view time);

}  // namespace canvass
