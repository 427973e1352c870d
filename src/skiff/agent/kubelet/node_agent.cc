#include "skiff/agent/kubelet/node_agent.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_join.h"
#include "skiff/agent/hollow/node_object.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "spdlog/spdlog.h"

namespace skiff::agent::kubelet {

namespace json = boost::json;
using api::GetString;

namespace {

constexpr std::string_view kNodeKey = "node";
constexpr std::string_view kLeaseKey = "lease";
constexpr std::string_view kHousekeepingKey = "housekeeping";
constexpr std::string_view kPodKey = "pod:";
constexpr std::string_view kSmp = "application/strategic-merge-patch+json";
constexpr std::string_view kKubeletVersion = "v1.32.0-skiff";

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string FormatUuid(std::string hex) {
  if (hex.size() < 32) return hex;
  return api::Cat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                  hex.substr(16, 4), "-", hex.substr(20, 12));
}

std::string DefaultRouteSourceIp() {
  // A connected UDP socket sends nothing; its local address is the default route's source.
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "127.0.0.1";
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(53);
  ::inet_pton(AF_INET, "192.0.2.1", &dst.sin_addr);  // TEST-NET-1: never contacted
  std::string out = "127.0.0.1";
  if (::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0) {
    sockaddr_in local{};
    socklen_t len = sizeof local;
    char buf[INET_ADDRSTRLEN];
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
        ::inet_ntop(AF_INET, &local.sin_addr, buf, sizeof buf) != nullptr) {
      out = buf;
    }
  }
  ::close(fd);
  return out;
}

