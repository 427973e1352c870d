#include "skiff/controllers/history/history.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/apiserver/errors.h"
#include "skiff/base/time.h"
#include "skiff/controllers/common/controller_ref.h"
#include "skiff/controllers/common/hash.h"

namespace skiff::controllers::history {

namespace json = boost::json;

namespace {

constexpr std::string_view kStrategicMerge = "application/strategic-merge-patch+json";
constexpr size_t kMaxPrefixLength = 223;
// client-go's retry.DefaultBackoff: 4 attempts, 10 ms growing fivefold.
constexpr int kUpdateAttempts = 4;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// Reads of metadata fields straight from an object (api:: helpers take values, and wrapping an
// object in a value would copy it).
std::string_view Meta(const json::object& obj, std::string_view field) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->value().is_object()) return {};
  const json::object& m = meta->value().get_object();
  auto it = m.find(field);
  if (it == m.end() || !it->value().is_string()) return {};
  return it->value().get_string();
}
const json::object* MetaObject(const json::object& obj, std::string_view field) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->value().is_object()) return nullptr;
  const json::object& m = meta->value().get_object();
  auto it = m.find(field);
  return it == m.end() ? nullptr : it->value().if_object();
}
std::string_view Name(const json::object& obj) { return Meta(obj, "name"); }
std::string_view Namespace(const json::object& obj) { return Meta(obj, "namespace"); }
std::string_view Uid(const json::object& obj) { return Meta(obj, "uid"); }
std::string_view Name(const json::value& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string_view Namespace(const json::value& obj) {
  return api::GetString(obj, {"metadata", "namespace"});
}
std::string_view Uid(const json::value& obj) { return api::GetString(obj, {"metadata", "uid"}); }

// The controller ownerReference of an object held as an object.
const json::value* ControllerRefOfObject(const json::object& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end()) return nullptr;
  const json::array* refs = api::GetArray(meta->value(), {"ownerReferences"});
  if (refs == nullptr) return nullptr;
  for (const auto& r : *refs) {
    if (r.is_object() && api::GetBool(r, {"controller"})) return &r;
  }
  return nullptr;
}

// The hash label as upstream's strconv.ParseInt(s, 10, 32) reads it.
std::optional<int32_t> ParsedHashLabel(const json::object& revision) {
  const json::object* labels = MetaObject(revision, "labels");
  if (labels == nullptr) return std::nullopt;
  auto it = labels->find(kControllerRevisionHashLabel);
  if (it == labels->end() || !it->value().is_string()) return std::nullopt;
  std::string_view s = it->value().get_string();
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

absl::Time CreationTime(const json::object& revision) {
  if (auto t = base::ParseRfc3339(Meta(revision, "creationTimestamp"))) return *t;
  return absl::UnixEpoch();
}

void AppendGoString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        *out += "\\\"";
        continue;
      case '\\':
        *out += "\\\\";
        continue;
      case '\n':
        *out += "\\n";
        continue;
      case '\r':
        *out += "\\r";
        continue;
      case '\t':
        *out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      *out += "\\u00";
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xf]);
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8 / E2 80 A9).
    if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xa9)) {
      *out += static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out->push_back(static_cast<char>(c));
  }
  out->push_back('"');
}

