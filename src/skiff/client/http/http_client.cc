#include "skiff/client/http/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <mutex>
#include <optional>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/apiserver/errors.h"

namespace skiff::client::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kJson = "application/json";

std::string_view ReasonFor(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "InternalError";
  }
}

std::chrono::milliseconds ToChrono(absl::Duration d) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(d));
}

absl::Status NetError(std::string_view what, const beast::error_code& ec) {
  return absl::UnavailableError(api::Cat(what, ": ", ec.message()));
}

}  // namespace

// One keep-alive connection with its own io_context, so a call runs its socket's operations
// (and their timeouts) on the calling thread without seeing other connections' work.
struct HttpClient::Connection {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;

  // Starts `op` (given a completion handler) and runs the context until it completes.
  template <typename Op>
  beast::error_code Run(Op&& op) {
    std::optional<beast::error_code> result;
    op([&](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    while (!result && ioc.run_one() > 0) {
    }
    return result.value_or(asio::error::operation_aborted);
  }
};

// ---------------------------------------------------------------------------------------------
// Helpers

std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string ResourcePath(const api::ResourceInfo& r, std::string_view ns, std::string_view name,
                         std::string_view subresource) {
  std::string path =
      r.group.empty() ? api::Cat("/api/", r.version) : api::Cat("/apis/", r.group, "/", r.version);
  if (r.namespaced && !ns.empty()) api::AppendCat(&path, "/namespaces/", QueryEscape(ns));
  api::AppendCat(&path, "/", r.plural);
  if (!name.empty()) api::AppendCat(&path, "/", QueryEscape(name));
  if (!subresource.empty()) api::AppendCat(&path, "/", subresource);
  return path;
}

absl::Status StatusFromResponse(int http_status, std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(body.data(), body.size()), ec);
  if (!ec && v.is_object() && api::GetString(v, {"kind"}) == "Status") {
    int code = static_cast<int>(api::GetInt(v, {"code"}, http_status));
    if (code < 400) code = http_status;
    json::object details;
    if (const json::object* d = api::GetObject(v, {"details"})) details = *d;
    std::string_view reason = api::GetString(v, {"reason"});
    return apiserver::ApiError(code, reason.empty() ? ReasonFor(code) : reason,
                               api::GetString(v, {"message"}), std::move(details));
  }
  std::string message(api::TrimAscii(body));
  if (message.empty()) message = api::Cat("the server responded with HTTP ", http_status);
  return apiserver::ApiError(http_status, ReasonFor(http_status), message);
}

// ---------------------------------------------------------------------------------------------
// HttpClient

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::New(HttpClientOptions options) {
  auto url = boost::urls::parse_uri(options.server);
  if (!url) {
    return absl::InvalidArgumentError(api::Cat("invalid server URL \"", options.server, "\""));
  }
  std::string scheme(url->scheme());
  if (scheme != "http") {
    return absl::InvalidArgumentError(
        api::Cat("server URL \"", options.server, "\": only http:// is supported"));
  }
  std::string host(url->host_address());
  if (host.empty()) {
    return absl::InvalidArgumentError(api::Cat("server URL \"", options.server, "\" has no host"));
  }
  std::string port = url->has_port() ? std::string(url->port()) : "80";
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(options), host, port));
}

HttpClient::HttpClient(HttpClientOptions options, std::string host, std::string port)
    : options_(std::move(options)), host_(std::move(host)), port_(std::move(port)) {}

HttpClient::~HttpClient() = default;

absl::StatusOr<std::unique_ptr<HttpClient::Connection>> HttpClient::Connect() {
  auto c = std::make_unique<Connection>();
  tcp::resolver resolver(c->ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(host_, port_, ec);
  if (ec) return NetError(api::Cat("resolving ", host_), ec);
  c->stream.expires_after(ToChrono(options_.timeout));
  ec = c->Run([&](auto handler) { c->stream.async_connect(endpoints, std::move(handler)); });
  if (ec) return NetError(api::Cat("connecting to ", host_, ":", port_), ec);
  c->stream.socket().set_option(tcp::no_delay(true), ec);
  return c;
}

absl::StatusOr<HttpResponse> HttpClient::Request(std::string_view method, std::string_view target,
                                                 std::string_view content_type, std::string body) {
  bhttp::verb verb = bhttp::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == bhttp::verb::unknown) {
    return absl::InvalidArgumentError(api::Cat("unknown method ", method));
  }
  bhttp::request<bhttp::string_body> req{verb, beast::string_view(target.data(), target.size()),
                                         11};
  req.set(bhttp::field::host, host_);
  req.set(bhttp::field::user_agent, options_.user_agent);
  req.set(bhttp::field::accept, kJson);
  if (!options_.bearer_token.empty()) {
    req.set(bhttp::field::authorization, "Bearer " + options_.bearer_token);
  }
  if (!content_type.empty()) {
    req.set(bhttp::field::content_type,
            beast::string_view(content_type.data(), content_type.size()));
  }
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> conn;
    {
      absl::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    bool reused = conn != nullptr;
    if (!reused) {
      auto fresh = Connect();
      if (!fresh.ok()) return fresh.status();
      conn = std::move(*fresh);
    }
    Connection& c = *conn;
    c.stream.expires_after(ToChrono(options_.timeout));
    beast::error_code ec =
        c.Run([&](auto handler) { bhttp::async_write(c.stream, req, std::move(handler)); });
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256ull << 20);
    if (!ec) {
      ec = c.Run(
          [&](auto handler) { bhttp::async_read(c.stream, c.buffer, parser, std::move(handler)); });
    }
    if (ec) {
      // A kept-alive connection the server closed meanwhile: the request never reached a
      // handler, so one retry on a fresh connection is safe.
      if (reused && attempt == 0) continue;
      return NetError(api::Cat(method, " ", target), ec);
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[bhttp::field::content_type]);
    out.body = std::move(res.body());
    if (res.keep_alive()) {
      absl::MutexLock lock(&mu_);
      if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(conn));
    }
    return out;
  }
}

