// DecodeObject: walks the wire format guided by the field table and builds Kubernetes' JSON.
#include <bit>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "skiff/api/protobuf/message_table.h"
#include "skiff/api/protobuf/protobuf.h"
#include "skiff/api/protobuf/well_known.h"
#include "skiff/api/protobuf/wire.h"
#include "skiff/api/text.h"
#include "skiff/base/strings.h"

namespace skiff::api::protobuf {
namespace {

namespace json = boost::json;
using internal::Cardinality;
using internal::Field;
using internal::Message;
using internal::ValueKind;
using internal::WireReader;
using internal::WireType;
using internal::WireTypeName;

constexpr std::string_view kMagic("k8s\0", 4);
// Kubernetes objects nest about 15 messages deep; the bound only stops hostile input.
constexpr int kMaxDepth = 100;

// Message-like kinds travel as length-delimited payloads that are decoded as a whole; repeated
// occurrences of a singular one merge, which for protobuf means concatenating the payloads.
bool IsMessageLike(ValueKind k) {
  switch (k) {
    case ValueKind::kString:
    case ValueKind::kBool:
    case ValueKind::kInt32:
    case ValueKind::kInt64:
    case ValueKind::kBytes:
    case ValueKind::kDouble:
      return false;
    default:
      return true;
  }
}

WireType ExpectedWireType(ValueKind k) {
  switch (k) {
    case ValueKind::kBool:
    case ValueKind::kInt32:
    case ValueKind::kInt64:
      return WireType::kVarint;
    case ValueKind::kDouble:
      return WireType::kFixed64;
    default:
      return WireType::kLengthDelimited;
  }
}

bool IsZero(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return v.get_string().empty();
    case json::kind::bool_:
      return !v.get_bool();
    case json::kind::int64:
      return v.get_int64() == 0;
    case json::kind::uint64:
      return v.get_uint64() == 0;
    case json::kind::double_:
      return v.get_double() == 0;
    default:
      return false;
  }
}

// The varint and length-delimited fields 1..3 of a small well-known message (Time, Quantity,
// IntOrString, ...), checked against `spec`: one letter per field number, 'v' for varint and
// 's' for length-delimited. Later occurrences win, as protobuf merging does.
struct SmallFields {
  std::optional<uint64_t> varint[4];
  std::optional<std::string_view> bytes[4];
};

class Decoder {
 public:
  absl::StatusOr<json::value> Object(std::string_view body, int depth);

 private:
  struct Slot {
    bool present = false;
    json::value value;  // scalar: last value; repeated: array; map: object
    std::string raw;    // singular message-like field: concatenated payloads
  };
  struct PathPart {
    std::string_view name;
    std::optional<size_t> index;
    std::optional<std::string> key;
  };

  absl::Status DecodeMessage(const Message& m, std::string_view data, int depth, json::object& out);
  absl::Status ReadField(const Field& f, internal::Tag tag, WireReader& r, int depth, Slot& s);
  absl::StatusOr<json::value> Element(const Field& f, internal::Tag tag, WireReader& r, int depth);
  absl::StatusOr<json::value> Payload(const Field& f, std::string_view data, int depth);
  absl::Status MapEntry(const Field& f, std::string_view data, int depth, json::object& out);
  absl::StatusOr<SmallFields> Small(std::string_view data, std::string_view spec,
                                    std::string_view type);

  absl::Status Fail(std::string_view problem) const;
  absl::Status Malformed(const WireReader& r) const { return Fail(r.error()); }
  absl::Status WrongWireType(const Field& f, internal::Tag tag) const;

