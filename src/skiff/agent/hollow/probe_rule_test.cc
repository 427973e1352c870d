#include "skiff/agent/hollow/probe_rule.h"

#include <gtest/gtest.h>

namespace skiff::agent::hollow {
namespace {

namespace json = boost::json;

const absl::Time kStart = absl::FromUnixSeconds(1767225600);

struct Case {
  std::string name;
  std::string container;  // JSON
  absl::Duration since_start;
  bool started, ready;
  std::optional<absl::Duration> next_change;  // after kStart
};

TEST(HollowProbeTest, Rule) {
  std::vector<Case> cases = {
      {"no probes", R"({"image":"nginx"})", absl::ZeroDuration(), true, true, std::nullopt},
      {"passing exec", R"({"image":"nginx","readinessProbe":{"exec":{"command":["true"]}}})",
       absl::ZeroDuration(), true, true, std::nullopt},
      {"failing exec", R"({"image":"nginx","readinessProbe":{"exec":{"command":["false"]}}})",
       absl::Hours(1), true, false, std::nullopt},
      {"failing sh exit", R"({"readinessProbe":{"exec":{"command":["sh","-c","exit 1"]}}})",
       absl::Hours(1), true, false, std::nullopt},
      {"http with delay before",
       R"({"readinessProbe":{"httpGet":{"path":"/","port":80},"initialDelaySeconds":5}})",
       absl::Seconds(4), true, false, absl::Seconds(5)},
      {"http with delay after",
       R"({"readinessProbe":{"httpGet":{"path":"/","port":80},"initialDelaySeconds":5}})",
       absl::Seconds(5), true, true, std::nullopt},
      {"broken tag", R"({"image":"nginx:broken"})", absl::Hours(1), true, false, std::nullopt},
      {"failing startup", R"({"startupProbe":{"exec":{"command":["/bin/false"]}}})", absl::Hours(1),
       false, false, std::nullopt},
      {"startup delay gates readiness",
       R"({"startupProbe":{"tcpSocket":{"port":1},"initialDelaySeconds":10},
           "readinessProbe":{"tcpSocket":{"port":1},"initialDelaySeconds":3}})",
       absl::Seconds(5), false, false, absl::Seconds(10)},
      {"liveness ignored", R"({"livenessProbe":{"exec":{"command":["false"]}}})",
       absl::ZeroDuration(), true, true, std::nullopt},
  };
  for (const auto& c : cases) {
    ProbeVerdict v = HollowProbe(json::parse(c.container), kStart, kStart + c.since_start);
    EXPECT_EQ(v.started, c.started) << c.name;
    EXPECT_EQ(v.ready, c.ready) << c.name;
    std::optional<absl::Time> want;
    if (c.next_change) want = kStart + *c.next_change;
    EXPECT_EQ(v.next_change, want) << c.name;
  }
}

}  // namespace
}  // namespace skiff::agent::hollow
