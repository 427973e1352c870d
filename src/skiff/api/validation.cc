#include "skiff/api/validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "skiff/api/go_repr.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"

namespace skiff::api {
namespace {

constexpr std::string_view kDNS1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDNS1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view kDNS1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kDNS1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kDNS1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDNS1035LabelErrMsg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character";
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr size_t kQualifiedNameMaxLength = 63;
constexpr size_t kLabelValueMaxLength = 63;
constexpr size_t kDNS1123LabelMaxLength = 63;
constexpr size_t kDNS1123SubdomainMaxLength = 253;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDNS1123Label(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s)
    if (!IsLowerAlnum(c) && c != '-') return false;
  return true;
}

bool MatchesDNS1123Subdomain(std::string_view s) {
  if (s.empty()) return false;
  for (std::string_view part : Split(s, '.'))
    if (!MatchesDNS1123Label(part)) return false;
  return true;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s)
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::vector<std::string> HasChDirPrefix(std::string_view value) {
  if (value == ".") return {"must not be '.'"};
  if (value == "..") return {"must not be '..'"};
  if (value.substr(0, 2) == "..") return {"must not start with '..'"};
  return {};
}

// Kubernetes' maskTrailingDash: a generateName prefix may end in '-'.
std::string MaskTrailingDash(std::string_view name) {
  if (name.size() > 1 && name.back() == '-')
    return std::string(name.substr(0, name.size() - 2)) + "a";
  return std::string(name);
}

std::string ToLower(std::string_view s) { return ToLowerAscii(s); }

std::string StringOf(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
}

FieldErrors ValidateFinalizers(const boost::json::value* finalizers, std::string_view path) {
  FieldErrors errs;
  if (finalizers == nullptr || !finalizers->is_array()) return errs;
  bool orphan = false, foreground = false;
  for (const auto& f : finalizers->get_array()) {
    std::string name = StringOf(f);
    for (auto& msg : IsQualifiedName(name))
      errs.push_back(Invalid(std::string(path), GoQuote(name), msg));
    orphan = orphan || name == "orphan";
    foreground = foreground || name == "foregroundDeletion";
  }
  if (orphan && foreground) {
    errs.push_back(Invalid(std::string(path), GoStringSlice(finalizers),
                           "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  // Core's extra rule, reported per index: an unqualified finalizer must be a standard one.
  size_t i = 0;
  for (const auto& f : finalizers->get_array()) {
    std::string name = StringOf(f);
    if (name.find('/') == std::string::npos && name != "kubernetes" && name != "orphan" &&
        name != "foregroundDeletion") {
      errs.push_back(
          Invalid(IndexPath(path, i), GoQuote(name),
                  "name is neither a standard finalizer name nor is it fully qualified"));
    }
    ++i;
  }
  return errs;
}

FieldErrors ValidateOwnerReferences(const boost::json::value* refs, std::string_view path) {
  FieldErrors errs;
  if (refs == nullptr || !refs->is_array()) return errs;
  std::string first_controller;
  for (const auto& ref : refs->get_array()) {
    std::string_view api_version = GetString(ref, {"apiVersion"});
    std::string_view kind = GetString(ref, {"kind"});
    std::string_view version = api_version.substr(api_version.rfind('/') + 1);
    if (api_version.find('/') == std::string_view::npos) version = api_version;
    if (version.empty()) {
      errs.push_back(Invalid(ChildPath(path, "apiVersion"), GoQuote(api_version),
                             "version must not be empty"));
    }
    if (kind.empty())
      errs.push_back(Invalid(ChildPath(path, "kind"), GoQuote(kind), "must not be empty"));
    std::string_view name = GetString(ref, {"name"});
    if (name.empty())
      errs.push_back(Invalid(ChildPath(path, "name"), GoQuote(name), "must not be empty"));
    std::string_view uid = GetString(ref, {"uid"});
    if (uid.empty())
      errs.push_back(Invalid(ChildPath(path, "uid"), GoQuote(uid), "must not be empty"));
    if (api_version == "v1" && kind == "Event") {
      errs.push_back(Invalid(std::string(path), boost::json::serialize(ref),
                             "/v1, Kind=Event is disallowed from being an owner"));
    }
    if (GetBool(ref, {"controller"})) {
      std::string current = Cat(kind, "/", name);
      if (!first_controller.empty()) {
        errs.push_back(Invalid(std::string(path), boost::json::serialize(*refs),
                               Cat("Only one reference can have Controller set to true. "
                                   "Found \"true\" in references for ",
                                   first_controller, " and ", current)));
      } else {
        first_controller = current;
      }
    }
  }
  return errs;
}

void Append(FieldErrors& to, FieldErrors from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

std::string MaxLenError(int length) { return Cat("must be no more than ", length, " characters"); }

std::string InclusiveRangeError(int64_t lo, int64_t hi) {
  return Cat("must be between ", lo, " and ", hi, ", inclusive");
}

std::string RegexError(std::string_view msg, std::string_view fmt,
                       const std::vector<std::string_view>& examples) {
  if (examples.empty()) return Cat(msg, " (regex used for validation is '", fmt, "')");
  std::string out = Cat(msg, " (e.g. ");
  for (size_t i = 0; i < examples.size(); ++i) {
    if (i > 0) out += " or ";
    AppendCat(&out, "'", examples[i], "', ");
  }
  AppendCat(&out, "regex used for validation is '", fmt, "')");
  return out;
}

std::vector<std::string> IsDNS1123Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDNS1123LabelMaxLength) errs.push_back(MaxLenError(kDNS1123LabelMaxLength));
  if (!MatchesDNS1123Label(value)) {
    if (MatchesDNS1123Subdomain(value)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(RegexError(kDNS1123LabelErrMsg, kDNS1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> IsDNS1123Subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDNS1123SubdomainMaxLength) {
    errs.push_back(MaxLenError(kDNS1123SubdomainMaxLength));
  }
  if (!MatchesDNS1123Subdomain(value)) {
    errs.push_back(RegexError(kDNS1123SubdomainErrMsg, kDNS1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> IsDNS1035Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDNS1123LabelMaxLength) errs.push_back(MaxLenError(kDNS1123LabelMaxLength));
  bool ok = MatchesDNS1123Label(value) && value.front() >= 'a' && value.front() <= 'z';
  if (!ok)
    errs.push_back(RegexError(kDNS1035LabelErrMsg, kDNS1035LabelFmt, {"my-name", "abc-123"}));
  return errs;
}

std::vector<std::string> IsQualifiedName(std::string_view value) {
  std::vector<std::string> errs;
  std::vector<std::string_view> parts = Split(value, '/');
  std::string_view name;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() == 2) {
    std::string_view prefix = parts[0];
    name = parts[1];
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (auto& msg : IsDNS1123Subdomain(prefix)) errs.push_back("prefix part " + msg);
    }
  } else {
    errs.push_back(
        Cat("a qualified name ",
            RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}),
            " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"));
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errs.push_back("name part " + MaxLenError(kQualifiedNameMaxLength));
  }
  if (!MatchesQualifiedNamePart(name)) {
    errs.push_back("name part " + RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> IsValidLabelValue(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kLabelValueMaxLength) errs.push_back(MaxLenError(kLabelValueMaxLength));
  if (!value.empty() && !MatchesQualifiedNamePart(value)) {
    errs.push_back(RegexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> IsConfigMapKey(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDNS1123SubdomainMaxLength) {
    errs.push_back(MaxLenError(kDNS1123SubdomainMaxLength));
  }
  bool ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return IsAlnum(c) || c == '-' || c == '.' || c == '_';
  });
  if (!ok) {
    errs.push_back(
        RegexError("a valid config key must consist of alphanumeric characters, '-', "
                   "'_' or '.'",
                   "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  }
  for (auto& msg : HasChDirPrefix(value)) errs.push_back(msg);
  return errs;
}

std::vector<std::string> IsEnvVarName(std::string_view value) {
  std::vector<std::string> errs;
  auto first_ok = [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
  };
  bool ok = !value.empty() && first_ok(value.front()) &&
            std::all_of(value.begin(), value.end(), [&](char c) {
              return first_ok(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
            });
  if (!ok) {
    errs.push_back(
        RegexError("a valid environment variable name must consist of alphabetic "
                   "characters, digits, '_', '-', or '.', and must not start with a "
                   "digit",
                   "[-._a-zA-Z][-._a-zA-Z0-9]*", {"my.env-name", "MY_ENV.NAME", "MyEnvName1"}));
  }
  for (auto& msg : HasChDirPrefix(value)) errs.push_back(msg);
  return errs;
}

std::vector<std::string> IsRelaxedEnvVarName(std::string_view value) {
  std::vector<std::string> errs;
  if (value.empty()) errs.push_back("environment variable name must be non-empty");
  for (unsigned char c : value) {
    if (c > 0x7e || c < 0x20 || c == '=') {
      errs.push_back(
          "a valid environment variable name must consist only of printable ASCII characters "
          "other than '='");
      break;
    }
  }
  return errs;
}

std::vector<std::string> IsValidPortName(std::string_view port) {
  std::vector<std::string> errs;
  if (port.size() > 15) errs.push_back(MaxLenError(15));
  bool charset = !port.empty() && std::all_of(port.begin(), port.end(),
                                              [](char c) { return IsLowerAlnum(c) || c == '-'; });
  if (!charset)
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (std::none_of(port.begin(), port.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    errs.push_back("must contain at least one letter (a-z)");
  }
  if (port.find("--") != std::string_view::npos)
    errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) {
    errs.push_back("must not begin or end with a hyphen");
  }
  return errs;
}

std::vector<std::string> IsValidPortNum(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {InclusiveRangeError(1, 65535)};
}

std::vector<std::string> IsValidPercent(std::string_view value) {
  bool ok = value.size() >= 2 && value.back() == '%' &&
            std::all_of(value.begin(), value.end() - 1,
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  if (ok) return {};
  return {RegexError("a valid percent string must be a numeric string followed by an ending '%'",
                     "[0-9]+%", {"1%", "93%"})};
}

std::vector<std::string> IsHTTPHeaderName(std::string_view value) {
  bool ok = !value.empty() &&
            std::all_of(value.begin(), value.end(), [](char c) { return IsAlnum(c) || c == '-'; });
  if (ok) return {};
  return {RegexError("a valid HTTP header must consist of alphanumeric characters or '-'",
                     "[-A-Za-z0-9]+", {"X-Header-Name"})};
}

bool IsValidIP(std::string_view value) {
  std::string s(value);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::vector<std::string> NameIsDNSSubdomain(std::string_view name, bool prefix) {
  return IsDNS1123Subdomain(prefix ? MaskTrailingDash(name) : std::string(name));
}

std::vector<std::string> NameIsDNSLabel(std::string_view name, bool prefix) {
  return IsDNS1123Label(prefix ? MaskTrailingDash(name) : std::string(name));
}

std::vector<std::string> NameIsDNS1035Label(std::string_view name, bool prefix) {
  return IsDNS1035Label(prefix ? MaskTrailingDash(name) : std::string(name));
}

NameValidator NameValidatorFor(const ResourceInfo& r) {
  if (r.group.empty() && r.kind == "Service") return NameIsDNS1035Label;
  if (r.group.empty() && r.kind == "Namespace") return NameIsDNSLabel;
  if (r.group == "apps" && r.kind == "StatefulSet") return NameIsDNSLabel;
  return NameIsDNSSubdomain;
}

std::string ChildPath(std::string_view parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  return Cat(parent, ".", child);
}

std::string IndexPath(std::string_view parent, size_t index) {
  return Cat(parent, "[", index, "]");
}

std::string KeyPath(std::string_view parent, std::string_view key) {
  return Cat(parent, "[", key, "]");
}

FieldError NotFound(std::string field, std::string_view value_repr) {
  return {"FieldValueNotFound", std::move(field), Cat("Not found: ", value_repr)};
}

FieldErrors ValidateNonnegative(int64_t value, std::string_view path) {
  if (value >= 0) return {};
  return {Invalid(std::string(path), Cat(value), "must be greater than or equal to 0")};
}

FieldErrors ValidateLabelName(std::string_view key, std::string_view path) {
  FieldErrors errs;
  for (auto& msg : IsQualifiedName(key))
    errs.push_back(Invalid(std::string(path), GoQuote(key), msg));
  return errs;
}

FieldErrors ValidateLabels(const boost::json::value* labels, std::string_view path) {
  FieldErrors errs;
  if (labels == nullptr || !labels->is_object()) return errs;
  for (const auto& kv : labels->get_object()) {
    Append(errs, ValidateLabelName(kv.key(), path));
    std::string value = StringOf(kv.value());
    for (auto& msg : IsValidLabelValue(value)) {
      errs.push_back(Invalid(std::string(path), GoQuote(value), msg));
    }
  }
  return errs;
}

FieldErrors ValidateAnnotations(const boost::json::value* annotations, std::string_view path) {
  FieldErrors errs;
  if (annotations == nullptr || !annotations->is_object()) return errs;
  size_t total = 0;
  for (const auto& kv : annotations->get_object()) {
    for (auto& msg : IsQualifiedName(ToLower(kv.key()))) {
      errs.push_back(Invalid(std::string(path), GoQuote(kv.key()), msg));
    }
    total += kv.key().size() + StringOf(kv.value()).size();
  }
  if (total > kTotalAnnotationSizeLimit)
    errs.push_back(TooLong(std::string(path), kTotalAnnotationSizeLimit));
  return errs;
}

FieldErrors ValidateLabelSelector(const boost::json::value* selector, std::string_view path,
                                  bool allow_invalid_label_values) {
  FieldErrors errs;
  if (selector == nullptr || !selector->is_object()) return errs;
  Append(errs, ValidateLabels(Find(*selector, {"matchLabels"}), ChildPath(path, "matchLabels")));
  const boost::json::array* exprs = GetArray(*selector, {"matchExpressions"});
  if (exprs == nullptr) return errs;
  std::string exprs_path = ChildPath(path, "matchExpressions");
  for (size_t i = 0; i < exprs->size(); ++i) {
    const boost::json::value& e = (*exprs)[i];
    std::string p = IndexPath(exprs_path, i);
    std::string_view op = GetString(e, {"operator"});
    const boost::json::array* values = GetArray(e, {"values"});
    size_t nvalues = values == nullptr ? 0 : values->size();
    if (op == "In" || op == "NotIn") {
      if (nvalues == 0) {
        errs.push_back(Required(ChildPath(p, "values"),
                                "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (nvalues > 0) {
        errs.push_back(Forbidden(ChildPath(p, "values"),
                                 "may not be specified when `operator` is 'Exists' or "
                                 "'DoesNotExist'"));
      }
    } else {
      errs.push_back(
          Invalid(ChildPath(p, "operator"), GoQuote(op), "not a valid selector operator"));
    }
    Append(errs, ValidateLabelName(GetString(e, {"key"}), ChildPath(p, "key")));
    if (!allow_invalid_label_values && values != nullptr) {
      for (size_t j = 0; j < values->size(); ++j) {
        std::string v = StringOf((*values)[j]);
        for (auto& msg : IsValidLabelValue(v)) {
          errs.push_back(Invalid(IndexPath(ChildPath(p, "values"), j), GoQuote(v), msg));
        }
      }
    }
  }
  return errs;
}

namespace {

// The checks shared by create and update, after the name checks.
FieldErrors ValidateCommonMeta(const boost::json::value& meta, std::string_view path) {
  FieldErrors errs;
  Append(errs, ValidateNonnegative(GetInt(meta, {"generation"}), ChildPath(path, "generation")));
  Append(errs, ValidateLabels(Find(meta, {"labels"}), ChildPath(path, "labels")));
  Append(errs, ValidateAnnotations(Find(meta, {"annotations"}), ChildPath(path, "annotations")));
  Append(errs, ValidateOwnerReferences(Find(meta, {"ownerReferences"}),
                                       ChildPath(path, "ownerReferences")));
  Append(errs, ValidateFinalizers(Find(meta, {"finalizers"}), ChildPath(path, "finalizers")));
  return errs;
}

const boost::json::value& MetaOf(const boost::json::value& obj) {
  static const boost::json::value kEmpty = boost::json::object();
  const boost::json::value* meta = Find(obj, {"metadata"});
  return meta != nullptr && meta->is_object() ? *meta : kEmpty;
}

}  // namespace

FieldErrors ValidateObjectMeta(const boost::json::value& obj, bool namespaced,
                               NameValidator name_fn, std::string_view path) {
  FieldErrors errs;
  const boost::json::value& meta = MetaOf(obj);
  std::string_view generate_name = GetString(meta, {"generateName"});
  if (!generate_name.empty()) {
    for (auto& msg : name_fn(generate_name, true)) {
      errs.push_back(Invalid(ChildPath(path, "generateName"), GoQuote(generate_name), msg));
    }
  }
  std::string_view name = GetString(meta, {"name"});
  if (name.empty()) {
    errs.push_back(Required(ChildPath(path, "name"), "name or generateName is required"));
  } else {
    for (auto& msg : name_fn(name, false)) {
      errs.push_back(Invalid(ChildPath(path, "name"), GoQuote(name), msg));
    }
  }
  std::string_view ns = GetString(meta, {"namespace"});
  if (namespaced) {
    if (ns.empty()) {
      errs.push_back(Required(ChildPath(path, "namespace"), ""));
    } else {
      for (auto& msg : NameIsDNSLabel(ns, false)) {
        errs.push_back(Invalid(ChildPath(path, "namespace"), GoQuote(ns), msg));
      }
    }
  } else if (!ns.empty()) {
    errs.push_back(Forbidden(ChildPath(path, "namespace"), "not allowed on this type"));
  }
  Append(errs, ValidateCommonMeta(meta, path));
  return errs;
}

FieldErrors ValidateObjectMetaUpdate(const boost::json::value& obj, const boost::json::value& old,
                                     std::string_view path) {
  FieldErrors errs;
  const boost::json::value& meta = MetaOf(obj);
  const boost::json::value& old_meta = MetaOf(old);
  if (Find(old_meta, {"deletionTimestamp"}) != nullptr &&
      !Find(old_meta, {"deletionTimestamp"})->is_null()) {
    std::set<std::string> before;
    if (const auto* arr = GetArray(old_meta, {"finalizers"})) {
      for (const auto& f : *arr) before.insert(StringOf(f));
    }
    std::set<std::string> added;
    if (const auto* arr = GetArray(meta, {"finalizers"})) {
      for (const auto& f : *arr)
        if (!before.count(StringOf(f))) added.insert(StringOf(f));
    }
    if (!added.empty()) {
      boost::json::array list;
      for (const auto& f : added) list.emplace_back(f);
      boost::json::value v = std::move(list);
      errs.push_back(Forbidden(ChildPath(path, "finalizers"),
                               "no new finalizers can be added if the object is being deleted, "
                               "found new finalizers " +
                                   GoStringSlice(&v)));
    }
  }
  for (std::string_view key : {"name", "namespace", "uid"}) {
    std::string_view now = GetString(meta, {key});
    std::string_view before = GetString(old_meta, {key});
    if (key == "uid" && now.empty()) continue;  // BeforeUpdate fills an empty uid from the old one.
    if (now != before)
      errs.push_back(Invalid(ChildPath(path, key), GoQuote(now), "field is immutable"));
  }
  Append(errs, ValidateCommonMeta(meta, path));
  return errs;
}

}  // namespace skiff::api
