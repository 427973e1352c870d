// API server macro benchmarks: durable creates through HTTP with 64 concurrent clients against
// a baseline of one SQLite transaction per write on the same disk; LIST of many pods from the
// watch cache; watch fan-out latency; server RSS. Prints a JSON document of the figures.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "skiff/apiserver/api_server.h"
#include "skiff/store/sqlite/sqlite_store.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
  double per_sec = 0, p50_ms = 0, p99_ms = 0;
};

Figures Summarize(std::vector<double>& lat_ms, double seconds) {
  Figures f;
  if (lat_ms.empty()) return f;
  std::sort(lat_ms.begin(), lat_ms.end());
  f.per_sec = lat_ms.size() / seconds;
  f.p50_ms = lat_ms[lat_ms.size() / 2];
  f.p99_ms = lat_ms[std::min(lat_ms.size() - 1, lat_ms.size() * 99 / 100)];
  return f;
}

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

// One keep-alive HTTP client connection.
class Conn {
 public:
  explicit Conn(int port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
  }
  int Request(bhttp::verb verb, const std::string& target, const std::string& body,
              std::string* out = nullptr) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::content_type, "application/json");
    req.set(bhttp::field::accept, "application/json");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket_, req);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ULL << 34);
    bhttp::read(socket_, buf_, parser);
    if (out) *out = parser.get().body();
    return parser.get().result_int();
  }
  // GET whose body is read into a reused buffer and only counted, so that the figure is the
  // server's, not the client's string growth.
  int Drain(const std::string& target, size_t* bytes) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::accept, "application/json");
    bhttp::write(socket_, req);
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(1ULL << 34);
    bhttp::read_header(socket_, buf_, parser);
    static thread_local std::vector<char> chunk(1 << 20);
    *bytes = 0;
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      beast::error_code ec;
      bhttp::read(socket_, buf_, parser, ec);
      if (ec && ec != bhttp::error::need_buffer) break;
      *bytes += chunk.size() - parser.get().body().size;
    }
    return parser.get().result_int();
  }
  tcp::socket& socket() { return socket_; }
  beast::flat_buffer& buffer() { return buf_; }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buf_;
};

std::string ConfigMap(int i) {
  return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-" +
         std::to_string(i) + "\"},\"data\":{\"k\":\"value-" + std::to_string(i) + "\"}}";
}

std::string Pod(int i) {
  return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pod-" +
         std::to_string(i) + "\",\"labels\":{\"app\":\"bench\",\"tier\":\"t" +
         std::to_string(i % 10) +
         "\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\","
         "\"command\":[\"sh\",\"-c\",\"sleep 3600\"],\"resources\":{\"requests\":{\"cpu\":"
         "\"10m\",\"memory\":\"16Mi\"}}}]}}";
}

