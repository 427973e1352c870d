#include "skiff/agent/probe/http.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "skiff/agent/probe/dial.h"
#include "skiff/api/text.h"

namespace skiff::agent::probe {

namespace {

// Go's client stops before the 11th request of a redirect chain.
constexpr int kMaxRequests = 10;
constexpr size_t kMaxHeaderBytes = 1 << 20;
constexpr std::string_view kAwaitingHeaders = " (Client.Timeout exceeded while awaiting headers)";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Url {
  std::string scheme;  // lower case
  std::string host;
  int port = 0;
  std::string target;  // path and query as given, "" for none

  // As Go's url.URL String() prints it.
  std::string Text() const { return api::Cat(scheme, "://", JoinHostPort(host, port), target); }
  std::string RequestTarget() const {
    return target.empty() || target[0] == '?' ? api::Cat("/", target) : target;
  }
};

int DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::string StripFragment(std::string_view s) { return std::string(s.substr(0, s.find('#'))); }

// "host", "host:port", "[v6]" or "[v6]:port".
bool ParseAuthority(std::string_view a, std::string_view scheme, Url& u) {
  std::string_view port;
  if (!a.empty() && a[0] == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return false;
    u.host = std::string(a.substr(1, close - 1));
    std::string_view rest = a.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return false;
      port = rest.substr(1);
    }
  } else {
    size_t colon = a.rfind(':');
    u.host = std::string(a.substr(0, colon));
    if (colon != std::string_view::npos) port = a.substr(colon + 1);
  }
  if (u.host.empty()) return false;
  if (port.empty()) {
    u.port = DefaultPort(scheme);
    return true;
  }
  int p = 0;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || p > 65535) return false;
    p = p * 10 + (c - '0');
  }
  u.port = p;
  return p > 0 && p <= 65535;
}

bool HasScheme(std::string_view ref) {
  size_t colon = ref.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(ref[0]))) return false;
  for (char c : ref.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// Resolves a Location header against the URL it answered (RFC 3986, without dot segments).
std::optional<Url> ResolveLocation(const Url& base, std::string_view location) {
  std::string loc = StripFragment(location);
  Url u;
  std::string_view rest = loc;
  if (HasScheme(loc)) {
    size_t colon = loc.find(':');
    u.scheme = Lower(rest.substr(0, colon));
    rest = rest.substr(colon + 1);
    if (!rest.starts_with("//")) return std::nullopt;
  } else {
    u.scheme = base.scheme;
  }
  if (rest.starts_with("//")) {
    rest = rest.substr(2);
    size_t end = rest.find_first_of("/?");
    if (!ParseAuthority(rest.substr(0, end), u.scheme, u)) return std::nullopt;
    u.target = end == std::string_view::npos ? "" : std::string(rest.substr(end));
    return u;
  }
  u.host = base.host;
  u.port = base.port;
  std::string path = base.target.substr(0, base.target.find('?'));
  if (rest.empty()) {
    u.target = base.target;
  } else if (rest[0] == '/') {
    u.target = std::string(rest);
  } else if (rest[0] == '?') {
    u.target = api::Cat(path, rest);
  } else {
    size_t slash = path.rfind('/');
    u.target = api::Cat(slash == std::string::npos ? "/" : path.substr(0, slash + 1), rest);
  }
  return u;
}

std::string OpenSslError(std::string_view fallback) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return std::string(fallback);
  const char* reason = ERR_reason_error_string(e);
  return reason != nullptr ? std::string(reason) : std::string(fallback);
}

SSL_CTX* ClientContext() {
  // Certificates are not verified (the kubelet's InsecureSkipVerify).
  static SSL_CTX* ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    if (c != nullptr) {
      SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
      SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    }
    return c;
  }();
  return ctx;
}

