#include "skiff/controllers/nodelifecycle/node_health.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/base/time.h"

namespace skiff::controllers::nodelifecycle {

namespace json = boost::json;

namespace {

const json::object* FindCondition(const json::value& node, std::string_view type) {
  if (const json::array* conds = api::GetArray(node, {"status", "conditions"})) {
    for (const auto& c : *conds) {
      if (c.is_object() && api::GetString(c, {"type"}) == type) return &c.get_object();
    }
  }
  return nullptr;
}

json::object* FindCondition(json::array& conds, std::string_view type) {
  for (auto& c : conds) {
    if (c.is_object() && api::GetString(c, {"type"}) == type) return &c.get_object();
  }
  return nullptr;
}

NodeHealth::Ready ReadyOf(const json::value& cond) {
  return {std::string(api::GetString(cond, {"status"})),
          std::string(api::GetString(cond, {"lastHeartbeatTime"})),
          std::string(api::GetString(cond, {"lastTransitionTime"}))};
}

// Labels lookup where a present but empty label counts as set.
const json::value* Label(const json::value& node, std::string_view key) {
  const json::object* labels = api::GetObject(node, {"metadata", "labels"});
  if (labels == nullptr) return nullptr;
  auto it = labels->find(key);
  return it == labels->end() ? nullptr : &it->value();
}

std::string LabelOr(const json::value& node, std::string_view key, std::string_view fallback) {
  const json::value* v = Label(node, key);
  if (v == nullptr) v = Label(node, fallback);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

}  // namespace

std::optional<std::string> ConditionStatus(const json::value& node, std::string_view type) {
  const json::object* c = FindCondition(node, type);
  if (c == nullptr) return std::nullopt;
  return std::string(api::GetString(*c, {"status"}));
}

HealthUpdate EvaluateNodeHealth(const NodeHealth* saved, const json::value& node,
                                const json::value* lease, absl::Time now,
                                const HealthTimings& timings) {
  HealthUpdate u;
  std::string_view created_text = api::GetString(node, {"metadata", "creationTimestamp"});
  absl::Time created = base::ParseRfc3339(created_text).value_or(absl::InfinitePast());
  const json::object* ready_cond = FindCondition(node, "Ready");
  std::optional<NodeHealth::Ready> current;
  if (ready_cond != nullptr) current = ReadyOf(*ready_cond);

  std::optional<NodeHealth> health;
  if (saved != nullptr) health = *saved;
  if (!current) {
    // Never posted: judged by the node's age against the longer startup grace period.
    u.observed_ready = "Unknown";
    u.grace = timings.startup_grace;
    if (health) {
      health->ready.reset();
    } else {
      health = NodeHealth{created, created, std::nullopt, std::nullopt};
    }
  } else {
    u.observed_ready = current->status;
    u.grace = timings.monitor_grace;
  }
  // A new heartbeat (or the first Ready seen) restarts the clock.
  if (!health) {
    health = NodeHealth{now, now, current, std::nullopt};
  } else if (!health->ready && current) {
    health = NodeHealth{now, now, current, std::nullopt};
  } else if (health->ready && current && health->ready->last_heartbeat != current->last_heartbeat) {
    absl::Time transition = health->ready->last_transition != current->last_transition
                                ? now
                                : health->ready_transition_timestamp;
    health = NodeHealth{now, transition, current, std::nullopt};
  }
  // So does a renewed Lease.
  std::optional<absl::Time> observed_renew;
  if (lease != nullptr) {
    observed_renew = base::ParseRfc3339(api::GetString(*lease, {"spec", "renewTime"}))
                         .value_or(absl::InfinitePast());
    std::optional<absl::Time> saved_renew = saved ? saved->lease_renew_time : std::nullopt;
    if (!saved_renew || *saved_renew < *observed_renew) {
      health->lease_renew_time = observed_renew;
      health->probe_timestamp = now;
    }
  }
  if (current) u.current_ready = current->status;

  if (now > health->probe_timestamp + u.grace) {
    std::string now_text = base::FormatRfc3339(now);
    const json::array* conds = api::GetArray(node, {"status", "conditions"});
    json::array updated = conds != nullptr ? *conds : json::array();
    for (std::string_view type : kKubeletConditions) {
      json::object* c = FindCondition(updated, type);
      if (c == nullptr) {
        updated.push_back(json::object{{"type", type},
                                       {"status", "Unknown"},
                                       {"lastHeartbeatTime", created_text},
                                       {"lastTransitionTime", now_text},
                                       {"reason", kNodeStatusNeverUpdatedReason},
                                       {"message", kNodeStatusNeverUpdatedMessage}});
      } else if (api::GetString(*c, {"status"}) != "Unknown") {
        (*c)["status"] = "Unknown";
        (*c)["reason"] = kNodeStatusUnknownReason;
        (*c)["message"] = kNodeStatusUnknownMessage;
        (*c)["lastTransitionTime"] = now_text;
      }
    }
    const json::object* new_ready = FindCondition(updated, "Ready");
    u.current_ready = std::string(api::GetString(*new_ready, {"status"}));
    if (ready_cond == nullptr || *new_ready != *ready_cond) {
      u.write = true;
      u.written = NodeHealth{health->probe_timestamp, now, ReadyOf(*new_ready), observed_renew};
      u.conditions = std::move(updated);
    }
  }
  u.health = std::move(*health);
  return u;
}

std::string ZoneKey(const json::value& node) {
  std::string zone =
      LabelOr(node, "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone");
  std::string region =
      LabelOr(node, "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region");
  if (region.empty() && zone.empty()) return "";
  return region + std::string(":\0:", 3) + zone;
}

std::string_view ZoneStateName(ZoneState s) {
  switch (s) {
    case ZoneState::kInitial:
      return "Initial";
    case ZoneState::kNormal:
      return "Normal";
    case ZoneState::kFullDisruption:
      return "FullDisruption";
    case ZoneState::kPartialDisruption:
      return "PartialDisruption";
  }
  return "";
}

ZoneHealth ComputeZoneState(std::span<const std::optional<std::string>> ready,
                            double unhealthy_threshold) {
  int ready_nodes = 0, not_ready = 0;
  for (const auto& r : ready) {
    if (r && *r == "True") {
      ++ready_nodes;
    } else {
      ++not_ready;
    }
  }
  if (ready_nodes == 0 && not_ready > 0) return {not_ready, ZoneState::kFullDisruption};
  if (not_ready > 2 &&
      static_cast<float>(not_ready) / static_cast<float>(not_ready + ready_nodes) >=
          static_cast<float>(unhealthy_threshold)) {
    return {not_ready, ZoneState::kPartialDisruption};
  }
  return {not_ready, ZoneState::kNormal};
}

std::vector<api::Taint> ConditionTaints(const json::value& node) {
  struct Rule {
    std::string_view type, status, key;
  };
  static constexpr Rule kRules[] = {
      {"Ready", "False", api::kTaintNodeNotReady},
      {"Ready", "Unknown", api::kTaintNodeUnreachable},
      {"MemoryPressure", "True", api::kTaintNodeMemoryPressure},
      {"DiskPressure", "True", api::kTaintNodeDiskPressure},
      {"NetworkUnavailable", "True", api::kTaintNodeNetworkUnavailable},
      {"PIDPressure", "True", api::kTaintNodePIDPressure},
  };
  std::vector<api::Taint> out;
  if (const json::array* conds = api::GetArray(node, {"status", "conditions"})) {
    for (const auto& c : *conds) {
      for (const Rule& r : kRules) {
        if (api::GetString(c, {"type"}) == r.type && api::GetString(c, {"status"}) == r.status) {
          out.push_back({std::string(r.key), "", std::string(api::kTaintEffectNoSchedule)});
        }
      }
    }
  }
  if (api::GetBool(node, {"spec", "unschedulable"})) {
    out.push_back(
        {std::string(api::kTaintNodeUnschedulable), "", std::string(api::kTaintEffectNoSchedule)});
  }
  return out;
}

bool IsConditionTaint(const api::Taint& taint) {
  if (taint.effect != api::kTaintEffectNoSchedule) return false;
  for (std::string_view key :
       {api::kTaintNodeUnschedulable, api::kTaintNodeNotReady, api::kTaintNodeUnreachable,
        api::kTaintNodeNetworkUnavailable, api::kTaintNodeMemoryPressure,
        api::kTaintNodeDiskPressure, api::kTaintNodePIDPressure}) {
    if (taint.key == key) return true;
  }
  return false;
}

api::Taint UnreachableNoExecute() {
  return {std::string(api::kTaintNodeUnreachable), "", std::string(api::kTaintEffectNoExecute)};
}

api::Taint NotReadyNoExecute() {
  return {std::string(api::kTaintNodeNotReady), "", std::string(api::kTaintEffectNoExecute)};
}

bool HasTaint(const json::value& node, const api::Taint& taint) {
  for (const api::Taint& t : api::ParseTaints(api::Find(node, {"spec", "taints"}))) {
    if (t.key == taint.key && t.effect == taint.effect) return true;
  }
  return false;
}

std::optional<json::array> SwapTaints(const json::value& node, std::span<const api::Taint> add,
                                      std::span<const api::Taint> remove,
                                      std::string_view time_added) {
  std::vector<api::Taint> taints = api::ParseTaints(api::Find(node, {"spec", "taints"}));
  bool changed = false;
  for (api::Taint a : add) {
    a.time_added = std::string(time_added);
    bool found = false;
    for (api::Taint& t : taints) {
      if (t.key != a.key || t.effect != a.effect) continue;
      found = true;
      if (!(t == a) || t.time_added != a.time_added) {
        t = a;
        changed = true;
      }
    }
    if (!found) {
      taints.push_back(std::move(a));
      changed = true;
    }
  }
  for (const api::Taint& r : remove) {
    auto gone = std::remove_if(taints.begin(), taints.end(), [&](const api::Taint& t) {
      return t.key == r.key && t.effect == r.effect;
    });
    if (gone != taints.end()) {
      taints.erase(gone, taints.end());
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  json::array out;
  for (const api::Taint& t : taints) out.push_back(t.ToJson());
  return out;
}

std::vector<api::Taint> TaintsMissingFrom(std::span<const api::Taint> a,
                                          std::span<const api::Taint> b) {
  std::vector<api::Taint> out;
  for (const api::Taint& t : a) {
    bool present = std::any_of(b.begin(), b.end(), [&](const api::Taint& u) {
      return u.key == t.key && u.effect == t.effect;
    });
    if (!present) out.push_back(t);
  }
  return out;
}

}  // namespace skiff::controllers::nodelifecycle
