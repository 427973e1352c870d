#include "skiff/agent/runtime/runc/runc_runtime.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <filesystem>
#include <thread>

#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/extract.h"
#include "skiff/agent/images/reference.h"
#include "skiff/agent/images/registry.h"
#include "skiff/agent/runtime/runc/namespaces.h"
#include "skiff/agent/runtime/runc/oci_spec.h"
#include "skiff/agent/runtime/runc/process.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"
#include "skiff/base/random.h"
#include "spdlog/spdlog.h"

namespace skiff::agent::runtime {

namespace fs = std::filesystem;
namespace json = boost::json;
using base::ErrnoStatus;
using base::UniqueFd;

namespace {

constexpr char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string NewId() {
  return std::string(images::DigestHex(images::DigestOf(base::NewUid() + base::NewUid())));
}

std::string Trim(std::string_view s) { return std::string(api::TrimAscii(s)); }

// Runtime files describe processes that a reboot ends anyway: they must survive the agent's
// crash, which the page cache guarantees, not the machine's, so they skip the fsync.
absl::Status WriteRecord(const std::string& path, std::string_view data) {
  return base::WriteFileAtomic(path, data, 0644, /*sync=*/false);
}

absl::Status MakeDirs(const std::string& path, mode_t mode = 0755) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return absl::InternalError(api::Cat("create ", path, ": ", ec.message()));
  ::chmod(path.c_str(), mode);
  return absl::OkStatus();
}

int64_t ToNanos(absl::Time t) { return t == absl::Time() ? 0 : absl::ToUnixNanos(t); }
absl::Time FromNanos(int64_t n) { return n == 0 ? absl::Time() : absl::FromUnixNanos(n); }

std::string SelfDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "." : exe.parent_path().string();
}

// Reads a file of the container's rootfs without following links out of it.
std::string ReadInRoot(const std::string& root, const std::string& path) {
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.ok()) return "";
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, dir.get(), path.c_str(), &how, sizeof how)));
  if (!fd.ok()) return "";
  auto text = base::ReadFile(api::Cat("/proc/self/fd/", fd.get()));
  return text.ok() ? *text : "";
}

// runc's last error message from its JSON log.
std::string LastRuncError(const std::string& log_path) {
  auto text = base::ReadFile(log_path);
  if (!text.ok()) return "";
  std::string last;
  for (std::string_view line : api::Split(*text, '\n')) {
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(line.data(), line.size()), ec);
    if (!ec && api::GetString(v, {"level"}) == "error") last = api::GetString(v, {"msg"});
  }
  return last;
}

json::array ToJson(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> FromJson(const json::value& v, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = api::GetArray(v, {key})) {
    for (const json::value& s : *a) {
      if (s.is_string()) out.emplace_back(s.get_string());
    }
  }
  return out;
}

std::string_view StateName(ContainerState s) {
  switch (s) {
    case ContainerState::kCreated:
      return "created";
    case ContainerState::kRunning:
      return "running";
    case ContainerState::kExited:
      return "exited";
  }
  return "created";
}

ContainerState ParseState(std::string_view s) {
  if (s == "running") return ContainerState::kRunning;
  if (s == "exited") return ContainerState::kExited;
  return ContainerState::kCreated;
}

// Whether a cgroup v1 memory controller saw an OOM kill in this container's cgroup.
bool OomKilled(const std::string& cgroup_path) {
  auto text = base::ReadFile(api::Cat("/sys/fs/cgroup/memory", cgroup_path, "/memory.oom_control"));
  if (!text.ok()) return false;
  for (std::string_view line : api::Split(*text, '\n')) {
    if (line.starts_with("oom_kill ")) return Trim(line.substr(9)) != "0";
  }
  return false;
}

}  // namespace

// ---- opening and recovery ----------------------------------------------------------------

