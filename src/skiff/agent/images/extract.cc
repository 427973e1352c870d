#include "skiff/agent/images/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "skiff/agent/images/digest.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"

namespace skiff::agent::images {

namespace {

using base::ErrnoStatus;
using base::UniqueFd;

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// Splits `name` into components, dropping "." and empty ones and applying ".." lexically,
// never above the root (as containerd does with filepath.Clean("/" + name)).
std::vector<std::string> CleanComponents(std::string_view name) {
  std::vector<std::string> out;
  for (std::string_view c : api::Split(name, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.emplace_back(c);
  }
  return out;
}

std::string JoinComponents(const std::vector<std::string>& comps, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out.push_back('/');
    out += comps[i];
  }
  return out.empty() ? "." : out;
}

int OpenInRoot(int root, const std::string& path, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  while (true) {
    int fd = static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
    if (fd >= 0 || errno != EAGAIN) return fd;  // EAGAIN: a concurrent rename; retry
  }
}

// Opens (O_PATH) the directory made of the first `n` components, resolved beneath `root`,
// creating missing directories (0755) when `create`.
absl::StatusOr<UniqueFd> OpenDir(int root, const std::vector<std::string>& comps, size_t n,
                                 bool create) {
  UniqueFd cur(OpenInRoot(root, ".", O_PATH | O_DIRECTORY));
  if (!cur.ok()) return ErrnoStatus(errno, "open extraction root");
  for (size_t i = 1; i <= n; ++i) {
    std::string prefix = JoinComponents(comps, i);
    int fd = OpenInRoot(root, prefix, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), comps[i - 1].c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus(errno, api::Cat("mkdir ", prefix));
      }
      fd = OpenInRoot(root, prefix, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) return ErrnoStatus(errno, api::Cat("open ", prefix));
    cur.Reset(fd);
  }
  return cur;
}

absl::Status RemoveAt(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return absl::OkStatus();
  if (errno != EISDIR) return ErrnoStatus(errno, api::Cat("remove ", name));
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, api::Cat("open ", name));
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return ErrnoStatus(errno, api::Cat("read ", name));
  }
  absl::Status st;
  std::vector<std::string> children;
  while (dirent* ent = ::readdir(d)) {
    std::string_view child = ent->d_name;
    if (child != "." && child != "..") children.emplace_back(child);
  }
  for (const std::string& child : children) {
    st = RemoveAt(::dirfd(d), child);
    if (!st.ok()) break;
  }
  ::closedir(d);
  if (!st.ok()) return st;
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, api::Cat("rmdir ", name));
  }
  return absl::OkStatus();
}

absl::Status ArchiveError(archive* a, std::string_view what) {
  const char* msg = archive_error_string(a);
  return absl::DataLossError(api::Cat(what, ": ", msg ? msg : "unknown archive error"));
}

// Feeds the tar reader with the decompressed stream of the raw reader, hashing it on the way
// so the diff ID comes out of the same single pass.
struct DecompressedStream {
  archive* raw = nullptr;
  Sha256 hash;
  char buf[1 << 16];
  bool failed = false;
};

la_ssize_t ReadDecompressed(archive* reader, void* user, const void** out) {
  auto* s = static_cast<DecompressedStream*>(user);
  la_ssize_t n = archive_read_data(s->raw, s->buf, sizeof s->buf);
  if (n < 0) {
    s->failed = true;
    archive_set_error(reader, EIO, "%s", archive_error_string(s->raw));
    return -1;
  }
  s->hash.Update(s->buf, static_cast<size_t>(n));
  *out = s->buf;
  return n;
}

struct DirMeta {
  std::vector<std::string> comps;
  mode_t mode;
  uid_t uid;
  gid_t gid;
  timespec mtime;
};

class Extractor {
 public:
  Extractor(int root, archive* tar, const ExtractOptions& options)
      : root_(root), tar_(tar), options_(options) {}

