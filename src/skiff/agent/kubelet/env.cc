#include "skiff/agent/kubelet/env.h"

#include <cmath>

#include "absl/strings/escaping.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/text.h"

namespace skiff::agent::kubelet {

namespace json = boost::json;
using api::GetString;

namespace {

// C_IDENTIFIER-ish as the kubelet checks envFrom keys: IsEnvVarName (letters, digits, '_', '-',
// '.', not starting with a digit).
bool ValidEnvName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void Set(EnvList& env, std::string name, std::string value) {
  for (auto& [k, v] : env) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  env.emplace_back(std::move(name), std::move(value));
}

std::string_view Kind(std::string_view resource) {
  return resource == "secrets" ? "Secret" : "ConfigMap";
}

std::string_view LowerKind(std::string_view resource) {
  return resource == "secrets" ? "secret" : "configmap";
}

// The object's key/value data: ConfigMap data and binaryData, Secret data (base64) and
// stringData.
std::vector<std::pair<std::string, std::string>> Data(std::string_view resource,
                                                      const json::value& obj) {
  std::vector<std::pair<std::string, std::string>> out;
  if (const json::object* d = api::GetObject(obj, {"data"})) {
    for (const auto& [k, v] : *d) {
      if (!v.is_string()) continue;
      std::string value(v.get_string());
      if (resource == "secrets") {
        std::string decoded;
        if (!absl::Base64Unescape(value, &decoded)) continue;
        value = std::move(decoded);
      }
      out.emplace_back(std::string(k), std::move(value));
    }
  }
  if (resource != "secrets") {
    if (const json::object* d = api::GetObject(obj, {"binaryData"})) {
      for (const auto& [k, v] : *d) {
        std::string decoded;
        if (v.is_string() && absl::Base64Unescape(std::string(v.get_string()), &decoded))
          out.emplace_back(std::string(k), std::move(decoded));
      }
    }
  }
  return out;
}

absl::StatusOr<std::optional<json::value>> Fetch(const ObjectLookup& lookup,
                                                 std::string_view resource, std::string_view ns,
                                                 std::string_view name, bool optional) {
  auto obj = lookup(resource, ns, name);
  if (obj.ok()) return std::optional<json::value>(std::move(*obj));
  if (absl::IsNotFound(obj.status())) {
    if (optional) return std::optional<json::value>();
    return absl::NotFoundError(api::Cat(LowerKind(resource), " \"", name, "\" not found"));
  }
  return obj.status();
}

// The quantity at resources.<kind>.<name>, or nullopt.
std::optional<api::Quantity> ContainerQuantity(const json::value& container, std::string_view kind,
                                               std::string_view name) {
  const json::value* v = api::Find(container, {"resources", kind, name});
  if (v == nullptr) return std::nullopt;
  auto q = api::Quantity::FromJson(*v);
  if (!q.ok()) return std::nullopt;
  return *q;
}

}  // namespace

std::string Expand(std::string_view in, const EnvList& env) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$' || i + 1 >= in.size()) {
      out += in[i];
      continue;
    }
    char next = in[i + 1];
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '(') {
      size_t close = in.find(')', i + 2);
      if (close == std::string_view::npos) {
        out += in.substr(i);
        break;
      }
      std::string_view name = in.substr(i + 2, close - i - 2);
      const std::string* value = nullptr;
      for (const auto& [k, v] : env)
        if (k == name) value = &v;
      if (value != nullptr) {
        out += *value;
      } else {
        out += in.substr(i, close - i + 1);
      }
      i = close;
    } else {
      out += '$';
      out += next;
      ++i;
    }
  }
  return out;
}

absl::StatusOr<std::string> PodFieldValue(const json::value& pod, std::string_view path) {
  auto subscript = [&](std::string_view prefix) -> std::optional<std::string> {
    // metadata.labels['key']
    if (!path.starts_with(prefix) || !path.ends_with("']")) return std::nullopt;
    std::string_view key = path.substr(prefix.size(), path.size() - prefix.size() - 2);
    std::string_view map = prefix.substr(9, prefix.size() - 9 - 2);  // labels / annotations
    return std::string(GetString(pod, {"metadata", map, key}));
  };
  if (auto v = subscript("metadata.labels['")) return *v;
  if (auto v = subscript("metadata.annotations['")) return *v;
  if (path == "metadata.name") return std::string(GetString(pod, {"metadata", "name"}));
  if (path == "metadata.namespace") return std::string(GetString(pod, {"metadata", "namespace"}));
  if (path == "metadata.uid") return std::string(GetString(pod, {"metadata", "uid"}));
  if (path == "spec.nodeName") return std::string(GetString(pod, {"spec", "nodeName"}));
  if (path == "spec.serviceAccountName") {
    return std::string(GetString(pod, {"spec", "serviceAccountName"}));
  }
  if (path == "status.hostIP") return std::string(GetString(pod, {"status", "hostIP"}));
  if (path == "status.podIP") return std::string(GetString(pod, {"status", "podIP"}));
  if (path == "status.hostIPs" || path == "status.podIPs") {
    std::string field = path == "status.hostIPs" ? "hostIPs" : "podIPs";
    std::string out;
    if (const json::array* ips = api::GetArray(pod, {"status", field})) {
      for (const auto& ip : *ips) {
        if (!out.empty()) out += ',';
        out += GetString(ip, {"ip"});
      }
    }
    if (out.empty())
      out = GetString(pod, {"status", path == "status.hostIPs" ? "hostIP" : "podIP"});
    return out;
  }
  return absl::InvalidArgumentError(api::Cat("unsupported fieldPath: ", path));
}

