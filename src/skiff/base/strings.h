// Bridges between std::string_view and Debian's absl::string_view, which is a separate type in
// the packaged abseil (built without std::string_view aliasing). Header-only; thread-safe.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace skiff::base {

inline std::string_view Std(absl::string_view s) { return {s.data(), s.size()}; }
inline absl::string_view Absl(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace skiff::base
