#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "skiff/agent/probe/exec.h"
#include "skiff/agent/probe/http.h"
#include "skiff/agent/probe/tcp.h"
#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"

namespace skiff::agent::probe {
namespace {

using api::Cat;

base::UniqueFd Listen(int backlog = 16) {
  base::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::listen(fd.get(), backlog), 0);
  return fd;
}

int PortOf(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// A port nothing listens on: bound once, then closed.
int ClosedPort() { return PortOf(Listen().get()); }

// A self-signed certificate and key for the HTTPS server.
SSL_CTX* ServerTlsContext() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("probe-test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

// An HTTP/1.1 server on loopback answering each request target with a canned raw response, one
// connection at a time. A target without a route gets no answer: the connection stays open
// (a hung server) until the server stops. A "*" route answers every connection at once.
class TestServer {
 public:
  explicit TestServer(bool tls = false)
      : listener_(Listen()), tls_(tls ? ServerTlsContext() : nullptr) {
    port_ = PortOf(listener_.get());
    thread_ = std::jthread([this](std::stop_token stop) { Serve(stop); });
  }
  ~TestServer() {
    thread_.request_stop();
    thread_.join();
    if (tls_ != nullptr) SSL_CTX_free(tls_);
  }
  int port() const { return port_; }
  void Route(const std::string& target, std::string response) {
    absl::MutexLock lock(&mu_);
    routes_[target] = std::move(response);
  }
  std::vector<std::string> Requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  void Serve(std::stop_token stop) {
    std::vector<base::UniqueFd> held;
    while (!stop.stop_requested()) {
      pollfd p{listener_.get(), POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      base::UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!conn.ok()) continue;
      timeval tv{2, 0};
      ::setsockopt(conn.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = nullptr;
      if (tls_ != nullptr) {
        ssl = SSL_new(tls_);
        SSL_set_fd(ssl, conn.get());
        if (SSL_accept(ssl) <= 0) {
          SSL_free(ssl);
          continue;
        }
      }
      std::string request;
      char buf[4096];
      {
        // The "*" route answers at once, before any request arrives.
        absl::MutexLock lock(&mu_);
        if (auto it = routes_.find("*"); it != routes_.end()) {
          ::send(conn.get(), it->second.data(), it->second.size(), MSG_NOSIGNAL);
          continue;
        }
      }
      while (request.find("\r\n\r\n") == std::string::npos) {
        int n = ssl != nullptr ? SSL_read(ssl, buf, sizeof buf)
                               : static_cast<int>(::recv(conn.get(), buf, sizeof buf, 0));
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      std::string target = request.substr(4, request.find(' ', 4) - 4);
      std::optional<std::string> response;
      {
        absl::MutexLock lock(&mu_);
        requests_.push_back(request);
        if (auto it = routes_.find(target); it != routes_.end()) response = it->second;
      }
      if (!response) {
        held.push_back(std::move(conn));
        if (ssl != nullptr) SSL_free(ssl);
        continue;
      }
      if (ssl != nullptr) {
        SSL_write(ssl, response->data(), static_cast<int>(response->size()));
        SSL_shutdown(ssl);
        SSL_free(ssl);
      } else {
        ::send(conn.get(), response->data(), response->size(), MSG_NOSIGNAL);
      }
    }
  }

  base::UniqueFd listener_;
  SSL_CTX* tls_;
  int port_ = 0;
  absl::Mutex mu_;
  std::map<std::string, std::string> routes_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> requests_ ABSL_GUARDED_BY(mu_);
  std::jthread thread_;
};

std::string Reply(int code, std::string_view body, std::string_view extra = "") {
  return Cat("HTTP/1.1 ", code, " X\r\nContent-Length: ", body.size(), "\r\n", extra, "\r\n", body);
}

TEST(HttpProbeTest, StatusCodesRedirectsAndBodies) {
  TestServer server;
  server.Route("/ok", Reply(200, "fine"));
  server.Route("/created", Reply(201, ""));
  server.Route("/teapot", Reply(399, "odd"));
  server.Route("/fail", Reply(500, "broken"));
  server.Route("/missing", Reply(404, "nope"));
  server.Route("/same-host", Reply(302, "", "Location: /ok\r\n"));
  server.Route("/same-host-absolute",
               Reply(301, "", Cat("Location: http://127.0.0.1:", server.port(), "/ok\r\n")));
  server.Route("/relative", Reply(307, "", "Location: ok\r\n"));
  server.Route("/elsewhere", Reply(302, "moved", "Location: http://example.invalid/x\r\n"));
  server.Route("/loop", Reply(302, "", "Location: /loop\r\n"));
  server.Route("/chunked",
               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  server.Route("/until-close", "HTTP/1.0 200 OK\r\n\r\nall of it");
  server.Route("/big", Reply(200, std::string(20000, 'x')));
  server.Route("/continue", "HTTP/1.1 100 Continue\r\n\r\n" + Reply(204, ""));
  server.Route("/?q=1", Reply(200, "query"));
  struct Case {
    std::string path;
    Result result;
    std::string output;
  } cases[] = {
      {"/ok", Result::kSuccess, "fine"},
      {"ok", Result::kSuccess, "fine"},
      {"/ok#fragment", Result::kSuccess, "fine"},
      {"/created", Result::kSuccess, ""},
      {"/teapot", Result::kWarning, "Probe terminated redirects, Response body: odd"},
      {"/fail", Result::kFailure, "HTTP probe failed with statuscode: 500"},
      {"/missing", Result::kFailure, "HTTP probe failed with statuscode: 404"},
      {"/same-host", Result::kSuccess, "fine"},
      {"/same-host-absolute", Result::kSuccess, "fine"},
      {"/relative", Result::kSuccess, "fine"},
      {"/elsewhere", Result::kWarning, "Probe terminated redirects, Response body: moved"},
      {"/loop", Result::kFailure, "Get \"/loop\": stopped after 10 redirects"},
      {"/chunked", Result::kSuccess, "hello world"},
      {"/until-close", Result::kSuccess, "all of it"},
      {"/big", Result::kSuccess, std::string(kMaxOutputBytes, 'x')},
      {"/continue", Result::kSuccess, ""},
      {"?q=1", Result::kSuccess, "query"},
  };
  for (const auto& c : cases) {
    HttpGet get;
    get.host = "127.0.0.1";
    get.port = server.port();
    get.path = c.path;
    auto out = HttpProbe(get, absl::Seconds(5));
    ASSERT_TRUE(out.ok()) << c.path << ": " << out.status();
    EXPECT_EQ(out->result, c.result) << c.path << ": " << out->output;
    EXPECT_EQ(out->output, c.output) << c.path;
  }
  // The loop made exactly ten requests.
  int loops = 0;
  for (const auto& r : server.Requests()) loops += r.starts_with("GET /loop ");
  EXPECT_EQ(loops, 10);
}

TEST(HttpProbeTest, SendsTheKubeletsHeaders) {
  TestServer server;
  server.Route("/h", Reply(200, "ok"));
  struct Case {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string want;
  } cases[] = {
      {{},
       Cat("GET /h HTTP/1.1\r\nHost: 127.0.0.1:", server.port(),
           "\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n\r\n")},
      {{{"Host", "svc.example"}, {"X-Trace", "a"}, {"X-Trace", "b"}},
       "GET /h HTTP/1.1\r\nHost: svc.example\r\nX-Trace: a\r\nX-Trace: b\r\n"
       "User-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n\r\n"},
      {{{"User-Agent", "mine"}, {"Accept", ""}},
       Cat("GET /h HTTP/1.1\r\nHost: 127.0.0.1:", server.port(),
           "\r\nUser-Agent: mine\r\nConnection: close\r\n\r\n")},
      {{{"accept", "text/plain"}},
       Cat("GET /h HTTP/1.1\r\nHost: 127.0.0.1:", server.port(),
           "\r\naccept: text/plain\r\nUser-Agent: kube-probe/1.32\r\nConnection: close\r\n\r\n")},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    HttpGet get;
    get.host = "127.0.0.1";
    get.port = server.port();
    get.path = "/h";
    get.headers = cases[i].headers;
    get.user_agent = "kube-probe/1.32";
    auto out = HttpProbe(get, absl::Seconds(5));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->result, Result::kSuccess);
    ASSERT_EQ(server.Requests().size(), i + 1);
    EXPECT_EQ(server.Requests()[i], cases[i].want);
  }
}

TEST(HttpProbeTest, ConnectionRefusedTimeoutAndBadScheme) {
  TestServer server;  // routes nothing: every request hangs
  int closed = ClosedPort();
  struct Case {
    std::string scheme;
    int port;
    std::string path;
    std::string output;
  } cases[] = {
      {"http", closed, "/healthz",
       Cat("Get \"http://127.0.0.1:", closed, "/healthz\": dial tcp 127.0.0.1:", closed,
           ": connect: connection refused")},
      {"HTTP", server.port(), "",
       Cat("Get \"http://127.0.0.1:", server.port(),
           "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")},
      {"ftp", server.port(), "/",
       Cat("Get \"ftp://127.0.0.1:", server.port(), "/\": unsupported protocol scheme \"ftp\"")},
  };
  for (const auto& c : cases) {
    HttpGet get;
    get.scheme = c.scheme;
    get.host = "127.0.0.1";
    get.port = c.port;
    get.path = c.path;
    absl::Time began = absl::Now();
    auto out = HttpProbe(get, absl::Milliseconds(300));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->result, Result::kFailure);
    EXPECT_EQ(out->output, c.output);
    EXPECT_LT(absl::Now() - began, absl::Seconds(3));
  }
}

TEST(HttpProbeTest, HttpsWithoutVerifyingTheCertificate) {
  TestServer server(/*tls=*/true);
  server.Route("/ok", Reply(200, "secure"));
  server.Route("/down", Reply(503, ""));
  struct Case {
    std::string path;
    Result result;
    std::string output;
  } cases[] = {
      {"/ok", Result::kSuccess, "secure"},
      {"/down", Result::kFailure, "HTTP probe failed with statuscode: 503"},
  };
  for (const auto& c : cases) {
    HttpGet get;
    get.scheme = "HTTPS";
    get.host = "127.0.0.1";
    get.port = server.port();
    get.path = c.path;
    auto out = HttpProbe(get, absl::Seconds(5));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->result, c.result);
    EXPECT_EQ(out->output, c.output);
  }
  // HTTPS against a plain HTTP server fails in the handshake.
  TestServer plain;
  plain.Route("*", Reply(400, ""));
  HttpGet get;
  get.scheme = "https";
  get.host = "127.0.0.1";
  get.port = plain.port();
  auto out = HttpProbe(get, absl::Seconds(5));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->result, Result::kFailure);
  EXPECT_TRUE(out->output.starts_with(Cat("Get \"https://127.0.0.1:", plain.port(), "\": tls: ")))
      << out->output;
}

TEST(TcpProbeTest, ConnectRefusedAndTimeout) {
  base::UniqueFd open = Listen();
  int closed = ClosedPort();
  // A listener whose accept queue is full drops new connection attempts: they time out.
  base::UniqueFd full = Listen(0);
  std::vector<base::UniqueFd> fillers;
  for (int i = 0; i < 8; ++i) {
    base::UniqueFd c(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(PortOf(full.get())));
    ::connect(c.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    pollfd p{c.get(), POLLOUT, 0};
    bool connected = ::poll(&p, 1, 200) > 0;
    fillers.push_back(std::move(c));
    if (!connected) break;
  }
  struct Case {
    int port;
    Result result;
    std::string output;
  } cases[] = {
      {PortOf(open.get()), Result::kSuccess, ""},
      {closed, Result::kFailure,
       Cat("dial tcp 127.0.0.1:", closed, ": connect: connection refused")},
      {PortOf(full.get()), Result::kFailure,
       Cat("dial tcp 127.0.0.1:", PortOf(full.get()), ": i/o timeout")},
  };
  for (const auto& c : cases) {
    Outcome out = TcpProbe("127.0.0.1", c.port, absl::Milliseconds(300));
    EXPECT_EQ(out.result, c.result) << c.port;
    EXPECT_EQ(out.output, c.output);
  }
  Outcome out = TcpProbe("nowhere.invalid", 80, absl::Seconds(5));
  EXPECT_EQ(out.result, Result::kFailure);
  EXPECT_TRUE(out.output.starts_with("dial tcp: lookup nowhere.invalid: ")) << out.output;
}

// Runs nothing: answers Exec by the command's first word.
class ExecRuntime : public runtime::HollowRuntime {
 public:
  ExecRuntime() : HollowRuntime(runtime::HollowRuntimeOptions{"10.0.0.1", "10.1.1"}) {}
  absl::StatusOr<int> Exec(std::string_view id, const std::vector<std::string>& command,
                           const runtime::ExecStreams& streams) override {
    timeouts.push_back(streams.timeout);
    auto put = [](int fd, std::string_view s) { (void)!::write(fd, s.data(), s.size()); };
    if (command[0] == "true") return 0;
    if (command[0] == "talk") {
      put(streams.stderr_fd, "to stderr\n");
      put(streams.stdout_fd, "to stdout\n");
      return 3;
    }
    if (command[0] == "flood") {
      put(streams.stdout_fd, std::string(8000, 'o'));
      put(streams.stderr_fd, std::string(8000, 'e'));
      return 0;
    }
    if (command[0] == "sleep") return absl::DeadlineExceededError("timed out");
    return absl::NotFoundError(Cat("container ", id, " not found"));
  }
  std::vector<absl::Duration> timeouts;
};

TEST(ExecProbeTest, ExitCodesOutputAndTimeouts) {
  ExecRuntime rt;
  struct Case {
    std::vector<std::string> command;
    Result result;
    std::string output;
  } cases[] = {
      {{"true"}, Result::kSuccess, ""},
      {{"talk"}, Result::kFailure, "to stdout\nto stderr\n"},
      {{"flood"}, Result::kSuccess, std::string(8000, 'o') + std::string(2240, 'e')},
      {{"sleep", "10"}, Result::kFailure, "command \"sleep 10\" timed out"},
      {{"sleep", "say \"hi\"\n"},
       Result::kFailure,
       "command \"sleep say \\\"hi\\\"\\n\" timed out"},
  };
  for (const auto& c : cases) {
    auto out = ExecProbe(rt, "c1", c.command, absl::Seconds(2));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->result, c.result) << c.command[0];
    EXPECT_EQ(out->output, c.output) << c.command[0];
  }
  auto gone = ExecProbe(rt, "c1", {"gone"}, absl::Seconds(2));
  EXPECT_TRUE(absl::IsNotFound(gone.status())) << gone.status();
  ASSERT_EQ(rt.timeouts.size(), 6u);
  EXPECT_EQ(rt.timeouts[0], absl::Seconds(2));
}

}  // namespace
}  // namespace skiff::agent::probe
