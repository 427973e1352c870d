// apps/v1 validation (Kubernetes 1.32 pkg/apis/apps/validation and the apps strategies):
// Deployments, ReplicaSets, StatefulSets, DaemonSets and ControllerRevisions.

#include <optional>
#include <string>

#include "skiff/api/go_repr.h"
#include "skiff/api/kinds/internal.h"
#include "skiff/api/labels.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/api/validation.h"

namespace skiff::api::kinds::internal {
namespace {

std::string P(std::string_view parent, std::string_view child) { return ChildPath(parent, child); }

bool SelectorIsEmpty(const json::value& sel) {
  const json::value* labels = Get(sel, "matchLabels");
  const json::value* exprs = Get(sel, "matchExpressions");
  size_t n = 0;
  if (labels != nullptr && labels->is_object()) n += labels->get_object().size();
  if (exprs != nullptr && exprs->is_array()) n += exprs->get_array().size();
  return n == 0;
}

// The "`selector` does not match template `labels`" check shared by the workload kinds.
FieldErrors SelectorMatchesTemplate(const LabelSelector& selector, const json::value* tmpl,
                                    const std::string& template_path) {
  const json::value* labels = tmpl == nullptr ? nullptr : Find(*tmpl, {"metadata", "labels"});
  if (selector.Empty()) return {};
  const json::object* l = labels == nullptr ? nullptr : labels->if_object();
  if (selector.Matches(l)) return {};
  return {Invalid(P(P(template_path, "metadata"), "labels"), GoStringMap(labels),
                  "`selector` does not match template `labels`")};
}

// spec.selector rules common to Deployment, ReplicaSet and StatefulSet. Returns the parsed
// selector, or nullopt when Kubernetes would report "invalid label selector".
std::optional<LabelSelector> ValidateRequiredSelector(const json::value& spec,
                                                      const std::string& path,
                                                      std::string_view kind_word,
                                                      FieldErrors& errs) {
  const json::value* sel = Get(spec, "selector");
  std::string sp = P(path, "selector");
  if (sel == nullptr) {
    errs.push_back(Required(sp, ""));
  } else {
    Append(errs, ValidateLabelSelector(sel, sp));
    if (SelectorIsEmpty(*sel)) {
      errs.push_back(
          Invalid(sp, GoLabelSelector(sel), Cat("empty selector is invalid for ", kind_word)));
    }
  }
  auto parsed = LabelSelector::FromJson(sel);
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

// ValidatePodTemplateSpecForReplicaSet (used by Deployments and ReplicaSets).
FieldErrors ValidateTemplateForReplicaSet(const json::value& spec, const LabelSelector& selector,
                                          const std::string& path, std::string_view kind_word) {
  std::string tp = P(path, "template");
  const json::value* tmpl = Get(spec, "template");
  FieldErrors errs = SelectorMatchesTemplate(selector, tmpl, tp);
  Append(errs, ValidatePodTemplateSpec(tmpl, tp));
  const json::value* pod_spec = tmpl == nullptr ? nullptr : Get(*tmpl, "spec");
  std::string restart = Str(pod_spec, "restartPolicy");
  if (restart != "Always") {
    errs.push_back(NotSupported(P(P(tp, "spec"), "restartPolicy"), GoQuote(restart), {"Always"}));
  }
  if (pod_spec != nullptr && Get(*pod_spec, "activeDeadlineSeconds") != nullptr) {
    errs.push_back(Forbidden(P(P(tp, "spec"), "activeDeadlineSeconds"),
                             Cat("activeDeadlineSeconds in ", kind_word, " is not Supported")));
  }
  return errs;
}

FieldErrors ValidateDeploymentSpec(const json::value& spec, const std::string& path) {
  FieldErrors errs = ValidateNonnegative(Int(Get(spec, "replicas")), P(path, "replicas"));
  auto selector = ValidateRequiredSelector(spec, path, "deployment", errs);
  if (!selector) {
    errs.push_back(Invalid(P(path, "selector"), GoLabelSelector(Get(spec, "selector")),
                           "invalid label selector"));
  } else {
    Append(errs, ValidateTemplateForReplicaSet(spec, *selector, path, "ReplicaSet"));
  }
  // Strategy.
  std::string strategy_path = P(path, "strategy");
  const json::value* strategy = Get(spec, "strategy");
  std::string type = Str(strategy, "type");
  const json::value* ru = strategy == nullptr ? nullptr : Get(*strategy, "rollingUpdate");
  if (type == "Recreate") {
    if (ru != nullptr) {
      errs.push_back(Forbidden(P(strategy_path, "rollingUpdate"),
                               "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (type == "RollingUpdate") {
    std::string rp = P(strategy_path, "rollingUpdate");
    if (ru == nullptr) {
      errs.push_back(Required(rp, "this should be defaulted and never be nil"));
    } else {
      const json::value* max_unavailable = Get(*ru, "maxUnavailable");
      const json::value* max_surge = Get(*ru, "maxSurge");
      Append(errs, ValidatePositiveIntOrPercent(max_unavailable, P(rp, "maxUnavailable")));
      Append(errs, ValidatePositiveIntOrPercent(max_surge, P(rp, "maxSurge")));
      if (IntOrPercentValue(max_unavailable) == 0 && IntOrPercentValue(max_surge) == 0) {
        errs.push_back(Invalid(P(rp, "maxUnavailable"), GoIntOrString(max_unavailable),
                               "may not be 0 when `maxSurge` is 0"));
      }
      Append(errs, IsNotMoreThan100Percent(max_unavailable, P(rp, "maxUnavailable")));
    }
  } else {
    std::string repr = Cat("apps.DeploymentStrategy{Type:", GoQuote(type), ", RollingUpdate:",
                           ru == nullptr ? "(*apps.RollingUpdateDeployment)(nil)"
                                         : "&apps.RollingUpdateDeployment{...}",
                           "}");
    errs.push_back(NotSupported(strategy_path, repr, {"Recreate", "RollingUpdate"}));
  }
  int64_t min_ready = Int(Get(spec, "minReadySeconds"));
  Append(errs, ValidateNonnegative(min_ready, P(path, "minReadySeconds")));
  if (const json::value* rhl = Get(spec, "revisionHistoryLimit")) {
    Append(errs, ValidateNonnegative(Int(rhl), P(path, "revisionHistoryLimit")));
  }
  if (const json::value* pds = Get(spec, "progressDeadlineSeconds")) {
    Append(errs, ValidateNonnegative(Int(pds), P(path, "progressDeadlineSeconds")));
    if (Int(pds) <= min_ready) {
      errs.push_back(Invalid(P(path, "progressDeadlineSeconds"), Cat(Int(pds)),
                             "must be greater than minReadySeconds"));
    }
  }
  return errs;
}

FieldErrors ValidateReplicaSetSpec(const json::value& spec, const std::string& path) {
  FieldErrors errs = ValidateNonnegative(Int(Get(spec, "replicas")), P(path, "replicas"));
  Append(errs, ValidateNonnegative(Int(Get(spec, "minReadySeconds")), P(path, "minReadySeconds")));
  // Kubernetes' ReplicaSet message really says "deployment".
  auto selector = ValidateRequiredSelector(spec, path, "deployment", errs);
  if (!selector) {
    errs.push_back(Invalid(P(path, "selector"), GoLabelSelector(Get(spec, "selector")),
                           "invalid label selector"));
  } else {
    Append(errs, ValidateTemplateForReplicaSet(spec, *selector, path, "ReplicaSet"));
  }
  return errs;
}

FieldErrors ValidateStatefulSetSpec(const json::value& spec, const std::string& path) {
  FieldErrors errs;
  std::string pmp = Str(&spec, "podManagementPolicy");
  if (pmp.empty()) {
    errs.push_back(Required(P(path, "podManagementPolicy"), ""));
  } else if (pmp != "OrderedReady" && pmp != "Parallel") {
    errs.push_back(Invalid(P(path, "podManagementPolicy"), GoQuote(pmp),
                           "must be 'OrderedReady' or 'Parallel'"));
  }
  std::string usp = P(path, "updateStrategy");
  const json::value* strategy = Get(spec, "updateStrategy");
  std::string type = Str(strategy, "type");
  const json::value* ru = strategy == nullptr ? nullptr : Get(*strategy, "rollingUpdate");
  if (type.empty()) {
    errs.push_back(Required(usp, ""));
  } else if (type == "OnDelete") {
    if (ru != nullptr) {
      errs.push_back(Invalid(P(usp, "rollingUpdate"), json::serialize(*ru),
                             "only allowed for updateStrategy 'RollingUpdate'"));
    }
  } else if (type == "RollingUpdate") {
    if (ru != nullptr) {
      std::string rp = P(usp, "rollingUpdate");
      Append(errs, ValidateNonnegative(Int(Get(*ru, "partition")), P(rp, "partition")));
      if (const json::value* mu = Get(*ru, "maxUnavailable")) {
        Append(errs, ValidatePositiveIntOrPercent(mu, P(rp, "maxUnavailable")));
        if (IntOrPercentValue(mu) == 0)
          errs.push_back(Invalid(P(rp, "maxUnavailable"), GoIntOrString(mu), "cannot be 0"));
        Append(errs, IsNotMoreThan100Percent(mu, P(rp, "maxUnavailable")));
      }
    }
  } else {
    std::string repr =
        Cat("apps.StatefulSetUpdateStrategy{Type:", GoQuote(type), ", RollingUpdate:",
            ru == nullptr ? "(*apps.RollingUpdateStatefulSetStrategy)(nil)"
                          : "&apps.RollingUpdateStatefulSetStrategy{...}",
            "}");
    errs.push_back(Invalid(usp, repr, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  if (const json::value* policy = Get(spec, "persistentVolumeClaimRetentionPolicy")) {
    std::string pp = P(path, "persistentVolumeClaimRetentionPolicy");
    for (std::string_view f : {"whenDeleted", "whenScaled"}) {
      std::string v = Str(policy, f);
      if (v != "Retain" && v != "Delete")
        errs.push_back(NotSupported(P(pp, f), GoQuote(v), {"Retain", "Delete"}));
    }
  }
  Append(errs, ValidateNonnegative(Int(Get(spec, "replicas")), P(path, "replicas")));
  Append(errs, ValidateNonnegative(Int(Get(spec, "minReadySeconds")), P(path, "minReadySeconds")));
  if (const json::value* ordinals = Get(spec, "ordinals")) {
    Append(errs, ValidateNonnegative(Int(Get(*ordinals, "start")), P(path, "ordinals.start")));
  }
  std::string service_name = Str(&spec, "serviceName");
  if (!service_name.empty()) {
    for (auto& msg : IsDNS1123Label(service_name)) {
      errs.push_back(Invalid(P(path, "serviceName"), GoQuote(service_name), msg));
    }
  }
  auto selector = ValidateRequiredSelector(spec, path, "statefulset", errs);
  std::string tp = P(path, "template");
  const json::value* tmpl = Get(spec, "template");
  if (!selector) {
    errs.push_back(Invalid(P(path, "selector"), GoLabelSelector(Get(spec, "selector")), ""));
  } else {
    // Kubernetes checks only the selector, labels and annotations of a StatefulSet template.
    Append(errs, SelectorMatchesTemplate(*selector, tmpl, tp));
    Append(errs,
           ValidateLabels(tmpl ? Find(*tmpl, {"metadata", "labels"}) : nullptr, P(tp, "labels")));
    Append(errs, ValidateAnnotations(tmpl ? Find(*tmpl, {"metadata", "annotations"}) : nullptr,
                                     P(tp, "annotations")));
  }
  const json::value* pod_spec = tmpl == nullptr ? nullptr : Get(*tmpl, "spec");
  std::string restart = Str(pod_spec, "restartPolicy");
  if (restart != "Always") {
    errs.push_back(NotSupported(P(P(tp, "spec"), "restartPolicy"), GoQuote(restart), {"Always"}));
  }
  if (pod_spec != nullptr && Get(*pod_spec, "activeDeadlineSeconds") != nullptr) {
    errs.push_back(Forbidden(P(P(tp, "spec"), "activeDeadlineSeconds"),
                             "activeDeadlineSeconds in StatefulSet is not Supported"));
  }
  return errs;
}

FieldErrors ValidateDaemonSetSpec(const json::value& spec, const std::string& path) {
  FieldErrors errs;
  const json::value* sel = Get(spec, "selector");
  Append(errs, ValidateLabelSelector(sel, P(path, "selector")));
  std::string tp = P(path, "template");
  const json::value* tmpl = Get(spec, "template");
  auto selector = LabelSelector::FromJson(sel);
  if (selector.ok()) {
    const json::value* labels = tmpl == nullptr ? nullptr : Find(*tmpl, {"metadata", "labels"});
    const json::object* l = labels == nullptr ? nullptr : labels->if_object();
    if (!selector->Matches(l)) {
      errs.push_back(Invalid(P(P(tp, "metadata"), "labels"), GoStringMap(labels),
                             "`selector` does not match template `labels`"));
    }
  }
  if (sel != nullptr && SelectorIsEmpty(*sel)) {
    errs.push_back(Invalid(P(path, "selector"), GoLabelSelector(sel),
                           "empty selector is invalid for daemonset"));
  }
  Append(errs, ValidatePodTemplateSpec(tmpl, tp));
  const json::value* pod_spec = tmpl == nullptr ? nullptr : Get(*tmpl, "spec");
  std::string restart = Str(pod_spec, "restartPolicy");
  if (restart != "Always") {
    errs.push_back(NotSupported(P(P(tp, "spec"), "restartPolicy"), GoQuote(restart), {"Always"}));
  }
  if (pod_spec != nullptr && Get(*pod_spec, "activeDeadlineSeconds") != nullptr) {
    errs.push_back(Forbidden(P(P(tp, "spec"), "activeDeadlineSeconds"),
                             "activeDeadlineSeconds in DaemonSet is not Supported"));
  }
  Append(errs, ValidateNonnegative(Int(Get(spec, "minReadySeconds")), P(path, "minReadySeconds")));
  // Update strategy.
  std::string usp = P(path, "updateStrategy");
  const json::value* strategy = Get(spec, "updateStrategy");
  std::string type = Str(strategy, "type");
  if (type == "RollingUpdate") {
    const json::value* ru = Get(*strategy, "rollingUpdate");
    std::string rp = P(usp, "rollingUpdate");
    if (ru == nullptr) {
      errs.push_back(Required(rp, ""));
    } else {
      const json::value* mu = Get(*ru, "maxUnavailable");
      const json::value* ms = Get(*ru, "maxSurge");
      Append(errs, ValidatePositiveIntOrPercent(mu, P(rp, "maxUnavailable")));
      Append(errs, ValidatePositiveIntOrPercent(ms, P(rp, "maxSurge")));
      Append(errs, IsNotMoreThan100Percent(mu, P(rp, "maxUnavailable")));
      Append(errs, IsNotMoreThan100Percent(ms, P(rp, "maxSurge")));
      bool has_unavailable = IntOrPercentValue(mu) != 0, has_surge = IntOrPercentValue(ms) != 0;
      if (has_unavailable && has_surge) {
        errs.push_back(Invalid(P(rp, "maxSurge"), GoIntOrString(ms),
                               "may not be set when maxUnavailable is non-zero"));
      } else if (!has_unavailable && !has_surge) {
        errs.push_back(Required(P(rp, "maxUnavailable"), "cannot be 0 when maxSurge is 0"));
      }
    }
  } else if (type != "OnDelete") {
    std::string repr = strategy == nullptr ? "apps.DaemonSetUpdateStrategy{Type:\"\", "
                                             "RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}"
                                           : json::serialize(*strategy);
    errs.push_back(NotSupported(usp, repr, {"RollingUpdate", "OnDelete"}));
  }
  if (const json::value* rhl = Get(spec, "revisionHistoryLimit")) {
    Append(errs, ValidateNonnegative(Int(rhl), P(path, "revisionHistoryLimit")));
  }
  return errs;
}

// `spec` minus the StatefulSet fields an update may change.
json::value StatefulSetImmutableSpec(const json::value* spec) {
  json::value copy = spec == nullptr ? json::value(json::object()) : *spec;
  if (json::object* o = copy.if_object()) {
    for (std::string_view f : {"replicas", "template", "updateStrategy", "minReadySeconds",
                               "ordinals", "persistentVolumeClaimRetentionPolicy"}) {
      o->erase(f);
    }
  }
  return copy;
}

}  // namespace

FieldErrors ValidateApps(const ResourceInfo& r, const json::value& obj, const json::value* old) {
  FieldErrors errs;
  const json::value* spec_ptr = Get(obj, "spec");
  const json::value& spec = spec_ptr != nullptr ? *spec_ptr : EmptyObject();
  if (r.kind == "Deployment") {
    Append(errs, ValidateDeploymentSpec(spec, "spec"));
  } else if (r.kind == "ReplicaSet") {
    Append(errs, ValidateReplicaSetSpec(spec, "spec"));
  } else if (r.kind == "StatefulSet") {
    Append(errs, ValidateStatefulSetSpec(spec, "spec"));
    json::value now_fixed = StatefulSetImmutableSpec(spec_ptr);
    json::value old_fixed = StatefulSetImmutableSpec(old ? Get(*old, "spec") : nullptr);
    if (old != nullptr && !SemanticEqual(&now_fixed, &old_fixed)) {
      errs.push_back(Forbidden("spec",
                               "updates to statefulset spec for fields other than 'replicas', "
                               "'ordinals', 'template', 'updateStrategy', "
                               "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
                               "forbidden"));
    }
  } else if (r.kind == "DaemonSet") {
    Append(errs, ValidateDaemonSetSpec(spec, "spec"));
  } else if (r.kind == "ControllerRevision") {
    if (Get(obj, "data") == nullptr) errs.push_back(Required("data", "data is mandatory"));
    Append(errs, ValidateNonnegative(Int(Get(obj, "revision")), "revision"));
    if (old != nullptr) {
      const json::value* a = Get(obj, "data");
      const json::value* b = Get(*old, "data");
      if (!SemanticEqual(a, b)) {
        errs.push_back(Invalid("data", a ? json::serialize(*a) : "null", "field is immutable"));
      }
    }
  }
  // apps/v1 selectors are immutable (the strategies' ValidateUpdate).
  if (old != nullptr &&
      (r.kind == "Deployment" || r.kind == "ReplicaSet" || r.kind == "DaemonSet")) {
    const json::value* a = Get(spec, "selector");
    const json::value* old_spec = Get(*old, "spec");
    const json::value* b = old_spec == nullptr ? nullptr : Get(*old_spec, "selector");
    if (!SemanticEqual(a, b))
      errs.push_back(Invalid("spec.selector", GoLabelSelector(a), "field is immutable"));
  }
  return errs;
}

}  // namespace skiff::api::kinds::internal
