#include "skiff/api/openapi/schema.h"

#include <deque>
#include <utility>

#include "skiff/api/openapi/schema_text.h"
#include "skiff/api/openapi/strings.h"

namespace skiff::api::openapi {

using internal::AbslView;
using internal::Cat;
using internal::ConsumePrefix;
using internal::Split;
using internal::Trim;

ValueKind Field::EffectiveKind() const { return ref != nullptr ? ref->kind : kind; }

const Field* Schema::FindField(std::string_view field_name) const {
  auto it = field_index.find(AbslView(field_name));
  return it == field_index.end() ? nullptr : &fields[it->second];
}

namespace {

namespace json = boost::json;

// A field line before type names are resolved.
struct PendingItem {
  Field field;
  std::string type_name;  // named type of the value; empty for primitives
  std::string include;    // set for `include <Name>` lines
  int line = 0;
};

struct PendingType {
  Schema* schema = nullptr;
  std::string package;
  std::string area;
  int line = 0;
  bool add_object = false;
  bool add_typemeta = false;
  std::vector<PendingItem> items;
  bool expanded = false;  // include expansion done
  bool expanding = false;
};

class Table {
 public:
  Table() { Build(); }

  absl::Status status;
  std::vector<const Schema*> all;
  absl::flat_hash_map<std::string, const Schema*> by_name;
  absl::flat_hash_map<std::string, const Schema*> by_short;  // nullptr when ambiguous
  absl::flat_hash_map<std::string, const Schema*> by_gvk;

 private:
  void Build();
  void Parse(std::string_view area, std::string_view text);
  bool ParseHeader(std::string_view area, int line, std::string_view package,
                   std::string_view rest);
  bool ParseItem(int line, std::string_view rest);
  void Fail(std::string_view area, int line, std::string_view what);
  const Schema* Resolve(std::string_view package, std::string_view name) const;
  bool Expand(PendingType& t);
  void Finish(Schema& s);
  void AddListTypes();

