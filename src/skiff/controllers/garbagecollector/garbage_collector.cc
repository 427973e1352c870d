#include "skiff/controllers/garbagecollector/garbage_collector.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers {

namespace json = boost::json;

GarbageCollector::GarbageCollector(apiserver::Registry* registry, apiserver::WatchCache* cache)
    : registry_(registry), cache_(cache) {}

GarbageCollector::~GarbageCollector() { Stop(); }

void GarbageCollector::Register() {
  cache_->AddListener(
      [this](const api::ResourceInfo& r, const apiserver::WatchEvent& ev) { OnEvent(r, ev); });
}

void GarbageCollector::Start() {
  worker_ = std::jthread([this] {
    while (auto uid = queue_.Get()) {
      Sync(*uid);
      queue_.Done(*uid);
    }
  });
}

void GarbageCollector::Stop() {
  queue_.ShutDown();
  if (worker_.joinable()) worker_.join();
}

void GarbageCollector::OnEvent(const api::ResourceInfo& r, const apiserver::WatchEvent& ev) {
  boost::system::error_code ec;
  json::value obj = json::parse(ev.object->json, ec);
  if (ec) return;
  Node node;
  node.r = &r;
  node.ns = ev.object->ns;
  node.name = ev.object->name;
  node.uid = std::string(api::GetString(obj, {"metadata", "uid"}));
  if (node.uid.empty()) return;
  node.deleting = api::Find(obj, {"metadata", "deletionTimestamp"}) != nullptr;
  if (const json::array* fins = api::GetArray(obj, {"metadata", "finalizers"}))
    for (const auto& f : *fins)
      if (f.is_string()) node.finalizers.emplace_back(f.get_string());
  if (const json::array* refs = api::GetArray(obj, {"metadata", "ownerReferences"})) {
    for (const auto& ref : *refs) {
      OwnerRef o;
      o.api_version = std::string(api::GetString(ref, {"apiVersion"}));
      o.kind = std::string(api::GetString(ref, {"kind"}));
      o.name = std::string(api::GetString(ref, {"name"}));
      o.uid = std::string(api::GetString(ref, {"uid"}));
      o.block = api::GetBool(ref, {"blockOwnerDeletion"});
      if (!o.uid.empty()) node.owners.push_back(std::move(o));
    }
  }
  std::vector<std::string> to_queue;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(node.uid);
    if (it != nodes_.end()) {
      for (const auto& o : it->second.owners) {
        auto deps = dependents_.find(o.uid);
        if (deps == dependents_.end()) continue;
        deps->second.erase(node.uid);
        if (deps->second.empty()) dependents_.erase(deps);
      }
    }
    // Owners waiting in foreground deletion re-check when a dependent changes or goes.
    for (const auto& o : node.owners) to_queue.push_back(o.uid);
    if (ev.type == apiserver::EventType::kDeleted) {
      nodes_.erase(node.uid);
      if (auto deps = dependents_.find(node.uid); deps != dependents_.end())
        to_queue.insert(to_queue.end(), deps->second.begin(), deps->second.end());
    } else {
      for (const auto& o : node.owners) dependents_[o.uid].insert(node.uid);
      bool interesting = !node.owners.empty() || node.deleting;
      nodes_[node.uid] = node;
      if (interesting) to_queue.push_back(node.uid);
    }
  }
  for (const auto& uid : to_queue) queue_.Add(uid);
}

std::vector<GarbageCollector::Node> GarbageCollector::DependentsOf(const std::string& uid) {
  std::vector<Node> out;
  std::lock_guard<std::mutex> lock(mu_);
  auto deps = dependents_.find(uid);
  if (deps == dependents_.end()) return out;
  out.reserve(deps->second.size());
  for (const auto& dependent : deps->second) {
    auto it = nodes_.find(dependent);
    if (it != nodes_.end()) out.push_back(it->second);
  }
  return out;
}

void GarbageCollector::Sync(const std::string& uid) {
  Node node;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(uid);
    if (it == nodes_.end()) return;
    node = it->second;
  }
  if (node.deleting) SyncDeleting(node);
  if (!node.owners.empty()) SyncOwners(node);
}

