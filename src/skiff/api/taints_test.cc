#include "skiff/api/taints.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

namespace json = boost::json;

TEST(TaintsTest, ToleratesTaintTable) {
  struct Case {
    const char* name;
    Toleration tol;
    Taint taint;
    bool want;
  };
  const Case cases[] = {
      {"equal key value effect", {"k", "Equal", "v", "NoSchedule"}, {"k", "v", "NoSchedule"}, true},
      {"empty operator means Equal", {"k", "", "v", "NoSchedule"}, {"k", "v", "NoSchedule"}, true},
      {"Equal needs the value", {"k", "Equal", "x", "NoSchedule"}, {"k", "v", "NoSchedule"}, false},
      {"Equal empty value matches empty", {"k", "Equal", "", ""}, {"k", "", "NoExecute"}, true},
      {"Exists ignores value", {"k", "Exists", "", "NoSchedule"}, {"k", "v", "NoSchedule"}, true},
      {"Exists with a value still ignores it",
       {"k", "Exists", "zzz", "NoSchedule"},
       {"k", "v", "NoSchedule"},
       true},
      {"other key", {"k2", "Exists", "", ""}, {"k", "v", "NoSchedule"}, false},
      {"empty effect matches every effect", {"k", "Exists", "", ""}, {"k", "v", "NoExecute"}, true},
      {"effect must be equal", {"k", "Exists", "", "NoExecute"}, {"k", "", "NoSchedule"}, false},
      {"PreferNoSchedule toleration vs NoSchedule taint",
       {"k", "Exists", "", "PreferNoSchedule"},
       {"k", "", "NoSchedule"},
       false},
      {"empty key Exists tolerates everything",
       {"", "Exists", "", ""},
       {"a", "b", "NoExecute"},
       true},
      {"empty key Exists with effect",
       {"", "Exists", "", "NoSchedule"},
       {"a", "b", "NoExecute"},
       false},
      {"empty key Equal compares values", {"", "Equal", "b", ""}, {"a", "b", "NoSchedule"}, true},
      {"unknown operator", {"k", "Lt", "5", ""}, {"k", "3", "NoSchedule"}, false},
      {"operator is case sensitive", {"k", "exists", "", ""}, {"k", "", "NoSchedule"}, false},
      {"all empty tolerates an empty-valued taint", {"", "", "", ""}, {"a", "", "NoExecute"}, true},
      {"all empty needs an empty value", {"", "", "", ""}, {"a", "b", "NoExecute"}, false},
      {"control-plane taint, Exists on its key",
       {"node-role.kubernetes.io/control-plane", "Exists", "", "NoSchedule"},
       {"node-role.kubernetes.io/control-plane", "", "NoSchedule"},
       true},
      {"control-plane taint, the retired master key",
       {"node-role.kubernetes.io/master", "Exists", "", "NoSchedule"},
       {"node-role.kubernetes.io/control-plane", "", "NoSchedule"},
       false},
      {"effect is case sensitive",
       {"k", "Exists", "", "noschedule"},
       {"k", "", "NoSchedule"},
       false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ToleratesTaint(c.tol, c.taint), c.want) << c.name;
  }
}

