#include "skiff/apiserver/api_server.h"

#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "skiff/api/object.h"
#include "skiff/api/openapi/openapi.h"
#include "skiff/api/openapi/unknown_fields.h"
#include "skiff/api/protobuf/protobuf.h"
#include "skiff/api/table/table.h"
#include "skiff/apiserver/discovery.h"
#include "skiff/apiserver/errors.h"
#include "skiff/apiserver/pod_proxy.h"
#include "skiff/base/strings.h"
#include "spdlog/spdlog.h"

namespace skiff::apiserver {

namespace json = boost::json;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kTableType = "application/json;as=Table;v=v1;g=meta.k8s.io";

struct MediaType {
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;
  std::string_view Param(std::string_view k) const {
    for (const auto& [pk, pv] : params)
      if (pk == k) return pv;
    return {};
  }
};

std::vector<MediaType> ParseAccept(std::string_view accept) {
  std::vector<MediaType> out;
  for (absl::string_view part : absl::StrSplit(base::Absl(accept), ',')) {
    MediaType mt;
    bool first = true;
    for (absl::string_view p : absl::StrSplit(part, ';')) {
      p = absl::StripAsciiWhitespace(p);
      if (first) {
        mt.type = std::string(p);
        first = false;
        continue;
      }
      size_t eq = p.find('=');
      if (eq == std::string_view::npos) continue;
      mt.params.emplace_back(std::string(p.substr(0, eq)), std::string(p.substr(eq + 1)));
    }
    out.push_back(std::move(mt));
  }
  return out;
}

bool WantsTable(const http::Request& req) {
  for (const auto& mt : ParseAccept(req.Header("accept"))) {
    if (mt.Param("as") == "Table" && mt.Param("g") == "meta.k8s.io") return true;
  }
  return false;
}

// "v2", "v2beta1", or "" for legacy discovery.
std::string AggregatedVersion(const http::Request& req) {
  for (const auto& mt : ParseAccept(req.Header("accept"))) {
    if (mt.Param("g") == "apidiscovery.k8s.io" && mt.Param("as") == "APIGroupDiscoveryList") {
      std::string v(mt.Param("v"));
      if (v == "v2" || v == "v2beta1") return v;
    }
  }
  return "";
}

std::string UserAgentManager(const http::Request& req) {
  std::string_view ua = req.Header("user-agent");
  return std::string(ua.substr(0, ua.find('/')));
}

std::string ListKind(const api::ResourceInfo& r) { return std::string(r.kind) + "List"; }

std::string EncodeContinue(int64_t rv, const std::string& key) {
  json::object o{{"v", "meta.k8s.io/v1"}, {"rv", rv}, {"start", key}};
  return absl::WebSafeBase64Escape(json::serialize(o));
}

bool DecodeContinue(std::string_view token, std::string* key) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(base::Absl(token), &raw)) return false;
  boost::system::error_code ec;
  json::value v = json::parse(raw, ec);
  if (ec) return false;
  std::string_view start = api::GetString(v, {"start"});
  if (start.empty()) return false;
  *key = std::string(start);
  return true;
}

json::value ParseCached(const CachedObject& obj) { return json::parse(obj.json); }

// Content types a create/update body may have; anything else is 415.
bool SupportedBodyType(std::string_view ct) {
  std::string_view base = ct.substr(0, ct.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return base.empty() || base == "application/json" || base == "application/yaml" ||
         base == "application/vnd.kubernetes.protobuf" || base == "*/*";
}

// Checks a JSON body for duplicate fields, which JSON parsing would silently collapse:
// 400 under Strict field validation, warnings under Warn.
absl::Status CheckDuplicateFields(const http::Request& req, const WriteOptions& opts,
                                  std::vector<std::string>* warnings) {
  if (opts.field_validation == "Ignore") return absl::OkStatus();
  std::string_view ct = req.Header("content-type");
  if (absl::StrContains(base::Absl(ct), "protobuf") || absl::StrContains(base::Absl(ct), "yaml"))
    return absl::OkStatus();
  std::vector<std::string> dups = api::openapi::DuplicateFields(req.body);
  if (dups.empty()) return absl::OkStatus();
  if (opts.field_validation == "Strict") {
    return BadRequest(api::openapi::StrictDecodingMessage({}, dups));
  }
  for (const auto& d : dups) warnings->push_back(api::openapi::DuplicateFieldWarning(d));
  return absl::OkStatus();
}

}  // namespace