absl::StatusOr<json::value> HttpClient::Call(std::string_view method, std::string_view target,
                                             std::string_view content_type, std::string body) {
  auto res = Request(method, target, content_type, std::move(body));
  if (!res.ok()) return res.status();
  if (res->status < 200 || res->status >= 300) return StatusFromResponse(res->status, res->body);
  boost::system::error_code ec;
  json::value v = json::parse(res->body, ec);
  if (ec) {
    return absl::InternalError(
        api::Cat(method, " ", target, ": the response is not JSON: ", ec.message()));
  }
  return v;
}

std::string HttpClient::WriteQuery() const {
  return options_.field_manager.empty()
             ? std::string()
             : api::Cat("?fieldManager=", QueryEscape(options_.field_manager));
}

absl::StatusOr<json::value> HttpClient::Get(const api::ResourceInfo& r, std::string_view ns,
                                            std::string_view name) {
  return Call("GET", ResourcePath(r, ns, name), "", "");
}

absl::StatusOr<json::value> HttpClient::Create(const api::ResourceInfo& r, std::string_view ns,
                                               json::value obj) {
  return Call("POST", ResourcePath(r, ns) + WriteQuery(), kJson, json::serialize(obj));
}

absl::StatusOr<json::value> HttpClient::Update(const api::ResourceInfo& r, json::value obj,
                                               std::string_view subresource) {
  std::string path = ResourcePath(r, api::GetString(obj, {"metadata", "namespace"}),
                                  api::GetString(obj, {"metadata", "name"}), subresource);
  return Call("PUT", path + WriteQuery(), kJson, json::serialize(obj));
}

absl::StatusOr<json::value> HttpClient::Patch(const api::ResourceInfo& r, std::string_view ns,
                                              std::string_view name, std::string_view patch_type,
                                              std::string_view patch,
                                              std::string_view subresource) {
  return Call("PATCH", ResourcePath(r, ns, name, subresource) + WriteQuery(), patch_type,
              std::string(patch));
}

absl::Status HttpClient::Delete(const api::ResourceInfo& r, std::string_view ns,
                                std::string_view name, const DeleteOptions& opts) {
  json::object body{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!opts.propagation_policy.empty()) body["propagationPolicy"] = opts.propagation_policy;
  if (opts.grace_period_seconds) body["gracePeriodSeconds"] = *opts.grace_period_seconds;
  json::object pre;
  if (!opts.precondition_uid.empty()) pre["uid"] = opts.precondition_uid;
  if (!opts.precondition_rv.empty()) pre["resourceVersion"] = opts.precondition_rv;
  if (!pre.empty()) body["preconditions"] = std::move(pre);
  return Call("DELETE", ResourcePath(r, ns, name), kJson, json::serialize(body)).status();
}

