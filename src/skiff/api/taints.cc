#include "skiff/api/taints.h"

#include <algorithm>

#include "skiff/api/object.h"

namespace skiff::api {

namespace json = boost::json;

std::string Taint::ToString() const {
  if (value.empty()) return key + ":" + effect;
  return key + "=" + value + ":" + effect;
}

json::object Taint::ToJson() const {
  json::object o{{"key", key}, {"effect", effect}};
  if (!value.empty()) o["value"] = value;
  if (!time_added.empty()) o["timeAdded"] = time_added;
  return o;
}

std::vector<Taint> ParseTaints(const json::value* taints) {
  std::vector<Taint> out;
  const json::array* arr = taints ? taints->if_array() : nullptr;
  if (arr == nullptr) return out;
  out.reserve(arr->size());
  for (const json::value& t : *arr) {
    if (!t.is_object()) continue;
    out.push_back(Taint{std::string(GetString(t, {"key"})), std::string(GetString(t, {"value"})),
                        std::string(GetString(t, {"effect"})),
                        std::string(GetString(t, {"timeAdded"}))});
  }
  return out;
}

std::vector<Toleration> ParseTolerations(const json::value* tolerations) {
  std::vector<Toleration> out;
  const json::array* arr = tolerations ? tolerations->if_array() : nullptr;
  if (arr == nullptr) return out;
  out.reserve(arr->size());
  for (const json::value& t : *arr) {
    if (!t.is_object()) continue;
    Toleration tol{std::string(GetString(t, {"key"})), std::string(GetString(t, {"operator"})),
                   std::string(GetString(t, {"value"})), std::string(GetString(t, {"effect"})),
                   std::nullopt};
    const json::value* secs = Find(t, {"tolerationSeconds"});
    if (secs != nullptr && (secs->is_int64() || secs->is_uint64() || secs->is_double())) {
      tol.toleration_seconds = GetInt(t, {"tolerationSeconds"});
    }
    out.push_back(std::move(tol));
  }
  return out;
}

bool ToleratesTaint(const Toleration& toleration, const Taint& taint) {
  if (!toleration.effect.empty() && toleration.effect != taint.effect) return false;
  if (!toleration.key.empty() && toleration.key != taint.key) return false;
  if (toleration.op.empty() || toleration.op == "Equal") return toleration.value == taint.value;
  return toleration.op == "Exists";
}

bool TolerationsTolerateTaint(std::span<const Toleration> tolerations, const Taint& taint) {
  return std::any_of(tolerations.begin(), tolerations.end(),
                     [&](const Toleration& t) { return ToleratesTaint(t, taint); });
}

bool TaintPassesFilter(const Taint& taint, TaintFilter filter) {
  switch (filter) {
    case TaintFilter::kAll:
      return true;
    case TaintFilter::kNoScheduleOrNoExecute:
      return taint.effect == kTaintEffectNoSchedule || taint.effect == kTaintEffectNoExecute;
    case TaintFilter::kNoExecute:
      return taint.effect == kTaintEffectNoExecute;
    case TaintFilter::kPreferNoSchedule:
      return taint.effect == kTaintEffectPreferNoSchedule;
  }
  return false;
}

const Taint* FindUntoleratedTaint(std::span<const Taint> taints,
                                  std::span<const Toleration> tolerations, TaintFilter filter) {
  for (const Taint& taint : taints) {
    if (!TaintPassesFilter(taint, filter)) continue;
    if (!TolerationsTolerateTaint(tolerations, taint)) return &taint;
  }
  return nullptr;
}

std::optional<std::vector<Toleration>> MatchingTolerations(
    std::span<const Taint> taints, std::span<const Toleration> tolerations) {
  std::vector<Toleration> out;
  for (const Taint& taint : taints) {
    bool tolerated = false;
    for (const Toleration& t : tolerations) {
      if (ToleratesTaint(t, taint)) {
        out.push_back(t);
        tolerated = true;
        break;  // the first toleration that matches a taint is the one that counts
      }
    }
    if (!tolerated) return std::nullopt;
  }
  return out;
}

std::optional<int64_t> MinTolerationSeconds(std::span<const Toleration> tolerations) {
  if (tolerations.empty()) return 0;
  std::optional<int64_t> min;
  for (const Toleration& t : tolerations) {
    if (!t.toleration_seconds) continue;
    int64_t s = std::max<int64_t>(*t.toleration_seconds, 0);
    if (!min || s < *min) min = s;
  }
  return min;
}

}  // namespace skiff::api