void AppendGoJson(const json::value& v, std::string* out) {
  switch (v.kind()) {
    case json::kind::object: {
      const json::object& obj = v.get_object();
      std::vector<const json::key_value_pair*> members;
      members.reserve(obj.size());
      for (const auto& kv : obj) members.push_back(&kv);
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
        return std::string_view(a->key()) < std::string_view(b->key());
      });
      out->push_back('{');
      for (size_t i = 0; i < members.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendGoString(members[i]->key(), out);
        out->push_back(':');
        AppendGoJson(members[i]->value(), out);
      }
      out->push_back('}');
      return;
    }
    case json::kind::array: {
      const json::array& arr = v.get_array();
      out->push_back('[');
      for (size_t i = 0; i < arr.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendGoJson(arr[i], out);
      }
      out->push_back(']');
      return;
    }
    case json::kind::string:
      AppendGoString(v.get_string(), out);
      return;
    case json::kind::double_: {
      // Go: shortest round-trip digits, fixed notation for 1e-6 <= |d| < 1e21, else exponent
      // notation with at least two exponent digits dropped to what is needed (1e-07 -> 1e-7).
      double d = v.get_double();
      double a = d < 0 ? -d : d;
      char buf[64];
      bool fixed = a == 0 || (a >= 1e-6 && a < 1e21);
      auto res = std::to_chars(buf, buf + sizeof(buf), d,
                               fixed ? std::chars_format::fixed : std::chars_format::scientific);
      std::string text(buf, res.ptr);
      if (!fixed) {
        size_t e = text.find('e');
        if (e != std::string::npos && e + 2 < text.size() && text[e + 2] == '0' &&
            e + 3 < text.size()) {
          text.erase(e + 2, 1);
        }
      }
      *out += text;
      return;
    }
    default:
      *out += json::serialize(v);
      return;
  }
}

}  // namespace

std::string GoJsonMarshal(const json::value& v) {
  std::string out;
  AppendGoJson(v, &out);
  return out;
}

std::string TemplatePatch(const json::object& parent) {
  json::object tmpl;
  if (auto spec = parent.find("spec"); spec != parent.end() && spec->value().is_object()) {
    const json::object& s = spec->value().get_object();
    if (auto t = s.find("template"); t != s.end() && t->value().is_object()) {
      tmpl = t->value().get_object();
    }
  }
  tmpl["$patch"] = "replace";
  json::value patch = json::object{{"spec", json::object{{"template", std::move(tmpl)}}}};
  return GoJsonMarshal(patch);
}

std::string HashControllerRevision(std::string_view raw_data,
                                   std::optional<int32_t> collision_count) {
  Fnv32 hasher;
  hasher.Write(raw_data);
  if (collision_count.has_value()) hasher.Write(std::to_string(*collision_count));
  return SafeEncodeString(std::to_string(hasher.Sum()));
}

std::string ControllerRevisionName(std::string_view prefix, std::string_view hash) {
  if (prefix.size() > kMaxPrefixLength) prefix = prefix.substr(0, kMaxPrefixLength);
  return api::Cat(prefix, "-", hash);
}

json::object NewControllerRevision(const json::object& parent, std::string_view parent_api_version,
                                   std::string_view parent_kind,
                                   const json::object& template_labels, std::string raw_data,
                                   int64_t revision, std::optional<int32_t> collision_count) {
  std::string hash = HashControllerRevision(raw_data, collision_count);
  json::object labels = template_labels;
  labels[kControllerRevisionHashLabel] = hash;
  json::object meta;
  meta["name"] = ControllerRevisionName(Name(parent), hash);
  meta["namespace"] = Namespace(parent);
  meta["labels"] = std::move(labels);
  const json::object* annotations = MetaObject(parent, "annotations");
  if (annotations != nullptr && !annotations->empty()) meta["annotations"] = *annotations;
  meta["ownerReferences"] =
      json::array{NewControllerRef(parent_api_version, parent_kind, Name(parent), Uid(parent))};
  boost::system::error_code ec;
  json::value data = json::parse(raw_data, ec);
  if (ec) data = nullptr;
  return json::object{{"apiVersion", "apps/v1"},
                      {"kind", "ControllerRevision"},
                      {"metadata", std::move(meta)},
                      {"data", std::move(data)},
                      {"revision", revision}};
}

std::string RawData(const json::object& revision) {
  auto it = revision.find("data");
  if (it == revision.end()) return "null";
  return GoJsonMarshal(it->value());
}

int64_t RevisionNumber(const json::object& revision) {
  auto it = revision.find("revision");
  if (it == revision.end()) return 0;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().get_uint64());
  return 0;
}

