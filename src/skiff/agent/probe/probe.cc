#include "skiff/agent/probe/probe.h"

namespace skiff::agent::probe {

std::string_view ResultName(Result r) {
  switch (r) {
    case Result::kSuccess:
      return "success";
    case Result::kWarning:
      return "warning";
    case Result::kFailure:
      return "failure";
    case Result::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace skiff::agent::probe
