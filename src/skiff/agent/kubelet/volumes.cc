#include "skiff/agent/kubelet/volumes.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/escaping.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/text.h"

namespace skiff::agent::kubelet {

namespace json = boost::json;
namespace fs = std::filesystem;
using api::GetString;

namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

absl::Status Errno(std::string_view what) {
  return absl::InternalError(api::Cat(what, ": ", std::strerror(errno)));
}

int OpenBeneath(int dirfd, const std::string& path, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how));
}

absl::StatusOr<std::vector<std::string>> Components(std::string_view relative) {
  if (relative.starts_with('/')) {
    return absl::InvalidArgumentError(api::Cat("path \"", relative, "\" must be relative"));
  }
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string_view::npos) slash = relative.size();
    std::string_view c = relative.substr(start, slash - start);
    if (c == "..") {
      return absl::InvalidArgumentError(api::Cat("path \"", relative, "\" must not contain '..'"));
    }
    if (!c.empty() && c != ".") out.emplace_back(c);
    start = slash + 1;
  }
  return out;
}

// Opens the directory `comps` beneath `rootfd` (O_PATH), making missing ones when asked.
absl::StatusOr<Fd> OpenDirBeneath(int rootfd, const std::vector<std::string>& comps, bool create) {
  Fd cur(::fcntl(rootfd, F_DUPFD_CLOEXEC, 0));
  for (const std::string& c : comps) {
    int fd = OpenBeneath(cur.get(), c, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), c.c_str(), 0755) != 0 && errno != EEXIST) {
        return Errno(api::Cat("mkdir ", c));
      }
      fd = OpenBeneath(cur.get(), c, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) {
      if (errno == EXDEV || errno == ELOOP) {
        return absl::InvalidArgumentError(
            api::Cat("path component \"", c, "\" leads out of the volume"));
      }
      return Errno(api::Cat("open ", c));
    }
    cur = Fd(fd);
  }
  return cur;
}

std::string FdPath(int fd) {
  char buf[4096];
  ssize_t n = ::readlink(api::Cat("/proc/self/fd/", fd).c_str(), buf, sizeof buf - 1);
  return n < 0 ? "" : std::string(buf, n);
}

std::vector<std::pair<std::string, std::string>> ObjectData(const json::value& obj, bool secret) {
  std::vector<std::pair<std::string, std::string>> out;
  if (const json::object* d = api::GetObject(obj, {"data"})) {
    for (const auto& [k, v] : *d) {
      if (!v.is_string()) continue;
      std::string value(v.get_string());
      if (secret) {
        std::string decoded;
        if (!absl::Base64Unescape(value, &decoded)) continue;
        value = std::move(decoded);
      }
      out.emplace_back(std::string(k), std::move(value));
    }
  }
  if (!secret) {
    if (const json::object* d = api::GetObject(obj, {"binaryData"})) {
      for (const auto& [k, v] : *d) {
        std::string decoded;
        if (v.is_string() && absl::Base64Unescape(std::string(v.get_string()), &decoded))
          out.emplace_back(std::string(k), std::move(decoded));
      }
    }
  }
  return out;
}

// key="value" lines, sorted, as the downward API writes labels and annotations.
std::string MapLines(const json::object* m) {
  std::map<std::string, std::string> sorted;
  if (m != nullptr) {
    for (const auto& [k, v] : *m)
      if (v.is_string()) sorted[std::string(k)] = std::string(v.get_string());
  }
  std::string out;
  for (const auto& [k, v] : sorted) {
    if (!out.empty()) out += '\n';
    out += api::Cat(k, "=\"", v, "\"");
  }
  return out;
}

int ModeOf(const json::value* v, int fallback) {
  if (v == nullptr || !v->is_int64()) return fallback;
  return static_cast<int>(v->as_int64()) & 07777;
}

// mountinfo writes space, tab, newline and backslash in paths as octal escapes ("\040").
std::string UnescapeMountPath(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto octal = [&](size_t j) { return j < s.size() && s[j] >= '0' && s[j] <= '7'; };
    if (s[i] == '\\' && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The mount points of this process's mount namespace.
std::vector<std::string> MountPoints() {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // "<id> <parent> <major:minor> <root> <mount point> ..."
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    if (fields >> id >> parent >> device >> root >> point) {
      out.push_back(UnescapeMountPath(point));
    }
  }
  return out;
}

}  // namespace