  std::deque<Schema> storage_;  // stable addresses
  std::deque<PendingType> pending_;
  absl::flat_hash_map<const Schema*, PendingType*> pending_of_;
};

// Splits "<head> : <description>"; the description is empty when absent.
std::pair<std::string_view, std::string_view> SplitDescription(std::string_view s) {
  size_t pos = s.find(" : ");
  if (pos == std::string_view::npos) return {Trim(s), {}};
  return {Trim(s.substr(0, pos)), Trim(s.substr(pos + 3))};
}

// Zero value published as the default of required scalar fields (Kubernetes does the same for
// non-pointer fields without omitempty).
std::optional<json::value> ZeroValue(ValueKind kind, std::string_view format) {
  switch (kind) {
    case ValueKind::kString:
      if (format == "byte" || format == "date-time") return std::nullopt;
      return json::value(json::string());
    case ValueKind::kInteger:
      return json::value(0);
    case ValueKind::kNumber:
      return json::value(0.0);
    case ValueKind::kBoolean:
      return json::value(false);
    default:
      return std::nullopt;
  }
}

bool ParseScalarKind(std::string_view s, ValueKind* kind) {
  static const std::pair<std::string_view, ValueKind> kKinds[] = {
      {"string", ValueKind::kString},     {"integer", ValueKind::kInteger},
      {"number", ValueKind::kNumber},     {"boolean", ValueKind::kBoolean},
      {"quantity", ValueKind::kQuantity}, {"int-or-string", ValueKind::kIntOrString},
      {"object", ValueKind::kAny},
  };
  for (const auto& [name, k] : kKinds) {
    if (s == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

void Table::Fail(std::string_view area, int line, std::string_view what) {
  if (status.ok()) {
    status = absl::InternalError(Cat("schema table ", area, ":", line, ": ", what));
  }
}

bool Table::ParseHeader(std::string_view area, int line, std::string_view package,
                        std::string_view rest) {
  auto [head, description] = SplitDescription(rest);
  std::vector<std::string_view> tokens = Split(head, ' ', true);
  if (tokens.empty()) {
    Fail(area, line, "type without a name");
    return false;
  }
  Schema& s = storage_.emplace_back();
  s.short_name = std::string(tokens[0]);
  s.name = Cat(package, ".", tokens[0]);
  s.description = std::string(description);
  PendingType& t = pending_.emplace_back();
  t.schema = &s;
  t.package = std::string(package);
  t.area = std::string(area);
  t.line = line;
  pending_of_[&s] = &t;
  for (size_t i = 1; i < tokens.size(); ++i) {
    std::string_view tok = tokens[i];
    std::string_view value;
    if (tok == "object") {
      t.add_object = true;
    } else if (tok == "typemeta") {
      t.add_typemeta = true;
    } else if (tok == "hidden") {
      s.hidden = true;
    } else if (tok == "preserve") {
      s.preserve_unknown = true;
    } else if (ConsumePrefix(&(value = tok), "gvk=")) {
      std::vector<std::string_view> parts = Split(value, '/');
      if (parts.size() != 3) {
        Fail(area, line, Cat("bad gvk ", value));
        return false;
      }
      s.gvks.push_back({std::string(parts[0]), std::string(parts[1]), std::string(parts[2])});
    } else if (ConsumePrefix(&(value = tok), "scalar=")) {
      if (!ParseScalarKind(value, &s.kind)) {
        Fail(area, line, Cat("bad scalar kind ", value));
        return false;
      }
    } else if (ConsumePrefix(&(value = tok), "format=")) {
      s.format = std::string(value);
    } else if (ConsumePrefix(&(value = tok), "struct=")) {
      s.map_type = std::string(value);
    } else {
      Fail(area, line, Cat("unknown type attribute ", tok));
      return false;
    }
  }
  return true;
}

bool Table::ParseItem(int line, std::string_view rest) {
  PendingType& t = pending_.back();
  PendingItem item;
  item.line = line;
  std::string_view inc = rest;
  if (ConsumePrefix(&inc, "include ")) {
    item.include = std::string(Trim(inc));
    t.items.push_back(std::move(item));
    return true;
  }
  auto [head, description] = SplitDescription(rest);
  std::vector<std::string_view> tokens = Split(head, ' ', true);
  if (tokens.size() < 2) {
    Fail(t.area, line, "field needs a name and a type");
    return false;
  }
  Field& f = item.field;
  f.name = std::string(tokens[0]);
  f.description = std::string(description);
  std::string_view type = tokens[1];
  if (ConsumePrefix(&type, "[]")) {
    f.container = Container::kList;
  } else if (ConsumePrefix(&type, "{}")) {
    f.container = Container::kMap;
  }
  if (type == "string") {
    f.kind = ValueKind::kString;
  } else if (type == "int32" || type == "int64") {
    f.kind = ValueKind::kInteger;
    f.format = std::string(type);
  } else if (type == "bool") {
    f.kind = ValueKind::kBoolean;
  } else if (type == "double") {
    f.kind = ValueKind::kNumber;
    f.format = "double";
  } else if (type == "byte") {
    f.kind = ValueKind::kString;
    f.format = "byte";
  } else {
    f.kind = ValueKind::kObject;
    item.type_name = std::string(type);
  }
  for (size_t i = 2; i < tokens.size(); ++i) {
    std::string_view tok = tokens[i];
    std::string_view value;
    if (tok == "req") {
      f.required = true;
    } else if (tok == "preserve") {
      f.preserve_unknown = true;
    } else if (ConsumePrefix(&(value = tok), "list=")) {
      f.list_type = std::string(value);
    } else if (ConsumePrefix(&(value = tok), "keys=")) {
      for (std::string_view k : Split(value, ',')) f.list_map_keys.emplace_back(k);
    } else if (ConsumePrefix(&(value = tok), "merge=")) {
      f.patch_merge_key = std::string(value);
    } else if (ConsumePrefix(&(value = tok), "strategy=")) {
      f.patch_strategy = std::string(value);
    } else if (ConsumePrefix(&(value = tok), "maptype=")) {
      f.map_type = std::string(value);
    } else if (ConsumePrefix(&(value = tok), "enum=")) {
      for (std::string_view e : Split(value, '|')) f.enum_values.emplace_back(e);
    } else if (ConsumePrefix(&(value = tok), "default=")) {
      boost::system::error_code ec;
      json::value v = json::parse(json::string_view(value.data(), value.size()), ec);
      if (ec) {
        Fail(t.area, line, Cat("bad default ", value));
        return false;
      }
      f.default_value = std::move(v);
    } else {
      Fail(t.area, line, Cat("unknown field attribute ", tok));
      return false;
    }
  }
  t.items.push_back(std::move(item));
  return true;
}

void Table::Parse(std::string_view area, std::string_view text) {
  std::string package;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    line = internal::TrimRight(line);
    std::string_view trimmed = internal::TrimLeft(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    std::string_view rest = line;
    if (ConsumePrefix(&rest, "package ")) {
      package = std::string(Trim(rest));
    } else if (ConsumePrefix(&rest, "type ")) {
      if (!ParseHeader(area, line_no, package, rest)) return;
    } else if (ConsumePrefix(&rest, "  ")) {
      if (pending_.empty()) {
        Fail(area, line_no, "field outside a type");
        return;
      }
      if (!ParseItem(line_no, rest)) return;
    } else {
      Fail(area, line_no, "unrecognised line");
      return;
    }
  }
}

const Schema* Table::Resolve(std::string_view package, std::string_view name) const {
  if (auto it = by_name.find(Cat(package, ".", name)); it != by_name.end()) {
    return it->second;
  }
  if (auto it = by_name.find(AbslView(name)); it != by_name.end()) return it->second;
  if (auto it = by_short.find(AbslView(name)); it != by_short.end()) return it->second;
  return nullptr;
}

// Replaces include lines by the fields of the included type (recursively).
bool Table::Expand(PendingType& t) {
  if (t.expanded) return true;
  if (t.expanding) {
    Fail(t.area, t.line, "include cycle");
    return false;
  }
  t.expanding = true;
  std::vector<PendingItem> out;
  for (PendingItem& item : t.items) {
    if (item.include.empty()) {
      out.push_back(std::move(item));
      continue;
    }
    const Schema* inc = Resolve(t.package, item.include);
    auto it = inc == nullptr ? pending_of_.end() : pending_of_.find(inc);
    if (it == pending_of_.end()) {
      Fail(t.area, item.line, Cat("unknown included type ", item.include));
      return false;
    }
    if (!Expand(*it->second)) return false;
    for (const PendingItem& f : it->second->items) out.push_back(f);
  }
  t.items = std::move(out);
  t.expanding = false;
  t.expanded = true;
  return true;
}

Field StandardField(std::string_view name, std::string_view description, const Schema* ref) {
  Field f;
  f.name = std::string(name);
  f.description = std::string(description);
  if (ref != nullptr) {
    f.kind = ValueKind::kObject;
    f.ref = ref;
    f.default_value = json::value(json::object());
  }
  return f;
}

constexpr std::string_view kApiVersionDoc =
    "Versioned schema of this representation, such as apps/v1; the server converts "
    "recognised versions to the one it stores.";
constexpr std::string_view kKindDoc =
    "REST kind of the object in CamelCase, such as Deployment; taken from the endpoint when "
    "omitted. Cannot be changed.";
constexpr std::string_view kMetadataDoc =
    "Standard object metadata: name, namespace, labels, annotations, owners and so on.";

void Table::Finish(Schema& s) {
  s.field_index.clear();
  for (size_t i = 0; i < s.fields.size(); ++i) {
    Field& f = s.fields[i];
    if (f.required && f.container == Container::kNone && f.ref == nullptr &&
        !f.default_value.has_value()) {
      f.default_value = ZeroValue(f.kind, f.format);
    }
    if (!s.field_index.emplace(f.name, i).second) {
      Fail("table", 0, Cat("duplicate field ", f.name, " in ", s.name));
    }
  }
}

// Every served kind gets a <Kind>List schema, as Kubernetes publishes.
void Table::AddListTypes() {
  const Schema* list_meta = by_name["io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"];
  for (const ResourceInfo& r : AllResources()) {
    auto it = by_gvk.find(Cat(r.group, "/", r.version, "/", r.kind));
    if (it == by_gvk.end()) continue;
    const Schema* item = it->second;
    std::string name = Cat(item->name, "List");
    if (by_name.contains(name)) continue;
    Schema& s = storage_.emplace_back();
    s.name = name;
    s.short_name = Cat(item->short_name, "List");
    s.description = Cat("A list of ", item->short_name, " objects.");
    s.gvks.push_back({std::string(r.group), std::string(r.version), Cat(r.kind, "List")});
    s.fields.push_back(StandardField("apiVersion", kApiVersionDoc, nullptr));
    Field items;
    items.name = "items";
    items.description = Cat("The ", item->short_name, " objects.");
    items.container = Container::kList;
    items.kind = ValueKind::kObject;
    items.ref = item;
    items.required = true;
    s.fields.push_back(std::move(items));
    s.fields.push_back(StandardField("kind", kKindDoc, nullptr));
    s.fields.push_back(StandardField("metadata", "Standard list metadata.", list_meta));
    Finish(s);
    by_name[s.name] = &s;
    by_gvk[Cat(r.group, "/", r.version, "/", r.kind, "List")] = &s;
    all.push_back(&s);
  }
}

void Table::Build() {
  const std::pair<std::string_view, std::string_view> kTexts[] = {
      {"meta", internal::MetaSchemaText()},
      {"core-volumes", internal::CoreVolumeSchemaText()},
      {"core-pod", internal::CorePodSchemaText()},
      {"core-other", internal::CoreOtherSchemaText()},
      {"groups", internal::GroupsSchemaText()},
  };
  for (const auto& [area, text] : kTexts) {
    Parse(area, text);
    if (!status.ok()) return;
  }
  // Register names.
  absl::flat_hash_map<std::string, int> short_count;
  for (Schema& s : storage_) {
    if (!by_name.emplace(s.name, &s).second) {
      Fail("table", 0, Cat("duplicate type ", s.name));
      return;
    }
    ++short_count[s.short_name];
    by_short[s.short_name] = &s;
  }
  for (const auto& [name, n] : short_count) {
    if (n > 1) by_short[name] = nullptr;
  }
  by_short.erase("");
  for (auto it = by_short.begin(); it != by_short.end();) {
    if (it->second == nullptr) {
      by_short.erase(it++);
    } else {
      ++it;
    }
  }
  // Resolve named types.
  for (PendingType& t : pending_) {
    for (PendingItem& item : t.items) {
      if (item.type_name.empty()) continue;
      item.field.ref = Resolve(t.package, item.type_name);
      if (item.field.ref == nullptr) {
        Fail(t.area, item.line, Cat("unknown type ", item.type_name));
        return;
      }
    }
  }
  const Schema* object_meta = by_name["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
  for (PendingType& t : pending_) {
    if (!Expand(t)) return;
    Schema& s = *t.schema;
    auto listed = [&](std::string_view name) {
      for (const PendingItem& item : t.items) {
        if (item.field.name == name) return true;
      }
      return false;
    };
    if (t.add_object || t.add_typemeta) {
      if (!listed("apiVersion"))
        s.fields.push_back(StandardField("apiVersion", kApiVersionDoc, nullptr));
      if (!listed("kind")) s.fields.push_back(StandardField("kind", kKindDoc, nullptr));
    }
    if (t.add_object && !listed("metadata")) {
      s.fields.push_back(StandardField("metadata", kMetadataDoc, object_meta));
    }
    for (const PendingItem& item : t.items) s.fields.push_back(item.field);
    Finish(s);
    for (const GroupVersionKind& gvk : s.gvks) {
      by_gvk[Cat(gvk.group, "/", gvk.version, "/", gvk.kind)] = &s;
    }
    all.push_back(&s);
  }
  AddListTypes();
  pending_.clear();
  pending_of_.clear();
}

const Table& GetTable() {
  static const Table* table = new Table();  // never destroyed: used until exit
  return *table;
}

}  // namespace

const std::vector<const Schema*>& AllSchemas() { return GetTable().all; }

const Schema* FindSchema(std::string_view name) {
  const Table& t = GetTable();
  if (auto it = t.by_name.find(AbslView(name)); it != t.by_name.end()) return it->second;
  if (auto it = t.by_short.find(AbslView(name)); it != t.by_short.end()) return it->second;
  return nullptr;
}

const Schema* SchemaForKind(std::string_view group, std::string_view version,
                            std::string_view kind) {
  const Table& t = GetTable();
  auto it = t.by_gvk.find(Cat(group, "/", version, "/", kind));
  return it == t.by_gvk.end() ? nullptr : it->second;
}

const Schema* SchemaFor(const ResourceInfo& r, std::string_view subresource) {
  if (subresource.empty() || subresource == "status" || subresource == "finalize") {
    return SchemaForKind(r.group, r.version, r.kind);
  }
  if (subresource == "scale") return SchemaForKind("autoscaling", "v1", "Scale");
  if (subresource == "binding") return SchemaForKind("", "v1", "Binding");
  if (subresource == "eviction") return SchemaForKind("policy", "v1", "Eviction");
  return nullptr;
}

absl::Status SchemaTableStatus() { return GetTable().status; }

}  // namespace skiff::api::openapi
