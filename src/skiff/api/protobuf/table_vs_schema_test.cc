// Cross-checks the protobuf field table against the OpenAPI schema table: every field a
// served type has in JSON must be decodable from protobuf under the same name, and the other
// way round, so the two hand-written tables cannot drift apart.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "skiff/api/openapi/schema.h"
#include "skiff/api/protobuf/message_table.h"
#include "skiff/api/resources.h"
#include "skiff/api/text.h"

namespace skiff::api::protobuf {
namespace {

namespace openapi = skiff::api::openapi;
using internal::Field;
using internal::Message;
using internal::ValueKind;

// The JSON-visible fields of a message, with inlined messages expanded.
void JsonFields(const Message& m, std::vector<const Field*>* out) {
  for (const Field& f : m.fields) {
    if (f.inlined()) {
      JsonFields(*f.message, out);
    } else {
      out->push_back(&f);
    }
  }
}

class Walker {
 public:
  void Walk(const openapi::Schema& schema, const Message& message, const std::string& path) {
    if (!seen_.insert({&schema, &message}).second) return;
    std::vector<const Field*> fields;
    JsonFields(message, &fields);
    std::set<std::string> table_names;
    for (const Field* f : fields) table_names.insert(f->json_name);
    for (const openapi::Field& sf : schema.fields) {
      if (sf.name == "apiVersion" || sf.name == "kind") continue;  // from the envelope
      if (!table_names.contains(sf.name)) {
        problems.push_back(Cat(path, ".", sf.name, ": in the schema, not in the protobuf table (",
                               message.name, ")"));
      }
    }
    for (const Field* f : fields) {
      const openapi::Field* sf = schema.FindField(f->json_name);
      if (sf == nullptr) {
        problems.push_back(Cat(path, ".", f->json_name,
                               ": in the protobuf table, not in the schema (", schema.name, ")"));
        continue;
      }
      const bool schema_struct = sf->ref != nullptr && sf->ref->kind == openapi::ValueKind::kObject;
      const bool table_struct = f->kind == ValueKind::kMessage;
      if (schema_struct != table_struct) {
        problems.push_back(Cat(path, ".", f->json_name, ": a message in one table only"));
      } else if (table_struct) {
        Walk(*sf->ref, *f->message, Cat(path, ".", f->json_name));
      }
    }
  }

  std::vector<std::string> problems;
  size_t visited() const { return seen_.size(); }

 private:
  std::set<std::pair<const openapi::Schema*, const Message*>> seen_;
};

TEST(ProtobufTableVsSchemaTest, FieldNamesAgreeForEveryServedKindAndBody) {
  ASSERT_TRUE(internal::TableStatus().ok()) << internal::TableStatus();
  ASSERT_TRUE(openapi::SchemaTableStatus().ok()) << openapi::SchemaTableStatus();
  Walker walker;
  for (const ResourceInfo& r : AllResources()) {
    for (std::string_view sub : {"", "scale", "binding", "eviction"}) {
      if (!sub.empty() && !r.HasSubresource(sub)) continue;
      const openapi::Schema* schema = openapi::SchemaFor(r, sub);
      ASSERT_NE(schema, nullptr) << r.GroupResource() << " " << sub;
      ASSERT_FALSE(schema->gvks.empty()) << schema->name;
      const openapi::GroupVersionKind& gvk = schema->gvks.front();
      std::string api_version = gvk.group.empty() ? gvk.version : gvk.group + "/" + gvk.version;
      const Message* message = internal::FindRoot(api_version, gvk.kind);
      ASSERT_NE(message, nullptr) << api_version << " " << gvk.kind;
      walker.Walk(*schema, *message, Cat(api_version, "/", gvk.kind));
    }
  }
  EXPECT_TRUE(walker.problems.empty()) << Join(walker.problems, "\n");
  EXPECT_GT(walker.visited(), 200u);  // the walk reached the whole type graph
}

}  // namespace
}  // namespace skiff::api::protobuf
