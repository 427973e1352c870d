// Pod and claim writes of the StatefulSet controller (Kubernetes' stateful_pod_control.go), each
// recorded as an event on the set: "create Pod web-0 in StatefulSet web successful", "create
// Claim www-web-0 Pod web-0 in StatefulSet web success", FailedCreate warnings, and so on.
#include <chrono>
#include <thread>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/controllers/statefulset/claims.h"
#include "skiff/controllers/statefulset/identity.h"
#include "skiff/controllers/statefulset/stateful_set_controller.h"

namespace skiff::controllers::statefulset {

namespace json = boost::json;

namespace {

// client-go's retry.DefaultBackoff: 4 attempts, 10 ms growing fivefold.
constexpr int kUpdateAttempts = 4;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

std::string_view Name(const json::value& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string Namespace(const json::value& obj) {
  return std::string(api::GetString(obj, {"metadata", "namespace"}));
}

std::string Title(std::string_view verb) {
  std::string out(verb);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

// The claim names of the pod's ordinal, in template order.
std::vector<std::string> ClaimNames(const json::value& set, const json::value& pod) {
  std::vector<std::string> names;
  if (const json::array* templates = api::GetArray(set, {"spec", "volumeClaimTemplates"})) {
    for (const auto& t : *templates) names.push_back(ClaimName(Name(t), Name(set), Ordinal(pod)));
  }
  return names;
}

}  // namespace

void StatefulSetController::RecordPodEvent(std::string_view verb, const json::value& set,
                                           const json::value& pod, const absl::Status& err) {
  if (err.ok()) {
    recorder_.Record(
        set, "Normal", "Successful" + Title(verb),
        api::Cat(verb, " Pod ", Name(pod), " in StatefulSet ", Name(set), " successful"));
  } else {
    recorder_.Record(set, "Warning", "Failed" + Title(verb),
                     api::Cat(verb, " Pod ", Name(pod), " in StatefulSet ", Name(set),
                              " failed error: ", Message(err)));
  }
}

void StatefulSetController::RecordClaimEvent(std::string_view verb, const json::value& set,
                                             const json::value& pod, std::string_view claim,
                                             const absl::Status& err) {
  if (err.ok()) {
    recorder_.Record(set, "Normal", "Successful" + Title(verb),
                     api::Cat(verb, " Claim ", claim, " Pod ", Name(pod), " in StatefulSet ",
                              Name(set), " success"));
  } else {
    recorder_.Record(set, "Warning", "Failed" + Title(verb),
                     api::Cat(verb, " Claim ", claim, " for Pod ", Name(pod), " in StatefulSet ",
                              Name(set), " failed error: ", Message(err)));
  }
}

client::ObjPtr StatefulSetController::GetClaim(const std::string& ns,
                                               const std::string& name) const {
  return claims_.Get(ns, name);
}

absl::Status StatefulSetController::CreateStatefulPod(const json::value& set,
                                                      const json::value& pod) {
  if (absl::Status s = CreatePersistentVolumeClaims(set, pod); !s.ok()) {
    RecordPodEvent("create", set, pod, s);
    return s;
  }
  auto created = client_->Create(client::Pods(), Namespace(set), pod);
  // Someone (an earlier sync whose pod the informer has not shown yet) created it: no event.
  if (client::IsAlreadyExistsError(created.status())) return created.status();
  if (created.ok()) {
    expectations_.ExpectCreation(client::KeyOf(set), std::string(Name(pod)));
    // Set the claims' references as far as possible now.
    if (absl::Status s = UpdatePodClaimForRetentionPolicy(set, *created); !s.ok()) {
      RecordPodEvent("update", set, pod, s);
      return s;
    }
  }
  RecordPodEvent("create", set, pod, created.status());
  return created.status();
}

absl::Status StatefulSetController::UpdateStatefulPod(const json::value& set, json::value pod) {
  bool attempted = false;
  absl::Status result;
  auto delay = std::chrono::milliseconds(10);
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    bool consistent = true;
    if (!IdentityMatches(set, pod)) {
      UpdateIdentity(set, pod);
      consistent = false;
    }
    if (!StorageMatches(set, pod)) {
      UpdateStorage(set, pod);
      consistent = false;
      if (absl::Status s = CreatePersistentVolumeClaims(set, pod); !s.ok()) {
        RecordPodEvent("update", set, pod, s);
        return s;
      }
    }
    auto match = ClaimsMatchRetentionPolicy(set, pod);
    if (!match.ok()) {
      RecordPodEvent("update", set, pod, match.status());
      return match.status();
    }
    if (!*match) {
      if (absl::Status s = UpdatePodClaimForRetentionPolicy(set, pod); !s.ok()) {
        RecordPodEvent("update", set, pod, s);
        return s;
      }
      consistent = false;
    }
    if (consistent) {
      result = absl::OkStatus();
      break;
    }
    attempted = true;
    auto updated = client_->Update(client::Pods(), pod, "");
    result = updated.status();
    if (updated.ok() || !client::IsConflictError(result)) break;
    if (client::ObjPtr fresh = pods_.Get(Namespace(set), std::string(Name(pod)))) pod = *fresh;
    std::this_thread::sleep_for(delay);
    delay *= 5;
  }
  if (attempted) RecordPodEvent("update", set, pod, result);
  return result;
}

absl::Status StatefulSetController::DeleteStatefulPod(const json::value& set,
                                                      const json::value& pod) {
  absl::Status s = client_->Delete(client::Pods(), Namespace(pod), Name(pod));
  if (s.ok()) {
    expectations_.ExpectDeletion(client::KeyOf(set), std::string(Name(pod)),
                                 std::string(api::GetString(pod, {"metadata", "uid"})));
  }
  RecordPodEvent("delete", set, pod, s);
  return s;
}

absl::StatusOr<bool> StatefulSetController::ClaimsMatchRetentionPolicy(const json::value& set,
                                                                       const json::value& pod) {
  std::string ns = Namespace(set);
  for (const auto& name : ClaimNames(set, pod)) {
    client::ObjPtr claim = GetClaim(ns, name);
    // A missing claim is picked up on a later round.
    if (claim == nullptr) continue;
    if (!IsClaimOwnerUpToDate(*claim, set, pod)) return false;
  }
  return true;
}

absl::Status StatefulSetController::UpdatePodClaimForRetentionPolicy(const json::value& set,
                                                                     const json::value& pod) {
  std::string ns = Namespace(set);
  for (const auto& name : ClaimNames(set, pod)) {
    client::ObjPtr claim = GetClaim(ns, name);
    if (claim == nullptr) continue;
    if (HasUnexpectedController(*claim, set, pod)) {
      recorder_.Record(set, "Warning", "ConflictingController",
                       api::Cat("PersistentVolumeClaim ", name,
                                " has a conflicting OwnerReference that acts as a manging "
                                "controller, the retention policy is ignored for this claim"));
    }
    if (IsClaimOwnerUpToDate(*claim, set, pod)) continue;
    json::value updated = *claim;
    json::array refs = ClaimOwnerRefsForPolicy(*claim, set, pod);
    json::object& meta = updated.as_object()["metadata"].as_object();
    if (refs.empty()) {
      meta.erase("ownerReferences");
    } else {
      meta["ownerReferences"] = std::move(refs);
    }
    auto res = client_->Update(client::PersistentVolumeClaims(), std::move(updated), "");
    if (!res.ok()) {
      return absl::Status(res.status().code(),
                          api::Cat("could not update claim ", name,
                                   " for delete policy ownerRefs: ", Message(res.status())));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> StatefulSetController::PodClaimIsStale(const json::value& set,
                                                            const json::value& pod) {
  // Retained claims are meant to be reused.
  if (!RetentionPolicyOf(set).delete_when_scaled) return false;
  std::string ns = Namespace(set);
  for (const auto& name : ClaimNames(set, pod)) {
    client::ObjPtr claim = GetClaim(ns, name);
    if (claim == nullptr) continue;
    if (HasStaleOwnerRef(*claim, "v1", "Pod", Name(pod),
                         api::GetString(pod, {"metadata", "uid"}))) {
      return true;
    }
  }
  return false;
}

absl::Status StatefulSetController::CreatePersistentVolumeClaims(const json::value& set,
                                                                 const json::value& pod) {
  std::vector<std::string> errors;
  absl::StatusCode code = absl::StatusCode::kOk;
  auto fail = [&](const absl::Status& s, std::string message) {
    if (code == absl::StatusCode::kOk) code = s.code();
    errors.push_back(std::move(message));
  };
  std::string ns = Namespace(set);
  for (json::object& claim : ClaimsForOrdinal(set, Ordinal(pod))) {
    std::string name(api::GetString(json::value(claim["metadata"]), {"name"}));
    client::ObjPtr existing = GetClaim(ns, name);
    if (existing == nullptr) {
      auto created = client_->Create(client::PersistentVolumeClaims(), ns, json::value(claim));
      if (created.ok()) {
        RecordClaimEvent("create", set, pod, name, absl::OkStatus());
        continue;
      }
      if (!client::IsAlreadyExistsError(created.status())) {
        fail(created.status(),
             api::Cat("failed to create PVC ", name, ": ", Message(created.status())));
        RecordClaimEvent("create", set, pod, name, created.status());
        continue;
      }
      // The informer has not shown it yet: look at the stored claim.
      auto stored = client_->Get(client::PersistentVolumeClaims(), ns, name);
      if (!stored.ok()) {
        fail(stored.status(),
             api::Cat("failed to retrieve PVC ", name, ": ", Message(stored.status())));
        continue;
      }
      existing = std::make_shared<const json::value>(std::move(*stored));
    }
    const json::value* deleting = api::Find(*existing, {"metadata", "deletionTimestamp"});
    if (deleting != nullptr && !deleting->is_null()) {
      fail(absl::FailedPreconditionError(""), api::Cat("pvc ", name, " is being deleted"));
    }
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::Status(code, api::Join(errors, "; "));
}

absl::Status StatefulSetController::CreateMissingPersistentVolumeClaims(const json::value& set,
                                                                        const json::value& pod) {
  if (absl::Status s = CreatePersistentVolumeClaims(set, pod); !s.ok()) return s;
  if (absl::Status s = UpdatePodClaimForRetentionPolicy(set, pod); !s.ok()) {
    RecordPodEvent("update", set, pod, s);
    return s;
  }
  return absl::OkStatus();
}

}  // namespace skiff::controllers::statefulset
