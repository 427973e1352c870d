#include "skiff/controllers/volume/localpath/local_path_provisioner.h"

#include <system_error>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/controllers/volume/binding.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::volume {

namespace json = boost::json;
namespace fs = std::filesystem;
using client::ObjPtr;

namespace {

constexpr std::string_view kClaimPrefix = "claim:";
constexpr std::string_view kVolumePrefix = "volume:";

// The provisioner the binder asked for (GA annotation first).
std::string RequestedProvisioner(const json::value& claim) {
  std::string p = AnnotationValue(claim, kAnnStorageProvisioner);
  return p.empty() ? AnnotationValue(claim, kAnnBetaStorageProvisioner) : p;
}

bool WantsVolume(const json::value& claim) {
  return api::GetString(claim, {"spec", "volumeName"}).empty() && !IsDeleting(claim) &&
         RequestedProvisioner(claim) == kLocalPathProvisionerName;
}

bool ShouldDelete(const json::value& pv) {
  return !IsDeleting(pv) && api::GetString(pv, {"status", "phase"}) == "Released" &&
         api::GetString(pv, {"spec", "persistentVolumeReclaimPolicy"}) == "Delete" &&
         AnnotationValue(pv, kAnnProvisionedBy) == kLocalPathProvisionerName;
}

// Claims several nodes may mount at once live on the shared data directory, not on a node.
bool NeedsNodeAffinity(const json::value& claim) {
  if (const json::array* modes = api::GetArray(claim, {"spec", "accessModes"})) {
    for (const auto& m : *modes) {
      if (m.is_string() && (m.get_string() == "ReadWriteMany" || m.get_string() == "ReadOnlyMany"))
        return false;
    }
  }
  return true;
}

// `path` is strictly inside `root` (no "..", not the root itself).
bool Inside(const fs::path& root, const fs::path& path) {
  fs::path r = root.lexically_normal(), p = path.lexically_normal();
  auto [ri, pi] = std::mismatch(r.begin(), r.end(), p.begin(), p.end());
  if (ri != r.end() && !ri->empty()) return false;  // a trailing "/" leaves one empty element
  if (pi == p.end()) return false;
  for (auto it = pi; it != p.end(); ++it)
    if (*it == "..") return false;
  return true;
}

}  // namespace

json::value LocalPathStorageClass() {
  return json::value{{"apiVersion", "storage.k8s.io/v1"},
                     {"kind", "StorageClass"},
                     {"metadata",
                      {{"name", kLocalPathStorageClass},
                       {"annotations", {{"storageclass.kubernetes.io/is-default-class", "true"}}}}},
                     {"provisioner", kLocalPathProvisionerName},
                     {"reclaimPolicy", "Delete"},
                     {"volumeBindingMode", kWaitForFirstConsumer}};
}

absl::Status EnsureLocalPathStorageClass(client::Client* client) {
  auto existing = client->Get(client::StorageClasses(), "", kLocalPathStorageClass);
  if (existing.ok()) return absl::OkStatus();
  if (!client::IsNotFoundError(existing.status())) return existing.status();
  auto created = client->Create(client::StorageClasses(), "", LocalPathStorageClass());
  if (!created.ok() && !client::IsAlreadyExistsError(created.status())) return created.status();
  return absl::OkStatus();
}

LocalPathProvisioner::LocalPathProvisioner(client::Client* client,
                                           client::InformerFactory* informers,
                                           LocalPathProvisionerOptions options)
    : client_(client),
      root_(std::move(options.root)),
      claims_(informers->For(client::PersistentVolumeClaims())),
      volumes_(informers->For(client::PersistentVolumes())),
      classes_(informers->For(client::StorageClasses())),
      nodes_(informers->For(client::Nodes())),
      recorder_(client, "local-path-provisioner", "", *options.clock),
      guard_(std::make_shared<HandlerGuard<LocalPathProvisioner>>(this)),
      loop_("local-path-provisioner", [this](const std::string& key) { return Sync(key); }) {
  auto g = guard_;
  auto on_claim = [g](const ObjPtr& c) {
    if (!WantsVolume(*c)) return;
    g->With([&](auto& self) { self.loop_.Add(std::string(kClaimPrefix) + ClaimKey(*c)); });
  };
  claims_.AddHandlers({
      .on_add = on_claim,
      .on_update = [on_claim](const ObjPtr&, const ObjPtr& c) { on_claim(c); },
      .on_delete = nullptr,
  });
  auto on_volume = [g](const ObjPtr& v) {
    if (!ShouldDelete(*v)) return;
    g->With([&](auto& self) { self.loop_.Add(std::string(kVolumePrefix) + Name(*v)); });
  };
  volumes_.AddHandlers({
      .on_add = on_volume,
      .on_update = [on_volume](const ObjPtr&, const ObjPtr& v) { on_volume(v); },
      .on_delete = nullptr,
  });
}

