#include "skiff/agent/runtime/runc/oci_spec.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/api/text.h"

namespace skiff::agent::runtime {

namespace json = boost::json;

namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> StringList(const json::value& config, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = api::GetArray(config, {"config", key})) {
    for (const json::value& v : *a) {
      if (v.is_string()) out.emplace_back(v.get_string());
    }
  }
  return out;
}

constexpr uint64_t kMinShares = 2;
constexpr uint64_t kSharesPerCpu = 1024;
constexpr uint64_t kQuotaPeriod = 100000;  // microseconds
constexpr int64_t kMinQuota = 1000;

}  // namespace

const std::vector<std::string>& DefaultCapabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return caps;
}

std::vector<OciMount> DefaultMounts() {
  return {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
  };
}

OciResources ResourcesFor(const ContainerResources& r) {
  OciResources out;
  // Kubernetes gives a container without a CPU request the minimum, not the default weight.
  out.cpu_shares = std::max<uint64_t>(
      kMinShares,
      static_cast<uint64_t>(std::max<int64_t>(r.cpu_request_millis, 0)) * kSharesPerCpu / 1000);
  if (r.cpu_limit_millis > 0) {
    out.cpu_period = kQuotaPeriod;
    out.cpu_quota = std::max<int64_t>(
        kMinQuota, r.cpu_limit_millis * static_cast<int64_t>(kQuotaPeriod) / 1000);
  }
  out.memory_limit = std::max<int64_t>(r.memory_limit_bytes, 0);
  return out;
}

