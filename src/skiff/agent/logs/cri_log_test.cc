#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "skiff/agent/logs/cri_log_reader.h"
#include "skiff/agent/logs/cri_log_writer.h"
#include "skiff/base/files.h"

namespace skiff::agent::logs {
namespace {

timespec At(time_t sec, long nsec) { return timespec{sec, nsec}; }
// 2026-11-28T01:02:03Z
constexpr time_t kT0 = 1795827723;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/skiff-logs-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Slurp(const std::string& path) { return base::ReadFile(path).value_or("<missing>"); }

std::string ReadAll(const std::string& path, const LogReadOptions& opts, LogFollow follow = {}) {
  std::string got;
  absl::Status s = ReadCriLog(
      path, opts,
      [&](std::string_view piece) {
        got.append(piece);
        return true;
      },
      follow);
  if (!s.ok()) return "error: " + std::string(s.message());
  return got;
}

TEST(FormatTest, Rfc3339NanoTrimsZeros) {
  struct Case {
    timespec t;
    std::string want;
  } cases[] = {
      {At(kT0, 0), "2026-11-28T01:02:03Z"},
      {At(kT0, 100000000), "2026-11-28T01:02:03.1Z"},
      {At(kT0, 123456789), "2026-11-28T01:02:03.123456789Z"},
      {At(kT0, 5000), "2026-11-28T01:02:03.000005Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormatRfc3339Nano(c.t), c.want);
  EXPECT_EQ(RotationSuffix(At(kT0, 7)), "20261128-010203");
  EXPECT_EQ(FormatCriLine(At(kT0, 5), Stream::kStderr, true, "abc"),
            "2026-11-28T01:02:03.000000005Z stderr P abc\n");
}

TEST(FormatTest, ParseAndFixedOutput) {
  auto t = ParseRfc3339Nano("2026-11-28T01:02:03.5Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339NanoFixed(*t), "2026-11-28T01:02:03.500000000Z");
  t = ParseRfc3339Nano("2026-11-28T03:02:03.123456789+02:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339NanoFixed(*t), "2026-11-28T01:02:03.123456789Z");
  for (const char* bad : {"", "2026-11-28", "2026-13-28T01:02:03Z", "2026-11-28T01:02:03",
                          "2026-11-28T01:02:03.Z", "2026-11-28T01:02:03Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339Nano(bad)) << bad;
  }
}

TEST(ParseCriLineTest, Table) {
  auto r = ParseCriLine("2026-11-28T01:02:03.1Z stdout F hello\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stream, Stream::kStdout);
  EXPECT_FALSE(r->partial);
  EXPECT_EQ(r->text, "hello\n");
  EXPECT_EQ(FormatRfc3339NanoFixed(r->time), "2026-11-28T01:02:03.100000000Z");
  r = ParseCriLine("2026-11-28T01:02:03Z stderr P:x part\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stream, Stream::kStderr);
  EXPECT_TRUE(r->partial);
  EXPECT_EQ(r->text, "part");
  r = ParseCriLine("2026-11-28T01:02:03Z stdout F \n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->text, "\n");
  for (const char* bad : {"hello\n", "2026-11-28T01:02:03Z stdin F x\n",
                          "2026-11-28T01:02:03Z stdout\n", "nottime stdout F x\n"}) {
    EXPECT_FALSE(ParseCriLine(bad)) << bad;
  }
}

TEST(CriLogWriterTest, LinesPartialsAndStreams) {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  CriLogWriter w(path, {.max_bytes = 0, .max_files = 5, .max_line_bytes = 4});
  ASSERT_TRUE(w.Open());
  w.Write(Stream::kStdout, "a\nb", At(kT0, 1));
  w.Write(Stream::kStderr, "err\n", At(kT0, 2));
  w.Write(Stream::kStdout, "c\n123456789\n", At(kT0, 3));
  w.Write(Stream::kStdout, "xyz", At(kT0, 4));
  w.Close(Stream::kStdout, At(kT0, 5));
  w.Close(Stream::kStderr, At(kT0, 6));
  EXPECT_EQ(Slurp(path),
            "2026-11-28T01:02:03.000000001Z stdout F a\n"
            "2026-11-28T01:02:03.000000002Z stderr F err\n"
            "2026-11-28T01:02:03.000000003Z stdout F bc\n"
            "2026-11-28T01:02:03.000000003Z stdout P 1234\n"
            "2026-11-28T01:02:03.000000003Z stdout P 5678\n"
            "2026-11-28T01:02:03.000000003Z stdout F 9\n"
            "2026-11-28T01:02:03.000000005Z stdout F xyz\n");
  // Partials are joined again by the reader.
  EXPECT_EQ(ReadAll(path, {}), "a\nerr\nbc\n123456789\nxyz\n");
}

std::set<std::string> Files(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.insert(e.path().filename().string());
  }
  return out;
}

TEST(CriLogWriterTest, RotatesBySizeAndKeepsMaxFiles) {
  TempDir dir;
  std::string path = dir.path() + "/2.log";
  // Each record is 34 bytes: "2026-11-28T01:02:03Z stdout F xx\n" + 1.
  CriLogWriter w(path, {.max_bytes = 60, .max_files = 3});
  ASSERT_TRUE(w.Open());
  for (int i = 0; i < 8; ++i) {
    w.Write(Stream::kStdout, "l" + std::to_string(i) + "\n", At(kT0 + i * 60, 0));
  }
  // Rotations happened after lines 1, 3, 5, 7 (two lines reach 60 bytes); two are kept.
  EXPECT_EQ(Files(dir.path()),
            (std::set<std::string>{"2.log", "2.log.20261128-010703", "2.log.20261128-010903"}));
  EXPECT_EQ(Slurp(path), "");
  EXPECT_EQ(Slurp(path + ".20261128-010903"),
            "2026-11-28T01:08:03Z stdout F l6\n2026-11-28T01:09:03Z stdout F l7\n");
  w.Write(Stream::kStdout, "l8\n", At(kT0 + 600, 0));
  EXPECT_EQ(ReadAll(path, {}), "l8\n");
}

class ReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/0.log";
    std::string text;
    for (int i = 0; i < 5; ++i) {
      text += FormatCriLine(At(kT0 + i, 250000000), i == 3 ? Stream::kStderr : Stream::kStdout,
                            false, "line" + std::to_string(i));
    }
    ASSERT_TRUE(base::WriteFileAtomic(path_, text).ok());
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(ReaderTest, OptionsTable) {
  absl::Time t0 = absl::FromUnixSeconds(kT0);
  struct Case {
    std::string name;
    LogReadOptions opts;
    std::string want;
  } cases[] = {
      {"all", {}, "line0\nline1\nline2\nline3\nline4\n"},
      {"tail 2", {.tail_lines = 2}, "line3\nline4\n"},
      {"tail 0", {.tail_lines = 0}, ""},
      {"tail beyond", {.tail_lines = 50}, "line0\nline1\nline2\nline3\nline4\n"},
      {"limit 8", {.limit_bytes = 8}, "line0\nli"},
      {"limit 0 still allows nothing", {.limit_bytes = 0}, ""},
      {"since", {.since = t0 + absl::Seconds(3)}, "line3\nline4\n"},
      {"since exact", {.since = t0 + absl::Milliseconds(2250)}, "line2\nline3\nline4\n"},
      {"timestamps tail 1",
       {.tail_lines = 1, .timestamps = true},
       "2026-11-28T01:02:07.250000000Z line4\n"},
      {"timestamps limit",
       {.limit_bytes = 40, .timestamps = true},
       "2026-11-28T01:02:03.250000000Z line0\n202"},
  };
  for (const auto& c : cases) EXPECT_EQ(ReadAll(path_, c.opts), c.want) << c.name;
}

TEST_F(ReaderTest, MissingFileIsNotFound) {
  absl::Status s = ReadCriLog(dir_.path() + "/9.log", {}, [](std::string_view) { return true; });
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
}

TEST_F(ReaderTest, SkipsLinesThatAreNotCri) {
  std::string text = "garbage\n" + FormatCriLine(At(kT0, 0), Stream::kStdout, false, "ok");
  ASSERT_TRUE(base::WriteFileAtomic(path_, text).ok());
  EXPECT_EQ(ReadAll(path_, {}), "ok\n");
}

TEST_F(ReaderTest, FollowEndsWhenTheContainerStopsAndSeesRotation) {
  std::atomic<bool> running{true};
  std::string got;
  std::thread writer([&] {
    CriLogWriter w(path_, {.max_bytes = 200, .max_files = 2});
    ASSERT_TRUE(w.Open());
    for (int i = 5; i < 12; ++i) {
      absl::SleepFor(absl::Milliseconds(15));
      w.Write(Stream::kStdout, "line" + std::to_string(i) + "\n", At(kT0 + i, 0));
    }
    running = false;
  });
  LogFollow follow;
  follow.running = [&] { return running.load(); };
  follow.poll = absl::Milliseconds(5);
  absl::Status s = ReadCriLog(
      path_, {.tail_lines = 1, .follow = true},
      [&](std::string_view piece) {
        got.append(piece);
        return true;
      },
      follow);
  writer.join();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(got, "line4\nline5\nline6\nline7\nline8\nline9\nline10\nline11\n");
}

TEST_F(ReaderTest, FollowStopsWhenCancelledOrOutRefuses) {
  LogFollow follow;
  follow.running = [] { return true; };
  int polls = 0;
  follow.cancelled = [&] { return ++polls > 3; };
  follow.poll = absl::Milliseconds(1);
  EXPECT_EQ(ReadAll(path_, {.tail_lines = 1, .follow = true}, follow), "line4\n");
  EXPECT_EQ(polls, 4);
  int lines = 0;
  ASSERT_TRUE(ReadCriLog(
                  path_, {.follow = true}, [&](std::string_view) { return ++lines < 2; }, follow)
                  .ok());
  EXPECT_EQ(lines, 2);
}

TEST(TailStartOffsetTest, Table) {
  TempDir dir;
  std::string path = dir.path() + "/f";
  struct Case {
    std::string text;
    int64_t n;
    int64_t want;
  } cases[] = {
      {"a\nb\nc\n", 2, 2},
      {"a\nb\nc\n", 0, 6},
      {"a\nb\nc\n", 3, 0},
      {"a\nb\nc\n", 9, 0},
      {"a\nb\nc\n", -1, 0},
      {"", 2, 0},
      {std::string(5000, 'x') + "\n" + std::string(5000, 'y') + "\n", 1, 5001},
  };
  for (const auto& c : cases) {
    ASSERT_TRUE(base::WriteFileAtomic(path, c.text).ok());
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY));
    EXPECT_EQ(TailStartOffset(fd.get(), c.n), c.want) << c.text.size() << " " << c.n;
  }
}

}  // namespace
}  // namespace skiff::agent::logs