// Baseline: 64 threads, each write its own SQLite transaction (WAL, synchronous=FULL).
Figures SqliteBaseline(const std::string& path, int writers, int per_writer) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE kv(key TEXT PRIMARY KEY, value BLOB)",
               nullptr, nullptr, nullptr);
  std::mutex mu;  // one connection: SQLite serialises writers anyway
  std::vector<double> lat;
  std::mutex lat_mu;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::vector<double> mine;
      for (int i = 0; i < per_writer; ++i) {
        auto t0 = Clock::now();
        std::string key = "/registry/configmaps/default/cm-" + std::to_string(w * per_writer + i);
        std::string value = ConfigMap(w * per_writer + i);
        {
          std::lock_guard<std::mutex> lock(mu);
          sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
          sqlite3_stmt* st;
          sqlite3_prepare_v2(db, "INSERT INTO kv VALUES(?,?)", -1, &st, nullptr);
          sqlite3_bind_text(st, 1, key.c_str(), -1, SQLITE_TRANSIENT);
          sqlite3_bind_blob(st, 2, value.data(), value.size(), SQLITE_TRANSIENT);
          sqlite3_step(st);
          sqlite3_finalize(st);
          sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      std::lock_guard<std::mutex> lock(lat_mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_close(db);
  return Summarize(lat, secs);
}

Figures HttpCreates(int port, int clients, int per_client, const std::string& ns) {
  std::vector<double> lat;
  std::mutex lat_mu;
  std::atomic<int> failures{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Conn conn(port);
      std::vector<double> mine;
      for (int i = 0; i < per_client; ++i) {
        auto t0 = Clock::now();
        int code = conn.Request(bhttp::verb::post, "/api/v1/namespaces/" + ns + "/configmaps",
                                ConfigMap(c * per_client + i));
        if (code != 201) failures++;
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      std::lock_guard<std::mutex> lock(lat_mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (failures > 0) std::cerr << failures << " creates failed\n";
  return Summarize(lat, secs);
}

}  // namespace

int main(int argc, char** argv) {
  int pods = argc > 1 ? std::atoi(argv[1]) : 100000;
  int watchers = argc > 2 ? std::atoi(argv[2]) : 1000;
  std::string dir =
      std::filesystem::temp_directory_path() / ("skiff-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);

  Figures base = SqliteBaseline(dir + "/baseline.db", 64, 100);

  auto store = skiff::store::SqliteStore::Open(dir + "/skiff.db");
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    return 1;
  }
  long rss_before = RssKb();
  skiff::apiserver::ApiServerOptions opts;
  opts.port = 0;
  skiff::apiserver::ApiServer server(store->get(), opts);
  if (auto s = server.Start(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  int port = server.port();
  long rss_idle = RssKb();

  Figures creates = HttpCreates(port, 64, 200, "default");

  // Fill pods for the LIST benchmark (through HTTP, 16 clients).
  {
    std::vector<std::thread> threads;
    int per = pods / 16;
    for (int c = 0; c < 16; ++c) {
      threads.emplace_back([&, c] {
        Conn conn(port);
        for (int i = 0; i < per; ++i)
          conn.Request(bhttp::verb::post, "/api/v1/namespaces/default/pods", Pod(c * per + i));
      });
    }
    for (auto& t : threads) t.join();
  }
  long rss_pods = RssKb();
  std::vector<double> list_ms;
  size_t list_bytes = 0;
  {
    Conn conn(port);
    for (int i = 0; i < 10; ++i) {
      auto t0 = Clock::now();
      conn.Drain("/api/v1/pods?resourceVersion=0", &list_bytes);
      list_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  }
  Figures list = Summarize(list_ms, 1);
  // Baseline: the same pods read straight out of SQLite into one buffer.
  std::vector<double> raw_ms;
  {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir + "/skiff.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT value FROM kv WHERE key >= CAST('/registry/pods/' AS BLOB) AND "
                       "key < CAST('/registry/pods0' AS BLOB)",
                       -1, &st, nullptr);
    for (int i = 0; i < 10; ++i) {
      auto t0 = Clock::now();
      std::string out;
      out.reserve(list_bytes + 1024);
      while (sqlite3_step(st) == SQLITE_ROW) {
        out.append(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                   sqlite3_column_bytes(st, 0));
        out.push_back(',');
      }
      sqlite3_reset(st);
      raw_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  Figures raw_list = Summarize(raw_ms, 1);

  // Watch fan-out: N watchers on configmaps in namespace "watch"; 1000 events/s for 3 s. The
  // watchers are raw sockets read by one epoll thread, so that the client costs little next
  // to the server; a delivery's latency runs from just before its create request to the
  // moment its line is read.
  std::vector<double> delivery_ms;
  std::atomic<int64_t> sent_at_ns[4096];
  for (auto& s : sent_at_ns) s = 0;
  {
    Conn c(port);
    c.Request(bhttp::verb::post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"watch\"}}");
  }
  std::string start_rv;
  {
    Conn c(port);
    std::string list;
    c.Request(bhttp::verb::get, "/api/v1/namespaces/watch/configmaps", "", &list);
    auto pos = list.find("\"resourceVersion\":\"");
    start_rv = list.substr(pos + 19, list.find('"', pos + 19) - pos - 19);
  }
  struct Watch {
    int fd = -1;
    std::string pending;
  };
  std::vector<Watch> ws(watchers);
  int ep = epoll_create1(0);
  std::string request =
      "GET /api/v1/namespaces/watch/configmaps?watch=true&resourceVersion=" + start_rv +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n";
  for (int i = 0; i < watchers; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        send(fd, request.data(), request.size(), MSG_NOSIGNAL) != (ssize_t)request.size()) {
      std::cerr << "watch connect failed\n";
      return 1;
    }
    ws[i].fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    std::vector<epoll_event> evs(1024);
    std::vector<char> buf(1 << 16);
    while (!stop.load()) {
      int n = epoll_wait(ep, evs.data(), evs.size(), 50);
      auto now = Clock::now().time_since_epoch().count();
      for (int k = 0; k < n; ++k) {
        Watch& w = ws[evs[k].data.u32];
        ssize_t got = recv(w.fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (got <= 0) continue;
        w.pending.append(buf.data(), got);
        size_t pos = 0, nl;
        while ((nl = w.pending.find('\n', pos)) != std::string::npos) {
          std::string_view line(w.pending.data() + pos, nl - pos);
          pos = nl + 1;
          auto q = line.find("\"seq\":\"");
          if (q == std::string_view::npos) continue;
          int seq = std::atoi(line.data() + q + 7);
          int64_t t = sent_at_ns[seq % 4096].load();
          if (t > 0) delivery_ms.push_back((now - t) / 1e6);
        }
        w.pending.erase(0, pos);
      }
    }
  });
  // Let every watch reach the server before the events start.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  {
    Conn c(port);
    auto t0 = Clock::now();
    for (int seq = 0; seq < 3000; ++seq) {
      auto due = t0 + std::chrono::microseconds(1000 * seq);
      std::this_thread::sleep_until(due);
      sent_at_ns[seq % 4096] = Clock::now().time_since_epoch().count();
      c.Request(bhttp::verb::post, "/api/v1/namespaces/watch/configmaps",
                "{\"metadata\":{\"name\":\"w-" + std::to_string(seq) +
                    "\",\"annotations\":{\"seq\":\"" + std::to_string(seq) + "\"}}}");
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  reader.join();
  for (auto& w : ws) close(w.fd);
  close(ep);
  Figures watch = Summarize(delivery_ms, 3);
  server.Stop();

  std::printf(
      "{\n  \"durable_create\": {\"clients\": 64, \"writes_per_sec\": %.0f, \"p50_ms\": %.2f, "
      "\"p99_ms\": %.2f},\n"
      "  \"baseline_sqlite_txn_per_write\": {\"threads\": 64, \"writes_per_sec\": %.0f, "
      "\"p50_ms\": %.2f, \"p99_ms\": %.2f},\n"
      "  \"create_ratio_vs_baseline\": %.1f,\n"
      "  \"list_pods\": {\"pods\": %d, \"bytes\": %zu, \"p50_ms\": %.1f, \"p99_ms\": %.1f},\n"
      "  \"baseline_sqlite_select_pods\": {\"p50_ms\": %.1f, \"p99_ms\": %.1f},\n"
      "  \"watch\": {\"watchers\": %d, \"events_per_sec\": 1000, \"deliveries\": %zu, "
      "\"p50_ms\": %.2f, \"p99_ms\": %.2f},\n"
      "  \"rss_mb\": {\"before_server\": %.1f, \"idle\": %.1f, \"with_pods\": %.1f, "
      "\"per_10k_pods\": %.1f}\n}\n",
      creates.per_sec, creates.p50_ms, creates.p99_ms, base.per_sec, base.p50_ms, base.p99_ms,
      creates.per_sec / std::max(1.0, base.per_sec), pods, list_bytes, list.p50_ms, list.p99_ms,
      raw_list.p50_ms, raw_list.p99_ms, watchers, delivery_ms.size(), watch.p50_ms, watch.p99_ms,
      rss_before / 1024.0, rss_idle / 1024.0, rss_pods / 1024.0,
      (rss_pods - rss_idle) / 1024.0 / std::max(1, pods) * 10000);
  std::filesystem::remove_all(dir);
  return 0;
}