absl::StatusOr<ProcessPlan> PlanProcess(const json::value& image_config, const ContainerConfig& c) {
  ProcessPlan plan;
  std::vector<std::string> entrypoint = StringList(image_config, "Entrypoint");
  std::vector<std::string> cmd = StringList(image_config, "Cmd");
  if (!c.command.empty()) {
    plan.args = c.command;
    plan.args.insert(plan.args.end(), c.args.begin(), c.args.end());
  } else {
    plan.args = entrypoint;
    const std::vector<std::string>& rest = c.args.empty() ? cmd : c.args;
    plan.args.insert(plan.args.end(), rest.begin(), rest.end());
  }
  if (plan.args.empty()) {
    return absl::InvalidArgumentError(api::Cat("container ", c.name,
                                               ": no command specified "
                                               "and the image has no entrypoint or cmd"));
  }
  plan.env = StringList(image_config, "Env");
  for (const auto& [name, value] : c.env) {
    std::string entry = api::Cat(name, "=", value);
    auto same = std::find_if(plan.env.begin(), plan.env.end(), [&](const std::string& e) {
      return e.size() > name.size() && e.compare(0, name.size(), name) == 0 &&
             e[name.size()] == '=';
    });
    if (same != plan.env.end()) {
      *same = std::move(entry);
    } else {
      plan.env.push_back(std::move(entry));
    }
  }
  if (std::none_of(plan.env.begin(), plan.env.end(),
                   [](const std::string& e) { return e.starts_with("PATH="); })) {
    plan.env.insert(plan.env.begin(),
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }
  plan.cwd = c.working_dir;
  if (plan.cwd.empty())
    plan.cwd = std::string(api::GetString(image_config, {"config", "WorkingDir"}));
  if (plan.cwd.empty()) plan.cwd = "/";
  plan.user = std::string(api::GetString(image_config, {"config", "User"}));
  return plan;
}

namespace {

bool ParseId(std::string_view s, uint32_t* out) {
  int64_t v = 0;
  if (s.empty() || !api::ParseInt64(s, &v) || v < 0 || v > 0xFFFFFFFE) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

// Lines of an /etc/passwd or /etc/group file split on ':'.
std::vector<std::vector<std::string_view>> Records(std::string_view file) {
  std::vector<std::vector<std::string_view>> out;
  for (std::string_view line : api::Split(file, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    out.push_back(api::Split(line, ':'));
  }
  return out;
}

}  // namespace

absl::StatusOr<ResolvedUser> ResolveUser(std::string_view user, std::string_view passwd,
                                         std::string_view group) {
  ResolvedUser out;
  if (user.empty()) return out;
  std::string_view user_part = user.substr(0, user.find(':'));
  std::string_view group_part =
      user.find(':') == std::string_view::npos ? "" : user.substr(user.find(':') + 1);
  std::string name;
  bool found = false;
  for (const auto& rec : Records(passwd)) {
    if (rec.size() < 4) continue;
    uint32_t uid = 0;
    if (rec[0] == user_part || (ParseId(user_part, &uid) && rec[2] == user_part)) {
      if (!ParseId(rec[2], &out.uid) || !ParseId(rec[3], &out.gid)) continue;
      name = std::string(rec[0]);
      found = true;
      break;
    }
  }
  if (!found) {
    if (!ParseId(user_part, &out.uid)) {
      return absl::InvalidArgumentError(
          api::Cat("unable to find user ", user_part, ": no matching entries in passwd file"));
    }
    out.gid = 0;
  }
  auto groups = Records(group);
  if (!group_part.empty()) {
    bool gfound = false;
    for (const auto& rec : groups) {
      if (rec.size() >= 3 && rec[0] == group_part && ParseId(rec[2], &out.gid)) {
        gfound = true;
        break;
      }
    }
    if (!gfound && !ParseId(group_part, &out.gid)) {
      return absl::InvalidArgumentError(
          api::Cat("unable to find group ", group_part, ": no matching entries in group file"));
    }
  }
  if (!name.empty()) {
    for (const auto& rec : groups) {
      if (rec.size() < 4) continue;
      uint32_t gid = 0;
      if (!ParseId(rec[2], &gid) || gid == out.gid) continue;
      for (std::string_view member : api::Split(rec[3], ',')) {
        if (member == name) out.additional_gids.push_back(gid);
      }
    }
  }
  return out;
}

json::object ToOciConfig(const OciSpec& spec) {
  json::array caps = Strings(spec.process.capabilities);
  json::array gids;
  for (uint32_t g : spec.process.additional_gids) gids.emplace_back(g);
  json::object user = {{"uid", spec.process.uid}, {"gid", spec.process.gid}};
  if (!gids.empty()) user["additionalGids"] = gids;
  json::object process = {
      {"terminal", false},
      {"user", user},
      {"args", Strings(spec.process.args)},
      {"env", Strings(spec.process.env)},
      {"cwd", spec.process.cwd},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"noNewPrivileges", true},
  };
  json::array mounts;
  for (const OciMount& m : spec.mounts) {
    mounts.push_back(json::object{{"destination", m.destination},
                                  {"type", m.type},
                                  {"source", m.source},
                                  {"options", Strings(m.options)}});
  }
  json::array namespaces;
  for (const OciNamespace& ns : spec.namespaces) {
    json::object n = {{"type", ns.type}};
    if (!ns.path.empty()) n["path"] = ns.path;
    namespaces.push_back(std::move(n));
  }
  json::object resources = {
      {"devices", json::array{json::object{{"allow", false}, {"access", "rwm"}}}}};
  json::object cpu;
  if (spec.resources.cpu_shares > 0) cpu["shares"] = spec.resources.cpu_shares;
  if (spec.resources.cpu_quota > 0) {
    cpu["quota"] = spec.resources.cpu_quota;
    cpu["period"] = spec.resources.cpu_period;
  }
  if (!cpu.empty()) resources["cpu"] = std::move(cpu);
  if (spec.resources.memory_limit > 0) {
    resources["memory"] = json::object{{"limit", spec.resources.memory_limit}};
  }
  json::object linux = {
      {"namespaces", namespaces},
      {"resources", resources},
      {"maskedPaths",
       {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap"}},
      {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
  };
  if (!spec.cgroups_path.empty()) linux["cgroupsPath"] = spec.cgroups_path;
  json::object config = {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", spec.rootfs}, {"readonly", spec.readonly_rootfs}}},
      {"mounts", mounts},
      {"linux", linux},
  };
  if (!spec.hostname.empty()) config["hostname"] = spec.hostname;
  return config;
}

}  // namespace skiff::agent::runtime