struct ApiServer::Route {
  const api::ResourceInfo* r = nullptr;
  std::string ns;
  std::string name;
  std::string sub;
  std::string verb = "get";
  std::string resource_label = "other";
};

ApiServer::ApiServer(store::Store* store, ApiServerOptions options, const base::Clock& clock)
    : store_(store), options_(std::move(options)), clock_(clock) {
  cache_ = std::make_unique<WatchCache>(store_);
  registry_ = std::make_unique<Registry>(store_, cache_.get(), clock_);
  registry_->set_store_latency_observer([this](double s) { metrics_.ObserveStoreWrite(s); });
  if (options_.shared_watch_writer) {
    WatchHubOptions hub_options;
    hub_options.flush_interval = std::chrono::milliseconds(std::max(1, options_.watch_coalesce_ms));
    hub_ = std::make_unique<WatchHub>(cache_.get(), hub_options);
  }
}

ApiServer::~ApiServer() { Stop(); }

absl::Status ApiServer::Start() {
  if (absl::Status s = cache_->Start(); !s.ok()) return s;
  if (absl::Status s = EnsureDefaultNamespaces(); !s.ok()) return s;
  if (hub_) hub_->Start();
  http_ = std::make_unique<http::HttpServer>(
      [this](const http::Request& req, http::ResponseWriter& w) { Handle(req, w); });
  http::HttpServerOptions hopts;
  hopts.bind = options_.bind;
  hopts.port = options_.port;
  return http_->Start(hopts);
}

void ApiServer::Stop() {
  // Watch streams end first so that their connection threads can finish.
  if (hub_) hub_->Stop();
  if (http_) http_->Stop();
  // Controllers registered as cache listeners may be destroyed after this returns.
  cache_->Stop();
}

int ApiServer::port() const { return http_ ? http_->port() : 0; }

absl::Status ApiServer::EnsureDefaultNamespaces() {
  const api::ResourceInfo* nsr = api::FindResource("", "v1", "namespaces");
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    json::value ns = json::object{
        {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::object{{"name", name}}}};
    auto res = registry_->Create(*nsr, "", std::move(ns), WriteOptions{});
    if (!res.ok() && HttpCode(res.status()) != 409) return res.status();
  }
  return absl::OkStatus();
}

void ApiServer::SendError(http::ResponseWriter& w, const absl::Status& s, Route* route) {
  StatusResponse sr = ToStatusResponse(s);
  w.Send(sr.code, kJson, std::move(sr.body));
}

void ApiServer::SendObject(const http::Request& req, http::ResponseWriter& w,
                           const api::ResourceInfo& r, int code, const std::string& body,
                           const std::vector<std::string>& warnings) {
  http::Headers extra;
  for (const auto& warning : warnings) {
    std::string escaped;
    for (char c : warning) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    extra.emplace_back("Warning", "299 - \"" + escaped + "\"");
  }
  if (WantsTable(req)) {
    json::value obj = json::parse(body);
    if (api::Find(obj, {"metadata", "name"}) != nullptr &&
        api::GetString(obj, {"kind"}) == r.kind) {
      auto include = api::table::ParseIncludeObject(req.Query("includeObject").value_or(""));
      api::table::TableListMeta meta;
      meta.resource_version = std::string(api::GetString(obj, {"metadata", "resourceVersion"}));
      json::object table = api::table::BuildTable(
          r, std::span<const json::value>(&obj, 1),
          include.ok() ? *include : api::table::IncludeObject::kMetadata, meta, clock_.Now());
      w.Send(code, kTableType, json::serialize(table), extra);
      return;
    }
  }
  w.Send(code, kJson, body, extra);
}

