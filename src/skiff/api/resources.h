// The table of resources Skiff serves: group, version, kind, plural, scope, short names,
// categories and subresources. Discovery, routing, OpenAPI and storage keys all read it.
// Immutable after static initialisation; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skiff::api {

struct ResourceInfo {
  std::string_view group;     // "" for the core group
  std::string_view version;   // "v1"
  std::string_view kind;      // "Deployment"
  std::string_view plural;    // "deployments"
  std::string_view singular;  // "deployment"
  bool namespaced = true;
  std::vector<std::string_view> short_names;
  std::vector<std::string_view> categories;
  std::vector<std::string_view> subresources;  // "status", "scale", "binding", ...
  std::vector<std::string_view> verbs;

  // "apps/v1", or "v1" for the core group.
  std::string GroupVersion() const {
    return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  }
  // "deployments.apps", or "pods" for the core group (as in Kubernetes error messages).
  std::string GroupResource() const {
    return group.empty() ? std::string(plural) : std::string(plural) + "." + std::string(group);
  }
  // "Deployment.apps" / "Pod", the qualified kind used in Invalid messages.
  std::string GroupKind() const {
    return group.empty() ? std::string(kind) : std::string(kind) + "." + std::string(group);
  }
  bool HasSubresource(std::string_view sub) const {
    for (auto s : subresources)
      if (s == sub) return true;
    return false;
  }
  // Storage key prefix for this resource: "/registry/apps/deployments/".
  std::string KeyPrefix() const;
  // Storage key of one object; `ns` is ignored for cluster-scoped resources.
  std::string Key(std::string_view ns, std::string_view name) const;
};

// All served resources, in discovery order.
const std::vector<ResourceInfo>& AllResources();

// Lookup by URL parts; nullptr when not served.
const ResourceInfo* FindResource(std::string_view group, std::string_view version,
                                 std::string_view plural);
// Lookup by group and kind ("apps", "Deployment"); nullptr when not served.
const ResourceInfo* FindKind(std::string_view group, std::string_view kind);

// The distinct group versions in discovery order: "v1" first, then "apps/v1", ...
std::vector<std::string> ServedGroupVersions();

}  // namespace skiff::api
