// Durable write throughput of SqliteStore (group commit) against raw SQLite committing one
// transaction per write (WAL, synchronous=FULL, one connection behind a mutex), measured in the
// same run on the same disk with the same number of writer threads. Prints figures; --json
// writes them to a file.
//
// The two alternate in rounds so that drift in the disk's speed affects both alike.
//
//   skiff_store_bench [--dir DIR] [--threads N] [--seconds S] [--rounds R] [--value-bytes B]
//                     [--json PATH]

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "skiff/store/sqlite/sqlite_store.h"

namespace skiff::store {
namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  std::string dir = "/tmp";
  int threads = 64;
  double seconds = 5;  // per system and round
  int rounds = 3;
  int value_bytes = 1024;
  std::string json;
};

struct Result {
  std::string name;
  double seconds = 0;
  std::vector<double> latencies_us;  // one per acknowledged write
  int64_t transactions = 0;          // SqliteStore only: commits (fsyncs) taken

  int64_t writes() const { return static_cast<int64_t>(latencies_us.size()); }
  double writes_per_second() const { return seconds > 0 ? writes() / seconds : 0; }
  double Percentile(double p) const {
    if (latencies_us.empty()) return 0;
    std::vector<double> sorted = latencies_us;
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::min(sorted.size() - 1, static_cast<size_t>(sorted.size() * p))];
  }
  void Add(const Result& round) {
    seconds += round.seconds;
    transactions += round.transactions;
    latencies_us.insert(latencies_us.end(), round.latencies_us.begin(), round.latencies_us.end());
  }
};

// Runs `write(thread, i)` from `threads` threads until `seconds` pass; a false return stops the
// run as a failure.
Result Measure(const std::string& name, const Flags& flags,
               const std::function<bool(int, int64_t)>& write) {
  std::vector<std::vector<double>> latencies(flags.threads);
  std::atomic<bool> failed{false};
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(flags.seconds));
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < flags.threads; ++t) {
      threads.emplace_back([&, t] {
        for (int64_t i = 0; Clock::now() < deadline && !failed; ++i) {
          Clock::time_point before = Clock::now();
          if (!write(t, i)) {
            failed = true;
            return;
          }
          latencies[t].push_back(
              std::chrono::duration<double, std::micro>(Clock::now() - before).count());
        }
      });
    }
  }
  if (failed) {
    std::fprintf(stderr, "%s: a write failed\n", name.c_str());
    std::exit(1);
  }
  Result result;
  result.name = name;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& l : latencies) {
    result.latencies_us.insert(result.latencies_us.end(), l.begin(), l.end());
  }
  return result;
}

std::string Key(int round, int thread, int64_t i) {
  return absl::StrFormat("/registry/pods/bench/r%d-t%02d-%08d", round, thread, i);
}

Result RunSqliteStore(const Flags& flags, int round, const std::string& dir,
                      const std::string& value) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir + "/store.db");
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  Result result = Measure("SqliteStore (group commit)", flags, [&](int t, int64_t i) {
    absl::StatusOr<int64_t> rev = (*store)->Create(Key(round, t, i), value);
    if (!rev.ok()) std::fprintf(stderr, "create: %s\n", rev.status().ToString().c_str());
    return rev.ok();
  });
  result.transactions = (*store)->stats().transactions;
  std::printf("  round %d: SqliteStore %8.0f writes/s, %.1f writes per transaction\n", round,
              result.writes_per_second(),
              static_cast<double>(result.writes()) / std::max<int64_t>(1, result.transactions));
  return result;
}

bool Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) == SQLITE_OK) return true;
  std::fprintf(stderr, "sqlite: %s: %s\n", sql, error);
  sqlite3_free(error);
  return false;
}

// The baseline: what a store without group commit pays, one transaction and fsync per write.
Result RunRawSqlite(const Flags& flags, int round, const std::string& dir,
                    const std::string& value) {
  sqlite3* db = nullptr;
  std::string path = dir + "/raw.db";
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK ||
      !Exec(db,
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
            "CREATE TABLE IF NOT EXISTS kv (key BLOB NOT NULL PRIMARY KEY, create_revision INTEGER "
            "NOT NULL,"
            " mod_revision INTEGER NOT NULL, value BLOB NOT NULL)")) {
    std::exit(1);
  }
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO kv VALUES (?1, ?2, ?2, ?3)", -1, &insert, nullptr);
  std::mutex mu;
  int64_t revision = 0;
  Result result = Measure("raw SQLite (txn per write)", flags, [&](int t, int64_t i) {
    std::string key = Key(round, t, i);
    std::lock_guard lock(mu);
    if (!Exec(db, "BEGIN IMMEDIATE")) return false;
    sqlite3_bind_blob(insert, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert, 2, ++revision);
    sqlite3_bind_blob(insert, 3, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    int rc = sqlite3_step(insert);
    sqlite3_reset(insert);
    if (rc != SQLITE_DONE) {
      std::fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
      return false;
    }
    return Exec(db, "COMMIT");
  });
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::printf("  round %d: raw SQLite  %8.0f writes/s\n", round, result.writes_per_second());
  return result;
}

