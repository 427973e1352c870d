// Plugin results (Kubernetes' framework.Status codes and reasons) and the Diagnosis of a failed
// scheduling attempt, with the exact FailedScheduling message kube-scheduler prints:
// "0/3 nodes are available: 1 node(s) had untolerated taint {a: b}, 2 Insufficient cpu. ...".
// Plain values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::scheduler {

enum class Code {
  kSuccess,
  kError,                         // an internal error; the pod is retried after backoff
  kUnschedulable,                 // may fit after preemption or a cluster change
  kUnschedulableAndUnresolvable,  // preemption cannot help on this node
  kSkip,                          // PreFilter / PreScore: the plugin has nothing to do
};

class Status {
 public:
  Status() = default;
  static Status Error(std::string message) { return Status(Code::kError, {std::move(message)}); }
  static Status Unschedulable(std::vector<std::string> reasons) {
    return Status(Code::kUnschedulable, std::move(reasons));
  }
  static Status Unschedulable(std::string reason) {
    return Status(Code::kUnschedulable, {std::move(reason)});
  }
  static Status Unresolvable(std::string reason) {
    return Status(Code::kUnschedulableAndUnresolvable, {std::move(reason)});
  }
  static Status Unresolvable(std::vector<std::string> reasons) {
    return Status(Code::kUnschedulableAndUnresolvable, std::move(reasons));
  }
  static Status Skip() { return Status(Code::kSkip, {}); }

  Code code() const { return code_; }
  bool ok() const { return code_ == Code::kSuccess; }
  bool IsSkip() const { return code_ == Code::kSkip; }
  bool IsRejected() const {
    return code_ == Code::kUnschedulable || code_ == Code::kUnschedulableAndUnresolvable;
  }
  const std::vector<std::string>& reasons() const { return reasons_; }
  // The reasons joined by ", ".
  std::string Message() const;
  // Index of the plugin that returned it (set by the framework); -1 when unknown.
  int plugin() const { return plugin_; }
  void set_plugin(int p) { plugin_ = p; }

 private:
  Status(Code c, std::vector<std::string> reasons) : code_(c), reasons_(std::move(reasons)) {}
  Code code_ = Code::kSuccess;
  std::vector<std::string> reasons_;
  int plugin_ = -1;
};

// Why no node fits a pod.
struct Diagnosis {
  std::vector<Status> node_statuses;  // one per node a filter rejected
  Status absent_status;               // for nodes not evaluated (PreFilter narrowed the set)
  int absent_nodes = 0;
  uint64_t rejecting_plugins = 0;  // bit i: plugin i rejected the pod somewhere
  std::string prefilter_msg;       // a PreFilter rejected the pod for every node
  std::string postfilter_msg;      // "preemption: ..."
};

// Kubernetes' FitError.Error(): "0/N nodes are available:" then the PreFilter message, or the
// histogram of node reasons ("<count> <reason>", sorted as strings, ", "-joined) ending in
// ".", then the PostFilter message.
std::string FitErrorMessage(int num_all_nodes, const Diagnosis& d);

}  // namespace skiff::scheduler