LocalPathProvisioner::~LocalPathProvisioner() { Stop(); }

void LocalPathProvisioner::Start() { loop_.Start(); }

void LocalPathProvisioner::Stop() {
  guard_->Clear();
  loop_.Stop();
}

absl::Status LocalPathProvisioner::Sync(const std::string& queue_key) {
  if (queue_key.starts_with(kClaimPrefix)) return SyncClaim(queue_key.substr(kClaimPrefix.size()));
  return SyncVolume(queue_key.substr(kVolumePrefix.size()));
}

// ---- provisioning

absl::Status LocalPathProvisioner::SyncClaim(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  ObjPtr claim = claims_.Get(ns, name);
  if (claim == nullptr || !WantsVolume(*claim)) return absl::OkStatus();
  std::string class_name = ClaimClass(*claim);
  ObjPtr storage_class = class_name.empty() ? nullptr : classes_.Get("", class_name);
  if (storage_class == nullptr) {
    return absl::NotFoundError(
        api::Cat("storageclass.storage.k8s.io \"", class_name, "\" not found"));
  }
  if (api::GetString(*storage_class, {"provisioner"}) != kLocalPathProvisionerName) {
    return absl::OkStatus();  // the class changed hands
  }
  std::string selected = AnnotationValue(*claim, kAnnSelectedNode);
  if (IsDelayBindingMode(storage_class.get()) && selected.empty()) {
    return absl::OkStatus();  // the scheduler has not picked a node yet
  }
  // The volume's name is fixed by the claim: a second attempt finds the first one's volume.
  std::string pv_name = "pvc-" + Uid(*claim);
  if (volumes_.Get("", pv_name) != nullptr) return absl::OkStatus();
  auto existing = client_->Get(client::PersistentVolumes(), "", pv_name);
  if (existing.ok()) return absl::OkStatus();
  if (!client::IsNotFoundError(existing.status())) return existing.status();

  if (api::GetString(*claim, {"spec", "volumeMode"}) == "Block") {
    recorder_.Record(
        *claim, "Warning", "ProvisioningFailed",
        api::Cat(kLocalPathProvisionerName, " does not support block volume provisioning"));
    return absl::OkStatus();
  }
  ObjPtr node;
  if (!selected.empty()) {
    node = nodes_.Get("", selected);
    if (node == nullptr) {
      // The node went away: the scheduler has to choose again.
      recorder_.Record(*claim, "Warning", "ProvisioningFailed",
                       api::Cat("node \"", selected, "\" not found"));
      return Reschedule(*claim);
    }
  }
  recorder_.Record(*claim, "Normal", "Provisioning",
                   api::Cat("External provisioner is provisioning volume for claim \"", key, "\""));
  auto fail = [&](std::string why) {
    recorder_.Record(
        *claim, "Warning", "ProvisioningFailed",
        api::Cat("failed to provision volume with StorageClass \"", class_name, "\": ", why));
    return absl::FailedPreconditionError(why);
  };
  const json::value* selector = api::Find(*claim, {"spec", "selector"});
  if (selector != nullptr && !selector->is_null())
    return fail("claim.Spec.Selector is not supported");
  bool node_affine = NeedsNodeAffinity(*claim);
  if (node_affine && node == nullptr) return fail("configuration error, no node was specified");

  fs::path path = root_ / pv_name;
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return fail(api::Cat("cannot create ", path.string(), ": ", ec.message()));
  spdlog::info("local-path-provisioner: creating volume {} at {}:{}", pv_name,
               node_affine ? selected : "<shared>", path.string());
  json::value pv =
      VolumeFor(*claim, *storage_class, node_affine ? node.get() : nullptr, pv_name, path);
  auto created = client_->Create(client::PersistentVolumes(), "", std::move(pv));
  if (!created.ok() && !client::IsAlreadyExistsError(created.status())) {
    return fail(api::Cat("creating PersistentVolume ", pv_name, ": ",
                         std::string(created.status().message())));
  }
  recorder_.Record(*claim, "Normal", "ProvisioningSucceeded",
                   api::Cat("Successfully provisioned volume ", pv_name));
  return absl::OkStatus();
}