bool EqualRevision(const json::object& a, const json::object& b) {
  std::optional<int32_t> ha = ParsedHashLabel(a);
  std::optional<int32_t> hb = ParsedHashLabel(b);
  if (ha && hb && *ha != *hb) return false;
  return RawData(a) == RawData(b);
}

std::vector<const json::object*> FindEqualRevisions(
    const std::vector<const json::object*>& revisions, const json::object& needle) {
  std::vector<const json::object*> out;
  for (const json::object* r : revisions) {
    if (EqualRevision(*r, needle)) out.push_back(r);
  }
  return out;
}

void SortControllerRevisions(std::vector<const json::object*>& revisions) {
  std::stable_sort(revisions.begin(), revisions.end(),
                   [](const json::object* a, const json::object* b) {
                     int64_t ra = RevisionNumber(*a), rb = RevisionNumber(*b);
                     if (ra != rb) return ra < rb;
                     absl::Time ta = CreationTime(*a), tb = CreationTime(*b);
                     if (ta != tb) return ta < tb;
                     return Name(*a) < Name(*b);
                   });
}

int64_t MaxRevision(const std::vector<const json::object*>& revisions) {
  int64_t max = 0;
  for (const json::object* r : revisions) max = std::max(max, RevisionNumber(*r));
  return max;
}

std::vector<const json::object*> Pointers(const std::vector<client::ObjPtr>& revisions) {
  std::vector<const json::object*> out;
  out.reserve(revisions.size());
  for (const auto& r : revisions) {
    if (r->is_object()) out.push_back(&r->get_object());
  }
  return out;
}

std::vector<client::ObjPtr> History::ListControllerRevisions(
    const json::object& parent, const api::LabelSelector& selector) const {
  std::string_view parent_uid = Uid(parent);
  std::vector<client::ObjPtr> owned;
  for (auto& r : revisions_.List(std::string(Namespace(parent)))) {
    if (!selector.MatchesObject(*r)) continue;
    const json::value* ref = ControllerRefOf(*r);
    if (ref == nullptr || api::GetString(*ref, {"uid"}) == parent_uid) owned.push_back(r);
  }
  return owned;
}

absl::StatusOr<json::object> History::CreateControllerRevision(const json::object& parent,
                                                               const json::object& revision,
                                                               int32_t* collision_count) {
  if (collision_count == nullptr) {
    return absl::InvalidArgumentError("collisionCount should not be nil");
  }
  std::string ns(Namespace(parent));
  const std::string raw = RawData(revision);
  json::object clone = revision;
  while (true) {
    std::string name =
        ControllerRevisionName(Name(parent), HashControllerRevision(raw, *collision_count));
    clone["metadata"].as_object()["name"] = name;
    auto created = client_->Create(client::ControllerRevisions(), ns, json::value(clone));
    if (created.ok()) return std::move(created->as_object());
    if (!client::IsAlreadyExistsError(created.status())) return created.status();
    auto exists = client_->Get(client::ControllerRevisions(), ns, name);
    if (!exists.ok()) return exists.status();
    if (exists->is_object() && RawData(exists->get_object()) == raw) {
      return std::move(exists->as_object());
    }
    ++*collision_count;
  }
}

absl::StatusOr<json::object> History::UpdateControllerRevision(const json::object& revision,
                                                               int64_t new_revision) {
  json::object clone = revision;
  absl::Status last;
  auto delay = std::chrono::milliseconds(10);
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    if (RevisionNumber(clone) == new_revision) return clone;
    clone["revision"] = new_revision;
    auto updated = client_->Update(client::ControllerRevisions(), json::value(clone));
    if (updated.ok()) return std::move(updated->as_object());
    last = updated.status();
    if (!client::IsConflictError(last)) return last;
    // A newer copy: the informer's when it has one, else the server's.
    std::string ns(Namespace(clone)), name(Name(clone));
    client::ObjPtr cached = revisions_.Get(ns, name);
    if (cached != nullptr && cached->is_object() &&
        api::GetString(*cached, {"metadata", "resourceVersion"}) !=
            Meta(clone, "resourceVersion")) {
      clone = cached->get_object();
    } else {
      auto fresh = client_->Get(client::ControllerRevisions(), ns, name);
      if (!fresh.ok()) return fresh.status();
      clone = std::move(fresh->as_object());
    }
    std::this_thread::sleep_for(delay);
    delay *= 5;
  }
  return last;
}

