#include "skiff/apiserver/registry.h"

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "skiff/api/kinds/kinds.h"
#include "skiff/api/labels.h"
#include "skiff/api/object.h"
#include "skiff/api/openapi/unknown_fields.h"
#include "skiff/api/patch/apply.h"
#include "skiff/api/patch/json_patch.h"
#include "skiff/api/patch/merge_patch.h"
#include "skiff/api/patch/strategic_merge.h"
#include "skiff/apiserver/errors.h"
#include "skiff/base/random.h"

namespace skiff::apiserver {

namespace json = boost::json;
using api::EnsureObject;
using api::GetString;

namespace {

// Kinds that may be created by PUT (Kubernetes' AllowCreateOnUpdate).
bool AllowCreateOnUpdate(const api::ResourceInfo& r) {
  return r.kind == "Event" || r.kind == "Lease" || r.kind == "Endpoints";
}

json::value WithoutResourceVersion(json::value v) {
  if (json::value* m = api::FindMutable(v, {"metadata"}); m != nullptr && m->is_object()) {
    m->as_object().erase("resourceVersion");
    m->as_object().erase("selfLink");
  }
  return v;
}

std::string Serialize(const json::value& v) { return json::serialize(v); }

json::value ParseStored(const store::KeyValue& kv) {
  boost::system::error_code ec;
  json::value v = json::parse(kv.value, ec);
  if (ec || !v.is_object()) v = json::object();
  EnsureObject(v, {"metadata"})["resourceVersion"] = std::to_string(kv.mod_revision);
  return v;
}

absl::Status CheckTypeMeta(const api::ResourceInfo& r, json::value& obj) {
  if (!obj.is_object()) return BadRequest("the body of the request must be a JSON object");
  json::object& o = obj.as_object();
  std::string gv = r.GroupVersion();
  if (auto* av = o.if_contains("apiVersion");
      av && av->is_string() && !av->get_string().empty() && av->get_string() != gv) {
    return BadRequest("the API version in the data (" + std::string(av->get_string()) +
                      ") does not match the expected API version (" + gv + ")");
  }
  if (auto* k = o.if_contains("kind");
      k && k->is_string() && !k->get_string().empty() && k->get_string() != r.kind) {
    return BadRequest("the kind in the data (" + std::string(k->get_string()) +
                      ") does not match the expected kind (" + std::string(r.kind) + ")");
  }
  if (auto* m = o.if_contains("metadata"); m && !m->is_object() && !m->is_null()) {
    return BadRequest("metadata must be an object");
  }
  o["apiVersion"] = gv;
  o["kind"] = r.kind;
  return absl::OkStatus();
}

std::string ManagerOrDefault(const WriteOptions& opts) {
  return opts.field_manager.empty() ? std::string("unknown") : opts.field_manager;
}

}  // namespace

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False")
    return false;
  return std::nullopt;
}

namespace {

json::value YamlToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) o[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& item : n) a.push_back(YamlToJson(item));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!") return json::string(s);  // quoted
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      if (s == "null" || s == "~" || s == "Null" || s == "NULL") return nullptr;
      int64_t i;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && p == s.data() + s.size()) return i;
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size() && s.find_first_of("0123456789") == 0) return d;
      return json::string(s);
    }
    default:
      return nullptr;
  }
}

}  // namespace

absl::StatusOr<json::value> ParseBody(std::string_view body, bool yaml) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec) return v;
  if (!yaml) {
    return BadRequest("the request body is not valid JSON: " + ec.message());
  }
  try {
    YAML::Node n = YAML::Load(std::string(body));
    return YamlToJson(n);
  } catch (const std::exception& e) {
    return BadRequest(std::string("the request body is not valid YAML: ") + e.what());
  }
}

Registry::Registry(store::Store* store, WatchCache* cache, const base::Clock& clock)
    : store_(store), cache_(cache), clock_(clock) {}

