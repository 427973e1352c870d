// SHA-256 content digests ("sha256:<hex>"), computed incrementally over blobs and layers.
// A Sha256 object is used by one thread at a time.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace skiff::agent::images {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  // "sha256:<64 lowercase hex>"; the object is spent afterwards.
  std::string Digest();

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string DigestOf(std::string_view data);
absl::StatusOr<std::string> DigestOfFile(const std::string& path);
// "sha256:abc" -> "abc" (the part after the colon).
std::string_view DigestHex(std::string_view digest);

}  // namespace skiff::agent::images
