#include "skiff/agent/runtime/runc/network.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace skiff::agent::runtime {
namespace {

namespace json = boost::json;

TEST(GatewayOfTest, Table) {
  EXPECT_EQ(GatewayOf("10.88.0.0/16")->address, "10.88.0.1");
  EXPECT_EQ(GatewayOf("10.88.0.0/16")->prefix, 16);
  EXPECT_EQ(GatewayOf("192.168.7.0/24")->address, "192.168.7.1");
  for (const char* bad : {"10.88.0.1/16", "10.88.0.0", "10.88.0.0/31", "nope/16", "10.88.0.0/x"}) {
    EXPECT_EQ(GatewayOf(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(std::string(GatewayOf("10.88.0.1/16").status().message()),
            "pod subnet \"10.88.0.1/16\" has host bits set");
}

TEST(BridgeConfigTest, OwnBridgeNoHostForwardingNoMasquerade) {
  PodNetworkOptions o;
  o.bridge = "skiff-t0";
  o.subnet = "10.88.4.0/24";
  o.state_dir = "/var/lib/skiff/runtime/cni";
  json::value c = json::parse(BridgeConfig(o));
  EXPECT_EQ(c.at("cniVersion").as_string(), "1.0.0");
  EXPECT_EQ(c.at("type").as_string(), "bridge");
  EXPECT_EQ(c.at("bridge").as_string(), "skiff-t0");
  EXPECT_EQ(c.at("isGateway").as_bool(), false);
  EXPECT_EQ(c.at("ipMasq").as_bool(), false);
  const json::value& ipam = c.at("ipam");
  EXPECT_EQ(ipam.at("type").as_string(), "host-local");
  EXPECT_EQ(ipam.at("dataDir").as_string(), "/var/lib/skiff/runtime/cni");
  EXPECT_EQ(ipam.at("ranges").at(0).at(0).at("subnet").as_string(), "10.88.4.0/24");
  EXPECT_EQ(ipam.at("ranges").at(0).at(0).at("gateway").as_string(), "10.88.4.1");
  EXPECT_EQ(ipam.at("routes").at(0).at("gw").as_string(), "10.88.4.1");
}

TEST(ResultIPv4Test, Table) {
  EXPECT_EQ(*ResultIPv4(R"({"cniVersion":"1.0.0","ips":[{"address":"fd00::5/64"},)"
                        R"({"address":"10.88.0.5/16","gateway":"10.88.0.1"}]})"),
            "10.88.0.5");
  EXPECT_FALSE(ResultIPv4(R"({"ips":[]})").ok());
  EXPECT_FALSE(ResultIPv4("not json").ok());
}

}  // namespace
}  // namespace skiff::agent::runtime
