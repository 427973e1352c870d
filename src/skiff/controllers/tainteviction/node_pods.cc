#include "skiff/controllers/tainteviction/node_pods.h"

#include "skiff/api/object.h"

namespace skiff::controllers::tainteviction {

NodePods::NodePods(client::Informer& pods) : pods_(pods) {
  pods_.AddHandlers({.on_add = [index = index_](const client::ObjPtr& p) { index->Put(*p); },
                     .on_update = [index = index_](const client::ObjPtr&,
                                                   const client::ObjPtr& p) { index->Put(*p); },
                     .on_delete = [index = index_](const client::ObjPtr& p) { index->Drop(*p); }});
}

void NodePods::Index::Put(const boost::json::value& pod) {
  std::string key = client::KeyOf(pod);
  std::string node(api::GetString(pod, {"spec", "nodeName"}));
  absl::MutexLock lock(&mu);
  auto it = node_of.find(key);
  if (it != node_of.end()) {
    if (it->second == node) return;
    auto bucket = by_node.find(it->second);
    bucket->second.erase(key);
    if (bucket->second.empty()) by_node.erase(bucket);
    node_of.erase(it);
  }
  if (node.empty()) return;
  node_of.emplace(key, node);
  by_node[node].insert(std::move(key));
}

void NodePods::Index::Drop(const boost::json::value& pod) {
  std::string key = client::KeyOf(pod);
  absl::MutexLock lock(&mu);
  auto it = node_of.find(key);
  if (it == node_of.end()) return;
  auto bucket = by_node.find(it->second);
  bucket->second.erase(key);
  if (bucket->second.empty()) by_node.erase(bucket);
  node_of.erase(it);
}

std::vector<std::string> NodePods::Keys(const std::string& node) const {
  absl::MutexLock lock(&index_->mu);
  auto it = index_->by_node.find(node);
  if (it == index_->by_node.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<client::ObjPtr> NodePods::On(const std::string& node) const {
  std::vector<client::ObjPtr> out;
  for (const std::string& key : Keys(node)) {
    auto [ns, name] = client::SplitKey(key);
    client::ObjPtr pod = pods_.Get(ns, name);
    if (pod != nullptr && api::GetString(*pod, {"spec", "nodeName"}) == node) {
      out.push_back(std::move(pod));
    }
  }
  return out;
}

}  // namespace skiff::controllers::tainteviction
