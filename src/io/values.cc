#include "io/values.h"

#include "core/text.h"

namespace canvass {
namespace {

constexpr int64_t kNanosPerUnit = 1'000'000'000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status NotA(std::string_view text, std::string_view what, std::string_view why = {}) {
  std::string msg = "\"";
  // Keep messages readable when the cell is huge or binary.
  msg += text.size() > 40 ? std::string(text.substr(0, 40)) + "..." : std::string(text);
  msg += "\" is not ";
  msg += what;
  if (!why.empty()) {
    msg += ": ";
    msg += why;
  }
  return Status::InvalidArgument(std::move(msg));
}

// Splits "12.345" into whole and fraction digit strings; false if not plain decimal syntax.
bool SplitDecimal(std::string_view text, std::string_view* whole, std::string_view* frac) {
  size_t point = text.find('.');
  *whole = text.substr(0, point);
  *frac = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (whole->empty() && frac->empty()) return false;
  if (point != std::string_view::npos && frac->empty()) return false;  // "12."
  for (char c : *whole) {
    if (!IsDigit(c)) return false;
  }
  for (char c : *frac) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Whole digits as a number below kMaxSdeWhole, leading zeros allowed.
bool WholeBelowLimit(std::string_view digits, int64_t* value) {
  int64_t v = 0;
  for (char c : digits) {
    v = v * 10 + (c - '0');
    if (v >= kMaxSdeWhole) return false;
  }
  *value = v;
  return true;
}

}  // namespace

std::string CanonicalName(std::string_view raw) {
  std::string name = NormaliseName(raw);
  // Each round that changes the text makes it shorter, so this ends.
  for (;;) {
    if (name.find('&') == std::string::npos) return name;
    std::string again = NormaliseName(name);
    if (again == name) return name;
    name = std::move(again);
  }
}

Result<Count> ParseCount(std::string_view text, Count max) {
  if (text.empty()) return NotA(text, "a count", "empty");
  Count value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return NotA(text, "a count");
    value = value * 10 + (c - '0');
    if (value > max) return NotA(text, "a count", "above " + std::to_string(max));
  }
  return value;
}

Result<Rational> ParseSde(std::string_view text, DecimalSource source) {
  if (text.empty()) return NotA(text, "an SDE figure", "empty");
  if (source == DecimalSource::kExact) {
    size_t slash = text.find('/');
    if (slash != std::string_view::npos) {
      std::string_view num = text.substr(0, slash);
      std::string_view den = text.substr(slash + 1);
      auto digits_only = [](std::string_view s) {
        if (s.empty() || s.size() > 12) return false;
        for (char c : s) {
          if (!IsDigit(c)) return false;
        }
        return true;
      };
      if (!digits_only(num) || !digits_only(den)) {
        return NotA(text, "an SDE figure", "a fraction is two whole numbers of up to 12 digits");
      }
      int64_t n = 0, d = 0;
      for (char c : num) n = n * 10 + (c - '0');
      for (char c : den) d = d * 10 + (c - '0');
      if (d == 0) return NotA(text, "an SDE figure", "zero denominator");
      if (n / d >= kMaxSdeWhole) return NotA(text, "an SDE figure", "too large");
      return Rational(n, d);
    }
  }
  std::string_view whole, frac;
  if (!SplitDecimal(text, &whole, &frac)) return NotA(text, "an SDE figure");
  int64_t whole_value = 0;
  if (!WholeBelowLimit(whole, &whole_value)) return NotA(text, "an SDE figure", "too large");
  int64_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  if (frac.size() > 9) {
    std::string_view tail = frac.substr(9);
    if (source == DecimalSource::kExact) {
      if (tail.find_first_not_of('0') != std::string_view::npos) {
        return NotA(text, "an SDE figure", "more than 9 decimal places");
      }
    } else {
      bool zeros = tail.size() >= 4 && tail.substr(0, 4) == "0000";
      bool nines = tail.size() >= 4 && tail.substr(0, 4) == "9999";
      if (!zeros && !nines) return NotA(text, "an SDE figure", "more than 9 decimal places");
      if (nines) ++nanos;  // may carry into the whole part; Rational takes care of it
    }
  }
  __int128 total = static_cast<__int128>(whole_value) * kNanosPerUnit + nanos;
  if (total >= static_cast<__int128>(kMaxSdeWhole) * kNanosPerUnit) {
    return NotA(text, "an SDE figure", "too large");
  }
  return Rational(static_cast<int64_t>(total), kNanosPerUnit);
}

Result<int64_t> ParseNanos(std::string_view text) {
  std::string_view whole, frac;
  if (text.empty() || !SplitDecimal(text, &whole, &frac)) return NotA(text, "an SDE figure");
  int64_t whole_value = 0;
  if (!WholeBelowLimit(whole, &whole_value)) return NotA(text, "an SDE figure", "too large");
  int64_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  return whole_value * kNanosPerUnit + nanos;
}

std::string NanosToString(__int128 nanos) {
  bool negative = nanos < 0;
  if (negative) nanos = -nanos;
  __int128 whole = nanos / kNanosPerUnit;
  int64_t frac = static_cast<int64_t>(nanos % kNanosPerUnit);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(whole % 10)));
    whole /= 10;
  } while (whole > 0);
  std::string out = negative ? "-" + digits : digits;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 9 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += '.';
    out += f;
  }
  return out;
}

std::string RationalToText(const Rational& value) {
  if (kNanosPerUnit % value.den() == 0) return value.ToShortDecimal();
  return value.ToString();
}

}  // namespace canvass
