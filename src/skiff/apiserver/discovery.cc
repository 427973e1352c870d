#include "skiff/apiserver/discovery.h"

#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <vector>

#include "skiff/api/resources.h"

namespace skiff::apiserver {

namespace json = boost::json;

namespace {

struct SubresourceInfo {
  std::string_view group, version, kind;  // empty kind: same as parent
  std::vector<std::string_view> verbs;
};

SubresourceInfo Subresource(const api::ResourceInfo& r, std::string_view sub) {
  if (sub == "status") return {r.group, r.version, r.kind, {"get", "patch", "update"}};
  if (sub == "scale") return {"autoscaling", "v1", "Scale", {"get", "patch", "update"}};
  if (sub == "binding") return {"", "v1", "Binding", {"create"}};
  if (sub == "eviction") return {"policy", "v1", "Eviction", {"create"}};
  if (sub == "log") return {"", "v1", "Pod", {"get"}};
  if (sub == "exec") return {"", "v1", "PodExecOptions", {"create", "get"}};
  if (sub == "finalize") return {"", "v1", "Namespace", {"update"}};
  return {r.group, r.version, r.kind, {"get"}};
}

json::array Strings(const std::vector<std::string_view>& v) {
  json::array a;
  for (auto s : v) a.push_back(json::string(s));
  return a;
}

json::object Gvk(std::string_view g, std::string_view v, std::string_view k) {
  return json::object{{"group", g}, {"version", v}, {"kind", k}};
}

std::vector<std::string_view> Groups(bool core) {
  std::vector<std::string_view> out;
  for (const auto& r : api::AllResources()) {
    if (core != r.group.empty()) continue;
    bool seen = false;
    for (auto g : out) seen = seen || g == r.group;
    if (!seen) out.push_back(r.group);
  }
  return out;
}

std::string BuildAggregated(bool core, std::string_view version) {
  json::array items;
  for (std::string_view group : Groups(core)) {
    json::array resources;
    for (const auto& r : api::AllResources()) {
      if (r.group != group) continue;
      json::object e;
      e["resource"] = r.plural;
      e["responseKind"] = Gvk(r.group, r.version, r.kind);
      e["scope"] = r.namespaced ? "Namespaced" : "Cluster";
      e["singularResource"] = r.singular;
      e["verbs"] = Strings(r.verbs);
      if (!r.short_names.empty()) e["shortNames"] = Strings(r.short_names);
      if (!r.categories.empty()) e["categories"] = Strings(r.categories);
      json::array subs;
      for (auto s : r.subresources) {
        SubresourceInfo si = Subresource(r, s);
        json::object se;
        se["subresource"] = s;
        se["responseKind"] = Gvk(si.group, si.version, si.kind);
        se["verbs"] = Strings(si.verbs);
        subs.push_back(std::move(se));
      }
      if (!subs.empty()) e["subresources"] = std::move(subs);
      resources.push_back(std::move(e));
    }
    json::object ver{
        {"version", "v1"}, {"resources", std::move(resources)}, {"freshness", "Current"}};
    json::object item;
    item["metadata"] = json::object{{"name", group}, {"creationTimestamp", nullptr}};
    item["versions"] = json::array{std::move(ver)};
    items.push_back(std::move(item));
  }
  json::object list;
  list["kind"] = "APIGroupDiscoveryList";
  list["apiVersion"] = std::string("apidiscovery.k8s.io/") + std::string(version);
  list["metadata"] = json::object();
  list["items"] = std::move(items);
  return json::serialize(list);
}

json::object GroupEntry(std::string_view group) {
  std::string gv = std::string(group) + "/v1";
  json::object v{{"groupVersion", gv}, {"version", "v1"}};
  return json::object{{"name", group}, {"versions", json::array{v}}, {"preferredVersion", v}};
}

}  // namespace

const std::string& AggregatedDiscovery(bool core, std::string_view version) {
  static std::once_flag once;
  static std::map<std::pair<bool, std::string>, std::string>* cache;
  std::call_once(once, [] {
    cache = new std::map<std::pair<bool, std::string>, std::string>();
    for (bool c : {true, false})
      for (std::string v : {"v2", "v2beta1"}) (*cache)[{c, v}] = BuildAggregated(c, v);
  });
  return cache->at({core, version == "v2beta1" ? "v2beta1" : "v2"});
}

std::string LegacyApiVersions(std::string_view server_address) {
  json::object o;
  o["kind"] = "APIVersions";
  o["versions"] = json::array{"v1"};
  o["serverAddressByClientCIDRs"] =
      json::array{json::object{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}};
  return json::serialize(o);
}

const std::string& LegacyGroupList() {
  static const std::string kList = [] {
    json::array groups;
    for (auto g : Groups(false)) groups.push_back(GroupEntry(g));
    json::object o{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(groups)}};
    return json::serialize(o);
  }();
  return kList;
}

std::string LegacyGroup(std::string_view group) {
  for (auto g : Groups(false)) {
    if (g != group) continue;
    json::object o = GroupEntry(g);
    o["kind"] = "APIGroup";
    o["apiVersion"] = "v1";
    return json::serialize(o);
  }
  return {};
}

std::string LegacyResourceList(std::string_view group, std::string_view version) {
  json::array resources;
  for (const auto& r : api::AllResources()) {
    if (r.group != group || r.version != version) continue;
    json::object e;
    e["name"] = r.plural;
    e["singularName"] = r.singular;
    e["namespaced"] = r.namespaced;
    e["kind"] = r.kind;
    e["verbs"] = Strings(r.verbs);
    if (!r.short_names.empty()) e["shortNames"] = Strings(r.short_names);
    if (!r.categories.empty()) e["categories"] = Strings(r.categories);
    resources.push_back(std::move(e));
    for (auto s : r.subresources) {
      SubresourceInfo si = Subresource(r, s);
      json::object se;
      se["name"] = std::string(r.plural) + "/" + std::string(s);
      se["singularName"] = "";
      se["namespaced"] = r.namespaced;
      if (si.group != r.group || si.version != r.version) {
        se["group"] = si.group;
        se["version"] = si.version;
      }
      se["kind"] = si.kind;
      se["verbs"] = Strings(si.verbs);
      resources.push_back(std::move(se));
    }
  }
  if (resources.empty()) return {};
  json::object o;
  o["kind"] = "APIResourceList";
  o["apiVersion"] = "v1";
  o["groupVersion"] =
      group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  o["resources"] = std::move(resources);
  return json::serialize(o);
}

}  // namespace skiff::apiserver