// A connection to the probed server, plain or TLS, every call bounded by a deadline.
class Conn {
 public:
  explicit Conn(base::UniqueFd fd) : fd_(std::move(fd)) {}
  ~Conn() {
    if (ssl_ != nullptr) SSL_free(ssl_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  absl::Status StartTls(const std::string& host, absl::Time deadline) {
    SSL_CTX* ctx = ClientContext();
    if (ctx == nullptr) return absl::InternalError("tls: " + OpenSslError("no TLS context"));
    ssl_ = SSL_new(ctx);
    if (ssl_ == nullptr) return absl::InternalError("tls: " + OpenSslError("SSL_new failed"));
    SSL_set_fd(ssl_, fd_.get());
    in6_addr ip;
    if (::inet_pton(AF_INET, host.c_str(), &ip) != 1 &&
        ::inet_pton(AF_INET6, host.c_str(), &ip) != 1) {
      SSL_set_tlsext_host_name(ssl_, host.c_str());
    }
    auto r = Tls([&] { return SSL_connect(ssl_); }, deadline);
    return r.ok() ? absl::OkStatus() : r.status();
  }

  absl::Status WriteAll(std::string_view data, absl::Time deadline) {
    while (!data.empty()) {
      ssize_t n = 0;
      if (ssl_ != nullptr) {
        auto r = Tls([&] { return SSL_write(ssl_, data.data(), static_cast<int>(data.size())); },
                     deadline);
        if (!r.ok()) return r.status();
        n = *r;
      } else {
        n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK) return Errno("write");
          if (!WaitFd(fd_.get(), POLLOUT, deadline)) return Timeout();
          continue;
        }
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  // Appends what arrives to `out`; false at the end of the stream.
  absl::StatusOr<bool> ReadSome(std::string& out, absl::Time deadline) {
    char buf[16 * 1024];
    for (;;) {
      ssize_t n = 0;
      if (ssl_ != nullptr) {
        bool eof = false;
        auto r = Tls(
            [&] {
              int got = SSL_read(ssl_, buf, sizeof buf);
              if (got <= 0 && SSL_get_error(ssl_, got) == SSL_ERROR_ZERO_RETURN) eof = true;
              return eof ? 1 : got;
            },
            deadline);
        if (!r.ok()) return r.status();
        if (eof) return false;
        n = *r;
      } else {
        n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK) return Errno("read");
          if (!WaitFd(fd_.get(), POLLIN, deadline)) return Timeout();
          continue;
        }
        if (n == 0) return false;
      }
      out.append(buf, static_cast<size_t>(n));
      return true;
    }
  }

 private:
  static absl::Status Timeout() { return absl::DeadlineExceededError("i/o timeout"); }
  absl::Status Errno(std::string_view op) const {
    std::string why = std::strerror(errno);
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return absl::UnavailableError(api::Cat(op, " tcp: ", why));
  }

  // Runs an OpenSSL call until it completes, waiting on the socket for what it asks.
  template <class Op>
  absl::StatusOr<int> Tls(Op op, absl::Time deadline) {
    for (;;) {
      ERR_clear_error();
      int r = op();
      if (r > 0) return r;
      int e = SSL_get_error(ssl_, r);
      short wait = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
      if (wait == 0) {
        if (e == SSL_ERROR_SYSCALL && errno != 0) return Errno("tls");
        return absl::UnavailableError("tls: " + OpenSslError("connection closed"));
      }
      if (!WaitFd(fd_.get(), wait, deadline)) return Timeout();
    }
  }

  base::UniqueFd fd_;
  SSL* ssl_ = nullptr;
};

struct Head {
  int code = 0;
  std::string location;
  bool chunked = false;
  std::optional<size_t> content_length;
};

// Parses the status line and headers (the text before the blank line).
absl::StatusOr<Head> ParseHead(std::string_view text) {
  size_t eol = text.find("\r\n");
  std::string_view status = text.substr(0, eol);
  Head h;
  if (!status.starts_with("HTTP/") || status.size() < 12 || status[8] != ' ' ||
      !std::isdigit(static_cast<unsigned char>(status[9])) ||
      !std::isdigit(static_cast<unsigned char>(status[10])) ||
      !std::isdigit(static_cast<unsigned char>(status[11]))) {
    return absl::UnavailableError(api::Cat("malformed HTTP response \"", status, "\""));
  }
  h.code = (status[9] - '0') * 100 + (status[10] - '0') * 10 + (status[11] - '0');
  std::string_view rest = eol == std::string_view::npos ? "" : text.substr(eol + 2);
  while (!rest.empty()) {
    size_t end = rest.find("\r\n");
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = Lower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (name == "location") {
      h.location = std::string(value);
    } else if (name == "transfer-encoding") {
      h.chunked = Lower(value).find("chunked") != std::string::npos;
    } else if (name == "content-length") {
      h.content_length =
          static_cast<size_t>(std::strtoull(std::string(value).c_str(), nullptr, 10));
    }
  }
  return h;
}

// Decodes as much of a chunked body as `raw` holds; `complete` when the last chunk was seen.
std::string DecodeChunked(std::string_view raw, bool& complete) {
  std::string out;
  complete = false;
  for (;;) {
    size_t eol = raw.find("\r\n");
    if (eol == std::string_view::npos) return out;
    size_t size = std::strtoull(std::string(raw.substr(0, eol)).c_str(), nullptr, 16);
    raw.remove_prefix(eol + 2);
    if (size == 0) {
      complete = true;
      return out;
    }
    out.append(raw.substr(0, size));
    if (raw.size() < size + 2) return out;
    raw.remove_prefix(size + 2);
  }
}

struct Response {
  Head head;
  std::string body;
};

// What went wrong in one exchange, and whether it was before the response headers arrived.
struct ExchangeError {
  absl::Status status;
  bool reading_body = false;
};

std::string RequestText(const Url& url, const HttpGet& get, const std::string& host_header) {
  std::string req =
      api::Cat("GET ", url.RequestTarget(), " HTTP/1.1\r\nHost: ", host_header, "\r\n");
  bool user_agent = false, accept = false;
  for (const auto& [name, value] : get.headers) {
    std::string lower = Lower(name);
    if (lower == "host") continue;
    if (lower == "user-agent") user_agent = true;
    if (lower == "accept") {
      accept = true;
      if (value.empty()) continue;
    }
    api::AppendCat(&req, name, ": ", value, "\r\n");
  }
  if (!user_agent) api::AppendCat(&req, "User-Agent: ", get.user_agent, "\r\n");
  if (!accept) req += "Accept: */*\r\n";
  req += "Connection: close\r\n\r\n";
  return req;
}

absl::StatusOr<Response> Exchange(const Url& url, const HttpGet& get,
                                  const std::string& host_header, absl::Time deadline,
                                  bool& reading_body) {
  reading_body = false;
  auto fd = Dial(url.host, url.port, deadline);
  if (!fd.ok()) return fd.status();
  Conn conn(std::move(*fd));
  if (url.scheme == "https") {
    if (absl::Status s = conn.StartTls(url.host, deadline); !s.ok()) return s;
  }
  if (absl::Status s = conn.WriteAll(RequestText(url, get, host_header), deadline); !s.ok()) {
    return s;
  }
  std::string buf;
  Response r;
  for (;;) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (buf.size() > kMaxHeaderBytes) {
        return absl::UnavailableError(
            "net/http: server response headers exceeded 1048576 bytes; aborted");
      }
      auto more = conn.ReadSome(buf, deadline);
      if (!more.ok()) return more.status();
      if (!*more) return absl::UnavailableError(buf.empty() ? "EOF" : "unexpected EOF");
    }
    auto head = ParseHead(std::string_view(buf).substr(0, end));
    if (!head.ok()) return head.status();
    buf.erase(0, end + 4);
    r.head = std::move(*head);
    // Interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (r.head.code >= 100 && r.head.code < 200 && r.head.code != 101) continue;
    break;
  }
  reading_body = true;
  int code = r.head.code;
  if (code == 204 || code == 304 || (code >= 100 && code < 200)) return r;
  for (;;) {
    bool complete = false;
    if (r.head.chunked) {
      r.body = DecodeChunked(buf, complete);
    } else {
      r.body = buf;
      complete = r.head.content_length && buf.size() >= *r.head.content_length;
    }
    if (complete || r.body.size() >= kMaxOutputBytes) break;
    auto more = conn.ReadSome(buf, deadline);
    if (!more.ok()) return more.status();
    if (!*more) {
      if (r.head.chunked || r.head.content_length) return absl::UnavailableError("unexpected EOF");
      break;
    }
  }
  if (r.head.content_length && r.body.size() > *r.head.content_length) {
    r.body.resize(*r.head.content_length);
  }
  if (r.body.size() > kMaxOutputBytes) r.body.resize(kMaxOutputBytes);
  return r;
}