absl::StatusOr<std::string> ResourceFieldValue(const json::value& container,
                                               std::string_view resource,
                                               const json::value* divisor,
                                               const NodeAllocatable& node) {
  api::Quantity div = api::Quantity::FromInt(1);
  if (divisor != nullptr && !divisor->is_null()) {
    auto d = api::Quantity::FromJson(*divisor);
    if (!d.ok()) return d.status();
    if (!d->IsZero()) div = *d;
  }
  auto dot = resource.find('.');
  if (dot == std::string_view::npos) {
    return absl::InvalidArgumentError(api::Cat("unsupported container resource: ", resource));
  }
  std::string_view kind = resource.substr(0, dot);
  std::string_view name = resource.substr(dot + 1);
  if (kind != "limits" && kind != "requests") {
    return absl::InvalidArgumentError(api::Cat("unsupported container resource: ", resource));
  }
  std::optional<api::Quantity> q = ContainerQuantity(container, kind, name);
  if (!q && kind == "limits") {
    // An unset limit is the node's allocatable (kubelet MergeContainerResourceLimits).
    if (name == "cpu") q = api::Quantity::FromMilli(node.cpu_millis);
    if (name == "memory") q = api::Quantity::FromInt(node.memory_bytes);
    if (name == "ephemeral-storage") q = api::Quantity::FromInt(node.ephemeral_storage_bytes);
  }
  if (!q) q = api::Quantity();
  if (name == "cpu") {
    double v = std::ceil(static_cast<double>(q->MilliValue()) /
                         static_cast<double>(std::max<int64_t>(1, div.MilliValue())));
    return api::Cat(static_cast<int64_t>(v));
  }
  if (name == "memory" || name == "ephemeral-storage" || name.starts_with("hugepages-")) {
    double v = std::ceil(static_cast<double>(q->Value()) /
                         static_cast<double>(std::max<int64_t>(1, div.Value())));
    return api::Cat(static_cast<int64_t>(v));
  }
  return absl::InvalidArgumentError(api::Cat("unsupported container resource: ", resource));
}

absl::StatusOr<EnvList> ResolveEnv(const json::value& pod, const json::value& container,
                                   const ObjectLookup& lookup, const NodeAllocatable& node) {
  EnvList env;
  std::string_view ns = GetString(pod, {"metadata", "namespace"});
  if (const json::array* from = api::GetArray(container, {"envFrom"})) {
    for (const auto& source : *from) {
      std::string_view prefix = GetString(source, {"prefix"});
      for (std::string_view resource : {"configmaps", "secrets"}) {
        const json::value* ref =
            api::Find(source, {resource == "secrets" ? "secretRef" : "configMapRef"});
        if (ref == nullptr) continue;
        std::string_view name = GetString(*ref, {"name"});
        auto obj = Fetch(lookup, resource, ns, name, api::GetBool(*ref, {"optional"}));
        if (!obj.ok()) return obj.status();
        if (!obj->has_value()) continue;
        for (auto& [k, v] : Data(resource, **obj)) {
          std::string key = api::Cat(prefix, k);
          if (ValidEnvName(key)) Set(env, std::move(key), std::move(v));
        }
      }
    }
  }
  if (const json::array* vars = api::GetArray(container, {"env"})) {
    for (const auto& var : *vars) {
      std::string name(GetString(var, {"name"}));
      const json::value* from = api::Find(var, {"valueFrom"});
      if (from == nullptr) {
        Set(env, name, Expand(GetString(var, {"value"}), env));
        continue;
      }
      if (const json::value* f = api::Find(*from, {"fieldRef"})) {
        auto v = PodFieldValue(pod, GetString(*f, {"fieldPath"}));
        if (!v.ok()) return v.status();
        Set(env, name, std::move(*v));
      } else if (const json::value* r = api::Find(*from, {"resourceFieldRef"})) {
        // containerName would name another container; the spec's own is the common case.
        const json::value* target = &container;
        std::string_view other = GetString(*r, {"containerName"});
        if (!other.empty() && other != GetString(container, {"name"})) {
          for (std::string_view list : {"containers", "initContainers"}) {
            if (const json::array* cs = api::GetArray(pod, {"spec", list})) {
              for (const auto& c : *cs)
                if (GetString(c, {"name"}) == other) target = &c;
            }
          }
        }
        auto v = ResourceFieldValue(*target, GetString(*r, {"resource"}),
                                    api::Find(*r, {"divisor"}), node);
        if (!v.ok()) return v.status();
        Set(env, name, std::move(*v));
      } else {
        std::string_view resource = "configmaps";
        const json::value* ref = api::Find(*from, {"configMapKeyRef"});
        if (ref == nullptr) {
          resource = "secrets";
          ref = api::Find(*from, {"secretKeyRef"});
        }
        if (ref == nullptr) continue;
        bool optional = api::GetBool(*ref, {"optional"});
        std::string_view obj_name = GetString(*ref, {"name"});
        std::string_view key = GetString(*ref, {"key"});
        auto obj = Fetch(lookup, resource, ns, obj_name, optional);
        if (!obj.ok()) return obj.status();
        if (!obj->has_value()) continue;
        bool found = false;
        for (auto& [k, v] : Data(resource, **obj)) {
          if (k != key) continue;
          Set(env, name, std::move(v));
          found = true;
        }
        if (!found && !optional) {
          return absl::NotFoundError(
              api::Cat("couldn't find key ", key, " in ", Kind(resource), " ", ns, "/", obj_name));
        }
      }
    }
  }
  return env;
}

}  // namespace skiff::agent::kubelet
