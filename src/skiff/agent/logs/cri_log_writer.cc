#include "skiff/agent/logs/cri_log_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <vector>

namespace skiff::agent::logs {

namespace {

std::string TwoDigits(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk loses the line, as it would for any runtime
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string FormatRfc3339Nano(const timespec& t) {
  tm parts{};
  time_t secs = t.tv_sec;
  gmtime_r(&secs, &parts);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
  std::string out = buf;
  if (t.tv_nsec != 0) {
    std::snprintf(buf, sizeof buf, ".%09ld", static_cast<long>(t.tv_nsec));
    std::string frac = buf;
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  out += 'Z';
  return out;
}

std::string FormatCriLine(const timespec& t, Stream stream, bool partial, std::string_view text) {
  std::string line = FormatRfc3339Nano(t);
  line += stream == Stream::kStdout ? " stdout " : " stderr ";
  line += partial ? "P " : "F ";
  line.append(text);
  line += '\n';
  return line;
}

std::string RotationSuffix(const timespec& t) {
  tm parts{};
  time_t secs = t.tv_sec;
  gmtime_r(&secs, &parts);
  return std::to_string(parts.tm_year + 1900) + TwoDigits(parts.tm_mon + 1) +
         TwoDigits(parts.tm_mday) + "-" + TwoDigits(parts.tm_hour) + TwoDigits(parts.tm_min) +
         TwoDigits(parts.tm_sec);
}

CriLogWriter::CriLogWriter(std::string path, CriLogWriterOptions options)
    : path_(std::move(path)), options_(options) {
  if (options_.max_line_bytes == 0) options_.max_line_bytes = 16 * 1024;
  if (options_.max_files < 1) options_.max_files = 1;
}

CriLogWriter::~CriLogWriter() {
  if (fd_ >= 0) ::close(fd_);
}

bool CriLogWriter::Open() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) return false;
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? st.st_size : 0;
  return true;
}

void CriLogWriter::Write(Stream stream, std::string_view data, const timespec& now) {
  std::string& pending = pending_[stream == Stream::kStdout ? 0 : 1];
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      pending.append(data);
      break;
    }
    pending.append(data.substr(0, nl));
    data.remove_prefix(nl + 1);
    // A line longer than the limit goes out in pieces; its last piece closes it.
    std::string_view line = pending;
    while (line.size() > options_.max_line_bytes) {
      Emit(now, stream, true, line.substr(0, options_.max_line_bytes));
      line.remove_prefix(options_.max_line_bytes);
    }
    Emit(now, stream, false, line);
    pending.clear();
  }
  while (pending.size() >= options_.max_line_bytes) {
    Emit(now, stream, true, std::string_view(pending).substr(0, options_.max_line_bytes));
    pending.erase(0, options_.max_line_bytes);
  }
}

void CriLogWriter::Close(Stream stream, const timespec& now) {
  std::string& pending = pending_[stream == Stream::kStdout ? 0 : 1];
  if (!pending.empty()) Emit(now, stream, false, pending);
  pending.clear();
}

void CriLogWriter::Emit(const timespec& now, Stream stream, bool partial, std::string_view text) {
  if (fd_ < 0) return;
  std::string line = FormatCriLine(now, stream, partial, text);
  WriteAll(fd_, line);
  size_ += static_cast<int64_t>(line.size());
  RotateIfNeeded(now);
}

void CriLogWriter::RotateIfNeeded(const timespec& now) {
  if (options_.max_bytes <= 0 || size_ < options_.max_bytes) return;
  std::string target = path_ + "." + RotationSuffix(now);
  // Two rotations within a second: keep both.
  for (int i = 1; ::access(target.c_str(), F_OK) == 0; ++i) {
    target = path_ + "." + RotationSuffix(now) + "-" + std::to_string(i);
  }
  if (::rename(path_.c_str(), target.c_str()) != 0) return;
  ::close(fd_);
  fd_ = -1;
  size_ = 0;
  Open();
  RemoveOldRotations();
}

void CriLogWriter::RemoveOldRotations() {
  size_t slash = path_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
  std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> rotated;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > base.size() + 1 && name.compare(0, base.size(), base) == 0 &&
        name[base.size()] == '.') {
      rotated.push_back(name);
    }
  }
  ::closedir(d);
  // The suffixes sort by time.
  std::sort(rotated.begin(), rotated.end());
  size_t keep = static_cast<size_t>(options_.max_files - 1);
  for (size_t i = 0; i + keep < rotated.size(); ++i) {
    ::unlink((dir + "/" + rotated[i]).c_str());
  }
}

}  // namespace skiff::agent::logs
