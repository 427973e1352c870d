#include "skiff/scheduler/plugins/noderesources/fit.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

TEST(NodeResourcesFitTest, FilterTable) {
  // 2 cpu, 4Gi, 3 pods; one pod already requests 1 cpu and 1Gi.
  Snapshot snap = testing::SnapshotOf(
      {NodeBuilder("n1", "2", "4Gi", "3").Allocatable("ephemeral-storage", "10Gi")},
      {PodBuilder("existing").Req("1", "1Gi").Node("n1")});
  struct Case {
    const char* name;
    PodBuilder pod;
    std::string want;  // "" fits
  };
  PodBuilder gpu("gpu");
  gpu.Set({"spec", "containers"},
          json::parse(R"([{"name":"a","resources":{"requests":{"example.com/gpu":"1"}}}])"));
  PodBuilder disk("disk");
  disk.Set({"spec", "containers"},
           json::parse(R"([{"name":"a","resources":{"requests":{"ephemeral-storage":"11Gi"}}}])"));
  PodBuilder init("init");
  init.Req("500m").Set({"spec", "initContainers"},
                       json::parse(R"([{"name":"i","resources":{"requests":{"cpu":"1500m"}}}])"));
  const Case cases[] = {
      {"fits", PodBuilder("p").Req("1", "3Gi"), ""},
      {"no requests", PodBuilder("p"), ""},
      {"cpu", PodBuilder("p").Req("1001m"), "Insufficient cpu"},
      {"memory", PodBuilder("p").Req("", "3073Mi"), "Insufficient memory"},
      {"both", PodBuilder("p").Req("2", "4Gi"), "Insufficient cpu, Insufficient memory"},
      {"extended resource", gpu, "Insufficient example.com/gpu"},
      {"ephemeral storage", disk, "Insufficient ephemeral-storage"},
      {"init container needs more than the containers", init, "Insufficient cpu"},
  };
  NodeResourcesFit pl;
  for (const Case& c : cases) {
    Status s = testing::RunFilter(pl, *c.pod.Info(), snap, "n1");
    EXPECT_EQ(s.Message(), c.want) << c.name;
    if (!c.want.empty()) {
      EXPECT_EQ(s.code(), Code::kUnschedulable) << c.name;
    }
  }
  Snapshot full = testing::SnapshotOf({NodeBuilder("n1", "2", "4Gi", "1")},
                                      {PodBuilder("existing").Node("n1")});
  EXPECT_EQ(testing::RunFilter(pl, *PodBuilder("p").Info(), full, "n1").Message(), "Too many pods");
  EXPECT_EQ(testing::RunFilter(pl, *PodBuilder("p").Req("3").Info(), full, "n1").Message(),
            "Too many pods, Insufficient cpu");
}

TEST(NodeResourcesFitTest, LeastAllocatedScore) {
  Snapshot snap =
      testing::SnapshotOf({NodeBuilder("busy", "4", "8Gi"), NodeBuilder("idle", "4", "8Gi"),
                           NodeBuilder("nothing", "0", "0")},
                          {PodBuilder("existing").Req("1", "2Gi").Node("busy")});
  NodeResourcesFit pl;
  auto scores = testing::RunScore(pl, *PodBuilder("p").Req("1", "2Gi").Info(), snap);
  ASSERT_TRUE(scores);
  EXPECT_EQ(scores->normalized,
            (std::map<std::string, int64_t>{{"busy", 50}, {"idle", 75}, {"nothing", 0}}));
  // A pod without requests counts as 100m / 200Mi.
  scores = testing::RunScore(pl, *PodBuilder("p").Info(), snap);
  EXPECT_EQ(scores->normalized.at("idle"), 97);

  const std::tuple<int64_t, int64_t, int64_t> cases[] = {
      {0, 100, 100}, {50, 100, 50}, {100, 100, 0}, {150, 100, 0}, {1, 0, 0}, {1, 3, 66}};
  for (auto [req, cap, want] : cases) EXPECT_EQ(LeastRequestedScore(req, cap), want);
}

}  // namespace
}  // namespace skiff::scheduler::plugins
