#include "skiff/agent/hollow/hollow_nodes.h"

#include <sys/utsname.h>

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "spdlog/spdlog.h"

namespace skiff::agent::hollow {

namespace json = boost::json;
using api::GetString;

namespace {

constexpr std::string_view kNodeKey = "node:";      // register, then report status
constexpr std::string_view kLeaseKey = "lease:";    // renew the Lease
constexpr std::string_view kResumeKey = "resume:";  // heartbeats resumed
constexpr std::string_view kGoneKey = "gone:";      // the Node was deleted
constexpr std::string_view kPodKey = "pod:";        // sync one pod ("pod:ns/name")
constexpr std::string_view kSmp = "application/strategic-merge-patch+json";

std::string Key(std::string_view kind, std::string_view name) { return api::Cat(kind, name); }

std::string KernelVersion() {
  struct utsname u;
  if (::uname(&u) != 0) return "unknown";
  return u.release;
}

bool ReadyTrue(const json::value& node) {
  if (const json::array* conds = api::GetArray(node, {"status", "conditions"})) {
    for (const auto& c : *conds)
      if (GetString(c, {"type"}) == "Ready") return GetString(c, {"status"}) == "True";
  }
  return false;
}

std::chrono::milliseconds ToChrono(absl::Duration d) {
  return std::chrono::milliseconds(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

int FirstSlot(const HollowNodesOptions& o) {
  if (o.first_slot >= 0) return o.first_slot % kMaxSlots;
  uint64_t h = 1469598103934665603ULL;  // FNV-1a of the prefix, in steps of 1,024 slots
  for (char c : o.name_prefix) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<int>(h % (kMaxSlots / 1024)) * 1024;
}

}  // namespace

HollowNodes::HollowNodes(client::Client* client, client::Informer* pods, client::Informer* nodes,
                         HollowNodesOptions options)
    : client_(client), pods_(pods), nodes_(nodes), options_(std::move(options)) {
  int first = FirstSlot(options_);
  std::string kernel = KernelVersion();
  std::string boot = api::Cat(absl::ToUnixNanos(options_.clock->Now()));
  for (int i = 0; i < options_.count; ++i) {
    auto n = std::make_unique<Node>();
    n->index = i;
    n->spec.name = api::Cat(options_.name_prefix, i);
    n->spec.slot = (first + i) % kMaxSlots;
    n->spec.labels = options_.labels;
    n->spec.taints = options_.taints;
    n->spec.boot_id = HollowUuid(api::Cat("boot/", n->spec.name, "/", boot));
    n->spec.kernel_version = kernel;
    HollowKubeletOptions k;
    k.node_name = n->spec.name;
    k.node_ip = NodeIp(n->spec.slot);
    k.pod_subnet = PodSubnet(n->spec.slot);
    k.max_grace = options_.max_grace;
    k.image_pull_backoff = options_.image_pull_backoff;
    k.clock = options_.clock;
    n->kubelet = std::make_unique<HollowKubelet>(std::move(k));
    by_name_[n->spec.name] = n.get();
    nodes_list_.push_back(std::move(n));
  }
}

HollowNodes::~HollowNodes() { Stop(); }

void HollowNodes::Register() {
  client::EventHandlers pods;
  pods.on_add = [this](const client::ObjPtr& p) { OnPod(p); };
  pods.on_update = [this](const client::ObjPtr&, const client::ObjPtr& p) { OnPod(p); };
  pods.on_delete = [this](const client::ObjPtr& p) { OnPod(p); };
  pods_->AddHandlers(std::move(pods));
  client::EventHandlers nodes;
  nodes.on_add = [this](const client::ObjPtr& n) { OnNode(n); };
  nodes.on_update = [this](const client::ObjPtr&, const client::ObjPtr& n) { OnNode(n); };
  nodes.on_delete = [this](const client::ObjPtr& n) {
    if (Find(GetString(*n, {"metadata", "name"})) != nullptr)
      queue_.Add(Key(kGoneKey, GetString(*n, {"metadata", "name"})));
  };
  nodes_->AddHandlers(std::move(nodes));
}

void HollowNodes::Start() {
  if (!workers_.empty()) return;
  for (const auto& n : nodes_list_) queue_.Add(Key(kNodeKey, n->spec.name));
  int workers = options_.workers > 0 ? options_.workers : std::clamp(options_.count / 16, 4, 64);
  for (int i = 0; i < workers; ++i) {
    workers_.emplace_back([this] { Work(); });
  }
  spdlog::info("hollow nodes: starting {} nodes {}0..{}{} with {} workers", options_.count,
               options_.name_prefix, options_.name_prefix, options_.count - 1, workers_.size());
}

void HollowNodes::Stop() {
  queue_.ShutDown();
  workers_.clear();  // joins
}

HollowNodes::Node* HollowNodes::Find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

void HollowNodes::StopHeartbeats(std::string_view node) {
  if (Node* n = Find(node)) n->stopped_by_call = true;
}

void HollowNodes::ResumeHeartbeats(std::string_view node) {
  Node* n = Find(node);
  if (n == nullptr) return;
  n->stopped_by_call = false;
  if (!n->stopped()) queue_.Add(Key(kResumeKey, node));
}

bool HollowNodes::HeartbeatsStopped(std::string_view node) const {
  Node* n = Find(node);
  return n != nullptr && n->stopped();
}

std::vector<std::string> HollowNodes::NodeNames() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_list_) out.push_back(n->spec.name);
  return out;
}

size_t HollowNodes::PodCount() const {
  size_t total = 0;
  for (const auto& n : nodes_list_) total += n->kubelet->PodCount();
  return total;
}

// ---------------------------------------------------------------------------------------------
// Event handlers: they run on the informer's thread and only enqueue.

void HollowNodes::OnPod(const client::ObjPtr& pod) {
  if (Find(GetString(*pod, {"spec", "nodeName"})) == nullptr) return;
  queue_.Add(api::Cat(kPodKey, client::KeyOf(*pod)));
}

void HollowNodes::OnNode(const client::ObjPtr& node) {
  std::string_view name = GetString(*node, {"metadata", "name"});
  Node* n = Find(name);
  if (n == nullptr) return;
  bool was_stopped = n->stopped();
  n->stopped_by_label = GetString(*node, {"metadata", "labels", kHeartbeatLabel}) == "stop";
  if (was_stopped && !n->stopped()) {
    queue_.Add(Key(kResumeKey, name));
  } else if (!n->stopped() && !ReadyTrue(*node)) {
    // Someone (the node lifecycle controller) marked us not ready: report at once.
    queue_.Add(Key(kNodeKey, name));
  }
}

// ---------------------------------------------------------------------------------------------
// Workers

void HollowNodes::Work() {
  while (auto key = queue_.Get()) {
    Sync(*key);
    queue_.Done(*key);
  }
}

void HollowNodes::Sync(const std::string& key) {
  std::string_view k = key;
  if (k.starts_with(kPodKey)) return SyncPod(std::string(k.substr(kPodKey.size())));
  for (std::string_view prefix : {kNodeKey, kLeaseKey, kResumeKey, kGoneKey}) {
    if (!k.starts_with(prefix)) continue;
    Node* n = Find(k.substr(prefix.size()));
    if (n == nullptr) return;
    if (prefix == kNodeKey) return SyncNode(*n);
    if (prefix == kLeaseKey) return SyncLease(*n);
    if (prefix == kResumeKey) return Resume(*n);
    return NodeGone(*n);
  }
}

absl::Duration HollowNodes::Spread(const Node& n, absl::Duration interval) const {
  // Up to +10% by index, so nodes registered together do not renew in lockstep.
  return interval + interval * (n.index % 100) / 1000;
}

void HollowNodes::RetryLater(const std::string& key, Node& n) {
  int failures;
  {
    absl::MutexLock lock(&n.mu);
    failures = ++n.failures;
  }
  absl::Duration delay =
      std::min(absl::Milliseconds(200) * (1 << std::min(failures, 6)), absl::Seconds(10));
  queue_.AddAfter(key, ToChrono(delay));
}

void HollowNodes::RegisterNode(Node& n) {
  const std::string key = Key(kNodeKey, n.spec.name);
  absl::Time now = options_.clock->Now();
  json::value node = BuildNode(n.spec, now);
  std::string uid;
  auto created = client_->Create(client::Nodes(), "", node);
  if (created.ok()) {
    uid = std::string(GetString(*created, {"metadata", "uid"}));
  } else if (client::IsAlreadyExistsError(created.status())) {
    // Registered by an earlier run: merge this run's labels, then refresh the status.
    json::object labels_patch{
        {"metadata", json::object{{"labels", *api::Find(node, {"metadata", "labels"})}}}};
    auto patched = client_->Patch(client::Nodes(), "", n.spec.name, "application/merge-patch+json",
                                  json::serialize(labels_patch));
    if (!patched.ok()) {
      spdlog::warn("hollow node {}: cannot update the existing Node: {}", n.spec.name,
                   std::string(patched.status().message()));
      return RetryLater(key, n);
    }
    uid = std::string(GetString(*patched, {"metadata", "uid"}));
    json::object status = node.at("status").as_object();
    status["conditions"] = NodeConditions(&*patched, now);
    auto st =
        client_->Patch(client::Nodes(), "", n.spec.name, kSmp,
                       json::serialize(json::object{{"status", std::move(status)}}), "status");
    if (!st.ok()) return RetryLater(key, n);
  } else {
    spdlog::warn("hollow node {}: registration failed: {}", n.spec.name,
                 std::string(created.status().message()));
    return RetryLater(key, n);
  }
  {
    absl::MutexLock lock(&n.mu);
    n.registered = true;
    n.uid = uid;
    n.failures = 0;
    n.next_report = now + Spread(n, options_.status_report_interval);
  }
  if (++registered_ == options_.count) {
    spdlog::info("hollow nodes: all {} nodes registered", options_.count);
  }
  queue_.Add(Key(kLeaseKey, n.spec.name));
  queue_.AddAfter(key, ToChrono(Spread(n, options_.status_report_interval)));
}

void HollowNodes::SyncNode(Node& n) {
  if (n.stopped()) return;
  bool registered, deleted;
  absl::Time next;
  {
    absl::MutexLock lock(&n.mu);
    registered = n.registered;
    deleted = n.deleted;
    next = n.next_report;
  }
  if (deleted) return;
  if (!registered) return RegisterNode(n);
  const std::string key = Key(kNodeKey, n.spec.name);
  absl::Time now = options_.clock->Now();
  client::ObjPtr current = nodes_->Get("", n.spec.name);
  bool healthy = current == nullptr || ReadyTrue(*current);
  // A report is due at `next` (with slack for timer jitter), or at once when not Ready.
  if (healthy && now + options_.status_report_interval / 10 < next) return;
  json::object patch{{"status", json::object{{"conditions", NodeConditions(current.get(), now)}}}};
  auto res =
      client_->Patch(client::Nodes(), "", n.spec.name, kSmp, json::serialize(patch), "status");
  if (client::IsNotFoundError(res.status())) return NodeGone(n);
  if (!res.ok()) {
    spdlog::warn("hollow node {}: status report failed: {}", n.spec.name,
                 std::string(res.status().message()));
    return RetryLater(key, n);
  }
  {
    absl::MutexLock lock(&n.mu);
    n.next_report = now + options_.status_report_interval;
    n.failures = 0;
  }
  queue_.AddAfter(key, ToChrono(options_.status_report_interval));
}

absl::Status HollowNodes::WriteLease(Node& n) {
  std::string uid, rv;
  {
    absl::MutexLock lock(&n.mu);
    uid = n.uid;
    rv = n.lease_rv;
  }
  absl::Time now = options_.clock->Now();
  json::value lease = BuildLease(n.spec.name, uid, options_.lease_duration_seconds, now);
  absl::StatusOr<json::value> res = absl::UnknownError("unset");
  if (!rv.empty()) {
    api::EnsureObject(lease, {"metadata"})["resourceVersion"] = rv;
    res = client_->Update(client::Leases(), lease);
  }
  if (rv.empty() || client::IsConflictError(res.status()) ||
      client::IsNotFoundError(res.status())) {
    auto got = client_->Get(client::Leases(), kLeaseNamespace, n.spec.name);
    if (client::IsNotFoundError(got.status())) {
      api::EnsureObject(lease, {"metadata"}).erase("resourceVersion");
      res = client_->Create(client::Leases(), kLeaseNamespace, lease);
    } else if (got.ok()) {
      api::EnsureObject(lease, {"metadata"})["resourceVersion"] =
          GetString(*got, {"metadata", "resourceVersion"});
      res = client_->Update(client::Leases(), lease);
    } else {
      res = got.status();
    }
  }
  absl::MutexLock lock(&n.mu);
  n.lease_rv = res.ok() ? std::string(GetString(*res, {"metadata", "resourceVersion"})) : "";
  return res.status();
}

void HollowNodes::SyncLease(Node& n) {
  if (n.stopped()) return;
  {
    absl::MutexLock lock(&n.mu);
    if (!n.registered || n.deleted) return;
  }
  const std::string key = Key(kLeaseKey, n.spec.name);
  if (absl::Status s = WriteLease(n); !s.ok()) {
    spdlog::warn("hollow node {}: lease renewal failed: {}", n.spec.name, std::string(s.message()));
    return RetryLater(key, n);
  }
  queue_.AddAfter(key, ToChrono(Spread(n, options_.lease_renew_interval)));
}

void HollowNodes::Resume(Node& n) {
  if (n.stopped()) return;
  {
    absl::MutexLock lock(&n.mu);
    n.next_report = absl::InfinitePast();
  }
  queue_.Add(Key(kNodeKey, n.spec.name));
  queue_.Add(Key(kLeaseKey, n.spec.name));
  for (const client::ObjPtr& pod : pods_->List()) {
    if (GetString(*pod, {"spec", "nodeName"}) == n.spec.name) {
      queue_.Add(api::Cat(kPodKey, client::KeyOf(*pod)));
    }
  }
}

void HollowNodes::NodeGone(Node& n) {
  {
    absl::MutexLock lock(&n.mu);
    if (n.deleted) return;
    if (n.registered) --registered_;
    n.deleted = true;
    n.registered = false;
  }
  spdlog::info("hollow node {}: its Node was deleted; it stays down until restarted", n.spec.name);
}

void HollowNodes::SyncPod(const std::string& pod_key) {
  auto [ns, name] = client::SplitKey(pod_key);
  client::ObjPtr pod = pods_->Get(ns, name);
  Node* n = pod ? Find(GetString(*pod, {"spec", "nodeName"})) : nullptr;
  Node* holder = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto it = pod_nodes_.find(pod_key);
    if (it != pod_nodes_.end()) holder = it->second;
    if (holder != nullptr && holder != n) pod_nodes_.erase(it);
    if (n != nullptr && !n->stopped()) pod_nodes_[pod_key] = n;
  }
  if (holder != nullptr && holder != n) holder->kubelet->ForgetPod(pod_key);
  if (n == nullptr || n->stopped()) return;