absl::StatusOr<std::unique_ptr<RuncRuntime>> RuncRuntime::Open(RuncRuntimeOptions options) {
  if (options.root.empty()) return absl::InvalidArgumentError("runtime root is required");
  if (options.images == nullptr) return absl::InvalidArgumentError("an image store is required");
  if (options.shim.empty()) options.shim = SelfDir() + "/skiff-shim";
  // Every agent on this host shares the bridge, so they share its address allocations too:
  // two nodes of one machine never hand out the same pod IP.
  if (options.network.state_dir.empty()) {
    options.network.state_dir = "/run/skiff/cni/" + options.network.bridge;
  }
  for (const std::string* bin : {&options.runc, &options.shim}) {
    if (::access(bin->c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(api::Cat(*bin, " is not an executable"));
    }
  }
  for (const char* sub : {"runc", "sandboxes", "containers"}) {
    if (auto s = MakeDirs(api::Cat(options.root, "/", sub), 0700); !s.ok()) return s;
  }
  std::unique_ptr<RuncRuntime> rt(new RuncRuntime(std::move(options)));
  auto version = RunProcess({rt->options_.runc, "--version"});
  if (!version.ok()) return version.status();
  std::string_view first = api::Split(version->out, '\n')[0];
  rt->version_ = first.starts_with("runc version ") ? Trim(first.substr(13)) : Trim(first);
  rt->network_ = std::make_unique<PodNetwork>(rt->options_.network);
  if (auto s = rt->network_->EnsureBridge(); !s.ok()) return s;
  if (auto s = rt->Recover(); !s.ok()) return s;
  return rt;
}

std::string RuncRuntime::SandboxDir(std::string_view id) const {
  return api::Cat(options_.root, "/sandboxes/", id);
}

std::string RuncRuntime::ContainerDir(std::string_view id) const {
  return api::Cat(options_.root, "/containers/", id);
}

absl::Status RuncRuntime::SaveSandbox(const std::string& id, const Sandbox& sb) const {
  json::object rec = {
      {"podUID", sb.config.pod_uid},
      {"podNamespace", sb.config.pod_namespace},
      {"podName", sb.config.pod_name},
      {"hostNetwork", sb.config.host_network},
      {"ip", sb.status.ip},
      {"ready", sb.status.ready},
      {"createdAt", ToNanos(sb.status.created_at)},
      {"netns", sb.netns},
      {"ipcns", sb.ipcns},
      {"utsns", sb.utsns},
  };
  return WriteRecord(SandboxDir(id) + "/sandbox.json", json::serialize(rec));
}

absl::Status RuncRuntime::SaveContainer(const std::string& id, const Container& c) const {
  json::array env;
  for (const auto& [k, v] : c.config.env)
    env.push_back(json::array{json::string(k), json::string(v)});
  json::object rec = {
      {"name", c.config.name},
      {"image", c.config.image},
      {"command", ToJson(c.config.command)},
      {"args", ToJson(c.config.args)},
      {"env", env},
      {"workingDir", c.config.working_dir},
      {"attempt", c.config.attempt},
      {"init", c.config.init},
      {"cpuRequestMillis", c.config.resources.cpu_request_millis},
      {"cpuLimitMillis", c.config.resources.cpu_limit_millis},
      {"memoryLimitBytes", c.config.resources.memory_limit_bytes},
      {"imageRef", c.status.image_ref},
      {"state", StateName(c.status.state)},
      {"createdAt", ToNanos(c.status.created_at)},
      {"startedAt", ToNanos(c.status.started_at)},
      {"sandboxID", c.sandbox_id},
      {"podUID", c.pod_uid},
      {"stopSignal", c.stop_signal},
      {"exitCode", c.status.exit_code},
      {"reason", c.status.reason},
      {"message", c.status.message},
      {"finishedAt", ToNanos(c.status.finished_at)},
  };
  return WriteRecord(ContainerDir(id) + "/container.json", json::serialize(rec));
}

absl::Status RuncRuntime::Recover() {
  std::error_code ec;
  std::vector<std::pair<std::string, Sandbox>> sandboxes;
  for (const auto& entry : fs::directory_iterator(options_.root + "/sandboxes", ec)) {
    std::string id = entry.path().filename().string();
    auto text = base::ReadFile(entry.path().string() + "/sandbox.json");
    boost::system::error_code jec;
    json::value v = text.ok() ? json::parse(*text, jec) : json::value();
    if (!text.ok() || jec) {
      // Creation died before the record was written: nothing refers to it yet.
      spdlog::warn("runtime: removing unfinished sandbox {}", id);
      Sandbox partial;
      partial.netns = entry.path().string() + "/netns";
      partial.ipcns = entry.path().string() + "/ipcns";
      partial.utsns = entry.path().string() + "/utsns";
      DestroySandboxFiles(id, partial).IgnoreError();
      continue;
    }
    Sandbox sb;
    sb.config.pod_uid = api::GetString(v, {"podUID"});
    sb.config.pod_namespace = api::GetString(v, {"podNamespace"});
    sb.config.pod_name = api::GetString(v, {"podName"});
    sb.config.host_network = api::GetBool(v, {"hostNetwork"});
    sb.status.id = id;
    sb.status.ip = api::GetString(v, {"ip"});
    sb.status.created_at = FromNanos(api::GetInt(v, {"createdAt"}));
    sb.netns = api::GetString(v, {"netns"});
    sb.ipcns = api::GetString(v, {"ipcns"});
    sb.utsns = api::GetString(v, {"utsns"});
    // Ready while its namespaces are still pinned (a reboot loses them; so does a sandbox of
    // an agent that held them with a process, which has no ipcns: it is made afresh).
    bool ready = api::GetBool(v, {"ready"}) && !sb.ipcns.empty() && IsPinnedNamespace(sb.ipcns) &&
                 (sb.utsns.empty() || IsPinnedNamespace(sb.utsns)) &&
                 (sb.netns.empty() || IsPinnedNamespace(sb.netns));
    sb.status.ready = ready;
    sandboxes.emplace_back(id, std::move(sb));
  }
  std::vector<std::pair<std::string, Container>> containers;
  for (const auto& entry : fs::directory_iterator(options_.root + "/containers", ec)) {
    std::string id = entry.path().filename().string();
    auto text = base::ReadFile(entry.path().string() + "/container.json");
    boost::system::error_code jec;
    json::value v = text.ok() ? json::parse(*text, jec) : json::value();
    if (!text.ok() || jec) {
      spdlog::warn("runtime: removing unfinished container {}", id);
      DestroyContainerFiles(id).IgnoreError();
      continue;
    }
    Container c;
    c.config.name = api::GetString(v, {"name"});
    c.config.image = api::GetString(v, {"image"});
    c.config.command = FromJson(v, "command");
    c.config.args = FromJson(v, "args");
    if (const json::array* env = api::GetArray(v, {"env"})) {
      for (const json::value& kv : *env) {
        if (kv.is_array() && kv.get_array().size() == 2 && kv.get_array()[0].is_string() &&
            kv.get_array()[1].is_string()) {
          c.config.env.emplace_back(kv.get_array()[0].get_string(), kv.get_array()[1].get_string());
        }
      }
    }
    c.config.working_dir = api::GetString(v, {"workingDir"});
    c.config.attempt = static_cast<int>(api::GetInt(v, {"attempt"}));
    c.config.init = api::GetBool(v, {"init"});
    c.config.resources.cpu_request_millis = api::GetInt(v, {"cpuRequestMillis"});
    c.config.resources.cpu_limit_millis = api::GetInt(v, {"cpuLimitMillis"});
    c.config.resources.memory_limit_bytes = api::GetInt(v, {"memoryLimitBytes"});
    c.status.id = id;
    c.status.name = c.config.name;
    c.status.image = c.config.image;
    c.status.image_ref = api::GetString(v, {"imageRef"});
    c.status.attempt = c.config.attempt;
    c.status.state = ParseState(api::GetString(v, {"state"}));
    c.status.created_at = FromNanos(api::GetInt(v, {"createdAt"}));
    c.status.started_at = FromNanos(api::GetInt(v, {"startedAt"}));
    c.sandbox_id = api::GetString(v, {"sandboxID"});
    c.pod_uid = api::GetString(v, {"podUID"});
    c.stop_signal = api::GetString(v, {"stopSignal"}, "SIGTERM");
    c.status.exit_code = static_cast<int>(api::GetInt(v, {"exitCode"}));
    c.status.reason = api::GetString(v, {"reason"});
    c.status.message = api::GetString(v, {"message"});
    c.status.finished_at = FromNanos(api::GetInt(v, {"finishedAt"}));
    Refresh(c, id);
    // A start cut short by the crash may have left a process behind a "created" record.
    bool maybe_running = c.status.state == ContainerState::kRunning ||
                         (c.status.state == ContainerState::kCreated &&
                          ::access((entry.path().string() + "/shim.pid").c_str(), F_OK) == 0);
    if (maybe_running) {
      // No exit record: ask runc whether the process still runs (the shim may have died).
      auto state = Runc({"state", id});
      boost::system::error_code sec;
      json::value st = state.ok() ? json::parse(*state, sec) : json::value();
      std::string_view status = state.ok() && !sec ? api::GetString(st, {"status"}) : "";
      if (status == "running") {
        c.status.state = ContainerState::kRunning;
        if (c.status.started_at == absl::Time()) c.status.started_at = options_.clock->Now();
      } else {
        c.status.state = ContainerState::kExited;
        c.status.exit_code = 255;
        c.status.reason = "Unknown";
        c.status.message = "the container's exit status was lost";
        c.status.finished_at = options_.clock->Now();
      }
    }
    containers.emplace_back(id, std::move(c));
  }
  absl::MutexLock lock(&mu_);
  for (auto& [id, sb] : sandboxes) sandboxes_.emplace(id, std::move(sb));
  for (auto& [id, c] : containers) containers_.emplace(id, std::move(c));
  spdlog::info("runtime: recovered {} sandboxes and {} containers", sandboxes_.size(),
               containers_.size());
  return absl::OkStatus();
}

// ---- runc and the shim -----------------------------------------------------------------

absl::StatusOr<std::string> RuncRuntime::Runc(const std::vector<std::string>& args,
                                              absl::Duration timeout) const {
  std::vector<std::string> argv = {options_.runc, "--root", options_.root + "/runc"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions opts;
  opts.timeout = timeout;
  auto r = RunProcess(argv, opts);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    // runc logs `time=".." level=error msg="..."`; keep the message.
    std::string msg = Trim(r->err);
    size_t at = msg.rfind("msg=\"");
    if (at != std::string::npos) {
      msg = msg.substr(at + 5);
      if (!msg.empty() && msg.back() == '"') msg.pop_back();
    }
    std::string text = api::Cat("runc ", args.empty() ? "" : args[0], ": ", msg);
    if (msg.find("does not exist") != std::string::npos) return absl::NotFoundError(text);
    return absl::InternalError(text);
  }
  return r->out;
}

absl::StatusOr<int> RuncRuntime::RunWithShim(const std::string& id, const std::string& bundle,
                                             const std::string& state_dir, int output_fd) const {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  UniqueFd sync_r(p[0]), sync_w(p[1]);
  ProcessOptions opts;
  opts.output_fd = output_fd;
  opts.extra_fds = {{3, sync_w.get()}};
  opts.timeout = absl::Seconds(10);
  auto r = RunProcess(
      {options_.shim, options_.runc, options_.root + "/runc", id, bundle, state_dir}, opts);
  sync_w.Reset();
  if (!r.ok()) return r.status();
  std::string reply;
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (true) {
    pollfd pfd = {sync_r.get(), POLLIN, 0};
    int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return absl::DeadlineExceededError(api::Cat("runc run ", id, " timed out"));
    if (::poll(&pfd, 1, static_cast<int>(ms)) < 0 && errno != EINTR) {
      return ErrnoStatus(errno, "poll");
    }
    char buf[512];
    ssize_t n = ::read(sync_r.get(), buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  std::vector<std::string_view> words = api::Split(api::TrimAscii(reply), ' ');
  int64_t pid = 0;
  if (words.size() == 3 && words[0] == "ok" && api::ParseInt64(words[1], &pid) && pid > 0) {
    return static_cast<int>(pid);
  }
  std::string why = LastRuncError(state_dir + "/runc.log");
  if (why.empty()) why = reply.empty() ? "the shim exited without a word" : Trim(reply);
  return absl::InternalError(api::Cat("run container ", id, ": ", why));
}

std::optional<RuncRuntime::Exit> RuncRuntime::ReadExit(const std::string& state_dir) const {
  auto text = base::ReadFile(state_dir + "/exit");
  if (!text.ok()) return std::nullopt;
  std::vector<std::string_view> parts = api::Split(api::TrimAscii(*text), ' ');
  int64_t code = 0, nanos = 0;
  if (parts.size() != 2 || !api::ParseInt64(parts[0], &code) ||
      !api::ParseInt64(parts[1], &nanos)) {
    return std::nullopt;
  }
  return Exit{static_cast<int>(code), absl::FromUnixNanos(nanos)};
}

std::optional<RuncRuntime::Exit> RuncRuntime::WaitExit(const std::string& state_dir,
                                                       absl::Duration timeout) const {
  absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(2);
  while (true) {
    if (auto e = ReadExit(state_dir)) return e;
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(std::min(pause, deadline - absl::Now()));
    pause = std::min(pause * 2, absl::Milliseconds(50));
  }
}

absl::Status RuncRuntime::Kill(const std::string& id, const std::string& state_dir,
                               const std::string& signal, absl::Duration timeout) const {
  if (ReadExit(state_dir)) return absl::OkStatus();
  // Never started: there is no process to signal.
  if (::access((state_dir + "/shim.pid").c_str(), F_OK) != 0) return absl::OkStatus();
  if (signal != "KILL" && signal != "SIGKILL") {
    auto r = Runc({"kill", id, signal});
    if (!r.ok() && !ReadExit(state_dir))
      spdlog::debug("runtime: {}", std::string(r.status().message()));
    if (WaitExit(state_dir, timeout)) return absl::OkStatus();
  }
  auto r = Runc({"kill", id, "KILL"});
  if (WaitExit(state_dir, absl::Seconds(10))) return absl::OkStatus();
  if (!r.ok()) return r.status();
  return absl::DeadlineExceededError(api::Cat("container ", id, " did not exit after SIGKILL"));
}

void RuncRuntime::Refresh(Container& c, const std::string& id) const {
  if (c.status.state == ContainerState::kExited) return;
  std::optional<Exit> exit = ReadExit(ContainerDir(id));
  if (!exit) return;
  c.status.state = ContainerState::kExited;
  c.status.exit_code = exit->code;
  c.status.finished_at = exit->at;
  if (c.status.started_at == absl::Time()) c.status.started_at = exit->at;
  c.status.reason = exit->code == 0 ? "Completed" : "Error";
  if (exit->code == 137 &&
      OomKilled(api::Cat(options_.cgroup_parent, "/pod", c.pod_uid, "/", id))) {
    c.status.reason = "OOMKilled";
  }
}

// ---- images --------------------------------------------------------------------------------

absl::StatusOr<std::string> RuncRuntime::PullImage(std::string_view image) {
  auto img = options_.images->Resolve(image);
  if (img.ok()) return img->RepoDigest();
  if (!absl::IsNotFound(img.status())) return img.status();
  auto ref = images::ParseReference(image);
  if (ref.ok() && images::IsLoopbackRegistry(ref->domain)) {
    auto pulled = images::Pull(*options_.images, image);
    if (!pulled.ok()) return pulled.status();
    return pulled->RepoDigest();
  }
  return absl::NotFoundError(
      api::Cat("image \"", image,
               "\" is not on this node (import it with `skiff image import`; pulls reach only "
               "registries on this machine so far)"));
}

// ---- sandboxes -----------------------------------------------------------------------------

absl::StatusOr<std::string> RuncRuntime::RunPodSandbox(const SandboxConfig& config) {
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, sb] : sandboxes_) {
      if (sb.config.pod_uid == config.pod_uid && sb.status.ready && !sb.removing) return id;
    }
    if (!creating_pods_.insert(config.pod_uid).second) {
      return absl::UnavailableError(api::Cat("the sandbox of pod ", config.pod_namespace, "/",
                                             config.pod_name, " is being created"));
    }
  }
  struct Done {
    RuncRuntime* rt;
    std::string uid;
    ~Done() {
      absl::MutexLock lock(&rt->mu_);
      rt->creating_pods_.erase(uid);
    }
  } done{this, config.pod_uid};

  std::string id = NewId();
  std::string dir = SandboxDir(id);
  Sandbox sb;
  sb.config = config;
  sb.status.id = id;
  sb.status.created_at = options_.clock->Now();
  auto fail = [&](absl::Status st) {
    spdlog::warn("runtime: sandbox for pod {}/{} failed: {}", config.pod_namespace, config.pod_name,
                 std::string(st.message()));
    DestroySandboxFiles(id, sb).IgnoreError();
    return st;
  };
  if (auto s = MakeDirs(dir + "/bundle", 0700); !s.ok()) return fail(s);

  std::string hostname = config.pod_name;
  if (config.host_network) {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    hostname = buf;
  }
  if (auto s = WriteRecord(dir + "/hostname", hostname + "\n"); !s.ok()) return fail(s);
  // The pod's namespaces are pinned by bind mounts, not held by a process; CNI wires the
  // network namespace while the others are made.
  absl::StatusOr<std::string> ip = options_.node_ip;
  std::thread attach;
  if (!config.host_network) {
    sb.netns = dir + "/netns";
    if (auto s = PodNetwork::CreateNetns(sb.netns); !s.ok()) return fail(s);
    attach = std::thread([&] { ip = network_->Attach(id, sb.netns, config.preferred_ip); });
  }
  sb.ipcns = dir + "/ipcns";
  absl::Status pinned = PinNamespace(CLONE_NEWIPC, sb.ipcns);
  if (pinned.ok() && !config.host_network) {
    sb.utsns = dir + "/utsns";
    pinned = PinNamespace(CLONE_NEWUTS, sb.utsns, [&]() -> absl::Status {
      if (::sethostname(hostname.data(), hostname.size()) != 0) {
        return ErrnoStatus(errno, api::Cat("set the host name ", hostname));
      }
      return absl::OkStatus();
    });
  }
  if (attach.joinable()) attach.join();
  if (!ip.ok()) return fail(ip.status());
  if (!pinned.ok()) return fail(pinned);
  sb.status.ip = *ip;
  std::string hosts;
  if (config.host_network) {
    hosts = base::ReadFile("/etc/hosts").value_or("127.0.0.1\tlocalhost\n");
  } else {
    hosts = api::Cat("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n",
                     "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n",
                     "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n",
                     sb.status.ip, "\t", config.pod_name, "\n");
  }
  if (auto s = WriteRecord(dir + "/hosts", hosts); !s.ok()) return fail(s);
  std::string resolv = base::ReadFile("/etc/resolv.conf").value_or("");
  if (auto s = WriteRecord(dir + "/resolv.conf", resolv); !s.ok()) return fail(s);
  // One /dev/shm for the whole pod, as the pod shares its IPC namespace.
  if (auto s = MakeDirs(dir + "/shm"); !s.ok()) return fail(s);
  if (::mount("shm", (dir + "/shm").c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=1777,size=65536k") != 0) {
    return fail(ErrnoStatus(errno, "mount the pod's /dev/shm"));
  }
  sb.status.ready = true;
  if (auto s = SaveSandbox(id, sb); !s.ok()) return fail(s);
  absl::MutexLock lock(&mu_);
  sandboxes_.emplace(id, std::move(sb));
  return id;
}

absl::Status RuncRuntime::DestroySandboxFiles(const std::string& id, const Sandbox& sb) {
  std::string dir = SandboxDir(id);
  if (::access((dir + "/shim.pid").c_str(), F_OK) == 0) {
    // A sandbox whose namespaces a pause container held (an older agent's).
    auto del = Runc({"delete", "--force", id});
    if (!del.ok() && !absl::IsNotFound(del.status())) {
      spdlog::warn("runtime: {}", std::string(del.status().message()));
    }
    WaitExit(dir, absl::Seconds(2));
  }
  absl::Status st;
  for (const std::string* ns : {&sb.ipcns, &sb.utsns}) {
    if (!ns->empty()) st.Update(UnpinNamespace(*ns));
  }
  if (!sb.netns.empty()) {
    if (auto s = network_->Detach(id, sb.netns); !s.ok()) {
      spdlog::warn("runtime: {}", std::string(s.message()));
    }
    st.Update(PodNetwork::RemoveNetns(sb.netns));
  }
  ::umount2((dir + "/shm").c_str(), MNT_DETACH);
  // runc removes each container's cgroup; the pod's own level is left to us.
  std::error_code ec;
  std::string pod_cgroup = api::Cat(options_.cgroup_parent, "/pod", sb.config.pod_uid);
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    if (!sb.config.pod_uid.empty()) ::rmdir((hierarchy.path().string() + pod_cgroup).c_str());
  }
  st.Update(images::RemoveTree(dir));
  return st;
}