bool IsPodDirName(std::string_view uid) {
  return !uid.empty() && !uid.starts_with('.') && uid.find_first_of("/_") == std::string_view::npos;
}

absl::Status RemoveUnlessMounted(const std::string& path) {
  fs::path p(path);
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(p, ec))) return absl::OkStatus();
  // Mount points are reported by real path: resolve the parent, but not `path` itself (a link
  // there is what gets removed).
  fs::path parent = fs::canonical(p.parent_path(), ec);
  if (ec) return absl::InternalError(api::Cat("resolve ", path, ": ", ec.message()));
  std::string real = (parent / p.filename()).string();
  for (const std::string& point : MountPoints()) {
    if (point == real || point.starts_with(real + "/")) {
      return absl::FailedPreconditionError(
          api::Cat("not removing ", path, ": ", point, " is still mounted"));
    }
  }
  fs::remove_all(p, ec);
  if (ec) return absl::InternalError(api::Cat("remove ", path, ": ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResolveBeneath(const std::string& root, std::string_view relative,
                                           bool create_dirs) {
  auto comps = Components(relative);
  if (!comps.ok()) return comps.status();
  Fd rootfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd.ok()) return Errno(api::Cat("open ", root));
  if (comps->empty()) return FdPath(rootfd.get());
  // Directories on the way, then the last component (a file or a directory) beneath them.
  std::vector<std::string> dirs(comps->begin(), comps->end() - 1);
  auto parent = OpenDirBeneath(rootfd.get(), dirs, create_dirs);
  if (!parent.ok()) return parent.status();
  int fd = OpenBeneath(parent->get(), comps->back(), O_PATH);
  if (fd < 0 && errno == ENOENT && create_dirs) {
    if (::mkdirat(parent->get(), comps->back().c_str(), 0755) != 0 && errno != EEXIST) {
      return Errno(api::Cat("mkdir ", comps->back()));
    }
    fd = OpenBeneath(parent->get(), comps->back(), O_PATH);
  }
  if (fd < 0) {
    if (errno == EXDEV || errno == ELOOP) {
      return absl::InvalidArgumentError(
          api::Cat("path \"", relative, "\" leads out of the volume"));
    }
    return Errno(api::Cat("open ", relative));
  }
  Fd f(fd);
  return FdPath(f.get());
}

absl::Status WriteBeneath(const std::string& root, std::string_view relative, std::string_view data,
                          int mode) {
  auto comps = Components(relative);
  if (!comps.ok()) return comps.status();
  if (comps->empty()) return absl::InvalidArgumentError("empty file path");
  Fd rootfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd.ok()) return Errno(api::Cat("open ", root));
  std::vector<std::string> dirs(comps->begin(), comps->end() - 1);
  auto parent = OpenDirBeneath(rootfd.get(), dirs, /*create=*/true);
  if (!parent.ok()) return parent.status();
  // O_PATH descriptors cannot create files: reopen the directory for real, beneath itself.
  Fd dir(OpenBeneath(parent->get(), ".", O_RDONLY | O_DIRECTORY));
  if (!dir.ok()) return Errno(api::Cat("open directory of ", relative));
  std::string tmp = api::Cat(".", comps->back(), ".tmp");
  ::unlinkat(dir.get(), tmp.c_str(), 0);
  Fd file(
      ::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!file.ok()) return Errno(api::Cat("create ", relative));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(file.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(api::Cat("write ", relative));
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(file.get(), static_cast<mode_t>(mode)) != 0) return Errno("chmod");
  if (::renameat(dir.get(), tmp.c_str(), dir.get(), comps->back().c_str()) != 0) {
    return Errno(api::Cat("rename ", relative));
  }
  return absl::OkStatus();
}

VolumeManager::VolumeManager(std::string root, ObjectLookup lookup, NodeAllocatable allocatable)
    : root_(std::move(root)), lookup_(std::move(lookup)), allocatable_(allocatable) {}

std::string VolumeManager::VolumeDir(std::string_view pod_uid, std::string_view volume) const {
  return api::Cat(root_, "/", pod_uid, "/volumes/", volume);
}

