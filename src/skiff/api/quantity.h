// Kubernetes resource.Quantity: parsing (`100m`, `1.5`, `2Gi`, `1e3`), exact comparison and
// arithmetic, integer views rounded up, and the canonical string Kubernetes stores and prints.
// Values are exact decimals (mantissa × 10^exponent); a Quantity is a plain value, safe to copy
// and use from any thread.
#pragma once

#include <boost/json.hpp>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace skiff::api {

class Quantity {
 public:
  // How the value was written; decides the canonical form (see String()).
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  // Zero, DecimalSI.
  Quantity() = default;

  // Parses the Kubernetes syntax. Errors are InvalidArgument with Kubernetes' messages:
  // "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  // "unable to parse quantity's suffix", "unable to parse numeric part of quantity".
  // Like Kubernetes, non-zero values finer than 1n round up to 1n and BinarySI values are
  // capped at 2^63-1.
  static absl::StatusOr<Quantity> Parse(std::string_view text);
  // A JSON string or number (`cpu: 1` arrives as a number), as Quantity.UnmarshalJSON accepts.
  static absl::StatusOr<Quantity> FromJson(const boost::json::value& v);
  static Quantity FromInt(int64_t value, Format format = Format::kDecimalSI);
  static Quantity FromMilli(int64_t milli, Format format = Format::kDecimalSI);

  // ceil(value * 1000) and ceil(value), rounding away from zero, saturating at int64 limits.
  int64_t MilliValue() const;
  int64_t Value() const;

  bool IsZero() const { return mantissa_ == 0; }
  int Sign() const { return mantissa_ == 0 ? 0 : (negative_ ? -1 : 1); }
  Format format() const { return format_; }

  // Rounds the magnitude up to a multiple of 10^scale (scale -3: milli). Returns whether the
  // value was already exact.
  bool RoundUp(int scale);

  Quantity& operator+=(const Quantity& other);
  Quantity& operator-=(const Quantity& other);
  friend Quantity operator+(Quantity a, const Quantity& b) { return a += b; }
  friend Quantity operator-(Quantity a, const Quantity& b) { return a -= b; }

  // Compares values only (formats are ignored).
  int Compare(const Quantity& other) const;
  friend bool operator==(const Quantity& a, const Quantity& b) { return a.Compare(b) == 0; }
  friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
    return a.Compare(b) <=> 0;
  }

  // Canonical form, as Kubernetes serialises it: "500m", "1", "1500m", "1Gi", "1536Mi", "1k",
  // "1e3". BinarySI values below 1024 or with a fraction print as DecimalSI.
  std::string String() const;

 private:
  void Normalize();

  bool negative_ = false;
  unsigned __int128 mantissa_ = 0;  // value = ±mantissa × 10^exponent
  int32_t exponent_ = 0;
  Format format_ = Format::kDecimalSI;
};

}  // namespace skiff::api
