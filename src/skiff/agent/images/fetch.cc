#include "skiff/agent/images/fetch.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url.hpp>
#include <optional>

#include "skiff/api/text.h"
#include "skiff/base/strings.h"

namespace skiff::agent::images {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace urls = boost::urls;

namespace {

// Go's client stops before the 11th request of a redirect chain.
constexpr int kMaxRedirects = 10;
// Error and redirect bodies worth reading when the real body goes to a file.
constexpr int64_t kMaxErrorBody = 1 << 20;
// Storage services answer with long headers at times; Go allows 1 MiB.
constexpr uint32_t kMaxHeaderBytes = 1 << 20;

struct Target {
  std::string scheme;     // "http" or "https"
  std::string host;       // without brackets: "::1", "registry-1.docker.io"
  std::string port;       // "443"
  std::string authority;  // the Host header: "[::1]:5000", "registry-1.docker.io"
  std::string path;       // the request target: "/v2/"
};

absl::StatusOr<Target> ParseTarget(const std::string& url) {
  auto parsed = urls::parse_uri(url);
  if (!parsed) return absl::InvalidArgumentError(api::Cat("invalid URL \"", url, "\""));
  urls::url_view u = *parsed;
  Target t;
  t.scheme = api::ToLowerAscii(std::string_view(u.scheme().data(), u.scheme().size()));
  if (t.scheme != "http" && t.scheme != "https") {
    return absl::InvalidArgumentError(api::Cat("unsupported protocol scheme \"", t.scheme, "\""));
  }
  t.host = std::string(u.host_address());
  if (t.host.empty()) return absl::InvalidArgumentError(api::Cat("no host in URL \"", url, "\""));
  t.port = u.has_port() ? std::string(u.port()) : t.scheme == "https" ? "443" : "80";
  auto authority = u.encoded_host_and_port();
  t.authority = std::string(authority.data(), authority.size());
  auto target = u.encoded_target();
  t.path = target.empty() ? "/" : std::string(target.data(), target.size());
  if (t.path[0] == '?') t.path = "/" + t.path;
  return t;
}

// `location` resolved against the URL that answered with it.
absl::StatusOr<std::string> ResolveLocation(const std::string& base, std::string_view location) {
  auto b = urls::parse_uri(base);
  auto ref = urls::parse_uri_reference(urls::string_view(location.data(), location.size()));
  if (!b || !ref)
    return absl::InvalidArgumentError(api::Cat("invalid redirect \"", location, "\""));
  urls::url out;
  if (!urls::resolve(*b, *ref, out)) {
    return absl::InvalidArgumentError(api::Cat("invalid redirect \"", location, "\""));
  }
  out.remove_fragment();
  return std::string(out.buffer());
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string EndpointText(const asio::ip::tcp::endpoint& e) {
  std::string address = e.address().to_string();
  if (e.address().is_v6()) return api::Cat("[", address, "]:", e.port());
  return api::Cat(address, ":", e.port());
}

// The system's text for a socket or TLS error, as Go prints syscall errors (lower case).
std::string ErrorText(const beast::error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ::ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason != nullptr) return reason;
  }
  if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof) return "EOF";
  return Lower(ec.message());
}

// Runs one asynchronous operation on `io`, which only this call drives, to completion. Timeouts
// come from the stream's expiry (beast::tcp_stream), so the wait is bounded.
template <typename Start>
beast::error_code Await(asio::io_context& io, Start&& start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

// "127.0.0.1, localhost": what a certificate is valid for (its subjectAltName).
std::string CertificateNames(X509* cert) {
  if (cert == nullptr) return "";
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
    if (n->type == GEN_DNS) {
      const unsigned char* d = ASN1_STRING_get0_data(n->d.dNSName);
      names.emplace_back(reinterpret_cast<const char*>(d), ASN1_STRING_length(n->d.dNSName));
    } else if (n->type == GEN_IPADD) {
      char buf[INET6_ADDRSTRLEN] = {};
      int len = ASN1_STRING_length(n->d.iPAddress);
      const unsigned char* d = ASN1_STRING_get0_data(n->d.iPAddress);
      if (len == 4 || len == 16) {
        ::inet_ntop(len == 4 ? AF_INET : AF_INET6, d, buf, sizeof buf);
        names.emplace_back(buf);
      }
    }
  }
  GENERAL_NAMES_free(sans);
  return api::Join(names, ", ");
}

