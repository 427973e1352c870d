#include "skiff/agent/images/image_store.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <set>

#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/extract.h"
#include "skiff/agent/images/reference.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"
#include "skiff/base/random.h"

namespace skiff::agent::images {

namespace fs = std::filesystem;
namespace json = boost::json;
using base::ErrnoStatus;
using base::UniqueFd;

namespace {

constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";

std::string Str(const json::value& v, std::initializer_list<std::string_view> path) {
  return std::string(api::GetString(v, path));
}

absl::StatusOr<json::value> ParseJson(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return absl::DataLossError(api::Cat(what, ": invalid JSON: ", ec.message()));
  return v;
}

// The OCI name of this machine's architecture.
std::string HostArchitecture() {
  utsname u;
  ::uname(&u);
  std::string_view m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  return std::string(m);
}

// A file name under `dir` nobody else uses.
std::string TempPath(const std::string& dir, std::string_view prefix) {
  return api::Cat(dir, "/", prefix, base::RandomNameSuffix(10));
}

std::string CleanPath(std::string_view p) {
  std::vector<std::string_view> out;
  for (std::string_view c : api::Split(p, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(c);
  }
  return api::Join(out, "/");
}

bool IsHexPrefix(std::string_view s) {
  if (s.size() < 12 || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The layer media type for a blob, told by its first bytes.
absl::StatusOr<std::string> LayerMediaType(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return ErrnoStatus(errno, api::Cat("open ", path));
  unsigned char magic[4] = {};
  ssize_t n = ::read(fd.get(), magic, sizeof magic);
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return api::Cat(kOciLayer, "+gzip");
  if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
    return api::Cat(kOciLayer, "+zstd");
  }
  return std::string(kOciLayer);
}

json::object Descriptor(std::string_view media_type, const std::string& digest, int64_t size) {
  json::object d;
  d["mediaType"] = json::string_view(media_type.data(), media_type.size());
  d["digest"] = digest;
  d["size"] = size;
  return d;
}

}  // namespace

std::vector<std::string> ChainIds(const std::vector<std::string>& diff_ids) {
  std::vector<std::string> out;
  for (const std::string& diff : diff_ids) {
    out.push_back(out.empty() ? diff : DigestOf(api::Cat(out.back(), " ", diff)));
  }
  return out;
}

std::string Image::RepoDigest() const {
  auto ref = ParseReference(name);
  return (ref.ok() ? ref->Name() : name) + "@" + manifest_digest;
}

// An exclusive flock on <root>/lock, held for the object's lifetime. Each instance opens its
// own file description, so it excludes other threads as well as other processes.
class ImageStore::Lock {
 public:
  static absl::StatusOr<Lock> Take(const std::string& root) {
    std::string path = root + "/lock";
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.ok()) return ErrnoStatus(errno, api::Cat("open ", path));
    while (::flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) return ErrnoStatus(errno, api::Cat("lock ", path));
    }
    return Lock(std::move(fd));
  }

