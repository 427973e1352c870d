#include "skiff/api/protobuf/wire.h"

#include <cstring>
#include <utility>

#include "skiff/api/text.h"

namespace skiff::api::protobuf::internal {
namespace {

// Groups are a proto2 relic Kubernetes never writes; bounding their nesting keeps a hostile
// body from recursing without limit while skipping.
constexpr int kMaxGroupDepth = 64;

}  // namespace

std::string_view WireTypeName(WireType t) {
  switch (t) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "fixed64";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kStartGroup:
      return "start-group";
    case WireType::kEndGroup:
      return "end-group";
    case WireType::kFixed32:
      return "fixed32";
  }
  return "unknown";
}

bool WireReader::Fail(std::string what) {
  if (error_.empty()) error_ = std::move(what);
  return false;
}

std::optional<uint64_t> WireReader::ReadVarint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) {
      Fail(Cat("truncated varint at byte ", pos_));
      return std::nullopt;
    }
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  Fail(Cat("varint longer than 10 bytes at byte ", pos_));
  return std::nullopt;
}

std::optional<Tag> WireReader::ReadTag() {
  size_t at = pos_;
  auto v = ReadVarint();
  if (!v) return std::nullopt;
  uint64_t number = *v >> 3;
  uint8_t type = static_cast<uint8_t>(*v & 7);
  if (number == 0 || number > 0x1fffffff) {
    Fail(Cat("invalid field number ", number, " at byte ", at));
    return std::nullopt;
  }
  if (type > 5) {
    Fail(Cat("invalid wire type ", static_cast<int>(type), " at byte ", at));
    return std::nullopt;
  }
  return Tag{static_cast<uint32_t>(number), static_cast<WireType>(type)};
}

std::optional<uint64_t> WireReader::ReadFixed64() {
  if (data_.size() - pos_ < 8) {
    Fail(Cat("truncated fixed64 at byte ", pos_));
    return std::nullopt;
  }
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 8;
  return v;
}

std::optional<uint32_t> WireReader::ReadFixed32() {
  if (data_.size() - pos_ < 4) {
    Fail(Cat("truncated fixed32 at byte ", pos_));
    return std::nullopt;
  }
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 4;
  return v;
}

std::optional<std::string_view> WireReader::ReadLengthDelimited() {
  size_t at = pos_;
  auto len = ReadVarint();
  if (!len) return std::nullopt;
  if (*len > data_.size() - pos_) {
    Fail(Cat("length ", *len, " at byte ", at, " runs past the end of the data (",
             data_.size() - pos_, " bytes left)"));
    return std::nullopt;
  }
  std::string_view out = data_.substr(pos_, static_cast<size_t>(*len));
  pos_ += static_cast<size_t>(*len);
  return out;
}

bool WireReader::Skip(Tag tag, int depth) {
  switch (tag.type) {
    case WireType::kVarint:
      return ReadVarint().has_value();
    case WireType::kFixed64:
      return ReadFixed64().has_value();
    case WireType::kFixed32:
      return ReadFixed32().has_value();
    case WireType::kLengthDelimited:
      return ReadLengthDelimited().has_value();
    case WireType::kEndGroup:
      return Fail(Cat("unexpected end-group for field ", tag.number));
    case WireType::kStartGroup:
      if (depth >= kMaxGroupDepth) return Fail("groups nested too deeply");
      while (true) {
        if (done()) return Fail(Cat("unterminated group for field ", tag.number));
        auto inner = ReadTag();
        if (!inner) return false;
        if (inner->type == WireType::kEndGroup) {
          if (inner->number != tag.number) {
            return Fail(Cat("group for field ", tag.number, " ended by field ", inner->number));
          }
          return true;
        }
        if (!Skip(*inner, depth + 1)) return false;
      }
  }
  return Fail("invalid wire type");
}

}  // namespace skiff::api::protobuf::internal
