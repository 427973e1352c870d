// Unpacks tar archives (plain, gzip, zstd or xz) into a directory without ever writing
// outside it: every path is resolved beneath the target (openat2 RESOLVE_IN_ROOT), ".." and
// absolute names are clamped to the root, symlinks inside the archive cannot redirect later
// entries out of it, and hard links may only point at files inside it. Used by the image store
// to turn layers into overlayfs lower directories. Thread-safe (no shared state).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skiff::agent::images {

struct ExtractOptions {
  // Turn OCI whiteouts into overlayfs ones: ".wh.NAME" becomes a 0/0 character device NAME and
  // ".wh..wh..opq" marks its directory trusted.overlay.opaque=y. Off: they are plain files.
  bool overlay_whiteouts = true;
  // Give files the owners recorded in the archive (needs root); off: the caller owns them.
  bool same_owner = true;
};

// Extracts `archive` into the existing directory `dir`; returns the digest of the
// uncompressed tar stream (an OCI layer's diff ID).
absl::StatusOr<std::string> ExtractArchive(const std::string& archive, const std::string& dir,
                                           const ExtractOptions& options);

// Removes `path` and everything below it without following symlinks. Absent is not an error.
absl::Status RemoveTree(const std::string& path);

}  // namespace skiff::agent::images