 private:
  explicit Lock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

struct ImageStore::Index {
  std::map<std::string, std::string> images;  // name -> manifest digest
};

absl::StatusOr<std::unique_ptr<ImageStore>> ImageStore::Open(std::string root) {
  std::error_code ec;
  for (const char* sub : {"blobs/sha256", "snapshots", "leases", "tmp"}) {
    fs::create_directories(fs::path(root) / sub, ec);
    if (ec) return absl::InternalError(api::Cat("create ", root, "/", sub, ": ", ec.message()));
  }
  return std::unique_ptr<ImageStore>(new ImageStore(std::move(root)));
}

std::string ImageStore::BlobPath(std::string_view digest) const {
  return api::Cat(root_, "/blobs/sha256/", DigestHex(digest));
}

absl::StatusOr<ImageStore::Index> ImageStore::ReadIndex() const {
  Index index;
  auto text = base::ReadFile(root_ + "/images.json");
  if (absl::IsNotFound(text.status())) return index;
  if (!text.ok()) return text.status();
  auto v = ParseJson(*text, "images.json");
  if (!v.ok()) return v.status();
  if (const json::object* images = api::GetObject(*v, {"images"})) {
    for (const auto& [name, digest] : *images) {
      if (digest.is_string()) index.images[std::string(name)] = std::string(digest.get_string());
    }
  }
  return index;
}

absl::Status ImageStore::WriteIndex(const Index& index) {
  json::object images;
  for (const auto& [name, digest] : index.images) images[name] = digest;
  json::object doc;
  doc["images"] = std::move(images);
  return base::WriteFileAtomic(root_ + "/images.json", json::serialize(doc));
}

absl::StatusOr<std::string> ImageStore::PutBlob(std::string_view data) {
  std::string digest = DigestOf(data);
  std::string path = BlobPath(digest);
  if (::access(path.c_str(), F_OK) == 0) return digest;
  if (auto s = base::WriteFileAtomic(path, data, 0444); !s.ok()) return s;
  return digest;
}

absl::Status ImageStore::PutBlobFile(const std::string& path, std::string_view digest) {
  auto got = DigestOfFile(path);
  if (!got.ok()) return got.status();
  if (*got != digest) {
    ::unlink(path.c_str());
    return absl::DataLossError(api::Cat("blob ", digest, " arrived with content ", *got));
  }
  std::string blob = BlobPath(digest);
  if (::access(blob.c_str(), F_OK) == 0) {
    ::unlink(path.c_str());
    return absl::OkStatus();
  }
  ::chmod(path.c_str(), 0444);
  if (::rename(path.c_str(), blob.c_str()) != 0) {
    return ErrnoStatus(errno, api::Cat("store blob ", digest));
  }
  return absl::OkStatus();
}

absl::StatusOr<Image> ImageStore::AddImage(std::string_view name,
                                           std::string_view manifest_digest) {
  auto parsed = ParseReference(name);
  if (!parsed.ok()) return parsed.status();
  auto lock = Lock::Take(root_);
  if (!lock.ok()) return lock.status();
  auto img = Unpack(parsed->String(), std::string(manifest_digest));
  if (!img.ok()) return img.status();
  auto index = ReadIndex();
  if (!index.ok()) return index.status();
  index->images[parsed->String()] = std::string(manifest_digest);
  if (auto s = WriteIndex(*index); !s.ok()) return s;
  return img;
}

absl::StatusOr<Image> ImageStore::Load(std::string name, std::string manifest_digest) const {
  auto manifest_text = base::ReadFile(BlobPath(manifest_digest));
  if (!manifest_text.ok()) {
    return absl::DataLossError(
        api::Cat("image ", name, ": manifest ", manifest_digest, " is missing from the store"));
  }
  auto manifest = ParseJson(*manifest_text, api::Cat("manifest ", manifest_digest));
  if (!manifest.ok()) return manifest.status();
  Image img;
  img.name = std::move(name);
  img.manifest_digest = std::move(manifest_digest);
  img.config_digest = Str(*manifest, {"config", "digest"});
  if (!IsDigest(img.config_digest)) {
    return absl::DataLossError(api::Cat("manifest ", img.manifest_digest, ": no config digest"));
  }
  auto config_text = base::ReadFile(BlobPath(img.config_digest));
  if (!config_text.ok()) {
    return absl::DataLossError(
        api::Cat("image ", img.name, ": config ", img.config_digest, " is missing from the store"));
  }
  auto config = ParseJson(*config_text, api::Cat("config ", img.config_digest));
  if (!config.ok()) return config.status();
  if (!config->is_object()) return absl::DataLossError("image config is not an object");
  img.config = std::move(*config);
  std::vector<std::string> diff_ids;
  if (const json::array* ids = api::GetArray(img.config, {"rootfs", "diff_ids"})) {
    for (const json::value& d : *ids) {
      if (d.is_string()) diff_ids.emplace_back(d.get_string());
    }
  }
  const json::array* layers = api::GetArray(*manifest, {"layers"});
  size_t layer_count = layers == nullptr ? 0 : layers->size();
  if (layer_count != diff_ids.size()) {
    return absl::DataLossError(api::Cat("image ", img.name, ": ", layer_count, " layers but ",
                                        diff_ids.size(), " diff IDs"));
  }
  for (size_t i = 0; i < layer_count; ++i) img.size += api::GetInt((*layers)[i], {"size"});
  img.chain_ids = ChainIds(diff_ids);
  return img;
}

absl::Status ImageStore::UnpackLayer(const std::string& blob_digest, const std::string& diff_id,
                                     const std::string& chain_id) {
  std::string dir = api::Cat(root_, "/snapshots/", DigestHex(chain_id));
  if (::access(dir.c_str(), F_OK) == 0) return absl::OkStatus();
  std::string tmp = TempPath(root_ + "/tmp", "snapshot-");
  if (::mkdir(tmp.c_str(), 0755) != 0) return ErrnoStatus(errno, api::Cat("mkdir ", tmp));
  ExtractOptions opts;
  opts.same_owner = ::geteuid() == 0;
  auto got = ExtractArchive(BlobPath(blob_digest), tmp, opts);
  absl::Status st = got.status();
  if (got.ok() && *got != diff_id) {
    st = absl::DataLossError(
        api::Cat("layer ", blob_digest, ": content is ", *got, ", the image says ", diff_id));
  }
  if (st.ok() && ::rename(tmp.c_str(), dir.c_str()) != 0) {
    st = ErrnoStatus(errno, api::Cat("rename ", tmp, " to ", dir));
  }
  if (!st.ok()) RemoveTree(tmp).IgnoreError();
  return st;
}

absl::StatusOr<Image> ImageStore::Unpack(std::string name, std::string manifest_digest) {
  auto manifest_text = base::ReadFile(BlobPath(manifest_digest));
  if (!manifest_text.ok()) return manifest_text.status();
  auto manifest = ParseJson(*manifest_text, api::Cat("manifest ", manifest_digest));
  if (!manifest.ok()) return manifest.status();
  auto img = Load(std::move(name), std::move(manifest_digest));
  if (!img.ok()) return img.status();
  const json::array* layers = api::GetArray(*manifest, {"layers"});
  std::vector<std::string> diff_ids;
  if (const json::array* ids = api::GetArray(img->config, {"rootfs", "diff_ids"})) {
    for (const json::value& d : *ids) diff_ids.emplace_back(d.get_string());
  }
  for (size_t i = 0; layers != nullptr && i < layers->size(); ++i) {
    std::string blob = Str((*layers)[i], {"digest"});
    if (!IsDigest(blob) || ::access(BlobPath(blob).c_str(), R_OK) != 0) {
      return absl::DataLossError(api::Cat("image ", img->name, ": layer ", blob, " is missing"));
    }
    if (auto s = UnpackLayer(blob, diff_ids[i], img->chain_ids[i]); !s.ok()) return s;
  }
  return img;
}

absl::StatusOr<std::vector<Image>> ImageStore::List() const {
  auto index = ReadIndex();
  if (!index.ok()) return index.status();
  std::vector<Image> out;
  for (const auto& [name, digest] : index->images) {
    auto img = Load(name, digest);
    if (!img.ok()) return img.status();
    out.push_back(std::move(*img));
  }
  return out;
}

absl::StatusOr<Image> ImageStore::Resolve(std::string_view ref) const {
  auto index = ReadIndex();
  if (!index.ok()) return index.status();
  std::string_view id = ref.starts_with("sha256:") ? ref.substr(7) : ref;
  if (IsHexPrefix(id)) {
    for (const auto& [name, digest] : index->images) {
      auto img = Load(name, digest);
      if (img.ok() && DigestHex(img->config_digest).starts_with(id)) return img;
    }
  }
  auto parsed = ParseReference(ref);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->digest.empty()) {
    for (const auto& [name, digest] : index->images) {
      auto named = ParseReference(name);
      if (digest == parsed->digest && named.ok() && named->Name() == parsed->Name()) {
        return Load(name, digest);
      }
    }
  } else if (auto it = index->images.find(parsed->String()); it != index->images.end()) {
    return Load(it->first, it->second);
  }
  return absl::NotFoundError(api::Cat("image \"", parsed->String(), "\" not found"));
}

absl::StatusOr<std::vector<std::string>> ImageStore::Remove(std::string_view ref) {
  auto lock = Lock::Take(root_);
  if (!lock.ok()) return lock.status();
  auto img = Resolve(ref);
  if (!img.ok()) return img.status();
  auto index = ReadIndex();
  if (!index.ok()) return index.status();
  // By image ID every name of the image goes; by reference only that name.
  std::string_view id = ref.starts_with("sha256:") ? ref.substr(7) : ref;
  bool by_id = IsHexPrefix(id) && DigestHex(img->config_digest).starts_with(id);
  std::vector<std::string> removed;
  for (auto it = index->images.begin(); it != index->images.end();) {
    bool match = by_id ? it->second == img->manifest_digest : it->first == img->name;
    if (match) {
      removed.push_back(it->first);
      it = index->images.erase(it);
    } else {
      ++it;
    }
  }
  if (auto s = WriteIndex(*index); !s.ok()) return s;
  if (auto s = CollectGarbage(*index); !s.ok()) return s;
  return removed;
}

absl::Status ImageStore::Tag(std::string_view source, std::string_view target) {
  auto parsed = ParseReference(target);
  if (!parsed.ok()) return parsed.status();
  auto lock = Lock::Take(root_);
  if (!lock.ok()) return lock.status();
  auto img = Resolve(source);
  if (!img.ok()) return img.status();
  auto index = ReadIndex();
  if (!index.ok()) return index.status();
  index->images[parsed->String()] = img->manifest_digest;
  return WriteIndex(*index);
}

absl::StatusOr<std::vector<std::string>> ImageStore::PrepareLayers(std::string_view holder,
                                                                   const Image& image) {
  auto lock = Lock::Take(root_);
  if (!lock.ok()) return lock.status();
  std::string lease;
  for (const std::string& c : image.chain_ids) api::AppendCat(&lease, c, "\n");
  // A lease outlives only its container's processes, which a reboot ends: no fsync.
  if (auto s = base::WriteFileAtomic(api::Cat(root_, "/leases/", holder), lease, 0644, false);
      !s.ok()) {
    return s;
  }
  bool complete = true;
  for (const std::string& c : image.chain_ids) {
    complete =
        complete && ::access(api::Cat(root_, "/snapshots/", DigestHex(c)).c_str(), F_OK) == 0;
  }
  if (!complete) {
    auto unpacked = Unpack(image.name, image.manifest_digest);
    if (!unpacked.ok()) return unpacked.status();
  }
  std::vector<std::string> dirs;
  for (auto it = image.chain_ids.rbegin(); it != image.chain_ids.rend(); ++it) {
    dirs.push_back(api::Cat(root_, "/snapshots/", DigestHex(*it)));
  }
  return dirs;
}

absl::Status ImageStore::ReleaseLayers(std::string_view holder) {
  std::string path = api::Cat(root_, "/leases/", holder);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, api::Cat("remove ", path));
  }
  return absl::OkStatus();
}

