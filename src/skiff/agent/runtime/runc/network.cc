#include "skiff/agent/runtime/runc/network.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "skiff/agent/runtime/runc/namespaces.h"
#include "skiff/agent/runtime/runc/process.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"

namespace skiff::agent::runtime {

namespace json = boost::json;
using base::ErrnoStatus;
using base::UniqueFd;

namespace {

constexpr char kCniVersion[] = "1.0.0";

// Brings up "lo" in the calling thread's network namespace: what the CNI loopback plugin
// does, without the cost of starting it for every pod.
absl::Status LoopbackUp() {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock.ok()) return ErrnoStatus(errno, "socket");
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) return ErrnoStatus(errno, "read lo flags");
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0) return ErrnoStatus(errno, "bring lo up");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Gateway> GatewayOf(std::string_view subnet) {
  size_t slash = subnet.find('/');
  int64_t prefix = 0;
  in_addr addr;
  std::string net(subnet.substr(0, slash));
  if (slash == std::string_view::npos || !api::ParseInt64(subnet.substr(slash + 1), &prefix) ||
      prefix < 8 || prefix > 30 || ::inet_pton(AF_INET, net.c_str(), &addr) != 1) {
    return absl::InvalidArgumentError(
        api::Cat("pod subnet \"", subnet, "\" is not an IPv4 CIDR with a prefix from 8 to 30"));
  }
  uint32_t host = ntohl(addr.s_addr);
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  if ((host & ~mask) != 0) {
    return absl::InvalidArgumentError(api::Cat("pod subnet \"", subnet, "\" has host bits set"));
  }
  in_addr gw;
  gw.s_addr = htonl(host + 1);
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &gw, buf, sizeof buf);
  return Gateway{buf, static_cast<int>(prefix)};
}

std::string BridgeConfig(const PodNetworkOptions& options) {
  auto gw = GatewayOf(options.subnet);
  std::string gateway = gw.ok() ? gw->address : "";
  json::object range = {{"subnet", options.subnet}, {"gateway", gateway}};
  json::object ipam = {{"type", "host-local"},
                       {"ranges", json::array{json::array{range}}},
                       {"routes", json::array{json::object{{"dst", "0.0.0.0/0"}, {"gw", gateway}}}},
                       {"dataDir", options.state_dir}};
  // isGateway stays off: the plugin would switch on the host's IP forwarding. The runtime
  // gives the bridge its gateway address itself (EnsureBridge).
  json::object conf = {{"cniVersion", kCniVersion}, {"name", "skiff"},    {"type", "bridge"},
                       {"bridge", options.bridge},  {"isGateway", false}, {"ipMasq", false},
                       {"hairpinMode", true},       {"ipam", ipam}};
  return json::serialize(conf);
}

absl::StatusOr<std::string> ResultIPv4(std::string_view result_json) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(result_json.data(), result_json.size()), ec);
  if (ec) return absl::InternalError(api::Cat("CNI result is not JSON: ", result_json));
  if (const json::array* ips = api::GetArray(v, {"ips"})) {
    for (const json::value& ip : *ips) {
      std::string_view addr = api::GetString(ip, {"address"});
      std::string host(addr.substr(0, addr.find('/')));
      in_addr parsed;
      if (::inet_pton(AF_INET, host.c_str(), &parsed) == 1) return host;
    }
  }
  return absl::InternalError(api::Cat("CNI result has no IPv4 address: ", result_json));
}

