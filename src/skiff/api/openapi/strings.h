// Small std::string_view helpers for this folder. The system abseil is built with its own
// absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so absl::StrCat/StrSplit do not accept
// std::string_view; these do. Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"

namespace skiff::api::openapi::internal {

inline void AppendPiece(std::string& out, std::string_view s) { out.append(s); }

template <typename T>
requires(std::is_integral_v<T> && !std::is_same_v<T, char> &&
         !std::is_same_v<T, bool>) void AppendPiece(std::string& out, T v) {
  out += std::to_string(v);
}

// Concatenates strings, string views, C strings and integers.
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (AppendPiece(out, args), ...);
  return out;
}

// Splits on `sep`; empty pieces are kept unless skip_empty.
inline std::vector<std::string_view> Split(std::string_view s, char sep, bool skip_empty = false) {
  std::vector<std::string_view> out;
  while (true) {
    size_t pos = s.find(sep);
    std::string_view piece = s.substr(0, pos);
    if (!skip_empty || !piece.empty()) out.push_back(piece);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

inline std::string_view Trim(std::string_view s) { return TrimLeft(TrimRight(s)); }

inline bool ConsumePrefix(std::string_view* s, std::string_view prefix) {
  if (!s->starts_with(prefix)) return false;
  s->remove_prefix(prefix.size());
  return true;
}

inline bool ConsumeSuffix(std::string_view* s, std::string_view suffix) {
  if (!s->ends_with(suffix)) return false;
  s->remove_suffix(suffix.size());
  return true;
}

// For heterogeneous lookups in abseil containers keyed by std::string.
inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace skiff::api::openapi::internal
