// HttpClient: client::Client over HTTP for processes outside `skiff server` (remote agents,
// tools). Boost.Beast, synchronous calls, a pool of keep-alive connections, JSON bodies.
// Kubernetes `Status` error bodies come back as absl::Status carrying the same payload
// apiserver/errors.h makes, so client::IsNotFoundError and friends work unchanged.
// Thread-safe: each call borrows its own connection; Watch uses a dedicated one.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/client/client.h"

namespace skiff::client::http {

struct HttpClientOptions {
  std::string server;  // "http://127.0.0.1:6443" (https is not supported yet)
  std::string bearer_token;
  std::string user_agent = "skiff/0.1.0";
  std::string field_manager;  // sent as ?fieldManager= on writes when set
  // Idle keep-alive connections kept for reuse (each holds a server thread).
  size_t max_idle_connections = 16;
  absl::Duration timeout = absl::Seconds(30);  // per request; watches have their own
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  int64_t limit = 0;
  std::string continue_token;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" or "0": current objects first, as ADDED
  int timeout_seconds = 0;       // 0: the server's default
  bool allow_bookmarks = true;
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK
  boost::json::value object;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

class HttpClient : public Client {
 public:
  static absl::StatusOr<std::unique_ptr<HttpClient>> New(HttpClientOptions options);
  ~HttpClient() override;

  absl::StatusOr<json::value> Get(const api::ResourceInfo& r, std::string_view ns,
                                  std::string_view name) override;
  absl::StatusOr<json::value> Create(const api::ResourceInfo& r, std::string_view ns,
                                     json::value obj) override;
  absl::StatusOr<json::value> Update(const api::ResourceInfo& r, json::value obj,
                                     std::string_view subresource = "") override;
  absl::StatusOr<json::value> Patch(const api::ResourceInfo& r, std::string_view ns,
                                    std::string_view name, std::string_view patch_type,
                                    std::string_view patch,
                                    std::string_view subresource = "") override;
  absl::Status Delete(const api::ResourceInfo& r, std::string_view ns, std::string_view name,
                      const DeleteOptions& opts = {}) override;
  absl::Status Bind(std::string_view ns, std::string_view pod, std::string_view uid,
                    std::string_view node) override;

  // A List object (`items` always present).
  absl::StatusOr<json::value> List(const api::ResourceInfo& r, std::string_view ns,
                                   const ListOptions& opts = {});
  // Streams a watch, calling `on_event` for each event, until the server ends the stream
  // (OK), `stop` is requested (Cancelled), the connection fails (Unavailable) or the server
  // sends an ERROR event (its Status as an error: 410 Expired when the resourceVersion is
  // too old).
  absl::Status Watch(const api::ResourceInfo& r, std::string_view ns, const WatchOptions& opts,
                     const std::function<void(WatchEvent)>& on_event, std::stop_token stop);

  // One request; `target` is the path with its query. Any HTTP status is a response.
  absl::StatusOr<HttpResponse> Request(std::string_view method, std::string_view target,
                                       std::string_view content_type = "", std::string body = "");

 private:
  struct Connection;
  explicit HttpClient(HttpClientOptions options, std::string host, std::string port);
  absl::StatusOr<std::unique_ptr<Connection>> Connect();
  absl::StatusOr<json::value> Call(std::string_view method, std::string_view target,
                                   std::string_view content_type, std::string body);
  std::string WriteQuery() const;

  const HttpClientOptions options_;
  const std::string host_, port_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
};

// "/api/v1/namespaces/ns/pods/name/status" and friends (cluster-scoped resources ignore ns).
std::string ResourcePath(const api::ResourceInfo& r, std::string_view ns,
                         std::string_view name = {}, std::string_view subresource = {});
// Percent-encodes a query value.
std::string QueryEscape(std::string_view s);
// The error for a non-2xx response: a Kubernetes Status body keeps its code, reason, message
// and details; any other body becomes the message under the code's standard reason.
absl::Status StatusFromResponse(int http_status, std::string_view body);

}  // namespace skiff::client::http
