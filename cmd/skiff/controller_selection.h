// Which in-process controllers `skiff server` runs, chosen with --controllers as in
// kube-controller-manager: "*" turns on every controller that is on by default, "name" turns
// one on, "-name" turns one off; later entries win over "*".
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff::cmd {

class ControllerSelection {
 public:
  // known: every controller name the server has; off_by_default: those "*" leaves off.
  static absl::StatusOr<ControllerSelection> Parse(
      std::string_view flag, const std::vector<std::string>& known,
      const std::set<std::string>& off_by_default = {});

  bool Enabled(std::string_view name) const { return enabled_.count(std::string(name)) > 0; }
  const std::set<std::string>& enabled() const { return enabled_; }

 private:
  std::set<std::string> enabled_;
};

}  // namespace skiff::cmd
