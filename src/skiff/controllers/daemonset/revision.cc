#include "skiff/controllers/daemonset/revision.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "skiff/api/object.h"
#include "skiff/controllers/daemonset/daemon_pod.h"
#include "skiff/controllers/deployment/util/hash.h"
#include "skiff/controllers/history/history.h"

namespace skiff::controllers::daemonset {

namespace json = boost::json;

namespace {

const json::value& TemplateOf(const json::value& ds) {
  static const json::value kNull;
  const json::value* t = api::Find(ds, {"spec", "template"});
  return t != nullptr ? *t : kNull;
}

void WriteSorted(const json::value& v, std::string& out) {
  if (!v.is_object()) {
    if (!v.is_array()) {
      out += json::serialize(v);
      return;
    }
    out += '[';
    bool first = true;
    for (const json::value& e : v.get_array()) {
      if (!first) out += ',';
      first = false;
      WriteSorted(e, out);
    }
    out += ']';
    return;
  }
  std::vector<const json::key_value_pair*> members;
  for (const json::key_value_pair& kv : v.get_object()) members.push_back(&kv);
  std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
  out += '{';
  bool first = true;
  for (const json::key_value_pair* kv : members) {
    if (!first) out += ',';
    first = false;
    out += json::serialize(json::value(kv->key()));
    out += ':';
    WriteSorted(kv->value(), out);
  }
  out += '}';
}

std::optional<int32_t> CollisionCount(const json::value& ds) {
  const json::value* c = api::Find(ds, {"status", "collisionCount"});
  if (c == nullptr || c->is_null()) return std::nullopt;
  return static_cast<int32_t>(api::GetInt(ds, {"status", "collisionCount"}));
}

}  // namespace

std::string DaemonSetHash(const json::value& ds) {
  return deployment::ComputeHash(TemplateOf(ds), CollisionCount(ds));
}

std::string RevisionData(const json::value& ds) {
  json::value tmpl = TemplateOf(ds);
  if (!tmpl.is_object()) tmpl = json::object();
  tmpl.get_object()["$patch"] = "replace";
  std::string out;
  WriteSorted(json::value{{"spec", json::object{{"template", std::move(tmpl)}}}}, out);
  return out;
}

bool MatchesRevision(const json::value& ds, const json::value& revision) {
  const json::value* stored = api::Find(revision, {"data", "spec", "template"});
  if (stored == nullptr || !stored->is_object()) return false;
  json::object tmpl = stored->get_object();
  tmpl.erase("$patch");
  return deployment::CanonicalJson(tmpl) == deployment::CanonicalJson(TemplateOf(ds));
}

json::object NewDaemonSetRevision(const json::value& ds, const std::string& hash,
                                  int64_t revision) {
  const json::object* labels = api::GetObject(ds, {"spec", "template", "metadata", "labels"});
  json::object rev_labels = labels != nullptr ? *labels : json::object();
  rev_labels[kControllerRevisionHashLabel] = hash;
  json::object rev =
      history::NewControllerRevision(ds.as_object(), "apps/v1", "DaemonSet", rev_labels,
                                     RevisionData(ds), revision, CollisionCount(ds));
  // The DaemonSet names and labels its revisions with its own hash, not the revision-data hash.
  json::object& meta = rev["metadata"].as_object();
  meta["name"] = history::ControllerRevisionName(api::GetString(ds, {"metadata", "name"}), hash);
  meta["labels"] = std::move(rev_labels);
  return rev;
}

}  // namespace skiff::controllers::daemonset
