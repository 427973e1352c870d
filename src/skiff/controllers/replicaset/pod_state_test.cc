#include "skiff/controllers/replicaset/pod_state.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/controllers/replicaset/test_pods.h"

namespace skiff::controllers::replicaset {
namespace {

using testing::kNow;
using testing::Pod;
using testing::PodSpec;

TEST(PodStateTest, DeletionCostAcceptsOnlyCanonicalInt32) {
  struct Case {
    std::optional<std::string> annotation;
    int32_t want;
  };
  const Case cases[] = {
      {std::nullopt, 0},
      {"0", 0},
      {"10", 10},
      {"-10", -10},
      {"+10", 0},
      {"010", 0},
      {"", 0},
      {"abc", 0},
      {"2147483647", 2147483647},
      {"2147483648", 0},
      {"-2147483648", -2147483647 - 1},
      {"-2147483649", 0},
      {"1.5", 0},
  };
  for (const auto& c : cases) {
    PodSpec s;
    s.cost = c.annotation;
    EXPECT_EQ(PodDeletionCost(*Pod(s)), c.want) << c.annotation.value_or("<none>");
  }
}

TEST(PodStateTest, ActiveExcludesTerminalAndDeletingPods) {
  struct Case {
    std::string phase;
    bool deleting;
    bool want;
  };
  const Case cases[] = {
      {"Pending", false, true},    {"Running", false, true}, {"Unknown", false, true},
      {"Succeeded", false, false}, {"Failed", false, false}, {"Running", true, false},
  };
  for (const auto& c : cases) {
    PodSpec s;
    s.phase = c.phase;
    s.deleting = c.deleting;
    EXPECT_EQ(IsPodActive(*Pod(s)), c.want) << c.phase << " deleting=" << c.deleting;
  }
}

TEST(PodStateTest, AvailableNeedsReadyForMoreThanMinReadySeconds) {
  struct Case {
    std::optional<absl::Duration> ready_for;  // nullopt: not ready
    int64_t min_ready;
    bool want;
  };
  const Case cases[] = {
      {std::nullopt, 0, false},      {absl::Seconds(0), 0, true},
      {absl::Seconds(9), 10, false}, {absl::Seconds(10), 10, false},  // strictly longer
      {absl::Seconds(11), 10, true},
  };
  for (const auto& c : cases) {
    PodSpec s;
    if (c.ready_for) s.ready_since = kNow - *c.ready_for;
    EXPECT_EQ(IsPodAvailable(*Pod(s), c.min_ready, kNow), c.want) << c.min_ready;
  }
  PodSpec no_time;
  no_time.ready_without_time = true;
  EXPECT_TRUE(IsPodReady(*Pod(no_time)));
  EXPECT_FALSE(IsPodAvailable(*Pod(no_time), 5, kNow));
  EXPECT_TRUE(IsPodAvailable(*Pod(no_time), 0, kNow));
}

TEST(PodStateTest, RestartsControllerRefAndKey) {
  PodSpec s;
  s.name = "web-abcde";
  s.restarts = 7;
  s.controller_uid = "rs-uid";
  auto pod = Pod(s);
  EXPECT_EQ(MaxContainerRestarts(*pod), 7);
  ASSERT_NE(ControllerRefOf(*pod), nullptr);
  EXPECT_EQ(api::GetString(*ControllerRefOf(*pod), {"uid"}), "rs-uid");
  EXPECT_EQ(PodKey(*pod), "default/web-abcde");
  EXPECT_EQ(ControllerRefOf(*Pod(PodSpec{})), nullptr);
}

}  // namespace
}  // namespace skiff::controllers::replicaset