void Registry::ObserveStore(absl::Time start) {
  if (store_latency_) store_latency_(absl::ToDoubleSeconds(clock_.Now() - start));
}

absl::StatusOr<ObjectPtr> Registry::Get(const api::ResourceInfo& r, std::string_view ns,
                                        std::string_view name) {
  cache_->WaitForRevision(store_->CurrentRevision());
  ObjectPtr obj = cache_->Get(r, Key(r, ns, name));
  if (obj == nullptr) return NotFound(r, name);
  return obj;
}

absl::Status Registry::CheckNamespace(const api::ResourceInfo& r, std::string_view ns) {
  if (!r.namespaced) return absl::OkStatus();
  const api::ResourceInfo* nsr = api::FindResource("", "v1", "namespaces");
  cache_->WaitForRevision(store_->CurrentRevision());
  ObjectPtr nsobj = cache_->Get(*nsr, nsr->Key("", ns));
  if (nsobj == nullptr) return NotFound(*nsr, ns);
  if (absl::StrContains(nsobj->json, "\"deletionTimestamp\"")) {
    return ApiError(403, "Forbidden",
                    r.GroupResource() + " is forbidden: unable to create new content in " +
                        "namespace " + std::string(ns) + " because it is being terminated");
  }
  return absl::OkStatus();
}

absl::StatusOr<WriteResult> Registry::Admit(const api::ResourceInfo& r, const json::value* old,
                                            json::value obj, const WriteOptions& opts) {
  WriteResult res;
  std::string now = base::FormatRfc3339(clock_.Now());
  if (absl::Status s = api::kinds::CheckDecodable(r, obj); !s.ok()) {
    return BadRequest(std::string(r.kind) + " in version \"" + std::string(r.version) +
                      "\" cannot be handled as a " + std::string(r.kind) + ": " +
                      std::string(s.message()));
  }
  if (old == nullptr) {
    api::kinds::PrepareForCreate(r, obj);
    if (r.kind == "Pod" && r.group.empty()) api::kinds::AdmitPod(obj, pod_admission_);
    if (r.kind == "PersistentVolumeClaim" && r.group.empty()) {
      // DefaultStorageClass admission reads the classes the cache holds.
      const api::ResourceInfo* classes =
          api::FindResource("storage.k8s.io", "v1", "storageclasses");
      std::vector<json::value> parsed;
      for (const ObjectPtr& sc : cache_->List(*classes, Filter{}, "", 0).items) {
        parsed.push_back(json::parse(sc->json));
      }
      std::vector<const json::value*> views;
      for (const json::value& sc : parsed) views.push_back(&sc);
      api::kinds::AdmitPersistentVolumeClaim(obj, views, storage_admission_);
    }
    if (r.kind == "PersistentVolume" && r.group.empty()) {
      api::kinds::AdmitPersistentVolume(obj, storage_admission_);
    }
  } else if (opts.subresource == "finalize") {
    api::kinds::Default(r, obj);  // the namespace strategy would restore spec.finalizers
  } else {
    api::kinds::PrepareForUpdate(r, obj, *old, opts.subresource == "status");
  }
  std::string name(GetString(obj, {"metadata", "name"}));
  // Binding and finalize are server-driven writes of one field; the rest was validated before.
  if (opts.subresource != "binding" && opts.subresource != "finalize") {
    api::FieldErrors errs = api::kinds::Validate(r, obj, old);
    if (!errs.empty()) return Invalid(r, name, errs);
  }
  if (opts.field_validation != "Ignore") {
    std::vector<std::string> unknown = api::openapi::UnknownFields(r, obj);
    if (!unknown.empty()) {
      if (opts.field_validation == "Strict") {
        return BadRequest(api::openapi::StrictDecodingMessage(unknown));
      }
      for (const auto& u : unknown) res.warnings.push_back(api::openapi::UnknownFieldWarning(u));
    }
  }
  if (!opts.apply) {
    api::patch::UpdateManagedFields(old, obj, ManagerOrDefault(opts), "Update", r.GroupVersion(),
                                    now, api::patch::StrategicSchemaFor(r.group, r.kind),
                                    opts.subresource);
  }
  res.object = std::move(obj);
  return res;
}

