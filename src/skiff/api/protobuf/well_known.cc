#include "skiff/api/protobuf/well_known.h"

#include <cstdio>

namespace skiff::api::protobuf::internal {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(yoe) + era * 400 + (*month <= 2 ? 1 : 0);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Appends v / 10^prec's fraction (".125") without trailing zeros, and returns v / 10^prec.
uint64_t AppendFraction(std::string* digits_reversed, uint64_t v, int prec) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    uint64_t digit = v % 10;
    print = print || digit != 0;
    if (print) digits_reversed->push_back(static_cast<char>('0' + digit));
    v /= 10;
  }
  if (print) digits_reversed->push_back('.');
  return v;
}

void AppendInt(std::string* digits_reversed, uint64_t v) {
  if (v == 0) {
    digits_reversed->push_back('0');
    return;
  }
  while (v > 0) {
    digits_reversed->push_back(static_cast<char>('0' + v % 10));
    v /= 10;
  }
}

}  // namespace

std::optional<std::string> FormatRfc3339(int64_t seconds, int64_t nanos, bool micro) {
  // Carry out-of-range nanoseconds as Go's time.Unix does; both inputs come off the wire.
  if (nanos < 0 || nanos >= kNanosPerSecond) {
    int64_t carry = FloorDiv(nanos, kNanosPerSecond);
    if ((carry > 0 && seconds > INT64_MAX - carry) || (carry < 0 && seconds < INT64_MIN - carry)) {
      return std::nullopt;
    }
    seconds += carry;
    nanos -= carry * kNanosPerSecond;
  }
  // Years 0..9999 span about ±2.6e11 seconds; anything beyond is rejected before any arithmetic
  // could overflow.
  constexpr int64_t kLimit = 400'000'000'000;
  if (seconds < -kLimit || seconds > kLimit) return std::nullopt;
  int64_t days = FloorDiv(seconds, 86400);
  int64_t rem = seconds - days * 86400;
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  if (year < 0 || year > 9999) return std::nullopt;
  char buf[64];
  int n =
      std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                    static_cast<long long>(year), month, day, static_cast<long long>(rem / 3600),
                    static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (micro) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(nanos / 1000));
    out += buf;
  }
  out += 'Z';
  return out;
}

std::string FormatGoDuration(int64_t nanos) {
  if (nanos == 0) return "0s";
  const bool neg = nanos < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  std::string rev;  // built back to front, like Go's formatter
  if (u < static_cast<uint64_t>(kNanosPerSecond)) {
    int prec;
    if (u < 1000) {
      rev = "sn";
      prec = 0;
    } else if (u < 1'000'000) {
      rev = "s\xb5\xc2";  // "µs" reversed byte-wise
      prec = 3;
    } else {
      rev = "sm";
      prec = 6;
    }
    u = AppendFraction(&rev, u, prec);
    AppendInt(&rev, u);
  } else {
    rev = "s";
    u = AppendFraction(&rev, u, 9);
    AppendInt(&rev, u % 60);
    u /= 60;
    if (u > 0) {
      rev.push_back('m');
      AppendInt(&rev, u % 60);
      u /= 60;
      if (u > 0) {
        rev.push_back('h');
        AppendInt(&rev, u);
      }
    }
  }
  if (neg) rev.push_back('-');
  return std::string(rev.rbegin(), rev.rend());
}

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t min = 0;
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    } else if ((b & 0xe0) == 0xc0) {
      len = 2;
      min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
      len = 3;
      min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
      len = 4;
      min = 0x10000;
    }
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cp = len > 0 ? (b & (0xff >> (len + 1))) : 0;
    for (size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3f);
    }
    ok = ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xef\xbf\xbd");
      ++i;
    }
  }
  return out;
}

}  // namespace skiff::api::protobuf::internal
