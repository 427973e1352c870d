// Daemon pods and DaemonSets for the DaemonSet controller's pure tests.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "skiff/base/time.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::daemonset::testing {

inline const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

struct PodSpec {
  std::string name;
  std::string node;
  std::string hash = "new";
  bool ready = true;
  absl::Duration ready_for = absl::Minutes(1);  // before kNow
  std::string phase = "Running";
  bool deleting = false;
  bool bound = true;  // spec.nodeName set (else only the affinity term names the node)
  absl::Duration age = absl::Minutes(10);
};

inline client::ObjPtr Pod(const PodSpec& p) {
  namespace json = boost::json;
  json::object meta{{"name", p.name},
                    {"namespace", "default"},
                    {"creationTimestamp", base::FormatRfc3339(kNow - p.age)},
                    {"labels", {{"app", "d"}, {"controller-revision-hash", p.hash}}}};
  if (p.deleting) meta["deletionTimestamp"] = base::FormatRfc3339(kNow);
  json::object spec{{"affinity",
                     {{"nodeAffinity",
                       {{"requiredDuringSchedulingIgnoredDuringExecution",
                         {{"nodeSelectorTerms",
                           json::array{json::object{
                               {"matchFields", json::array{json::object{
                                                   {"key", "metadata.name"},
                                                   {"operator", "In"},
                                                   {"values", json::array{p.node}}}}}}}}}}}}}}};
  if (p.bound) spec["nodeName"] = p.node;
  json::object status{{"phase", p.phase}};
  status["conditions"] =
      json::array{json::object{{"type", "Ready"},
                               {"status", p.ready ? "True" : "False"},
                               {"lastTransitionTime", base::FormatRfc3339(kNow - p.ready_for)}}};
  return std::make_shared<const json::value>(json::object{
      {"metadata", std::move(meta)}, {"spec", std::move(spec)}, {"status", std::move(status)}});
}

}  // namespace skiff::controllers::daemonset::testing