// The disk's fsync latency at the time of the run, for reading the figures: it bounds what one
// transaction per write can reach, and it varies with what else the machine writes.
double FsyncLatencyMicros(const std::string& dir) {
  std::string path = dir + "/fsync_probe";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  std::string block(4096, 'x');
  std::vector<double> samples;
  for (int i = 0; i < 50; ++i) {
    Clock::time_point before = Clock::now();
    if (write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        fsync(fd) != 0) {
      break;
    }
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - before).count());
  }
  close(fd);
  unlink(path.c_str());
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

void Print(const Result& r) {
  std::printf("  %-28s %9.0f writes/s  p50 %8.0f us  p99 %8.0f us  (%lld writes in %.1fs)\n",
              r.name.c_str(), r.writes_per_second(), r.Percentile(0.5), r.Percentile(0.99),
              static_cast<long long>(r.writes()), r.seconds);
}

std::string Json(const Result& r) {
  return absl::StrFormat(
      R"({"name": "%s", "writes": %d, "seconds": %.3f, "writes_per_second": %.1f, )"
      R"("p50_us": %.1f, "p99_us": %.1f, "transactions": %d})",
      r.name, r.writes(), r.seconds, r.writes_per_second(), r.Percentile(0.5), r.Percentile(0.99),
      r.transactions);
}

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    bool ok = true;
    if (arg == "--dir") {
      flags.dir = v;
    } else if (arg == "--threads") {
      ok = absl::SimpleAtoi(v, &flags.threads) && flags.threads > 0;
    } else if (arg == "--seconds") {
      ok = absl::SimpleAtod(v, &flags.seconds) && flags.seconds > 0;
    } else if (arg == "--rounds") {
      ok = absl::SimpleAtoi(v, &flags.rounds) && flags.rounds > 0;
    } else if (arg == "--value-bytes") {
      ok = absl::SimpleAtoi(v, &flags.value_bytes) && flags.value_bytes >= 0;
    } else if (arg == "--json") {
      flags.json = v;
    } else {
      ok = false;
    }
    if (!ok) return false;
  }
  return true;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) {
    std::fprintf(stderr,
                 "usage: %s [--dir DIR] [--threads N] [--seconds S] [--rounds R] [--value-bytes B] "
                 "[--json PATH]\n",
                 argv[0]);
    return 2;
  }
  std::string tmpl = flags.dir + "/skiff_store_bench_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string dir = tmpl;
  const std::string value(flags.value_bytes, 'v');
  std::printf(
      "durable creates: %d writer threads, %d-byte values, %d rounds of %.1fs each, in %s\n",
      flags.threads, flags.value_bytes, flags.rounds, flags.seconds, dir.c_str());

  const double fsync_us = FsyncLatencyMicros(dir);
  std::printf("  4 KiB append + fsync on this disk now: %.0f us (median of 50)\n", fsync_us);
  Result raw;
  raw.name = "raw SQLite (txn per write)";
  Result store;
  store.name = "SqliteStore (group commit)";
  for (int round = 0; round < flags.rounds; ++round) {
    raw.Add(RunRawSqlite(flags, round, dir, value));
    store.Add(RunSqliteStore(flags, round, dir, value));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);

  Print(raw);
  Print(store);
  double ratio = store.writes_per_second() / std::max(1e-9, raw.writes_per_second());
  std::printf("  SqliteStore / raw SQLite throughput: %.1fx\n", ratio);

  if (!flags.json.empty()) {
    std::ofstream out(flags.json);
    out << absl::StrFormat(
        "{\"benchmark\": \"store_durable_create\", \"threads\": %d, \"value_bytes\": %d,\n"
        " \"rounds\": %d, \"seconds_per_round\": %.1f, \"fsync_p50_us\": %.0f,\n"
        " \"dir\": \"%s\",\n \"sqlite_store\": %s,\n \"raw_sqlite\": %s,\n"
        " \"throughput_ratio\": %.2f}\n",
        flags.threads, flags.value_bytes, flags.rounds, flags.seconds, fsync_us, flags.dir,
        Json(store), Json(raw), ratio);
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", flags.json.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace skiff::store

int main(int argc, char** argv) { return skiff::store::Main(argc, argv); }