  std::string kind_;  // of the outermost object, for messages
  std::vector<PathPart> path_;
};

absl::Status Decoder::Fail(std::string_view problem) const {
  std::string where;
  for (const PathPart& p : path_) {
    if (!p.name.empty()) {
      if (!where.empty()) where += '.';
      where += p.name;
    }
    if (p.index) AppendCat(&where, "[", *p.index, "]");
    if (p.key) AppendCat(&where, "[\"", *p.key, "\"]");
  }
  std::string msg = "invalid protobuf body";
  if (!kind_.empty()) AppendCat(&msg, " for ", kind_);
  if (!where.empty()) AppendCat(&msg, " at ", where);
  AppendCat(&msg, ": ", problem);
  return absl::InvalidArgumentError(base::Absl(msg));
}

absl::Status Decoder::WrongWireType(const Field& f, internal::Tag tag) const {
  return Fail(Cat("field ", f.number, " (", f.inlined() ? "inlined" : f.json_name,
                  ") has wire type ", WireTypeName(tag.type), ", want ",
                  WireTypeName(ExpectedWireType(f.kind))));
}

absl::StatusOr<SmallFields> Decoder::Small(std::string_view data, std::string_view spec,
                                           std::string_view type) {
  SmallFields out;
  WireReader r(data);
  while (!r.done()) {
    auto tag = r.ReadTag();
    if (!tag) return Malformed(r);
    if (tag->number > spec.size()) {
      if (!r.Skip(*tag)) return Malformed(r);
      continue;
    }
    const bool varint = spec[tag->number - 1] == 'v';
    const WireType want = varint ? WireType::kVarint : WireType::kLengthDelimited;
    if (tag->type != want) {
      return Fail(Cat(type, " field ", tag->number, " has wire type ", WireTypeName(tag->type),
                      ", want ", WireTypeName(want)));
    }
    if (varint) {
      auto v = r.ReadVarint();
      if (!v) return Malformed(r);
      out.varint[tag->number] = *v;
    } else {
      auto v = r.ReadLengthDelimited();
      if (!v) return Malformed(r);
      out.bytes[tag->number] = *v;
    }
  }
  return out;
}

absl::StatusOr<json::value> Decoder::Payload(const Field& f, std::string_view data, int depth) {
  if (depth > kMaxDepth) return Fail("messages nested too deeply");
  switch (f.kind) {
    case ValueKind::kMessage: {
      json::object o;
      absl::Status st = DecodeMessage(*f.message, data, depth, o);
      if (!st.ok()) return st;
      return json::value(std::move(o));
    }
    case ValueKind::kTime:
    case ValueKind::kMicroTime: {
      auto t = Small(data, "vv", "Timestamp");
      if (!t.ok()) return t.status();
      const auto seconds = static_cast<int64_t>(t->varint[1].value_or(0));
      // Time keeps whole seconds, like Kubernetes' own decoding of it.
      const int64_t nanos =
          f.kind == ValueKind::kMicroTime ? static_cast<int32_t>(t->varint[2].value_or(0)) : 0;
      if (seconds == internal::kGoZeroTimeSeconds && nanos == 0) return json::value(nullptr);
      if (!t->varint[1] && !t->varint[2]) return json::value(nullptr);
      auto text = internal::FormatRfc3339(seconds, nanos, f.kind == ValueKind::kMicroTime);
      if (!text) return Fail(Cat("timestamp ", seconds, "s is outside years 0-9999"));
      return json::value(json::string(*text));
    }
    case ValueKind::kDuration: {
      auto d = Small(data, "v", "Duration");
      if (!d.ok()) return d.status();
      return json::value(
          json::string(internal::FormatGoDuration(static_cast<int64_t>(d->varint[1].value_or(0)))));
    }
    case ValueKind::kQuantity: {
      auto q = Small(data, "s", "Quantity");
      if (!q.ok()) return q.status();
      std::string_view s = q->bytes[1].value_or("");
      return json::value(json::string(s.empty() ? std::string("0") : internal::ValidUtf8(s)));
    }
    case ValueKind::kIntOrString: {
      auto v = Small(data, "vvs", "IntOrString");
      if (!v.ok()) return v.status();
      const auto type = static_cast<int64_t>(v->varint[1].value_or(0));
      if (type == 0) return json::value(static_cast<int32_t>(v->varint[2].value_or(0)));
      if (type == 1)
        return json::value(json::string(internal::ValidUtf8(v->bytes[3].value_or(""))));
      return Fail(Cat("IntOrString has type ", type, ", want 0 (int) or 1 (string)"));
    }
    case ValueKind::kRawExtension:
    case ValueKind::kFieldsV1: {
      auto v = Small(data, "s", f.kind == ValueKind::kFieldsV1 ? "FieldsV1" : "RawExtension");
      if (!v.ok()) return v.status();
      std::string_view raw = v->bytes[1].value_or("");
      if (raw.empty()) return json::value(nullptr);
      if (f.kind == ValueKind::kRawExtension && raw.substr(0, kMagic.size()) == kMagic) {
        Decoder nested;
        auto obj = nested.Object(raw, depth + 1);
        if (!obj.ok()) return Fail(Cat("embedded object: ", base::Std(obj.status().message())));
        return obj;
      }
      boost::system::error_code ec;
      json::value parsed = json::parse(json::string_view(raw.data(), raw.size()), ec);
      if (ec) return Fail(Cat("embedded JSON is invalid: ", ec.message()));
      return parsed;
    }
    default:
      return Fail("internal: not a message kind");
  }
}

absl::StatusOr<json::value> Decoder::Element(const Field& f, internal::Tag tag, WireReader& r,
                                             int depth) {
  if (tag.type != ExpectedWireType(f.kind)) return WrongWireType(f, tag);
  switch (f.kind) {
    case ValueKind::kBool:
    case ValueKind::kInt32:
    case ValueKind::kInt64: {
      auto v = r.ReadVarint();
      if (!v) return Malformed(r);
      if (f.kind == ValueKind::kBool) return json::value(*v != 0);
      // Go truncates an int32 varint to its low 32 bits.
      if (f.kind == ValueKind::kInt32) return json::value(static_cast<int32_t>(*v));
      return json::value(static_cast<int64_t>(*v));
    }
    case ValueKind::kDouble: {
      auto v = r.ReadFixed64();
      if (!v) return Malformed(r);
      double d = std::bit_cast<double>(*v);
      if (!std::isfinite(d)) return Fail(Cat("field ", f.json_name, " is not a finite number"));
      return json::value(d);
    }
    default:
      break;
  }
  auto data = r.ReadLengthDelimited();
  if (!data) return Malformed(r);
  if (f.kind == ValueKind::kString) return json::value(json::string(internal::ValidUtf8(*data)));
  if (f.kind == ValueKind::kBytes) {
    return json::value(json::string(absl::Base64Escape(base::Absl(*data))));
  }
  return Payload(f, *data, depth + 1);
}

absl::Status Decoder::MapEntry(const Field& f, std::string_view data, int depth,
                               json::object& out) {
  WireReader r(data);
  std::string key;
  std::optional<json::value> value;
  while (!r.done()) {
    auto tag = r.ReadTag();
    if (!tag) return Malformed(r);
    if (tag->number == 1) {
      if (tag->type != WireType::kLengthDelimited) {
        return Fail(
            Cat("map key has wire type ", WireTypeName(tag->type), ", want length-delimited"));
      }
      auto k = r.ReadLengthDelimited();
      if (!k) return Malformed(r);
      key = internal::ValidUtf8(*k);
    } else if (tag->number == 2) {
      path_.push_back(PathPart{{}, std::nullopt, key});
      auto v = Element(f, *tag, r, depth);
      path_.pop_back();
      if (!v.ok()) return v.status();
      value = std::move(*v);
    } else if (!r.Skip(*tag)) {
      return Malformed(r);
    }
  }
  if (!value) {
    // An entry without a value holds the value type's zero.
    switch (f.kind) {
      case ValueKind::kString:
      case ValueKind::kBytes:
        value = json::string();
        break;
      case ValueKind::kBool:
        value = false;
        break;
      case ValueKind::kInt32:
      case ValueKind::kInt64:
        value = 0;
        break;
      case ValueKind::kDouble:
        value = 0.0;
        break;
      default: {
        auto zero = Payload(f, {}, depth + 1);
        if (!zero.ok()) return zero.status();
        value = std::move(*zero);
      }
    }
  }
  out[key] = std::move(*value);
  return absl::OkStatus();
}

absl::Status Decoder::ReadField(const Field& f, internal::Tag tag, WireReader& r, int depth,
                                Slot& s) {
  switch (f.cardinality) {
    case Cardinality::kMap: {
      if (tag.type != WireType::kLengthDelimited) {
        return Fail(Cat("map field ", f.number, " (", f.json_name, ") has wire type ",
                        WireTypeName(tag.type), ", want length-delimited"));
      }
      auto entry = r.ReadLengthDelimited();
      if (!entry) return Malformed(r);
      if (!s.present) s.value = json::object();
      s.present = true;
      return MapEntry(f, *entry, depth, s.value.as_object());
    }
    case Cardinality::kRepeated: {
      if (!s.present) s.value = json::array();
      s.present = true;
      json::array& items = s.value.as_array();
      const WireType scalar = ExpectedWireType(f.kind);
      if (scalar != WireType::kLengthDelimited && tag.type == WireType::kLengthDelimited) {
        // A packed run of varints or fixed64s.
        auto run = r.ReadLengthDelimited();
        if (!run) return Malformed(r);
        WireReader packed(*run);
        while (!packed.done()) {
          auto v = Element(f, internal::Tag{tag.number, scalar}, packed, depth);
          if (!v.ok()) return v.status();
          items.push_back(std::move(*v));
        }
        return absl::OkStatus();
      }
      path_.back().index = items.size();
      auto v = Element(f, tag, r, depth);
      path_.back().index.reset();
      if (!v.ok()) return v.status();
      items.push_back(std::move(*v));
      return absl::OkStatus();
    }
    case Cardinality::kSingle:
      break;
  }
  if (IsMessageLike(f.kind)) {
    if (tag.type != WireType::kLengthDelimited) return WrongWireType(f, tag);
    auto data = r.ReadLengthDelimited();
    if (!data) return Malformed(r);
    s.raw.append(*data);
    s.present = true;
    return absl::OkStatus();
  }
  auto v = Element(f, tag, r, depth);
  if (!v.ok()) return v.status();
  s.value = std::move(*v);
  s.present = true;
  return absl::OkStatus();
}

absl::Status Decoder::DecodeMessage(const Message& m, std::string_view data, int depth,
                                    json::object& out) {
  std::vector<Slot> slots(m.fields.size());
  WireReader r(data);
  while (!r.done()) {
    auto tag = r.ReadTag();
    if (!tag) return Malformed(r);
    const Field* f = m.FindField(tag->number);
    if (f == nullptr) {
      if (!r.Skip(*tag)) return Malformed(r);
      continue;
    }
    path_.push_back(PathPart{f->json_name, std::nullopt, std::nullopt});
    absl::Status st =
        ReadField(*f, *tag, r, depth, slots[static_cast<size_t>(f - m.fields.data())]);
    path_.pop_back();
    if (!st.ok()) return st;
  }
  for (size_t i = 0; i < m.fields.size(); ++i) {
    const Field& f = m.fields[i];
    Slot& s = slots[i];
    if (!s.present) continue;
    if (f.cardinality != Cardinality::kSingle) {
      out[f.json_name] = std::move(s.value);
      continue;
    }
    if (!IsMessageLike(f.kind)) {
      if (f.keep_zero || !IsZero(s.value)) out[f.json_name] = std::move(s.value);
      continue;
    }
    path_.push_back(PathPart{f.json_name, std::nullopt, std::nullopt});
    auto v = Payload(f, s.raw, depth + 1);
    path_.pop_back();
    if (!v.ok()) return v.status();
    if (!f.inlined()) {
      out[f.json_name] = std::move(*v);
      continue;
    }
    for (auto& [key, value] : v->as_object()) out[key] = std::move(value);
  }
  return absl::OkStatus();
}

absl::StatusOr<json::value> Decoder::Object(std::string_view body, int depth) {
  if (body.substr(0, kMagic.size()) != kMagic) {
    return Fail("the body does not start with the Kubernetes protobuf prefix \"k8s\\x00\"");
  }
  WireReader r(body.substr(kMagic.size()));
  std::string api_version;
  std::string kind;
  std::string_view raw;
  std::string_view encoding;
  while (!r.done()) {
    auto tag = r.ReadTag();
    if (!tag) return Malformed(r);
    if (tag->number > 4) {
      if (!r.Skip(*tag)) return Malformed(r);
      continue;
    }
    if (tag->type != WireType::kLengthDelimited) {
      return Fail(Cat("envelope field ", tag->number, " has wire type ", WireTypeName(tag->type),
                      ", want length-delimited"));
    }
    auto data = r.ReadLengthDelimited();
    if (!data) return Malformed(r);
    if (tag->number == 1) {
      auto type_meta = Small(*data, "ss", "TypeMeta");
      if (!type_meta.ok()) return type_meta.status();
      api_version = internal::ValidUtf8(type_meta->bytes[1].value_or(""));
      kind = internal::ValidUtf8(type_meta->bytes[2].value_or(""));
    } else if (tag->number == 2) {
      raw = *data;
    } else if (tag->number == 3) {
      encoding = *data;
    }
  }
  if (!encoding.empty()) {
    return Fail(Cat("content encoding \"", internal::ValidUtf8(encoding), "\" is not supported"));
  }
  if (kind.empty()) return Fail("the envelope names no kind");
  const Message* m = internal::FindRoot(api_version, kind);
  if (m == nullptr) {
    return Fail(Cat("no kind \"", kind, "\" is registered for version \"", api_version, "\""));
  }
  kind_ = kind;
  json::object out;
  out["kind"] = kind;
  if (!api_version.empty()) out["apiVersion"] = api_version;
  absl::Status st = DecodeMessage(*m, raw, depth + 1, out);
  if (!st.ok()) return st;
  return json::value(std::move(out));
}

}  // namespace

absl::StatusOr<boost::json::value> DecodeObject(std::string_view body) {
  absl::Status table = internal::TableStatus();
  if (!table.ok()) return table;
  Decoder d;
  return d.Object(body, 0);
}

absl::Status TableStatus() { return internal::TableStatus(); }

}  // namespace skiff::api::protobuf
