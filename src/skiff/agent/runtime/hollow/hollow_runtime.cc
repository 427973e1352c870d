#include "skiff/agent/runtime/hollow/hollow_runtime.h"

#include <openssl/evp.h>

#include "skiff/api/text.h"

namespace skiff::agent::runtime {

namespace {

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "exit N" (surrounding blanks allowed) -> N in [0, 255].
std::optional<int> ParseExit(std::string_view script) {
  script = api::TrimAscii(script);
  if (!script.starts_with("exit")) return std::nullopt;
  std::string_view rest = api::TrimAscii(script.substr(4));
  if (rest.empty()) return 0;
  int64_t n = 0;
  if (!api::ParseInt64(rest, &n) || n < 0 || n > 255) return std::nullopt;
  return static_cast<int>(n);
}

std::string ImageWithoutTag(std::string_view image) {
  size_t at = image.find('@');
  if (at != std::string_view::npos) return std::string(image.substr(0, at));
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    image = image.substr(0, colon);
  }
  return std::string(image);
}

}  // namespace

std::optional<int> FiniteExitCode(const std::vector<std::string>& command,
                                  const std::vector<std::string>& args) {
  std::vector<std::string_view> argv(command.begin(), command.end());
  argv.insert(argv.end(), args.begin(), args.end());
  if (argv.empty()) return std::nullopt;  // the image's entrypoint: runs forever
  std::string_view prog = Basename(argv[0]);
  if (argv.size() == 1 && prog == "true") return 0;
  if (argv.size() == 1 && prog == "false") return 1;
  if ((prog == "sh" || prog == "bash") && argv.size() == 3 && argv[1] == "-c") {
    return ParseExit(argv[2]);
  }
  return std::nullopt;
}

bool ImagePullFails(std::string_view image) { return image.ends_with("-broken"); }

std::string HollowDigest(std::string_view seed) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(seed.data(), seed.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xF]);
  }
  return out;
}

absl::StatusOr<std::string> HollowRuntime::PullImage(std::string_view image) {
  if (image.empty()) return absl::InvalidArgumentError("empty image reference");
  if (ImagePullFails(image)) {
    return absl::NotFoundError(api::Cat("failed to pull and unpack image \"", image,
                                        "\": not found (hollow images ending in -broken "
                                        "never pull)"));
  }
  return ImageWithoutTag(image) + "@sha256:" + HollowDigest(image);
}

absl::StatusOr<std::string> HollowRuntime::RunPodSandbox(const SandboxConfig& config) {
  std::string id = HollowDigest(api::Cat("sandbox/", config.pod_uid));
  absl::Time now = options_.clock->Now();
  absl::MutexLock lock(&mu_);
  if (sandboxes_.contains(id)) return id;
  Sandbox sb;
  sb.status.id = id;
  sb.status.pod_uid = config.pod_uid;
  sb.status.pod_namespace = config.pod_namespace;
  sb.status.pod_name = config.pod_name;
  sb.status.ready = true;
  sb.status.created_at = now;
  if (config.host_network) {
    sb.status.ip = options_.node_ip;
  } else {
    int host = 0;
    std::string prefix = options_.pod_subnet + ".";
    if (config.preferred_ip.starts_with(prefix)) {
      int64_t want = 0;
      if (api::ParseInt64(std::string_view(config.preferred_ip).substr(prefix.size()), &want) &&
          want >= 2 && want <= 254 && !used_hosts_[want]) {
        host = static_cast<int>(want);
      }
    }
    for (int h = 2; host == 0 && h <= 254; ++h) {
      if (!used_hosts_[h]) host = h;
    }
    if (host == 0) {
      return absl::ResourceExhaustedError(api::Cat("no free IP in ", options_.pod_subnet,
                                                   ".0/24 for pod ", config.pod_namespace, "/",
                                                   config.pod_name));
    }
    used_hosts_[host] = true;
    sb.ip_host = host;
    sb.status.ip = api::Cat(prefix, host);
  }
  sandboxes_.emplace(id, std::move(sb));
  return id;
}

void HollowRuntime::ExitLocked(Container& c, int code, absl::Time now) {
  c.status.state = ContainerState::kExited;
  c.status.exit_code = code;
  c.status.reason = code == 0 ? "Completed" : "Error";
  c.status.finished_at = now;
}

absl::Status HollowRuntime::StopPodSandbox(std::string_view sandbox_id) {
  absl::Time now = options_.clock->Now();
  absl::MutexLock lock(&mu_);
  auto it = sandboxes_.find(std::string(sandbox_id));
  if (it == sandboxes_.end()) return absl::NotFoundError(api::Cat("sandbox ", sandbox_id));
  for (const std::string& cid : it->second.containers) {
    auto c = containers_.find(cid);
    if (c != containers_.end() && c->second.status.state == ContainerState::kRunning) {
      ExitLocked(c->second, 0, now);
    }
  }
  it->second.status.ready = false;
  return absl::OkStatus();
}

