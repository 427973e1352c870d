// Kubernetes field selectors (`?fieldSelector=metadata.name=x,status.phase!=Failed`): parsing
// with Kubernetes' escaping rules, the field labels each resource supports (the apiserver's
// field-label conversion plus the strategies' GetAttrs), and matching against objects.
// FieldSelector is an immutable value; the free functions are pure. Safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "skiff/api/resources.h"

namespace skiff::api {

class FieldSelector {
 public:
  enum class Op { kEquals, kDoubleEquals, kNotEquals };
  struct Requirement {
    std::string field;
    Op op = Op::kEquals;
    std::string value;  // unescaped
  };

  // Matches everything.
  FieldSelector() = default;

  // Terms are split on unescaped ','; each term splits at its first "!=", "==" or "=".
  // In values, `\,` `\=` `\\` are escapes and a bare ',' or '=' is an error. Terms are sorted
  // as Kubernetes does. Errors are InvalidArgument with Kubernetes' text, e.g.
  // "invalid selector: 'a'; can't understand 'a'".
  static absl::StatusOr<FieldSelector> Parse(std::string_view text);

  bool Empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

  // `value_of(field)` returns the object's value for a field label; nullopt counts as "" (as
  // Kubernetes' fields.Set does for absent keys).
  bool Matches(const std::function<std::optional<std::string>(std::string_view)>& value_of) const;

  // The value a selector pins `field` to with `=`/`==`, if any (lets a store narrow a list to
  // one name or namespace).
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;

  // "a=b,c!=d" with values re-escaped.
  std::string String() const;

 private:
  std::vector<Requirement> requirements_;
};

// The value of field label `field` on `obj` of resource `r`, or nullopt when Kubernetes does
// not support that field selector for the resource. Supported: metadata.name and
// metadata.namespace (every resource, except as noted below); pods spec.nodeName (and the
// legacy alias spec.host), spec.restartPolicy, spec.schedulerName, spec.serviceAccountName,
// spec.hostNetwork, status.phase, status.podIP, status.nominatedNodeName; core events
// involvedObject.{kind,namespace,name,uid,apiVersion,resourceVersion,fieldPath}, reason,
// reportingComponent, source, type; nodes spec.unschedulable (nodes: no metadata.namespace);
// namespaces status.phase (no metadata.namespace); secrets type; replicationcontrollers
// status.replicas.
std::optional<std::string> FieldValue(const ResourceInfo& r, const boost::json::value& obj,
                                      std::string_view field);

// OK when every field in `selector` is supported for `r`. Otherwise InvalidArgument with the
// message Kubernetes answers 400 with: "field label not supported: spec.foo" for kinds with a
// custom field list (pods, nodes, events, namespaces, secrets, replicationcontrollers), and
// "\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
// for the rest.
absl::Status ValidateFieldSelector(const ResourceInfo& r, const FieldSelector& selector);

// `selector.Matches` with FieldValue of `obj`.
bool FieldSelectorMatches(const ResourceInfo& r, const FieldSelector& selector,
                          const boost::json::value& obj);

}  // namespace skiff::api
