#include "skiff/apiserver/http/http_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "spdlog/spdlog.h"

namespace skiff::apiserver::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

std::string PercentDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

void ParseTarget(std::string_view target, Request& req) {
  size_t q = target.find('?');
  req.path = PercentDecode(target.substr(0, q), false);
  if (q == std::string_view::npos) return;
  req.raw_query = std::string(target.substr(q + 1));
  std::string_view rest = req.raw_query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    req.query.emplace_back(std::move(key), std::move(value));
  }
}

// Writes responses on one connection; knows whether the response was a stream.
class ConnectionWriter : public ResponseWriter {
 public:
  ConnectionWriter(tcp::socket& socket, unsigned version, bool keep_alive)
      : socket_(socket), version_(version), keep_alive_(keep_alive) {}

  void Send(int status, std::string_view content_type, std::string body,
            const Headers& extra) override {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version_};
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, "no-cache, private");
    for (const auto& [k, v] : extra) res.insert(k, v);
    res.body() = std::move(body);
    res.keep_alive(keep_alive_);
    res.prepare_payload();
    beast::error_code ec;
    bhttp::write(socket_, res, ec);
    if (ec) broken_ = true;
    sent_ = true;
  }

  void SendParts(int status, std::string_view content_type,
                 const std::vector<std::string_view>& parts, const Headers& extra) override {
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), version_};
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, "no-cache, private");
    for (const auto& [k, v] : extra) res.insert(k, v);
    uint64_t total = 0;
    for (std::string_view p : parts) total += p.size();
    res.content_length(total);
    res.keep_alive(keep_alive_);
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    beast::error_code ec;
    bhttp::write_header(socket_, sr, ec);
    sent_ = true;
    // Gather writes straight from the parts, a few hundred buffers per system call.
    constexpr size_t kBuffersPerWrite = 512;
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(std::min(parts.size(), kBuffersPerWrite));
    for (size_t i = 0; i < parts.size() && !ec;) {
      buffers.clear();
      for (; i < parts.size() && buffers.size() < kBuffersPerWrite; ++i) {
        if (!parts[i].empty()) buffers.emplace_back(parts[i].data(), parts[i].size());
      }
      asio::write(socket_, buffers, ec);
    }
    if (ec) broken_ = true;
  }

  bool BeginStream(int status, std::string_view content_type, const Headers& extra) override {
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), version_};
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, "no-cache, private");
    for (const auto& [k, v] : extra) res.insert(k, v);
    res.chunked(true);
    res.keep_alive(keep_alive_);
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    beast::error_code ec;
    bhttp::write_header(socket_, sr, ec);
    sent_ = true;
    streaming_ = true;
    if (ec) broken_ = true;
    return !broken_;
  }

  bool WriteChunk(std::string_view data) override {
    if (broken_) return false;
    if (data.empty()) return true;
    beast::error_code ec;
    asio::write(socket_, bhttp::make_chunk(asio::buffer(data.data(), data.size())), ec);
    if (ec) broken_ = true;
    return !broken_;
  }

  void EndStream() override {
    if (broken_ || !streaming_) return;
    beast::error_code ec;
    asio::write(socket_, bhttp::make_chunk_last(), ec);
    if (ec) broken_ = true;
    streaming_ = false;
  }

  bool PeerClosed() override {
    if (broken_) return true;
    pollfd pfd{socket_.native_handle(), POLLIN | POLLRDHUP, 0};
    int n = ::poll(&pfd, 1, 0);
    if (n <= 0) return false;
    if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
    if (pfd.revents & POLLIN) {
      char c;
      ssize_t r = ::recv(socket_.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
      return r == 0;
    }
    return false;
  }

  int NativeHandle() override { return broken_ ? -1 : socket_.native_handle(); }

  int Hijack() override {
    if (broken_ || sent_) return -1;
    sent_ = true;
    broken_ = true;  // nothing more on this connection once the handler returns
    return socket_.native_handle();
  }

  bool sent() const { return sent_; }
  bool broken() const { return broken_; }
  bool streaming() const { return streaming_; }

 private:
  tcp::socket& socket_;
  unsigned version_;
  bool keep_alive_;
  bool sent_ = false;
  bool streaming_ = false;
  bool broken_ = false;
};

}  // namespace

struct HttpServer::Impl {
  Handler handler;
  HttpServerOptions options;
  asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<bool> stopping{false};
  std::jthread accept_thread;