  absl::Status Entry(archive_entry* e) {
    std::vector<std::string> comps = CleanComponents(archive_entry_pathname(e));
    if (comps.empty()) return absl::OkStatus();  // the root itself
    std::string base = comps.back();
    auto parent = OpenDir(root_, comps, comps.size() - 1, /*create=*/true);
    if (!parent.ok()) return parent.status();
    int pfd = parent->get();

    if (options_.overlay_whiteouts && base.starts_with(".wh.")) return Whiteout(*parent, base);

    mode_t type = archive_entry_filetype(e);
    const char* hardlink = archive_entry_hardlink(e);
    struct stat st;
    bool exists = ::fstatat(pfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    bool keep_dir = exists && S_ISDIR(st.st_mode) && type == AE_IFDIR && hardlink == nullptr;
    if (exists && !keep_dir) {
      if (auto s = RemoveAt(pfd, base); !s.ok()) return s;
    }
    std::string shown = JoinComponents(comps, comps.size());
    if (hardlink != nullptr) return Hardlink(pfd, base, hardlink, shown);

    mode_t perm = archive_entry_perm(e) & 07777;
    uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
    gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
    timespec times[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                         {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    switch (type) {
      case AE_IFDIR:
        if (!keep_dir && ::mkdirat(pfd, base.c_str(), 0700) != 0) {
          return ErrnoStatus(errno, api::Cat("mkdir ", shown));
        }
        dirs_.push_back({comps, perm, uid, gid, times[1]});
        return absl::OkStatus();
      case AE_IFREG:
        return RegularFile(pfd, base, shown, e, perm, uid, gid, times);
      case AE_IFLNK:
        if (::symlinkat(archive_entry_symlink(e), pfd, base.c_str()) != 0) {
          return ErrnoStatus(errno, api::Cat("symlink ", shown));
        }
        break;
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO: {
        dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        if (::mknodat(pfd, base.c_str(), type | perm, type == AE_IFIFO ? 0 : dev) != 0) {
          return ErrnoStatus(errno, api::Cat("mknod ", shown));
        }
        break;
      }
      default:
        return absl::OkStatus();  // sockets and unknown types are not restored
    }
    if (options_.same_owner && ::fchownat(pfd, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, api::Cat("chown ", shown));
    }
    if (type != AE_IFLNK && ::fchmodat(pfd, base.c_str(), perm, 0) != 0) {
      return ErrnoStatus(errno, api::Cat("chmod ", shown));
    }
    if (::utimensat(pfd, base.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, api::Cat("set times of ", shown));
    }
    return absl::OkStatus();
  }

  // Directory metadata last, deepest first, so creating children does not undo it.
  absl::Status FinishDirectories() {
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
      std::string path = JoinComponents(it->comps, it->comps.size());
      UniqueFd fd(OpenInRoot(root_, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      if (!fd.ok()) continue;  // replaced by a later entry
      if (options_.same_owner && ::fchown(fd.get(), it->uid, it->gid) != 0) {
        return ErrnoStatus(errno, api::Cat("chown ", path));
      }
      if (::fchmod(fd.get(), it->mode) != 0) return ErrnoStatus(errno, api::Cat("chmod ", path));
      timespec times[2] = {it->mtime, it->mtime};
      if (::futimens(fd.get(), times) != 0) {
        return ErrnoStatus(errno, api::Cat("set times of ", path));
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Whiteout(const UniqueFd& parent, const std::string& base) {
    if (base == ".wh..wh..opq") {
      UniqueFd dir(::openat(parent.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!dir.ok()) return ErrnoStatus(errno, "open opaque directory");
      if (::fsetxattr(dir.get(), "trusted.overlay.opaque", "y", 1, 0) != 0) {
        return ErrnoStatus(errno, "mark directory opaque");
      }
      return absl::OkStatus();
    }
    if (base.starts_with(".wh..wh.")) return absl::OkStatus();  // aufs bookkeeping
    std::string name = base.substr(4);
    if (name.empty() || name == "." || name == "..") return absl::OkStatus();
    if (auto s = RemoveAt(parent.get(), name); !s.ok()) return s;
    if (::mknodat(parent.get(), name.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
      return ErrnoStatus(errno, api::Cat("whiteout ", name));
    }
    return absl::OkStatus();
  }

  absl::Status Hardlink(int pfd, const std::string& base, const char* target,
                        const std::string& shown) {
    std::vector<std::string> tcomps = CleanComponents(target);
    if (tcomps.empty()) return absl::DataLossError(api::Cat("hard link ", shown, " to the root"));
    auto tparent = OpenDir(root_, tcomps, tcomps.size() - 1, /*create=*/false);
    if (!tparent.ok()) return tparent.status();
    if (::linkat(tparent->get(), tcomps.back().c_str(), pfd, base.c_str(), 0) != 0) {
      return ErrnoStatus(errno, api::Cat("link ", shown, " to ", target));
    }
    return absl::OkStatus();
  }

  absl::Status RegularFile(int pfd, const std::string& base, const std::string& shown,
                           archive_entry* e, mode_t perm, uid_t uid, gid_t gid,
                           const timespec times[2]) {
    UniqueFd fd(
        ::openat(pfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.ok()) return ErrnoStatus(errno, api::Cat("create ", shown));
    const void* buf;
    size_t size;
    la_int64_t offset;
    while (true) {
      int r = archive_read_data_block(tar_, &buf, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return ArchiveError(tar_, api::Cat("read ", shown));
      const char* p = static_cast<const char*>(buf);
      while (size > 0) {
        ssize_t n = ::pwrite(fd.get(), p, size, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return ErrnoStatus(errno, api::Cat("write ", shown));
        p += n;
        size -= static_cast<size_t>(n);
        offset += n;
      }
    }
    if (::ftruncate(fd.get(), archive_entry_size(e)) != 0) {
      return ErrnoStatus(errno, api::Cat("truncate ", shown));
    }
    if (options_.same_owner && ::fchown(fd.get(), uid, gid) != 0) {
      return ErrnoStatus(errno, api::Cat("chown ", shown));
    }
    if (::fchmod(fd.get(), perm) != 0) return ErrnoStatus(errno, api::Cat("chmod ", shown));
    archive_entry_xattr_reset(e);
    const char* name;
    const void* value;
    size_t vsize;
    while (archive_entry_xattr_next(e, &name, &value, &vsize) == ARCHIVE_OK) {
      // Overlay metadata in an image could forge whiteouts or redirects: never restore it.
      if (std::string_view(name).starts_with("trusted.overlay.")) continue;
      ::fsetxattr(fd.get(), name, value, vsize, 0);  // best effort, like tar --xattrs
    }
    if (::futimens(fd.get(), times) != 0) {
      return ErrnoStatus(errno, api::Cat("set times of ", shown));
    }
    return absl::OkStatus();
  }

  int root_;
  archive* tar_;
  const ExtractOptions& options_;
  std::vector<DirMeta> dirs_;
};

}  // namespace

absl::StatusOr<std::string> ExtractArchive(const std::string& archive_path, const std::string& dir,
                                           const ExtractOptions& options) {
  UniqueFd root(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.ok()) return ErrnoStatus(errno, api::Cat("open ", dir));

  ArchivePtr raw(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(raw.get());
  archive_read_support_format_raw(raw.get());
  if (archive_read_open_filename(raw.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return ArchiveError(raw.get(), api::Cat("open ", archive_path));
  }
  archive_entry* raw_entry;
  if (archive_read_next_header(raw.get(), &raw_entry) != ARCHIVE_OK) {
    return ArchiveError(raw.get(), api::Cat("read ", archive_path));
  }

  DecompressedStream stream;
  stream.raw = raw.get();
  ArchivePtr tar(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(tar.get());
  archive_read_support_format_empty(tar.get());
  if (archive_read_open(tar.get(), &stream, nullptr, ReadDecompressed, nullptr) != ARCHIVE_OK) {
    return ArchiveError(tar.get(), api::Cat("open ", archive_path, " as tar"));
  }
  Extractor extractor(root.get(), tar.get(), options);
  while (true) {
    archive_entry* e;
    int r = archive_read_next_header(tar.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return ArchiveError(tar.get(), api::Cat("read ", archive_path));
    if (auto s = extractor.Entry(e); !s.ok()) return s;
  }
  if (auto s = extractor.FinishDirectories(); !s.ok()) return s;
  // The diff ID covers the whole stream, including the padding after the end-of-archive marker.
  const void* ignored;
  while (ReadDecompressed(tar.get(), &stream, &ignored) > 0) {
  }
  if (stream.failed) return ArchiveError(tar.get(), api::Cat("read ", archive_path));
  return stream.hash.Digest();
}

absl::Status RemoveTree(const std::string& path) {
  std::string parent = ".";
  std::string name = path;
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) {
    parent = slash == 0 ? "/" : path.substr(0, slash);
    name = path.substr(slash + 1);
  }
  UniqueFd pfd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!pfd.ok()) return errno == ENOENT ? absl::OkStatus() : ErrnoStatus(errno, parent);
  return RemoveAt(pfd.get(), name);
}

}  // namespace skiff::agent::images