absl::Status ImageStore::CollectGarbage(const Index& index) {
  std::set<std::string> blobs, snapshots;
  for (const auto& [name, digest] : index.images) {
    blobs.insert(std::string(DigestHex(digest)));
    auto manifest_text = base::ReadFile(BlobPath(digest));
    if (!manifest_text.ok()) continue;
    auto manifest = ParseJson(*manifest_text, "manifest");
    if (!manifest.ok()) continue;
    blobs.insert(std::string(DigestHex(api::GetString(*manifest, {"config", "digest"}))));
    if (const json::array* layers = api::GetArray(*manifest, {"layers"})) {
      for (const json::value& l : *layers) {
        blobs.insert(std::string(DigestHex(api::GetString(l, {"digest"}))));
      }
    }
    if (auto img = Load(name, digest); img.ok()) {
      for (const std::string& c : img->chain_ids) snapshots.insert(std::string(DigestHex(c)));
    }
  }
  std::error_code ec;
  for (const auto& lease : fs::directory_iterator(root_ + "/leases", ec)) {
    auto text = base::ReadFile(lease.path().string());
    if (!text.ok()) continue;
    for (std::string_view c : api::Split(*text, '\n')) {
      if (!c.empty()) snapshots.insert(std::string(DigestHex(c)));
    }
  }
  for (const auto& blob : fs::directory_iterator(root_ + "/blobs/sha256", ec)) {
    if (!blobs.contains(blob.path().filename().string())) fs::remove(blob.path(), ec);
  }
  for (const auto& snap : fs::directory_iterator(root_ + "/snapshots", ec)) {
    if (!snapshots.contains(snap.path().filename().string())) {
      if (auto s = RemoveTree(snap.path().string()); !s.ok()) return s;
    }
  }
  for (const auto& tmp : fs::directory_iterator(root_ + "/tmp", ec)) {
    RemoveTree(tmp.path().string()).IgnoreError();
  }
  return absl::OkStatus();
}

