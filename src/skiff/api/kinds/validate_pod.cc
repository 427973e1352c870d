// PodSpec and PodTemplateSpec validation (Kubernetes 1.32 pkg/apis/core/validation): volumes,
// containers, probes, resources, tolerations, affinity and the pod-level fields users set.

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "skiff/api/go_repr.h"
#include "skiff/api/kinds/internal.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/text.h"
#include "skiff/api/validation.h"

namespace skiff::api::kinds::internal {
namespace {

constexpr std::string_view kFileModeMsg =
    "must be a number between 0 and 0777 (octal), both inclusive";
constexpr std::string_view kQuantityMsg =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kIPMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

// Volume source fields, in the order Kubernetes checks them.
constexpr std::string_view kVolumeSources[] = {"emptyDir",
                                               "hostPath",
                                               "gitRepo",
                                               "gcePersistentDisk",
                                               "awsElasticBlockStore",
                                               "secret",
                                               "nfs",
                                               "iscsi",
                                               "glusterfs",
                                               "flocker",
                                               "persistentVolumeClaim",
                                               "rbd",
                                               "cinder",
                                               "cephfs",
                                               "quobyte",
                                               "downwardAPI",
                                               "fc",
                                               "flexVolume",
                                               "configMap",
                                               "azureFile",
                                               "vsphereVolume",
                                               "photonPersistentDisk",
                                               "portworxVolume",
                                               "azureDisk",
                                               "storageos",
                                               "projected",
                                               "scaleIO",
                                               "csi",
                                               "ephemeral",
                                               "image"};

std::string P(std::string_view parent, std::string_view child) { return ChildPath(parent, child); }
bool IsInt(const json::value* v) { return v != nullptr && (v->is_int64() || v->is_uint64()); }

void Msgs(FieldErrors& errs, const std::vector<std::string>& msgs, const std::string& path,
          const std::string& repr) {
  for (const auto& m : msgs) errs.push_back(Invalid(path, repr, m));
}

FieldErrors ValidateDNS1123Label(std::string_view value, const std::string& path) {
  FieldErrors errs;
  Msgs(errs, IsDNS1123Label(value), path, GoQuote(value));
  return errs;
}

FieldErrors ValidateDNS1123Subdomain(std::string_view value, const std::string& path) {
  FieldErrors errs;
  Msgs(errs, IsDNS1123Subdomain(value), path, GoQuote(value));
  return errs;
}

// ---- Paths inside volumes (validateLocalDescendingPath and friends). ----

FieldErrors ValidatePathNoBacksteps(std::string_view target, const std::string& path) {
  for (std::string_view part : Split(target, '/')) {
    if (part == "..") return {Invalid(path, GoQuote(target), "must not contain '..'")};
  }
  return {};
}

FieldErrors ValidateLocalDescendingPath(std::string_view target, const std::string& path) {
  FieldErrors errs;
  if (!target.empty() && target.front() == '/') {
    errs.push_back(Invalid(path, GoQuote(target), "must be a relative path"));
  }
  Append(errs, ValidatePathNoBacksteps(target, path));
  return errs;
}

FieldErrors ValidateLocalNonReservedPath(std::string_view target, const std::string& path) {
  FieldErrors errs = ValidateLocalDescendingPath(target, path);
  if (target.substr(0, 2) == ".." && target.substr(0, 3) != "../") {
    errs.push_back(Invalid(path, GoQuote(target), "must not start with '..'"));
  }
  return errs;
}

FieldErrors ValidateFileMode(const json::value& holder, std::string_view key,
                             const std::string& path) {
  const json::value* mode = Get(holder, key);
  if (mode == nullptr) return {};
  int64_t m = Int(mode);
  if (m > 0777 || m < 0) return {Invalid(P(path, key), Cat(m), kFileModeMsg)};
  return {};
}

FieldErrors ValidateKeyToPaths(const json::value& source, const std::string& path) {
  FieldErrors errs;
  const json::array& items = Arr(source, "items");
  for (size_t i = 0; i < items.size(); ++i) {
    std::string ip = IndexPath(P(path, "items"), i);
    if (Str(items[i], "key").empty()) errs.push_back(Required(P(ip, "key"), ""));
    std::string p = Str(items[i], "path");
    if (p.empty()) errs.push_back(Required(P(ip, "path"), ""));
    Append(errs, ValidateLocalNonReservedPath(p, P(ip, "path")));
    Append(errs, ValidateFileMode(items[i], "mode", ip));
  }
  return errs;
}

FieldErrors ValidateVolumeSource(const json::value& vol, const std::string& path) {
  FieldErrors errs;
  int count = 0;
  for (std::string_view type : kVolumeSources) {
    const json::value* src = Get(vol, type);
    if (src == nullptr) continue;
    std::string sp = P(path, type);
    if (count > 0) {
      errs.push_back(Forbidden(sp, "may not specify more than 1 volume type"));
      continue;
    }
    ++count;
    if (type == "emptyDir") {
      if (const json::value* limit = Get(*src, "sizeLimit")) {
        auto q = Quantity::FromJson(*limit);
        if (q.ok() && q->Sign() < 0) {
          errs.push_back(
              Forbidden(P(sp, "sizeLimit"), "SizeLimit field must be a valid resource quantity"));
        }
      }
    } else if (type == "hostPath") {
      std::string p = Str(*src, "path");
      if (p.empty()) {
        errs.push_back(Required(P(sp, "path"), ""));
        continue;
      }
      Append(errs, ValidatePathNoBacksteps(p, P(sp, "path")));
      if (const json::value* t = Get(*src, "type")) {
        static const std::vector<std::string> kTypes = {
            "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
            "File", "FileOrCreate", "Socket"};
        std::string tv = t->is_string() ? std::string(t->get_string()) : json::serialize(*t);
        if (std::find(kTypes.begin(), kTypes.end(), tv) == kTypes.end()) {
          errs.push_back(NotSupported(P(sp, "type"), GoQuote(tv), kTypes));
        }
      }
    } else if (type == "secret") {
      if (Str(*src, "secretName").empty()) errs.push_back(Required(P(sp, "secretName"), ""));
      Append(errs, ValidateFileMode(*src, "defaultMode", sp));
      Append(errs, ValidateKeyToPaths(*src, sp));
    } else if (type == "configMap") {
      if (Str(*src, "name").empty()) errs.push_back(Required(P(sp, "name"), ""));
      Append(errs, ValidateFileMode(*src, "defaultMode", sp));
      Append(errs, ValidateKeyToPaths(*src, sp));
    } else if (type == "persistentVolumeClaim") {
      if (Str(*src, "claimName").empty()) errs.push_back(Required(P(sp, "claimName"), ""));
    } else if (type == "nfs") {
      if (Str(*src, "server").empty()) errs.push_back(Required(P(sp, "server"), ""));
      std::string p = Str(*src, "path");
      if (p.empty()) errs.push_back(Required(P(sp, "path"), ""));
      if (p.empty() || p.front() != '/') {
        errs.push_back(Invalid(P(sp, "path"), GoQuote(p), "must be an absolute path"));
      }
    } else if (type == "downwardAPI") {
      Append(errs, ValidateFileMode(*src, "defaultMode", sp));
      for (const auto& item : Arr(*src, "items")) {
        std::string p = Str(item, "path");
        if (p.empty()) errs.push_back(Required(P(sp, "path"), ""));
        Append(errs, ValidateLocalNonReservedPath(p, P(sp, "path")));
        bool field_ref = Get(item, "fieldRef") != nullptr;
        bool resource_ref = Get(item, "resourceFieldRef") != nullptr;
        if (field_ref && resource_ref) {
          errs.push_back(
              Invalid(sp, GoQuote("resource"),
                      "fieldRef and resourceFieldRef can not be specified simultaneously"));
        } else if (!field_ref && !resource_ref) {
          errs.push_back(Required(sp, "one of fieldRef and resourceFieldRef is required"));
        }
        Append(errs, ValidateFileMode(item, "mode", sp));
      }
    } else if (type == "projected") {
      Append(errs, ValidateFileMode(*src, "defaultMode", sp));
      const json::array& sources = Arr(*src, "sources");
      for (size_t i = 0; i < sources.size(); ++i) {
        std::string ip = IndexPath(P(sp, "sources"), i);
        int n = 0;
        for (std::string_view k :
             {"secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle"}) {
          if (Get(sources[i], k) != nullptr) ++n;
        }
        if (const json::value* t = Get(sources[i], "serviceAccountToken")) {
          int64_t exp = Int(Get(*t, "expirationSeconds"));
          std::string tp = P(ip, "serviceAccountToken");
          if (exp < 600) {
            errs.push_back(Invalid(P(tp, "expirationSeconds"), Cat(exp),
                                   "may not specify a duration less than 10 minutes"));
          }
          if (exp > (int64_t{1} << 32)) {
            errs.push_back(Invalid(P(tp, "expirationSeconds"), Cat(exp),
                                   "may not specify a duration larger than 2^32 seconds"));
          }
          if (Str(*t, "path").empty()) errs.push_back(Required(P(sp, "path"), ""));
        }
        for (std::string_view k : {"secret", "configMap"}) {
          if (const json::value* s = Get(sources[i], k)) {
            if (Str(*s, "name").empty()) errs.push_back(Required(P(P(ip, k), "name"), ""));
            Append(errs, ValidateKeyToPaths(*s, P(ip, k)));
          }
        }
        if (n > 1) errs.push_back(Forbidden(ip, "may not specify more than 1 volume type"));
      }
    } else if (type == "csi") {
      std::string driver = Str(*src, "driver");
      std::string dp = P(sp, "driver");
      if (driver.empty()) errs.push_back(Required(dp, ""));
      if (driver.size() > 63) errs.push_back(TooLong(dp, 63));
      Msgs(errs, IsDNS1123Subdomain(ToLowerAscii(driver)), dp, GoQuote(driver));
    } else if (type == "ephemeral") {
      const json::value* tmpl = Get(*src, "volumeClaimTemplate");
      if (tmpl == nullptr) {
        errs.push_back(Required(P(sp, "volumeClaimTemplate"), ""));
      } else {
        std::string tp = P(sp, "volumeClaimTemplate");
        Append(errs,
               ValidateAnnotations(
                   Get(*tmpl, "metadata") ? Find(*tmpl, {"metadata", "annotations"}) : nullptr,
                   P(P(tp, "metadata"), "annotations")));
        Append(errs, ValidateLabels(
                         Get(*tmpl, "metadata") ? Find(*tmpl, {"metadata", "labels"}) : nullptr,
                         P(P(tp, "metadata"), "labels")));
        static const json::value kEmpty = json::object();
        const json::value* spec = Get(*tmpl, "spec");
        Append(errs, ValidatePersistentVolumeClaimSpec(spec ? *spec : kEmpty, P(tp, "spec")));
      }
    } else if (type == "gitRepo") {
      if (Str(*src, "repository").empty()) errs.push_back(Required(P(sp, "repository"), ""));
      Append(errs, ValidateLocalDescendingPath(Str(*src, "directory"), P(sp, "directory")));
    }
  }
  if (count == 0) errs.push_back(Required(path, "must specify a volume type"));
  return errs;
}

// ---- Containers. ----

FieldErrors ValidatePortNumOrName(const json::value* port, const std::string& path) {
  FieldErrors errs;
  if (port != nullptr && port->is_string()) {
    Msgs(errs, IsValidPortName(port->get_string()), path, GoQuote(port->get_string()));
  } else {
    int64_t n = Int(port);
    Msgs(errs, IsValidPortNum(n), path, Cat(n));
  }
  return errs;
}

bool IsStandardContainerResourceName(std::string_view name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
         name.substr(0, 10) == "hugepages-";
}

bool IsStandardResourceName(std::string_view name) {
  static const std::set<std::string_view> kStandard = {"cpu",
                                                       "memory",
                                                       "ephemeral-storage",
                                                       "requests.cpu",
                                                       "requests.memory",
                                                       "requests.ephemeral-storage",
                                                       "limits.cpu",
                                                       "limits.memory",
                                                       "limits.ephemeral-storage",
                                                       "pods",
                                                       "services",
                                                       "replicationcontrollers",
                                                       "resourcequotas",
                                                       "secrets",
                                                       "configmaps",
                                                       "persistentvolumeclaims",
                                                       "storage",
                                                       "requests.storage",
                                                       "services.nodeports",
                                                       "services.loadbalancers"};
  return kStandard.count(name) > 0 || name.substr(0, 10) == "hugepages-" ||
         name.substr(0, 19) == "requests.hugepages-";
}

bool IsNativeResource(std::string_view name) {
  return name.find('/') == std::string_view::npos ||
         name.find("kubernetes.io/") != std::string_view::npos;
}

bool IsExtendedResourceName(std::string_view name) {
  if (IsNativeResource(name) || name.substr(0, 9) == "requests.") return false;
  return IsQualifiedName(Cat("requests.", name)).empty();
}

bool IsOvercommitAllowed(std::string_view name) {
  return IsNativeResource(name) && name.substr(0, 10) != "hugepages-";
}

FieldErrors ValidateContainerResourceName(std::string_view name, const std::string& path) {
  FieldErrors errs;
  Msgs(errs, IsQualifiedName(name), path, GoQuote(name));
  bool unprefixed = name.find('/') == std::string_view::npos;
  if (errs.empty() && unprefixed && !IsStandardResourceName(name)) {
    errs.push_back(
        Invalid(path, GoQuote(name), "must be a standard resource type or fully qualified"));
  }
  if (unprefixed) {
    if (!IsStandardContainerResourceName(name)) {
      errs.push_back(Invalid(path, GoQuote(name), "must be a standard resource for containers"));
    }
  } else if (!IsNativeResource(name) && !IsExtendedResourceName(name)) {
    errs.push_back(Invalid(path, GoQuote(name), "doesn't follow extended resource name standard"));
  }
  return errs;
}

FieldErrors ValidateResourceRequirements(const json::value* resources, const std::string& path) {
  FieldErrors errs;
  if (resources == nullptr) return errs;
  std::string lim_path = P(path, "limits"), req_path = P(path, "requests");
  std::map<std::string, Quantity> limits;
  const json::value* lims = Get(*resources, "limits");
  if (lims != nullptr && lims->is_object()) {
    for (const auto& kv : lims->get_object()) {
      std::string kp = KeyPath(lim_path, kv.key());
      Append(errs, ValidateContainerResourceName(kv.key(), kp));
      Append(errs, ValidateResourceQuantity(kv.key(), kv.value(), kp));
      if (auto q = Quantity::FromJson(kv.value()); q.ok()) limits[std::string(kv.key())] = *q;
    }
  }
  const json::value* reqs = Get(*resources, "requests");
  if (reqs != nullptr && reqs->is_object()) {
    for (const auto& kv : reqs->get_object()) {
      std::string name(kv.key());
      std::string kp = KeyPath(req_path, name);
      Append(errs, ValidateContainerResourceName(name, kp));
      Append(errs, ValidateResourceQuantity(name, kv.value(), kp));
      auto q = Quantity::FromJson(kv.value());
      if (!q.ok()) continue;
      auto lim = limits.find(name);
      if (lim != limits.end()) {
        if (*q != lim->second && !IsOvercommitAllowed(name)) {
          errs.push_back(
              Invalid(req_path, GoQuote(q->String()),
                      Cat("must be equal to ", name, " limit of ", lim->second.String())));
        } else if (*q > lim->second) {
          errs.push_back(Invalid(
              req_path, GoQuote(q->String()),
              Cat("must be less than or equal to ", name, " limit of ", lim->second.String())));
        }
      } else if (!IsOvercommitAllowed(name)) {
        errs.push_back(Required(lim_path, "Limit must be set for non overcommitable resources"));
      }
    }
  }
  return errs;
}

FieldErrors ValidateHandler(const json::value& handler, const std::string& path,
                            const json::value* grace_period, bool allow_grpc, bool allow_sleep) {
  FieldErrors errs;
  int n = 0;
  auto check = [&](std::string_view type) -> const json::value* {
    const json::value* h = Get(handler, type);
    if (h == nullptr) return nullptr;
    if (n > 0) {
      errs.push_back(Forbidden(P(path, type), "may not specify more than 1 handler type"));
      return nullptr;
    }
    ++n;
    return h;
  };
  if (const json::value* exec = check("exec")) {
    if (Arr(*exec, "command").empty()) errs.push_back(Required(P(P(path, "exec"), "command"), ""));
  }
  if (const json::value* http = check("httpGet")) {
    std::string hp = P(path, "httpGet");
    if (Str(*http, "path").empty()) errs.push_back(Required(P(hp, "path"), ""));
    Append(errs, ValidatePortNumOrName(Get(*http, "port"), P(hp, "port")));
    std::string scheme = Str(*http, "scheme");
    if (scheme != "HTTP" && scheme != "HTTPS") {
      errs.push_back(NotSupported(P(hp, "scheme"), GoQuote(scheme), {"HTTP", "HTTPS"}));
    }
    for (const auto& h : Arr(*http, "httpHeaders")) {
      std::string name = Str(h, "name");
      Msgs(errs, IsHTTPHeaderName(name), P(hp, "httpHeaders"), GoQuote(name));
    }
  }
  if (const json::value* tcp = check("tcpSocket")) {
    Append(errs, ValidatePortNumOrName(Get(*tcp, "port"), P(P(path, "tcpSocket"), "port")));
  }
  if (allow_grpc) {
    if (const json::value* grpc = check("grpc")) {
      int64_t port = Int(Get(*grpc, "port"));
      Msgs(errs, IsValidPortNum(port), P(P(path, "grpc"), "port"), Cat(port));
    }
  }
  if (allow_sleep) {
    if (const json::value* sleep = check("sleep")) {
      int64_t seconds = Int(Get(*sleep, "seconds"));
      int64_t grace = Int(grace_period);
      if (seconds <= 0 || seconds > grace) {
        errs.push_back(Invalid(P(path, "sleep"), Cat(seconds),
                               Cat("must be greater than 0 and less than "
                                   "terminationGracePeriodSeconds (",
                                   grace, ")")));
      }
    }
  }
  if (n == 0) errs.push_back(Required(path, "must specify a handler type"));
  return errs;
}

FieldErrors ValidateProbe(const json::value* probe, const std::string& path,
                          const json::value* grace_period, std::string_view kind) {
  FieldErrors errs;
  if (probe == nullptr) return errs;
  Append(errs,
         ValidateHandler(*probe, path, grace_period, /*allow_grpc=*/true, /*allow_sleep=*/false));
  for (std::string_view f : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                             "successThreshold", "failureThreshold"}) {
    Append(errs, ValidateNonnegative(Int(Get(*probe, f)), P(path, f)));
  }
  const json::value* tgps = Get(*probe, "terminationGracePeriodSeconds");
  if (tgps != nullptr && Int(tgps) <= 0) {
    errs.push_back(Invalid(P(path, "terminationGracePeriodSeconds"), Cat(Int(tgps)),
                           "must be greater than 0"));
  }
  if (kind == "readiness") {
    if (tgps != nullptr) {
      errs.push_back(Invalid(P(path, "terminationGracePeriodSeconds"), Cat(Int(tgps)),
                             "must not be set for readinessProbes"));
    }
  } else if (Int(Get(*probe, "successThreshold")) != 1) {
    errs.push_back(Invalid(P(path, "successThreshold"), Cat(Int(Get(*probe, "successThreshold"))),
                           "must be 1"));
  }
  return errs;
}

FieldErrors ValidateLifecycle(const json::value& lifecycle, const std::string& path,
                              const json::value* grace_period) {
  FieldErrors errs;
  for (std::string_view hook : {"postStart", "preStop"}) {
    if (const json::value* h = Get(lifecycle, hook)) {
      Append(errs, ValidateHandler(*h, P(path, hook), grace_period, /*allow_grpc=*/false,
                                   /*allow_sleep=*/true));
    }
  }
  return errs;
}

FieldErrors ValidateEnv(const json::value& container, const std::string& path) {
  FieldErrors errs;
  const json::array& env = Arr(container, "env");
  for (size_t i = 0; i < env.size(); ++i) {
    std::string ip = IndexPath(P(path, "env"), i);
    std::string name = Str(env[i], "name");
    if (name.empty()) {
      errs.push_back(Required(P(ip, "name"), ""));
    } else {
      Msgs(errs, IsRelaxedEnvVarName(name), P(ip, "name"), GoQuote(name));
    }
    const json::value* from = Get(env[i], "valueFrom");
    if (from == nullptr) continue;
    std::string fp = P(ip, "valueFrom");
    int sources = 0;
    if (const json::value* ref = Get(*from, "fieldRef")) {
      ++sources;
      std::string rp = P(fp, "fieldRef");
      static const std::vector<std::string> kFields = {"metadata.name",
                                                       "metadata.namespace",
                                                       "metadata.uid",
                                                       "spec.nodeName",
                                                       "spec.serviceAccountName",
                                                       "status.hostIP",
                                                       "status.hostIPs",
                                                       "status.podIP",
                                                       "status.podIPs"};
      std::string field_path = Str(*ref, "fieldPath");
      if (Str(*ref, "apiVersion").empty()) {
        errs.push_back(Required(P(rp, "apiVersion"), ""));
      } else if (field_path.empty()) {
        errs.push_back(Required(P(rp, "fieldPath"), ""));
      } else if (size_t open = field_path.find('['); open != std::string::npos) {
        std::string base = field_path.substr(0, open);
        std::string key = field_path.substr(open + 1);
        if (!key.empty() && key.back() == ']') key.pop_back();
        if (key.size() >= 2 && key.front() == '\'' && key.back() == '\'')
          key = key.substr(1, key.size() - 2);
        if (base == "metadata.annotations") {
          Msgs(errs, IsQualifiedName(ToLowerAscii(key)), rp, GoQuote(ToLowerAscii(key)));
        } else if (base == "metadata.labels") {
          Msgs(errs, IsQualifiedName(key), rp, GoQuote(key));
        } else {
          errs.push_back(Invalid(rp, GoQuote(base), "does not support subscript"));
        }
      } else if (std::find(kFields.begin(), kFields.end(), field_path) == kFields.end()) {
        errs.push_back(NotSupported(P(rp, "fieldPath"), GoQuote(field_path), kFields));
      }
    }
    if (const json::value* ref = Get(*from, "resourceFieldRef")) {
      ++sources;
      static const std::vector<std::string> kResources = {
          "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
          "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
      std::string resource = Str(*ref, "resource");
      std::string rp = P(fp, "resourceFieldRef");
      if (resource.empty()) {
        errs.push_back(Required(P(rp, "resource"), ""));
      } else if (std::find(kResources.begin(), kResources.end(), resource) == kResources.end() &&
                 resource.rfind("requests.hugepages-", 0) != 0 &&
                 resource.rfind("limits.hugepages-", 0) != 0) {
        errs.push_back(NotSupported(P(rp, "resource"), GoQuote(resource), kResources));
      }
    }
    for (std::string_view kind : {"configMapKeyRef", "secretKeyRef"}) {
      const json::value* ref = Get(*from, kind);
      if (ref == nullptr) continue;
      ++sources;
      std::string rp = P(fp, kind);
      std::string ref_name = Str(*ref, "name");
      Msgs(errs, NameIsDNSSubdomain(ref_name, false), P(rp, "name"), GoQuote(ref_name));
      std::string key = Str(*ref, "key");
      if (key.empty()) {
        errs.push_back(Required(P(rp, "key"), ""));
      } else {
        Msgs(errs, IsConfigMapKey(key), P(rp, "key"), GoQuote(key));
      }
    }
    if (sources == 0) {
      errs.push_back(Invalid(fp, GoQuote(""),
                             "must specify one of: `fieldRef`, `resourceFieldRef`, "
                             "`configMapKeyRef` or `secretKeyRef`"));
    } else if (!Str(env[i], "value").empty()) {
      errs.push_back(Invalid(fp, GoQuote(""), "may not be specified when `value` is not empty"));
    } else if (sources > 1) {
      errs.push_back(
          Invalid(fp, GoQuote(""), "may not have more than one field specified at a time"));
    }
  }
  const json::array& env_from = Arr(container, "envFrom");
  for (size_t i = 0; i < env_from.size(); ++i) {
    std::string ip = IndexPath(P(path, "envFrom"), i);
    std::string prefix = Str(env_from[i], "prefix");
    if (!prefix.empty()) Msgs(errs, IsRelaxedEnvVarName(prefix), P(ip, "prefix"), GoQuote(prefix));
    int sources = 0;
    for (std::string_view kind : {"configMapRef", "secretRef"}) {
      const json::value* ref = Get(env_from[i], kind);
      if (ref == nullptr) continue;
      ++sources;
      std::string name = Str(*ref, "name");
      if (name.empty()) {
        errs.push_back(Required(P(P(ip, kind), "name"), ""));
      } else {
        Msgs(errs, NameIsDNSSubdomain(name, true), P(P(ip, kind), "name"), GoQuote(name));
      }
    }
    if (sources == 0) {
      errs.push_back(Invalid(P(path, "envFrom"), GoQuote(""),
                             "must specify one of: `configMapRef` or `secretRef`"));
    } else if (sources > 1) {
      errs.push_back(Invalid(P(path, "envFrom"), GoQuote(""),
                             "may not have more than one field specified at a time"));
    }
  }
  return errs;
}

FieldErrors ValidateVolumeMounts(const json::value& container, const std::string& path,
                                 const std::map<std::string, std::string>& volumes) {
  FieldErrors errs;
  std::string mp = P(path, "volumeMounts");
  const json::array& mounts = Arr(container, "volumeMounts");
  std::set<std::string> device_names, device_paths, mount_paths;
  for (const auto& d : Arr(container, "volumeDevices")) {
    device_names.insert(Str(d, "name"));
    device_paths.insert(Str(d, "devicePath"));
  }
  bool privileged = Find(container, {"securityContext", "privileged"}) != nullptr &&
                    GetBool(container, {"securityContext", "privileged"});
  for (size_t i = 0; i < mounts.size(); ++i) {
    std::string ip = IndexPath(mp, i);
    std::string name = Str(mounts[i], "name");
    std::string mount_path = Str(mounts[i], "mountPath");
    if (name.empty()) errs.push_back(Required(P(ip, "name"), ""));
    if (!volumes.count(name)) errs.push_back(NotFound(P(ip, "name"), GoQuote(name)));
    if (mount_path.empty()) errs.push_back(Required(P(ip, "mountPath"), ""));
    if (mount_paths.count(mount_path)) {
      errs.push_back(Invalid(P(ip, "mountPath"), GoQuote(mount_path), "must be unique"));
    }
    mount_paths.insert(mount_path);
    if (device_names.count(name)) {
      errs.push_back(
          Invalid(P(ip, "name"), GoQuote(name), "must not already exist in volumeDevices"));
    }
    if (device_paths.count(mount_path)) {
      errs.push_back(Invalid(P(ip, "mountPath"), GoQuote(mount_path),
                             "must not already exist as a path in volumeDevices"));
    }
    std::string sub_path = Str(mounts[i], "subPath");
    // Kubernetes reports these on the list path, not the item path.
    if (!sub_path.empty()) Append(errs, ValidateLocalDescendingPath(sub_path, P(mp, "subPath")));
    std::string sub_path_expr = Str(mounts[i], "subPathExpr");
    if (!sub_path_expr.empty()) {
      if (!sub_path.empty()) {
        errs.push_back(Invalid(P(ip, "subPathExpr"), GoQuote(sub_path_expr),
                               "subPathExpr and subPath are mutually exclusive"));
      }
      Append(errs, ValidateLocalDescendingPath(sub_path_expr, P(mp, "subPathExpr")));
    }
    if (const json::value* prop = Get(mounts[i], "mountPropagation")) {
      std::string v = prop->is_string() ? std::string(prop->get_string()) : json::serialize(*prop);
      if (v != "Bidirectional" && v != "HostToContainer" && v != "None") {
        errs.push_back(NotSupported(P(mp, "mountPropagation"), GoQuote(v),
                                    {"Bidirectional", "HostToContainer", "None"}));
      }
      if (v == "Bidirectional" && !privileged) {
        errs.push_back(Forbidden(P(mp, "mountPropagation"),
                                 "Bidirectional mount propagation is available only to "
                                 "privileged containers"));
      }
    }
  }
  return errs;
}

FieldErrors ValidateSecurityContextIds(const json::value* sc, const std::string& path,
                                       bool pod_level) {
  FieldErrors errs;
  if (sc == nullptr) return errs;
  constexpr int64_t kMaxId = 4294967295;
  std::vector<std::string_view> ids = {"runAsUser", "runAsGroup"};
  if (pod_level) ids.insert(ids.begin(), "fsGroup");
  for (std::string_view f : ids) {
    const json::value* v = Get(*sc, f);
    if (v != nullptr && (Int(v) < 0 || Int(v) > kMaxId)) {
      errs.push_back(Invalid(P(path, f), Cat(Int(v)), InclusiveRangeError(0, kMaxId)));
    }
  }
  if (pod_level) {
    const json::array& groups = Arr(*sc, "supplementalGroups");
    for (size_t i = 0; i < groups.size(); ++i) {
      int64_t g = Int(&groups[i]);
      if (g < 0 || g > kMaxId) {
        errs.push_back(Invalid(IndexPath(P(path, "supplementalGroups"), i), Cat(g),
                               InclusiveRangeError(0, kMaxId)));
      }
    }
  }
  if (const json::value* profile = Get(*sc, "seccompProfile")) {
    std::string type = Str(*profile, "type");
    std::string tp = P(P(path, "seccompProfile"), "type");
    if (type.empty()) {
      errs.push_back(Required(tp, "type is required when seccompProfile is set"));
    } else if (type != "Localhost" && type != "RuntimeDefault" && type != "Unconfined") {
      errs.push_back(
          NotSupported(tp, GoQuote(type), {"Localhost", "RuntimeDefault", "Unconfined"}));
    } else if (type == "Localhost" && Get(*profile, "localhostProfile") == nullptr) {
      errs.push_back(Required(P(P(path, "seccompProfile"), "localhostProfile"),
                              "must be set when seccomp type is Localhost"));
    }
  }
  if (!pod_level) {
    const json::value* ape = Get(*sc, "allowPrivilegeEscalation");
    const json::value* priv = Get(*sc, "privileged");
    if (ape != nullptr && ape->is_bool() && !ape->get_bool() && priv != nullptr &&
        priv->is_bool() && priv->get_bool()) {
      errs.push_back(
          Invalid(path, json::serialize(*sc),
                  "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
    }
    if (const json::value* pm = Get(*sc, "procMount")) {
      std::string v = pm->is_string() ? std::string(pm->get_string()) : json::serialize(*pm);
      if (v != "Default" && v != "Unmasked") {
        errs.push_back(NotSupported(P(path, "procMount"), GoQuote(v), {"Default", "Unmasked"}));
      }
    }
  }
  return errs;
}

// validateContainerCommon: what regular, init and ephemeral containers share.
FieldErrors ValidateContainerCommon(const json::value& c, const std::string& path,
                                    const std::map<std::string, std::string>& volumes) {
  FieldErrors errs;
  std::string name = Str(c, "name");
  if (name.empty()) {
    errs.push_back(Required(P(path, "name"), ""));
  } else {
    Append(errs, ValidateDNS1123Label(name, P(path, "name")));
  }
  if (Str(c, "image").empty()) errs.push_back(Required(P(path, "image"), ""));
  std::string tmp = Str(c, "terminationMessagePolicy");
  if (tmp.empty()) {
    errs.push_back(Required(P(path, "terminationMessagePolicy"), ""));
  } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
    errs.push_back(NotSupported(P(path, "terminationMessagePolicy"), GoQuote(tmp),
                                {"File", "FallbackToLogsOnError"}));
  }
  // Ports.
  std::set<std::string> port_names;
  const json::array& ports = Arr(c, "ports");
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string ip = IndexPath(P(path, "ports"), i);
    std::string pname = Str(ports[i], "name");
    if (!pname.empty()) {
      auto msgs = IsValidPortName(pname);
      if (!msgs.empty()) {
        Msgs(errs, msgs, P(ip, "name"), GoQuote(pname));
      } else if (port_names.count(pname)) {
        errs.push_back(Duplicate(P(ip, "name"), GoQuote(pname)));
      } else {
        port_names.insert(pname);
      }
    }
    int64_t container_port = Int(Get(ports[i], "containerPort"));
    if (container_port == 0) {
      errs.push_back(Required(P(ip, "containerPort"), ""));
    } else {
      Msgs(errs, IsValidPortNum(container_port), P(ip, "containerPort"), Cat(container_port));
    }
    int64_t host_port = Int(Get(ports[i], "hostPort"));
    if (host_port != 0) Msgs(errs, IsValidPortNum(host_port), P(ip, "hostPort"), Cat(host_port));
    std::string protocol = Str(ports[i], "protocol");
    if (protocol.empty()) {
      errs.push_back(Required(P(ip, "protocol"), ""));
    } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
      errs.push_back(NotSupported(P(ip, "protocol"), GoQuote(protocol), {"SCTP", "TCP", "UDP"}));
    }
  }
  Append(errs, ValidateEnv(c, path));
  Append(errs, ValidateVolumeMounts(c, path, volumes));
  std::string pull = Str(c, "imagePullPolicy");
  if (pull.empty()) {
    errs.push_back(Required(P(path, "imagePullPolicy"), ""));
  } else if (pull != "Always" && pull != "IfNotPresent" && pull != "Never") {
    errs.push_back(NotSupported(P(path, "imagePullPolicy"), GoQuote(pull),
                                {"Always", "IfNotPresent", "Never"}));
  }
  Append(errs, ValidateResourceRequirements(Get(c, "resources"), P(path, "resources")));
  Append(errs,
         ValidateSecurityContextIds(Get(c, "securityContext"), P(path, "securityContext"), false));
  return errs;
}

FieldErrors CheckHostPortConflicts(const json::array& containers, const std::string& path,
                                   size_t only_index = SIZE_MAX) {
  FieldErrors errs;
  std::set<std::string> seen;
  for (size_t ci = 0; ci < containers.size(); ++ci) {
    if (only_index != SIZE_MAX && ci != only_index) continue;
    const json::array& ports = Arr(containers[ci], "ports");
    for (size_t pi = 0; pi < ports.size(); ++pi) {
      int64_t host_port = Int(Get(ports[pi], "hostPort"));
      if (host_port == 0) continue;
      std::string key =
          Cat(Str(ports[pi], "protocol"), "/", Str(ports[pi], "hostIP"), "/", host_port);
      if (!seen.insert(key).second) {
        errs.push_back(
            Duplicate(P(IndexPath(P(IndexPath(path, ci), "ports"), pi), "hostPort"), GoQuote(key)));
      }
    }
  }
  return errs;
}

FieldErrors ValidateTolerations(const json::array& tolerations, const std::string& path) {
  FieldErrors errs;
  for (size_t i = 0; i < tolerations.size(); ++i) {
    const json::value& t = tolerations[i];
    std::string ip = IndexPath(path, i);
    std::string key = Str(t, "key"), op = Str(t, "operator"), effect = Str(t, "effect");
    std::string value = Str(t, "value");
    if (!key.empty()) Append(errs, ValidateLabelName(key, P(ip, "key")));
    if (key.empty() && op != "Exists") {
      errs.push_back(Invalid(P(ip, "operator"), GoQuote(op),
                             "operator must be Exists when `key` is empty, which means \"match "
                             "all values and all keys\""));
    }
    if (Get(t, "tolerationSeconds") != nullptr && effect != "NoExecute") {
      errs.push_back(Invalid(P(ip, "effect"), GoQuote(effect),
                             "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op == "Equal" || op.empty()) {
      auto msgs = IsValidLabelValue(value);
      if (!msgs.empty())
        errs.push_back(Invalid(P(ip, "operator"), GoQuote(value), Join(msgs, ";")));
    } else if (op == "Exists") {
      if (!value.empty()) {
        errs.push_back(Invalid(P(ip, "operator"), json::serialize(t),
                               "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      errs.push_back(NotSupported(P(ip, "operator"), GoQuote(op), {"Equal", "Exists"}));
    }
    if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" &&
        effect != "NoExecute") {
      errs.push_back(NotSupported(P(ip, "effect"), GoQuote(effect),
                                  {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
  }
  return errs;
}

FieldErrors ValidateNodeSelectorTerms(const json::value& selector, const std::string& path) {
  FieldErrors errs;
  std::string tp = P(path, "nodeSelectorTerms");
  const json::array& terms = Arr(selector, "nodeSelectorTerms");
  if (terms.empty()) return {Required(tp, "must have at least one node selector term")};
  for (size_t i = 0; i < terms.size(); ++i) {
    const json::array& exprs = Arr(terms[i], "matchExpressions");
    for (size_t j = 0; j < exprs.size(); ++j) {
      std::string ep = IndexPath(P(IndexPath(tp, i), "matchExpressions"), j);
      std::string op = Str(exprs[j], "operator");
      size_t n = Arr(exprs[j], "values").size();
      if (op == "In" || op == "NotIn") {
        if (n == 0) {
          errs.push_back(
              Required(P(ep, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
        }
      } else if (op == "Exists" || op == "DoesNotExist") {
        if (n > 0) {
          errs.push_back(
              Forbidden(P(ep, "values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
      } else if (op == "Gt" || op == "Lt") {
        if (n != 1) {
          errs.push_back(Required(
              P(ep, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
        }
      } else {
        errs.push_back(Invalid(P(ep, "operator"), GoQuote(op), "not a valid selector operator"));
      }
      Append(errs, ValidateLabelName(Str(exprs[j], "key"), P(ep, "key")));
    }
  }
  return errs;
}

FieldErrors ValidatePodAffinityTerm(const json::value& term, const std::string& path) {
  FieldErrors errs = ValidateLabelSelector(Get(term, "labelSelector"), P(path, "labelSelector"));
  for (const auto& ns : Arr(term, "namespaces")) {
    std::string n = ns.is_string() ? std::string(ns.get_string()) : "";
    Msgs(errs, NameIsDNSLabel(n, false), P(path, "namespace"), GoQuote(n));
  }
  std::string key = Str(term, "topologyKey");
  if (key.empty()) errs.push_back(Required(P(path, "topologyKey"), "can not be empty"));
  Append(errs, ValidateLabelName(key, P(path, "topologyKey")));
  return errs;
}

FieldErrors ValidateAffinity(const json::value* affinity, const std::string& path) {
  FieldErrors errs;
  if (affinity == nullptr) return errs;
  if (const json::value* na = Get(*affinity, "nodeAffinity")) {
    std::string np = P(path, "nodeAffinity");
    if (const json::value* req = Get(*na, "requiredDuringSchedulingIgnoredDuringExecution")) {
      Append(errs, ValidateNodeSelectorTerms(
                       *req, P(np, "requiredDuringSchedulingIgnoredDuringExecution")));
    }
    const json::array& preferred = Arr(*na, "preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < preferred.size(); ++i) {
      std::string ip = IndexPath(P(np, "preferredDuringSchedulingIgnoredDuringExecution"), i);
      int64_t w = Int(Get(preferred[i], "weight"));
      if (w <= 0 || w > 100)
        errs.push_back(Invalid(P(ip, "weight"), Cat(w), "must be in the range 1-100"));
    }
  }
  for (std::string_view kind : {"podAffinity", "podAntiAffinity"}) {
    const json::value* pa = Get(*affinity, kind);
    if (pa == nullptr) continue;
    std::string kp = P(path, kind);
    const json::array& required = Arr(*pa, "requiredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < required.size(); ++i) {
      Append(errs, ValidatePodAffinityTerm(
                       required[i],
                       IndexPath(P(kp, "requiredDuringSchedulingIgnoredDuringExecution"), i)));
    }
    const json::array& preferred = Arr(*pa, "preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < preferred.size(); ++i) {
      std::string ip = IndexPath(P(kp, "preferredDuringSchedulingIgnoredDuringExecution"), i);
      int64_t w = Int(Get(preferred[i], "weight"));
      if (w <= 0 || w > 100)
        errs.push_back(Invalid(P(ip, "weight"), Cat(w), "must be in the range 1-100"));
      static const json::value kEmpty = json::object();
      const json::value* term = Get(preferred[i], "podAffinityTerm");
      Append(errs, ValidatePodAffinityTerm(term ? *term : kEmpty, P(ip, "podAffinityTerm")));
    }
  }
  return errs;
}

FieldErrors ValidateTopologySpread(const json::array& constraints, const std::string& path) {
  FieldErrors errs;
  for (size_t i = 0; i < constraints.size(); ++i) {
    std::string ip = IndexPath(path, i);
    const json::value& c = constraints[i];
    int64_t skew = Int(Get(c, "maxSkew"));
    if (skew <= 0)
      errs.push_back(Invalid(P(ip, "maxSkew"), Cat(skew), "must be greater than zero"));
    std::string key = Str(c, "topologyKey");
    if (key.empty()) errs.push_back(Required(P(ip, "topologyKey"), "can not be empty"));
    std::string when = Str(c, "whenUnsatisfiable");
    if (when != "DoNotSchedule" && when != "ScheduleAnyway") {
      errs.push_back(NotSupported(P(ip, "whenUnsatisfiable"), GoQuote(when),
                                  {"DoNotSchedule", "ScheduleAnyway"}));
    }
    for (size_t j = i + 1; j < constraints.size(); ++j) {
      if (Str(constraints[j], "topologyKey") == key &&
          Str(constraints[j], "whenUnsatisfiable") == when) {
        errs.push_back(Duplicate(P(ip, "{topologyKey, whenUnsatisfiable}"),
                                 GoQuote(Cat("{", key, ", ", when, "}"))));
        break;
      }
    }
    Append(errs, ValidateLabelSelector(Get(c, "labelSelector"), P(ip, "labelSelector")));
  }
  return errs;
}

std::map<std::string, std::string> ValidateVolumes(const json::value& spec, const std::string& path,
                                                   FieldErrors& errs) {
  std::map<std::string, std::string> vols;
  const json::array& volumes = Arr(spec, "volumes");
  for (size_t i = 0; i < volumes.size(); ++i) {
    std::string ip = IndexPath(path, i);
    FieldErrors el = ValidateVolumeSource(volumes[i], ip);
    std::string name = Str(volumes[i], "name");
    if (name.empty()) {
      el.push_back(Required(P(ip, "name"), ""));
    } else {
      Append(el, ValidateDNS1123Label(name, P(ip, "name")));
    }
    if (vols.count(name)) el.push_back(Duplicate(P(ip, "name"), GoQuote(name)));
    if (el.empty()) {
      vols[name] = ip;
    } else {
      Append(errs, std::move(el));
    }
  }
  return vols;
}

}  // namespace

FieldErrors ValidateResourceQuantity(std::string_view name, const json::value& q,
                                     const std::string& path) {
  auto parsed = Quantity::FromJson(q);
  if (!parsed.ok()) {
    std::string raw = q.is_string() ? std::string(q.get_string()) : json::serialize(q);
    return {Invalid(path, GoQuote(raw), std::string(parsed.status().message()))};
  }
  FieldErrors errs;
  if (parsed->Sign() < 0) {
    errs.push_back(Invalid(path, GoQuote(parsed->String()), "must be greater than or equal to 0"));
  }
  if (IsExtendedResourceName(name) && parsed->MilliValue() % 1000 != 0) {
    errs.push_back(Invalid(path, GoQuote(parsed->String()), "must be an integer"));
  }
  return errs;
}

FieldErrors ValidatePodSpec(const json::value& spec, const std::string& path, bool is_pod) {
  FieldErrors errs;
  const json::value* grace = Get(spec, "terminationGracePeriodSeconds");
  if (grace == nullptr) errs.push_back(Required(P(path, "terminationGracePeriodSeconds"), ""));

  std::map<std::string, std::string> vols = ValidateVolumes(spec, P(path, "volumes"), errs);

  // Regular containers.
  std::string cp = P(path, "containers");
  const json::array& containers = Arr(spec, "containers");
  if (containers.empty()) {
    errs.push_back(Required(cp, ""));
  } else {
    std::set<std::string> names;
    for (size_t i = 0; i < containers.size(); ++i) {
      const json::value& c = containers[i];
      std::string ip = IndexPath(cp, i);
      Append(errs, ValidateContainerCommon(c, ip, vols));
      std::string name = Str(c, "name");
      if (!names.insert(name).second) errs.push_back(Duplicate(P(ip, "name"), GoQuote(name)));
      if (const json::value* lc = Get(c, "lifecycle"))
        Append(errs, ValidateLifecycle(*lc, P(ip, "lifecycle"), grace));
      Append(errs,
             ValidateProbe(Get(c, "livenessProbe"), P(ip, "livenessProbe"), grace, "liveness"));
      Append(errs,
             ValidateProbe(Get(c, "readinessProbe"), P(ip, "readinessProbe"), grace, "readiness"));
      Append(errs, ValidateProbe(Get(c, "startupProbe"), P(ip, "startupProbe"), grace, "startup"));
      if (Get(c, "restartPolicy") != nullptr) {
        errs.push_back(Forbidden(P(ip, "restartPolicy"), "may not be set for non-init containers"));
      }
    }
    Append(errs, CheckHostPortConflicts(containers, cp));
  }

  // Init containers.
  std::string icp = P(path, "initContainers");
  const json::array& init = Arr(spec, "initContainers");
  std::set<std::string> all_names;
  for (const auto& c : containers) all_names.insert(Str(c, "name"));
  for (size_t i = 0; i < init.size(); ++i) {
    const json::value& c = init[i];
    std::string ip = IndexPath(icp, i);
    Append(errs, ValidateContainerCommon(c, ip, vols));
    bool restart_always = false;
    if (const json::value* rp = Get(c, "restartPolicy")) {
      std::string v = rp->is_string() ? std::string(rp->get_string()) : json::serialize(*rp);
      if (v != "Always")
        errs.push_back(NotSupported(P(ip, "restartPolicy"), GoQuote(v), {"Always"}));
      restart_always = v == "Always";
    }
    std::string name = Str(c, "name");
    if (all_names.count(name)) {
      errs.push_back(Duplicate(P(ip, "name"), GoQuote(name)));
    } else if (!name.empty()) {
      all_names.insert(name);
    }
    Append(errs, CheckHostPortConflicts(init, icp, i));
    if (restart_always) {
      if (const json::value* lc = Get(c, "lifecycle"))
        Append(errs, ValidateLifecycle(*lc, P(ip, "lifecycle"), grace));
      Append(errs,
             ValidateProbe(Get(c, "livenessProbe"), P(ip, "livenessProbe"), grace, "liveness"));
      Append(errs,
             ValidateProbe(Get(c, "readinessProbe"), P(ip, "readinessProbe"), grace, "readiness"));
      Append(errs, ValidateProbe(Get(c, "startupProbe"), P(ip, "startupProbe"), grace, "startup"));
    } else {
      for (std::string_view f : {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"}) {
        if (Get(c, f) != nullptr) {
          errs.push_back(Forbidden(
              P(ip, f), "may not be set for init containers without restartPolicy=Always"));
        }
      }
    }
  }

  // hostNetwork: host ports must equal container ports (0 allowed in templates).
  if (GetBool(spec, {"hostNetwork"})) {
    for (size_t i = 0; i < containers.size(); ++i) {
      const json::array& ports = Arr(containers[i], "ports");
      for (size_t j = 0; j < ports.size(); ++j) {
        int64_t hp = Int(Get(ports[j], "hostPort")), cport = Int(Get(ports[j], "containerPort"));
        if ((is_pod || hp != 0) && hp != cport) {
          errs.push_back(Invalid(P(IndexPath(P(IndexPath(cp, i), "ports"), j), "hostPort"), Cat(hp),
                                 "must match `containerPort` when `hostNetwork` is true"));
        }
      }
    }
  }

  std::string restart = Str(spec, "restartPolicy");
  if (restart.empty()) {
    errs.push_back(Required(P(path, "restartPolicy"), ""));
  } else if (restart != "Always" && restart != "OnFailure" && restart != "Never") {
    errs.push_back(
        NotSupported(P(path, "restartPolicy"), GoQuote(restart), {"Always", "OnFailure", "Never"}));
  }
  std::string dns = Str(spec, "dnsPolicy");
  if (dns.empty()) {
    errs.push_back(Required(P(path, "dnsPolicy"), ""));
  } else if (dns != "ClusterFirstWithHostNet" && dns != "ClusterFirst" && dns != "Default" &&
             dns != "None") {
    errs.push_back(NotSupported(P(path, "dnsPolicy"), GoQuote(dns),
                                {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
  }
  Append(errs, ValidateLabels(Get(spec, "nodeSelector"), P(path, "nodeSelector")));
  Append(errs, ValidateSecurityContextIds(Get(spec, "securityContext"), P(path, "securityContext"),
                                          true));
  const json::array& pull_secrets = Arr(spec, "imagePullSecrets");
  for (size_t i = 0; i < pull_secrets.size(); ++i) {
    const json::object* o = pull_secrets[i].if_object();
    if (o != nullptr && (o->size() > 1 || (o->size() == 1 && !o->contains("name")))) {
      errs.push_back(Invalid(IndexPath(P(path, "imagePullSecrets"), i),
                             json::serialize(pull_secrets[i]), "only name may be set"));
    }
  }
  Append(errs, ValidateAffinity(Get(spec, "affinity"), P(path, "affinity")));
  // dnsConfig.
  const json::value* dns_config = Get(spec, "dnsConfig");
  if (dns == "None" && dns_config == nullptr) {
    errs.push_back(
        Required(P(path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
  } else if (dns == "None" && Arr(*dns_config, "nameservers").empty()) {
    errs.push_back(Required(P(P(path, "dnsConfig"), "nameservers"),
                            "must provide at least one DNS nameserver when `dnsPolicy` is None"));
  } else if (dns_config != nullptr) {
    std::string dp = P(path, "dnsConfig");
    const json::array& ns = Arr(*dns_config, "nameservers");
    if (ns.size() > 3) {
      errs.push_back(Invalid(P(dp, "nameservers"), GoStringSlice(Get(*dns_config, "nameservers")),
                             "must not have more than 3 nameservers"));
    }
    for (size_t i = 0; i < ns.size(); ++i) {
      std::string ip = ns[i].is_string() ? std::string(ns[i].get_string()) : "";
      if (!IsValidIP(ip))
        errs.push_back(Invalid(IndexPath(P(dp, "nameservers"), i), GoQuote(ip), kIPMsg));
    }
    const json::array& searches = Arr(*dns_config, "searches");
    for (size_t i = 0; i < searches.size(); ++i) {
      std::string s = searches[i].is_string() ? std::string(searches[i].get_string()) : "";
      if (!s.empty() && s.back() == '.') s.pop_back();
      Append(errs, ValidateDNS1123Subdomain(s, IndexPath(P(dp, "searches"), i)));
    }
  }
  const json::array& gates = Arr(spec, "readinessGates");
  for (size_t i = 0; i < gates.size(); ++i) {
    std::string t = Str(gates[i], "conditionType");
    Msgs(errs, IsQualifiedName(t), P(IndexPath(P(path, "readinessGates"), i), "conditionType"),
         GoQuote(t));
  }
  const json::array& sched_gates = Arr(spec, "schedulingGates");
  std::set<std::string> seen_gates;
  for (size_t i = 0; i < sched_gates.size(); ++i) {
    std::string g = Str(sched_gates[i], "name");
    std::string ip = IndexPath(P(path, "schedulingGates"), i);
    Msgs(errs, IsQualifiedName(g), ip, GoQuote(g));
    if (!seen_gates.insert(g).second) errs.push_back(Duplicate(ip, GoQuote(g)));
  }
  Append(errs, ValidateTopologySpread(Arr(spec, "topologySpreadConstraints"),
                                      P(path, "topologySpreadConstraints")));
  for (std::string_view f : {"serviceAccountName", "nodeName"}) {
    std::string v = Str(spec, f);
    if (!v.empty()) Msgs(errs, NameIsDNSSubdomain(v, false), P(path, f), GoQuote(v));
  }
  if (const json::value* ads = Get(spec, "activeDeadlineSeconds")) {
    int64_t v = Int(ads);
    if (v < 1 || v > 2147483647) {
      errs.push_back(
          Invalid(P(path, "activeDeadlineSeconds"), Cat(v), InclusiveRangeError(1, 2147483647)));
    }
  }
  for (std::string_view f : {"hostname", "subdomain"}) {
    std::string v = Str(spec, f);
    if (!v.empty()) Append(errs, ValidateDNS1123Label(v, P(path, f)));
  }
  Append(errs, ValidateTolerations(Arr(spec, "tolerations"), P(path, "tolerations")));
  const json::array& aliases = Arr(spec, "hostAliases");
  for (size_t i = 0; i < aliases.size(); ++i) {
    std::string ap = IndexPath(P(path, "hostAliases"), i);
    std::string ip = Str(aliases[i], "ip");
    if (!IsValidIP(ip)) errs.push_back(Invalid(P(ap, "ip"), GoQuote(ip), kIPMsg));
    const json::array& hosts = Arr(aliases[i], "hostnames");
    for (size_t j = 0; j < hosts.size(); ++j) {
      std::string h = hosts[j].is_string() ? std::string(hosts[j].get_string()) : "";
      Append(errs, ValidateDNS1123Subdomain(h, IndexPath(P(ap, "hostnames"), j)));
    }
  }
  for (std::string_view f : {"priorityClassName", "runtimeClassName"}) {
    std::string v = Str(spec, f);
    if (!v.empty() || (f == "runtimeClassName" && Get(spec, f) != nullptr)) {
      Msgs(errs, NameIsDNSSubdomain(v, false), P(path, f), GoQuote(v));
    }
  }
  if (const json::value* pp = Get(spec, "preemptionPolicy")) {
    std::string v = pp->is_string() ? std::string(pp->get_string()) : json::serialize(*pp);
    if (v.empty()) {
      errs.push_back(Required(P(path, "preemptionPolicy"), ""));
    } else if (v != "PreemptLowerPriority" && v != "Never") {
      errs.push_back(
          NotSupported(P(path, "preemptionPolicy"), GoQuote(v), {"PreemptLowerPriority", "Never"}));
    }
  }
  if (const json::value* overhead = Get(spec, "overhead")) {
    json::value wrapped = {{"limits", *overhead}};
    Append(errs, ValidateResourceRequirements(&wrapped, P(path, "overhead")));
  }
  if (const json::value* os = Get(spec, "os")) {
    std::string name = Str(*os, "name");
    if (name.empty()) {
      errs.push_back(Required(P(P(path, "os"), "name"), "cannot be empty"));
    } else if (name != "linux" && name != "windows") {
      errs.push_back(NotSupported(P(path, "os"), GoQuote(name), {"linux", "windows"}));
    }
  }
  return errs;
}

FieldErrors ValidatePodTemplateSpec(const json::value* tmpl, const std::string& template_path) {
  static const json::value kEmpty = json::object();
  const json::value& t = tmpl != nullptr && tmpl->is_object() ? *tmpl : kEmpty;
  FieldErrors errs;
  // Kubernetes validates template labels/annotations at `<template>.labels`, not `.metadata`.
  Append(errs, ValidateLabels(Find(t, {"metadata", "labels"}), P(template_path, "labels")));
  Append(errs, ValidateAnnotations(Find(t, {"metadata", "annotations"}),
                                   P(template_path, "annotations")));
  const json::value* spec = Get(t, "spec");
  Append(errs, ValidatePodSpec(spec ? *spec : kEmpty, P(template_path, "spec"), /*is_pod=*/false));
  if (spec != nullptr && !Arr(*spec, "ephemeralContainers").empty()) {
    errs.push_back(Forbidden(P(P(template_path, "spec"), "ephemeralContainers"),
                             "ephemeral containers not allowed in pod template"));
  }
  return errs;
}

FieldErrors ValidatePositiveIntOrPercent(const json::value* v, const std::string& path) {
  FieldErrors errs;
  if (v != nullptr && v->is_string()) {
    for (auto& msg : IsValidPercent(v->get_string()))
      errs.push_back(Invalid(path, GoIntOrString(v), msg));
  } else if (IsInt(v) || v == nullptr) {
    int64_t n = Int(v);
    if (n < 0) errs.push_back(Invalid(path, Cat(n), "must be greater than or equal to 0"));
  } else {
    errs.push_back(Invalid(path, GoIntOrString(v), "must be an integer or percentage (e.g '5%%')"));
  }
  return errs;
}

int64_t IntOrPercentValue(const json::value* v) {
  if (v != nullptr && v->is_string()) {
    std::string_view s = v->get_string();
    int64_t n = 0;
    if (IsValidPercent(s).empty() && ParseInt64(s.substr(0, s.size() - 1), &n)) return n;
    return 0;
  }
  return Int(v);
}

FieldErrors IsNotMoreThan100Percent(const json::value* v, const std::string& path) {
  if (v == nullptr || !v->is_string() || !IsValidPercent(v->get_string()).empty()) return {};
  if (IntOrPercentValue(v) <= 100) return {};
  return {Invalid(path, GoIntOrString(v), "must not be greater than 100%")};
}

}  // namespace skiff::api::kinds::internal
