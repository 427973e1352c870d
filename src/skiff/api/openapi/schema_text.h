// The hand-written schema table as compact text, one function per area (schemas_*.cc); only
// schema.cc parses it. Thread-safe: the functions return views of string literals.
//
// Format, one item per line ('#' starts a comment line, blank lines are ignored):
//   package <prefix>                      prefix of the following type names
//   type <Name> [attr...] : <description> starts a named type; attributes:
//       object          adds apiVersion, kind and metadata (ObjectMeta) unless listed below
//       typemeta        adds apiVersion and kind
//       gvk=<g>/<v>/<K> x-kubernetes-group-version-kind (empty group: gvk=/v1/Pod)
//       scalar=<k>      a named non-struct type: string|integer|number|boolean|quantity|
//                       int-or-string|object (object: free-form JSON, never checked)
//       format=<f>      OpenAPI format of a scalar type, such as date-time
//       struct=<t>      x-kubernetes-map-type of the struct (atomic|granular)
//       preserve        x-kubernetes-preserve-unknown-fields: a subtree not described here
//       hidden          only ever inlined with `include`; never published on its own
//   "  include <Name>"                     copies the fields of another type (Go inlining)
//   "  <field> <type> [attr...] : <desc>"  a field; <type> is string|int32|int64|bool|double|
//       byte or a type name, prefixed by [] for lists and {} for maps with string keys.
//       Attributes: req, list=atomic|set|map, keys=a,b (list map keys), merge=<key>
//       (patch merge key), strategy=merge|retainKeys|replace|merge,retainKeys, maptype=<t>,
//       enum=A|B|C, default=<JSON without spaces>, preserve.
// Type names resolve in the current package first, then by unique short name.
#pragma once

#include <string_view>

namespace skiff::api::openapi::internal {

std::string_view CoreVolumeSchemaText();
std::string_view CorePodSchemaText();
std::string_view CoreOtherSchemaText();
std::string_view MetaSchemaText();
std::string_view GroupsSchemaText();

}  // namespace skiff::api::openapi::internal
