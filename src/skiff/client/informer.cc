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
  if (ev.type == apiserver::EventType::kDeleted) {
    Remove(obj);
  } else {
    Upsert(std::move(obj));
  }
}

void Informer::Notify(const ObjPtr& old_obj, const ObjPtr& new_obj, bool deleted) const {
  for (const auto& h : handlers_) {
    if (deleted) {
      if (h.on_delete) h.on_delete(old_obj ? old_obj : new_obj);
    } else if (old_obj == nullptr) {
      if (h.on_add) h.on_add(new_obj);
    } else if (h.on_update) {
      h.on_update(old_obj, new_obj);
    }
  }
}

void Informer::Upsert(ObjPtr obj) {
  std::string key = KeyOf(*obj);
  ObjPtr old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ObjPtr& slot = objects_[key];
    old = std::move(slot);
    slot = obj;
  }
  Notify(old, obj, false);
}

void Informer::Remove(const ObjPtr& obj) {
  std::string key = KeyOf(*obj);
  ObjPtr old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it != objects_.end()) {
      old = std::move(it->second);
      objects_.erase(it);
    }
  }
  Notify(old, obj, true);
}

void Informer::Replace(std::vector<ObjPtr> objs) {
  std::map<std::string, ObjPtr> next;
  for (auto& o : objs) next[KeyOf(*o)] = std::move(o);
  std::map<std::string, ObjPtr> prev;
  {
    std::lock_guard<std::mutex> lock(mu_);
    prev.swap(objects_);
    objects_ = next;
  }
  for (const auto& [key, obj] : next) {
    auto it = prev.find(key);
    if (it == prev.end()) {
      Notify(nullptr, obj, false);
    } else if (api::GetString(*it->second, {"metadata", "resourceVersion"}) !=
               api::GetString(*obj, {"metadata", "resourceVersion"})) {
      Notify(it->second, obj, false);
    }
  }
  for (const auto& [key, obj] : prev) {
    if (!next.contains(key)) Notify(obj, obj, true);
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