bool IsRedirect(int code) {
  return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

bool ValidHeaderText(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos;
}

}  // namespace

absl::StatusOr<Outcome> HttpProbe(const HttpGet& get, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  Url url;
  url.scheme = Lower(get.scheme);
  url.host = get.host;
  url.port = get.port;
  url.target = StripFragment(get.path);
  if (!url.target.empty() && url.target[0] != '/' && url.target[0] != '?') {
    url.target = "/" + url.target;
  }
  auto fail = [](std::string_view where, std::string_view why) {
    return Outcome{Result::kFailure, api::Cat("Get \"", where, "\": ", why)};
  };
  if (url.scheme != "http" && url.scheme != "https") {
    return fail(url.Text(), api::Cat("unsupported protocol scheme \"", url.scheme, "\""));
  }
  std::string custom_host;
  for (const auto& [name, value] : get.headers) {
    if (!ValidHeaderText(name) || !ValidHeaderText(value)) {
      return fail(url.Text(), api::Cat("net/http: invalid header field for \"", name, "\""));
    }
    if (custom_host.empty() && Lower(name) == "host") custom_host = value;
  }
  const std::string first_host = url.host;
  for (int requests = 1;; ++requests) {
    std::string host_header = custom_host.empty() ? JoinHostPort(url.host, url.port) : custom_host;
    bool reading_body = false;
    auto resp = Exchange(url, get, host_header, deadline, reading_body);
    if (!resp.ok()) {
      std::string msg(resp.status().message());
      if (absl::IsDeadlineExceeded(resp.status())) {
        if (reading_body) {
          return absl::DeadlineExceededError(
              "context deadline exceeded (Client.Timeout or context cancellation while reading "
              "body)");
        }
        // A dial that timed out says so; later phases report the client's deadline.
        std::string why = msg.starts_with("dial tcp")
                              ? api::Cat(msg, kAwaitingHeaders)
                              : api::Cat("context deadline exceeded", kAwaitingHeaders);
        return fail(url.Text(), why);
      }
      if (reading_body) return absl::UnavailableError(msg);
      return fail(url.Text(), msg);
    }
    const Head& head = resp->head;
    if (IsRedirect(head.code) && !head.location.empty()) {
      std::optional<Url> next = ResolveLocation(url, head.location);
      if (!next) {
        return fail(url.Text(),
                    api::Cat("failed to parse Location header \"", head.location, "\""));
      }
      // Only redirects to the same host are followed; any other ends the probe here.
      if (next->host == first_host) {
        if (requests >= kMaxRequests) return fail(head.location, "stopped after 10 redirects");
        // A Host header given by the probe survives only relative redirects.
        if (HasScheme(head.location) || head.location.starts_with("//")) custom_host.clear();
        url = std::move(*next);
        continue;
      }
    }
    int code = head.code;
    if (code >= 200 && code < 400) {
      if (code >= 300) {
        return Outcome{Result::kWarning,
                       api::Cat("Probe terminated redirects, Response body: ", resp->body)};
      }
      return Outcome{Result::kSuccess, std::move(resp->body)};
    }
    return Outcome{Result::kFailure, api::Cat("HTTP probe failed with statuscode: ", code)};
  }
}

}  // namespace skiff::agent::probe