absl::Status HttpClient::Bind(std::string_view ns, std::string_view pod, std::string_view uid,
                              std::string_view node) {
  json::object meta{{"name", pod}, {"namespace", ns}};
  if (!uid.empty()) meta["uid"] = uid;
  json::object binding{
      {"apiVersion", "v1"},
      {"kind", "Binding"},
      {"metadata", std::move(meta)},
      {"target", json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
  return Call("POST", ResourcePath(Pods(), ns, pod, "binding") + WriteQuery(), kJson,
              json::serialize(binding))
      .status();
}

absl::StatusOr<json::value> HttpClient::List(const api::ResourceInfo& r, std::string_view ns,
                                             const ListOptions& opts) {
  std::vector<std::string> q;
  if (!opts.label_selector.empty())
    q.push_back(api::Cat("labelSelector=", QueryEscape(opts.label_selector)));
  if (!opts.field_selector.empty())
    q.push_back(api::Cat("fieldSelector=", QueryEscape(opts.field_selector)));
  if (!opts.resource_version.empty())
    q.push_back(api::Cat("resourceVersion=", QueryEscape(opts.resource_version)));
  if (opts.limit > 0) q.push_back(api::Cat("limit=", opts.limit));
  if (!opts.continue_token.empty())
    q.push_back(api::Cat("continue=", QueryEscape(opts.continue_token)));
  std::string target = ResourcePath(r, ns);
  if (!q.empty()) api::AppendCat(&target, "?", api::Join(q, "&"));
  auto list = Call("GET", target, "", "");
  if (list.ok() && list->is_object() && !list->as_object().contains("items")) {
    list->as_object()["items"] = json::array();
  }
  return list;
}

absl::Status HttpClient::Watch(const api::ResourceInfo& r, std::string_view ns,
                               const WatchOptions& opts,
                               const std::function<void(WatchEvent)>& on_event,
                               std::stop_token stop) {
  std::vector<std::string> q{"watch=true"};
  if (!opts.resource_version.empty())
    q.push_back(api::Cat("resourceVersion=", QueryEscape(opts.resource_version)));
  if (opts.allow_bookmarks) q.push_back("allowWatchBookmarks=true");
  if (opts.timeout_seconds > 0) q.push_back(api::Cat("timeoutSeconds=", opts.timeout_seconds));
  if (!opts.label_selector.empty())
    q.push_back(api::Cat("labelSelector=", QueryEscape(opts.label_selector)));
  if (!opts.field_selector.empty())
    q.push_back(api::Cat("fieldSelector=", QueryEscape(opts.field_selector)));
  std::string target = api::Cat(ResourcePath(r, ns), "?", api::Join(q, "&"));

  auto conn = Connect();
  if (!conn.ok()) return conn.status();
  Connection& c = **conn;
  // Cancelling from another thread: post onto the connection's context, which runs on ours.
  std::stop_callback on_stop(stop, [&c] { asio::post(c.ioc, [&c] { c.stream.cancel(); }); });
  if (stop.stop_requested()) return absl::CancelledError("watch stopped");

  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, host_);
  req.set(bhttp::field::user_agent, options_.user_agent);
  req.set(bhttp::field::accept, kJson);
  if (!options_.bearer_token.empty()) {
    req.set(bhttp::field::authorization, "Bearer " + options_.bearer_token);
  }
  req.keep_alive(false);
  // No event for this long means a dead connection (bookmarks come about every minute).
  auto idle_limit = std::chrono::seconds(std::max(opts.timeout_seconds + 30, 150));
  c.stream.expires_after(ToChrono(options_.timeout));
  beast::error_code ec =
      c.Run([&](auto handler) { bhttp::async_write(c.stream, req, std::move(handler)); });
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(boost::none);
  if (!ec) {
    ec = c.Run([&](auto handler) {
      bhttp::async_read_header(c.stream, c.buffer, parser, std::move(handler));
    });
  }
  if (stop.stop_requested()) return absl::CancelledError("watch stopped");
  if (ec) return NetError(api::Cat("watch ", target), ec);

  int status = static_cast<int>(parser.get().result_int());
  std::string pending;  // bytes after the last newline
  std::string error_body;
  char chunk[64 * 1024];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    c.stream.expires_after(idle_limit);
    ec = c.Run([&](auto handler) {
      bhttp::async_read_some(c.stream, c.buffer, parser, std::move(handler));
    });
    if (ec == bhttp::error::need_buffer) ec = {};
    if (stop.stop_requested()) return absl::CancelledError("watch stopped");
    if (ec) return NetError(api::Cat("watch ", target), ec);
    size_t n = sizeof chunk - parser.get().body().size;
    if (status != 200) {
      error_body.append(chunk, n);
      continue;
    }
    pending.append(chunk, n);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (api::TrimAscii(line).empty()) continue;
      boost::system::error_code perr;
      json::value ev = json::parse(json::string_view(line.data(), line.size()), perr);
      if (perr || !ev.is_object()) {
        return absl::InternalError(api::Cat("watch ", target, ": bad event: ", perr.message()));
      }
      WatchEvent out;
      out.type = std::string(api::GetString(ev, {"type"}));
      if (json::value* obj = ev.as_object().if_contains("object")) out.object = std::move(*obj);
      if (out.type == "ERROR") {
        return StatusFromResponse(static_cast<int>(api::GetInt(out.object, {"code"}, 500)),
                                  json::serialize(out.object));
      }
      on_event(std::move(out));
    }
    pending.erase(0, start);
  }
  if (status != 200) return StatusFromResponse(status, error_body);
  return absl::OkStatus();
}

}  // namespace skiff::client::http
