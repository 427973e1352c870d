// Validation for the non-core, non-apps kinds Skiff serves: coordination.k8s.io Lease,
// storage.k8s.io StorageClass, policy PodDisruptionBudget, and Events in both API groups.

#include <string>

#include "skiff/api/go_repr.h"
#include "skiff/api/kinds/internal.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/api/validation.h"

namespace skiff::api::kinds::internal {
namespace {

bool IsZeroTime(const json::value* v) {
  return v == nullptr || (v->is_string() && v->get_string().empty());
}

FieldErrors ValidateLease(const json::value& lease) {
  FieldErrors errs;
  const json::value& spec = Get(lease, "spec") ? *Get(lease, "spec") : EmptyObject();
  if (const json::value* d = Get(spec, "leaseDurationSeconds"); d != nullptr && Int(d) <= 0) {
    errs.push_back(Invalid("spec.leaseDurationSeconds", Cat(Int(d)), "must be greater than 0"));
  }
  if (const json::value* t = Get(spec, "leaseTransitions"); t != nullptr && Int(t) < 0) {
    errs.push_back(
        Invalid("spec.leaseTransitions", Cat(Int(t)), "must be greater than or equal to 0"));
  }
  return errs;
}

FieldErrors ValidateStorageClass(const json::value& sc, const json::value* old) {
  FieldErrors errs;
  std::string provisioner = Str(sc, "provisioner");
  if (provisioner.empty()) {
    errs.push_back(Required("provisioner", ""));
  } else {
    for (auto& msg : IsQualifiedName(ToLowerAscii(provisioner))) {
      errs.push_back(Invalid("provisioner", GoQuote(ToLowerAscii(provisioner)), msg));
    }
  }
  if (const json::value* params = Get(sc, "parameters"); params != nullptr && params->is_object()) {
    if (params->get_object().size() > 512) errs.push_back(TooLong("parameters", 512));
    for (const auto& kv : params->get_object()) {
      if (kv.key().empty())
        errs.push_back(Invalid("parameters", GoQuote(""), "field can not be empty."));
    }
  }
  std::string reclaim = Str(sc, "reclaimPolicy");
  if (Get(sc, "reclaimPolicy") != nullptr && reclaim != "Delete" && reclaim != "Retain") {
    errs.push_back(NotSupported("reclaimPolicy", GoQuote(reclaim), {"Delete", "Retain"}));
  }
  std::string binding = Str(sc, "volumeBindingMode");
  if (Get(sc, "volumeBindingMode") == nullptr) {
    errs.push_back(Required("volumeBindingMode", ""));
  } else if (binding != "Immediate" && binding != "WaitForFirstConsumer") {
    errs.push_back(
        NotSupported("volumeBindingMode", GoQuote(binding), {"Immediate", "WaitForFirstConsumer"}));
  }
  if (old != nullptr) {
    if (!SemanticEqual(Get(sc, "parameters"), Get(*old, "parameters"))) {
      errs.push_back(Forbidden("parameters", "updates to parameters are forbidden."));
    }
    if (provisioner != Str(*old, "provisioner")) {
      errs.push_back(Forbidden("provisioner", "updates to provisioner are forbidden."));
    }
    if (reclaim != Str(*old, "reclaimPolicy")) {
      errs.push_back(Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
    }
    if (binding != Str(*old, "volumeBindingMode")) {
      errs.push_back(Invalid("volumeBindingMode", GoQuote(binding), "field is immutable"));
    }
  }
  return errs;
}

FieldErrors ValidatePodDisruptionBudget(const json::value& pdb) {
  FieldErrors errs;
  const json::value& spec = Get(pdb, "spec") ? *Get(pdb, "spec") : EmptyObject();
  const json::value* min_available = Get(spec, "minAvailable");
  const json::value* max_unavailable = Get(spec, "maxUnavailable");
  if (min_available != nullptr && max_unavailable != nullptr) {
    errs.push_back(Invalid("spec", json::serialize(spec),
                           "minAvailable and maxUnavailable cannot be both set"));
  }
  if (min_available != nullptr) {
    Append(errs, ValidatePositiveIntOrPercent(min_available, "spec.minAvailable"));
    Append(errs, IsNotMoreThan100Percent(min_available, "spec.minAvailable"));
  }
  if (max_unavailable != nullptr) {
    Append(errs, ValidatePositiveIntOrPercent(max_unavailable, "spec.maxUnavailable"));
    Append(errs, IsNotMoreThan100Percent(max_unavailable, "spec.maxUnavailable"));
  }
  Append(errs, ValidateLabelSelector(Get(spec, "selector"), "spec.selector"));
  if (const json::value* policy = Get(spec, "unhealthyPodEvictionPolicy")) {
    std::string p = Text(*policy);
    if (p != "AlwaysAllow" && p != "IfHealthyBudget") {
      errs.push_back(NotSupported("spec.unhealthyPodEvictionPolicy", GoQuote(p),
                                  {"AlwaysAllow", "IfHealthyBudget"}));
    }
  }
  return errs;
}

}  // namespace

FieldErrors ValidateLegacyEvent(const json::value& event, const json::value* old, bool events_v1) {
  FieldErrors errs;
  const std::string involved_key = events_v1 ? "regarding" : "involvedObject";
  const std::string message_key = events_v1 ? "note" : "message";
  const std::string controller_key = events_v1 ? "reportingController" : "reportingComponent";
  std::string ns(GetString(event, {"metadata", "namespace"}));
  std::string involved_ns = Str(Get(event, involved_key), "namespace");
  if (IsZeroTime(Get(event, "eventTime"))) {
    if (involved_ns.empty() ? (!ns.empty() && ns != "default") : ns != involved_ns) {
      errs.push_back(Invalid("involvedObject.namespace", GoQuote(involved_ns),
                             "does not match event.namespace"));
    }
  } else {
    if (involved_ns.empty() && ns != "default" && ns != "kube-system") {
      errs.push_back(Invalid("involvedObject.namespace", GoQuote(involved_ns),
                             "does not match event.namespace"));
    }
    std::string controller = Str(event, controller_key);
    if (controller.empty()) errs.push_back(Required("reportingController", ""));
    for (auto& msg : IsQualifiedName(controller)) {
      errs.push_back(Invalid("reportingController", GoQuote(controller), msg));
    }
    struct Limit {
      std::string_view field;
      std::string key;
      size_t max;
      bool required;
    } limits[] = {{"reportingInstance", "reportingInstance", 128, true},
                  {"action", "action", 128, true},
                  {"reason", "reason", 128, true},
                  {"message", message_key, 1024, false}};
    for (const auto& l : limits) {
      std::string v = Str(event, l.key);
      if (l.required && v.empty()) errs.push_back(Required(std::string(l.field), ""));
      if (v.size() > l.max) {
        errs.push_back(Invalid(std::string(l.field), GoQuote(""),
                               Cat("can have at most ", l.max, " characters")));
      }
    }
  }
  for (auto& msg : IsDNS1123Subdomain(ns)) errs.push_back(Invalid("namespace", GoQuote(ns), msg));
  if (!events_v1) return errs;

  if (old == nullptr) {
    if (const json::value* series = Get(event, "series")) {
      if (Int(Get(*series, "count")) < 2)
        errs.push_back(Invalid("series.count", GoQuote(""), "should be at least 2"));
      if (IsZeroTime(Get(*series, "lastObservedTime")))
        errs.push_back(Required("series.lastObservedTime", ""));
    }
    if (IsZeroTime(Get(event, "eventTime"))) errs.push_back(Required("eventTime", ""));
    std::string type = Str(event, "type");
    if (type != "Normal" && type != "Warning") {
      errs.push_back(Invalid("type", GoQuote(""), Cat("has invalid value: ", type)));
    }
    for (auto [key, field] : {std::pair<std::string_view, std::string_view>{
                                  "deprecatedFirstTimestamp", "firstTimestamp"},
                              {"deprecatedLastTimestamp", "lastTimestamp"}}) {
      if (!IsZeroTime(Get(event, key)))
        errs.push_back(Invalid(std::string(field), GoQuote(""), "needs to be unset"));
    }
    if (Int(Get(event, "deprecatedCount")) != 0)
      errs.push_back(Invalid("count", GoQuote(""), "needs to be unset"));
    const json::value* source = Get(event, "deprecatedSource");
    if (!Str(source, "component").empty() || !Str(source, "host").empty()) {
      errs.push_back(Invalid("source", GoQuote(""), "needs to be unset"));
    }
    return errs;
  }
  // events.k8s.io updates may only change the series.
  struct Immutable {
    std::string_view key;
    std::string_view field;
  } fields[] = {{"regarding", "involvedObject"},
                {"reason", "reason"},
                {"note", "message"},
                {"deprecatedSource", "source"},
                {"deprecatedFirstTimestamp", "firstTimestamp"},
                {"deprecatedLastTimestamp", "lastTimestamp"},
                {"deprecatedCount", "count"},
                {"type", "type"},
                {"eventTime", "eventTime"},
                {"action", "action"},
                {"related", "related"},
                {"reportingController", "reportingController"},
                {"reportingInstance", "reportingInstance"}};
  for (const auto& f : fields) {
    const json::value* now = Get(event, f.key);
    if (!SemanticEqual(now, Get(*old, f.key))) {
      std::string repr =
          now == nullptr ? "null"
                         : (now->is_string() ? GoQuote(now->get_string()) : json::serialize(*now));
      errs.push_back(Invalid(std::string(f.field), repr, "field is immutable"));
    }
  }
  return errs;
}

FieldErrors ValidateOther(const ResourceInfo& r, const json::value& obj, const json::value* old) {
  if (Is(r, "coordination.k8s.io", "Lease")) return ValidateLease(obj);
  if (Is(r, "storage.k8s.io", "StorageClass")) return ValidateStorageClass(obj, old);
  if (Is(r, "policy", "PodDisruptionBudget")) return ValidatePodDisruptionBudget(obj);
  if (Is(r, "events.k8s.io", "Event")) return ValidateLegacyEvent(obj, old, /*events_v1=*/true);
  return {};
}

}  // namespace skiff::api::kinds::internal