absl::Status RuncRuntime::StopPodSandbox(std::string_view sandbox_id) {
  std::string id(sandbox_id);
  std::vector<std::string> members;
  {
    absl::MutexLock lock(&mu_);
    if (!sandboxes_.contains(id)) return absl::NotFoundError(api::Cat("sandbox ", id));
    for (const auto& [cid, c] : containers_) {
      if (c.sandbox_id == id) members.push_back(cid);
    }
  }
  // The agent has stopped the containers gracefully already; what remains is killed.
  absl::Status st;
  for (const std::string& cid : members) {
    st.Update(Kill(cid, ContainerDir(cid), "KILL", absl::ZeroDuration()));
  }
  Sandbox copy;
  {
    absl::MutexLock lock(&mu_);
    auto it = sandboxes_.find(id);
    if (it == sandboxes_.end()) return st;
    it->second.status.ready = false;
    copy = it->second;
  }
  st.Update(SaveSandbox(id, copy));
  return st;
}

absl::Status RuncRuntime::RemovePodSandbox(std::string_view sandbox_id) {
  std::string id(sandbox_id);
  std::vector<std::string> members;
  Sandbox sb;
  {
    absl::MutexLock lock(&mu_);
    auto it = sandboxes_.find(id);
    if (it == sandboxes_.end()) return absl::OkStatus();
    it->second.removing = true;
    it->second.status.ready = false;
    sb = it->second;
    for (const auto& [cid, c] : containers_) {
      if (c.sandbox_id == id) members.push_back(cid);
    }
  }
  absl::Status st;
  for (const std::string& cid : members) st.Update(RemoveContainer(cid));
  st.Update(DestroySandboxFiles(id, sb));
  absl::MutexLock lock(&mu_);
  sandboxes_.erase(id);
  return st;
}

