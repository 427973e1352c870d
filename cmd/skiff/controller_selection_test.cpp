#include "cmd/skiff/controller_selection.h"

#include <gtest/gtest.h>

namespace skiff::cmd {
namespace {

const std::vector<std::string> kKnown = {"deployment", "replicaset", "namespace", "bootstrap"};
const std::set<std::string> kOff = {"bootstrap"};

TEST(ControllerSelectionTest, Table) {
  struct Case {
    std::string flag;
    std::set<std::string> want;
  };
  const Case cases[] = {
      {"*", {"deployment", "replicaset", "namespace"}},
      {"*,-deployment", {"replicaset", "namespace"}},
      {"-deployment,*", {"replicaset", "namespace"}},
      {"*,bootstrap", {"deployment", "replicaset", "namespace", "bootstrap"}},
      {"namespace", {"namespace"}},
      {"", {}},
      {" replicaset , namespace ", {"replicaset", "namespace"}},
      {"deployment,-deployment", {}},
      {"-deployment,deployment", {"deployment"}},
  };
  for (const Case& c : cases) {
    auto sel = ControllerSelection::Parse(c.flag, kKnown, kOff);
    ASSERT_TRUE(sel.ok()) << c.flag;
    EXPECT_EQ(sel->enabled(), c.want) << c.flag;
  }
}

TEST(ControllerSelectionTest, UnknownNameIsAnError) {
  auto sel = ControllerSelection::Parse("*,-deploymnet", kKnown, kOff);
  ASSERT_FALSE(sel.ok());
  EXPECT_NE(std::string(sel.status().message()).find("\"deploymnet\""), std::string::npos);
}

}  // namespace
}  // namespace skiff::cmd