// ---- import -------------------------------------------------------------------------------

namespace {

// The files of an image tarball: small metadata kept in memory, everything else stored as a
// blob under its digest. Symlinks and hard links (docker save shares layers that way) alias.
struct TarballFiles {
  std::map<std::string, std::string> digests;   // path -> blob digest
  std::map<std::string, int64_t> sizes;         // path -> bytes
  std::map<std::string, std::string> aliases;   // link path -> target path
  std::map<std::string, std::string> metadata;  // index.json, oci-layout, manifest.json

  // Follows aliases; empty when the path is not a stored file.
  std::string Find(std::string path) const {
    for (int hops = 0; hops < 16; ++hops) {
      if (auto it = digests.find(path); it != digests.end()) return path;
      auto a = aliases.find(path);
      if (a == aliases.end()) return "";
      path = a->second;
    }
    return "";
  }
  std::string DigestOfPath(const std::string& path) const {
    std::string real = Find(CleanPath(path));
    return real.empty() ? "" : digests.at(real);
  }
};

bool IsMetadata(const std::string& path) {
  return path == "index.json" || path == "oci-layout" || path == "manifest.json";
}

}  // namespace

namespace {

absl::StatusOr<TarballFiles> ReadTarball(const std::string& tarball, ImageStore& store,
                                         const std::string& tmp_dir) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), tarball.c_str(), 1 << 16) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        api::Cat("open ", tarball, ": ", archive_error_string(a.get())));
  }
  TarballFiles files;
  archive_entry* e;
  int r;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    std::string path = CleanPath(archive_entry_pathname(e));
    if (const char* hl = archive_entry_hardlink(e)) {
      files.aliases[path] = CleanPath(hl);
      continue;
    }
    if (archive_entry_filetype(e) == AE_IFLNK) {
      std::string target = archive_entry_symlink(e);
      size_t slash = path.rfind('/');
      std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
      files.aliases[path] = CleanPath(target.starts_with("/") ? target : dir + "/" + target);
      continue;
    }
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    std::string tmp = TempPath(tmp_dir, "blob-");
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
    if (!fd.ok()) return ErrnoStatus(errno, api::Cat("create ", tmp));
    Sha256 hash;
    std::string content;
    char buf[1 << 16];
    int64_t size = 0;
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) {
      hash.Update(buf, static_cast<size_t>(n));
      if (IsMetadata(path)) content.append(buf, static_cast<size_t>(n));
      size += n;
      for (ssize_t done = 0; done < n;) {
        ssize_t w = ::write(fd.get(), buf + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          ::unlink(tmp.c_str());
          return ErrnoStatus(errno, api::Cat("write ", tmp));
        }
        done += w;
      }
    }
    if (n < 0) {
      ::unlink(tmp.c_str());
      return absl::InvalidArgumentError(
          api::Cat("read ", tarball, ": ", archive_error_string(a.get())));
    }
    fd.Reset();
    std::string digest = hash.Digest();
    std::string blob = store.BlobPath(digest);
    if (::access(blob.c_str(), F_OK) == 0) {
      ::unlink(tmp.c_str());
    } else if (::rename(tmp.c_str(), blob.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return ErrnoStatus(err, api::Cat("store blob ", digest));
    }
    files.digests[path] = digest;
    files.sizes[path] = size;
    if (IsMetadata(path)) files.metadata[path] = std::move(content);
  }
  if (r != ARCHIVE_EOF) {
    return absl::InvalidArgumentError(
        api::Cat("read ", tarball, ": ", archive_error_string(a.get())));
  }
  return files;
}

