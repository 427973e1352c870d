// A small HTTP/1.1 server for the API: one thread per connection, keep-alive, chunked
// streaming for watches and logs. Boost.Beast stays inside http_server.cc so the rest of the
// API server compiles without it. Handlers run on the connection's thread and may block.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace skiff::apiserver::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;     // "GET", "POST", ...
  std::string path;       // percent-decoded path, e.g. "/api/v1/namespaces/default/pods"
  std::string raw_query;  // as received, without '?'
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;                                         // names lowercased
  std::string body;
  std::string remote;  // "127.0.0.1:54321"

  // Empty when absent. Names are matched case-insensitively (pass lowercase).
  std::string_view Header(std::string_view lower_name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
};

// How a handler answers: either one complete response, or a chunked stream.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  virtual void Send(int status, std::string_view content_type, std::string body,
                    const Headers& extra = {}) = 0;
  // Sends the concatenation of `parts` as one body without copying them; they must stay valid
  // for the call. Large lists go out this way.
  virtual void SendParts(int status, std::string_view content_type,
                         const std::vector<std::string_view>& parts, const Headers& extra = {}) {
    std::string body;
    for (std::string_view p : parts) body.append(p);
    Send(status, content_type, std::move(body), extra);
  }
  virtual bool BeginStream(int status, std::string_view content_type,
                           const Headers& extra = {}) = 0;
  // False once the client has gone away; the handler should then return.
  virtual bool WriteChunk(std::string_view data) = 0;
  virtual void EndStream() = 0;
  // True when the peer has closed its side (checked without blocking).
  virtual bool PeerClosed() = 0;
  // The connection's socket, for a writer that serves many streams itself (watches); -1 when
  // there is none. Whoever writes to it must keep to HTTP chunk framing.
  virtual int NativeHandle() { return -1; }
  // Takes the connection over (WebSocket and other upgrades, proxies): returns its socket,
  // which the handler then reads and writes itself until it returns; the server closes it
  // afterwards and answers nothing. -1 when there is no socket. The request was read whole;
  // a client that sends more before the handler answers (upgrading clients wait) may have its
  // first bytes buffered out of reach.
  virtual int Hijack() { return -1; }
};

using Handler = std::function<void(const Request&, ResponseWriter&)>;

struct HttpServerOptions {
  std::string bind = "127.0.0.1";
  int port = 6443;  // 0 picks a free port
  // Kubernetes refuses request bodies above 3 MiB with 413.
  size_t max_body_bytes = 3 * 1024 * 1024;
};

class HttpServer {
 public:
  explicit HttpServer(Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  absl::Status Start(const HttpServerOptions& options);
  int port() const;
  // Stops accepting, shuts every connection down and joins their threads.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-decodes a URL component ('+' stays '+', as Go's PathUnescape; query values also
// decode '+' as space when `plus_as_space`).
std::string PercentDecode(std::string_view s, bool plus_as_space);

}  // namespace skiff::apiserver::http