absl::StatusOr<SandboxStatus> RuncRuntime::InspectSandbox(std::string_view sandbox_id) {
  std::string id(sandbox_id);
  SandboxStatus status;
  {
    absl::MutexLock lock(&mu_);
    auto it = sandboxes_.find(id);
    if (it == sandboxes_.end()) return absl::NotFoundError(api::Cat("sandbox ", id));
    status = it->second.status;
  }
  return status;
}

std::vector<std::string> RuncRuntime::ListSandboxes() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [id, sb] : sandboxes_) out.push_back(id);
  return out;
}

std::vector<SandboxStatus> RuncRuntime::ListPodSandboxes() const {
  absl::MutexLock lock(&mu_);
  std::vector<SandboxStatus> out;
  for (const auto& [id, sb] : sandboxes_) {
    if (sb.removing) continue;
    SandboxStatus s = sb.status;
    s.pod_uid = sb.config.pod_uid;
    s.pod_namespace = sb.config.pod_namespace;
    s.pod_name = sb.config.pod_name;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> RuncRuntime::ListContainers(std::string_view sandbox_id) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [id, c] : containers_) {
    if (c.sandbox_id == sandbox_id) out.push_back(id);
  }
  return out;
}

// ---- containers ----------------------------------------------------------------------------

absl::StatusOr<std::string> RuncRuntime::BuildContainerBundle(const std::string& id,
                                                              const Sandbox& sb,
                                                              const ContainerConfig& config,
                                                              const images::Image& image,
                                                              std::string* stop_signal) {
  auto plan = PlanProcess(image.config, config);
  if (!plan.ok()) return plan.status();
  std::string dir = ContainerDir(id);
  std::string rootfs = dir + "/rootfs";
  auto user =
      ResolveUser(plan->user, ReadInRoot(rootfs, "/etc/passwd"), ReadInRoot(rootfs, "/etc/group"));
  if (!user.ok()) return user.status();
  std::string sdir = SandboxDir(sb.status.id);

  OciSpec spec;
  spec.rootfs = rootfs;
  spec.process.args = plan->args;
  spec.process.env = plan->env;
  std::string hostname = base::ReadFile(sdir + "/hostname").value_or(sb.config.pod_name);
  if (std::none_of(spec.process.env.begin(), spec.process.env.end(),
                   [](const std::string& e) { return e.starts_with("HOSTNAME="); })) {
    spec.process.env.push_back("HOSTNAME=" + Trim(hostname));
  }
  spec.process.cwd = plan->cwd;
  spec.process.uid = user->uid;
  spec.process.gid = user->gid;
  spec.process.additional_gids = user->additional_gids;
  spec.process.capabilities = DefaultCapabilities();
  spec.mounts = DefaultMounts();
  std::vector<std::string> bind = {"rbind", "rprivate", "rw"};
  spec.mounts.push_back({"/dev/shm", "bind", sdir + "/shm", bind});
  spec.mounts.push_back({"/etc/hosts", "bind", sdir + "/hosts", bind});
  spec.mounts.push_back({"/etc/hostname", "bind", sdir + "/hostname", bind});
  spec.mounts.push_back({"/etc/resolv.conf", "bind", sdir + "/resolv.conf", bind});
  // Volumes, in the order the kubelet gave them (a subPath may sit inside an earlier mount).
  for (const Mount& m : config.mounts) {
    spec.mounts.push_back(
        {m.container_path, "bind", m.host_path, {"rbind", "rprivate", m.read_only ? "ro" : "rw"}});
  }
  spec.namespaces = {{"pid", ""}, {"mount", ""}, {"ipc", sb.ipcns}};
  if (!sb.config.host_network) {
    spec.namespaces.push_back({"uts", sb.utsns});
    spec.namespaces.push_back({"network", sb.netns});
  }
  spec.cgroups_path = api::Cat(options_.cgroup_parent, "/pod", sb.config.pod_uid, "/", id);
  spec.resources = ResourcesFor(config.resources);
  std::string_view sig = api::GetString(image.config, {"config", "StopSignal"});
  *stop_signal = sig.empty() ? "SIGTERM" : std::string(sig);
  if (auto s = WriteRecord(dir + "/config.json", json::serialize(ToOciConfig(spec))); !s.ok()) {
    return s;
  }
  return dir;
}