absl::StatusOr<WriteResult> Registry::Create(const api::ResourceInfo& r, std::string_view ns,
                                             json::value obj, const WriteOptions& opts) {
  if (absl::Status s = CheckTypeMeta(r, obj); !s.ok()) return s;
  json::object& meta = EnsureObject(obj, {"metadata"});
  if (r.namespaced) {
    std::string_view objns = GetString(obj, {"metadata", "namespace"});
    if (objns.empty()) {
      meta["namespace"] = ns;
    } else if (objns != ns) {
      return BadRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
  } else {
    meta.erase("namespace");
  }
  if (!GetString(obj, {"metadata", "resourceVersion"}).empty()) {
    return BadRequest("resourceVersion should not be set on objects to be created");
  }
  if (absl::Status s = CheckNamespace(r, ns); !s.ok()) return s;
  return CreateAdmitted(r, ns, std::move(obj), opts);
}

absl::StatusOr<WriteResult> Registry::CreateAdmitted(const api::ResourceInfo& r,
                                                     std::string_view ns, json::value obj,
                                                     const WriteOptions& opts) {
  json::object& meta = EnsureObject(obj, {"metadata"});
  std::string generate_name(GetString(obj, {"metadata", "generateName"}));
  bool generated = GetString(obj, {"metadata", "name"}).empty() && !generate_name.empty();
  absl::Time now = clock_.Now();
  meta["uid"] = base::NewUid();
  meta["creationTimestamp"] = base::FormatRfc3339(now);
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  meta.erase("selfLink");
  meta.erase("resourceVersion");
  for (int attempt = 0;; ++attempt) {
    if (generated) {
      EnsureObject(obj, {"metadata"})["name"] = generate_name + base::RandomNameSuffix(5);
    }
    auto admitted = Admit(r, nullptr, obj, opts);
    if (!admitted.ok()) return admitted.status();
    WriteResult res = std::move(*admitted);
    res.created = true;
    std::string name(GetString(res.object, {"metadata", "name"}));
    if (opts.dry_run) return res;
    absl::Time start = clock_.Now();
    auto rev = store_->Create(Key(r, ns, name), Serialize(WithoutResourceVersion(res.object)));
    ObserveStore(start);
    if (rev.status().code() == absl::StatusCode::kAlreadyExists) {
      if (generated && attempt < 8) continue;
      return AlreadyExists(r, name);
    }
    if (!rev.ok()) return ApiError(500, "InternalError", std::string(rev.status().message()));
    EnsureObject(res.object, {"metadata"})["resourceVersion"] = std::to_string(*rev);
    return res;
  }
}

absl::StatusOr<WriteResult> Registry::Mutate(const api::ResourceInfo& r, std::string_view ns,
                                             std::string_view name, const Mutator& mutate,
                                             const WriteOptions& opts, bool allow_create) {
  const std::string key = Key(r, ns, name);
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto cur = store_->Get(key);
    if (cur.status().code() == absl::StatusCode::kNotFound) {
      if (!allow_create) return NotFound(r, name);
      auto created = mutate(json::value(nullptr));
      if (!created.ok()) return created.status();
      json::value obj = std::move(*created);
      if (absl::Status s = CheckTypeMeta(r, obj); !s.ok()) return s;
      EnsureObject(obj, {"metadata"})["name"] = name;
      if (r.namespaced) EnsureObject(obj, {"metadata"})["namespace"] = ns;
      EnsureObject(obj, {"metadata"}).erase("resourceVersion");
      if (absl::Status s = CheckNamespace(r, ns); !s.ok()) return s;
      auto res = CreateAdmitted(r, ns, std::move(obj), opts);
      if (!res.ok() && res.status().code() == absl::StatusCode::kAborted) continue;
      return res;
    }
    if (!cur.ok()) return ApiError(500, "InternalError", std::string(cur.status().message()));
    json::value old = ParseStored(*cur);
    auto mutated = mutate(old);
    if (!mutated.ok()) return mutated.status();
    json::value obj = std::move(*mutated);
    if (absl::Status s = CheckTypeMeta(r, obj); !s.ok()) return s;
    std::string_view body_name = GetString(obj, {"metadata", "name"});
    if (!body_name.empty() && body_name != name) {
      return BadRequest("the name of the object (" + std::string(body_name) +
                        ") does not match the name on the URL (" + std::string(name) + ")");
    }
    std::string_view body_ns = GetString(obj, {"metadata", "namespace"});
    if (r.namespaced && !body_ns.empty() && body_ns != ns) {
      return BadRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
    std::string body_rv(GetString(obj, {"metadata", "resourceVersion"}));
    bool pinned = !body_rv.empty();
    if (pinned && body_rv != std::to_string(cur->mod_revision)) return Conflict(r, name);

    // Fields the server owns: identity, timestamps, and the half (spec or status) this
    // endpoint does not write.
    json::object& meta = EnsureObject(obj, {"metadata"});
    const json::object& old_meta = old.as_object().at("metadata").as_object();
    meta["name"] = name;
    if (r.namespaced)
      meta["namespace"] = ns;
    else
      meta.erase("namespace");
    for (const char* f : {"uid", "creationTimestamp", "deletionTimestamp",
                          "deletionGracePeriodSeconds", "generation"}) {
      if (auto* v = old_meta.if_contains(f))
        meta[f] = *v;
      else
        meta.erase(f);
    }
    if (!meta.contains("managedFields"))
      if (auto* v = old_meta.if_contains("managedFields")) meta["managedFields"] = *v;
    if (opts.subresource == "finalize") {
      // Only spec.finalizers changes through /finalize.
      json::value merged = old;
      const json::value* fins = api::Find(obj, {"spec", "finalizers"});
      if (fins != nullptr) {
        EnsureObject(merged, {"spec"})["finalizers"] = *fins;
      } else if (json::value* spec = api::FindMutable(merged, {"spec"});
                 spec && spec->is_object()) {
        spec->as_object().erase("finalizers");
      }
      obj = std::move(merged);
    }
    auto admitted = Admit(r, &old, std::move(obj), opts);
    if (!admitted.ok()) return admitted.status();
    WriteResult res = std::move(*admitted);
    json::value stored = WithoutResourceVersion(res.object);
    std::string bytes = Serialize(stored);
    if (bytes == Serialize(WithoutResourceVersion(old))) {
      res.object = std::move(old);  // nothing changed: no write, same resourceVersion
      return res;
    }
    // An object being deleted goes away once its last finalizer is removed.
    const json::array* finalizers = api::GetArray(stored, {"metadata", "finalizers"});
    const json::array* spec_finalizers =
        r.kind == "Namespace" ? api::GetArray(stored, {"spec", "finalizers"}) : nullptr;
    bool finished = !GetString(stored, {"metadata", "deletionTimestamp"}).empty() &&
                    (finalizers == nullptr || finalizers->empty()) &&
                    (spec_finalizers == nullptr || spec_finalizers->empty()) &&
                    api::GetInt(stored, {"metadata", "deletionGracePeriodSeconds"}, 0) == 0;
    if (opts.dry_run) {
      EnsureObject(res.object, {"metadata"})["resourceVersion"] = std::to_string(cur->mod_revision);
      return res;
    }
    absl::Time start = clock_.Now();
    absl::StatusOr<int64_t> rev = finished ? store_->Delete(key, cur->mod_revision)
                                           : store_->Update(key, bytes, cur->mod_revision);
    ObserveStore(start);
    if (rev.status().code() == absl::StatusCode::kFailedPrecondition ||
        rev.status().code() == absl::StatusCode::kNotFound) {
      if (pinned) return Conflict(r, name);
      continue;
    }
    if (!rev.ok()) return ApiError(500, "InternalError", std::string(rev.status().message()));
    EnsureObject(res.object, {"metadata"})["resourceVersion"] = std::to_string(*rev);
    return res;
  }
  return Conflict(r, name, "too many concurrent writers, please retry");
}

absl::StatusOr<WriteResult> Registry::Update(const api::ResourceInfo& r, std::string_view ns,
                                             std::string_view name, json::value obj,
                                             const WriteOptions& opts) {
  if (!obj.is_object()) return BadRequest("the body of the request must be a JSON object");
  if (opts.subresource == "scale") {
    std::string rv(GetString(obj, {"metadata", "resourceVersion"}));
    int64_t replicas = api::GetInt(obj, {"spec", "replicas"}, -1);
    if (api::Find(obj, {"spec", "replicas"}) == nullptr) replicas = 0;
    auto res = Mutate(
        r, ns, name,
        [&](const json::value& old) -> absl::StatusOr<json::value> {
          json::value next = old;
          // Only the Scale's own resourceVersion is a precondition.
          EnsureObject(next, {"metadata"}).erase("resourceVersion");
          if (!rv.empty()) EnsureObject(next, {"metadata"})["resourceVersion"] = rv;
          EnsureObject(next, {"spec"})["replicas"] = replicas;
          return next;
        },
        WriteOptions{opts.dry_run, opts.field_manager, "Ignore", "scale", false}, false);
    if (!res.ok()) return res.status();
    if (replicas < 0) {
      return Invalid(r, name,
                     {api::Invalid("spec.replicas", std::to_string(replicas),
                                   "must be greater than or equal to 0")});
    }
    res->object = ToScale(r, res->object);
    return res;
  }
  bool allow_create = opts.subresource.empty() && AllowCreateOnUpdate(r);
  return Mutate(
      r, ns, name, [&](const json::value&) -> absl::StatusOr<json::value> { return obj; }, opts,
      allow_create);
}

absl::StatusOr<WriteResult> Registry::Patch(const api::ResourceInfo& r, std::string_view ns,
                                            std::string_view name, std::string_view content_type,
                                            std::string_view body, const WriteOptions& opts) {
  std::string_view ct = content_type.substr(0, content_type.find(';'));
  enum { kJson, kMerge, kStrategic, kApply } kind;
  if (ct == "application/json-patch+json") {
    kind = kJson;
  } else if (ct == "application/merge-patch+json") {
    kind = kMerge;
  } else if (ct == "application/strategic-merge-patch+json") {
    kind = kStrategic;
  } else if (ct == "application/apply-patch+yaml" || ct == "application/apply-patch+cbor") {
    kind = kApply;
  } else {
    return ApiError(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types "
                    "include: application/json-patch+json, application/merge-patch+json, "
                    "application/apply-patch+yaml, application/strategic-merge-patch+json");
  }
  auto patch = ParseBody(body, kind == kApply);
  if (!patch.ok()) return patch.status();
  if (kind == kJson && !patch->is_array()) {
    return BadRequest("the JSON patch must be an array of operations");
  }
  if (kind != kJson && !patch->is_object()) {
    return BadRequest("the patch must be a JSON object");
  }
  if (kind == kApply && opts.field_manager.empty()) {
    return Invalid(r, name, {api::Required("fieldManager", "is required for apply requests")});
  }
  const api::patch::SchemaNode* schema = api::patch::StrategicSchemaFor(r.group, r.kind);
  auto apply_patch = [&](const json::value& doc) -> absl::StatusOr<json::value> {
    absl::StatusOr<json::value> out;
    switch (kind) {
      case kJson:
        out = api::patch::ApplyJsonPatch(doc, *patch);
        break;
      case kMerge:
        out = api::patch::ApplyMergePatch(doc, *patch);
        break;
      case kStrategic:
        out = api::patch::ApplyStrategicMergePatch(doc, *patch, schema);
        break;
      case kApply:
        return BadRequest("apply patches are not supported on this subresource");
    }
    if (!out.ok()) {
      if (out.status().code() == absl::StatusCode::kInvalidArgument ||
          out.status().code() == absl::StatusCode::kFailedPrecondition) {
        return ApiError(422, "Invalid", std::string(out.status().message()));
      }
      return out.status();
    }
    return out;
  };

  if (opts.subresource == "scale") {
    int64_t replicas = -1;
    auto res = Mutate(
        r, ns, name,
        [&](const json::value& old) -> absl::StatusOr<json::value> {
          auto scaled = apply_patch(ToScale(r, old));
          if (!scaled.ok()) return scaled.status();
          json::value next = old;
          replicas = api::GetInt(*scaled, {"spec", "replicas"}, 0);
          EnsureObject(next, {"spec"})["replicas"] = replicas;
          std::string rv(GetString(*scaled, {"metadata", "resourceVersion"}));
          EnsureObject(next, {"metadata"}).erase("resourceVersion");
          if (rv != GetString(old, {"metadata", "resourceVersion"}))
            EnsureObject(next, {"metadata"})["resourceVersion"] = rv;
          return next;
        },
        WriteOptions{opts.dry_run, opts.field_manager, "Ignore", "scale", false}, false);
    if (!res.ok()) return res.status();
    res->object = ToScale(r, res->object);
    return res;
  }

  if (kind == kApply) {
    std::string now = base::FormatRfc3339(clock_.Now());
    WriteOptions apply_opts = opts;
    apply_opts.apply = true;
    return Mutate(
        r, ns, name,
        [&](const json::value& old) -> absl::StatusOr<json::value> {
          const json::value* live = old.is_null() ? nullptr : &old;
          auto out = api::patch::ServerSideApply(live, *patch, opts.field_manager, opts.force,
                                                 r.GroupVersion(), now, schema);
          if (!out.ok() && out.status().code() == absl::StatusCode::kAborted) {
            return ApiError(409, "Conflict", std::string(out.status().message()));
          }
          if (!out.ok()) return ApiError(422, "Invalid", std::string(out.status().message()));
          // Only a resourceVersion in the applied configuration is a precondition.
          if (GetString(*patch, {"metadata", "resourceVersion"}).empty()) {
            if (json::value* m = api::FindMutable(*out, {"metadata"}); m && m->is_object())
              m->as_object().erase("resourceVersion");
          }
          return out;
        },
        apply_opts, /*allow_create=*/opts.subresource.empty());
  }

  return Mutate(
      r, ns, name,
      [&](const json::value& old) -> absl::StatusOr<json::value> {
        // The patch is re-applied to the latest object on every retry, so only a
        // resourceVersion the patch itself carries is a precondition.
        json::value doc = old;
        if (json::value* m = api::FindMutable(doc, {"metadata"}); m && m->is_object())
          m->as_object().erase("resourceVersion");
        return apply_patch(doc);
      },
      opts, false);
}

absl::StatusOr<WriteResult> Registry::Delete(const api::ResourceInfo& r, std::string_view ns,
                                             std::string_view name, const DeleteOptions& opts) {
  const std::string key = Key(r, ns, name);
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto cur = store_->Get(key);
    if (cur.status().code() == absl::StatusCode::kNotFound) return NotFound(r, name);
    if (!cur.ok()) return ApiError(500, "InternalError", std::string(cur.status().message()));
    json::value old = ParseStored(*cur);
    std::string_view uid = GetString(old, {"metadata", "uid"});
    if (!opts.precondition_uid.empty() && opts.precondition_uid != uid) {
      return Conflict(r, name,
                      "Precondition failed: UID in precondition: " + opts.precondition_uid +
                          ", UID in object meta: " + std::string(uid));
    }
    if (!opts.precondition_rv.empty() &&
        opts.precondition_rv != std::to_string(cur->mod_revision)) {
      return Conflict(
          r, name,
          "Precondition failed: ResourceVersion in precondition: " + opts.precondition_rv +
              ", ResourceVersion in meta: " + std::to_string(cur->mod_revision));
    }
    WriteResult res;
    json::value next = old;
    json::object& meta = EnsureObject(next, {"metadata"});
    bool already_deleting = meta.contains("deletionTimestamp");

    // Finalizers requested by the propagation policy.
    json::array finalizers;
    if (auto* f = meta.if_contains("finalizers"); f && f->is_array()) finalizers = f->as_array();
    auto has = [&](std::string_view f) {
      for (const auto& v : finalizers)
        if (v.is_string() && v.get_string() == f) return true;
      return false;
    };
    if (opts.propagation_policy == "Orphan" && !has("orphan")) finalizers.push_back("orphan");
    if (opts.propagation_policy == "Foreground" && !has("foregroundDeletion"))
      finalizers.push_back("foregroundDeletion");

    int64_t grace = 0;
    if (r.kind == "Pod" && !GetString(old, {"spec", "nodeName"}).empty()) {
      grace = opts.grace_period_seconds.value_or(
          api::GetInt(old, {"spec", "terminationGracePeriodSeconds"}, 30));
      if (grace < 0) grace = 0;
      // A pod that never started running can go at once.
      std::string_view phase = GetString(old, {"status", "phase"});
      if (phase == "Succeeded" || phase == "Failed") grace = 0;
    }
    bool namespace_delete = r.kind == "Namespace" && r.group.empty();
    bool keep = !finalizers.empty() || grace > 0 || namespace_delete;
    if (already_deleting && keep) {
      // Deletion already in progress; a shorter grace period may still apply.
      int64_t cur_grace = api::GetInt(old, {"metadata", "deletionGracePeriodSeconds"}, 0);
      if (!(grace < cur_grace) &&
          finalizers.size() == (meta.contains("finalizers") && meta["finalizers"].is_array()
                                    ? meta["finalizers"].as_array().size()
                                    : 0)) {
        res.object = std::move(old);
        return res;
      }
    }
    if (opts.dry_run) {
      res.object = std::move(old);
      return res;
    }
    absl::Time start = clock_.Now();
    absl::StatusOr<int64_t> rev;
    if (keep) {
      absl::Time now = clock_.Now();
      if (!finalizers.empty()) meta["finalizers"] = finalizers;
      meta["deletionTimestamp"] = base::FormatRfc3339(now + absl::Seconds(grace));
      meta["deletionGracePeriodSeconds"] = grace;
      if (namespace_delete) EnsureObject(next, {"status"})["phase"] = "Terminating";
      meta.erase("resourceVersion");
      rev = store_->Update(key, Serialize(next), cur->mod_revision);
    } else {
      rev = store_->Delete(key, cur->mod_revision);
    }
    ObserveStore(start);
    if (rev.status().code() == absl::StatusCode::kFailedPrecondition) continue;
    if (rev.status().code() == absl::StatusCode::kNotFound) return NotFound(r, name);
    if (!rev.ok()) return ApiError(500, "InternalError", std::string(rev.status().message()));
    res.object = keep ? std::move(next) : std::move(old);
    EnsureObject(res.object, {"metadata"})["resourceVersion"] = std::to_string(*rev);
    return res;
  }
  return Conflict(r, name, "too many concurrent writers, please retry");
}