void ApiServer::Handle(const http::Request& req, http::ResponseWriter& w) {
  auto start = std::chrono::steady_clock::now();
  Route route;
  int code = 200;
  struct Recorder : http::ResponseWriter {
    http::ResponseWriter& inner;
    int* code;
    Recorder(http::ResponseWriter& i, int* c) : inner(i), code(c) {}
    void Send(int status, std::string_view ct, std::string body,
              const http::Headers& extra) override {
      *code = status;
      inner.Send(status, ct, std::move(body), extra);
    }
    void SendParts(int status, std::string_view ct, const std::vector<std::string_view>& parts,
                   const http::Headers& extra) override {
      *code = status;
      inner.SendParts(status, ct, parts, extra);
    }
    bool BeginStream(int status, std::string_view ct, const http::Headers& extra) override {
      *code = status;
      return inner.BeginStream(status, ct, extra);
    }
    bool WriteChunk(std::string_view d) override { return inner.WriteChunk(d); }
    void EndStream() override { inner.EndStream(); }
    bool PeerClosed() override { return inner.PeerClosed(); }
    int NativeHandle() override { return inner.NativeHandle(); }
    int Hijack() override {
      *code = 101;
      return inner.Hijack();
    }
  } rec(w, &code);

  const std::string& path = req.path;
  if (path == "/version" || path == "/version/") {
    json::object v{{"major", "1"},
                   {"minor", "32"},
                   {"gitVersion", "v1.32.0+skiff"},
                   {"gitCommit", "skiff"},
                   {"gitTreeState", "clean"},
                   {"buildDate", "2026-11-27T00:00:00Z"},
                   {"goVersion", "go1.23.0"},
                   {"compiler", "gc"},
                   {"platform", "linux/amd64"}};
    rec.Send(200, kJson, json::serialize(v), {});
  } else if (path == "/healthz" || path == "/livez" || path == "/readyz" ||
             absl::StartsWith(path, "/healthz/") || absl::StartsWith(path, "/livez/") ||
             absl::StartsWith(path, "/readyz/")) {
    rec.Send(200, "text/plain; charset=utf-8", "ok", {});
  } else if (path == "/metrics") {
    rec.Send(200, "text/plain; version=0.0.4",
             metrics_.Render(cache_->WatcherCount() + (hub_ ? hub_->StreamCount() : 0),
                             store_->CurrentRevision()),
             {});
  } else if (path == "/api" || path == "/api/" || path == "/apis" || path == "/apis/") {
    bool core = absl::StartsWith(path, "/api") && !absl::StartsWith(path, "/apis");
    std::string v = AggregatedVersion(req);
    if (!v.empty()) {
      rec.Send(200, "application/json;g=apidiscovery.k8s.io;v=" + v + ";as=APIGroupDiscoveryList",
               AggregatedDiscovery(core, v), {});
    } else if (core) {
      rec.Send(200, kJson, LegacyApiVersions(options_.bind + ":" + std::to_string(port())), {});
    } else {
      rec.Send(200, kJson, LegacyGroupList(), {});
    }
  } else if (path == "/openapi/v2" || path == "/openapi/v2/") {
    // An empty protobuf document: kubectl 1.27/1.28 need a 200 here, then use OpenAPI v3.
    rec.Send(200, api::openapi::kOpenApiV2EmptyProtobufContentType, "", {});
  } else if (path == "/openapi/v3" || path == "/openapi/v3/") {
    auto doc = api::openapi::IndexDocument();
    if (doc.ok())
      rec.Send(200, kJson, *doc, {});
    else
      SendError(rec, doc.status(), nullptr);
  } else if (absl::StartsWith(path, "/openapi/v3/")) {
    auto doc = api::openapi::GroupVersionDocument(path.substr(strlen("/openapi/v3/")));
    if (doc.ok()) {
      rec.Send(200, kJson, *doc, {});
    } else {
      SendError(rec, ApiError(404, "NotFound", "the server could not find the requested resource"),
                nullptr);
    }
  } else {
    std::vector<std::string> segs = absl::StrSplit(path, '/', absl::SkipEmpty());
    std::string group, version;
    size_t i = 0;
    if (segs.size() >= 2 && segs[0] == "api") {
      version = segs[1];
      i = 2;
    } else if (segs.size() >= 3 && segs[0] == "apis") {
      group = segs[1];
      version = segs[2];
      i = 3;
    } else if (segs.size() == 2 && segs[0] == "apis") {
      std::string g = LegacyGroup(segs[1]);
      if (!g.empty()) {
        rec.Send(200, kJson, g, {});
      } else {
        SendError(rec,
                  ApiError(404, "NotFound", "the server could not find the requested resource"),
                  nullptr);
      }
      i = 0;
      segs.clear();
    }
    if (i != 0) {
      std::vector<std::string> rest(segs.begin() + i, segs.end());
      if (rest.empty()) {
        std::string list = LegacyResourceList(group, version);
        if (!list.empty()) {
          rec.Send(200, kJson, list, {});
        } else {
          SendError(rec,
                    ApiError(404, "NotFound", "the server could not find the requested resource"),
                    nullptr);
        }
      } else {
        if (rest.size() >= 3 && rest[0] == "namespaces") {
          const api::ResourceInfo* nr = api::FindResource(group, version, rest[2]);
          if (nr != nullptr && nr->namespaced) {
            route.r = nr;
            route.ns = rest[1];
            rest.erase(rest.begin(), rest.begin() + 2);
          }
        }
        if (route.r == nullptr) route.r = api::FindResource(group, version, rest[0]);
        if (rest.size() >= 2) route.name = rest[1];
        if (rest.size() >= 3) route.sub = rest[2];
        bool bad_shape = rest.size() > 3 || (route.r != nullptr && route.r->namespaced &&
                                             route.ns.empty() && !route.name.empty());
        if (route.r == nullptr || bad_shape ||
            (!route.sub.empty() && !route.r->HasSubresource(route.sub))) {
          SendError(rec,
                    ApiError(404, "NotFound", "the server could not find the requested resource"),
                    nullptr);
        } else {
          route.resource_label = route.r->plural;
          if (!route.sub.empty()) route.resource_label += "/" + route.sub;
          HandleResource(req, rec, route);
        }
      }
    } else if (!segs.empty()) {
      SendError(rec, ApiError(404, "NotFound", "the server could not find the requested resource"),
                nullptr);
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (route.verb != "watch") metrics_.ObserveRequest(route.verb, route.resource_label, code, secs);
}

void ApiServer::HandleResource(const http::Request& req, http::ResponseWriter& w, Route& route) {
  const api::ResourceInfo& r = *route.r;
  const std::string& m = req.method;

  WriteOptions opts;
  opts.subresource = route.sub;
  if (auto dry = req.Query("dryRun")) {
    if (*dry != "All" && !dry->empty()) {
      return SendError(w, BadRequest("Invalid dry run value: " + std::string(*dry)), &route);
    }
    opts.dry_run = *dry == "All";
  }
  opts.field_manager = std::string(req.Query("fieldManager").value_or(""));
  if (opts.field_manager.empty()) opts.field_manager = UserAgentManager(req);
  if (auto fv = req.Query("fieldValidation")) {
    if (*fv != "Strict" && *fv != "Warn" && *fv != "Ignore" && !fv->empty()) {
      return SendError(w,
                       BadRequest("fieldValidation must be one of Strict, Warn, Ignore; got " +
                                  std::string(*fv)),
                       &route);
    }
    if (!fv->empty()) opts.field_validation = std::string(*fv);
  }
  if (auto force = req.Query("force")) opts.force = ParseBool(*force).value_or(false);

  bool is_watch = false;
  if (auto wq = req.Query("watch")) is_watch = ParseBool(*wq).value_or(false);

  auto body_json = [&](bool yaml) -> absl::StatusOr<json::value> {
    std::string_view ct = req.Header("content-type");
    // kubectl's typed clients (create, run, expose, drain) send Kubernetes protobuf.
    std::string_view media_type = ct.substr(0, ct.find(';'));
    while (media_type.ends_with(' ')) media_type.remove_suffix(1);
    if (absl::EqualsIgnoreCase(base::Absl(media_type), "application/vnd.kubernetes.protobuf")) {
      auto decoded = api::protobuf::DecodeObject(req.body);
      if (decoded.ok() || decoded.status().code() != absl::StatusCode::kInvalidArgument) {
        return decoded;
      }
      return BadRequest(base::Std(decoded.status().message()));
    }
    if (absl::StrContains(base::Absl(ct), "protobuf")) {
      return ApiError(415, "UnsupportedMediaType",
                      "the body of the request was in an unknown format - accepted media types "
                      "include: application/json, application/yaml, "
                      "application/vnd.kubernetes.protobuf");
    }
    return ParseBody(req.body, yaml || absl::StrContains(base::Absl(ct), "yaml"));
  };

  if ((route.sub == "log" || route.sub == "exec") && !route.name.empty() &&
      (m == "GET" || (m == "POST" && route.sub == "exec"))) {
    // Served by the pod's node agent (pod_proxy.h).
    route.verb = m == "GET" ? "get" : "create";
    auto pod = registry_->Get(r, route.ns, route.name);
    if (!pod.ok()) return SendError(w, pod.status(), &route);
    json::value pod_json = ParseCached(**pod);
    json::value node_json;
    const json::value* node = nullptr;
    std::string_view node_name = api::GetString(pod_json, {"spec", "nodeName"});
    if (!node_name.empty()) {
      auto found = registry_->Get(*api::FindResource("", "v1", "nodes"), "", node_name);
      if (found.ok()) {
        node_json = ParseCached(**found);
        node = &node_json;
      }
    }
    auto target =
        route.sub == "log" ? PodLogTarget(pod_json, node, req) : PodExecTarget(pod_json, node, req);
    if (!target.ok()) return SendError(w, target.status(), &route);
    return ProxyToAgent(req, w, *target);
  }
  if (m == "GET" && route.name.empty()) {
    if (is_watch) {
      route.verb = "watch";
      return HandleWatch(req, w, route);
    }
    route.verb = "list";
    return HandleList(req, w, route);
  }
  if (m == "GET") {
    route.verb = "get";
    if (route.sub == "scale") {
      auto scale = registry_->GetScale(r, route.ns, route.name);
      if (!scale.ok()) return SendError(w, scale.status(), &route);
      return w.Send(200, kJson, json::serialize(*scale));
    }
    auto obj = registry_->Get(r, route.ns, route.name);
    if (!obj.ok()) return SendError(w, obj.status(), &route);
    return SendObject(req, w, r, 200, (*obj)->json, {});
  }
  std::vector<std::string> body_warnings;
  if ((m == "POST" || m == "PUT") && route.sub != "binding" && route.sub != "eviction") {
    if (!SupportedBodyType(req.Header("content-type"))) {
      return SendError(w,
                       ApiError(415, "UnsupportedMediaType",
                                "the body of the request was in an unknown format - accepted "
                                "media types include: application/json, application/yaml, "
                                "application/vnd.kubernetes.protobuf"),
                       &route);
    }
    if (absl::Status s = CheckDuplicateFields(req, opts, &body_warnings); !s.ok()) {
      return SendError(w, s, &route);
    }
  }
  if (m == "POST" && route.name.empty()) {
    route.verb = "create";
    auto body = body_json(false);
    if (!body.ok()) return SendError(w, body.status(), &route);
    auto res = registry_->Create(r, route.ns, std::move(*body), opts);
    if (!res.ok()) return SendError(w, res.status(), &route);
    res->warnings.insert(res->warnings.end(), body_warnings.begin(), body_warnings.end());
    return SendObject(req, w, r, 201, json::serialize(res->object), res->warnings);
  }
  if (m == "POST" && route.sub == "binding") {
    route.verb = "create";
    auto body = body_json(false);
    if (!body.ok()) return SendError(w, body.status(), &route);
    std::string node(api::GetString(*body, {"target", "name"}));
    if (node.empty()) {
      return SendError(w, Invalid(r, route.name, {api::Required("target.name")}), &route);
    }
    absl::Status bound =
        registry_->Bind(route.ns, route.name, api::GetString(*body, {"metadata", "uid"}), node);
    if (!bound.ok()) return SendError(w, bound, &route);
    json::object st{{"kind", "Status"},
                    {"apiVersion", "v1"},
                    {"metadata", json::object()},
                    {"status", "Success"},
                    {"code", 201}};
    return w.Send(201, kJson, json::serialize(st));
  }
  if (m == "POST" && route.sub == "eviction") {
    route.verb = "create";
    auto body = body_json(false);
    if (!body.ok()) return SendError(w, body.status(), &route);
    DeleteOptions dopts;
    if (const json::value* g = api::Find(*body, {"deleteOptions", "gracePeriodSeconds"}))
      if (g->is_int64()) dopts.grace_period_seconds = g->get_int64();
    auto res = registry_->Delete(r, route.ns, route.name, dopts);
    if (!res.ok()) return SendError(w, res.status(), &route);
    json::object st{{"kind", "Status"},
                    {"apiVersion", "v1"},
                    {"metadata", json::object()},
                    {"status", "Success"},
                    {"code", 201}};
    return w.Send(201, kJson, json::serialize(st));
  }
  if (m == "PUT" && !route.name.empty()) {
    route.verb = "update";
    auto body = body_json(false);
    if (!body.ok()) return SendError(w, body.status(), &route);
    auto res = registry_->Update(r, route.ns, route.name, std::move(*body), opts);
    if (!res.ok()) return SendError(w, res.status(), &route);
    res->warnings.insert(res->warnings.end(), body_warnings.begin(), body_warnings.end());
    return SendObject(req, w, r, res->created ? 201 : 200, json::serialize(res->object),
                      res->warnings);
  }
  if (m == "PATCH" && !route.name.empty()) {
    route.verb = "patch";
    std::string_view ct = req.Header("content-type");
    auto res = registry_->Patch(r, route.ns, route.name, ct, req.body, opts);
    if (!res.ok()) return SendError(w, res.status(), &route);
    return SendObject(req, w, r, res->created ? 201 : 200, json::serialize(res->object),
                      res->warnings);
  }
  if (m == "DELETE" && route.name.empty()) {
    route.verb = "deletecollection";
    return HandleDeleteCollection(req, w, route);
  }
  if (m == "DELETE") {
    route.verb = "delete";
    DeleteOptions dopts;
    dopts.dry_run = opts.dry_run;
    if (!req.body.empty()) {
      auto body = ParseBody(req.body, false);
      if (!body.ok()) return SendError(w, body.status(), &route);
      dopts.propagation_policy = std::string(api::GetString(*body, {"propagationPolicy"}));
      if (const json::value* g = api::Find(*body, {"gracePeriodSeconds"}); g && g->is_int64())
        dopts.grace_period_seconds = g->get_int64();
      dopts.precondition_uid = std::string(api::GetString(*body, {"preconditions", "uid"}));
      dopts.precondition_rv =
          std::string(api::GetString(*body, {"preconditions", "resourceVersion"}));
      if (api::GetBool(*body, {"orphanDependents"}) && dopts.propagation_policy.empty())
        dopts.propagation_policy = "Orphan";
      if (const json::array* dr = api::GetArray(*body, {"dryRun"}))
        for (const auto& v : *dr) dopts.dry_run = dopts.dry_run || v == "All";
    }
    if (auto pp = req.Query("propagationPolicy")) dopts.propagation_policy = std::string(*pp);
    if (auto g = req.Query("gracePeriodSeconds")) {
      int64_t gs;
      if (absl::SimpleAtoi(base::Absl(*g), &gs)) dopts.grace_period_seconds = gs;
    }
    const std::string& pp = dopts.propagation_policy;
    if (!pp.empty() && pp != "Orphan" && pp != "Background" && pp != "Foreground") {
      return SendError(w,
                       Invalid(r, route.name,
                               {api::NotSupported("propagationPolicy", api::Quote(pp),
                                                  {"Foreground", "Background", "Orphan"})}),
                       &route);
    }
    auto res = registry_->Delete(r, route.ns, route.name, dopts);
    if (!res.ok()) return SendError(w, res.status(), &route);
    bool gone =
        api::Find(res->object, {"metadata", "deletionTimestamp"}) == nullptr || dopts.dry_run;
    return SendObject(req, w, r, gone ? 200 : 202, json::serialize(res->object), {});
  }
  SendError(w, MethodNotSupported(r, m), &route);
}

namespace {

absl::StatusOr<Filter> BuildFilter(const http::Request& req, const api::ResourceInfo& r,
                                   const std::string& ns) {
  Filter f;
  f.ns = ns;
  if (auto ls = req.Query("labelSelector"); ls && !ls->empty()) {
    auto sel = api::LabelSelector::Parse(*ls);
    if (!sel.ok()) return BadRequest(std::string(sel.status().message()));
    f.labels = std::move(*sel);
  }
  if (auto fs = req.Query("fieldSelector"); fs && !fs->empty()) {
    auto sel = api::FieldSelector::Parse(*fs);
    if (!sel.ok()) return BadRequest(std::string(sel.status().message()));
    if (absl::Status s = api::ValidateFieldSelector(r, *sel); !s.ok())
      return BadRequest(std::string(s.message()));
    f.fields = std::move(*sel);
  }
  return f;
}

}  // namespace

void ApiServer::HandleList(const http::Request& req, http::ResponseWriter& w, Route& route) {
  const api::ResourceInfo& r = *route.r;
  auto filter = BuildFilter(req, r, route.ns);
  if (!filter.ok()) return SendError(w, filter.status(), &route);
  std::string rv(req.Query("resourceVersion").value_or(""));
  if (rv.empty()) {
    cache_->WaitForRevision(store_->CurrentRevision());
  } else if (rv != "0") {
    int64_t want;
    if (!absl::SimpleAtoi(rv, &want)) {
      return SendError(w, BadRequest("invalid resource version: " + rv), &route);
    }
    cache_->WaitForRevision(want);
  }
  int64_t limit = 0;
  if (auto l = req.Query("limit")) absl::SimpleAtoi(base::Absl(*l), &limit);
  std::string after;
  if (auto c = req.Query("continue"); c && !c->empty()) {
    if (!DecodeContinue(*c, &after)) {
      return SendError(w, BadRequest("continue key is not valid: " + std::string(*c)), &route);
    }
  }
  WatchCache::ListResult list = cache_->List(r, *filter, after, limit);
  std::string cont = list.next_key.empty() ? "" : EncodeContinue(list.revision, list.next_key);

  if (WantsTable(req)) {
    auto include = api::table::ParseIncludeObject(req.Query("includeObject").value_or(""));
    if (!include.ok())
      return SendError(w, BadRequest(std::string(include.status().message())), &route);
    std::vector<json::value> objs;
    objs.reserve(list.items.size());
    for (const auto& o : list.items) objs.push_back(ParseCached(*o));
    api::table::TableListMeta meta;
    meta.resource_version = std::to_string(list.revision);
    meta.continue_token = cont;
    if (!cont.empty()) meta.remaining_item_count = list.remaining;
    json::object table = api::table::BuildTable(r, objs, *include, meta, clock_.Now());
    return w.Send(200, kTableType, json::serialize(table));
  }
  // The items go out straight from the cache's serialized objects, which `list` keeps alive.
  std::string head;
  head += "{\"kind\":\"";
  head += ListKind(r);
  head += "\",\"apiVersion\":\"";
  head += r.GroupVersion();
  head += "\",\"metadata\":{\"resourceVersion\":\"";
  head += std::to_string(list.revision);
  head += "\"";
  if (!cont.empty()) {
    head +=
        ",\"continue\":\"" + cont + "\",\"remainingItemCount\":" + std::to_string(list.remaining);
  }
  head += "},\"items\":[";
  std::vector<std::string_view> parts;
  parts.reserve(2 * list.items.size() + 2);
  parts.emplace_back(head);
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) parts.emplace_back(",");
    parts.emplace_back(list.items[i]->json);
  }
  parts.emplace_back("]}");
  w.SendParts(200, kJson, parts);
}