struct Found {
  std::string name;  // may be empty (the caller supplies one)
  std::string manifest_digest;
};

// The name an OCI layout gives a manifest through its annotations, if a full reference.
std::string OciName(const json::value& descriptor) {
  std::string containerd = Str(descriptor, {"annotations", "io.containerd.image.name"});
  if (!containerd.empty()) return containerd;
  std::string ref = Str(descriptor, {"annotations", "org.opencontainers.image.ref.name"});
  // A bare tag ("latest") names no repository: only a reference with one is a name.
  if (ref.find_first_of("/:@") != std::string::npos) return ref;
  return "";
}

// Follows an OCI descriptor down to an image manifest for this platform.
absl::StatusOr<std::string> SelectManifest(const json::value& descriptor, const TarballFiles& files,
                                           ImageStore& store, int depth = 0) {
  std::string digest = Str(descriptor, {"digest"});
  if (!IsDigest(digest)) return absl::InvalidArgumentError("descriptor without a sha256 digest");
  if (files.DigestOfPath(api::Cat("blobs/sha256/", DigestHex(digest))) != digest) {
    return absl::InvalidArgumentError(
        api::Cat("blob ", digest, " is missing from the archive or does not match its digest"));
  }
  std::string media = Str(descriptor, {"mediaType"});
  if (media != kOciIndex && media != kDockerList) return digest;
  if (depth > 4) return absl::InvalidArgumentError("image indexes nested too deep");
  auto text = base::ReadFile(store.BlobPath(digest));
  if (!text.ok()) return text.status();
  auto index = ParseJson(*text, api::Cat("index ", digest));
  if (!index.ok()) return index.status();
  const json::array* manifests = api::GetArray(*index, {"manifests"});
  std::string arch = HostArchitecture();
  if (manifests != nullptr) {
    for (const json::value& m : *manifests) {
      if (Str(m, {"platform", "os"}) == "linux" && Str(m, {"platform", "architecture"}) == arch) {
        return SelectManifest(m, files, store, depth + 1);
      }
    }
  }
  return absl::NotFoundError(api::Cat("image index ", digest, " has no linux/", arch, " image"));
}

