// Rational: an exact fraction of two 64-bit integers, always in lowest terms with a positive
// denominator. Every count, share, delegate and SDE in the engine is an integer or a Rational;
// nothing is ever a double.
//
// Arithmetic is done in 128 bits and reduced. A result that does not fit in 64 bits after
// reduction is a programmer error (the importers bound every input: counts below 10^9, decimals
// with at most 9 places), so it aborts with a message instead of wrapping silently.
// Sums across many precincts stay small because reported and computed SDEs are rounded to the
// ruleset's reporting precision (a power of ten) before they are added up.
//
// Thread-safety: a value type.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace canvass {

enum class DecimalRounding : uint8_t {
  kHalfUp,    // 0.5 and above rounds away from zero (caucus worksheets, IDP app toFixed)
  kTruncate,  // digits past the last place are dropped (NV memo, Principle 1 tables)
};

class Rational {
 public:
  constexpr Rational() = default;
  Rational(int64_t value) : num_(value) {}  // NOLINT: integers are rationals
  // Aborts if den == 0 (programmer error); use Parse or checked code for untrusted input.
  Rational(int64_t num, int64_t den);

  // Accepts "12", "-3", "0.078431", ".5", "4/51", "1e-3" is refused. At most 9 decimal places,
  // absolute value below 10^12. Surrounding spaces are not allowed: callers trim.
  static Result<Rational> Parse(std::string_view text);

  int64_t num() const { return num_; }
  int64_t den() const { return den_; }
  bool is_integer() const { return den_ == 1; }
  bool is_zero() const { return num_ == 0; }
  bool is_negative() const { return num_ < 0; }

  int64_t Floor() const;
  int64_t Ceil() const;
  // The part above the floor, in [0, 1).
  Rational FractionalPart() const;
  // Rounded to `places` decimal places (0..12) with the given rule.
  Rational RoundTo(int places, DecimalRounding mode = DecimalRounding::kHalfUp) const;

  // "4/51", "3", "-1/2": exact and reparseable by Parse.
  std::string ToString() const;
  // Decimal text with exactly `places` places after rounding, e.g. "0.1569"; places = 0 gives "2".
  std::string ToDecimal(int places, DecimalRounding mode = DecimalRounding::kHalfUp) const;
  // Shortest decimal text if the value has a terminating expansion of at most 12 places
  // ("0.25", "3"), else ToDecimal(12). For display and JSON of rounded figures.
  std::string ToShortDecimal() const;

  Rational operator-() const;
  friend Rational operator+(const Rational& a, const Rational& b);
  friend Rational operator-(const Rational& a, const Rational& b);
  friend Rational operator*(const Rational& a, const Rational& b);
  friend Rational operator/(const Rational& a, const Rational& b);  // aborts on b == 0
  Rational& operator+=(const Rational& o) { return *this = *this + o; }
  Rational& operator-=(const Rational& o) { return *this = *this - o; }
  Rational& operator*=(const Rational& o) { return *this = *this * o; }

  friend bool operator==(const Rational& a, const Rational& b) {
    return a.num_ == b.num_ && a.den_ == b.den_;
  }
  friend std::strong_ordering operator<=>(const Rational& a, const Rational& b);

 private:
  static Rational FromWide(__int128 num, __int128 den);
  int64_t num_ = 0;
  int64_t den_ = 1;
};

}  // namespace canvass
