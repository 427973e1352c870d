// Builds tar archives for the image tests (libarchive's writer): layers with tricky entries,
// OCI layouts and docker-archives. Test-only.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <string>
#include <vector>

namespace skiff::agent::images::testing {

struct TarEntry {
  enum Kind { kFile, kDir, kSymlink, kHardlink } kind = kFile;
  std::string path;
  std::string content;  // file data, or the link target
  int mode = 0644;
  int uid = 0, gid = 0;
  int64_t mtime = 1700000000;
};

inline TarEntry File(std::string path, std::string content, int mode = 0644) {
  return {TarEntry::kFile, std::move(path), std::move(content), mode};
}
inline TarEntry Dir(std::string path, int mode = 0755) {
  return {TarEntry::kDir, std::move(path), "", mode};
}
inline TarEntry Symlink(std::string path, std::string target) {
  return {TarEntry::kSymlink, std::move(path), std::move(target), 0777};
}
inline TarEntry Hardlink(std::string path, std::string target) {
  return {TarEntry::kHardlink, std::move(path), std::move(target), 0644};
}

// Writes `entries` as a pax tar to `path`, gzip-compressed when `gzip`. Returns false on error.
inline bool WriteTar(const std::string& path, const std::vector<TarEntry>& entries,
                     bool gzip = false) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
    archive_write_free(a);
    return false;
  }
  bool ok = true;
  for (const TarEntry& t : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, t.mtime, 0);
    switch (t.kind) {
      case TarEntry::kFile:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.content.size()));
        break;
      case TarEntry::kDir:
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
      case TarEntry::kSymlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, t.content.c_str());
        break;
      case TarEntry::kHardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, t.content.c_str());
        archive_entry_set_size(e, 0);
        break;
    }
    archive_entry_set_perm(e, static_cast<mode_t>(t.mode));
    ok = ok && archive_write_header(a, e) == ARCHIVE_OK;
    if (ok && t.kind == TarEntry::kFile && !t.content.empty()) {
      ok = archive_write_data(a, t.content.data(), t.content.size()) ==
           static_cast<la_ssize_t>(t.content.size());
    }
    archive_entry_free(e);
  }
  ok = archive_write_close(a) == ARCHIVE_OK && ok;
  archive_write_free(a);
  return ok;
}

}  // namespace skiff::agent::images::testing
