// The scheduler's volume binder (Kubernetes' SchedulerVolumeBinder): decides whether a pod's
// PersistentVolumeClaims can be satisfied on a node and binds them before the pod is bound.
//   PreFilter: every claim must exist, not be lost or being deleted, and be bound unless its
//     class binds WaitForFirstConsumer ("pod has unbound immediate PersistentVolumeClaims").
//   Filter: bound claims' volumes must admit the node (node affinity); each waiting claim needs
//     an Available volume that fits and admits the node, or a class that can provision there.
//   Reserve: assumes the choices in memory (a volume pre-bound to the claim, or the claim
//     annotated with the node), so later pods see them; Unreserve forgets them.
//   PreBind: writes them (volume claimRef; claim volume.kubernetes.io/selected-node) and waits
//     until the binder and the provisioner have bound every claim, or the bind timeout.
// Thread-safety: PreFilter, Reserve and Unreserve run on the scheduling thread, Filter on its
// worker threads, PreBind and Unreserve on binder threads; shared state is guarded by mu_.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/scheduler/plugins/volumebinding/volume_binding.h"

namespace skiff::scheduler::plugins {

struct SchedulerVolumeBinderOptions {
  // kube-scheduler's bindTimeoutSeconds: how long PreBind waits for claims to become bound.
  absl::Duration bind_timeout = absl::Seconds(600);
  // How often PreBind looks at the informers while it waits.
  absl::Duration poll_interval = absl::Milliseconds(20);
};

class SchedulerVolumeBinder : public VolumeBinder {
 public:
  // Reads claims, volumes, classes, pods and nodes from `informers` (register before the watch
  // cache starts); writes through `client`. Both must outlive the binder.
  SchedulerVolumeBinder(client::Client* client, client::InformerFactory* informers,
                        SchedulerVolumeBinderOptions options = {});

  Status PreFilter(const PodInfo& pod) override;
  Status Filter(const PodInfo& pod, const NodeInfo& node) const override;
  Status Reserve(const PodInfo& pod, const std::string& node) override;
  void Unreserve(const PodInfo& pod, const std::string& node) override;
  Status PreBind(const PodInfo& pod, const std::string& node) override;

  // Makes waiting and later PreBinds fail at once (the scheduler is shutting down).
  void Stop();

 private:
  // A pod's claims as PreFilter sorted them, with the volumes to choose from.
  struct PodClaims {
    std::string pod_uid;
    std::vector<client::ObjPtr> bound;    // fully bound claims
    std::vector<client::ObjPtr> delayed;  // unbound claims of WaitForFirstConsumer classes
    std::vector<client::ObjPtr> volumes;  // all volumes, as assumed (only with delayed claims)
  };
  // What Reserve decided for one pod on one node: assumed objects to write in PreBind.
  struct PodVolumes {
    std::vector<std::pair<client::ObjPtr, client::ObjPtr>> static_bindings;  // claim, volume
    std::vector<client::ObjPtr> provisions;  // claims annotated with the node
  };
  // An object assumed in memory before the API server has it.
  struct Assumed {
    client::ObjPtr object;
    int64_t base_rv = 0;  // the informer's version it was derived from
    std::set<std::string> pods;
  };

  absl::StatusOr<std::shared_ptr<const PodClaims>> Classify(const PodInfo& pod) const;
  std::shared_ptr<const PodClaims> ClaimsFor(const PodInfo& pod) const;
  // Kubernetes' FindPodVolumes: conflict reasons (empty: the node fits) and, in *out, the
  // choices. An error status for broken state (a class that vanished).
  Status FindPodVolumes(const PodClaims& claims, std::string_view node_name,
                        const boost::json::object* node_labels, PodVolumes* out) const;
  // The claim / volume as assumed, or as the informer has it when that is newer.
  client::ObjPtr Claim(const std::string& ns, const std::string& name) const;
  client::ObjPtr Volume(const std::string& name) const;
  std::vector<client::ObjPtr> Volumes() const;
  void Assume(std::map<std::string, Assumed>& cache, const std::string& key, client::ObjPtr obj,
              const std::string& pod_uid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Forget(const std::string& pod_uid);
  // Whether every claim PreBind wrote is bound; an error when binding can no longer succeed.
  absl::StatusOr<bool> CheckBindings(const PodInfo& pod, const std::string& node,
                                     const PodVolumes& written) const;

  client::Client* client_;
  client::Informer& claims_;
  client::Informer& volumes_;
  client::Informer& classes_;
  client::Informer& pods_;
  client::Informer& nodes_;
  const SchedulerVolumeBinderOptions options_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const PodClaims> current_ ABSL_GUARDED_BY(mu_);        // the pod PreFiltered last
  std::map<std::string, PodVolumes> reserved_ ABSL_GUARDED_BY(mu_);      // by pod uid
  std::map<std::string, Assumed> assumed_claims_ ABSL_GUARDED_BY(mu_);   // by "ns/name"
  std::map<std::string, Assumed> assumed_volumes_ ABSL_GUARDED_BY(mu_);  // by name
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace skiff::scheduler::plugins