absl::StatusOr<std::vector<Found>> FromOciLayout(const TarballFiles& files, ImageStore& store) {
  auto index = ParseJson(files.metadata.at("index.json"), "index.json");
  if (!index.ok()) return index.status();
  std::vector<Found> out;
  if (const json::array* manifests = api::GetArray(*index, {"manifests"})) {
    for (const json::value& d : *manifests) {
      auto digest = SelectManifest(d, files, store);
      if (!digest.ok()) return digest.status();
      out.push_back({OciName(d), *digest});
    }
  }
  return out;
}

absl::StatusOr<std::vector<Found>> FromDockerArchive(const TarballFiles& files, ImageStore& store) {
  auto manifest = ParseJson(files.metadata.at("manifest.json"), "manifest.json");
  if (!manifest.ok()) return manifest.status();
  if (!manifest->is_array()) return absl::InvalidArgumentError("manifest.json is not a list");
  std::vector<Found> out;
  for (const json::value& entry : manifest->get_array()) {
    std::string config_path = Str(entry, {"Config"});
    std::string config_digest = files.DigestOfPath(config_path);
    if (config_digest.empty()) {
      return absl::InvalidArgumentError(
          api::Cat("manifest.json: config ", config_path, " is not in the archive"));
    }
    json::object oci;
    oci["schemaVersion"] = 2;
    oci["mediaType"] = kOciManifest.data();
    oci["config"] =
        Descriptor(kOciConfig, config_digest, files.sizes.at(files.Find(CleanPath(config_path))));
    json::array layers;
    if (const json::array* paths = api::GetArray(entry, {"Layers"})) {
      for (const json::value& p : *paths) {
        std::string path = p.is_string() ? std::string(p.get_string()) : "";
        std::string digest = files.DigestOfPath(path);
        if (digest.empty()) {
          return absl::InvalidArgumentError(
              api::Cat("manifest.json: layer ", path, " is not in the archive"));
        }
        auto media = LayerMediaType(store.BlobPath(digest));
        if (!media.ok()) return media.status();
        layers.push_back(Descriptor(*media, digest, files.sizes.at(files.Find(CleanPath(path)))));
      }
    }
    oci["layers"] = std::move(layers);
    auto digest = store.PutBlob(json::serialize(oci));
    if (!digest.ok()) return digest.status();
    const json::array* tags = api::GetArray(entry, {"RepoTags"});
    if (tags == nullptr || tags->empty()) {
      out.push_back({"", *digest});
      continue;
    }
    for (const json::value& t : *tags) {
      if (t.is_string()) out.push_back({std::string(t.get_string()), *digest});
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ImageStore::Import(const std::string& tarball,
                                                            std::string_view name) {
  std::string override_name;
  if (!name.empty()) {
    auto parsed = ParseReference(name);
    if (!parsed.ok()) return parsed.status();
    override_name = parsed->String();
  }
  auto lock = Lock::Take(root_);
  if (!lock.ok()) return lock.status();
  auto files = ReadTarball(tarball, *this, root_ + "/tmp");
  if (!files.ok()) return files.status();

  absl::StatusOr<std::vector<Found>> found;
  if (files->metadata.contains("oci-layout") && files->metadata.contains("index.json")) {
    found = FromOciLayout(*files, *this);
  } else if (files->metadata.contains("manifest.json")) {
    found = FromDockerArchive(*files, *this);
  } else {
    found = absl::InvalidArgumentError(
        api::Cat(tarball,
                 " is neither an OCI image layout (oci-layout, index.json) nor a docker-archive "
                 "(manifest.json)"));
  }
  auto index = ReadIndex();
  if (found.ok() && found->empty()) {
    found = absl::InvalidArgumentError(api::Cat(tarball, " holds no image"));
  }
  if (found.ok() && !override_name.empty() && found->size() > 1) {
    std::set<std::string> manifests;
    for (const Found& f : *found) manifests.insert(f.manifest_digest);
    if (manifests.size() > 1) {
      found = absl::InvalidArgumentError(
          api::Cat(tarball, " holds ", manifests.size(), " images: a name fits only one"));
    }
  }
  std::vector<std::string> names;
  absl::Status st = found.ok() ? index.status() : found.status();
  for (size_t i = 0; st.ok() && i < found->size(); ++i) {
    const Found& f = (*found)[i];
    std::string image_name = override_name;
    if (image_name.empty()) {
      if (f.name.empty()) {
        st = absl::InvalidArgumentError(api::Cat("image ", f.manifest_digest, " in ", tarball,
                                                 " has no name: give one with --name"));
        break;
      }
      auto parsed = ParseReference(f.name);
      if (!parsed.ok()) {
        st = parsed.status();
        break;
      }
      image_name = parsed->String();
    }
    auto img = Unpack(image_name, f.manifest_digest);
    if (!img.ok()) {
      st = img.status();
      break;
    }
    index->images[image_name] = f.manifest_digest;
    if (std::find(names.begin(), names.end(), image_name) == names.end()) {
      names.push_back(image_name);
    }
  }
  if (st.ok()) st = WriteIndex(*index);
  // Unreferenced blobs (the tarball's own metadata, other platforms) go either way.
  absl::Status gc = index.ok() ? CollectGarbage(*index) : absl::OkStatus();
  if (!st.ok()) return st;
  if (!gc.ok()) return gc;
  return names;
}

}  // namespace skiff::agent::images
