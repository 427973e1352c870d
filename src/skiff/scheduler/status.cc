#include "skiff/scheduler/status.h"

#include <algorithm>
#include <map>

#include "skiff/api/text.h"

namespace skiff::scheduler {

std::string Status::Message() const { return api::Join(reasons_, ", "); }

std::string FitErrorMessage(int num_all_nodes, const Diagnosis& d) {
  std::string msg = api::Cat("0/", num_all_nodes, " nodes are available:");
  if (!d.prefilter_msg.empty()) {
    api::AppendCat(&msg, " ", d.prefilter_msg, ".");
  } else {
    std::map<std::string, int> counts;
    for (const Status& s : d.node_statuses) {
      for (const std::string& r : s.reasons()) ++counts[r];
    }
    if (d.absent_nodes > 0) {
      for (const std::string& r : d.absent_status.reasons()) counts[r] += d.absent_nodes;
    }
    std::vector<std::string> parts;
    parts.reserve(counts.size());
    for (const auto& [reason, n] : counts) parts.push_back(api::Cat(n, " ", reason));
    std::sort(parts.begin(), parts.end());
    if (!parts.empty()) api::AppendCat(&msg, " ", api::Join(parts, ", "), ".");
  }
  if (!d.postfilter_msg.empty()) api::AppendCat(&msg, " ", d.postfilter_msg);
  return msg;
}

}  // namespace skiff::scheduler