std::chrono::milliseconds ToChrono(absl::Duration d) {
  return std::chrono::milliseconds(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

}  // namespace

HostInfo ReadHostInfo(const std::string& data_dir) {
  HostInfo h;
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  h.hostname = name;
  h.node_ip = DefaultRouteSourceIp();
  h.cpu_millis = std::max<long>(1, ::sysconf(_SC_NPROCESSORS_ONLN)) * 1000;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  while (meminfo >> key >> kb) {
    if (key == "MemTotal:") h.memory_bytes = kb * 1024;
    meminfo.ignore(256, '\n');
  }
  struct statvfs fs;
  if (::statvfs(data_dir.c_str(), &fs) == 0) {
    h.ephemeral_storage_bytes = static_cast<int64_t>(fs.f_blocks) * fs.f_frsize;
  }
  h.machine_id = ReadFirstLine("/etc/machine-id");
  std::string uuid = ReadFirstLine("/sys/class/dmi/id/product_uuid");
  h.system_uuid = uuid.empty() ? FormatUuid(h.machine_id) : uuid;
  h.boot_id = ReadFirstLine("/proc/sys/kernel/random/boot_id");
  struct utsname u;
  if (::uname(&u) == 0) h.kernel_version = u.release;
  std::ifstream os("/etc/os-release");
  std::string line;
  while (std::getline(os, line)) {
    if (line.starts_with("PRETTY_NAME=")) {
      h.os_image = line.substr(12);
      if (h.os_image.size() >= 2 && h.os_image.front() == '"') {
        h.os_image = h.os_image.substr(1, h.os_image.size() - 2);
      }
    }
  }
  if (h.os_image.empty()) h.os_image = "Linux";
  return h;
}

json::value BuildAgentNode(std::string_view name, const HostInfo& host,
                           const std::map<std::string, std::string>& labels,
                           const std::vector<json::object>& taints, absl::Time now) {
  json::object l{{"beta.kubernetes.io/arch", "amd64"},
                 {"beta.kubernetes.io/os", "linux"},
                 {"kubernetes.io/arch", "amd64"},
                 {"kubernetes.io/hostname", name},
                 {"kubernetes.io/os", "linux"}};
  for (const auto& [k, v] : labels) l[k] = v;
  json::object meta{
      {"name", name},
      {"labels", std::move(l)},
      {"annotations",
       json::object{{"node.alpha.kubernetes.io/ttl", "0"},
                    {"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}};
  json::object spec;
  if (!taints.empty()) {
    json::array t;
    for (const auto& taint : taints) t.push_back(taint);
    spec["taints"] = std::move(t);
  }
  // Allocatable = capacity: no system or kube reservations are configured.
  json::object resources{
      {"cpu", api::Cat(host.cpu_millis % 1000 == 0 ? api::Cat(host.cpu_millis / 1000)
                                                   : api::Cat(host.cpu_millis, "m"))},
      {"memory", api::Cat(host.memory_bytes / 1024, "Ki")},
      {"ephemeral-storage", api::Cat(host.ephemeral_storage_bytes / 1024, "Ki")},
      {"hugepages-1Gi", "0"},
      {"hugepages-2Mi", "0"},
      {"pods", api::Cat(host.max_pods)}};
  json::object info{{"architecture", "amd64"},
                    {"bootID", host.boot_id},
                    {"containerRuntimeVersion", host.runtime_version},
                    {"kernelVersion", host.kernel_version},
                    {"kubeProxyVersion", kKubeletVersion},
                    {"kubeletVersion", kKubeletVersion},
                    {"machineID", host.machine_id},
                    {"operatingSystem", "linux"},
                    {"osImage", host.os_image},
                    {"systemUUID", host.system_uuid}};
  json::object status{
      {"capacity", resources},
      {"allocatable", resources},
      {"conditions", hollow::NodeConditions(nullptr, now)},
      {"addresses", json::array{json::object{{"type", "InternalIP"}, {"address", host.node_ip}},
                                json::object{{"type", "Hostname"}, {"address", host.hostname}}}},
      {"daemonEndpoints",
       json::object{{"kubeletEndpoint", json::object{{"Port", host.kubelet_port}}}}},
      {"nodeInfo", std::move(info)}};
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Node"},
                      {"metadata", std::move(meta)},
                      {"spec", std::move(spec)},
                      {"status", std::move(status)}};
}

NodeAgent::NodeAgent(client::Client* client, client::Informer* pods, Kubelet* kubelet,
                     NodeAgentOptions options)
    : client_(client),
      pods_(pods),
      kubelet_(kubelet),
      options_(std::move(options)),
      recorder_(client, "kubelet", options_.node_name, *options_.clock) {}

NodeAgent::~NodeAgent() { Stop(); }

void NodeAgent::Register() {
  client::EventHandlers h;
  h.on_add = [this](const client::ObjPtr& p) { OnPod(p); };
  h.on_update = [this](const client::ObjPtr&, const client::ObjPtr& p) { OnPod(p); };
  h.on_delete = [this](const client::ObjPtr& p) {
    queue_.Add(api::Cat(kPodKey, client::KeyOf(*p)));
  };
  pods_->AddHandlers(std::move(h));
}

bool NodeAgent::OnThisNode(const json::value& pod) const {
  return GetString(pod, {"spec", "nodeName"}) == options_.node_name;
}

void NodeAgent::OnPod(const client::ObjPtr& pod) {
  if (!OnThisNode(*pod)) return;
  queue_.Add(api::Cat(kPodKey, client::KeyOf(*pod)));
}

void NodeAgent::Start() {
  if (!workers_.empty()) return;
  // A probe that finished off the sync threads: sync its pod so that the result counts.
  kubelet_->SetProbeListener(
      [this](const std::string& key) { queue_.Add(api::Cat(kPodKey, key)); });
  queue_.Add(std::string(kNodeKey));
  queue_.Add(std::string(kHousekeepingKey));
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { Work(); });
}

void NodeAgent::Stop() {
  kubelet_->SetProbeListener(nullptr);
  queue_.ShutDown();
  workers_.clear();
}

void NodeAgent::Work() {
  while (auto key = queue_.Get()) {
    Sync(*key);
    queue_.Done(*key);
  }
}

void NodeAgent::Sync(const std::string& key) {
  if (key == kNodeKey) return SyncNode();
  if (key == kLeaseKey) return SyncLease();
  if (key == kHousekeepingKey) return SyncHousekeeping();
  if (std::string_view(key).starts_with(kPodKey)) return SyncPod(key.substr(kPodKey.size()));
}

void NodeAgent::SyncNode() {
  absl::Time now = options_.clock->Now();
  const std::string key(kNodeKey);
  if (!registered_) {
    json::value node =
        BuildAgentNode(options_.node_name, options_.host, options_.labels, options_.taints, now);
    auto created = client_->Create(client::Nodes(), "", node);
    std::string uid;
    if (created.ok()) {
      uid = std::string(GetString(*created, {"metadata", "uid"}));
    } else if (client::IsAlreadyExistsError(created.status())) {
      // Registered before (an agent restart): refresh labels and the whole status.
      json::object patch{
          {"metadata", json::object{{"labels", *api::Find(node, {"metadata", "labels"})}}}};
      auto patched = client_->Patch(client::Nodes(), "", options_.node_name,
                                    "application/merge-patch+json", json::serialize(patch));
      if (!patched.ok()) {
        spdlog::warn("node {}: cannot update the existing Node: {}", options_.node_name,
                     std::string(patched.status().message()));
        queue_.AddAfter(key, std::chrono::seconds(2));
        return;
      }
      uid = std::string(GetString(*patched, {"metadata", "uid"}));
      json::object status = node.at("status").as_object();
      status["conditions"] = hollow::NodeConditions(&*patched, now);
      auto st =
          client_->Patch(client::Nodes(), "", options_.node_name, kSmp,
                         json::serialize(json::object{{"status", std::move(status)}}), "status");
      if (!st.ok()) {
        queue_.AddAfter(key, std::chrono::seconds(2));
        return;
      }
    } else {
      spdlog::warn("node {}: registration failed: {}", options_.node_name,
                   std::string(created.status().message()));
      queue_.AddAfter(key, std::chrono::seconds(2));
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      node_uid_ = uid;
    }
    registered_ = true;
    spdlog::info("node {}: registered ({}, {})", options_.node_name, options_.host.node_ip,
                 options_.host.runtime_version);
    queue_.Add(std::string(kLeaseKey));
    queue_.AddAfter(key, ToChrono(options_.status_report_interval));
    // Pods bound before the node (re)appeared.
    for (const client::ObjPtr& pod : pods_->List()) OnPod(pod);
    return;
  }
  auto current = client_->Get(client::Nodes(), "", options_.node_name);
  if (client::IsNotFoundError(current.status())) {
    registered_ = false;  // deleted: register again
    queue_.Add(key);
    return;
  }
  json::object patch{
      {"status", json::object{{"conditions",
                               hollow::NodeConditions(current.ok() ? &*current : nullptr, now)}}}};
  auto res = client_->Patch(client::Nodes(), "", options_.node_name, kSmp, json::serialize(patch),
                            "status");
  if (!res.ok()) {
    spdlog::warn("node {}: status report failed: {}", options_.node_name,
                 std::string(res.status().message()));
    queue_.AddAfter(key, std::chrono::seconds(2));
    return;
  }
  queue_.AddAfter(key, ToChrono(options_.status_report_interval));
}

void NodeAgent::SyncLease() {
  const std::string key(kLeaseKey);
  std::string uid, rv;
  {
    absl::MutexLock lock(&mu_);
    uid = node_uid_;
    rv = lease_rv_;
  }
  absl::Time now = options_.clock->Now();
  json::value lease =
      hollow::BuildLease(options_.node_name, uid, options_.lease_duration_seconds, now);
  absl::StatusOr<json::value> res = absl::UnknownError("unset");
  if (!rv.empty()) {
    api::EnsureObject(lease, {"metadata"})["resourceVersion"] = rv;
    res = client_->Update(client::Leases(), lease);
  }
  if (rv.empty() || !res.ok()) {
    auto got = client_->Get(client::Leases(), hollow::kLeaseNamespace, options_.node_name);
    if (client::IsNotFoundError(got.status())) {
      api::EnsureObject(lease, {"metadata"}).erase("resourceVersion");
      res = client_->Create(client::Leases(), hollow::kLeaseNamespace, lease);
    } else if (got.ok()) {
      api::EnsureObject(lease, {"metadata"})["resourceVersion"] =
          GetString(*got, {"metadata", "resourceVersion"});
      res = client_->Update(client::Leases(), lease);
    } else {
      res = got.status();
    }
  }
  {
    absl::MutexLock lock(&mu_);
    lease_rv_ = res.ok() ? std::string(GetString(*res, {"metadata", "resourceVersion"})) : "";
  }
  if (!res.ok()) {
    spdlog::warn("node {}: lease renewal failed: {}", options_.node_name,
                 std::string(res.status().message()));
    queue_.AddAfter(key, std::chrono::seconds(2));
    return;
  }
  queue_.AddAfter(key, ToChrono(options_.lease_renew_interval));
}

void NodeAgent::SyncHousekeeping() {
  const std::string key(kHousekeepingKey);
  auto cleaned = Housekeeping();
  if (!cleaned.ok()) {
    queue_.AddAfter(key, ToChrono(std::min(absl::Seconds(1), options_.housekeeping_interval)));
    return;
  }
  for (const OrphanCleanup& c : *cleaned) {
    std::string pod = c.pod.empty() ? c.pod_uid : api::Cat(c.pod, " (", c.pod_uid, ")");
    std::vector<std::string> removed;
    if (c.sandboxes == 1) {
      removed.push_back("its sandbox and containers");
    } else if (c.sandboxes > 1) {
      removed.push_back(api::Cat(c.sandboxes, " sandboxes and their containers"));
    }
    if (c.pod_dir) removed.push_back("its volumes and pod directory");
    if (c.log_dirs > 0) removed.push_back("its logs");
    if (!removed.empty()) {
      spdlog::info("node {}: pod {} is gone: removed {}", options_.node_name, pod,
                   absl::StrJoin(removed, ", "));
    }
    if (!c.error.empty()) {
      spdlog::warn("node {}: cleaning up after pod {}: {}", options_.node_name, pod, c.error);
    }
  }
  queue_.AddAfter(key, ToChrono(options_.housekeeping_interval));
}

absl::StatusOr<std::vector<OrphanCleanup>> NodeAgent::Housekeeping() {
  if (options_.pods_synced && !options_.pods_synced()) {
    return absl::FailedPreconditionError("the pod informer has not synced");
  }
  for (const auto& [pod_key, uid] : kubelet_->RecordedPods()) {
    auto [ns, name] = client::SplitKey(pod_key);
    client::ObjPtr pod = pods_->Get(ns, name);
    if (pod == nullptr || !OnThisNode(*pod) || GetString(*pod, {"metadata", "uid"}) != uid) {
      queue_.Add(api::Cat(kPodKey, pod_key));  // SyncPod forgets or replaces the record
    }
  }
  return kubelet_->CleanUpOrphans([this] {
    absl::flat_hash_set<std::string> uids;
    for (const client::ObjPtr& pod : pods_->List()) {
      if (OnThisNode(*pod)) uids.emplace(GetString(*pod, {"metadata", "uid"}));
    }
    return uids;
  });
}

void NodeAgent::SyncPod(const std::string& pod_key) {
  auto [ns, name] = client::SplitKey(pod_key);
  client::ObjPtr pod = pods_->Get(ns, name);
  if (pod == nullptr || GetString(*pod, {"spec", "nodeName"}) != options_.node_name) {
    kubelet_->ForgetPod(pod_key);
    return;
  }
  const std::string key = api::Cat(kPodKey, pod_key);
  PodSyncResult r = kubelet_->SyncPod(*pod);
  for (const KubeletEvent& e : r.events) recorder_.Record(*pod, e.type, e.reason, e.message);
  absl::Time now = options_.clock->Now();
  if (r.delete_pod) {
    client::DeleteOptions opts;
    opts.grace_period_seconds = 0;
    opts.precondition_uid = std::string(GetString(*pod, {"metadata", "uid"}));
    absl::Status s = client_->Delete(client::Pods(), ns, name, opts);
    if (!s.ok() && !client::IsNotFoundError(s) && !client::IsConflictError(s)) {
      spdlog::warn("node {}: deleting pod {} failed: {}", options_.node_name, pod_key,
                   std::string(s.message()));
      queue_.AddAfter(key, std::chrono::seconds(1));
    }
    return;
  }
  if (r.status) {
    std::string body = json::serialize(json::object{{"status", std::move(*r.status)}});
    auto res = client_->Patch(client::Pods(), ns, name, kSmp, body, "status");
    if (!res.ok() && !client::IsNotFoundError(res.status())) {
      spdlog::warn("node {}: pod {} status write failed: {}", options_.node_name, pod_key,
                   std::string(res.status().message()));
      kubelet_->StatusWriteFailed(pod_key);
      queue_.AddAfter(key, std::chrono::seconds(1));
    }
  }
  if (r.resync_at) queue_.AddAfter(key, ToChrono(*r.resync_at - now));
}

}  // namespace skiff::agent::kubelet
