// Hashing shared by the workload controllers: Go's hash/fnv FNV-1 and FNV-1a (32 bits) and
// apimachinery's rand.SafeEncodeString, which together name ReplicaSets (pod-template-hash) and
// ControllerRevisions. Pure functions and value types; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace skiff::controllers {

// FNV-1, 32 bits (Go's fnv.New32: multiply, then xor), fed incrementally.
class Fnv32 {
 public:
  void Write(std::string_view data);
  uint32_t Sum() const { return sum_; }

 private:
  uint32_t sum_ = 2166136261u;
};

// FNV-1a, 32 bits (Go's fnv.New32a: xor, then multiply), fed incrementally.
class Fnv32a {
 public:
  void Write(std::string_view data);
  uint32_t Sum() const { return sum_; }

 private:
  uint32_t sum_ = 2166136261u;
};

// apimachinery rand.SafeEncodeString: each byte b becomes "bcdfghjklmnpqrstvwxz2456789"[b % 27],
// so decimal digits map to [4-9bcdf].
std::string SafeEncodeString(std::string_view s);

}  // namespace skiff::controllers