void ApiServer::HandleDeleteCollection(const http::Request& req, http::ResponseWriter& w,
                                       Route& route) {
  const api::ResourceInfo& r = *route.r;
  auto filter = BuildFilter(req, r, route.ns);
  if (!filter.ok()) return SendError(w, filter.status(), &route);
  DeleteOptions dopts;
  if (auto dry = req.Query("dryRun")) dopts.dry_run = *dry == "All";
  if (!req.body.empty()) {
    auto body = ParseBody(req.body, false);
    if (body.ok())
      dopts.propagation_policy = std::string(api::GetString(*body, {"propagationPolicy"}));
  }
  if (auto pp = req.Query("propagationPolicy")) dopts.propagation_policy = std::string(*pp);
  cache_->WaitForRevision(store_->CurrentRevision());
  WatchCache::ListResult list = cache_->List(r, *filter, "", 0);
  std::string out = "{\"kind\":\"" + ListKind(r) + "\",\"apiVersion\":\"" + r.GroupVersion() +
                    "\",\"metadata\":{},\"items\":[";
  bool first = true;
  for (const auto& o : list.items) {
    auto res = registry_->Delete(r, o->ns, o->name, dopts);
    if (!res.ok()) {
      if (res.status().code() == absl::StatusCode::kNotFound) continue;
      return SendError(w, res.status(), &route);
    }
    if (!first) out.push_back(',');
    first = false;
    out += json::serialize(res->object);
  }
  out += "]}";
  w.Send(200, kJson, std::move(out));
}

