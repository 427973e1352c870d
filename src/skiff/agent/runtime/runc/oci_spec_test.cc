#include "skiff/agent/runtime/runc/oci_spec.h"

#include <gtest/gtest.h>

namespace skiff::agent::runtime {
namespace {

namespace json = boost::json;

json::value ImageConfig(json::object config) { return json::object{{"config", config}}; }

ContainerConfig Ctr(std::vector<std::string> command, std::vector<std::string> args) {
  ContainerConfig c;
  c.name = "app";
  c.command = std::move(command);
  c.args = std::move(args);
  return c;
}

TEST(PlanProcessTest, CommandAndArgsFollowKubernetesRules) {
  json::value image =
      ImageConfig({{"Entrypoint", {"/entry", "-x"}}, {"Cmd", {"serve", "--port=80"}}});
  struct Case {
    std::vector<std::string> command, args, want;
  };
  std::vector<Case> cases = {
      {{}, {}, {"/entry", "-x", "serve", "--port=80"}},
      {{}, {"check"}, {"/entry", "-x", "check"}},
      {{"/bin/sh", "-c"}, {}, {"/bin/sh", "-c"}},
      {{"/bin/sh", "-c"}, {"echo hi"}, {"/bin/sh", "-c", "echo hi"}},
  };
  for (const Case& c : cases) {
    auto plan = PlanProcess(image, Ctr(c.command, c.args));
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->args, c.want);
  }
  auto cmd_only = PlanProcess(ImageConfig({{"Cmd", {"sh"}}}), Ctr({}, {}));
  EXPECT_EQ(cmd_only->args, std::vector<std::string>{"sh"});
  auto none = PlanProcess(ImageConfig({}), Ctr({}, {}));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(std::string(none.status().message()),
            "container app: no command specified and the image has no entrypoint or cmd");
}

TEST(PlanProcessTest, EnvWorkingDirAndUser) {
  json::value image = ImageConfig({{"Cmd", {"sh"}},
                                   {"Env", {"PATH=/bin", "LANG=C", "A=image"}},
                                   {"WorkingDir", "/srv"},
                                   {"User", "1000:50"}});
  ContainerConfig c = Ctr({}, {});
  c.env = {{"A", "pod"}, {"B", "x=y"}};
  auto plan = PlanProcess(image, c);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->env, (std::vector<std::string>{"PATH=/bin", "LANG=C", "A=pod", "B=x=y"}));
  EXPECT_EQ(plan->cwd, "/srv");
  EXPECT_EQ(plan->user, "1000:50");
  c.working_dir = "/data";
  EXPECT_EQ(PlanProcess(image, c)->cwd, "/data");
  auto bare = PlanProcess(ImageConfig({{"Cmd", {"sh"}}}), Ctr({}, {}));
  EXPECT_EQ(bare->cwd, "/");
  EXPECT_EQ(bare->env, std::vector<std::string>{
                           "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"});
}

TEST(ResolveUserTest, Table) {
  const char* passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
  const char* group = "root:x:0:\napp:x:1000:\nstaff:x:50:app,bob\nwheel:x:10:bob\n";
  struct Case {
    std::string user;
    uint32_t uid, gid;
    std::vector<uint32_t> extra;
  };
  std::vector<Case> cases = {
      {"", 0, 0, {}},
      {"root", 0, 0, {}},
      {"app", 1000, 1000, {50}},
      {"1000", 1000, 1000, {50}},
      {"app:staff", 1000, 50, {}},
      {"app:10", 1000, 10, {50}},
      {"4242", 4242, 0, {}},
      {"4242:4243", 4242, 4243, {}},
  };
  for (const Case& c : cases) {
    auto u = ResolveUser(c.user, passwd, group);
    ASSERT_TRUE(u.ok()) << c.user << ": " << u.status();
    EXPECT_EQ(u->uid, c.uid) << c.user;
    EXPECT_EQ(u->gid, c.gid) << c.user;
    EXPECT_EQ(u->additional_gids, c.extra) << c.user;
  }
  EXPECT_EQ(std::string(ResolveUser("nobody", passwd, group).status().message()),
            "unable to find user nobody: no matching entries in passwd file");
  EXPECT_EQ(std::string(ResolveUser("app:nogroup", passwd, group).status().message()),
            "unable to find group nogroup: no matching entries in group file");
}

