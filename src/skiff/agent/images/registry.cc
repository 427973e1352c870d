#include "skiff/agent/images/registry.h"

#include <sys/utsname.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/reference.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"
#include "skiff/base/random.h"

namespace skiff::agent::images {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

constexpr std::string_view kAccept =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

std::string Architecture() {
  utsname u;
  ::uname(&u);
  std::string_view m = u.machine;
  return m == "x86_64" ? "amd64" : m == "aarch64" ? "arm64" : std::string(m);
}

struct Endpoint {
  std::string host;  // for the Host header
  std::string address;
  std::string port;
};

Endpoint EndpointOf(std::string_view domain) {
  Endpoint e;
  e.host = std::string(domain);
  std::string_view host = domain, port = "80";
  if (domain.starts_with("[")) {
    size_t close = domain.find(']');
    host = domain.substr(1, close - 1);
    if (close + 1 < domain.size() && domain[close + 1] == ':') port = domain.substr(close + 2);
  } else if (size_t colon = domain.rfind(':'); colon != std::string_view::npos) {
    host = domain.substr(0, colon);
    port = domain.substr(colon + 1);
  }
  e.address = host == "localhost" ? "127.0.0.1" : std::string(host);
  e.port = std::string(port);
  return e;
}

// One GET; the body goes to `file` when given (blobs), else into `body`.
struct Response {
  int status = 0;
  std::string content_type;
  std::string location;
  std::string body;
};

absl::StatusOr<Response> Get(const Endpoint& ep, const std::string& target, std::string_view accept,
                             const std::string& file, absl::Duration timeout) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    asio::ip::tcp::resolver resolver(io);
    stream.expires_after(absl::ToChronoSeconds(timeout));
    stream.connect(resolver.resolve(ep.address, ep.port));
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, ep.host);
    req.set(http::field::user_agent, "skiff/0.1.0");
    if (!accept.empty()) req.set(http::field::accept, std::string(accept));
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> string_parser;
    Response out;
    auto fill = [&](const auto& msg) {
      out.status = static_cast<int>(msg.result_int());
      out.content_type = std::string(msg[http::field::content_type]);
      out.location = std::string(msg[http::field::location]);
    };
    if (!file.empty()) {
      // Only a successful answer is written to the file; errors are small and read as text.
      http::response_parser<http::empty_body> head;
      http::read_header(stream, buffer, head);
      int code = static_cast<int>(head.get().result_int());
      if (code != 200) {
        http::response_parser<http::string_body> rest(std::move(head));
        rest.body_limit(1 << 20);
        http::read(stream, buffer, rest);
        fill(rest.get());
        out.body = rest.get().body();
        return out;
      }
      http::response_parser<http::file_body> body(std::move(head));
      body.body_limit(boost::none);
      beast::error_code ec;
      body.get().body().open(file.c_str(), beast::file_mode::write, ec);
      if (ec) return absl::InternalError(api::Cat("create ", file, ": ", ec.message()));
      http::read(stream, buffer, body);
      fill(body.get());
      return out;
    }
    string_parser.body_limit(16 << 20);
    http::read(stream, buffer, string_parser);
    fill(string_parser.get());
    out.body = string_parser.get().body();
    return out;
  } catch (const std::exception& e) {
    return absl::UnavailableError(api::Cat("registry ", ep.host, ": GET ", target, ": ", e.what()));
  }
}

absl::Status RegistryError(const Response& r, std::string_view what) {
  std::string msg = api::Cat(what, ": registry answered ", r.status, " ", api::TrimAscii(r.body));
  if (r.status == 404) return absl::NotFoundError(msg);
  if (r.status == 401 || r.status == 403) return absl::PermissionDeniedError(msg);
  return absl::UnavailableError(msg);
}

}  // namespace

bool IsLoopbackRegistry(std::string_view domain) {
  std::string address = EndpointOf(domain).address;
  return address.starts_with("127.") || address == "::1";
}

