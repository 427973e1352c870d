#include "skiff/api/patch/merge_patch.h"

#include "skiff/api/patch/json_util.h"

namespace skiff::api::patch {
namespace {

json::value Merge(const json::value* target, const json::value& patch) {
  const json::object* p = patch.if_object();
  if (p == nullptr) return patch;
  json::object result;
  if (target != nullptr && target->is_object()) result = target->get_object();
  for (const auto& kv : *p) {
    if (kv.value().is_null()) {
      EraseKey(result, kv.key());
      continue;
    }
    auto it = result.find(kv.key());
    const json::value* existing = it == result.end() ? nullptr : &it->value();
    json::value merged = Merge(existing, kv.value());
    result[kv.key()] = std::move(merged);
  }
  return result;
}

}  // namespace

absl::StatusOr<json::value> ApplyMergePatch(const json::value& doc, const json::value& patch) {
  return CatchExceptions("merge patch",
                         [&]() -> absl::StatusOr<json::value> { return Merge(&doc, patch); });
}

}  // namespace skiff::api::patch
