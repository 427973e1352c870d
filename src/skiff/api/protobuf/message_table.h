// The parsed protobuf field table: for each Kubernetes message the field numbers, JSON names,
// value kinds and omitempty behaviour, plus the envelope (apiVersion, kind) pairs that decode
// to each top-level message. Built once from message_text.h on first use (a thread-safe
// static) and immutable afterwards; every function may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace skiff::api::protobuf::internal {

// What one value of a field is on the wire and in JSON.
enum class ValueKind : uint8_t {
  kString,
  kBool,
  kInt32,
  kInt64,
  kBytes,   // base64 in JSON
  kDouble,  // fixed64
  kTime,    // metav1.Time: RFC 3339 seconds, null when zero
  kMicroTime,
  kDuration,      // metav1.Duration: Go duration string
  kQuantity,      // resource.Quantity: its string form
  kIntOrString,   // intstr.IntOrString: a number or a string
  kRawExtension,  // embedded JSON (or an embedded protobuf object)
  kFieldsV1,      // embedded JSON
  kMessage,
};

enum class Cardinality : uint8_t { kSingle, kRepeated, kMap };

struct Message;

struct Field {
  uint32_t number = 0;
  std::string json_name;  // empty: the message's fields are inlined into the parent
  ValueKind kind = ValueKind::kString;
  Cardinality cardinality = Cardinality::kSingle;
  bool keep_zero = false;            // emit zero scalars (Go pointer or non-omitempty field)
  const Message* message = nullptr;  // for kMessage

  bool inlined() const { return json_name.empty(); }
};

struct Message {
  std::string name;
  std::vector<Field> fields;       // in Go struct order, which is the JSON key order
  std::vector<int16_t> by_number;  // field number -> index in fields, -1 when unknown

  const Field* FindField(uint32_t number) const {
    if (number >= by_number.size() || by_number[number] < 0) return nullptr;
    return &fields[static_cast<size_t>(by_number[number])];
  }
};

// The message an envelope with this apiVersion ("apps/v1") and kind decodes to; nullptr when
// the table has none.
const Message* FindRoot(std::string_view api_version, std::string_view kind);

// Lookup by table name ("PodSpec", "events.Event"); nullptr when unknown.
const Message* FindMessage(std::string_view name);

// OK unless the compiled-in table failed to parse or resolve (a programming error; the message
// names the offending line).
absl::Status TableStatus();

}  // namespace skiff::api::protobuf::internal
