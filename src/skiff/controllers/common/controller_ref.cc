#include "skiff/controllers/common/controller_ref.h"

#include "skiff/api/object.h"

namespace skiff::controllers {

namespace json = boost::json;

const json::value* ControllerRefOf(const json::value& obj) {
  const json::array* refs = api::GetArray(obj, {"metadata", "ownerReferences"});
  if (refs == nullptr) return nullptr;
  for (const auto& r : *refs) {
    if (r.is_object() && api::GetBool(r, {"controller"})) return &r;
  }
  return nullptr;
}

ClaimAction DecideClaim(const json::value& obj, std::string_view owner_uid, bool matches,
                        bool owner_deleting) {
  if (const json::value* ref = ControllerRefOf(obj)) {
    if (api::GetString(*ref, {"uid"}) != owner_uid) return ClaimAction::kIgnore;
    // Keeping what we own needs no write, so it is allowed even while being deleted.
    if (matches) return ClaimAction::kKeep;
    return owner_deleting ? ClaimAction::kIgnore : ClaimAction::kRelease;
  }
  if (owner_deleting || !matches) return ClaimAction::kIgnore;
  const json::value* del = api::Find(obj, {"metadata", "deletionTimestamp"});
  if (del != nullptr && !del->is_null()) return ClaimAction::kIgnore;
  return ClaimAction::kAdopt;
}

json::object NewControllerRef(std::string_view api_version, std::string_view kind,
                              std::string_view name, std::string_view uid) {
  return json::object{{"apiVersion", api_version},
                      {"kind", kind},
                      {"name", name},
                      {"uid", uid},
                      {"controller", true},
                      {"blockOwnerDeletion", true}};
}

std::string AdoptPatch(const json::object& controller_ref, std::string_view obj_uid) {
  json::object meta{{"ownerReferences", json::array{controller_ref}}, {"uid", obj_uid}};
  return json::serialize(json::object{{"metadata", std::move(meta)}});
}

std::string ReleasePatch(std::string_view owner_uid, std::string_view obj_uid) {
  json::object del{{"$patch", "delete"}, {"uid", owner_uid}};
  json::object meta{{"ownerReferences", json::array{std::move(del)}}, {"uid", obj_uid}};
  return json::serialize(json::object{{"metadata", std::move(meta)}});
}

}  // namespace skiff::controllers
