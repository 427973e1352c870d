#include "skiff/agent/probe/dial.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

#include "skiff/api/text.h"

namespace skiff::agent::probe {

namespace {

// Go's syscall error texts are strerror's, starting in lower case.
std::string ErrnoText(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

struct Address {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET;
};

absl::StatusOr<std::vector<Address>> Resolve(std::string_view host, int port) {
  std::string h(host);
  Address a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.addr);
  if (::inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    a.len = sizeof(sockaddr_in);
    return std::vector<Address>{a};
  }
  if (::inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    a.len = sizeof(sockaddr_in6);
    a.family = AF_INET6;
    return std::vector<Address>{a};
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(h.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    std::string why = rc == EAI_NONAME || rc == EAI_NODATA ? "no such host" : ::gai_strerror(rc);
    return absl::UnavailableError(api::Cat("dial tcp: lookup ", host, ": ", why));
  }
  std::vector<Address> out;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    Address r;
    std::memcpy(&r.addr, ai->ai_addr, ai->ai_addrlen);
    r.len = ai->ai_addrlen;
    r.family = ai->ai_family;
    out.push_back(r);
  }
  ::freeaddrinfo(res);
  return out;
}

std::string AddressText(const Address& a, int port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&a.addr)->sin6_addr, buf,
                sizeof buf);
  } else {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&a.addr)->sin_addr, buf, sizeof buf);
  }
  return JoinHostPort(buf, port);
}

}  // namespace

std::string JoinHostPort(std::string_view host, int port) {
  if (host.find(':') != std::string_view::npos) return api::Cat("[", host, "]:", port);
  return api::Cat(host, ":", port);
}

bool WaitFd(int fd, short events, absl::Time deadline) {
  for (;;) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    pollfd p{fd, events, 0};
    // Round up so that a wait never ends just before the deadline and spins.
    int ms = static_cast<int>(absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))));
    int n = ::poll(&p, 1, ms);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;  // let the caller's I/O report the error
  }
}

absl::StatusOr<base::UniqueFd> Dial(std::string_view host, int port, absl::Time deadline) {
  auto addrs = Resolve(host, port);
  if (!addrs.ok()) return addrs.status();
  absl::Status last = absl::UnavailableError(api::Cat("dial tcp: lookup ", host, ": no such host"));
  for (const Address& a : *addrs) {
    std::string where = api::Cat("dial tcp ", AddressText(a, port), ": ");
    base::UniqueFd fd(::socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.ok()) {
      last = absl::UnavailableError(api::Cat(where, "socket: ", ErrnoText(errno)));
      continue;
    }
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.addr), a.len) == 0) return fd;
    if (errno != EINPROGRESS) {
      last = absl::UnavailableError(api::Cat(where, "connect: ", ErrnoText(errno)));
      continue;
    }
    if (!WaitFd(fd.get(), POLLOUT, deadline)) {
      return absl::DeadlineExceededError(api::Cat(where, "i/o timeout"));
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err == 0) return fd;
    last = absl::UnavailableError(api::Cat(where, "connect: ", ErrnoText(err)));
  }
  return last;
}

}  // namespace skiff::agent::probe