// A failed certificate check in Go's crypto/x509 words; `names` are those of the certificate
// that failed.
std::string VerifyErrorText(long result, const std::string& names, const std::string& host) {
  switch (result) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return "x509: certificate signed by unknown authority";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: {
      if (names.empty()) {
        return "x509: certificate relies on legacy Common Name field, use SANs instead";
      }
      return api::Cat("x509: certificate is valid for ", names, ", not ", host);
    }
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "x509: certificate has expired or is not yet valid";
    default:
      return api::Cat("x509: ", X509_verify_cert_error_string(result));
  }
}

// A TLS handshake that failed because the other end does not speak TLS: it answered with
// something else (an HTTP error page) or hung up.
bool NotTls(const beast::error_code& ec) {
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::ssl::error::stream_truncated) {
    return true;
  }
  if (ec.category() != asio::error::get_ssl_category()) return false;
  int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
         reason == SSL_R_HTTP_REQUEST || reason == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string StatusText(int status) {
  std::string_view reason =
      http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
  return api::Cat(status, " ", reason);
}

template <typename Message>
void FillHeaders(const Message& m, FetchResponse& out) {
  out.status = static_cast<int>(m.result_int());
  out.status_text = StatusText(out.status);
  out.content_type = std::string(m[http::field::content_type]);
  out.docker_content_digest = std::string(m["Docker-Content-Digest"]);
  out.www_authenticate.clear();
  for (const auto& field : m) {
    if (field.name() == http::field::www_authenticate) {
      out.www_authenticate.emplace_back(field.value());
    }
  }
}

// One connection: connect, handshake, send, read. Errors carry no URL; Get adds it.
class Exchange {
 public:
  Exchange(const FetchOptions& options, asio::ssl::context& tls)
      : options_(options), tls_context_(tls) {}

  absl::Status Connect(const Target& t) {
    asio::ip::tcp::resolver resolver(io_);
    beast::error_code ec;
    auto endpoints = resolver.resolve(t.host, t.port, ec);
    if (ec) {
      std::string why = ErrorText(ec);
      if (ec == asio::error::host_not_found) why = "no such host";
      if (ec == asio::error::host_not_found_try_again) why = "temporary failure in name resolution";
      return absl::UnavailableError(api::Cat("dial tcp: lookup ", t.host, ": ", why));
    }
    auto deadline =
        std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(options_.connect_timeout);
    absl::Status last =
        absl::UnavailableError(api::Cat("dial tcp: lookup ", t.host, ": no such host"));
    for (const auto& entry : endpoints) {
      tcp_.close();
      tcp_.expires_at(deadline);
      ec = Await(io_,
                 [&](auto handler) { tcp_.async_connect(entry.endpoint(), std::move(handler)); });
      if (!ec) return absl::OkStatus();
      std::string where = api::Cat("dial tcp ", EndpointText(entry.endpoint()), ": ");
      if (ec == beast::error::timeout) return absl::DeadlineExceededError(where + "i/o timeout");
      last = absl::UnavailableError(api::Cat(where, "connect: ", ErrorText(ec)));
    }
    return last;
  }

