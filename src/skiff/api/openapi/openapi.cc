#include "skiff/api/openapi/openapi.h"

#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "skiff/api/openapi/schema.h"
#include "skiff/api/openapi/strings.h"
#include "skiff/api/resources.h"

namespace skiff::api::openapi {
namespace {

namespace json = boost::json;
using internal::AbslView;
using internal::Cat;
using internal::ConsumePrefix;
using internal::ConsumeSuffix;
using internal::Split;

constexpr std::string_view kRefPrefix = "#/components/schemas/";
constexpr std::string_view kInfoVersion = "v1.32.0";

// ---------------------------------------------------------------------------------------------
// Schemas

std::string_view JsonTypeName(ValueKind k) {
  switch (k) {
    case ValueKind::kString:
      return "string";
    case ValueKind::kInteger:
      return "integer";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kBoolean:
      return "boolean";
    default:
      return "object";
  }
}

json::object Ref(std::string_view schema_name) {
  json::object o;
  o["$ref"] = Cat(kRefPrefix, schema_name);
  return o;
}

// {"allOf":[{"$ref":...}]}: how Kubernetes wraps references that carry sibling keywords.
json::array AllOf(std::string_view schema_name) {
  json::array a;
  a.emplace_back(Ref(schema_name));
  return a;
}

void PutPrimitive(json::object& o, ValueKind k, std::string_view format) {
  o["type"] = JsonTypeName(k);
  if (!format.empty()) o["format"] = format;
}

// Schema of the elements of a list or the values of a map.
json::object ElementJson(const Field& f) {
  json::object o;
  if (f.ref != nullptr) {
    if (f.ref->kind != ValueKind::kObject) return Ref(f.ref->name);
    o["allOf"] = AllOf(f.ref->name);
    o["default"] = json::object();
    return o;
  }
  PutPrimitive(o, f.kind, f.format);
  if (f.kind == ValueKind::kString && f.format.empty()) o["default"] = "";
  if (f.kind == ValueKind::kInteger) o["default"] = 0;
  return o;
}

json::object FieldJson(const Field& f) {
  json::object o;
  switch (f.container) {
    case Container::kList:
      o["type"] = "array";
      o["items"] = ElementJson(f);
      break;
    case Container::kMap:
      o["type"] = "object";
      o["additionalProperties"] = ElementJson(f);
      break;
    case Container::kNone:
      if (f.ref != nullptr) {
        o["allOf"] = AllOf(f.ref->name);
      } else {
        PutPrimitive(o, f.kind, f.format);
      }
      break;
  }
  if (!f.description.empty()) o["description"] = f.description;
  if (f.default_value.has_value()) o["default"] = *f.default_value;
  if (!f.enum_values.empty()) {
    json::array e;
    for (const std::string& v : f.enum_values) e.emplace_back(v);
    o["enum"] = std::move(e);
  }
  if (!f.list_map_keys.empty()) {
    json::array keys;
    for (const std::string& k : f.list_map_keys) keys.emplace_back(k);
    o["x-kubernetes-list-map-keys"] = std::move(keys);
  }
  if (!f.list_type.empty()) o["x-kubernetes-list-type"] = f.list_type;
  if (!f.map_type.empty()) o["x-kubernetes-map-type"] = f.map_type;
  if (!f.patch_merge_key.empty()) o["x-kubernetes-patch-merge-key"] = f.patch_merge_key;
  if (!f.patch_strategy.empty()) o["x-kubernetes-patch-strategy"] = f.patch_strategy;
  if (f.preserve_unknown) o["x-kubernetes-preserve-unknown-fields"] = true;
  return o;
}

json::object GvkJson(std::string_view group, std::string_view version, std::string_view kind) {
  json::object o;
  o["group"] = group;
  o["kind"] = kind;
  o["version"] = version;
  return o;
}

json::object SchemaJson(const Schema& s) {
  json::object o;
  if (!s.description.empty()) o["description"] = s.description;
  switch (s.kind) {
    case ValueKind::kObject: {
      o["type"] = "object";
      json::object props;
      json::array required;
      for (const Field& f : s.fields) {
        props[f.name] = FieldJson(f);
        if (f.required) required.emplace_back(f.name);
      }
      if (!props.empty()) o["properties"] = std::move(props);
      if (!required.empty()) o["required"] = std::move(required);
      if (s.preserve_unknown) o["x-kubernetes-preserve-unknown-fields"] = true;
      break;
    }
    case ValueKind::kQuantity: {
      json::array one_of;
      one_of.emplace_back(json::object{{"type", "string"}});
      one_of.emplace_back(json::object{{"type", "number"}});
      o["oneOf"] = std::move(one_of);
      break;
    }
    case ValueKind::kIntOrString: {
      o["format"] = "int-or-string";
      json::array one_of;
      one_of.emplace_back(json::object{{"type", "integer"}});
      one_of.emplace_back(json::object{{"type", "string"}});
      o["oneOf"] = std::move(one_of);
      break;
    }
    case ValueKind::kAny:
      o["type"] = "object";
      break;
    default:
      PutPrimitive(o, s.kind, s.format);
      break;
  }
  if (!s.map_type.empty()) o["x-kubernetes-map-type"] = s.map_type;
  if (!s.gvks.empty()) {
    json::array gvks;
    for (const GroupVersionKind& g : s.gvks) gvks.emplace_back(GvkJson(g.group, g.version, g.kind));
    o["x-kubernetes-group-version-kind"] = std::move(gvks);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Parameters, bodies and responses

json::object Param(std::string_view name, std::string_view in, std::string_view type,
                   std::string_view description) {
  json::object schema;
  schema["type"] = type;
  schema["uniqueItems"] = true;
  json::object p;
  p["description"] = description;
  p["in"] = in;
  p["name"] = name;
  if (in == "path") p["required"] = true;
  p["schema"] = std::move(schema);
  return p;
}

struct ParamDoc {
  std::string_view name;
  std::string_view type;
  std::string_view description;
};

constexpr ParamDoc kParams[] = {
    {"allowWatchBookmarks", "boolean",
     "With watch, ask for BOOKMARK events carrying only a resource version; servers may ignore "
     "it."},
    {"continue", "string", "Token from a previous limited list to fetch the next page."},
    {"dryRun", "string",
     "When set to All, the request is fully validated and processed but nothing is persisted."},
    {"fieldManager", "string",
     "Name of the actor making the change, recorded to track field ownership; required for "
     "apply patches."},
    {"fieldSelector", "string",
     "Restrict the returned objects by their fields, such as metadata.name=x; everything by "
     "default."},
    {"fieldValidation", "string",
     "How fields the schema does not know, and duplicate fields, in the body are handled: "
     "Ignore drops them silently, Warn drops them and adds a Warning header per field, Strict "
     "fails the request with BadRequest."},
    {"force", "boolean",
     "Apply patches only: take ownership of conflicting fields from other managers instead of "
     "failing."},
    {"gracePeriodSeconds", "integer",
     "Seconds before the object is deleted; 0 deletes immediately, unset uses the kind's "
     "default."},
    {"ignoreStoreReadErrorWithClusterBreakingPotential", "boolean",
     "Delete an object that cannot be read from storage; may break the cluster."},
    {"labelSelector", "string",
     "Restrict the returned objects by their labels; everything by default."},
    {"limit", "integer",
     "Maximum number of objects in one response; use the returned continue token for more."},
    {"orphanDependents", "boolean", "Deprecated: use propagationPolicy."},
    {"pretty", "string", "When 'true', the response is indented."},
    {"propagationPolicy", "string",
     "What happens to dependents: Orphan, Background (the default for most kinds) or "
     "Foreground."},
    {"resourceVersion", "string",
     "Which version of the data a list or watch starts from; see resourceVersionMatch."},
    {"resourceVersionMatch", "string",
     "How resourceVersion applies to a list: Exact or NotOlderThan."},
    {"sendInitialEvents", "boolean",
     "With watch, start with synthetic ADDED events for the current state followed by a "
     "bookmark."},
    {"timeoutSeconds", "integer", "Time limit of the list or watch call, in seconds."},
    {"watch", "boolean", "Stream changes (ADDED, MODIFIED, DELETED) instead of returning a list."},
    // connect and log options
    {"command", "string", "Command to run, one query parameter per argv element."},
    {"container", "string", "Container to use; optional when the pod has only one."},
    {"stderr", "boolean", "Stream the standard error of the process."},
    {"stdin", "boolean", "Stream standard input to the process."},
    {"stdout", "boolean", "Stream the standard output of the process."},
    {"tty", "boolean", "Allocate a terminal for the process."},
    {"ports", "integer", "Pod ports to forward."},
    {"follow", "boolean", "Keep streaming new log lines."},
    {"insecureSkipTLSVerifyBackend", "boolean",
     "Do not verify the kubelet's serving certificate when fetching logs."},
    {"limitBytes", "integer", "Stop after this many bytes of log."},
    {"previous", "boolean", "Logs of the previous, terminated run of the container."},
    {"sinceSeconds", "integer", "Only log lines newer than this many seconds."},
    {"stream", "string", "Which stream to return: All, Stdout or Stderr."},
    {"tailLines", "integer", "Only this many lines from the end of the log."},
    {"timestamps", "boolean", "Prefix every line with an RFC 3339 timestamp."},
};

json::array QueryParams(std::initializer_list<std::string_view> names) {
  json::array out;
  for (std::string_view name : names) {
    for (const ParamDoc& p : kParams) {
      if (p.name == name) out.emplace_back(Param(p.name, "query", p.type, p.description));
    }
  }
  return out;
}

json::array PathParams(bool with_name, bool namespaced, std::string_view kind) {
  json::array out;
  if (with_name) {
    out.emplace_back(Param("name", "path", "string", Cat("Name of the ", kind, ".")));
  }
  if (namespaced) {
    out.emplace_back(
        Param("namespace", "path", "string", "Namespace of the objects; a DNS label."));
  }
  out.emplace_back(QueryParams({"pretty"})[0]);
  return out;
}

json::object Content(const json::object& schema, std::initializer_list<std::string_view> types) {
  json::object content;
  for (std::string_view t : types) content[t] = json::object{{"schema", schema}};
  return content;
}

json::object Response(std::string_view description, const json::object& schema,
                      std::initializer_list<std::string_view> types) {
  json::object r;
  r["content"] = Content(schema, types);
  r["description"] = description;
  return r;
}

json::object ObjectBody(std::string_view schema_name, bool required) {
  json::object body;
  body["content"] = Content(Ref(schema_name), {"application/json", "application/yaml"});
  if (required) body["required"] = true;
  return body;
}

// The four patch media types kubectl looks for to decide it may build a strategic merge patch.
json::object PatchBody() {
  json::object body;
  body["content"] =
      Content(Ref("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"),
              {"application/apply-patch+yaml", "application/json-patch+json",
               "application/merge-patch+json", "application/strategic-merge-patch+json"});
  body["required"] = true;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Paths

std::string Capitalize(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

// "CoreV1", "AppsV1", "CoordinationV1": the group-version part of Kubernetes operation IDs.
std::string OperationGroup(std::string_view group, std::string_view version) {
  if (group.empty()) return Cat("Core", Capitalize(version));
  std::string_view g = group;
  ConsumeSuffix(&g, ".k8s.io");
  std::string out;
  for (std::string_view part : Split(g, '.')) out += Capitalize(part);
  return Cat(out, Capitalize(version));
}

// "core_v1", "apps_v1", "coordination_v1": the tag Kubernetes puts on operations.
std::string Tag(std::string_view group, std::string_view version) {
  if (group.empty()) return Cat("core_", version);
  std::string_view g = group;
  ConsumeSuffix(&g, ".k8s.io");
  std::string out;
  for (std::string_view part : Split(g, '.')) {
    out += out.empty() ? std::string(part) : Capitalize(part);
  }
  return Cat(out, "_", version);
}

bool HasVerb(const ResourceInfo& r, std::string_view verb) {
  for (std::string_view v : r.verbs) {
    if (v == verb) return true;
  }
  return false;
}

class DocumentBuilder {
 public:
  explicit DocumentBuilder(std::string gv) : gv_(std::move(gv)) {}

  void AddResource(const ResourceInfo& r);
  std::string Finish();

 private:
  struct Op {
    std::string_view method;
    std::string description;
    std::string operation_id;
    std::string_view action;
    json::object gvk;
    json::array params;
    std::optional<json::object> body;
    json::object responses;
  };

  void AddOp(const std::string& path, json::array path_params, Op op);
  json::object Use(const Schema& s) {
    refs_[s.name] = &s;
    return Ref(s.name);
  }
  json::object Use(std::string_view name) {
    if (const Schema* s = FindSchema(name)) return Use(*s);
    return Ref(name);
  }
  void AddSubresource(const ResourceInfo& r, const Schema& kind, std::string_view sub,
                      const std::string& item_path, const std::string& id_kind);

  std::string gv_;
  json::object paths_;
  std::map<std::string, const Schema*> refs_;  // ordered: stable output
};

void DocumentBuilder::AddOp(const std::string& path, json::array path_params, Op op) {
  json::value& slot = paths_[path];
  if (!slot.is_object()) slot.emplace_object();
  json::object& item = slot.get_object();
  if (!item.contains("parameters")) item["parameters"] = std::move(path_params);
  json::object o;
  o["description"] = op.description;
  o["operationId"] = op.operation_id;
  if (!op.params.empty()) o["parameters"] = std::move(op.params);
  if (op.body.has_value()) o["requestBody"] = std::move(*op.body);
  op.responses["401"] = json::object{{"description", "Unauthorized"}};
  o["responses"] = std::move(op.responses);
  json::array tags;
  size_t slash = gv_.find('/');
  tags.emplace_back(slash == std::string::npos
                        ? Tag("", gv_)
                        : Tag(std::string_view(gv_).substr(0, slash), gv_.substr(slash + 1)));
  o["tags"] = std::move(tags);
  o["x-kubernetes-action"] = op.action;
  o["x-kubernetes-group-version-kind"] = std::move(op.gvk);
  item[op.method] = std::move(o);
}

void DocumentBuilder::AddResource(const ResourceInfo& r) {
  const Schema* kind = SchemaFor(r);
  if (kind == nullptr) return;
  const Schema* list = FindSchema(Cat(kind->name, "List"));
  const std::string prefix =
      r.group.empty() ? Cat("/api/", r.version) : Cat("/apis/", r.group, "/", r.version);
  const std::string collection =
      r.namespaced ? Cat(prefix, "/namespaces/{namespace}/", r.plural) : Cat(prefix, "/", r.plural);
  const std::string item = Cat(collection, "/{name}");
  const std::string og = OperationGroup(r.group, r.version);
  const std::string id_kind = Cat(r.namespaced ? "Namespaced" : "", r.kind);
  auto gvk = [&] { return GvkJson(r.group, r.version, r.kind); };
  const json::object kind_ref = Use(*kind);
  const std::string kind_name(r.kind);

  auto ok = [&](const json::object& schema) {
    return Response("OK", schema, {"application/json", "application/yaml"});
  };

  if (HasVerb(r, "list") && list != nullptr) {
    json::object list_ref = Use(*list);
    json::object responses;
    responses["200"] = Response(
        "OK", list_ref, {"application/json", "application/yaml", "application/json;stream=watch"});
    auto list_params = [] {
      return QueryParams({"allowWatchBookmarks", "continue", "fieldSelector", "labelSelector",
                          "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents",
                          "timeoutSeconds", "watch"});
    };
    AddOp(collection, PathParams(false, r.namespaced, kind_name),
          {"get", Cat("list or watch objects of kind ", r.kind), Cat("list", og, id_kind), "list",
           gvk(), list_params(), std::nullopt, responses});
    if (r.namespaced) {
      AddOp(Cat(prefix, "/", r.plural), PathParams(false, false, kind_name),
            {"get", Cat("list or watch objects of kind ", r.kind, " in all namespaces"),
             Cat("list", og, r.kind, "ForAllNamespaces"), "list", gvk(), list_params(),
             std::nullopt, responses});
    }
  }
  if (HasVerb(r, "create")) {
    json::object responses;
    responses["200"] = ok(kind_ref);
    responses["201"] = Response("Created", kind_ref, {"application/json", "application/yaml"});
    responses["202"] = Response("Accepted", kind_ref, {"application/json", "application/yaml"});
    AddOp(collection, PathParams(false, r.namespaced, kind_name),
          {"post", Cat("create a ", r.kind), Cat("create", og, id_kind), "post", gvk(),
           QueryParams({"dryRun", "fieldManager", "fieldValidation"}), ObjectBody(kind->name, true),
           responses});
  }
  if (HasVerb(r, "deletecollection")) {
    json::object status_ref = Use("io.k8s.apimachinery.pkg.apis.meta.v1.Status");
    json::object responses;
    responses["200"] = ok(status_ref);
    Use("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    AddOp(collection, PathParams(false, r.namespaced, kind_name),
          {"delete", Cat("delete a collection of ", r.kind),
           Cat("delete", og, "Collection", id_kind), "deletecollection", gvk(),
           QueryParams({"continue", "dryRun", "fieldSelector", "gracePeriodSeconds",
                        "ignoreStoreReadErrorWithClusterBreakingPotential", "labelSelector",
                        "limit", "orphanDependents", "propagationPolicy", "resourceVersion",
                        "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds"}),
           ObjectBody("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", false), responses});
  }
  if (HasVerb(r, "get")) {
    json::object responses;
    responses["200"] = ok(kind_ref);
    AddOp(item, PathParams(true, r.namespaced, kind_name),
          {"get",
           Cat("read the specified ", r.kind),
           Cat("read", og, id_kind),
           "get",
           gvk(),
           {},
           std::nullopt,
           responses});
  }
  if (HasVerb(r, "update")) {
    json::object responses;
    responses["200"] = ok(kind_ref);
    responses["201"] = Response("Created", kind_ref, {"application/json", "application/yaml"});
    AddOp(item, PathParams(true, r.namespaced, kind_name),
          {"put", Cat("replace the specified ", r.kind), Cat("replace", og, id_kind), "put", gvk(),
           QueryParams({"dryRun", "fieldManager", "fieldValidation"}), ObjectBody(kind->name, true),
           responses});
  }
  if (HasVerb(r, "patch")) {
    Use("io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
    json::object responses;
    responses["200"] = ok(kind_ref);
    responses["201"] = Response("Created", kind_ref, {"application/json", "application/yaml"});
    AddOp(item, PathParams(true, r.namespaced, kind_name),
          {"patch", Cat("partially update the specified ", r.kind), Cat("patch", og, id_kind),
           "patch", gvk(), QueryParams({"dryRun", "fieldManager", "fieldValidation", "force"}),
           PatchBody(), responses});
  }
  if (HasVerb(r, "delete")) {
    Use("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    json::object responses;
    responses["200"] = ok(kind_ref);
    responses["202"] = Response("Accepted", kind_ref, {"application/json", "application/yaml"});
    AddOp(item, PathParams(true, r.namespaced, kind_name),
          {"delete", Cat("delete a ", r.kind), Cat("delete", og, id_kind), "delete", gvk(),
           QueryParams({"dryRun", "gracePeriodSeconds",
                        "ignoreStoreReadErrorWithClusterBreakingPotential", "orphanDependents",
                        "propagationPolicy"}),
           ObjectBody("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", false), responses});
  }
  for (std::string_view sub : r.subresources) AddSubresource(r, *kind, sub, item, id_kind);
}

void DocumentBuilder::AddSubresource(const ResourceInfo& r, const Schema& kind,
                                     std::string_view sub, const std::string& item_path,
                                     const std::string& id_kind) {
  const std::string path = Cat(item_path, "/", sub);
  const std::string og = OperationGroup(r.group, r.version);
  const std::string suffix = Capitalize(sub);
  const std::string kind_name(r.kind);
  auto params = [&] { return PathParams(true, r.namespaced, kind_name); };
  auto json_ok = [](std::string_view desc, const json::object& schema) {
    return Response(desc, schema, {"application/json", "application/yaml"});
  };
  // Read/replace/patch of a subresource whose body is an object (status, scale).
  auto rw = [&](const Schema& body, json::object gvk_of_body) {
    json::object ref = Use(body);
    Use("io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
    json::object ok;
    ok["200"] = json_ok("OK", ref);
    AddOp(path, params(),
          {"get",
           Cat("read ", sub, " of the specified ", r.kind),
           Cat("read", og, id_kind, suffix),
           "get",
           gvk_of_body,
           {},
           std::nullopt,
           ok});
    json::object created = ok;
    created["201"] = json_ok("Created", ref);
    AddOp(path, params(),
          {"put", Cat("replace ", sub, " of the specified ", r.kind),
           Cat("replace", og, id_kind, suffix), "put", gvk_of_body,
           QueryParams({"dryRun", "fieldManager", "fieldValidation"}), ObjectBody(body.name, true),
           created});
    AddOp(path, params(),
          {"patch", Cat("partially update ", sub, " of the specified ", r.kind),
           Cat("patch", og, id_kind, suffix), "patch", gvk_of_body,
           QueryParams({"dryRun", "fieldManager", "fieldValidation", "force"}), PatchBody(),
           created});
  };
  // POST of a body object to the subresource (binding, eviction).
  auto post = [&](const Schema& body, const GroupVersionKind& gvk) {
    json::object ref = Use(body);
    json::object responses;
    responses["200"] = json_ok("OK", ref);
    responses["201"] = json_ok("Created", ref);
    responses["202"] = json_ok("Accepted", ref);
    AddOp(path, params(),
          {"post", Cat("create ", sub, " of a ", r.kind), Cat("create", og, id_kind, suffix),
           "post", GvkJson(gvk.group, gvk.version, gvk.kind),
           QueryParams({"dryRun", "fieldManager", "fieldValidation"}), ObjectBody(body.name, true),
           responses});
  };
  // Streaming connections (exec, attach, portforward).
  auto connect = [&](std::string_view options_kind, std::initializer_list<std::string_view> q) {
    json::object responses;
    responses["200"] = Response("OK", json::object{{"type", "string"}}, {"*/*"});
    for (std::string_view method : {"get", "post"}) {
      AddOp(path, params(),
            {method, Cat("connect ", method, " requests to ", sub, " of ", r.kind),
             Cat("connect", og, Capitalize(method), id_kind, suffix), "connect",
             GvkJson("", "v1", options_kind), QueryParams(q), std::nullopt, responses});
    }
  };

  if (sub == "status") {
    rw(kind, GvkJson(r.group, r.version, r.kind));
  } else if (sub == "scale") {
    if (const Schema* scale = SchemaFor(r, "scale")) {
      rw(*scale, GvkJson("autoscaling", "v1", "Scale"));
    }
  } else if (sub == "binding" || sub == "eviction") {
    if (const Schema* body = SchemaFor(r, sub); body != nullptr && !body->gvks.empty()) {
      post(*body, body->gvks[0]);
    }
  } else if (sub == "exec") {
    connect("PodExecOptions", {"command", "container", "stderr", "stdin", "stdout", "tty"});
  } else if (sub == "attach") {
    connect("PodAttachOptions", {"container", "stderr", "stdin", "stdout", "tty"});
  } else if (sub == "portforward") {
    connect("PodPortForwardOptions", {"ports"});
  } else if (sub == "log") {
    json::object responses;
    responses["200"] =
        Response("OK", json::object{{"type", "string"}}, {"text/plain", "application/json"});
    AddOp(path, params(),
          {"get", Cat("read log of the specified ", r.kind), Cat("read", og, id_kind, "Log"), "get",
           GvkJson(r.group, r.version, r.kind),
           QueryParams({"container", "follow", "insecureSkipTLSVerifyBackend", "limitBytes",
                        "previous", "sinceSeconds", "stream", "tailLines", "timestamps"}),
           std::nullopt, responses});
  } else if (sub == "finalize") {
    json::object ref = Use(kind);
    json::object responses;
    responses["200"] = json_ok("OK", ref);
    responses["201"] = json_ok("Created", ref);
    AddOp(path, params(),
          {"put", Cat("replace finalize of the specified ", r.kind),
           Cat("replace", og, id_kind, "Finalize"), "put", GvkJson(r.group, r.version, r.kind),
           QueryParams({"dryRun", "fieldManager", "fieldValidation"}), ObjectBody(kind.name, true),
           responses});
  }
}

std::string DocumentBuilder::Finish() {
  // Close the referenced set over field references.
  std::vector<const Schema*> queue;
  for (const auto& [name, s] : refs_) queue.push_back(s);
  while (!queue.empty()) {
    const Schema* s = queue.back();
    queue.pop_back();
    for (const Field& f : s->fields) {
      if (f.ref != nullptr && refs_.emplace(f.ref->name, f.ref).second) queue.push_back(f.ref);
    }
  }
  json::object schemas;
  for (const auto& [name, s] : refs_) schemas[name] = SchemaJson(*s);

  json::object bearer;
  bearer["description"] = "Bearer token in the Authorization header";
  bearer["in"] = "header";
  bearer["name"] = "authorization";
  bearer["type"] = "apiKey";
  json::object components;
  components["schemas"] = std::move(schemas);
  components["securitySchemes"] = json::object{{"BearerToken", std::move(bearer)}};

  json::object doc;
  doc["openapi"] = "3.0.0";
  doc["info"] = json::object{{"title", "Kubernetes"}, {"version", kInfoVersion}};
  doc["paths"] = std::move(paths_);
  doc["components"] = std::move(components);
  json::array security;
  security.emplace_back(json::object{{"BearerToken", json::array()}});
  doc["security"] = std::move(security);
  return json::serialize(doc);
}

// ---------------------------------------------------------------------------------------------
// Cache

// FNV-1a over the document twice with different offsets: a stable 128-bit content hash.
std::string ContentHash(std::string_view body) {
  auto fnv = [&](uint64_t h) {
    for (unsigned char c : body) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    return h;
  };
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llX%016llX",
                static_cast<unsigned long long>(fnv(0xcbf29ce484222325ULL)),
                static_cast<unsigned long long>(fnv(0x6c62272e07bb0142ULL)));
  return std::string(buf, 32);
}

std::string PathOf(std::string_view gv) {
  return gv.find('/') == std::string_view::npos ? Cat("api/", gv) : Cat("apis/", gv);
}

struct Documents {
  absl::Status status;
  std::vector<std::string> paths;
  absl::flat_hash_map<std::string, std::pair<std::string, std::string>> docs;  // body, hash
  std::string index;
};

Documents* BuildDocuments() {
  auto* d = new Documents();
  if (absl::Status st = SchemaTableStatus(); !st.ok()) {
    d->status = st;
    return d;
  }
  try {
    json::object index_paths;
    for (const std::string& gv : ServedGroupVersions()) {
      DocumentBuilder builder(gv);
      for (const ResourceInfo& r : AllResources()) {
        if (r.GroupVersion() == gv) builder.AddResource(r);
      }
      std::string body = builder.Finish();
      std::string hash = ContentHash(body);
      std::string path = PathOf(gv);
      index_paths[path] =
          json::object{{"serverRelativeURL", Cat("/openapi/v3/", path, "?hash=", hash)}};
      d->paths.push_back(path);
      d->docs[path] = {std::move(body), std::move(hash)};
    }
    json::object index;
    index["paths"] = std::move(index_paths);
    d->index = json::serialize(index);
  } catch (const std::exception& e) {
    d->status = absl::InternalError(Cat("building OpenAPI documents: ", e.what()));
  }
  return d;
}

const Documents& GetDocuments() {
  static const Documents* docs = BuildDocuments();  // never destroyed: used until exit
  return *docs;
}

std::string_view NormalizePath(std::string_view p) {
  p = p.substr(0, p.find('?'));
  ConsumePrefix(&p, "/");
  ConsumePrefix(&p, "openapi/v3/");
  ConsumeSuffix(&p, "/");
  return p;
}

}  // namespace

std::vector<std::string> DocumentPaths() { return GetDocuments().paths; }

absl::StatusOr<std::string> IndexDocument() {
  const Documents& d = GetDocuments();
  if (!d.status.ok()) return d.status;
  return d.index;
}

absl::StatusOr<std::string> GroupVersionDocument(std::string_view gv_path) {
  const Documents& d = GetDocuments();
  if (!d.status.ok()) return d.status;
  auto it = d.docs.find(AbslView(NormalizePath(gv_path)));
  if (it == d.docs.end()) {
    return absl::NotFoundError(Cat("no OpenAPI document for ", gv_path));
  }
  return it->second.first;
}

absl::StatusOr<std::string> GroupVersionHash(std::string_view gv_path) {
  const Documents& d = GetDocuments();
  if (!d.status.ok()) return d.status;
  auto it = d.docs.find(AbslView(NormalizePath(gv_path)));
  if (it == d.docs.end()) {
    return absl::NotFoundError(Cat("no OpenAPI document for ", gv_path));
  }
  return it->second.second;
}

}  // namespace skiff::api::openapi