absl::StatusOr<std::string> RuncRuntime::CreateContainer(std::string_view sandbox_id,
                                                         const ContainerConfig& config) {
  Sandbox sb;
  {
    absl::MutexLock lock(&mu_);
    auto it = sandboxes_.find(std::string(sandbox_id));
    if (it == sandboxes_.end()) return absl::NotFoundError(api::Cat("sandbox ", sandbox_id));
    if (!it->second.status.ready || it->second.removing) {
      return absl::FailedPreconditionError(api::Cat("sandbox ", sandbox_id, " is not ready"));
    }
    for (const auto& [cid, c] : containers_) {
      if (c.sandbox_id == sandbox_id && c.config.name == config.name &&
          c.config.attempt == config.attempt) {
        return absl::AlreadyExistsError(
            api::Cat("container ", config.name, " attempt ", config.attempt, " already exists"));
      }
    }
    sb = it->second;
  }
  auto image = options_.images->Resolve(config.image);
  if (!image.ok()) return image.status();

  std::string id = NewId();
  std::string dir = ContainerDir(id);
  auto fail = [&](absl::Status st) {
    DestroyContainerFiles(id).IgnoreError();
    return st;
  };
  for (const char* sub : {"/rootfs", "/upper", "/work"}) {
    if (auto s = MakeDirs(dir + sub); !s.ok()) return fail(s);
  }
  ::chmod(dir.c_str(), 0700);
  auto layers = options_.images->PrepareLayers(id, *image);
  if (!layers.ok()) return fail(layers.status());
  if (layers->empty()) {
    if (auto s = MakeDirs(dir + "/empty"); !s.ok()) return fail(s);
    layers->push_back(dir + "/empty");
  }
  std::string opts = api::Cat("lowerdir=", api::Join(*layers, ":"), ",upperdir=", dir,
                              "/upper,workdir=", dir, "/work");
  if (::mount("overlay", (dir + "/rootfs").c_str(), "overlay", 0, opts.c_str()) != 0) {
    return fail(ErrnoStatus(errno, api::Cat("mount the rootfs of container ", config.name)));
  }
  std::string stop_signal;
  auto bundle = BuildContainerBundle(id, sb, config, *image, &stop_signal);
  if (!bundle.ok()) return fail(bundle.status());
  // The shim turns the container's stdout and stderr into this CRI-format log (and rotates it).
  if (!config.log_path.empty()) {
    size_t slash = config.log_path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      if (auto s = MakeDirs(config.log_path.substr(0, slash)); !s.ok()) return fail(s);
    }
    std::string log =
        api::Cat(config.log_path, "\n", options_.log_max_bytes, "\n", options_.log_max_files, "\n");
    if (auto s = base::WriteFileAtomic(dir + "/log", log); !s.ok()) return fail(s);
  }

  Container c;
  c.config = config;
  c.sandbox_id = std::string(sandbox_id);
  c.pod_uid = sb.config.pod_uid;
  c.stop_signal = stop_signal;
  c.status.id = id;
  c.status.name = config.name;
  c.status.image = config.image;
  c.status.image_ref = image->RepoDigest();
  c.status.attempt = config.attempt;
  c.status.state = ContainerState::kCreated;
  c.status.created_at = options_.clock->Now();
  if (auto s = SaveContainer(id, c); !s.ok()) return fail(s);
  absl::MutexLock lock(&mu_);
  containers_.emplace(id, std::move(c));
  return id;
}

