// JSON helpers shared by the patch engines: numeric-aware equality and ordering, canonical text
// for keys, order-preserving erase, error-message snippets and string building.
// Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"

namespace skiff::api::patch {

namespace json = boost::json;

// Deep equality where numbers compare by value (1, 1u and 1.0 are equal), as JSON means it.
bool JsonEqual(const json::value& a, const json::value& b);

// A total order on JSON values: null < bool < number < string < array < object; numbers by
// value, strings bytewise, containers element by element. Returns <0, 0 or >0.
int JsonCompare(const json::value& a, const json::value& b);

// Compact JSON text with object keys sorted and integral doubles written as integers, so equal
// values (by JsonEqual) serialize identically.
std::string CanonicalJson(const json::value& v);

// Removes `key` keeping the order of the remaining members. Returns whether it was present.
bool EraseKey(json::object& obj, std::string_view key);

// Kind of a value for error messages: "object", "array", "string", "number", "bool", "null".
std::string_view KindName(const json::value& v);

// The value as compact JSON, cut to `max_len` characters, for error messages.
std::string Describe(const json::value& v, size_t max_len = 120);

// String building that accepts std::string_view, absl::string_view (a distinct type in some
// abseil builds), characters and numbers alike.
template <typename T>
void AppendPiece(std::string& out, const T& piece) {
  if constexpr (std::is_same_v<T, char>) {
    out += piece;
  } else if constexpr (std::is_arithmetic_v<T>) {
    out += std::to_string(piece);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out += std::string_view(piece);
  } else {
    out.append(piece.data(), piece.size());
  }
}
template <typename... Pieces>
void AppendCat(std::string& out, const Pieces&... pieces) {
  (AppendPiece(out, pieces), ...);
}
template <typename... Pieces>
std::string Cat(const Pieces&... pieces) {
  std::string out;
  AppendCat(out, pieces...);
  return out;
}
inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.starts_with(prefix);
}

// Runs `fn` (returning absl::StatusOr<T>) and turns any exception a library throws into an
// InternalError: errors leave the patch library as values only.
template <typename Fn>
auto CatchExceptions(std::string_view what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return absl::InternalError(Cat(what, ": ", e.what()));
  }
}

}  // namespace skiff::api::patch
