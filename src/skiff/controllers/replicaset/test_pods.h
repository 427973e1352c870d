// Test helpers: pods as JSON built from a few fields, for the replicaset unit tests.
// Header-only; used by tests only.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "skiff/base/time.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::replicaset::testing {

struct PodSpec {
  std::string name = "p";
  std::string uid;   // defaults to "uid-<name>"
  std::string node;  // spec.nodeName
  std::string phase = "Pending";
  std::optional<absl::Time> ready_since;  // Ready=True since then
  bool ready_without_time = false;        // Ready=True, no lastTransitionTime
  std::optional<std::string> cost;        // pod-deletion-cost annotation
  int restarts = 0;
  std::optional<absl::Time> created;
  bool deleting = false;
  boost::json::object labels = {{"app", "web"}};
  boost::json::value controller_uid = nullptr;  // a controller ownerReference to this uid
};

inline client::ObjPtr Pod(const PodSpec& s) {
  namespace json = boost::json;
  json::object meta{{"name", s.name},
                    {"namespace", "default"},
                    {"uid", s.uid.empty() ? "uid-" + s.name : s.uid},
                    {"labels", s.labels}};
  if (s.created) meta["creationTimestamp"] = base::FormatRfc3339(*s.created);
  if (s.deleting) meta["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  if (s.cost) {
    meta["annotations"] = json::object{{"controller.kubernetes.io/pod-deletion-cost", *s.cost}};
  }
  if (s.controller_uid.is_string()) {
    meta["ownerReferences"] = json::array{json::object{{"apiVersion", "apps/v1"},
                                                       {"kind", "ReplicaSet"},
                                                       {"name", "web"},
                                                       {"uid", s.controller_uid},
                                                       {"controller", true}}};
  }
  json::object status{{"phase", s.phase}};
  json::array conds;
  if (s.ready_since || s.ready_without_time) {
    json::object ready{{"type", "Ready"}, {"status", "True"}};
    if (s.ready_since) ready["lastTransitionTime"] = base::FormatRfc3339(*s.ready_since);
    conds.push_back(ready);
  } else {
    conds.push_back(json::object{{"type", "Ready"}, {"status", "False"}});
  }
  status["conditions"] = conds;
  status["containerStatuses"] =
      json::array{json::object{{"name", "a"}, {"restartCount", 0}},
                  json::object{{"name", "b"}, {"restartCount", s.restarts}}};
  json::object spec;
  if (!s.node.empty()) spec["nodeName"] = s.node;
  return std::make_shared<const json::value>(
      json::object{{"metadata", meta}, {"spec", spec}, {"status", status}});
}

inline const absl::Time kNow = absl::FromUnixSeconds(1800000000);

}  // namespace skiff::controllers::replicaset::testing