absl::StatusOr<Image> Pull(ImageStore& store, std::string_view ref_text,
                           const PullOptions& options) {
  auto ref = ParseReference(ref_text);
  if (!ref.ok()) return ref.status();
  if (!IsLoopbackRegistry(ref->domain)) {
    return absl::UnimplementedError(
        api::Cat("cannot pull ", ref->String(),
                 ": only plain-HTTP registries on this machine (127.0.0.1, "
                 "localhost) are supported so far"));
  }
  Endpoint ep = EndpointOf(ref->domain);
  std::string base = api::Cat("/v2/", ref->path);

  // The manifest, narrowed through image indexes to this platform.
  std::string want = ref->digest.empty() ? ref->tag : ref->digest;
  std::string manifest_digest;
  for (int depth = 0;; ++depth) {
    if (depth > 3) return absl::InvalidArgumentError("image indexes nested too deep");
    auto r = Get(ep, api::Cat(base, "/manifests/", want), kAccept, "", options.timeout);
    if (!r.ok()) return r.status();
    if (r->status != 200) return RegistryError(*r, api::Cat("manifest ", ref->Name(), ":", want));
    std::string digest = DigestOf(r->body);
    if (IsDigest(want) && digest != want) {
      return absl::DataLossError(api::Cat("manifest ", want, " arrived with content ", digest));
    }
    boost::system::error_code ec;
    json::value m = json::parse(r->body, ec);
    if (ec) return absl::DataLossError(api::Cat("manifest ", digest, " is not JSON"));
    std::string media(api::GetString(m, {"mediaType"}));
    if (media.empty()) media = r->content_type;
    if (media.find("index") == std::string::npos && media.find("list") == std::string::npos) {
      auto stored = store.PutBlob(r->body);
      if (!stored.ok()) return stored.status();
      manifest_digest = *stored;
      break;
    }
    want.clear();
    if (const json::array* list = api::GetArray(m, {"manifests"})) {
      for (const json::value& d : *list) {
        if (api::GetString(d, {"platform", "os"}) == "linux" &&
            api::GetString(d, {"platform", "architecture"}) == Architecture()) {
          want = api::GetString(d, {"digest"});
          break;
        }
      }
    }
    if (!IsDigest(want)) {
      return absl::NotFoundError(
          api::Cat(ref->String(), " has no image for linux/", Architecture()));
    }
  }

  // Config and layers, each verified as it lands.
  auto manifest = json::parse(*base::ReadFile(store.BlobPath(manifest_digest)));
  std::vector<std::string> blobs = {std::string(api::GetString(manifest, {"config", "digest"}))};
  if (const json::array* layers = api::GetArray(manifest, {"layers"})) {
    for (const json::value& l : *layers) blobs.emplace_back(api::GetString(l, {"digest"}));
  }
  for (const std::string& digest : blobs) {
    if (!IsDigest(digest)) return absl::DataLossError("manifest names a blob without a digest");
    if (::access(store.BlobPath(digest).c_str(), F_OK) == 0) continue;
    std::string tmp = api::Cat(store.TempDir(), "/pull-", base::RandomNameSuffix(10));
    std::string target = api::Cat(base, "/blobs/", digest);
    Endpoint at = ep;
    absl::StatusOr<Response> r;
    for (int hop = 0; hop < 5; ++hop) {  // registries may redirect blobs to their storage
      r = Get(at, target, "", tmp, options.timeout);
      if (!r.ok() || (r->status != 307 && r->status != 302 && r->status != 301)) break;
      std::string_view loc = r->location;
      if (!loc.starts_with("/")) {
        return absl::UnimplementedError(api::Cat("blob ", digest, " redirects to ", loc));
      }
      target = std::string(loc);
    }
    if (!r.ok()) return r.status();
    if (r->status != 200) {
      ::unlink(tmp.c_str());
      return RegistryError(*r, api::Cat("blob ", digest));
    }
    if (auto s = store.PutBlobFile(tmp, digest); !s.ok()) return s;
  }
  std::string name = ref->digest.empty() ? ref->String() : ref->Name() + "@" + ref->digest;
  return store.AddImage(name, manifest_digest);
}

}  // namespace skiff::agent::images
