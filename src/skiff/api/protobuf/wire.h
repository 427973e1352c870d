// A bounds-checked reader of the protobuf wire format (varints, tags, length-delimited
// fields) over a byte view. Every read reports truncated or malformed input as an error
// instead of reading past the end. Not thread-safe; one reader per buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::api::protobuf::internal {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

struct Tag {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
};

class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }

  // Each returns nullopt and sets error() on malformed input.
  std::optional<Tag> ReadTag();
  std::optional<uint64_t> ReadVarint();
  std::optional<uint64_t> ReadFixed64();
  std::optional<uint32_t> ReadFixed32();
  std::optional<std::string_view> ReadLengthDelimited();
  // Skips the value of a field with tag `tag`, groups included.
  bool Skip(Tag tag, int depth = 0);

  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string what);

  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

// The name of a wire type for error messages ("varint", "length-delimited", ...).
std::string_view WireTypeName(WireType t);

}  // namespace skiff::api::protobuf::internal
