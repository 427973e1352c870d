#include "skiff/api/patch/apply.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "skiff/api/object.h"
#include "skiff/api/patch/field_set.h"
#include "skiff/api/patch/json_util.h"
#include "skiff/api/patch/managed_fields.h"
#include "skiff/api/patch/structured.h"

namespace skiff::api::patch {
namespace {

// A copy of `obj` without metadata.managedFields, the form the field walks compare.
json::value WithoutManagedFields(const json::value& obj) {
  json::value out = obj;
  if (json::value* meta = FindMutable(out, {"metadata"}); meta && meta->is_object()) {
    EraseKey(meta->get_object(), "managedFields");
  }
  return out;
}

std::vector<ManagedFieldsEntry> EntriesOrNone(const json::value& obj) {
  auto entries = DecodeManagedFields(obj);
  return entries.ok() ? std::move(*entries) : std::vector<ManagedFieldsEntry>{};
}

Comparison TrackedChanges(const json::value& before, const json::value& after,
                          const SchemaNode* schema) {
  Comparison c = CompareObjects(before, after, schema);
  const FieldSet& untracked = UntrackedFields();
  c.modified = c.modified.Difference(untracked);
  c.added = c.added.Difference(untracked);
  c.removed = c.removed.Difference(untracked);
  return c;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) AppendCat(out, i == 0 ? "" : sep, parts[i]);
  return out;
}

struct Conflict {
  const ManagedFieldsEntry* owner;
  FieldSet fields;
};

absl::Status ConflictError(std::vector<Conflict> conflicts) {
  std::sort(conflicts.begin(), conflicts.end(), [](const Conflict& a, const Conflict& b) {
    return ManagerIdentifier(*a.owner) < ManagerIdentifier(*b.owner);
  });
  size_t count = 0;
  std::vector<std::string> lines;
  json::array causes;
  std::string single;
  for (const auto& c : conflicts) {
    std::string who = DescribeManager(*c.owner);
    lines.push_back(Cat("conflicts with ", who, ":"));
    c.fields.ForEach([&](const Path& p) {
      std::string field = PathToString(p);
      lines.push_back(Cat("- ", field));
      single = Cat("conflict with ", who, ": ", field);
      causes.push_back(json::object{{"type", "FieldManagerConflict"},
                                    {"message", Cat("conflict with ", who)},
                                    {"field", field}});
      ++count;
    });
  }
  std::string message = count == 1
                            ? Cat("Apply failed with 1 conflict: ", single)
                            : Cat("Apply failed with ", count, " conflicts: ", Join(lines, "\n"));
  absl::Status status = absl::AbortedError(message);
  status.SetPayload(kApplyConflictCausesUrl, absl::Cord(json::serialize(causes)));
  return status;
}

absl::StatusOr<json::value> ApplyUnguarded(const json::value* live, const json::value& applied,
                                           std::string_view manager, bool force,
                                           std::string_view api_version,
                                           std::string_view now_rfc3339, const SchemaNode* schema) {
  if (!applied.is_object()) {
    return absl::InvalidArgumentError(
        Cat("apply configuration must be a JSON object, got ", KindName(applied)));
  }
  if (manager.empty()) {
    return absl::InvalidArgumentError("fieldManager is required for apply requests");
  }
  if (const json::value* mf = Find(applied, {"metadata", "managedFields"});
      mf != nullptr && !mf->is_null()) {
    return absl::InvalidArgumentError("metadata.managedFields must be nil");
  }
  if (live != nullptr && !live->is_object()) {
    return absl::InvalidArgumentError("live object must be a JSON object");
  }
  json::value config = WithoutManagedFields(applied);
  json::value base = live != nullptr ? WithoutManagedFields(*live) : json::value(json::object());
  std::vector<ManagedFieldsEntry> entries =
      live != nullptr ? EntriesOrNone(*live) : std::vector<ManagedFieldsEntry>{};

  auto applied_set = AppliedFieldSet(config, schema);
  if (!applied_set.ok()) {
    return absl::InvalidArgumentError(
        Cat("invalid apply configuration: ", applied_set.status().message()));
  }
  auto merged = MergeApplied(base, config, schema);
  if (!merged.ok()) {
    return absl::InvalidArgumentError(
        Cat("invalid apply configuration: ", merged.status().message()));
  }

  ManagedFieldsEntry mine{
      std::string(manager),     "Apply", std::string(api_version),
      std::string(now_rfc3339), "",      applied_set->Difference(UntrackedFields())};
  FieldSet last_applied;
  std::string last_time;
  std::vector<ManagedFieldsEntry> others;
  for (auto& e : entries) {
    if (e.SameManager(mine)) {
      last_applied = std::move(e.fields);
      last_time = e.time;
    } else {
      others.push_back(std::move(e));
    }
  }

  // Fields this manager stopped applying go unless someone (itself included) still owns them.
  FieldSet owned = mine.fields;
  for (const auto& e : others) owned = owned.Union(e.fields);
  FieldSet dropped = last_applied.Difference(owned);
  if (!dropped.Empty()) RemoveFields(*merged, dropped, owned, schema);

  Comparison changes = TrackedChanges(base, *merged, schema);
  FieldSet changed = changes.modified.Union(changes.added);
  std::vector<Conflict> conflicts;
  for (const auto& e : others) {
    FieldSet c = e.fields.Intersection(changed);
    if (!c.Empty()) conflicts.push_back({&e, std::move(c)});
  }
  if (!conflicts.empty() && !force) return ConflictError(std::move(conflicts));

  for (auto& e : others) e.fields = e.fields.Difference(changed).Difference(changes.removed);
  bool object_changed = !JsonEqual(base, *merged);
  if (!object_changed && !last_time.empty()) mine.time = last_time;
  others.push_back(std::move(mine));
  EncodeManagedFields(std::move(others), *merged);
  return merged;
}

void UpdateUnguarded(const json::value* old_obj, json::value& new_obj, std::string_view manager,
                     std::string_view operation, std::string_view api_version,
                     std::string_view now_rfc3339, const SchemaNode* schema,
                     std::string_view subresource) {
  if (!new_obj.is_object()) return;
  const json::value* sent = Find(new_obj, {"metadata", "managedFields"});
  if (sent != nullptr && sent->is_array() && sent->get_array().size() == 1 &&
      sent->get_array()[0].is_object() && sent->get_array()[0].get_object().empty()) {
    EncodeManagedFields({}, new_obj);  // [{}]: the client resets managedFields
    return;
  }
  std::vector<ManagedFieldsEntry> entries;
  bool from_request = false;
  if (sent != nullptr && sent->is_array() && !sent->get_array().empty()) {
    auto decoded = DecodeManagedFields(new_obj);
    if (decoded.ok()) {
      entries = std::move(*decoded);
      from_request = true;
    }
  }
  if (!from_request && old_obj != nullptr) entries = EntriesOrNone(*old_obj);

  json::value after = WithoutManagedFields(new_obj);
  json::value before = old_obj != nullptr && old_obj->is_object() ? WithoutManagedFields(*old_obj)
                                                                  : json::value(json::object());
  Comparison changes = TrackedChanges(before, after, schema);
  FieldSet changed = changes.modified.Union(changes.added);
  for (auto& e : entries) e.fields = e.fields.Difference(changed).Difference(changes.removed);

  if (!changed.Empty()) {
    ManagedFieldsEntry mine{std::string(manager),     std::string(operation),
                            std::string(api_version), std::string(now_rfc3339),
                            std::string(subresource), FieldSet()};
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const ManagedFieldsEntry& e) { return e.SameManager(mine); });
    if (it == entries.end()) {
      mine.fields = std::move(changed);
      entries.push_back(std::move(mine));
    } else {
      it->fields = it->fields.Union(changed);
      it->api_version = mine.api_version;
      it->time = mine.time;
    }
  }
  EncodeManagedFields(std::move(entries), new_obj);
}

}  // namespace

absl::StatusOr<json::value> ServerSideApply(const json::value* live, const json::value& applied,
                                            std::string_view manager, bool force,
                                            std::string_view api_version,
                                            std::string_view now_rfc3339,
                                            const SchemaNode* schema) {
  return CatchExceptions("server-side apply", [&] {
    return ApplyUnguarded(live, applied, manager, force, api_version, now_rfc3339, schema);
  });
}

void UpdateManagedFields(const json::value* old_obj, json::value& new_obj, std::string_view manager,
                         std::string_view operation, std::string_view api_version,
                         std::string_view now_rfc3339, const SchemaNode* schema,
                         std::string_view subresource) {
  // new_obj is only written at the end, so on an unexpected exception the write goes ahead
  // with the managedFields it came with.
  try {
    UpdateUnguarded(old_obj, new_obj, manager, operation, api_version, now_rfc3339, schema,
                    subresource);
  } catch (const std::exception&) {
  }
}

}  // namespace skiff::api::patch
