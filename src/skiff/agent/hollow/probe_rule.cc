#include "skiff/agent/hollow/probe_rule.h"

#include <string>
#include <vector>

#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/api/object.h"

namespace skiff::agent::hollow {

namespace json = boost::json;

namespace {

struct Probe {
  bool present = false;
  bool fails = false;
  absl::Duration delay;
};

Probe ReadProbe(const json::value& container, std::string_view which) {
  Probe p;
  const json::value* probe = api::Find(container, {which});
  if (probe == nullptr || !probe->is_object()) return p;
  p.present = true;
  p.delay = absl::Seconds(std::max<int64_t>(0, api::GetInt(*probe, {"initialDelaySeconds"})));
  if (const json::array* cmd = api::GetArray(*probe, {"exec", "command"})) {
    std::vector<std::string> argv;
    for (const auto& a : *cmd)
      if (a.is_string()) argv.emplace_back(a.get_string());
    std::optional<int> code = runtime::FiniteExitCode(argv, {});
    p.fails = code.has_value() && *code != 0;
  }
  return p;
}

}  // namespace

ProbeVerdict HollowProbe(const json::value& container, absl::Time started_at, absl::Time now) {
  ProbeVerdict v;
  Probe startup = ReadProbe(container, "startupProbe");
  Probe readiness = ReadProbe(container, "readinessProbe");
  if (startup.fails) return v;
  absl::Time started_time = started_at + (startup.present ? startup.delay : absl::ZeroDuration());
  v.started = now >= started_time;
  bool never_ready = readiness.fails || api::GetString(container, {"image"}).ends_with(":broken");
  // Readiness is suspended until started; its delay counts from the container's start.
  absl::Time ready_time = std::max(
      started_time, started_at + (readiness.present ? readiness.delay : absl::ZeroDuration()));
  v.ready = !never_ready && now >= ready_time;
  if (!v.started) {
    v.next_change = started_time;
  } else if (!never_ready && !v.ready) {
    v.next_change = ready_time;
  }
  return v;
}

}  // namespace skiff::agent::hollow