absl::Status HollowRuntime::RemovePodSandbox(std::string_view sandbox_id) {
  absl::MutexLock lock(&mu_);
  auto it = sandboxes_.find(std::string(sandbox_id));
  if (it == sandboxes_.end()) return absl::OkStatus();
  for (const std::string& cid : it->second.containers) containers_.erase(cid);
  if (it->second.ip_host != 0) used_hosts_[it->second.ip_host] = false;
  sandboxes_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<SandboxStatus> HollowRuntime::InspectSandbox(std::string_view sandbox_id) {
  absl::MutexLock lock(&mu_);
  auto it = sandboxes_.find(std::string(sandbox_id));
  if (it == sandboxes_.end()) return absl::NotFoundError(api::Cat("sandbox ", sandbox_id));
  return it->second.status;
}

absl::StatusOr<std::string> HollowRuntime::CreateContainer(std::string_view sandbox_id,
                                                           const ContainerConfig& config) {
  std::string id = HollowDigest(api::Cat(sandbox_id, "/", config.name, "/", config.attempt));
  std::string image_ref = ImageWithoutTag(config.image) + "@sha256:" + HollowDigest(config.image);
  std::optional<int> exit_code = FiniteExitCode(config.command, config.args);
  if (config.init && !exit_code) exit_code = 0;
  absl::Time now = options_.clock->Now();
  absl::MutexLock lock(&mu_);
  auto sb = sandboxes_.find(std::string(sandbox_id));
  if (sb == sandboxes_.end()) return absl::NotFoundError(api::Cat("sandbox ", sandbox_id));
  if (containers_.contains(id)) {
    return absl::AlreadyExistsError(
        api::Cat("container ", config.name, " attempt ", config.attempt, " already exists"));
  }
  Container c;
  c.status.id = id;
  c.status.name = config.name;
  c.status.image = config.image;
  c.status.image_ref = std::move(image_ref);
  c.status.created_at = now;
  c.status.attempt = config.attempt;
  c.sandbox_id = std::string(sandbox_id);
  c.exit_on_start = exit_code;
  sb->second.containers.push_back(id);
  containers_.emplace(id, std::move(c));
  return id;
}

absl::Status HollowRuntime::StartContainer(std::string_view container_id) {
  absl::Time now = options_.clock->Now();
  absl::MutexLock lock(&mu_);
  auto it = containers_.find(std::string(container_id));
  if (it == containers_.end()) return absl::NotFoundError(api::Cat("container ", container_id));
  Container& c = it->second;
  if (c.status.state != ContainerState::kCreated) {
    return absl::FailedPreconditionError(api::Cat("container ", container_id, " already started"));
  }
  c.status.state = ContainerState::kRunning;
  c.status.started_at = now;
  if (c.exit_on_start) ExitLocked(c, *c.exit_on_start, now);
  return absl::OkStatus();
}

absl::Status HollowRuntime::StopContainer(std::string_view container_id, absl::Duration) {
  absl::Time now = options_.clock->Now();
  absl::MutexLock lock(&mu_);
  auto it = containers_.find(std::string(container_id));
  if (it == containers_.end()) return absl::NotFoundError(api::Cat("container ", container_id));
  if (it->second.status.state != ContainerState::kExited) ExitLocked(it->second, 0, now);
  return absl::OkStatus();
}

absl::Status HollowRuntime::RemoveContainer(std::string_view container_id) {
  absl::MutexLock lock(&mu_);
  auto it = containers_.find(std::string(container_id));
  if (it == containers_.end()) return absl::OkStatus();
  auto sb = sandboxes_.find(it->second.sandbox_id);
  if (sb != sandboxes_.end()) std::erase(sb->second.containers, it->first);
  containers_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<ContainerStatus> HollowRuntime::InspectContainer(std::string_view container_id) {
  absl::MutexLock lock(&mu_);
  auto it = containers_.find(std::string(container_id));
  if (it == containers_.end()) return absl::NotFoundError(api::Cat("container ", container_id));
  return it->second.status;
}

std::vector<SandboxStatus> HollowRuntime::ListPodSandboxes() const {
  absl::MutexLock lock(&mu_);
  std::vector<SandboxStatus> out;
  for (const auto& [id, sb] : sandboxes_) out.push_back(sb.status);
  return out;
}

std::vector<std::string> HollowRuntime::ListContainers(std::string_view sandbox_id) const {
  absl::MutexLock lock(&mu_);
  auto it = sandboxes_.find(std::string(sandbox_id));
  if (it == sandboxes_.end()) return {};
  return it->second.containers;
}

size_t HollowRuntime::SandboxCount() const {
  absl::MutexLock lock(&mu_);
  return sandboxes_.size();
}

}  // namespace skiff::agent::runtime
