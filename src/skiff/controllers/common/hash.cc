#include "skiff/controllers/common/hash.h"

namespace skiff::controllers {

namespace {

constexpr uint32_t kFnvPrime32 = 16777619u;
constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";

}  // namespace

void Fnv32::Write(std::string_view data) {
  for (unsigned char c : data) {
    sum_ *= kFnvPrime32;
    sum_ ^= c;
  }
}

void Fnv32a::Write(std::string_view data) {
  for (unsigned char c : data) {
    sum_ ^= c;
    sum_ *= kFnvPrime32;
  }
}

std::string SafeEncodeString(std::string_view s) {
  std::string out(s.size(), ' ');
  for (size_t i = 0; i < s.size(); ++i) {
    out[i] = kAlphabet[static_cast<unsigned char>(s[i]) % kAlphabet.size()];
  }
  return out;
}

}  // namespace skiff::controllers
