// HTTP/1.1 GETs over TCP or TLS for the registry client, one connection per request. TLS
// verifies the server's certificate against the system store (/etc/ssl/certs, Debian's
// ca-certificates) and any extra CA files, with the host name (or IP address) checked. Every
// connect and every read waits at most a timeout, so an unreachable or silent server fails
// the call instead of hanging it. Redirects are followed; an Authorization header does not
// follow one to another host. Errors read as Go's net/http words them (`Get "https://...":
// dial tcp 10.0.0.1:443: i/o timeout`, `... tls: failed to verify certificate: x509: ...`).
// A Fetcher may be used from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace skiff::agent::images {

struct FetchOptions {
  // PEM files of certificate authorities to trust beside the system's.
  std::vector<std::string> ca_files;
  // Longest wait for a TCP connection (all of a name's addresses together).
  absl::Duration connect_timeout = absl::Seconds(10);
  // Longest wait for the TLS handshake, the response headers, or any next piece of the body:
  // a slow download goes on as long as bytes keep coming.
  absl::Duration read_timeout = absl::Seconds(30);
};

struct FetchRequest {
  std::string url;  // "https://host[:port]/path?query"
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, a 200 response's body is written to this file instead of `body`.
  std::string body_file;
  // A longer body fails the request (DataLoss); -1 for no limit.
  int64_t max_body = 4 << 20;
};

struct FetchResponse {
  int status = 0;
  std::string status_text;  // "404 Not Found"
  std::string url;          // the one that answered, after redirects
  std::string content_type;
  std::string docker_content_digest;
  std::vector<std::string> www_authenticate;  // every WWW-Authenticate value
  std::string body;                           // unless a 200 body went to the request's file
};

class Fetcher {
 public:
  // InvalidArgument when a CA file cannot be read.
  static absl::StatusOr<std::unique_ptr<Fetcher>> Create(FetchOptions options);
  ~Fetcher();

  // Errors: Unavailable (connection, TLS), DeadlineExceeded (a timeout), DataLoss (a body over
  // its limit, a broken transfer), InvalidArgument (an unusable URL), Internal (the file).
  absl::StatusOr<FetchResponse> Get(FetchRequest request) const;

  // Whether the server at `authority` ("127.0.0.1:5000") answers a TLS handshake (true, even
  // when its certificate is not trusted) or speaks something else such as plain HTTP (false).
  // Errors when it cannot be reached.
  absl::StatusOr<bool> SpeaksTls(std::string_view authority) const;

 private:
  struct Tls;  // the OpenSSL context, kept out of this header
  Fetcher(FetchOptions options, std::unique_ptr<Tls> tls);

  const FetchOptions options_;
  const std::unique_ptr<Tls> tls_;
};

}  // namespace skiff::agent::images
