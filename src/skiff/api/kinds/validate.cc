// Validate's dispatch (metadata first, then the kind's own rules), the decode-time quantity
// check, and semantic JSON equality used by immutability and generation checks.

#include <cmath>
#include <string>

#include "skiff/api/kinds/internal.h"
#include "skiff/api/kinds/kinds.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/validation.h"

namespace skiff::api::kinds {
namespace internal {
namespace {

bool IsEmptyish(const json::value* v) {
  return v == nullptr || v->is_null() || (v->is_array() && v->get_array().empty()) ||
         (v->is_object() && v->get_object().empty());
}

}  // namespace

bool SemanticEqual(const json::value* a, const json::value* b) {
  if (IsEmptyish(a) || IsEmptyish(b)) return IsEmptyish(a) && IsEmptyish(b);
  if (a->is_object() && b->is_object()) {
    const json::object& x = a->get_object();
    const json::object& y = b->get_object();
    for (const auto& kv : x) {
      auto it = y.find(kv.key());
      if (!SemanticEqual(&kv.value(), it == y.end() ? nullptr : &it->value())) return false;
    }
    for (const auto& kv : y)
      if (!x.contains(kv.key()) && !IsEmptyish(&kv.value())) return false;
    return true;
  }
  if (a->is_array() && b->is_array()) {
    const json::array& x = a->get_array();
    const json::array& y = b->get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!SemanticEqual(&x[i], &y[i])) return false;
    return true;
  }
  if (a->is_number() && b->is_number()) {
    if (!a->is_double() && !b->is_double()) {
      if (a->is_int64() && b->is_int64()) return a->get_int64() == b->get_int64();
      if (a->is_uint64() && b->is_uint64()) return a->get_uint64() == b->get_uint64();
      int64_t s = a->is_int64() ? a->get_int64() : b->get_int64();
      uint64_t u = a->is_uint64() ? a->get_uint64() : b->get_uint64();
      return s >= 0 && static_cast<uint64_t>(s) == u;
    }
    return a->to_number<double>() == b->to_number<double>();
  }
  return *a == *b;
}

}  // namespace internal

namespace {

namespace json = boost::json;

absl::Status CheckResourceList(const json::value* list) {
  if (list == nullptr || !list->is_object()) return absl::OkStatus();
  for (const auto& kv : list->get_object()) {
    auto q = Quantity::FromJson(kv.value());
    if (!q.ok()) return q.status();
  }
  return absl::OkStatus();
}

absl::Status CheckPodSpec(const json::value* spec) {
  if (spec == nullptr) return absl::OkStatus();
  for (std::string_view list : {"initContainers", "containers", "ephemeralContainers"}) {
    const json::array* containers = GetArray(*spec, {list});
    if (containers == nullptr) continue;
    for (const auto& c : *containers) {
      for (std::string_view kind : {"limits", "requests"}) {
        if (auto st = CheckResourceList(Find(c, {"resources", kind})); !st.ok()) return st;
      }
    }
  }
  if (auto st = CheckResourceList(Find(*spec, {"overhead"})); !st.ok()) return st;
  if (const json::array* volumes = GetArray(*spec, {"volumes"})) {
    for (const auto& v : *volumes) {
      if (const json::value* limit = Find(v, {"emptyDir", "sizeLimit"});
          limit && !limit->is_null()) {
        if (auto q = Quantity::FromJson(*limit); !q.ok()) return q.status();
      }
      for (std::string_view kind : {"limits", "requests"}) {
        auto st = CheckResourceList(
            Find(v, {"ephemeral", "volumeClaimTemplate", "spec", "resources", kind}));
        if (!st.ok()) return st;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckDecodable(const ResourceInfo& r, const json::value& obj) {
  using internal::Is;
  if (Is(r, "", "Pod")) return CheckPodSpec(Find(obj, {"spec"}));
  if (r.group == "apps" || Is(r, "", "ReplicationController")) {
    if (auto st = CheckPodSpec(Find(obj, {"spec", "template", "spec"})); !st.ok()) return st;
    if (const json::array* claims = GetArray(obj, {"spec", "volumeClaimTemplates"})) {
      for (const auto& c : *claims) {
        for (std::string_view kind : {"limits", "requests"}) {
          if (auto st = CheckResourceList(Find(c, {"spec", "resources", kind})); !st.ok())
            return st;
        }
      }
    }
    return absl::OkStatus();
  }
  if (Is(r, "", "PersistentVolumeClaim")) {
    for (std::string_view kind : {"limits", "requests"}) {
      if (auto st = CheckResourceList(Find(obj, {"spec", "resources", kind})); !st.ok()) return st;
    }
    return CheckResourceList(Find(obj, {"status", "capacity"}));
  }
  if (Is(r, "", "PersistentVolume")) return CheckResourceList(Find(obj, {"spec", "capacity"}));
  if (Is(r, "", "Node")) {
    if (auto st = CheckResourceList(Find(obj, {"status", "capacity"})); !st.ok()) return st;
    return CheckResourceList(Find(obj, {"status", "allocatable"}));
  }
  return absl::OkStatus();
}

FieldErrors Validate(const ResourceInfo& r, const json::value& obj, const json::value* old) {
  FieldErrors errs;
  // Core v1 Events get only the legacy event checks (no ObjectMeta validation).
  if (!internal::Is(r, "", "Event")) {
    errs = old != nullptr ? ValidateObjectMetaUpdate(obj, *old)
                          : ValidateObjectMeta(obj, r.namespaced, NameValidatorFor(r));
  }
  if (r.group == "apps") {
    internal::Append(errs, internal::ValidateApps(r, obj, old));
  } else if (r.group.empty()) {
    internal::Append(errs, internal::ValidateCore(r, obj, old));
  } else {
    internal::Append(errs, internal::ValidateOther(r, obj, old));
  }
  return errs;
}

}  // namespace skiff::api::kinds
