// Random identifiers as Kubernetes makes them: object UIDs and generateName suffixes.
// Thread-safe (a per-thread generator).
#pragma once

#include <string>

namespace skiff::base {

// A random (version 4) UUID in canonical lowercase form.
std::string NewUid();
// `n` characters from Kubernetes' name-suffix alphabet "bcdfghjklmnpqrstvwxz2456789".
std::string RandomNameSuffix(int n = 5);

}  // namespace skiff::base
