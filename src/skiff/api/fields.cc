#include "skiff/api/fields.h"

#include <algorithm>

#include "skiff/api/go_repr.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"

namespace skiff::api {

namespace json = boost::json;

namespace {

// Splits on ',' not preceded by an escaping '\'; escapes stay in the terms.
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (s[i] == '\\') {
      in_slash = true;
    } else if (s[i] == ',') {
      terms.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(s.substr(start));
  return terms;
}

absl::StatusOr<std::string> UnescapeValue(std::string_view s) {
  std::string out;
  bool in_slash = false;
  for (char c : s) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return absl::InvalidArgumentError(
            Cat("invalid field selector: invalid escape sequence: \\", std::string(1, c)));
      }
      out.push_back(c);
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      // Go prints the rune with %v, i.e. as its code point.
      return absl::InvalidArgumentError(
          Cat("invalid field selector: unescaped character in value: ", static_cast<int>(c)));
    } else {
      out.push_back(c);
    }
  }
  if (in_slash)
    return absl::InvalidArgumentError("invalid field selector: invalid escape sequence: \\");
  return out;
}

std::string EscapeValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ',' || c == '=') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

enum class FieldSet { kDefault, kPod, kNode, kReplicationController, kEvent, kNamespace, kSecret };

FieldSet FieldSetFor(const ResourceInfo& r) {
  if (!r.group.empty()) return FieldSet::kDefault;
  if (r.kind == "Pod") return FieldSet::kPod;
  if (r.kind == "Node") return FieldSet::kNode;
  if (r.kind == "ReplicationController") return FieldSet::kReplicationController;
  if (r.kind == "Event") return FieldSet::kEvent;
  if (r.kind == "Namespace") return FieldSet::kNamespace;
  if (r.kind == "Secret") return FieldSet::kSecret;
  return FieldSet::kDefault;
}

std::string Str(const json::value& obj, std::initializer_list<std::string_view> path) {
  return std::string(GetString(obj, path));
}

std::string Bool(const json::value& obj, std::initializer_list<std::string_view> path) {
  return GetBool(obj, path) ? "true" : "false";
}

std::optional<std::string> PodField(const json::value& obj, std::string_view field) {
  if (field == "spec.nodeName" || field == "spec.host") return Str(obj, {"spec", "nodeName"});
  if (field == "spec.restartPolicy") return Str(obj, {"spec", "restartPolicy"});
  if (field == "spec.schedulerName") return Str(obj, {"spec", "schedulerName"});
  if (field == "spec.serviceAccountName") return Str(obj, {"spec", "serviceAccountName"});
  if (field == "spec.hostNetwork") return Bool(obj, {"spec", "hostNetwork"});
  if (field == "status.phase") return Str(obj, {"status", "phase"});
  if (field == "status.nominatedNodeName") return Str(obj, {"status", "nominatedNodeName"});
  if (field == "status.podIP") {
    // Kubernetes reads the first of status.podIPs.
    if (const json::array* ips = GetArray(obj, {"status", "podIPs"}); ips && !ips->empty()) {
      return Str((*ips)[0], {"ip"});
    }
    return Str(obj, {"status", "podIP"});
  }
  return std::nullopt;
}

