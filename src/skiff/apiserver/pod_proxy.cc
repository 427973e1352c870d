#include "skiff/apiserver/pod_proxy.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/apiserver/errors.h"
#include "skiff/base/strings.h"

namespace skiff::apiserver {

namespace json = boost::json;

namespace {

constexpr int kDefaultKubeletPort = 10250;

std::vector<std::string> ContainerNames(const json::value& pod, std::string_view field) {
  std::vector<std::string> names;
  const json::value* list = api::Find(pod, {"spec", field});
  if (list == nullptr || !list->is_array()) return names;
  for (const auto& c : list->as_array()) names.emplace_back(api::GetString(c, {"name"}));
  return names;
}

// Go's %v of a []string: "[a b]".
std::string GoList(const std::vector<std::string>& v) { return "[" + api::Join(v, " ") + "]"; }

// The container the request means, checked as the pod registry does.
absl::StatusOr<std::string> PickContainer(const json::value& pod, const http::Request& req) {
  std::string pod_name(api::GetString(pod, {"metadata", "name"}));
  std::string name(req.Query("container").value_or(""));
  std::vector<std::string> regular = ContainerNames(pod, "containers");
  std::vector<std::string> init = ContainerNames(pod, "initContainers");
  std::vector<std::string> ephemeral = ContainerNames(pod, "ephemeralContainers");
  if (name.empty()) {
    if (regular.size() == 1) return regular[0];
    std::string msg = api::Cat("a container name must be specified for pod ", pod_name,
                               ", choose one of: ", GoList(regular));
    if (!init.empty()) msg += api::Cat(" or one of the init containers: ", GoList(init));
    if (!ephemeral.empty()) {
      msg += api::Cat(" or one of the ephemeral containers: ", GoList(ephemeral));
    }
    return BadRequest(msg);
  }
  for (const auto* names : {&regular, &init, &ephemeral}) {
    for (const auto& n : *names) {
      if (n == name) return name;
    }
  }
  return BadRequest(api::Cat("container ", name, " is not valid for pod ", pod_name));
}

// What the kubelet answers from the container's status before reading any log: the
// container must have a status, --previous needs a terminated attempt, and a container still
// waiting says why.
absl::Status CheckLogStatus(const json::value& pod, const std::string& container, bool previous) {
  std::string pod_name(api::GetString(pod, {"metadata", "name"}));
  const json::value* status = nullptr;
  for (std::string_view list :
       {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"}) {
    const json::value* statuses = api::Find(pod, {"status", list});
    if (statuses == nullptr || !statuses->is_array()) continue;
    for (const auto& s : statuses->as_array()) {
      if (status == nullptr && api::GetString(s, {"name"}) == container) status = &s;
    }
  }
  auto quoted = [](std::string_view s) { return api::Cat("\"", s, "\""); };
  if (status == nullptr) {
    return BadRequest(api::Cat("container ", quoted(container), " in pod ", quoted(pod_name),
                               " is not available"));
  }
  if (previous) {
    if (api::GetString(*status, {"lastState", "terminated", "containerID"}).empty()) {
      return BadRequest(api::Cat("previous terminated container ", quoted(container), " in pod ",
                                 quoted(pod_name), " not found"));
    }
    return absl::OkStatus();
  }
  if (api::Find(*status, {"state", "running"}) != nullptr ||
      api::Find(*status, {"state", "terminated"}) != nullptr) {
    return absl::OkStatus();
  }
  if (const json::value* waiting = api::Find(*status, {"state", "waiting"})) {
    // A restarting container still shows its last attempt.
    if (!api::GetString(*status, {"lastState", "terminated", "containerID"}).empty()) {
      return absl::OkStatus();
    }
    std::string_view reason = api::GetString(*waiting, {"reason"});
    std::string why(reason);
    if (reason == "ErrImagePull") why = "image can't be pulled";
    if (reason == "ImagePullBackOff") why = "trying and failing to pull image";
    return BadRequest(api::Cat("container ", quoted(container), " in pod ", quoted(pod_name),
                               " is waiting to start: ", why));
  }
  return absl::OkStatus();
}

absl::StatusOr<AgentTarget> NodeTarget(const json::value& pod, const json::value* node) {
  std::string pod_name(api::GetString(pod, {"metadata", "name"}));
  std::string node_name(api::GetString(pod, {"spec", "nodeName"}));
  if (node_name.empty()) {
    return BadRequest(api::Cat("pod ", pod_name, " does not have a host assigned"));
  }
  if (node == nullptr) {
    return ApiError(404, "NotFound", api::Cat("nodes \"", node_name, "\" not found"));
  }
  AgentTarget t;
  const json::value* addresses = api::Find(*node, {"status", "addresses"});
  if (addresses != nullptr && addresses->is_array()) {
    for (std::string_view type : {"InternalIP", "Hostname", "ExternalIP"}) {
      for (const auto& a : addresses->as_array()) {
        if (t.host.empty() && api::GetString(a, {"type"}) == type) {
          t.host = std::string(api::GetString(a, {"address"}));
        }
      }
    }
  }
  if (t.host.empty()) {
    return ApiError(500, "InternalError",
                    api::Cat("node ", node_name, " has no address to reach its agent at"));
  }
  t.port = static_cast<int>(
      api::GetInt(*node, {"status", "daemonEndpoints", "kubeletEndpoint", "Port"}));
  if (t.port <= 0) t.port = kDefaultKubeletPort;
  return t;
}

std::string Escape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The request's parameters named in `keep`, in their order, re-encoded.
std::string PassQuery(const http::Request& req, std::initializer_list<std::string_view> keep) {
  std::string q;
  for (const auto& [k, v] : req.query) {
    bool wanted = false;
    for (std::string_view n : keep) wanted = wanted || k == n;
    if (!wanted) continue;
    q += q.empty() ? "?" : "&";
    q += Escape(k) + "=" + Escape(v);
  }
  return q;
}

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

absl::StatusOr<AgentTarget> PodLogTarget(const json::value& pod, const json::value* node,
                                         const http::Request& req) {
  auto container = PickContainer(pod, req);
  if (!container.ok()) return container.status();
  auto t = NodeTarget(pod, node);
  if (!t.ok()) return t.status();
  std::string_view previous = req.Query("previous").value_or("");
  if (auto s = CheckLogStatus(pod, *container, previous == "true" || previous == "1"); !s.ok()) {
    return s;
  }
  t->target = api::Cat("/containerLogs/", api::GetString(pod, {"metadata", "namespace"}), "/",
                       api::GetString(pod, {"metadata", "name"}), "/", *container,
                       PassQuery(req, {"follow", "previous", "sinceSeconds", "sinceTime",
                                       "timestamps", "tailLines", "limitBytes"}));
  return t;
}

absl::StatusOr<AgentTarget> PodExecTarget(const json::value& pod, const json::value* node,
                                          const http::Request& req) {
  // WebSocket (kubectl 1.30 and newer) or SPDY/3.1 (older ones, and newer ones falling back):
  // either passes through to the agent, which negotiates the protocol.
  std::string upgrade = absl::AsciiStrToLower(base::Absl(req.Header("upgrade")));
  if (upgrade != "websocket" && !absl::StrContains(upgrade, "spdy/3.1")) {
    return BadRequest("Upgrade request required");
  }
  auto container = PickContainer(pod, req);
  if (!container.ok()) return container.status();
  auto t = NodeTarget(pod, node);
  if (!t.ok()) return t.status();
  t->target = api::Cat("/exec/", api::GetString(pod, {"metadata", "namespace"}), "/",
                       api::GetString(pod, {"metadata", "name"}), "/", *container,
                       PassQuery(req, {"command", "stdin", "stdout", "stderr", "tty"}));
  return t;
}

void ProxyToAgent(const http::Request& req, http::ResponseWriter& w, const AgentTarget& t) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(t.port);
  int agent = -1;
  std::string why = "no address";
  if (int rc = ::getaddrinfo(t.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    why = gai_strerror(rc);
  } else {
    for (addrinfo* a = res; a != nullptr && agent < 0; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        agent = fd;
      } else {
        why = std::strerror(errno);
        ::close(fd);
      }
    }
    ::freeaddrinfo(res);
  }
  if (agent < 0) {
    auto r = ToStatusResponse(
        ApiError(500, "InternalError",
                 api::Cat("Get \"http://", t.host, ":", t.port, t.target, "\": dial tcp ", t.host,
                          ":", t.port, ": connect: ", why)));
    return w.Send(r.code, "application/json", r.body);
  }
  std::string head = api::Cat("GET ", t.target, " HTTP/1.1\r\nHost: ", t.host, ":", t.port, "\r\n");
  bool upgrade = !req.Header("upgrade").empty();
  if (upgrade) {
    head += "Connection: Upgrade\r\n";
    for (const auto& [k, v] : req.headers) {
      if (k == "upgrade" || k == "x-stream-protocol-version" ||
          absl::StartsWith(base::Absl(k), "sec-websocket-")) {
        head += api::Cat(k, ": ", v, "\r\n");
      }
    }
  } else {
    head += "Connection: close\r\n";
  }
  head += "\r\n";
  int client = w.Hijack();
  if (client < 0) {
    ::close(agent);
    return;
  }
  WriteAll(agent, head);
  // Relay until either side is done; then both go.
  char buf[64 * 1024];
  while (true) {
    pollfd p[2] = {{client, POLLIN, 0}, {agent, POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bool done = false;
    for (int i = 0; i < 2 && !done; ++i) {
      if (p[i].revents == 0) continue;
      int from = i == 0 ? client : agent, to = i == 0 ? agent : client;
      ssize_t n = ::recv(from, buf, sizeof buf, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        done = true;
        break;
      }
      WriteAll(to, std::string_view(buf, static_cast<size_t>(n)));
    }
    if (done) break;
  }
  ::shutdown(client, SHUT_WR);
  ::close(agent);
}

}  // namespace skiff::apiserver