absl::Status PodNetwork::EnsureBridge() {
  auto gw = GatewayOf(options_.subnet);
  if (!gw.ok()) return gw.status();
  if (options_.bridge.empty() || options_.bridge.size() > 15) {
    return absl::InvalidArgumentError(
        api::Cat("bridge name \"", options_.bridge, "\" must have 1 to 15 characters"));
  }
  const std::string& ip = options_.ip_binary;
  std::string cidr = api::Cat(gw->address, "/", gw->prefix);
  auto show = RunProcess({ip, "-o", "addr", "show", "dev", options_.bridge});
  if (!show.ok()) return show.status();
  if (show->exit_code != 0) {
    auto add = RunProcess({ip, "link", "add", "name", options_.bridge, "type", "bridge"});
    if (!add.ok()) return add.status();
    if (add->exit_code != 0 && add->err.find("File exists") == std::string::npos) {
      return absl::InternalError(api::Cat("create bridge ", options_.bridge, ": ", add->err));
    }
    show = RunProcess({ip, "-o", "addr", "show", "dev", options_.bridge});
    if (!show.ok()) return show.status();
  }
  if (show->out.find(api::Cat(" ", cidr, " ")) == std::string::npos) {
    auto addr = RunProcess({ip, "addr", "add", cidr, "dev", options_.bridge});
    if (!addr.ok()) return addr.status();
    if (addr->exit_code != 0 && addr->err.find("File exists") == std::string::npos) {
      return absl::InternalError(
          api::Cat("address ", cidr, " on bridge ", options_.bridge, ": ", addr->err));
    }
  }
  auto up = RunProcess({ip, "link", "set", options_.bridge, "up"});
  if (!up.ok()) return up.status();
  if (up->exit_code != 0) {
    return absl::InternalError(api::Cat("bring up bridge ", options_.bridge, ": ", up->err));
  }
  return absl::OkStatus();
}

absl::Status PodNetwork::CreateNetns(const std::string& path) {
  return PinNamespace(CLONE_NEWNET, path, LoopbackUp);
}

absl::Status PodNetwork::RemoveNetns(const std::string& path) { return UnpinNamespace(path); }

absl::StatusOr<std::string> PodNetwork::Invoke(const std::string& plugin,
                                               const std::string& command,
                                               const std::string& config,
                                               const std::string& sandbox_id,
                                               const std::string& netns, const std::string& ifname,
                                               const std::string& cni_args) {
  ProcessOptions opts;
  opts.env = {"CNI_COMMAND=" + command, "CNI_CONTAINERID=" + sandbox_id,    "CNI_NETNS=" + netns,
              "CNI_IFNAME=" + ifname,   "CNI_PATH=" + options_.cni_bin_dir, "CNI_ARGS=" + cni_args};
  opts.stdin_data = config;
  opts.timeout = absl::Seconds(30);
  auto r = RunProcess({options_.cni_bin_dir + "/" + plugin}, opts);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    // Plugins report errors as JSON on stdout ({"code":..,"msg":..,"details":..}).
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(r->out.data(), r->out.size()), ec);
    std::string msg =
        ec ? r->out + r->err
           : api::Cat(api::GetString(v, {"msg"}), " ", api::GetString(v, {"details"}));
    return absl::InternalError(api::Cat("CNI ", plugin, " ", command, " for sandbox ", sandbox_id,
                                        ": ", api::TrimAscii(msg)));
  }
  return r->out;
}

absl::StatusOr<std::string> PodNetwork::Attach(const std::string& sandbox_id,
                                               const std::string& netns,
                                               const std::string& preferred_ip) {
  std::string config = BridgeConfig(options_);
  absl::StatusOr<std::string> result = absl::UnknownError("no attempt");
  if (!preferred_ip.empty()) {
    result = Invoke("bridge", "ADD", config, sandbox_id, netns, "eth0",
                    "IgnoreUnknown=1;IP=" + preferred_ip);
  }
  if (!result.ok()) {
    if (!preferred_ip.empty()) Detach(sandbox_id, netns).IgnoreError();  // the half-done try
    result = Invoke("bridge", "ADD", config, sandbox_id, netns, "eth0", "");
  }
  if (!result.ok()) return result.status();
  return ResultIPv4(*result);
}

absl::Status PodNetwork::Detach(const std::string& sandbox_id, const std::string& netns) {
  // DEL releases the address even when the namespace is gone (an empty CNI_NETNS is allowed).
  std::string ns = ::access(netns.c_str(), F_OK) == 0 ? netns : "";
  auto r = Invoke("bridge", "DEL", BridgeConfig(options_), sandbox_id, ns, "eth0", "");
  return r.status();
}

}  // namespace skiff::agent::runtime
