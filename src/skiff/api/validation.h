// Kubernetes' generic validators: DNS names, qualified names, label values, ports, and the
// ObjectMeta checks every kind shares, each with the exact message text Kubernetes returns.
// Used by the per-kind validation in api/kinds and by the API server. Pure; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/api/field_error.h"
#include "skiff/api/resources.h"

namespace skiff::api {

// ---- Message-producing checks: each returns the problems found, empty when valid. ----

std::vector<std::string> IsDNS1123Label(std::string_view value);      // max 63
std::vector<std::string> IsDNS1123Subdomain(std::string_view value);  // max 253
std::vector<std::string> IsDNS1035Label(std::string_view value);      // max 63, starts alpha
// Label keys, annotation keys (after lower-casing), finalizers: `[prefix/]name`.
std::vector<std::string> IsQualifiedName(std::string_view value);
std::vector<std::string> IsValidLabelValue(std::string_view value);
std::vector<std::string> IsConfigMapKey(std::string_view value);
// Strict form (`[-._a-zA-Z][-._a-zA-Z0-9]*`) and the relaxed form used by 1.32 (beta gate
// RelaxedEnvironmentVariableValidation): printable ASCII other than '='.
std::vector<std::string> IsEnvVarName(std::string_view value);
std::vector<std::string> IsRelaxedEnvVarName(std::string_view value);
std::vector<std::string> IsValidPortName(std::string_view value);
std::vector<std::string> IsValidPortNum(int64_t port);
std::vector<std::string> IsValidPercent(std::string_view value);
std::vector<std::string> IsHTTPHeaderName(std::string_view value);
bool IsValidIP(std::string_view value);

std::string MaxLenError(int length);
std::string InclusiveRangeError(int64_t lo, int64_t hi);
std::string RegexError(std::string_view msg, std::string_view fmt,
                       const std::vector<std::string_view>& examples);

// ---- Object names. `prefix` is true for a generateName prefix (a trailing '-' is allowed). ----

using NameValidator = std::vector<std::string> (*)(std::string_view name, bool prefix);
std::vector<std::string> NameIsDNSSubdomain(std::string_view name, bool prefix);
std::vector<std::string> NameIsDNSLabel(std::string_view name, bool prefix);
std::vector<std::string> NameIsDNS1035Label(std::string_view name, bool prefix);
// The name rule Kubernetes applies to `r`: Service → DNS-1035 label; Namespace and
// StatefulSet → DNS-1123 label; everything else → DNS-1123 subdomain.
NameValidator NameValidatorFor(const ResourceInfo& r);

// ---- Field paths as Kubernetes prints them: `spec.containers[0].name`, `data[key]`. ----

std::string ChildPath(std::string_view parent, std::string_view child);
std::string IndexPath(std::string_view parent, size_t index);
std::string KeyPath(std::string_view parent, std::string_view key);

// `Not found: "x"` (field.NotFound), absent from field_error.h.
FieldError NotFound(std::string field, std::string_view value_repr);
// `Invalid value: -1: must be greater than or equal to 0`, or nothing.
FieldErrors ValidateNonnegative(int64_t value, std::string_view path);

// ---- Maps and selectors. All errors use `path` itself (Kubernetes does not add the key). ----

FieldErrors ValidateLabelName(std::string_view key, std::string_view path);
FieldErrors ValidateLabels(const boost::json::value* labels, std::string_view path);
// Keys are qualified names (case-insensitive); total size of keys+values at most 256 KiB.
FieldErrors ValidateAnnotations(const boost::json::value* annotations, std::string_view path);
inline constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;
// metav1.LabelSelector: matchLabels, and each matchExpressions[i] (operator, values, key).
// A null or missing selector is valid here; callers decide whether it is required.
FieldErrors ValidateLabelSelector(const boost::json::value* selector, std::string_view path,
                                  bool allow_invalid_label_values = false);

// ---- ObjectMeta. `obj` is the whole object; errors use `<path>.name`, `<path>.labels`, ... ----

// On create (name generation already done): name/generateName, namespace presence per scope,
// labels, annotations, ownerReferences, finalizers.
FieldErrors ValidateObjectMeta(const boost::json::value& obj, bool namespaced,
                               NameValidator name_fn, std::string_view path = "metadata");
// On update: name, namespace and a non-empty uid are immutable; labels, annotations,
// ownerReferences and finalizers are re-validated; no finalizer may be added once deleting.
// Like Kubernetes' BeforeUpdate, the caller is expected to have carried over server-owned
// fields (creationTimestamp, deletionTimestamp, generation, resourceVersion).
FieldErrors ValidateObjectMetaUpdate(const boost::json::value& obj, const boost::json::value& old,
                                     std::string_view path = "metadata");

}  // namespace skiff::api
