#include "skiff/api/patch/merge_patch.h"

#include <ostream>
#include <string>

#include "gtest/gtest.h"
#include "skiff/api/patch/test_util.h"

namespace skiff::api::patch {
namespace {

using testing::Canon;
using testing::J;

struct Case {
  std::string name;
  std::string doc;
  std::string patch;
  std::string want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class MergePatchTest : public ::testing::TestWithParam<Case> {};

TEST_P(MergePatchTest, Applies) {
  const Case& c = GetParam();
  auto got = ApplyMergePatch(J(c.doc), J(c.patch));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(boost::json::serialize(*got), Canon(c.want));
}

// The first cases are RFC 7386's appendix A examples.
INSTANTIATE_TEST_SUITE_P(
    Rfc7386, MergePatchTest,
    ::testing::Values(
        Case{"ReplaceMember", R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
        Case{"AddMember", R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
        Case{"NullDeletes", R"({"a":"b"})", R"({"a":null})", R"({})"},
        Case{"NullDeletesKeepsOthers", R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
        Case{"ArrayReplaces", R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
        Case{"ScalarBecomesArray", R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
        Case{"NestedMerge", R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})",
             R"({"a":{"b":"d"}})"},
        Case{"ArraysAreNotMerged", R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
        Case{"WholeArray", R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
        Case{"ObjectOverArray", R"({"a":"b"})", R"(["c"])", R"(["c"])"},
        Case{"NullPatch", R"({"a":"foo"})", R"(null)", R"(null)"},
        Case{"StringPatch", R"({"a":"foo"})", R"("bar")", R"("bar")"},
        Case{"NullValueKeptInNewSubtreeIsDropped", R"({"e":null})", R"({"a":1})",
             R"({"e":null,"a":1})"},
        Case{"PatchOntoScalar", R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
        Case{"NestedNullInNewObject", R"({})", R"({"a":{"bb":{"ccc":null}}})",
             R"({"a":{"bb":{}}})"},
        // What kubectl sends.
        Case{"Cordon", R"({"spec":{"podCIDR":"10.0.0.0/24"}})",
             R"({"spec":{"unschedulable":true}})",
             R"({"spec":{"podCIDR":"10.0.0.0/24","unschedulable":true}})"},
        Case{"Uncordon", R"({"spec":{"unschedulable":true,"podCIDR":"x"}})",
             R"({"spec":{"unschedulable":null}})", R"({"spec":{"podCIDR":"x"}})"},
        Case{"Label", R"({"metadata":{"name":"n","labels":{"a":"1","b":"2"}}})",
             R"({"metadata":{"labels":{"a":null,"c":"3"}}})",
             R"({"metadata":{"name":"n","labels":{"b":"2","c":"3"}}})"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace skiff::api::patch