  // Starts TLS over the connection, checking the certificate against `host`.
  absl::Status Handshake(const std::string& host, bool* not_tls = nullptr) {
    tls_.emplace(std::move(tcp_), tls_context_);
    SSL* ssl = tls_->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (IsIpLiteral(host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, host.c_str());
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    tls_->set_verify_mode(asio::ssl::verify_peer);
    // The names of a certificate that fails the check, for the error: OpenSSL keeps no peer
    // certificate after a failed handshake.
    tls_->set_verify_callback([this](bool ok, asio::ssl::verify_context& ctx) {
      if (!ok) {
        failed_names_ = CertificateNames(X509_STORE_CTX_get_current_cert(ctx.native_handle()));
      }
      return ok;
    });
    beast::get_lowest_layer(*tls_).expires_after(absl::ToChronoNanoseconds(options_.read_timeout));
    beast::error_code ec = Await(io_, [&](auto handler) {
      tls_->async_handshake(asio::ssl::stream_base::client, std::move(handler));
    });
    if (!ec) return absl::OkStatus();
    if (ec == beast::error::timeout) {
      return absl::DeadlineExceededError("net/http: TLS handshake timeout");
    }
    if (long v = SSL_get_verify_result(ssl); v != X509_V_OK) {
      return absl::UnavailableError(
          api::Cat("tls: failed to verify certificate: ", VerifyErrorText(v, failed_names_, host)));
    }
    if (not_tls != nullptr) *not_tls = NotTls(ec);
    return absl::UnavailableError(api::Cat("tls: ", ErrorText(ec)));
  }

  // Sends the request and reads the answer into `out`; the Location of a redirect, if any.
  absl::StatusOr<std::string> Transfer(const Target& t, const FetchRequest& req,
                                       FetchResponse& out) {
    if (tls_) return TransferOn(*tls_, t, req, out);
    return TransferOn(tcp_, t, req, out);
  }

 private:
  template <typename Stream>
  absl::StatusOr<std::string> TransferOn(Stream& stream, const Target& t, const FetchRequest& req,
                                         FetchResponse& out) {
    auto timeout = absl::ToChronoNanoseconds(options_.read_timeout);
    auto& lowest = beast::get_lowest_layer(stream);
    http::request<http::empty_body> msg(http::verb::get, t.path, 11);
    msg.set(http::field::host, t.authority);
    msg.set(http::field::user_agent, "skiff/0.1.0");
    msg.set(http::field::connection, "close");
    for (const auto& [name, value] : req.headers) msg.set(name, value);
    lowest.expires_after(timeout);
    beast::error_code ec =
        Await(io_, [&](auto handler) { http::async_write(stream, msg, std::move(handler)); });
    if (ec == beast::error::timeout) return absl::DeadlineExceededError("write: i/o timeout");
    if (ec) return absl::UnavailableError(api::Cat("write: ", ErrorText(ec)));

    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> head;
    head.header_limit(kMaxHeaderBytes);
    lowest.expires_after(timeout);
    ec = Await(io_, [&](auto handler) {
      http::async_read_header(stream, buffer, head, std::move(handler));
    });
    if (ec == beast::error::timeout) {
      return absl::DeadlineExceededError("net/http: timeout awaiting response headers");
    }
    if (ec) return absl::UnavailableError(api::Cat("read response headers: ", ErrorText(ec)));
    FillHeaders(head.get(), out);
    if (IsRedirect(out.status)) return std::string(head.get()[http::field::location]);

    if (!req.body_file.empty() && out.status == 200) {
      http::response_parser<http::file_body> parser(std::move(head));
      if (req.max_body >= 0) {
        parser.body_limit(static_cast<uint64_t>(req.max_body));
      } else {
        parser.body_limit(boost::none);
      }
      parser.get().body().open(req.body_file.c_str(), beast::file_mode::write, ec);
      if (ec) return absl::InternalError(api::Cat("create ", req.body_file, ": ", ErrorText(ec)));
      if (auto s = ReadBody(stream, buffer, parser, req.max_body); !s.ok()) return s;
      return std::string();
    }
    http::response_parser<http::string_body> parser(std::move(head));
    int64_t limit = req.body_file.empty() ? req.max_body : kMaxErrorBody;
    if (limit >= 0) {
      parser.body_limit(static_cast<uint64_t>(limit));
    } else {
      parser.body_limit(boost::none);
    }
    if (auto s = ReadBody(stream, buffer, parser, limit); !s.ok()) return s;
    out.body = std::move(parser.get().body());
    return std::string();
  }

  // Reads piece by piece so that the timeout bounds each wait, not the whole download.
  template <typename Stream, typename Parser>
  absl::Status ReadBody(Stream& stream, beast::flat_buffer& buffer, Parser& parser, int64_t limit) {
    auto timeout = absl::ToChronoNanoseconds(options_.read_timeout);
    while (!parser.is_done()) {
      beast::get_lowest_layer(stream).expires_after(timeout);
      beast::error_code ec = Await(io_, [&](auto handler) {
        http::async_read_some(stream, buffer, parser, std::move(handler));
      });
      if (ec == beast::error::timeout) {
        return absl::DeadlineExceededError("read body: i/o timeout");
      }
      if (ec == http::error::body_limit) {
        return absl::DataLossError(api::Cat("body is longer than ", limit, " bytes"));
      }
      if (ec) return absl::DataLossError(api::Cat("read body: ", ErrorText(ec)));
    }
    return absl::OkStatus();
  }

  const FetchOptions& options_;
  asio::ssl::context& tls_context_;
  asio::io_context io_;
  beast::tcp_stream tcp_{io_};
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  std::string failed_names_;  // of the certificate the handshake turned down
};

}  // namespace