absl::Status History::DeleteControllerRevision(const json::object& revision) {
  return client_->Delete(client::ControllerRevisions(), Namespace(revision), Name(revision));
}

absl::StatusOr<json::object> History::AdoptControllerRevision(const json::object& parent,
                                                              std::string_view parent_api_version,
                                                              std::string_view parent_kind,
                                                              const json::object& revision) {
  if (const json::value* owner = ControllerRefOfObject(revision)) {
    return absl::FailedPreconditionError(
        api::Cat("attempt to adopt revision owned by ", json::serialize(*owner)));
  }
  json::object ref = NewControllerRef(parent_api_version, parent_kind, Name(parent), Uid(parent));
  auto res = client_->Patch(client::ControllerRevisions(), Namespace(parent), Name(revision),
                            kStrategicMerge, AdoptPatch(ref, Uid(revision)));
  if (!res.ok()) return res.status();
  return std::move(res->as_object());
}

absl::Status History::ReleaseControllerRevision(const json::object& parent,
                                                const json::object& revision) {
  auto res = client_->Patch(client::ControllerRevisions(), Namespace(revision), Name(revision),
                            kStrategicMerge, ReleasePatch(Uid(parent), Uid(revision)));
  // Gone, or no longer referencing the parent / recreated under another uid (422).
  if (res.ok() || client::IsNotFoundError(res.status()) ||
      apiserver::HttpCode(res.status()) == 422) {
    return absl::OkStatus();
  }
  return res.status();
}

absl::StatusOr<std::vector<client::ObjPtr>> History::ClaimControllerRevisions(
    const json::object& parent, std::string_view parent_api_version, std::string_view parent_kind,
    const api::LabelSelector& selector, const std::vector<client::ObjPtr>& revisions,
    const std::function<absl::Status()>& can_adopt) {
  std::string_view parent_uid = Uid(parent);
  bool parent_deleting = !Meta(parent, "deletionTimestamp").empty();
  std::optional<absl::Status> adoptable;  // checked once, at the first adoption
  std::vector<client::ObjPtr> claimed;
  std::vector<std::string> errors;
  for (const auto& r : revisions) {
    if (!r->is_object()) continue;
    bool matches = !selector.MatchesNothing() && selector.MatchesObject(*r);
    switch (DecideClaim(*r, parent_uid, matches, parent_deleting)) {
      case ClaimAction::kIgnore:
        break;
      case ClaimAction::kKeep:
        claimed.push_back(r);
        break;
      case ClaimAction::kAdopt: {
        if (!adoptable) adoptable = can_adopt ? can_adopt() : absl::OkStatus();
        if (!adoptable->ok()) {
          errors.push_back(api::Cat("can't adopt ControllerRevision ", Namespace(*r), "/", Name(*r),
                                    " (", Uid(*r), "): ", Message(*adoptable)));
          break;
        }
        auto adopted =
            AdoptControllerRevision(parent, parent_api_version, parent_kind, r->get_object());
        if (adopted.ok()) {
          claimed.push_back(std::make_shared<const json::value>(std::move(*adopted)));
        } else if (!client::IsNotFoundError(adopted.status())) {
          errors.push_back(Message(adopted.status()));
        }
        break;
      }
      case ClaimAction::kRelease:
        if (absl::Status s = ReleaseControllerRevision(parent, r->get_object()); !s.ok()) {
          errors.push_back(Message(s));
        }
        break;
    }
  }
  if (!errors.empty()) return absl::UnavailableError(api::Join(errors, "; "));
  return claimed;
}

}  // namespace skiff::controllers::history
