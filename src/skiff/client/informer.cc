#include "skiff/client/informer.h"

#include "skiff/api/object.h"

namespace skiff::client {

namespace json = boost::json;

std::string KeyOf(const json::value& obj) {
  std::string_view ns = api::GetString(obj, {"metadata", "namespace"});
  std::string_view name = api::GetString(obj, {"metadata", "name"});
  return ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
}

std::pair<std::string, std::string> SplitKey(const std::string& key) {
  size_t slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

ObjPtr Informer::Get(const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(ns.empty() ? name : ns + "/" + name);
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjPtr> Informer::List(const std::string& ns) const {
  std::vector<ObjPtr> out;
  std::lock_guard<std::mutex> lock(mu_);
  if (ns.empty()) {
    out.reserve(objects_.size());
    for (const auto& [k, v] : objects_) out.push_back(v);
    return out;
  }
  std::string prefix = ns + "/";
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    out.push_back(it->second);
  return out;
}

size_t Informer::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_.size();
}

void Informer::Apply(const apiserver::WatchEvent& ev) {
  auto obj = std::make_shared<const json::value>(json::parse(ev.object->json));
  std::string key = ev.object->ns.empty() ? ev.object->name : ev.object->ns + "/" + ev.object->name;
  ObjPtr old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it != objects_.end()) old = it->second;
    if (ev.type == apiserver::EventType::kDeleted) {
      objects_.erase(key);
    } else {
      objects_[key] = obj;
    }
  }
  for (const auto& h : handlers_) {
    if (ev.type == apiserver::EventType::kDeleted) {
      if (h.on_delete) h.on_delete(old ? old : obj);
    } else if (old == nullptr) {
      if (h.on_add) h.on_add(obj);
    } else if (h.on_update) {
      h.on_update(old, obj);
    }
  }
}

InformerFactory::InformerFactory(apiserver::WatchCache* cache) {
  for (const auto& r : api::AllResources()) informers_[&r] = std::make_unique<Informer>(r);
  cache->AddListener([this](const api::ResourceInfo& r, const apiserver::WatchEvent& ev) {
    Informer& inf = *informers_.at(&r);
    if (inf.active()) inf.Apply(ev);
  });
}

Informer& InformerFactory::For(const api::ResourceInfo& r) {
  Informer& inf = *informers_.at(&r);
  inf.Activate();
  return inf;
}

}  // namespace skiff::client
