#include "skiff/api/patch/json_patch.h"

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
  std::string want;  // empty: an InvalidArgument error containing `error`
  std::string error = "";
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class JsonPatchTest : public ::testing::TestWithParam<Case> {};

TEST_P(JsonPatchTest, Applies) {
  const Case& c = GetParam();
  auto got = ApplyJsonPatch(J(c.doc), J(c.patch));
  if (c.want.empty()) {
    ASSERT_FALSE(got.ok()) << boost::json::serialize(*got);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(got.status().message()).find(c.error), std::string::npos)
        << got.status().message();
    return;
  }
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(boost::json::serialize(*got), Canon(c.want));
}

INSTANTIATE_TEST_SUITE_P(
    Ops, JsonPatchTest,
    ::testing::Values(
        Case{"AddMember", R"({"a":1})", R"([{"op":"add","path":"/b","value":2}])",
             R"({"a":1,"b":2})"},
        Case{"AddReplacesExistingMember", R"({"a":1,"b":2})",
             R"([{"op":"add","path":"/a","value":3}])", R"({"a":3,"b":2})"},
        Case{"AddInsertsIntoArray", R"({"a":[1,3]})", R"([{"op":"add","path":"/a/1","value":2}])",
             R"({"a":[1,2,3]})"},
        Case{"AddAtArrayEnd", R"({"a":[1]})", R"([{"op":"add","path":"/a/1","value":2}])",
             R"({"a":[1,2]})"},
        Case{"AddDashAppends", R"({"a":[1]})", R"([{"op":"add","path":"/a/-","value":{"x":1}}])",
             R"({"a":[1,{"x":1}]})"},
        Case{"AddWholeDocument", R"({"a":1})", R"([{"op":"add","path":"","value":[1]}])", R"([1])"},
        Case{"RemoveMemberKeepsOrder", R"({"a":1,"b":2,"c":3})", R"([{"op":"remove","path":"/a"}])",
             R"({"b":2,"c":3})"},
        Case{"RemoveArrayItem", R"({"a":[1,2,3]})", R"([{"op":"remove","path":"/a/0"}])",
             R"({"a":[2,3]})"},
        Case{"Replace", R"({"a":{"b":1}})", R"([{"op":"replace","path":"/a/b","value":"x"}])",
             R"({"a":{"b":"x"}})"},
        Case{"MoveMember", R"({"a":{"b":1},"c":{}})",
             R"([{"op":"move","from":"/a/b","path":"/c/d"}])", R"({"a":{},"c":{"d":1}})"},
        Case{"MoveArrayItem", R"({"a":[1,2,3]})", R"([{"op":"move","from":"/a/0","path":"/a/-"}])",
             R"({"a":[2,3,1]})"},
        Case{"MoveToItself", R"({"a":1})", R"([{"op":"move","from":"/a","path":"/a"}])",
             R"({"a":1})"},
        Case{"Copy", R"({"a":{"b":[1]}})", R"([{"op":"copy","from":"/a/b","path":"/c"}])",
             R"({"a":{"b":[1]},"c":[1]})"},
        Case{
            "TestPassesNumbersByValue", R"({"a":1,"b":[{"c":"x"}]})",
            R"([{"op":"test","path":"/a","value":1.0},{"op":"test","path":"/b","value":[{"c":"x"}]}])",
            R"({"a":1,"b":[{"c":"x"}]})"},
        Case{"EscapedPointer", R"({"a/b":{"m~n":1}})",
             R"([{"op":"replace","path":"/a~1b/m~0n","value":2}])", R"({"a/b":{"m~n":2}})"},
        Case{"EmptyKey", R"({"":1})", R"([{"op":"replace","path":"/","value":2}])", R"({"":2})"},
        Case{"KubectlRolloutUndo",
             R"({"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"3"}},
                 "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}})",
             R"([{"op":"replace","path":"/spec/template","value":{"metadata":{"labels":{"app":"web",
                 "pod-template-hash":"abc"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}},
                 {"op":"replace","path":"/metadata/annotations","value":{
                 "deployment.kubernetes.io/revision":"1"}}])",
             R"({"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"1"}},
                 "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web",
                 "pod-template-hash":"abc"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}})"},
        // Errors.
        Case{"PatchNotArray", R"({})", R"({"op":"add"})", "", "must be an array"},
        Case{"OpNotObject", R"({})", R"([1])", "", "operation 0: must be an object"},
        Case{"UnknownOp", R"({})", R"([{"op":"frob","path":"/a"}])", "", "unknown op \"frob\""},
        Case{"MissingPath", R"({})", R"([{"op":"remove"}])", "", "\"path\""},
        Case{"MissingValue", R"({})", R"([{"op":"add","path":"/a"}])", "", "needs a \"value\""},
        Case{"BadPointer", R"({})", R"([{"op":"add","path":"a","value":1}])", "", "start with '/'"},
        Case{"BadEscape", R"({})", R"([{"op":"add","path":"/a~2","value":1}])", "",
             "followed by 0 or 1"},
        Case{"AddMissingParent", R"({})", R"([{"op":"add","path":"/a/b","value":1}])", "",
             "path \"/a\" does not exist"},
        Case{"AddIndexOutOfRange", R"({"a":[1]})", R"([{"op":"add","path":"/a/3","value":1}])", "",
             "out of range"},
        Case{"LeadingZeroIndex", R"({"a":[1,2]})", R"([{"op":"replace","path":"/a/01","value":1}])",
             "", "does not exist"},
        Case{"RemoveMissing", R"({"a":1})", R"([{"op":"remove","path":"/b"}])", "",
             "remove: path \"/b\" does not exist"},
        Case{"RemoveDashIsNotAnIndex", R"({"a":[1]})", R"([{"op":"remove","path":"/a/-"}])", "",
             "does not exist"},
        Case{"ReplaceMissing", R"({"metadata":{}})",
             R"([{"op":"replace","path":"/metadata/annotations","value":{}}])", "",
             "replace: path \"/metadata/annotations\" does not exist"},
        Case{"MoveIntoChild", R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])",
             "", "into its own child"},
        Case{"CopyMissing", R"({})", R"([{"op":"copy","from":"/x","path":"/y"}])", "",
             "does not exist"},
        Case{"TestFails", R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])", "",
             "operation 0: test failed: value at \"/a\" is 1, not 2"},
        Case{"LaterOpFailsWholePatch", R"({"a":1})",
             R"([{"op":"add","path":"/b","value":2},{"op":"test","path":"/b","value":3}])", "",
             "operation 1: test failed"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace skiff::api::patch
