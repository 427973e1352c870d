#include "skiff/agent/runtime/runc/process.h"

#include <gtest/gtest.h>

namespace skiff::agent::runtime {
namespace {

TEST(RunProcessTest, OutputExitCodeStdinAndEnv) {
  auto r = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");

  ProcessOptions o;
  o.stdin_data = std::string(200000, 'x');
  o.env = {"SKIFF_TEST_VAR=v1", "PATH=/usr/bin:/bin"};
  auto cat = RunProcess({"/bin/sh", "-c", "wc -c; echo $SKIFF_TEST_VAR"}, o);
  ASSERT_TRUE(cat.ok());
  EXPECT_EQ(cat->out, "200000\nv1\n");

  auto killed = RunProcess({"/bin/sh", "-c", "kill -9 $$"});
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->exit_code, 137);
}

TEST(RunProcessTest, TimeoutKills) {
  ProcessOptions o;
  o.timeout = absl::Milliseconds(200);
  auto r = RunProcess({"/bin/sleep", "10"}, o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(RunProcessTest, MissingProgram) {
  auto r = RunProcess({"/nonexistent/program"});
  EXPECT_FALSE(r.ok() && r->exit_code == 0);
}

}  // namespace
}  // namespace skiff::agent::runtime
