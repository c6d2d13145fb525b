#include "core/rational.h"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>

namespace canvass {
namespace {

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "canvass: fatal: Rational %s\n", what);
  std::abort();
}

constexpr __int128 kMax64 = std::numeric_limits<uint64_t>::max();

__int128 Gcd(__int128 a, __int128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    // Most operands fit in 64 bits: there std::gcd (Stein's algorithm, shifts and subtractions)
    // instead of a 128-bit remainder, a library call, at each step.
    if (a <= kMax64 && b <= kMax64)
      return std::gcd(static_cast<uint64_t>(a), static_cast<uint64_t>(b));
    __int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// a / b, exact (b divides a), for b > 0.
__int128 DivideExact(__int128 a, __int128 b) {
  const __int128 m = a < 0 ? -a : a;
  if (m <= kMax64 && b <= kMax64) {
    const __int128 q = static_cast<uint64_t>(m) / static_cast<uint64_t>(b);
    return a < 0 ? -q : q;
  }
  return a / b;
}

__int128 Pow10(int places) {
  __int128 p = 1;
  for (int i = 0; i < places; ++i) p *= 10;
  return p;
}

// floor(a / b) for b > 0.
__int128 FloorDiv(__int128 a, __int128 b) {
  __int128 q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

constexpr int kMaxPlaces = 12;
constexpr int kMaxParsePlaces = 9;
constexpr int64_t kMaxParseMagnitude = 1'000'000'000'000;  // 10^12

}  // namespace

Rational::Rational(int64_t num, int64_t den) {
  if (den == 0) Fatal("division by zero");
  *this = FromWide(num, den);
}

Rational Rational::FromWide(__int128 num, __int128 den) {
  if (den == 0) Fatal("division by zero");
  if (den < 0) {
    num = -num;
    den = -den;
  }
  __int128 g = Gcd(num, den);
  if (g > 1) {
    num = DivideExact(num, g);
    den = DivideExact(den, g);
  }
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  if (num > kMax || num < -kMax || den > kMax) Fatal("overflow (an input outside the bounds)");
  Rational r;
  r.num_ = static_cast<int64_t>(num);
  r.den_ = static_cast<int64_t>(den);
  return r;
}

Result<Rational> Rational::Parse(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty number");
  auto bad = [&](const char* why) {
    // Built with append: g++ 12 -O3 misreports `"literal" + std::string` (-Wrestrict, PR 105651).
    std::string msg = "\"";
    msg.append(text).append("\" is not a number: ").append(why);
    return Status::InvalidArgument(std::move(msg));
  };
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    auto n = Parse(text.substr(0, slash));
    auto d = Parse(text.substr(slash + 1));
    if (!n.ok() || !d.ok() || !n->is_integer() || !d->is_integer())
      return bad("a fraction must be two whole numbers, like 4/51");
    if (d->is_zero()) return bad("zero denominator");
    if (d->is_negative()) return bad("negative denominator");
    return FromWide(n->num(), d->num());
  }
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  __int128 whole = 0;
  __int128 frac = 0;
  int places = 0;
  bool seen_digit = false;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (seen_point) return bad("two decimal points");
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return bad("unexpected character");
    seen_digit = true;
    if (seen_point) {
      if (places == kMaxParsePlaces) {
        if (c != '0') return bad("more than 9 decimal places");
        continue;  // trailing zeros past the limit are harmless
      }
      frac = frac * 10 + (c - '0');
      ++places;
    } else {
      whole = whole * 10 + (c - '0');
      if (whole >= kMaxParseMagnitude) return bad("too large");
    }
  }
  if (!seen_digit) return bad("no digits");
  __int128 scale = Pow10(places);
  __int128 num = whole * scale + frac;
  if (negative) num = -num;
  // A large whole part with many decimals may not fit in 64-bit terms even in lowest terms:
  // refuse it here rather than abort in FromWide.
  const __int128 g = Gcd(num, scale);
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  if ((g > 1 ? num / g : num) > kMax || (g > 1 ? num / g : num) < -kMax) {
    return bad("too large for its decimal places");
  }
  return FromWide(num, scale);
}

