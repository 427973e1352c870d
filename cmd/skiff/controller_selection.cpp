#include "cmd/skiff/controller_selection.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace skiff::cmd {

absl::StatusOr<ControllerSelection> ControllerSelection::Parse(
    std::string_view flag, const std::vector<std::string>& known,
    const std::set<std::string>& off_by_default) {
  std::set<std::string> on;
  std::set<std::string> off;
  bool star = false;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(flag.data(), flag.size()), ',')) {
    std::string item(absl::StripAsciiWhitespace(raw));
    if (item.empty()) continue;
    if (item == "*") {
      star = true;
      continue;
    }
    bool negate = item.front() == '-';
    std::string name = negate ? item.substr(1) : item;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError("--controllers: unknown controller \"" + name +
                                        "\" (known: " + absl::StrJoin(known, ", ") + ")");
    }
    (negate ? off : on).insert(name);
    (negate ? on : off).erase(name);
  }
  ControllerSelection out;
  for (const std::string& name : known) {
    if (off.count(name)) continue;
    if (on.count(name) || (star && !off_by_default.count(name))) out.enabled_.insert(name);
  }
  return out;
}

}  // namespace skiff::cmd