TEST(TaintsTest, ParsesJson) {
  json::value node = json::parse(R"({"taints":[
      {"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"},
      {"key":"dedicated","value":"gpu","effect":"NoExecute","timeAdded":"2025-01-02T03:04:05Z"},
      "junk"]})");
  std::vector<Taint> taints = ParseTaints(node.as_object().if_contains("taints"));
  ASSERT_EQ(taints.size(), 2u);
  EXPECT_EQ(taints[0].ToString(), "node-role.kubernetes.io/control-plane:NoSchedule");
  EXPECT_EQ(taints[1].ToString(), "dedicated=gpu:NoExecute");
  EXPECT_EQ(taints[1].time_added, "2025-01-02T03:04:05Z");
  EXPECT_EQ(
      json::serialize(taints[1].ToJson()),
      R"({"key":"dedicated","effect":"NoExecute","value":"gpu","timeAdded":"2025-01-02T03:04:05Z"})");

  json::value pod = json::parse(R"({"tolerations":[
      {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",
       "tolerationSeconds":300},
      {"operator":"Exists"}]})");
  std::vector<Toleration> tols = ParseTolerations(pod.as_object().if_contains("tolerations"));
  ASSERT_EQ(tols.size(), 2u);
  EXPECT_EQ(tols[0], (Toleration{"node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 300}));
  EXPECT_EQ(tols[1], (Toleration{"", "Exists", "", "", std::nullopt}));
  EXPECT_TRUE(ParseTaints(nullptr).empty());
  EXPECT_TRUE(ParseTolerations(nullptr).empty());
}

TEST(TaintsTest, FindUntoleratedTaintHonoursFilterAndOrder) {
  std::vector<Taint> taints = {
      {"soft", "", "PreferNoSchedule"}, {"a", "1", "NoSchedule"}, {"b", "2", "NoExecute"}};
  std::vector<Toleration> none;
  const Taint* t = FindUntoleratedTaint(taints, none, TaintFilter::kNoScheduleOrNoExecute);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->key, "a");
  t = FindUntoleratedTaint(taints, none, TaintFilter::kNoExecute);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->key, "b");
  std::vector<Toleration> tol_a = {{"a", "Equal", "1", "NoSchedule"}};
  t = FindUntoleratedTaint(taints, tol_a, TaintFilter::kNoScheduleOrNoExecute);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->key, "b");
  std::vector<Toleration> all = {{"", "Exists", "", ""}};
  EXPECT_EQ(FindUntoleratedTaint(taints, all, TaintFilter::kAll), nullptr);
  t = FindUntoleratedTaint(taints, tol_a, TaintFilter::kPreferNoSchedule);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->key, "soft");
}

TEST(TaintsTest, TaintPassesFilterTable) {
  struct Case {
    const char* effect;
    bool all, schedule_or_execute, execute, prefer;
  };
  const Case cases[] = {
      {"NoSchedule", true, true, false, false},
      {"NoExecute", true, true, true, false},
      {"PreferNoSchedule", true, false, false, true},
      {"", true, false, false, false},
  };
  for (const Case& c : cases) {
    Taint t{"k", "", c.effect};
    EXPECT_EQ(TaintPassesFilter(t, TaintFilter::kAll), c.all) << c.effect;
    EXPECT_EQ(TaintPassesFilter(t, TaintFilter::kNoScheduleOrNoExecute), c.schedule_or_execute)
        << c.effect;
    EXPECT_EQ(TaintPassesFilter(t, TaintFilter::kNoExecute), c.execute) << c.effect;
    EXPECT_EQ(TaintPassesFilter(t, TaintFilter::kPreferNoSchedule), c.prefer) << c.effect;
  }
  EXPECT_EQ(FindUntoleratedTaint({}, {}, TaintFilter::kAll), nullptr);
}

TEST(TaintsTest, MatchingTolerationsAndMinSeconds) {
  std::vector<Taint> taints = {{"node.kubernetes.io/unreachable", "", "NoExecute"},
                               {"node.kubernetes.io/not-ready", "", "NoExecute"}};
  std::vector<Toleration> tols = {
      {"node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 300},
      {"node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 120},
      {"other", "Exists", "", "NoExecute", 5},
  };
  auto matched = MatchingTolerations(taints, tols);
  ASSERT_TRUE(matched.has_value());
  ASSERT_EQ(matched->size(), 2u);
  EXPECT_EQ(MinTolerationSeconds(*matched), 120);
  std::vector<Toleration> only_one = {tols[0]};
  EXPECT_FALSE(MatchingTolerations(taints, only_one).has_value());
  EXPECT_EQ(MatchingTolerations({}, only_one)->size(), 0u);
  // Only the first toleration matching a taint is used: here the one without a time limit.
  std::vector<Toleration> forever_first = {{"node.kubernetes.io/unreachable", "Exists", "", ""},
                                           {"", "Exists", "", "NoExecute", 5}};
  auto first = MatchingTolerations(std::span(taints).first(1), forever_first);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, (std::vector<Toleration>{forever_first[0]}));
  EXPECT_EQ(MinTolerationSeconds(*first), std::nullopt);

  EXPECT_EQ(MinTolerationSeconds(std::vector<Toleration>{}), 0);
  EXPECT_EQ(MinTolerationSeconds(std::vector<Toleration>{{"k", "Exists", "", "NoExecute"}}),
            std::nullopt);
  EXPECT_EQ(MinTolerationSeconds(
                std::vector<Toleration>{{"k", "Exists", "", "", -5}, {"k", "Exists", "", "", 10}}),
            0);
  EXPECT_EQ(MinTolerationSeconds(
                std::vector<Toleration>{{"k", "Exists", "", "", 0}, {"k", "Exists", "", ""}}),
            0);
}

}  // namespace
}  // namespace skiff::api
