// Which pods are bound to which node: the spec.nodeName index Kubernetes' node controllers keep
// on their pod informer, fed from informer handlers (dispatch thread) and read by workers. The
// handlers share the index, so they stay safe after the owner is gone. Thread-safe.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::tainteviction {

class NodePods {
 public:
  // Registers handlers on the pod informer; call before the informers start.
  explicit NodePods(client::Informer& pods);

  // Pods bound to `node`, read from the informer (pods that left since are skipped).
  std::vector<client::ObjPtr> On(const std::string& node) const;
  // Keys ("ns/name") of the pods bound to `node`.
  std::vector<std::string> Keys(const std::string& node) const;

  // Handler bodies, public for tests that feed objects directly.
  void Put(const boost::json::value& pod) { index_->Put(pod); }
  void Drop(const boost::json::value& pod) { index_->Drop(pod); }

 private:
  struct Index {
    void Put(const boost::json::value& pod);
    void Drop(const boost::json::value& pod);
    mutable absl::Mutex mu;
    std::map<std::string, std::set<std::string>> by_node ABSL_GUARDED_BY(mu);
    std::map<std::string, std::string> node_of ABSL_GUARDED_BY(mu);  // pod key -> node
  };

  client::Informer& pods_;
  std::shared_ptr<Index> index_ = std::make_shared<Index>();
};

}  // namespace skiff::controllers::tainteviction
