#include "skiff/api/patch/managed_fields.h"

#include <algorithm>
#include <tuple>

#include "absl/status/status.h"
#include "skiff/api/object.h"
#include "skiff/api/patch/json_util.h"

namespace skiff::api::patch {
namespace {

absl::StatusOr<std::string> OptionalString(const json::object& entry, std::string_view field) {
  const json::value* v = entry.if_contains(field);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) {
    return absl::InvalidArgumentError(
        Cat("managedFields entry field \"", field, "\" must be a string"));
  }
  return std::string(v->get_string());
}

absl::StatusOr<ManagedFieldsEntry> DecodeEntry(const json::value& v) {
  const json::object* obj = v.if_object();
  if (obj == nullptr) return absl::InvalidArgumentError("managedFields entry must be an object");
  ManagedFieldsEntry e;
  for (auto [field, out] : {std::pair{"manager", &e.manager}, std::pair{"operation", &e.operation},
                            std::pair{"apiVersion", &e.api_version}, std::pair{"time", &e.time},
                            std::pair{"subresource", &e.subresource}}) {
    auto s = OptionalString(*obj, field);
    if (!s.ok()) return s.status();
    *out = std::move(*s);
  }
  auto type = OptionalString(*obj, "fieldsType");
  if (!type.ok()) return type.status();
  if (!type->empty() && *type != "FieldsV1") {
    return absl::InvalidArgumentError(Cat("unsupported fieldsType \"", *type, "\""));
  }
  if (const json::value* f = obj->if_contains("fieldsV1"); f != nullptr && !f->is_null()) {
    auto set = FieldSet::FromFieldsV1(*f);
    if (!set.ok()) return set.status();
    e.fields = std::move(*set);
  }
  return e;
}

json::value EncodeEntry(const ManagedFieldsEntry& e) {
  json::object out;
  out["manager"] = e.manager;
  out["operation"] = e.operation;
  out["apiVersion"] = e.api_version;
  if (!e.time.empty()) out["time"] = e.time;
  out["fieldsType"] = "FieldsV1";
  out["fieldsV1"] = e.fields.ToFieldsV1();
  if (!e.subresource.empty()) out["subresource"] = e.subresource;
  return out;
}

FieldSet BuildUntracked() {
  FieldSet s;
  auto field = [](std::string name) { return PathElement::Field(std::move(name)); };
  s.Insert({field("apiVersion")});
  s.Insert({field("kind")});
  s.Insert({field("metadata")});
  // Kubernetes strips the first nine; the deletion fields are set by deletes, which never pass
  // through its field manager.
  for (const char* name :
       {"name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
        "managedFields", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
    s.Insert({field("metadata"), field(name)});
  }
  return s;
}

}  // namespace

bool ManagedFieldsEntry::SameManager(const ManagedFieldsEntry& other) const {
  if (manager != other.manager || operation != other.operation ||
      subresource != other.subresource) {
    return false;
  }
  return operation != "Update" || api_version == other.api_version;
}

absl::StatusOr<std::vector<ManagedFieldsEntry>> DecodeManagedFields(const json::value& object) {
  std::vector<ManagedFieldsEntry> entries;
  const json::value* list = Find(object, {"metadata", "managedFields"});
  if (list == nullptr || list->is_null()) return entries;
  if (!list->is_array()) return absl::InvalidArgumentError("managedFields must be a list");
  for (const auto& v : list->get_array()) {
    auto e = DecodeEntry(v);
    if (!e.ok()) return e.status();
    for (const auto& seen : entries) {
      if (seen.SameManager(*e)) {
        return absl::InvalidArgumentError(
            Cat("managedFields lists manager ", DescribeManager(*e), " twice"));
      }
    }
    entries.push_back(std::move(*e));
  }
  return entries;
}

void EncodeManagedFields(std::vector<ManagedFieldsEntry> entries, json::value& object) {
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [](const ManagedFieldsEntry& e) { return e.fields.Empty(); }),
                entries.end());
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.operation, a.time, a.manager, a.api_version, a.subresource) <
           std::tie(b.operation, b.time, b.manager, b.api_version, b.subresource);
  });
  if (entries.empty()) {
    if (json::value* meta = FindMutable(object, {"metadata"}); meta && meta->is_object()) {
      EraseKey(meta->get_object(), "managedFields");
    }
    return;
  }
  json::array list;
  for (const auto& e : entries) list.push_back(EncodeEntry(e));
  EnsureObject(object, {"metadata"})["managedFields"] = std::move(list);
}

std::string DescribeManager(const ManagedFieldsEntry& entry) {
  std::string out = json::serialize(json::value(entry.manager));
  if (!entry.subresource.empty()) {
    AppendCat(out, " with subresource ", json::serialize(json::value(entry.subresource)));
  }
  if (entry.operation == "Update") AppendCat(out, " using ", entry.api_version);
  return out;
}

std::string ManagerIdentifier(const ManagedFieldsEntry& entry) {
  json::object id;
  id["manager"] = entry.manager;
  id["operation"] = entry.operation;
  if (entry.operation == "Update") id["apiVersion"] = entry.api_version;
  if (!entry.subresource.empty()) id["subresource"] = entry.subresource;
  return json::serialize(id);
}

const FieldSet& UntrackedFields() {
  static const FieldSet* const kUntracked = new FieldSet(BuildUntracked());
  return *kUntracked;
}

}  // namespace skiff::api::patch