json::value LocalPathProvisioner::VolumeFor(const json::value& claim,
                                            const json::value& storage_class,
                                            const json::value* node, const std::string& name,
                                            const fs::path& path) const {
  std::string_view reclaim = api::GetString(storage_class, {"reclaimPolicy"});
  const json::value* modes = api::Find(claim, {"spec", "accessModes"});
  const json::value* storage = api::Find(claim, {"spec", "resources", "requests", "storage"});
  json::object spec{
      {"capacity", {{"storage", storage != nullptr ? *storage : json::value("0")}}},
      {"accessModes", modes != nullptr ? *modes : json::value(json::array())},
      {"persistentVolumeReclaimPolicy", reclaim.empty() ? std::string_view("Delete") : reclaim},
      {"storageClassName", ClaimClass(claim)},
      {"volumeMode", "Filesystem"},
      {"hostPath", {{"path", path.string()}, {"type", "DirectoryOrCreate"}}},
      {"claimRef", ClaimReference(claim)},
  };
  if (const json::value* mount = api::Find(storage_class, {"mountOptions"}))
    spec["mountOptions"] = *mount;
  if (node != nullptr) {
    std::string_view hostname = api::GetString(*node, {"metadata", "labels", kLabelHostname});
    if (hostname.empty()) hostname = api::GetString(*node, {"metadata", "name"});
    json::object requirement{{"key", kLabelHostname},
                             {"operator", "In"},
                             {"values", json::array{json::value(hostname)}}};
    json::object term{{"matchExpressions", json::array{std::move(requirement)}}};
    json::object required{{"nodeSelectorTerms", json::array{std::move(term)}}};
    spec["nodeAffinity"] = json::object{{"required", std::move(required)}};
  }
  return json::value{
      {"apiVersion", "v1"},
      {"kind", "PersistentVolume"},
      {"metadata",
       {{"name", name}, {"annotations", {{kAnnProvisionedBy, kLocalPathProvisionerName}}}}},
      {"spec", std::move(spec)}};
}

absl::Status LocalPathProvisioner::Reschedule(const json::value& claim) {
  json::object annotations{{kAnnSelectedNode, nullptr}};
  json::object patch{{"metadata", {{"annotations", std::move(annotations)}}}};
  auto res = client_->Patch(client::PersistentVolumeClaims(), Namespace(claim), Name(claim),
                            "application/merge-patch+json", json::serialize(patch));
  if (!res.ok() && !client::IsNotFoundError(res.status())) return res.status();
  return absl::OkStatus();
}

// ---- deletion

absl::Status LocalPathProvisioner::SyncVolume(const std::string& name) {
  ObjPtr pv = volumes_.Get("", name);
  if (pv == nullptr || !ShouldDelete(*pv)) return absl::OkStatus();
  fs::path path(std::string(api::GetString(*pv, {"spec", "hostPath", "path"})));
  if (!Inside(root_, path)) {
    // Never remove anything this provisioner did not make.
    recorder_.Record(*pv, "Warning", "VolumeFailedDelete",
                     api::Cat("failed to delete volume ", name, ": path ", path.string(),
                              " is not under ", root_.string()));
    return absl::OkStatus();
  }
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) {
    std::string why = api::Cat("failed to delete volume ", name, ": ", ec.message());
    recorder_.Record(*pv, "Warning", "VolumeFailedDelete", why);
    return absl::InternalError(why);
  }
  spdlog::info("local-path-provisioner: deleted volume {} at {}", name, path.string());
  client::DeleteOptions opts;
  opts.precondition_uid = Uid(*pv);
  absl::Status s = client_->Delete(client::PersistentVolumes(), "", name, opts);
  if (!s.ok() && !client::IsNotFoundError(s)) return s;
  return absl::OkStatus();
}

}  // namespace skiff::controllers::volume