struct Fetcher::Tls {
  asio::ssl::context context{asio::ssl::context::tls_client};
};

Fetcher::Fetcher(FetchOptions options, std::unique_ptr<Tls> tls)
    : options_(std::move(options)), tls_(std::move(tls)) {}

Fetcher::~Fetcher() = default;

absl::StatusOr<std::unique_ptr<Fetcher>> Fetcher::Create(FetchOptions options) {
  auto tls = std::make_unique<Tls>();
  SSL_CTX_set_min_proto_version(tls->context.native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  tls->context.set_default_verify_paths(ec);
  if (::access("/etc/ssl/certs", R_OK) == 0) tls->context.add_verify_path("/etc/ssl/certs", ec);
  for (const std::string& file : options.ca_files) {
    if (::access(file.c_str(), R_OK) != 0) {
      return absl::InvalidArgumentError(
          api::Cat("CA file ", file, ": ", Lower(std::strerror(errno))));
    }
    tls->context.load_verify_file(file, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          api::Cat("CA file ", file, ": no PEM certificates (", ErrorText(ec), ")"));
    }
  }
  return std::unique_ptr<Fetcher>(new Fetcher(std::move(options), std::move(tls)));
}

absl::StatusOr<FetchResponse> Fetcher::Get(FetchRequest request) const {
  FetchResponse out;
  std::string url = request.url;
  for (int redirects = 0;; ++redirects) {
    auto target = ParseTarget(url);
    if (!target.ok()) return target.status();
    auto fail = [&](const absl::Status& s) {
      return absl::Status(s.code(), api::Cat("Get \"", url, "\": ", base::Std(s.message())));
    };
    Exchange exchange(options_, tls_->context);
    if (auto s = exchange.Connect(*target); !s.ok()) return fail(s);
    if (target->scheme == "https") {
      if (auto s = exchange.Handshake(target->host); !s.ok()) return fail(s);
    }
    auto location = exchange.Transfer(*target, request, out);
    if (!location.ok()) {
      if (!request.body_file.empty()) ::unlink(request.body_file.c_str());
      return fail(location.status());
    }
    out.url = url;
    if (!IsRedirect(out.status) || location->empty()) return out;
    if (redirects == kMaxRedirects)
      return fail(absl::UnavailableError("stopped after 10 redirects"));
    auto next = ResolveLocation(url, *location);
    if (!next.ok()) return fail(next.status());
    auto next_target = ParseTarget(*next);
    if (!next_target.ok()) return fail(next_target.status());
    if (next_target->authority != target->authority || next_target->scheme != target->scheme) {
      // Credentials are for the registry, not for the storage it sends blobs to.
      std::erase_if(request.headers,
                    [](const auto& h) { return api::ToLowerAscii(h.first) == "authorization"; });
    }
    url = std::move(*next);
  }
}

absl::StatusOr<bool> Fetcher::SpeaksTls(std::string_view authority) const {
  std::string url = api::Cat("https://", authority, "/");
  auto target = ParseTarget(url);
  if (!target.ok()) return target.status();
  Exchange exchange(options_, tls_->context);
  if (auto s = exchange.Connect(*target); !s.ok()) {
    return absl::Status(s.code(), api::Cat("Get \"", url, "\": ", base::Std(s.message())));
  }
  bool not_tls = false;
  absl::Status s = exchange.Handshake(target->host, &not_tls);
  if (absl::IsDeadlineExceeded(s)) {
    return absl::DeadlineExceededError(api::Cat("Get \"", url, "\": ", base::Std(s.message())));
  }
  return !not_tls;
}

}  // namespace skiff::agent::images