TEST(ResourcesForTest, KubeletArithmetic) {
  struct Case {
    ContainerResources in;
    uint64_t shares;
    int64_t quota;
    uint64_t period;
    int64_t memory;
  };
  std::vector<Case> cases = {
      {{0, 0, 0}, 2, 0, 0, 0},
      {{1, 0, 0}, 2, 0, 0, 0},
      {{250, 500, 64 << 20}, 256, 50000, 100000, 64 << 20},
      {{1000, 2000, 0}, 1024, 200000, 100000, 0},
      {{0, 5, 0}, 2, 1000, 100000, 0},
  };
  for (const Case& c : cases) {
    OciResources r = ResourcesFor(c.in);
    EXPECT_EQ(r.cpu_shares, c.shares) << c.in.cpu_request_millis;
    EXPECT_EQ(r.cpu_quota, c.quota) << c.in.cpu_limit_millis;
    EXPECT_EQ(r.cpu_period, c.period) << c.in.cpu_limit_millis;
    EXPECT_EQ(r.memory_limit, c.memory);
  }
}

TEST(ToOciConfigTest, SecurityDefaultsNamespacesAndLimits) {
  OciSpec spec;
  spec.rootfs = "/r";
  spec.hostname = "web-0";
  spec.process.args = {"sh"};
  spec.process.uid = 1000;
  spec.process.gid = 50;
  spec.process.additional_gids = {10};
  spec.process.capabilities = DefaultCapabilities();
  spec.namespaces = {{"pid", ""}, {"network", "/run/ns/x"}};
  spec.cgroups_path = "/skiff/podu/c";
  spec.resources = ResourcesFor({500, 1000, 1 << 20});
  json::object c = ToOciConfig(spec);
  EXPECT_EQ(c.at("ociVersion").as_string(), "1.0.2");
  EXPECT_EQ(c.at("hostname").as_string(), "web-0");
  const json::object& p = c.at("process").as_object();
  EXPECT_EQ(p.at("noNewPrivileges").as_bool(), true);
  EXPECT_EQ(p.at("user").at("uid").as_uint64(), 1000u);
  EXPECT_EQ(p.at("user").at("additionalGids").at(0).as_uint64(), 10u);
  EXPECT_EQ(p.at("capabilities").at("bounding").as_array().size(), 14u);
  EXPECT_EQ(p.at("capabilities").at("effective").at(0).as_string(), "CAP_CHOWN");
  EXPECT_FALSE(p.at("capabilities").as_object().contains("ambient"));
  const json::object& l = c.at("linux").as_object();
  EXPECT_EQ(l.at("namespaces").at(0).as_object().contains("path"), false);
  EXPECT_EQ(l.at("namespaces").at(1).at("path").as_string(), "/run/ns/x");
  EXPECT_EQ(l.at("cgroupsPath").as_string(), "/skiff/podu/c");
  EXPECT_EQ(l.at("resources").at("cpu").at("shares").as_uint64(), 512u);
  EXPECT_EQ(l.at("resources").at("cpu").at("quota").as_int64(), 100000);
  EXPECT_EQ(l.at("resources").at("memory").at("limit").as_int64(), 1 << 20);
  EXPECT_EQ(l.at("maskedPaths").at(2).as_string(), "/proc/kcore");
}

TEST(DefaultMountsTest, AsContainerd) {
  std::vector<OciMount> m = DefaultMounts();
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0].destination, "/proc");
  EXPECT_EQ(m[4].options, (std::vector<std::string>{"nosuid", "noexec", "nodev", "ro"}));
}

}  // namespace
}  // namespace skiff::agent::runtime