absl::Status RuncRuntime::StartContainer(std::string_view container_id) {
  std::string id(container_id);
  {
    absl::MutexLock lock(&mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return absl::NotFoundError(api::Cat("container ", id));
    if (it->second.status.state != ContainerState::kCreated) {
      return absl::FailedPreconditionError(api::Cat("container ", id, " already started"));
    }
  }
  std::string dir = ContainerDir(id);
  UniqueFd log(
      ::open((dir + "/output.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  absl::Status st =
      log.ok() ? absl::OkStatus() : ErrnoStatus(errno, "open the container's output log");
  absl::Time now = options_.clock->Now();
  if (st.ok()) st = RunWithShim(id, dir, dir, log.get()).status();
  Container copy;
  {
    absl::MutexLock lock(&mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return absl::NotFoundError(api::Cat("container ", id));
    ContainerStatus& status = it->second.status;
    status.started_at = now;
    if (st.ok()) {
      status.state = ContainerState::kRunning;
    } else {
      // As containerd reports a process that could not be started.
      status.state = ContainerState::kExited;
      status.exit_code = 128;
      status.reason = "StartError";
      status.message = std::string(st.message());
      status.finished_at = options_.clock->Now();
    }
    copy = it->second;
  }
  absl::Status saved = SaveContainer(id, copy);
  return st.ok() ? saved : st;
}

absl::Status RuncRuntime::StopContainer(std::string_view container_id, absl::Duration timeout) {
  std::string id(container_id);
  std::string signal;
  {
    absl::MutexLock lock(&mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return absl::NotFoundError(api::Cat("container ", id));
    if (it->second.status.state == ContainerState::kExited) return absl::OkStatus();
    signal = it->second.stop_signal;
  }
  return Kill(id, ContainerDir(id), signal, timeout);
}

absl::Status RuncRuntime::DestroyContainerFiles(const std::string& id) {
  std::string dir = ContainerDir(id);
  auto del = Runc({"delete", "--force", id});
  if (!del.ok() && !absl::IsNotFound(del.status())) {
    spdlog::warn("runtime: {}", std::string(del.status().message()));
  }
  if (::access((dir + "/shim.pid").c_str(), F_OK) == 0) WaitExit(dir, absl::Seconds(2));
  absl::Status st;
  if (::umount2((dir + "/rootfs").c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    // Never delete through a mounted rootfs.
    return ErrnoStatus(errno, api::Cat("unmount the rootfs of container ", id));
  }
  st.Update(options_.images->ReleaseLayers(id));
  st.Update(images::RemoveTree(dir));
  return st;
}

absl::Status RuncRuntime::RemoveContainer(std::string_view container_id) {
  std::string id(container_id);
  {
    absl::MutexLock lock(&mu_);
    if (!containers_.contains(id)) return absl::OkStatus();
  }
  absl::Status st = DestroyContainerFiles(id);
  if (!st.ok()) return st;
  absl::MutexLock lock(&mu_);
  containers_.erase(id);
  return absl::OkStatus();
}

absl::StatusOr<ContainerStatus> RuncRuntime::InspectContainer(std::string_view container_id) {
  std::string id(container_id);
  Container copy;
  {
    absl::MutexLock lock(&mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return absl::NotFoundError(api::Cat("container ", id));
    if (it->second.status.state == ContainerState::kExited) return it->second.status;
    copy = it->second;
  }
  Refresh(copy, id);
  if (copy.status.state == ContainerState::kExited) {
    absl::MutexLock lock(&mu_);
    auto it = containers_.find(id);
    if (it != containers_.end() && it->second.status.state != ContainerState::kExited) {
      it->second.status = copy.status;
    }
  }
  return copy.status;
}

}  // namespace skiff::agent::runtime
