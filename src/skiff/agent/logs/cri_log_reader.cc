#include "skiff/agent/logs/cri_log_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <thread>

#include "skiff/base/files.h"

namespace skiff::agent::logs {

using base::ErrnoStatus;
using base::UniqueFd;

namespace {

bool ParseDigits(std::string_view s, int* out) {
  if (s.empty()) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::optional<absl::Time> ParseRfc3339Nano(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  int y, mo, d, h, mi, sec;
  if (!ParseDigits(s.substr(0, 4), &y) || !ParseDigits(s.substr(5, 2), &mo) ||
      !ParseDigits(s.substr(8, 2), &d) || !ParseDigits(s.substr(11, 2), &h) ||
      !ParseDigits(s.substr(14, 2), &mi) || !ParseDigits(s.substr(17, 2), &sec)) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(19);
  int64_t nanos = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    int64_t scale = 100000000;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      nanos += (rest[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == 1) return std::nullopt;
    rest.remove_prefix(i);
  }
  int offset_minutes = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh, om;
    if (!ParseDigits(rest.substr(1, 2), &oh) || !ParseDigits(rest.substr(4, 2), &om)) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (rest[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  absl::CivilSecond civil(y, mo, d, h, mi, sec);
  if (civil.year() != y || civil.month() != mo || civil.day() != d || civil.hour() != h ||
      civil.minute() != mi || civil.second() != sec) {
    return std::nullopt;
  }
  return absl::FromCivil(civil, absl::UTCTimeZone()) - absl::Minutes(offset_minutes) +
         absl::Nanoseconds(nanos);
}

std::string FormatRfc3339NanoFixed(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", t, absl::UTCTimeZone());
}

std::optional<CriRecord> ParseCriLine(std::string_view line) {
  CriRecord r;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto t = ParseRfc3339Nano(line.substr(0, sp));
  if (!t) return std::nullopt;
  r.time = *t;
  line.remove_prefix(sp + 1);
  sp = line.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::string_view stream = line.substr(0, sp);
  if (stream == "stdout") {
    r.stream = Stream::kStdout;
  } else if (stream == "stderr") {
    r.stream = Stream::kStderr;
  } else {
    return std::nullopt;
  }
  line.remove_prefix(sp + 1);
  sp = line.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  // Tags are ':'-separated; only the first one means anything yet.
  std::string_view tags = line.substr(0, sp);
  r.partial = tags.substr(0, tags.find(':')) == "P";
  r.text = line.substr(sp + 1);
  if (r.partial && !r.text.empty() && r.text.back() == '\n') r.text.remove_suffix(1);
  return r;
}

int64_t TailStartOffset(int fd, int64_t n) {
  if (n < 0) return 0;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return 0;
  constexpr int64_t kBlock = 4096;
  int64_t size = st.st_size;
  int64_t left = size, count = 0;
  std::string buf;
  // Counts newlines from the end until more than n are seen (or the start is reached).
  for (int64_t right = size; right > 0 && count <= n; right = left) {
    left = right > kBlock ? right - kBlock : 0;
    buf.resize(static_cast<size_t>(right - left));
    ssize_t got = ::pread(fd, buf.data(), buf.size(), left);
    if (got < 0) return 0;
    buf.resize(static_cast<size_t>(got));
    for (char c : buf) count += c == '\n';
  }
  // Skip past the surplus newlines at the front of the last block read.
  size_t pos = 0;
  for (; count > n; --count) {
    size_t nl = buf.find('\n', pos);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return left + static_cast<int64_t>(pos);
}

namespace {

// Reads a file line by line from an offset; a line without its newline stays unread.
class LineReader {
 public:
  explicit LineReader(UniqueFd fd, int64_t offset) : fd_(std::move(fd)), offset_(offset) {}

  // The next complete line, or nullopt at the end of what is there now. `eof_rest` gets a final
  // unterminated piece when asked to.
  std::optional<std::string> Next(bool take_unterminated) {
    while (true) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        std::string line = buf_.substr(pos_, nl + 1 - pos_);
        pos_ = nl + 1;
        return line;
      }
      char chunk[65536];
      ssize_t n = ::pread(fd_.get(), chunk, sizeof chunk, offset_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (take_unterminated && pos_ < buf_.size()) {
          std::string line = buf_.substr(pos_);
          pos_ = buf_.size();
          return line;
        }
        return std::nullopt;
      }
      offset_ += n;
      buf_.erase(0, pos_);
      pos_ = 0;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  int64_t offset_;
  std::string buf_;
  size_t pos_ = 0;
};

bool SameFile(int fd, const std::string& path) {
  struct stat a {
  }, b{};
  if (::fstat(fd, &a) != 0 || ::stat(path.c_str(), &b) != 0) return true;  // nothing new yet
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

absl::Status ReadCriLog(const std::string& path, const LogReadOptions& options,
                        const std::function<bool(std::string_view)>& out, const LogFollow& follow) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return ErrnoStatus(errno, "open log file " + path);
  int64_t start = TailStartOffset(fd.get(), options.tail_lines);
  LineReader reader(std::move(fd), start);
  // Without follow, tailLines also bounds how many lines are written.
  const bool limited = options.tail_lines >= 0 && !options.follow;
  int64_t lines_left = options.tail_lines;
  int64_t bytes_left = options.limit_bytes >= 0 ? options.limit_bytes : INT64_MAX;
  bool last_round = false;
  std::string line_out;
  while (true) {
    if (limited && lines_left <= 0) return absl::OkStatus();
    std::optional<std::string> line = reader.Next(!options.follow || last_round);
    if (!line) {
      if (!options.follow || last_round) return absl::OkStatus();
      if (follow.cancelled()) return absl::OkStatus();
      if (!SameFile(reader.fd(), path)) {
        // Rotated: what was left in the old file has been read; go on in the new one.
        UniqueFd next(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (next.ok()) reader = LineReader(std::move(next), 0);
        continue;
      }
      if (!follow.running()) {
        last_round = true;  // read whatever the last moments wrote, then stop
        continue;
      }
      absl::SleepFor(follow.poll);
      continue;
    }
    auto record = ParseCriLine(*line);
    if (!record) continue;  // not a CRI line: skipped, as the kubelet does
    if (record->time < options.since) continue;
    line_out.clear();
    if (options.timestamps) {
      line_out = FormatRfc3339NanoFixed(record->time);
      line_out += ' ';
    }
    line_out.append(record->text);
    if (static_cast<int64_t>(line_out.size()) > bytes_left) {
      line_out.resize(static_cast<size_t>(bytes_left));
    }
    bytes_left -= static_cast<int64_t>(line_out.size());
    if (!out(line_out)) return absl::OkStatus();
    if (bytes_left <= 0) return absl::OkStatus();
    if (limited) --lines_left;
  }
}

}  // namespace skiff::agent::logs
