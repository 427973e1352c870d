#include "skiff/controllers/replicaset/pod_template.h"

#include "skiff/api/object.h"
#include "skiff/api/validation.h"

namespace skiff::controllers::replicaset {

namespace json = boost::json;

std::string PodNamePrefix(std::string_view owner_name) {
  std::string prefix = std::string(owner_name) + "-";
  if (!api::NameIsDNSSubdomain(prefix, /*prefix=*/true).empty()) return std::string(owner_name);
  return prefix;
}

json::value PodFromTemplate(const json::value& owner, const json::object& controller_ref) {
  json::object meta;
  meta["generateName"] = PodNamePrefix(api::GetString(owner, {"metadata", "name"}));
  for (std::string_view field : {"labels", "annotations"}) {
    const json::object* m = api::GetObject(owner, {"spec", "template", "metadata", field});
    if (m != nullptr && !m->empty()) meta[field] = *m;
  }
  const json::array* fins = api::GetArray(owner, {"spec", "template", "metadata", "finalizers"});
  if (fins != nullptr && !fins->empty()) meta["finalizers"] = *fins;
  meta["ownerReferences"] = json::array{controller_ref};
  json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}};
  const json::value* spec = api::Find(owner, {"spec", "template", "spec"});
  pod["spec"] = spec != nullptr && spec->is_object() ? *spec : json::value(json::object());
  return pod;
}

}  // namespace skiff::controllers::replicaset