int64_t Rational::Floor() const { return static_cast<int64_t>(FloorDiv(num_, den_)); }

int64_t Rational::Ceil() const {
  return -static_cast<int64_t>(FloorDiv(-static_cast<__int128>(num_), den_));
}

Rational Rational::FractionalPart() const { return *this - Rational(Floor()); }

Rational Rational::RoundTo(int places, DecimalRounding mode) const {
  if (places < 0 || places > kMaxPlaces) Fatal("rounding places out of range");
  __int128 scale = Pow10(places);
  // Already a decimal at `places` (its denominator divides 10^places, which fits 64 bits): itself,
  // as either rounding gives it, without the wide arithmetic (a release rounds every SDE it
  // writes, nearly all of them exact already).
  if (static_cast<int64_t>(scale) % den_ == 0) return *this;
  __int128 scaled_num = static_cast<__int128>(num_) * scale;
  __int128 q;
  if (mode == DecimalRounding::kTruncate) {
    q = scaled_num / den_;  // toward zero
  } else {
    // half away from zero
    __int128 a = scaled_num < 0 ? -scaled_num : scaled_num;
    __int128 r = (2 * a + den_) / (2 * static_cast<__int128>(den_));
    q = scaled_num < 0 ? -r : r;
  }
  return FromWide(q, scale);
}

std::string Rational::ToString() const {
  if (den_ == 1) return std::to_string(num_);
  return std::to_string(num_) + "/" + std::to_string(den_);
}

std::string Rational::ToDecimal(int places, DecimalRounding mode) const {
  Rational r = RoundTo(places, mode);
  __int128 scale = Pow10(places);
  __int128 scaled = static_cast<__int128>(r.num_) * (scale / r.den_);
  bool negative = scaled < 0;
  if (negative) scaled = -scaled;
  auto whole = static_cast<int64_t>(scaled / scale);
  auto frac = static_cast<int64_t>(scaled % scale);
  std::string out = negative ? "-" : "";
  out += std::to_string(whole);
  if (places > 0) {
    std::string f = std::to_string(frac);
    out.push_back('.');
    out.append(static_cast<size_t>(places) - f.size(), '0');
    out.append(f);
  }
  return out;
}

std::string Rational::ToShortDecimal() const {
  for (int places = 0; places <= kMaxPlaces; ++places) {
    if (Pow10(places) % den_ == 0) return ToDecimal(places);
  }
  return ToDecimal(kMaxPlaces);
}

Rational Rational::operator-() const { return FromWide(-static_cast<__int128>(num_), den_); }

Rational operator+(const Rational& a, const Rational& b) {
  if (a.den_ == b.den_) return Rational::FromWide(static_cast<__int128>(a.num_) + b.num_, a.den_);
  return Rational::FromWide(
      static_cast<__int128>(a.num_) * b.den_ + static_cast<__int128>(b.num_) * a.den_,
      static_cast<__int128>(a.den_) * b.den_);
}

Rational operator-(const Rational& a, const Rational& b) { return a + (-b); }

Rational operator*(const Rational& a, const Rational& b) {
  return Rational::FromWide(static_cast<__int128>(a.num_) * b.num_,
                            static_cast<__int128>(a.den_) * b.den_);
}

Rational operator/(const Rational& a, const Rational& b) {
  if (b.num_ == 0) Fatal("division by zero");
  return Rational::FromWide(static_cast<__int128>(a.num_) * b.den_,
                            static_cast<__int128>(a.den_) * b.num_);
}

std::strong_ordering operator<=>(const Rational& a, const Rational& b) {
  __int128 l = static_cast<__int128>(a.num_) * b.den_;
  __int128 r = static_cast<__int128>(b.num_) * a.den_;
  if (l < r) return std::strong_ordering::less;
  if (l > r) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

}  // namespace canvass
