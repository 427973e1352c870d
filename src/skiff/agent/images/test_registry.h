// Test helpers for registry pulls: commands run to completion, Debian's docker-registry on a
// loopback port, and a small HTTP server (token realms, fake registries, redirect targets).
// Everything binds 127.0.0.1 and is stopped by its destructor. For tests only.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "skiff/api/text.h"
#include "skiff/base/files.h"

extern char** environ;

namespace skiff::agent::images::testing {

// A TCP socket listening on 127.0.0.1 at a free port; `port` receives the port.
inline int ListenLoopback(int* port, int backlog = 16) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd, backlog);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

inline int FreePort() {
  int port = 0;
  ::close(ListenLoopback(&port));
  return port;
}

// Runs argv[0] with its output in `*output` (when given); the exit code, or -1.
inline int RunCommand(std::vector<std::string> argv, std::string* output = nullptr) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  char log[] = "/tmp/skiff-command-XXXXXX";
  int fd = ::mkstemp(log);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd, 1);
  posix_spawn_file_actions_adddup2(&fa, fd, 2);
  pid_t pid;
  int rc = ::posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fd);
  int status = 0;
  if (rc == 0) ::waitpid(pid, &status, 0);
  if (output != nullptr) *output = base::ReadFile(log).value_or("");
  ::unlink(log);
  if (rc != 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Waits until something accepts connections on 127.0.0.1:port.
inline bool WaitListening(int port, int tries = 100) {
  for (int i = 0; i < tries; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok) return true;
    ::usleep(50000);
  }
  return false;
}

// Debian's docker-registry serving <dir>/data on 127.0.0.1:port(), with extra configuration:
// `http_extra` is indented under `http:` (tls), `top_extra` at the top level (auth).
class DockerRegistry {
 public:
  DockerRegistry(const std::string& dir, const std::string& http_extra = "",
                 const std::string& top_extra = "")
      : port_(FreePort()) {
    std::string config = dir + "/config.yml";
    std::string yaml = api::Cat(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n", "    rootdirectory: ", dir,
        "/data\nhttp:\n  addr: 127.0.0.1:", port_, "\n", http_extra, top_extra);
    if (!base::WriteFileAtomic(config, yaml).ok()) return;
    std::string bin = "/usr/bin/docker-registry", serve = "serve";
    char* argv[] = {bin.data(), serve.data(), config.data(), nullptr};
    log_ = dir + "/registry.log";
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    int log = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Dies with the test process even when that crashes before its destructors run.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
      ::dup2(null, 1);
      ::dup2(log, 2);
      ::execve(bin.c_str(), argv, environ);
      ::_exit(127);
    }
    ::close(null);
    ::close(log);
    if (pid_ > 0) ready_ = WaitListening(port_);
  }
  ~DockerRegistry() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  DockerRegistry(const DockerRegistry&) = delete;
  DockerRegistry& operator=(const DockerRegistry&) = delete;

  bool ready() const { return ready_; }
  int port() const { return port_; }
  std::string Address() const { return api::Cat("127.0.0.1:", port_); }
  std::string Log() const { return base::ReadFile(log_).value_or(""); }

 private:
  int port_;
  pid_t pid_ = -1;
  bool ready_ = false;
  std::string log_;
};

struct HttpRequest {
  std::string path;                               // without the query
  std::multimap<std::string, std::string> query;  // decoded
  std::map<std::string, std::string> headers;     // lower-case names
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// One request per connection, answered by `handler` on the server's thread. Bytes that do not
// start an HTTP request (a TLS ClientHello) get a 400, as Go's server answers them.
class TestHttpServer {
 public:
  explicit TestHttpServer(std::function<HttpReply(const HttpRequest&)> handler)
      : handler_(std::move(handler)) {
    fd_ = ListenLoopback(&port_);
    thread_ = std::jthread([this](std::stop_token stop) { Serve(stop); });
  }
  ~TestHttpServer() {
    thread_.request_stop();
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  std::string Address() const { return api::Cat("127.0.0.1:", port_); }

 private:
  static std::string Unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i] == '+' ? ' ' : s[i]);
      }
    }
    return out;
  }

  void Serve(std::stop_token stop) {
    while (!stop.stop_requested()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      Handle(conn);
      ::close(conn);
    }
  }

  void Handle(int conn) {
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
      if (!in.empty() && (in[0] < 'A' || in[0] > 'Z')) {
        Write(conn,
              "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
        return;
      }
    }
    HttpRequest req;
    std::vector<std::string_view> lines =
        api::Split(std::string_view(in).substr(0, in.find("\r\n\r\n")), '\n');
    std::vector<std::string_view> first = api::Split(api::TrimAscii(lines[0]), ' ');
    if (first.size() < 2) return;
    std::string_view target = first[1];
    size_t q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) {
      for (std::string_view kv : api::Split(target.substr(q + 1), '&')) {
        size_t eq = kv.find('=');
        req.query.emplace(Unescape(kv.substr(0, eq)),
                          eq == std::string_view::npos ? "" : Unescape(kv.substr(eq + 1)));
      }
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string_view line = api::TrimAscii(lines[i]);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      req.headers[api::ToLowerAscii(line.substr(0, colon))] =
          std::string(api::TrimAscii(line.substr(colon + 1)));
    }
    HttpReply reply = handler_(req);
    std::string out =
        api::Cat("HTTP/1.1 ", reply.status, " Status\r\nContent-Length: ", reply.body.size(),
                 "\r\nConnection: close\r\n");
    for (const auto& [name, value] : reply.headers) api::AppendCat(&out, name, ": ", value, "\r\n");
    api::AppendCat(&out, "\r\n", reply.body);
    Write(conn, out);
  }

  static void Write(int conn, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(conn, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  std::function<HttpReply(const HttpRequest&)> handler_;
  int fd_ = -1;
  int port_ = 0;
  std::jthread thread_;
};

}  // namespace skiff::agent::images::testing