namespace {

// The ERROR event a watch from a compacted resourceVersion gets (410 Gone, reason Expired).
std::string ExpiredWatchEvent(const absl::Status& status) {
  json::object st{{"kind", "Status"},
                  {"apiVersion", "v1"},
                  {"metadata", json::object()},
                  {"status", "Failure"},
                  {"message", std::string(status.message())},
                  {"reason", "Expired"},
                  {"code", 410}};
  return "{\"type\":\"ERROR\",\"object\":" + json::serialize(st) + "}\n";
}

}  // namespace

void ApiServer::HandleWatch(const http::Request& req, http::ResponseWriter& w, Route& route) {
  const api::ResourceInfo& r = *route.r;
  auto filter = BuildFilter(req, r, route.ns);
  if (!filter.ok()) return SendError(w, filter.status(), &route);
  std::string rv(req.Query("resourceVersion").value_or(""));
  int64_t from = 0;
  if (!rv.empty() && rv != "0" && !absl::SimpleAtoi(rv, &from)) {
    return SendError(w, BadRequest("invalid resource version: " + rv), &route);
  }
  bool bookmarks = false;
  if (auto b = req.Query("allowWatchBookmarks")) bookmarks = ParseBool(*b).value_or(false);
  int64_t timeout = 0;
  if (auto t = req.Query("timeoutSeconds")) absl::SimpleAtoi(base::Absl(*t), &timeout);
  if (timeout <= 0) {
    static thread_local std::mt19937 gen{std::random_device{}()};
    timeout = options_.max_watch_seconds +
              std::uniform_int_distribution<int>(0, options_.max_watch_seconds)(gen);
  }
  bool table = WantsTable(req);
  auto include = api::table::ParseIncludeObject(req.Query("includeObject").value_or(""));
  if (from > 0) cache_->WaitForRevision(from);

  if (!table && hub_ != nullptr && w.NativeHandle() >= 0) {
    std::vector<WatchEvent> initial;
    auto cursor = cache_->OpenCursor(r, *filter, from, &initial);
    if (!w.BeginStream(200, kJson)) return;
    if (!cursor.ok()) {
      w.WriteChunk(ExpiredWatchEvent(cursor.status()));
      return;
    }
    std::string buf;
    for (const auto& ev : initial) {
      buf += "{\"type\":\"";
      buf += EventTypeName(ev.type);
      buf += "\",\"object\":";
      buf += ev.object->json;
      buf += "}\n";
    }
    if (!buf.empty() && !w.WriteChunk(buf)) return;
    WatchHub::Stream stream;
    stream.resource = &r;
    stream.filter = std::move(*filter);
    stream.cursor = *cursor;
    stream.fd = w.NativeHandle();
    stream.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    stream.bookmarks = bookmarks;
    stream.bookmark_interval = std::chrono::seconds(options_.bookmark_interval_seconds);
    hub_->Serve(std::move(stream));
    return;
  }

  auto watcher = cache_->Watch(r, *filter, from);
  if (!w.BeginStream(200, table ? kTableType : kJson)) return;
  if (!watcher.ok()) {
    w.WriteChunk(ExpiredWatchEvent(watcher.status()));
    return;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  auto next_bookmark =
      std::chrono::steady_clock::now() + std::chrono::seconds(options_.bookmark_interval_seconds);
  bool first_table = true;
  std::string buf;
  while (true) {
    int64_t seen_rev = cache_->Revision();
    bool closed = false;
    std::vector<WatchEvent> events = (*watcher)->Wait(std::chrono::milliseconds(500), &closed);
    buf.clear();
    for (const auto& ev : events) {
      buf += "{\"type\":\"";
      buf += EventTypeName(ev.type);
      buf += "\",\"object\":";
      if (table) {
        json::value obj = ParseCached(*ev.object);
        api::table::TableListMeta meta;
        meta.resource_version = std::to_string(ev.object->rv);
        buf += json::serialize(
            api::table::BuildTable(r, std::span<const json::value>(&obj, 1),
                                   include.ok() ? *include : api::table::IncludeObject::kMetadata,
                                   meta, clock_.Now(), first_table));
        first_table = false;
      } else {
        buf += ev.object->json;
      }
      buf += "}\n";
    }
    auto now = std::chrono::steady_clock::now();
    if (bookmarks && now >= next_bookmark && !closed) {
      json::object bm{{"kind", r.kind},
                      {"apiVersion", r.GroupVersion()},
                      {"metadata", json::object{{"resourceVersion", std::to_string(seen_rev)}}}};
      buf += "{\"type\":\"BOOKMARK\",\"object\":" + json::serialize(bm) + "}\n";
      next_bookmark = now + std::chrono::seconds(options_.bookmark_interval_seconds);
    }
    if (!buf.empty() && !w.WriteChunk(buf)) break;
    if (closed || now >= deadline || w.PeerClosed()) break;
    if (!events.empty() && options_.watch_coalesce_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.watch_coalesce_ms));
    }
  }
  cache_->StopWatch(r, *watcher);
}

}  // namespace skiff::apiserver