absl::Status VolumeManager::Project(const json::value& pod, const json::value& volume,
                                    const std::string& dir) {
  std::string_view ns = GetString(pod, {"metadata", "namespace"});
  // Each source: (kind, spec); projected volumes list several.
  std::vector<std::pair<std::string, const json::value*>> sources;
  int default_mode = 0644;
  for (std::string_view kind : {"configMap", "secret", "downwardAPI"}) {
    if (const json::value* s = api::Find(volume, {kind})) {
      sources.emplace_back(std::string(kind), s);
      default_mode = ModeOf(api::Find(*s, {"defaultMode"}), 0644);
    }
  }
  if (const json::value* p = api::Find(volume, {"projected"})) {
    default_mode = ModeOf(api::Find(*p, {"defaultMode"}), 0644);
    if (const json::array* list = api::GetArray(*p, {"sources"})) {
      for (const auto& s : *list) {
        for (std::string_view kind : {"configMap", "secret", "downwardAPI"}) {
          if (const json::value* v = api::Find(s, {kind}))
            sources.emplace_back(std::string(kind), v);
        }
      }
    }
  }
  for (const auto& [kind, src] : sources) {
    if (kind == "downwardAPI") {
      if (const json::array* items = api::GetArray(*src, {"items"})) {
        for (const auto& item : *items) {
          std::string value;
          if (const json::value* f = api::Find(item, {"fieldRef"})) {
            std::string_view path = GetString(*f, {"fieldPath"});
            if (path == "metadata.labels") {
              value = MapLines(api::GetObject(pod, {"metadata", "labels"}));
            } else if (path == "metadata.annotations") {
              value = MapLines(api::GetObject(pod, {"metadata", "annotations"}));
            } else {
              auto v = PodFieldValue(pod, path);
              if (!v.ok()) return v.status();
              value = std::move(*v);
            }
          } else if (const json::value* r = api::Find(item, {"resourceFieldRef"})) {
            const json::value* target = nullptr;
            std::string_view cname = GetString(*r, {"containerName"});
            if (const json::array* cs = api::GetArray(pod, {"spec", "containers"})) {
              for (const auto& c : *cs)
                if (cname.empty() || GetString(c, {"name"}) == cname) {
                  target = &c;
                  break;
                }
            }
            if (target == nullptr) continue;
            auto v = ResourceFieldValue(*target, GetString(*r, {"resource"}),
                                        api::Find(*r, {"divisor"}), allocatable_);
            if (!v.ok()) return v.status();
            value = std::move(*v);
          }
          if (auto s = WriteBeneath(dir, GetString(item, {"path"}), value,
                                    ModeOf(api::Find(item, {"mode"}), default_mode));
              !s.ok()) {
            return s;
          }
        }
      }
      continue;
    }
    bool secret = kind == "secret";
    std::string_view name = GetString(*src, {secret ? "secretName" : "name"});
    if (name.empty()) name = GetString(*src, {"name"});
    bool optional = api::GetBool(*src, {"optional"});
    auto obj = lookup_(secret ? "secrets" : "configmaps", ns, name);
    if (!obj.ok()) {
      if (absl::IsNotFound(obj.status()) && optional) continue;
      if (absl::IsNotFound(obj.status())) {
        return absl::NotFoundError(
            api::Cat(secret ? "secret" : "configmap", " \"", name, "\" not found"));
      }
      return obj.status();
    }
    auto data = ObjectData(*obj, secret);
    const json::array* items = api::GetArray(*src, {"items"});
    if (items == nullptr || items->empty()) {
      for (const auto& [k, v] : data) {
        if (auto s = WriteBeneath(dir, k, v, default_mode); !s.ok()) return s;
      }
      continue;
    }
    for (const auto& item : *items) {
      std::string_view key = GetString(item, {"key"});
      auto it =
          std::find_if(data.begin(), data.end(), [&](const auto& kv) { return kv.first == key; });
      if (it == data.end()) {
        if (optional) continue;
        return absl::NotFoundError(api::Cat("configmap references non-existent config key: ", key));
      }
      if (auto s = WriteBeneath(dir, GetString(item, {"path"}), it->second,
                                ModeOf(api::Find(item, {"mode"}), default_mode));
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::pair<std::string, bool>> VolumeManager::HostPathOf(const json::value& pod,
                                                                       const json::value& volume) {
  std::string_view uid = GetString(pod, {"metadata", "uid"});
  std::string_view name = GetString(volume, {"name"});
  if (const json::value* hp = api::Find(volume, {"hostPath"})) {
    std::string path(GetString(*hp, {"path"}));
    std::string_view type = GetString(*hp, {"type"});
    struct stat st;
    bool exists = ::stat(path.c_str(), &st) == 0;
    if (type == "DirectoryOrCreate" && !exists) {
      std::error_code ec;
      fs::create_directories(path, ec);
      if (ec) return absl::InternalError(api::Cat("create ", path, ": ", ec.message()));
    } else if (type == "FileOrCreate" && !exists) {
      int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0) return Errno(api::Cat("create ", path));
      ::close(fd);
    } else if (!type.empty() && type != "DirectoryOrCreate" && type != "FileOrCreate") {
      auto fail = [&](std::string_view what) {
        return absl::FailedPreconditionError(
            api::Cat("hostPath type check failed: ", path, " is not a ", what));
      };
      if (!exists) return fail(type);
      if (type == "Directory" && !S_ISDIR(st.st_mode)) return fail("directory");
      if (type == "File" && !S_ISREG(st.st_mode)) return fail("file");
      if (type == "Socket" && !S_ISSOCK(st.st_mode)) return fail("socket");
      if (type == "CharDevice" && !S_ISCHR(st.st_mode)) return fail("character device");
      if (type == "BlockDevice" && !S_ISBLK(st.st_mode)) return fail("block device");
    }
    return std::make_pair(path, false);
  }
  if (const json::value* claim = api::Find(volume, {"persistentVolumeClaim"})) {
    std::string_view claim_name = GetString(*claim, {"claimName"});
    auto pvc =
        lookup_("persistentvolumeclaims", GetString(pod, {"metadata", "namespace"}), claim_name);
    if (!pvc.ok()) {
      return absl::NotFoundError(api::Cat("persistentvolumeclaim \"", claim_name, "\" not found"));
    }
    std::string_view pv_name = GetString(*pvc, {"spec", "volumeName"});
    if (pv_name.empty() || GetString(*pvc, {"status", "phase"}) != "Bound") {
      return absl::UnavailableError(
          api::Cat("persistentvolumeclaim \"", claim_name, "\" is not bound"));
    }
    auto pv = lookup_("persistentvolumes", "", pv_name);
    if (!pv.ok())
      return absl::NotFoundError(api::Cat("persistentvolume \"", pv_name, "\" not found"));
    std::string path(GetString(*pv, {"spec", "hostPath", "path"}));
    if (path.empty()) path = GetString(*pv, {"spec", "local", "path"});
    if (path.empty()) {
      return absl::UnimplementedError(
          api::Cat("persistentvolume \"", pv_name, "\" is neither hostPath nor local"));
    }
    std::error_code ec;
    fs::create_directories(path, ec);
    return std::make_pair(path, api::GetBool(*claim, {"readOnly"}));
  }
  bool projection = api::Find(volume, {"configMap"}) || api::Find(volume, {"secret"}) ||
                    api::Find(volume, {"downwardAPI"}) || api::Find(volume, {"projected"});
  if (projection || api::Find(volume, {"emptyDir"})) {
    return std::make_pair(VolumeDir(uid, name), projection);
  }
  return absl::UnimplementedError(api::Cat("volume \"", name, "\": unsupported volume type"));
}

absl::Status VolumeManager::SetUpPod(const json::value& pod) {
  const json::array* volumes = api::GetArray(pod, {"spec", "volumes"});
  if (volumes == nullptr) return absl::OkStatus();
  std::string_view uid = GetString(pod, {"metadata", "uid"});
  for (const auto& v : *volumes) {
    std::string_view name = GetString(v, {"name"});
    auto host = HostPathOf(pod, v);
    if (!host.ok()) {
      return absl::Status(host.status().code(),
                          api::Cat("MountVolume.SetUp failed for volume \"", name,
                                   "\" : ", std::string(host.status().message())));
    }
    if (host->first != VolumeDir(uid, name)) continue;  // hostPath, PVC: nothing to make
    std::string dir = host->first;
    bool fresh = !fs::exists(dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return absl::InternalError(api::Cat("create ", dir, ": ", ec.message()));
    if (const json::value* ed = api::Find(v, {"emptyDir"}); ed != nullptr && fresh) {
      ::chmod(dir.c_str(), 0777);  // as the kubelet: any container user may write
      if (GetString(*ed, {"medium"}) == "Memory") {
        std::string opts = "mode=0777";
        if (const json::value* limit = api::Find(*ed, {"sizeLimit"})) {
          auto q = api::Quantity::FromJson(*limit);
          if (q.ok()) opts += api::Cat(",size=", q->Value());
        }
        if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
          return Errno(api::Cat("mount tmpfs on ", dir));
        }
      }
    }
    if (api::Find(v, {"emptyDir"}) == nullptr) {
      if (auto s = Project(pod, v, dir); !s.ok()) {
        return absl::Status(s.code(), api::Cat("MountVolume.SetUp failed for volume \"", name,
                                               "\" : ", std::string(s.message())));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<runtime::Mount>> VolumeManager::MountsFor(const json::value& pod,
                                                                     const json::value& container) {
  std::vector<runtime::Mount> out;
  const json::array* mounts = api::GetArray(container, {"volumeMounts"});
  if (mounts == nullptr) return out;
  const json::array* volumes = api::GetArray(pod, {"spec", "volumes"});
  for (const auto& m : *mounts) {
    std::string_view name = GetString(m, {"name"});
    const json::value* volume = nullptr;
    if (volumes != nullptr) {
      for (const auto& v : *volumes)
        if (GetString(v, {"name"}) == name) volume = &v;
    }
    if (volume == nullptr) {
      return absl::NotFoundError(api::Cat("cannot find volume \"", name,
                                          "\" to mount into container \"",
                                          GetString(container, {"name"}), "\""));
    }
    auto host = HostPathOf(pod, *volume);
    if (!host.ok()) return host.status();
    std::string source = host->first;
    std::string sub(GetString(m, {"subPath"}));
    if (sub.empty() && !GetString(m, {"subPathExpr"}).empty()) {
      // $(VAR) from the container's own env (plain values) and the downward API fields.
      EnvList env;
      if (const json::array* vars = api::GetArray(container, {"env"})) {
        for (const auto& var : *vars) {
          if (const json::value* f = api::Find(var, {"valueFrom", "fieldRef"})) {
            auto v = PodFieldValue(pod, GetString(*f, {"fieldPath"}));
            if (v.ok()) env.emplace_back(GetString(var, {"name"}), *v);
          } else {
            env.emplace_back(GetString(var, {"name"}), GetString(var, {"value"}));
          }
        }
      }
      sub = Expand(GetString(m, {"subPathExpr"}), env);
    }
    if (!sub.empty()) {
      auto resolved = ResolveBeneath(source, sub, /*create_dirs=*/true);
      if (!resolved.ok()) {
        return absl::InvalidArgumentError(
            api::Cat("subPath \"", sub, "\" of volume \"", name,
                     "\": ", std::string(resolved.status().message())));
      }
      source = *resolved;
    }
    out.push_back({std::string(GetString(m, {"mountPath"})), source,
                   api::GetBool(m, {"readOnly"}) || host->second});
  }
  return out;
}

absl::Status VolumeManager::TearDownPod(std::string_view pod_uid) {
  if (!IsPodDirName(pod_uid)) {
    return absl::InvalidArgumentError(api::Cat("\"", pod_uid, "\" is not a pod UID"));
  }
  std::string dir = api::Cat(root_, "/", pod_uid);
  std::error_code ec;
  // Only a real directory has volumes to unmount: a link is removed, never followed.
  if (fs::is_directory(fs::symlink_status(dir, ec)) &&
      fs::is_directory(fs::symlink_status(dir + "/volumes", ec))) {
    for (const auto& e : fs::directory_iterator(dir + "/volumes", ec)) {
      // tmpfs emptyDirs; EINVAL for the others.
      ::umount2(e.path().c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
    }
  }
  return RemoveUnlessMounted(dir);
}

std::vector<std::string> VolumeManager::ListPodDirs() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_, ec)) {
    std::string name = e.path().filename().string();
    if (IsPodDirName(name)) out.push_back(std::move(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace skiff::agent::kubelet