  const std::string key = api::Cat(kPodKey, pod_key);
  PodSyncResult r = n->kubelet->SyncPod(*pod);
  absl::Time now = options_.clock->Now();
  if (r.delete_pod) {
    client::DeleteOptions opts;
    opts.grace_period_seconds = 0;
    opts.precondition_uid = std::string(GetString(*pod, {"metadata", "uid"}));
    absl::Status s = client_->Delete(client::Pods(), ns, name, opts);
    if (s.ok() || client::IsNotFoundError(s) || client::IsConflictError(s)) {
      absl::MutexLock lock(&mu_);
      pod_nodes_.erase(pod_key);
    } else {
      spdlog::warn("hollow node {}: deleting pod {} failed: {}", n->spec.name, pod_key,
                   std::string(s.message()));
      queue_.AddAfter(key, std::chrono::seconds(1));
    }
    return;
  }
  if (r.status) {
    std::string body = json::serialize(json::object{{"status", std::move(*r.status)}});
    auto res = client_->Patch(client::Pods(), ns, name, kSmp, body, "status");
    if (!res.ok() && !client::IsNotFoundError(res.status())) {
      spdlog::warn("hollow node {}: pod {} status write failed: {}", n->spec.name, pod_key,
                   std::string(res.status().message()));
      n->kubelet->StatusWriteFailed(pod_key);
      queue_.AddAfter(key, std::chrono::seconds(1));
    }
  }
  if (r.resync_at) queue_.AddAfter(key, ToChrono(*r.resync_at - now));
}

}  // namespace skiff::agent::hollow
