// The protobuf field table as compact text, one function per area (messages_*.cc); only
// message_table.cc parses it. Thread-safe: the functions return views of string literals.
//
// Format, one item per line (blank lines are ignored):
//   message <Name> [<apiVersion>/<Kind>...]  starts a message; each <apiVersion>/<Kind> names an
//       envelope type that decodes to it ("*/DeleteOptions": any apiVersion).
//   "  <number> <json name> <type>[!]"       a field. <type> is string|bool|int32|int64|bytes|
//       double, a well-known type (Time, MicroTime, Duration, Quantity, IntOrString,
//       RawExtension, FieldsV1) or a message name, prefixed by [] for repeated fields and {} for
//       map<string, T>. The name "-" inlines the message's fields into the parent object (Go's
//       embedded structs). A trailing ! keeps zero scalars (Go pointers and fields without
//       omitempty); without it a zero scalar is left out, as encoding/json's omitempty does.
// Message names are global; a name used by two API groups is prefixed ("events.Event").
#pragma once

#include <string_view>

namespace skiff::api::protobuf::internal {

std::string_view CoreVolumeMessageText();
std::string_view CorePodMessageText();
std::string_view CoreOtherMessageText();
std::string_view GroupsMessageText();
std::string_view MetaMessageText();

}  // namespace skiff::api::protobuf::internal