void GarbageCollector::RemoveFinalizer(const Node& node, const std::string& finalizer) {
  json::array rest;
  for (const auto& f : node.finalizers)
    if (f != finalizer) rest.push_back(json::string(f));
  json::value fins = rest.empty() ? json::value(nullptr) : json::value(std::move(rest));
  std::string patch =
      json::serialize(json::object{{"metadata", json::object{{"finalizers", fins}}}});
  apiserver::WriteOptions opts;
  opts.field_manager = "garbage-collector";
  opts.field_validation = "Ignore";
  auto res =
      registry_->Patch(*node.r, node.ns, node.name, "application/merge-patch+json", patch, opts);
  if (!res.ok() && res.status().code() != absl::StatusCode::kNotFound) {
    queue_.AddAfter(node.uid, std::chrono::milliseconds(500));
  }
}

void GarbageCollector::SyncDeleting(const Node& node) {
  auto has = [&](std::string_view f) {
    return std::find(node.finalizers.begin(), node.finalizers.end(), f) != node.finalizers.end();
  };
  apiserver::WriteOptions opts;
  opts.field_manager = "garbage-collector";
  opts.field_validation = "Ignore";
  if (has("orphan")) {
    for (const Node& dep : DependentsOf(node.uid)) {
      json::array kept;
      auto cur = cache_->Get(*dep.r, dep.r->Key(dep.ns, dep.name));
      if (cur == nullptr) continue;
      json::value obj = json::parse(cur->json);
      if (const json::array* refs = api::GetArray(obj, {"metadata", "ownerReferences"}))
        for (const auto& ref : *refs)
          if (api::GetString(ref, {"uid"}) != node.uid) kept.push_back(ref);
      json::value refs = kept.empty() ? json::value(nullptr) : json::value(std::move(kept));
      std::string patch =
          json::serialize(json::object{{"metadata", json::object{{"ownerReferences", refs}}}});
      auto res =
          registry_->Patch(*dep.r, dep.ns, dep.name, "application/merge-patch+json", patch, opts);
      if (!res.ok() && res.status().code() != absl::StatusCode::kNotFound) {
        queue_.AddAfter(node.uid, std::chrono::milliseconds(500));
        return;
      }
    }
    RemoveFinalizer(node, "orphan");
    return;
  }
  if (has("foregroundDeletion")) {
    std::vector<Node> deps = DependentsOf(node.uid);
    bool blocking = false;
    for (const Node& dep : deps) {
      if (!dep.deleting) {
        apiserver::DeleteOptions dopts;
        dopts.propagation_policy = "Foreground";
        dopts.precondition_uid = dep.uid;
        (void)registry_->Delete(*dep.r, dep.ns, dep.name, dopts);
      }
      for (const auto& o : dep.owners) blocking = blocking || (o.uid == node.uid && o.block);
    }
    if (blocking) return;  // re-queued when a dependent changes or goes away
    RemoveFinalizer(node, "foregroundDeletion");
  }
}

bool GarbageCollector::OwnerExists(const Node& node, const OwnerRef& ref) {
  std::string_view av = ref.api_version;
  size_t slash = av.find('/');
  std::string_view group = slash == std::string_view::npos ? "" : av.substr(0, slash);
  const api::ResourceInfo* r = api::FindKind(group, ref.kind);
  if (r == nullptr) return true;  // unknown kinds are never collected
  auto owner = cache_->Get(*r, r->Key(node.ns, ref.name));
  if (owner == nullptr) return false;
  json::value obj = json::parse(owner->json);
  return api::GetString(obj, {"metadata", "uid"}) == ref.uid;
}

void GarbageCollector::SyncOwners(const Node& node) {
  bool any_alive = false;
  bool owner_foreground = false;
  for (const auto& o : node.owners) {
    if (OwnerExists(node, o)) {
      any_alive = true;
      std::lock_guard<std::mutex> lock(mu_);
      auto it = nodes_.find(o.uid);
      if (it != nodes_.end() && it->second.deleting &&
          std::count(it->second.finalizers.begin(), it->second.finalizers.end(),
                     "foregroundDeletion"))
        owner_foreground = true;
    }
  }
  if (any_alive && !owner_foreground) return;
  if (node.deleting) return;
  apiserver::DeleteOptions dopts;
  dopts.propagation_policy = owner_foreground ? "Foreground" : "Background";
  dopts.precondition_uid = node.uid;
  auto res = registry_->Delete(*node.r, node.ns, node.name, dopts);
  if (res.ok()) {
    spdlog::debug("garbage collector deleted {} {}/{}", node.r->kind, node.ns, node.name);
  }
}

}  // namespace skiff::controllers