absl::Status Registry::Bind(std::string_view ns, std::string_view name, std::string_view uid,
                            std::string_view node) {
  const api::ResourceInfo& r = *api::FindResource("", "v1", "pods");
  const std::string key = Key(r, ns, name);
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto cur = store_->Get(key);
    if (cur.status().code() == absl::StatusCode::kNotFound) return NotFound(r, name);
    if (!cur.ok()) return ApiError(500, "InternalError", std::string(cur.status().message()));
    json::value pod = ParseStored(*cur);
    if (!uid.empty() && GetString(pod, {"metadata", "uid"}) != uid) {
      return Conflict(r, name, "Precondition failed: UID in precondition: " + std::string(uid));
    }
    if (!GetString(pod, {"metadata", "deletionTimestamp"}).empty()) {
      return Conflict(
          r, name, "pod " + std::string(name) + " is being deleted, cannot be assigned to a host");
    }
    std::string_view existing = GetString(pod, {"spec", "nodeName"});
    if (!existing.empty()) {
      return Conflict(r, name,
                      "pod " + std::string(name) + " is already assigned to node \"" +
                          std::string(existing) + "\"");
    }
    EnsureObject(pod, {"spec"})["nodeName"] = node;
    json::object& status = EnsureObject(pod, {"status"});
    json::array conditions;
    if (auto* c = status.if_contains("conditions"); c && c->is_array()) conditions = c->as_array();
    json::object scheduled{{"type", "PodScheduled"},
                           {"status", "True"},
                           {"lastProbeTime", nullptr},
                           {"lastTransitionTime", base::FormatRfc3339(clock_.Now())}};
    bool replaced = false;
    for (auto& c : conditions) {
      if (GetString(c, {"type"}) == "PodScheduled") {
        c = scheduled;
        replaced = true;
      }
    }
    if (!replaced) conditions.push_back(scheduled);
    status["conditions"] = std::move(conditions);
    absl::Time start = clock_.Now();
    auto rev = store_->Update(key, Serialize(WithoutResourceVersion(pod)), cur->mod_revision);
    ObserveStore(start);
    if (rev.status().code() == absl::StatusCode::kFailedPrecondition) continue;
    if (!rev.ok()) return ApiError(500, "InternalError", std::string(rev.status().message()));
    return absl::OkStatus();
  }
  return Conflict(r, name, "too many concurrent writers, please retry");
}

