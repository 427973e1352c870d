#include "skiff/api/node_selector.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/api/text.h"

namespace skiff::api {

namespace json = boost::json;
using Op = LabelSelector::Op;
using Requirement = LabelSelector::Requirement;

namespace {

std::vector<std::string> Values(const json::value& req) {
  std::vector<std::string> out;
  if (const json::array* vs = GetArray(req, {"values"})) {
    for (const json::value& v : *vs) {
      if (v.is_string()) out.emplace_back(v.get_string());
    }
  }
  return out;
}

// Kubernetes' nodeSelectorRequirementsAsSelector checks, on one requirement.
std::optional<Requirement> LabelRequirement(const json::value& req) {
  Requirement r;
  r.key = std::string(GetString(req, {"key"}));
  r.values = Values(req);
  std::string_view op = GetString(req, {"operator"});
  if (r.key.empty()) return std::nullopt;
  if (op == "In" || op == "NotIn") {
    if (r.values.empty()) return std::nullopt;
    r.op = op == "In" ? Op::kIn : Op::kNotIn;
  } else if (op == "Exists" || op == "DoesNotExist") {
    if (!r.values.empty()) return std::nullopt;
    r.op = op == "Exists" ? Op::kExists : Op::kDoesNotExist;
  } else if (op == "Gt" || op == "Lt") {
    int64_t unused;
    if (r.values.size() != 1 || !ParseInt64(r.values[0], &unused)) return std::nullopt;
    r.op = op == "Gt" ? Op::kGreaterThan : Op::kLessThan;
  } else {
    return std::nullopt;
  }
  return r;
}

std::optional<Requirement> FieldRequirement(const json::value& req) {
  Requirement r;
  r.key = std::string(GetString(req, {"key"}));
  r.values = Values(req);
  std::string_view op = GetString(req, {"operator"});
  if (r.key != "metadata.name" || r.values.size() != 1) return std::nullopt;
  if (op == "In") {
    r.op = Op::kIn;
  } else if (op == "NotIn") {
    r.op = Op::kNotIn;
  } else {
    return std::nullopt;
  }
  return r;
}

}  // namespace

std::optional<NodeSelectorTerm> NodeSelectorTerm::FromJson(const json::value& term) {
  NodeSelectorTerm t;
  if (const json::array* exprs = GetArray(term, {"matchExpressions"})) {
    for (const json::value& e : *exprs) {
      auto r = LabelRequirement(e);
      if (!r) return std::nullopt;
      t.labels_.push_back(std::move(*r));
    }
  }
  if (const json::array* fields = GetArray(term, {"matchFields"})) {
    for (const json::value& f : *fields) {
      auto r = FieldRequirement(f);
      if (!r) return std::nullopt;
      t.fields_.push_back(std::move(*r));
    }
  }
  return t;
}

bool NodeSelectorTerm::Matches(std::string_view node_name, const json::object* labels) const {
  if (Empty()) return false;
  for (const Requirement& r : labels_) {
    if (!r.Matches(labels)) return false;
  }
  for (const Requirement& r : fields_) {
    bool in = std::find(r.values.begin(), r.values.end(), node_name) != r.values.end();
    if (in != (r.op == Op::kIn)) return false;
  }
  return true;
}

std::optional<std::vector<std::string>> NodeSelectorTerm::PinnedNodeNames() const {
  std::optional<std::vector<std::string>> names;
  for (const Requirement& r : fields_) {
    if (r.op != Op::kIn) continue;
    std::vector<std::string> vs = r.values;
    std::sort(vs.begin(), vs.end());
    vs.erase(std::unique(vs.begin(), vs.end()), vs.end());
    if (!names) {
      names = std::move(vs);
    } else {
      std::vector<std::string> both;
      std::set_intersection(names->begin(), names->end(), vs.begin(), vs.end(),
                            std::back_inserter(both));
      names = std::move(both);
    }
  }
  return names;
}

NodeSelector NodeSelector::FromJson(const json::value& selector) {
  NodeSelector s;
  if (const json::array* terms = GetArray(selector, {"nodeSelectorTerms"})) {
    s.declared_terms_ = terms->size();
    for (const json::value& t : *terms) {
      if (auto term = NodeSelectorTerm::FromJson(t)) s.terms_.push_back(std::move(*term));
    }
  }
  return s;
}

bool NodeSelector::Matches(std::string_view node_name, const json::object* labels) const {
  for (const NodeSelectorTerm& t : terms_) {
    if (t.Matches(node_name, labels)) return true;
  }
  return false;
}

RequiredNodeAffinity RequiredNodeAffinity::FromPod(const json::value& pod) {
  RequiredNodeAffinity a;
  if (const json::object* sel = GetObject(pod, {"spec", "nodeSelector"})) {
    for (const auto& [k, v] : *sel) {
      a.node_selector_.emplace_back(std::string(k),
                                    v.is_string() ? std::string(v.get_string()) : "");
    }
  }
  const json::value* req = Find(
      pod, {"spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"});
  if (req != nullptr && req->is_object()) a.affinity_ = NodeSelector::FromJson(*req);
  return a;
}

bool RequiredNodeAffinity::Matches(std::string_view node_name, const json::object* labels) const {
  for (const auto& [k, v] : node_selector_) {
    if (labels == nullptr) return false;
    auto it = labels->find(k);
    if (it == labels->end() || !it->value().is_string() || it->value().get_string() != v) {
      return false;
    }
  }
  return !affinity_ || affinity_->Matches(node_name, labels);
}

std::vector<PreferredSchedulingTerm> PreferredNodeAffinityFromPod(const json::value& pod) {
  std::vector<PreferredSchedulingTerm> out;
  const json::array* terms = GetArray(
      pod, {"spec", "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution"});
  if (terms == nullptr) return out;
  for (const json::value& t : *terms) {
    int64_t weight = GetInt(t, {"weight"});
    const json::value* pref = Find(t, {"preference"});
    if (weight == 0 || pref == nullptr) continue;
    auto term = NodeSelectorTerm::FromJson(*pref);
    if (!term || term->Empty()) continue;
    out.push_back({static_cast<int32_t>(weight), std::move(*term)});
  }
  return out;
}

}  // namespace skiff::api
