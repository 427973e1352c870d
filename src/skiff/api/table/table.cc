#include "skiff/api/table/table.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "skiff/api/object.h"
#include "skiff/api/table/format.h"
#include "skiff/api/table/printers.h"
#include "skiff/api/text.h"

namespace skiff::api::table {
namespace {

namespace json = boost::json;

constexpr std::string_view kMetaGroupVersion = "meta.k8s.io/v1";

const std::vector<Printer>& AllPrinters() {
  static const std::vector<Printer> kPrinters = [] {
    std::vector<Printer> all = WorkloadPrinters();
    for (auto* more : {&CorePrinters, &StoragePrinters}) {
      for (Printer& p : more()) all.push_back(std::move(p));
    }
    return all;
  }();
  return kPrinters;
}

// Kubernetes' default convertor for kinds without a printer: the name and the creation time.
json::array DefaultCells(const json::value& obj, absl::Time) {
  std::optional<absl::Time> created = ParseTimestamp(Find(obj, {"metadata", "creationTimestamp"}));
  std::string text = created ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *created, absl::UTCTimeZone())
                             : "0001-01-01T00:00:00Z";
  return json::array{ObjectName(obj), text};
}

const Printer& DefaultPrinter() {
  static const Printer kDefault{
      "",
      "",
      {NameColumn(), Column{"Created At", "date", "", "When the object was created, in UTC.", 0}},
      &DefaultCells};
  return kDefault;
}

const Printer& PrinterFor(const ResourceInfo& r) {
  for (const Printer& p : AllPrinters()) {
    if (p.group == r.group && p.plural == r.plural) return p;
  }
  return DefaultPrinter();
}

json::object ColumnJson(const Column& c) {
  return json::object{{"name", c.name},
                      {"type", c.type},
                      {"format", c.format},
                      {"description", c.description},
                      {"priority", c.priority}};
}

// The full object for includeObject=Object, with kind and apiVersion filled in when a list item
// left them out.
json::value FullObject(const ResourceInfo& r, const json::value& obj) {
  json::value out = obj;
  if (json::object* o = out.if_object()) {
    if (!o->contains("kind")) (*o)["kind"] = r.kind;
    if (!o->contains("apiVersion")) (*o)["apiVersion"] = r.GroupVersion();
  }
  return out;
}

}  // namespace

Column NameColumn(int priority) {
  return Column{"Name", "string", "name",
                "Name of the object, unique among objects of its kind in its namespace.", priority};
}

Column AgeColumn() { return Column{"Age", "string", "", "Time since the object was created.", 0}; }

Column StringColumn(std::string name, std::string description, int priority) {
  return Column{std::move(name), "string", "", std::move(description), priority};
}

Column IntegerColumn(std::string name, std::string description, int priority) {
  return Column{std::move(name), "integer", "", std::move(description), priority};
}

std::string ObjectName(const json::value& obj) {
  return std::string(GetString(obj, {"metadata", "name"}));
}

std::string ObjectAge(const json::value& obj, absl::Time now) {
  return TranslateTimestampSince(Find(obj, {"metadata", "creationTimestamp"}), now);
}

const std::vector<Column>& ColumnsFor(const ResourceInfo& r) { return PrinterFor(r).columns; }

json::array RowCells(const ResourceInfo& r, const json::value& obj, absl::Time now) {
  return PrinterFor(r).cells(obj, now);
}

json::array RowConditions(const ResourceInfo& r, const json::value& obj) {
  if (r.group.empty() && r.plural == "pods") return PodConditions(obj);
  return json::array();
}

json::object PartialObjectMetadata(const json::value& obj) {
  const json::object* meta = GetObject(obj, {"metadata"});
  return json::object{{"kind", "PartialObjectMetadata"},
                      {"apiVersion", kMetaGroupVersion},
                      {"metadata", meta == nullptr ? json::object() : *meta}};
}

absl::StatusOr<IncludeObject> ParseIncludeObject(std::string_view value) {
  if (value.empty() || value == "Metadata") return IncludeObject::kMetadata;
  if (value == "None") return IncludeObject::kNone;
  if (value == "Object") return IncludeObject::kObject;
  return absl::InvalidArgumentError(
      Cat("includeObject: Unsupported value: \"", value,
          "\": supported values: \"Metadata\", \"None\", \"Object\""));
}

json::object BuildTable(const ResourceInfo& r, std::span<const json::value> objects,
                        std::span<const json::value> row_objects, const TableListMeta& meta,
                        absl::Time now, bool with_headers) {
  json::object list_meta;
  if (!meta.resource_version.empty()) list_meta["resourceVersion"] = meta.resource_version;
  if (!meta.continue_token.empty()) list_meta["continue"] = meta.continue_token;
  if (meta.remaining_item_count) list_meta["remainingItemCount"] = *meta.remaining_item_count;

  json::array columns;
  if (with_headers) {
    for (const Column& c : ColumnsFor(r)) columns.push_back(ColumnJson(c));
  }

  const Printer& printer = PrinterFor(r);
  json::array rows;
  rows.reserve(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    json::object row;
    row["cells"] = printer.cells(objects[i], now);
    if (json::array conditions = RowConditions(r, objects[i]); !conditions.empty()) {
      row["conditions"] = std::move(conditions);
    }
    row["object"] = i < row_objects.size() ? row_objects[i] : json::value(nullptr);
    rows.push_back(std::move(row));
  }

  return json::object{{"kind", "Table"},
                      {"apiVersion", kMetaGroupVersion},
                      {"metadata", std::move(list_meta)},
                      {"columnDefinitions", std::move(columns)},
                      {"rows", std::move(rows)}};
}

json::object BuildTable(const ResourceInfo& r, std::span<const json::value> objects,
                        IncludeObject include, const TableListMeta& meta, absl::Time now,
                        bool with_headers) {
  std::vector<json::value> row_objects;
  row_objects.reserve(objects.size());
  for (const json::value& obj : objects) {
    switch (include) {
      case IncludeObject::kNone:
        row_objects.emplace_back(nullptr);
        break;
      case IncludeObject::kMetadata:
        row_objects.emplace_back(PartialObjectMetadata(obj));
        break;
      case IncludeObject::kObject:
        row_objects.push_back(FullObject(r, obj));
        break;
    }
  }
  return BuildTable(r, objects, row_objects, meta, now, with_headers);
}

}  // namespace skiff::api::table