std::optional<std::string> EventField(const json::value& obj, std::string_view field) {
  static constexpr std::string_view kInvolved[] = {
      "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"};
  for (std::string_view f : kInvolved) {
    if (field == Cat("involvedObject.", f)) return Str(obj, {"involvedObject", f});
  }
  if (field == "reason") return Str(obj, {"reason"});
  if (field == "type") return Str(obj, {"type"});
  if (field == "reportingComponent") return Str(obj, {"reportingComponent"});
  if (field == "source") {
    std::string component = Str(obj, {"source", "component"});
    return component.empty() ? Str(obj, {"reportingComponent"}) : component;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<FieldSelector> FieldSelector::Parse(std::string_view text) {
  std::vector<std::string> terms = SplitTerms(text);
  std::sort(terms.begin(), terms.end());
  FieldSelector sel;
  for (const std::string& term : terms) {
    if (term.empty()) continue;
    size_t at = std::string::npos;
    Op op = Op::kEquals;
    size_t op_len = 0;
    for (size_t i = 0; i < term.size() && at == std::string::npos; ++i) {
      std::string_view rest = std::string_view(term).substr(i);
      if (rest.substr(0, 2) == "!=") {
        at = i, op = Op::kNotEquals, op_len = 2;
      } else if (rest.substr(0, 2) == "==") {
        at = i, op = Op::kDoubleEquals, op_len = 2;
      } else if (rest.substr(0, 1) == "=") {
        at = i, op = Op::kEquals, op_len = 1;
      }
    }
    if (at == std::string::npos) {
      return absl::InvalidArgumentError(
          Cat("invalid selector: '", text, "'; can't understand '", term, "'"));
    }
    auto value = UnescapeValue(std::string_view(term).substr(at + op_len));
    if (!value.ok()) return value.status();
    sel.requirements_.push_back({term.substr(0, at), op, *std::move(value)});
  }
  return sel;
}

bool FieldSelector::Matches(
    const std::function<std::optional<std::string>(std::string_view)>& value_of) const {
  for (const auto& r : requirements_) {
    std::string have = value_of(r.field).value_or("");
    bool equal = have == r.value;
    if ((r.op == Op::kNotEquals) == equal) return false;
  }
  return true;
}

std::optional<std::string> FieldSelector::RequiresExactMatch(std::string_view field) const {
  for (const auto& r : requirements_) {
    if (r.field == field && r.op != Op::kNotEquals) return r.value;
  }
  return std::nullopt;
}

std::string FieldSelector::String() const {
  std::vector<std::string> parts;
  for (const auto& r : requirements_) {
    parts.push_back(Cat(r.field, r.op == Op::kNotEquals ? "!=" : "=", EscapeValue(r.value)));
  }
  return Join(parts, ",");
}

std::optional<std::string> FieldValue(const ResourceInfo& r, const json::value& obj,
                                      std::string_view field) {
  FieldSet set = FieldSetFor(r);
  if (field == "metadata.name") return Str(obj, {"metadata", "name"});
  if (field == "metadata.namespace") {
    if (set == FieldSet::kNode || set == FieldSet::kNamespace) return std::nullopt;
    return r.namespaced ? Str(obj, {"metadata", "namespace"}) : std::string();
  }
  switch (set) {
    case FieldSet::kPod:
      return PodField(obj, field);
    case FieldSet::kNode:
      if (field == "spec.unschedulable") return Bool(obj, {"spec", "unschedulable"});
      return std::nullopt;
    case FieldSet::kReplicationController:
      if (field == "status.replicas") return Cat(GetInt(obj, {"status", "replicas"}));
      return std::nullopt;
    case FieldSet::kEvent:
      return EventField(obj, field);
    case FieldSet::kNamespace:
      if (field == "status.phase") return Str(obj, {"status", "phase"});
      return std::nullopt;
    case FieldSet::kSecret:
      if (field == "type") return Str(obj, {"type"});
      return std::nullopt;
    case FieldSet::kDefault:
      return std::nullopt;
  }
  return std::nullopt;
}

absl::Status ValidateFieldSelector(const ResourceInfo& r, const FieldSelector& selector) {
  static const json::value kEmpty = json::object();
  for (const auto& req : selector.requirements()) {
    if (FieldValue(r, kEmpty, req.field).has_value()) continue;
    if (FieldSetFor(r) == FieldSet::kDefault) {
      return absl::InvalidArgumentError(
          Cat(GoQuote(req.field),
              " is not a known field selector: only \"metadata.name\", "
              "\"metadata.namespace\""));
    }
    return absl::InvalidArgumentError(Cat("field label not supported: ", req.field));
  }
  return absl::OkStatus();
}

bool FieldSelectorMatches(const ResourceInfo& r, const FieldSelector& selector,
                          const json::value& obj) {
  return selector.Matches([&](std::string_view field) { return FieldValue(r, obj, field); });
}

}  // namespace skiff::api
