// ImageStore: the node's OCI images under <data-dir>/images, shared by the agent and the
// `skiff image` commands (separate processes: mutations take an flock on <root>/lock).
//
//   blobs/sha256/<hex>     content-addressed manifests, configs and layers, verified on entry
//   images.json            the index: normalised name -> manifest digest
//   snapshots/<chain-hex>  one layer unpacked (OCI whiteouts as overlayfs ones), keyed by the
//                          layer's chain ID, usable as an overlayfs lower directory
//   leases/<holder>        chain IDs a container's rootfs uses; kept while the lease exists
//
// Thread-safe: every call reads the index from disk and mutations are serialised by the lock.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skiff::agent::images {

struct Image {
  std::string name;             // "docker.io/library/busybox:latest"
  std::string manifest_digest;  // "sha256:..."
  std::string config_digest;    // the image ID
  boost::json::value config;    // the OCI image configuration (its "config" holds Env, Cmd, ...)
  std::vector<std::string> chain_ids;  // bottom layer first
  int64_t size = 0;                    // bytes of the layer blobs

  // "docker.io/library/busybox@sha256:<manifest>": what a pod's imageID reports.
  std::string RepoDigest() const;
};

class ImageStore {
 public:
  // Opens (creating as needed) the store rooted at `root`.
  static absl::StatusOr<std::unique_ptr<ImageStore>> Open(std::string root);

  const std::string& root() const { return root_; }

  // Imports every image of an OCI image layout or docker-archive tarball (as written by
  // `docker save`, `skopeo copy ... docker-archive:` / `oci-archive:`) and unpacks its layers.
  // Names come from the archive (RepoTags, io.containerd.image.name or a full
  // org.opencontainers.image.ref.name) unless `name` is given. Returns the names imported.
  absl::StatusOr<std::vector<std::string>> Import(const std::string& tarball,
                                                  std::string_view name = {});
  // Every name in the index, sorted.
  absl::StatusOr<std::vector<Image>> List() const;
  // Finds an image by reference ("busybox", "busybox@sha256:...") or image ID ("sha256:<hex>"
  // or a prefix of at least 12 hex digits). NotFound when absent.
  absl::StatusOr<Image> Resolve(std::string_view ref) const;
  // Removes a name (or, given an image ID, every name of that image) and the blobs and
  // unpacked layers no name or lease needs any more. Returns the names removed.
  absl::StatusOr<std::vector<std::string>> Remove(std::string_view ref);
  // Points another name at an existing image.
  absl::Status Tag(std::string_view source, std::string_view target);

  // Records that `holder` (a container) uses the image's layers, unpacks any that are missing
  // and returns their directories, top layer first (overlayfs lowerdir order).
  absl::StatusOr<std::vector<std::string>> PrepareLayers(std::string_view holder,
                                                         const Image& image);
  // Drops the holder's lease; its layers go at the next removal that no longer needs them.
  absl::Status ReleaseLayers(std::string_view holder);

  // Stores a verified blob (pull); returns its digest.
  absl::StatusOr<std::string> PutBlob(std::string_view data);
  // Moves the file at `path` into the store as the blob `digest`, checking its content.
  absl::Status PutBlobFile(const std::string& path, std::string_view digest);
  // Names an image whose manifest, config and layers are stored blobs (after a pull): unpacks
  // its layers and records `name` -> `manifest_digest`.
  absl::StatusOr<Image> AddImage(std::string_view name, std::string_view manifest_digest);
  // A scratch directory for downloads on the store's filesystem (renames into blobs/).
  std::string TempDir() const { return root_ + "/tmp"; }
  std::string BlobPath(std::string_view digest) const;

 private:
  explicit ImageStore(std::string root) : root_(std::move(root)) {}
  class Lock;
  struct Index;

  absl::StatusOr<Index> ReadIndex() const;
  absl::Status WriteIndex(const Index& index);
  absl::StatusOr<Image> Load(std::string name, std::string manifest_digest) const;
  // Verifies the image's blobs are present and unpacks its layers; caller holds the lock.
  absl::StatusOr<Image> Unpack(std::string name, std::string manifest_digest);
  absl::Status UnpackLayer(const std::string& blob_digest, const std::string& diff_id,
                           const std::string& chain_id);
  // Deletes blobs and snapshots nothing references; caller holds the lock.
  absl::Status CollectGarbage(const Index& index);

  const std::string root_;
};

// The chain IDs of a layer stack given its diff IDs (OCI image spec: ChainID(L0) = DiffID(L0),
// ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))).
std::vector<std::string> ChainIds(const std::vector<std::string>& diff_ids);

}  // namespace skiff::agent::images