json::value Registry::ToScale(const api::ResourceInfo& r, const json::value& obj) {
  json::object scale;
  scale["kind"] = "Scale";
  scale["apiVersion"] = "autoscaling/v1";
  json::object meta;
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (const json::value* v = api::Find(obj, {"metadata", f})) meta[f] = *v;
  }
  scale["metadata"] = std::move(meta);
  json::object spec;
  spec["replicas"] = api::GetInt(obj, {"spec", "replicas"}, 0);
  scale["spec"] = std::move(spec);
  json::object status;
  status["replicas"] = api::GetInt(obj, {"status", "replicas"}, 0);
  std::string selector;
  if (r.kind == "ReplicationController") {
    if (const json::object* sel = api::GetObject(obj, {"spec", "selector"})) {
      std::vector<std::string> parts;
      for (const auto& kv : *sel)
        if (kv.value().is_string())
          parts.push_back(std::string(kv.key()) + "=" + std::string(kv.value().get_string()));
      std::sort(parts.begin(), parts.end());
      selector = absl::StrJoin(parts, ",");
    }
  } else if (const json::value* sel = api::Find(obj, {"spec", "selector"})) {
    auto parsed = api::LabelSelector::FromJson(*sel);
    if (parsed.ok()) selector = parsed->String();
  }
  if (!selector.empty()) status["selector"] = selector;
  scale["status"] = std::move(status);
  return scale;
}

absl::StatusOr<json::value> Registry::GetScale(const api::ResourceInfo& r, std::string_view ns,
                                               std::string_view name) {
  auto obj = Get(r, ns, name);
  if (!obj.ok()) return obj.status();
  return ToScale(r, json::parse((*obj)->json));
}

}  // namespace skiff::apiserver
