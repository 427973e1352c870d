#include "skiff/api/quantity.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "absl/status/status.h"
#include "skiff/api/text.h"

namespace skiff::api {
namespace {

using u128 = unsigned __int128;

constexpr std::string_view kFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kNumeric = "unable to parse numeric part of quantity";
constexpr std::string_view kSuffix = "unable to parse quantity's suffix";
constexpr int kMaxDigits = 38;  // every 38-digit decimal fits in 128 bits
constexpr u128 kInt64Max = static_cast<u128>(std::numeric_limits<int64_t>::max());

u128 Pow10(int n) {
  u128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

bool MulOverflows(u128 a, u128 b, u128* out) { return __builtin_mul_overflow(a, b, out); }

int DigitCount(u128 v) {
  int n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

std::string U128ToString(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

// Digits of `m` followed by `zeros` zeros, for magnitude comparison without overflow.
int CompareMagnitude(u128 am, int32_t ae, u128 bm, int32_t be) {
  if (am == 0 || bm == 0) return am == bm ? 0 : (am == 0 ? -1 : 1);
  int64_t a_order = static_cast<int64_t>(DigitCount(am)) + ae;
  int64_t b_order = static_cast<int64_t>(DigitCount(bm)) + be;
  if (a_order != b_order) return a_order < b_order ? -1 : 1;
  std::string a = U128ToString(am), b = U128ToString(bm);
  size_t n = std::max(a.size(), b.size());
  a.append(n - a.size(), '0');
  b.append(n - b.size(), '0');
  return a == b ? 0 : (a < b ? -1 : 1);
}

// value = m × 10^e as an integer scaled by 10^-scale, rounded away from zero.
int64_t ScaledCeil(bool negative, u128 m, int32_t e, int32_t scale) {
  if (m == 0) return 0;
  int64_t shift = static_cast<int64_t>(e) - scale;
  u128 result;
  if (shift >= 0) {
    if (shift > kMaxDigits || MulOverflows(m, Pow10(static_cast<int>(shift)), &result) ||
        result > kInt64Max) {
      return negative ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    }
  } else if (-shift > kMaxDigits) {
    result = 1;
  } else {
    u128 div = Pow10(static_cast<int>(-shift));
    result = m / div + (m % div != 0 ? 1 : 0);
    if (result > kInt64Max) result = kInt64Max;
  }
  int64_t v = static_cast<int64_t>(result);
  return negative ? -v : v;
}

absl::Status FormatWrong() { return absl::InvalidArgumentError(std::string(kFormatWrong)); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Base 10 or 2 exponent for a suffix; false when the suffix is unknown.
bool InterpretSuffix(std::string_view suffix, int* base, int32_t* exponent,
                     Quantity::Format* format) {
  static constexpr std::pair<std::string_view, int> kDecimal[] = {
      {"", 0},  {"n", -9}, {"u", -6}, {"m", -3}, {"k", 3},
      {"M", 6}, {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  static constexpr std::pair<std::string_view, int> kBinary[] = {
      {"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  for (const auto& [s, e] : kDecimal) {
    if (s == suffix) {
      *base = 10, *exponent = e, *format = Quantity::Format::kDecimalSI;
      return true;
    }
  }
  for (const auto& [s, e] : kBinary) {
    if (s == suffix) {
      *base = 2, *exponent = e, *format = Quantity::Format::kBinarySI;
      return true;
    }
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view rest = suffix.substr(1);
    int64_t parsed = 0;
    if (rest.empty() || !ParseInt64(rest, &parsed)) return false;
    *base = 10, *exponent = static_cast<int32_t>(parsed);
    *format = Quantity::Format::kDecimalExponent;
    return true;
  }
  return false;
}

}  // namespace

void Quantity::Normalize() {
  if (mantissa_ == 0) {
    negative_ = false;
    exponent_ = 0;
    return;
  }
  while (mantissa_ % 10 == 0) {
    mantissa_ /= 10;
    ++exponent_;
  }
}

absl::StatusOr<Quantity> Quantity::Parse(std::string_view str) {
  if (str.empty()) return FormatWrong();
  Quantity q;
  if (str == "0") return q;

  // Split into sign, numerator, denominator and suffix the way Kubernetes does.
  bool positive = true;
  size_t pos = 0;
  const size_t end = str.size();
  if (str[0] == '-') {
    positive = false;
    ++pos;
  } else if (str[0] == '+') {
    ++pos;
  }
  while (pos < end && str[pos] == '0') ++pos;
  std::string_view num, denom, suffix;
  if (pos < end) {
    size_t start = pos;
    while (pos < end && IsDigit(str[pos])) ++pos;
    num = str.substr(start, pos - start);
    if (pos < end && str[pos] == '.') {
      start = ++pos;
      while (pos < end && IsDigit(str[pos])) ++pos;
      denom = str.substr(start, pos - start);
    }
    size_t suffix_start = pos;
    while (pos < end && std::string_view("eEinumkKMGTP").find(str[pos]) != std::string_view::npos) {
      ++pos;
    }
    if (pos < end && (str[pos] == '-' || str[pos] == '+')) ++pos;
    while (pos < end && IsDigit(str[pos])) ++pos;
    if (pos < end) return FormatWrong();
    suffix = str.substr(suffix_start);
  }

  int base = 10;
  int32_t exponent = 0;
  if (!InterpretSuffix(suffix, &base, &exponent, &q.format_)) {
    return absl::InvalidArgumentError(std::string(kSuffix));
  }

  std::string digits = Cat(num, denom);
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return q;  // zero, whatever the suffix
  digits.erase(0, first);
  int32_t e = -static_cast<int32_t>(denom.size());
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++e;
  }
  if (static_cast<int>(digits.size()) > kMaxDigits)
    return absl::InvalidArgumentError(std::string(kNumeric));
  u128 m = 0;
  for (char c : digits) m = m * 10 + static_cast<u128>(c - '0');

  if (base == 10) {
    e += exponent;
  } else {
    u128 scaled;
    if (MulOverflows(m, static_cast<u128>(1) << exponent, &scaled)) {
      m = kInt64Max;  // beyond the BinarySI cap anyway
      e = 0;
    } else {
      m = scaled;
    }
    // Kubernetes caps BinarySI quantities at the largest int64.
    bool too_big = false;
    if (e >= 0) {
      u128 v;
      too_big = e > kMaxDigits || MulOverflows(m, Pow10(e), &v) || v > kInt64Max;
    } else if (-e < 20) {
      too_big = m > kInt64Max * Pow10(-e);
    }
    if (too_big) {
      m = kInt64Max;
      e = 0;
    }
  }
  q.negative_ = !positive;
  q.mantissa_ = m;
  q.exponent_ = e;
  q.Normalize();
  // Non-zero values finer than a nano round up to the nearest nano.
  if (q.exponent_ < -9) q.RoundUp(-9);
  // A BinarySI fraction of one prints better as DecimalSI.
  if (q.format_ == Format::kBinarySI && DigitCount(q.mantissa_) + q.exponent_ <= 0) {
    q.format_ = Format::kDecimalSI;
  }
  return q;
}

absl::StatusOr<Quantity> Quantity::FromJson(const boost::json::value& v) {
  if (v.is_string()) return Parse(TrimAscii(v.get_string()));
  if (v.is_int64()) return Parse(Cat(v.get_int64()));
  if (v.is_uint64()) return Parse(Cat(v.get_uint64()));
  if (v.is_double()) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v.get_double());
    return Parse(std::string_view(buf, res.ptr - buf));
  }
  if (v.is_null()) return Quantity();
  return FormatWrong();
}

Quantity Quantity::FromInt(int64_t value, Format format) {
  Quantity q;
  q.negative_ = value < 0;
  q.mantissa_ = value < 0 ? static_cast<u128>(-(value + 1)) + 1 : static_cast<u128>(value);
  q.format_ = format;
  q.Normalize();
  return q;
}

Quantity Quantity::FromMilli(int64_t milli, Format format) {
  Quantity q = FromInt(milli, format);
  if (!q.IsZero()) q.exponent_ -= 3;
  q.Normalize();
  return q;
}

int64_t Quantity::MilliValue() const { return ScaledCeil(negative_, mantissa_, exponent_, -3); }
int64_t Quantity::Value() const { return ScaledCeil(negative_, mantissa_, exponent_, 0); }

bool Quantity::RoundUp(int scale) {
  if (mantissa_ == 0 || exponent_ >= scale) return true;
  int shift = scale - exponent_;
  bool exact;
  if (shift > kMaxDigits) {
    mantissa_ = 1;
    exact = false;
  } else {
    u128 div = Pow10(shift);
    exact = mantissa_ % div == 0;
    mantissa_ = mantissa_ / div + (exact ? 0 : 1);
  }
  exponent_ = scale;
  Normalize();
  return exact;
}

int Quantity::Compare(const Quantity& other) const {
  if (Sign() != other.Sign()) return Sign() < other.Sign() ? -1 : 1;
  int mag = CompareMagnitude(mantissa_, exponent_, other.mantissa_, other.exponent_);
  return negative_ ? -mag : mag;
}

Quantity& Quantity::operator+=(const Quantity& other) {
  if (other.IsZero()) return *this;
  if (IsZero()) {
    Format f = format_;
    *this = other;
    format_ = f;
    return *this;
  }
  int32_t e = std::min(exponent_, other.exponent_);
  u128 a = mantissa_, b = other.mantissa_;
  // Align; values too far apart to align exactly keep the larger one.
  if (exponent_ - e > kMaxDigits || MulOverflows(a, Pow10(exponent_ - e), &a)) return *this;
  if (other.exponent_ - e > kMaxDigits || MulOverflows(b, Pow10(other.exponent_ - e), &b)) {
    Format f = format_;
    *this = other;
    format_ = f;
    return *this;
  }
  if (negative_ == other.negative_) {
    mantissa_ = a + b;
  } else if (a >= b) {
    mantissa_ = a - b;
  } else {
    mantissa_ = b - a;
    negative_ = other.negative_;
  }
  exponent_ = e;
  Normalize();
  return *this;
}

Quantity& Quantity::operator-=(const Quantity& other) {
  Quantity neg = other;
  if (!neg.IsZero()) neg.negative_ = !neg.negative_;
  return *this += neg;
}

std::string Quantity::String() const {
  if (mantissa_ == 0) return "0";
  Format format = format_;
  std::string sign = negative_ ? "-" : "";
  if (format == Format::kBinarySI) {
    // Between -1024 and 1024, or with a fraction, binary suffixes would mislead or round.
    bool small = CompareMagnitude(mantissa_, exponent_, 1024, 0) < 0;
    u128 whole;
    bool integral = exponent_ >= 0 && exponent_ <= kMaxDigits &&
                    !MulOverflows(mantissa_, Pow10(exponent_), &whole);
    if (small || !integral) {
      format = Format::kDecimalSI;
    } else {
      int power = 0;
      while (whole % 1024 == 0 && power < 6) {
        whole /= 1024;
        ++power;
      }
      static constexpr std::string_view kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      return Cat(sign, U128ToString(whole), kBinary[power]);
    }
  }
  // Decimal forms: move the exponent down to a multiple of three.
  u128 m = mantissa_;
  int32_t e = exponent_;
  int rem = e % 3;
  if (rem == 1 || rem == -2) {
    m *= 10;
    e -= 1;
  } else if (rem == 2 || rem == -1) {
    m *= 100;
    e -= 2;
  }
  std::string number = sign + U128ToString(m);
  if (format == Format::kDecimalExponent) {
    return e == 0 ? number : Cat(number, "e", e);
  }
  switch (e) {
    case -9:
      return number + "n";
    case -6:
      return number + "u";
    case -3:
      return number + "m";
    case 0:
      return number;
    case 3:
      return number + "k";
    case 6:
      return number + "M";
    case 9:
      return number + "G";
    case 12:
      return number + "T";
    case 15:
      return number + "P";
    case 18:
      return number + "E";
    default:
      return Cat(number, "e", e);  // beyond the SI table
  }
}

}  // namespace skiff::api