  struct Connection {
    std::shared_ptr<tcp::socket> socket;
    std::jthread thread;
    std::atomic<bool> done{false};
  };
  std::mutex mu;
  std::list<std::unique_ptr<Connection>> connections;  // guarded by mu

  void AcceptLoop() {
    while (!stopping.load()) {
      auto socket = std::make_shared<tcp::socket>(io);
      beast::error_code ec;
      acceptor->accept(*socket, ec);
      if (stopping.load()) break;
      if (ec) {
        if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      socket->set_option(tcp::no_delay(true), ec);
      std::lock_guard<std::mutex> lock(mu);
      Reap();
      auto conn = std::make_unique<Connection>();
      conn->socket = socket;
      Connection* raw = conn.get();
      conn->thread = std::jthread([this, raw] {
        Serve(*raw->socket);
        raw->done.store(true);
      });
      connections.push_back(std::move(conn));
    }
  }

  // Joins finished connection threads. Caller holds mu.
  void Reap() {
    for (auto it = connections.begin(); it != connections.end();) {
      if ((*it)->done.load()) {
        it = connections.erase(it);  // joins
      } else {
        ++it;
      }
    }
  }

  void Serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    std::string remote;
    {
      beast::error_code ec;
      auto ep = socket.remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    while (!stopping.load()) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      parser.header_limit(64 * 1024);
      beast::error_code ec;
      bhttp::read(socket, buffer, parser, ec);
      if (ec == bhttp::error::body_limit) {
        ConnectionWriter w(socket, 11, false);
        w.Send(413, "application/json",
               R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
               R"("message":"the server has received a request that is too large: limit is )" +
                   std::to_string(options.max_body_bytes) +
                   R"(","reason":"RequestEntityTooLarge","code":413})",
               {});
        break;
      }
      if (ec) break;
      auto& msg = parser.get();
      Request req;
      req.method = std::string(msg.method_string());
      ParseTarget(std::string_view(msg.target().data(), msg.target().size()), req);
      for (const auto& field : msg) {
        req.headers.emplace_back(absl::AsciiStrToLower(absl::string_view(
                                     field.name_string().data(), field.name_string().size())),
                                 std::string(field.value()));
      }
      req.body = std::move(msg.body());
      req.remote = remote;
      bool keep_alive = msg.keep_alive();
      ConnectionWriter writer(socket, msg.version(), keep_alive);
      try {
        handler(req, writer);
      } catch (const std::exception& e) {
        spdlog::error("handler threw on {} {}: {}", req.method, req.path, e.what());
        if (!writer.sent()) {
          writer.Send(500, "application/json",
                      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                      R"("message":"internal error","reason":"InternalError","code":500})",
                      {});
        }
      }
      if (writer.streaming()) writer.EndStream();
      if (!writer.sent()) {
        writer.Send(500, "text/plain", "no response", {});
      }
      if (writer.broken() || !keep_alive) break;
    }
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }
};

HttpServer::HttpServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const HttpServerOptions& options) {
  impl_->options = options;
  beast::error_code ec;
  auto address = asio::ip::make_address(options.bind, ec);
  if (ec) return absl::InvalidArgumentError("invalid bind address " + options.bind);
  auto acceptor = std::make_unique<tcp::acceptor>(impl_->io);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError("cannot listen on " + options.bind + ":" +
                                  std::to_string(options.port) + ": " + ec.message());
  }
  impl_->acceptor = std::move(acceptor);
  impl_->accept_thread = std::jthread([this] { impl_->AcceptLoop(); });
  return absl::OkStatus();
}

int HttpServer::port() const {
  if (!impl_->acceptor) return 0;
  beast::error_code ec;
  return impl_->acceptor->local_endpoint(ec).port();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  if (impl_->acceptor) {
    // Unblock accept(): shutdown() on a listening socket wakes the blocked accept on Linux.
    ::shutdown(impl_->acceptor->native_handle(), SHUT_RDWR);
  }
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  beast::error_code ec;
  if (impl_->acceptor) impl_->acceptor->close(ec);
  std::list<std::unique_ptr<Impl::Connection>> conns;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& c : impl_->connections) ::shutdown(c->socket->native_handle(), SHUT_RDWR);
    conns.swap(impl_->connections);
  }
  conns.clear();  // joins
}

}  // namespace skiff::apiserver::http
