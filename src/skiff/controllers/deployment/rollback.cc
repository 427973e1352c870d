// The legacy rollback request: the `deprecated.deployment.rollback.to` annotation that
// extensions/v1beta1 `spec.rollbackTo` round-trips to. kubectl's `rollout undo` patches the
// template instead and needs nothing here. Kubernetes' rollback.go.
#include "skiff/api/go_repr.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/controllers/deployment/deployment_controller.h"
#include "skiff/controllers/deployment/util/hash.h"

namespace skiff::controllers::deployment {

namespace json = boost::json;

absl::Status DeploymentController::Rollback(Deployment& d, RsList& sets) {
  auto got = GetAllReplicaSetsAndSyncRevision(d, sets, true);
  if (!got.ok()) return got.status();
  RsList all = got->All();

  int64_t revision = 0;
  api::ParseInt64(d.annotations[std::string(kRollbackToAnnotation)], &revision);
  json::value obj = *d.object;
  auto clear_request = [&]() -> absl::Status {
    d.annotations.erase(std::string(kRollbackToAnnotation));
    json::object& meta = api::EnsureObject(obj, {"metadata"});
    json::object annotations;
    for (const auto& [k, v] : d.annotations) annotations[k] = v;
    if (annotations.empty()) {
      meta.erase("annotations");
    } else {
      meta["annotations"] = std::move(annotations);
    }
    auto res = client_->Update(client::Deployments(), obj);
    return res.ok() ? absl::OkStatus() : res.status();
  };

  if (revision == 0) revision = LastRevision(all);
  if (revision == 0) {
    recorder_.Record(*d.object, "Warning", "DeploymentRollbackRevisionNotFound",
                     "Unable to find last revision.");
    return clear_request();
  }
  for (const RsPtr& rs : all) {
    auto v = Revision(*rs);
    if (!v.has_value() || *v != revision) continue;
    const json::value* tmpl = rs->Template();
    if (tmpl == nullptr || d.Template() == nullptr || EqualIgnoreHash(*d.Template(), *tmpl)) {
      recorder_.Record(*d.object, "Warning", "DeploymentRollbackTemplateUnchanged",
                       api::Cat("The rollback revision contains the same template as current "
                                "deployment ",
                                api::GoQuote(d.name)));
      return clear_request();
    }
    // The old set's template (minus its hash label) and annotations come back; the revision
    // is renumbered on the next sync.
    json::value restored = *tmpl;
    if (json::value* labels = api::FindMutable(restored, {"metadata", "labels"});
        labels != nullptr && labels->is_object()) {
      labels->get_object().erase(kPodTemplateHashLabel);
    }
    api::EnsureObject(obj, {"spec"})["template"] = std::move(restored);
    d.annotations = RollbackAnnotations(d.annotations, rs->annotations);
    absl::Status s = clear_request();
    if (s.ok()) {
      recorder_.Record(
          *d.object, "Normal", "DeploymentRollback",
          api::Cat("Rolled back deployment ", api::GoQuote(d.name), " to revision ", revision));
    }
    return s;
  }
  recorder_.Record(*d.object, "Warning", "DeploymentRollbackRevisionNotFound",
                   "Unable to find the revision to rollback to.");
  return clear_request();
}

}  // namespace skiff::controllers::deployment
