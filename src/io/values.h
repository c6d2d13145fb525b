// The cell values every importer reads: names, head counts, SDEs and ratios.
//
// Each parser is strict and allocation-free on success, and explains a refusal in words that
// the importer puts after "file:line:column: column \"value\": ". Bounds keep every value far
// inside what exact Rational arithmetic can add up (core/election.h).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"

namespace canvass {

// Largest SDE figure (per precinct, per delegate or per site) an importer accepts.
inline constexpr int64_t kMaxSdeWhole = 1'000'000;

// NormaliseName applied until nothing changes: the party's long CSV encodes some names twice
// ("Carroll Ward Three &amp;amp; S1/2 ..."), its wide CSV once, and both must meet.
std::string CanonicalName(std::string_view raw);

// A whole number 0..max written as plain digits ("12"; not "+12", "12.0", " 12", "1e3").
// The error message says why ("\"-3\" is not a count").
Result<Count> ParseCount(std::string_view text, Count max);

// How a decimal figure was written.
enum class DecimalSource : uint8_t {
  // Our own files: a decimal with at most 9 places ("0.1569") or an exact fraction ("4/51").
  kExact,
  // The party's exports, printed from binary floating point: "0.07840000000000001" and
  // "0.3921999999999999" stand for 0.0784 and 0.3922. A value with more than 9 places is read
  // as the 9-place decimal it rounds to only when places 10 to 13 are all 0 or all 9 (it lies
  // within 10^-13 of that decimal); any other long decimal is refused. No fractions.
  kFloatingPrintout,
};

// A non-negative SDE figure below kMaxSdeWhole.
Result<Rational> ParseSde(std::string_view text, DecimalSource source);

// A non-negative decimal of any length truncated to 9 places, as an integer count of 10^-9
// units, for the party's floating-point per-precinct SDE columns that only feed a county sum
// (the sum is then checked to be within 0.001 of a whole number). Below kMaxSdeWhole.
Result<int64_t> ParseNanos(std::string_view text);

// "1.2345" for an integer count of 10^-9 units, at most 9 places, trailing zeros dropped.
std::string NanosToString(__int128 nanos);

// A decimal with at most 9 places when the value has one, else "n/d".
std::string RationalToText(const Rational& value);

}  // namespace canvass
