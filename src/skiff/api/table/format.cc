#include "skiff/api/table/format.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/api/labels.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/text.h"

namespace skiff::api::table {

namespace json = boost::json;

std::string HumanDuration(absl::Duration d) {
  int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return Cat(seconds, "s");
  int64_t minutes = absl::ToInt64Minutes(d);
  if (minutes < 10) {
    int64_t s = seconds % 60;
    return s == 0 ? Cat(minutes, "m") : Cat(minutes, "m", s, "s");
  }
  if (minutes < 60 * 3) return Cat(minutes, "m");
  int64_t hours = absl::ToInt64Hours(d);
  if (hours < 8) {
    int64_t m = minutes % 60;
    return m == 0 ? Cat(hours, "h") : Cat(hours, "h", m, "m");
  }
  if (hours < 48) return Cat(hours, "h");
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    return h == 0 ? Cat(hours / 24, "d") : Cat(hours / 24, "d", h, "h");
  }
  if (hours < 24 * 365 * 2) return Cat(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    return dy == 0 ? Cat(hours / 24 / 365, "y") : Cat(hours / 24 / 365, "y", dy, "d");
  }
  return Cat(hours / 24 / 365, "y");
}

std::optional<absl::Time> ParseTimestamp(const json::value* ts) {
  if (ts == nullptr || !ts->is_string()) return std::nullopt;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(ts->get_string()), &t, &err)) {
    return std::nullopt;
  }
  // Go's zero time.Time is "unset" to Kubernetes.
  static const absl::Time kGoZero =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  if (t == kGoZero) return std::nullopt;
  return t;
}

std::string TranslateTimestampSince(const json::value* ts, absl::Time now) {
  std::optional<absl::Time> t = ParseTimestamp(ts);
  if (!t) return "<unknown>";
  return HumanDuration(now - *t);
}

std::string TranslateTimestampSince(const json::value& rfc3339_or_null, absl::Time now) {
  return TranslateTimestampSince(&rfc3339_or_null, now);
}

std::string FormatLabels(const json::value* label_map) {
  std::string s = LabelSelector::FromMap(label_map).String();
  return s.empty() ? "<none>" : s;
}

std::optional<std::string> LabelSelectorString(const json::value* selector) {
  absl::StatusOr<LabelSelector> parsed = LabelSelector::FromJson(selector);
  if (!parsed.ok()) return std::nullopt;
  return parsed->String();
}

std::string FormatLabelSelector(const json::value* selector) {
  std::optional<std::string> s = LabelSelectorString(selector);
  if (!s) return "<error>";
  if (s->empty()) return "<none>";
  return *s;
}

std::string CanonicalQuantity(const json::value* quantity) {
  if (quantity == nullptr || quantity->is_null()) return "0";
  absl::StatusOr<Quantity> parsed = Quantity::FromJson(*quantity);
  if (parsed.ok()) return parsed->String();
  return quantity->is_string() ? std::string(quantity->get_string()) : "0";
}

std::string AccessModes(const json::value* modes) {
  const json::array* arr = modes == nullptr ? nullptr : modes->if_array();
  auto has = [arr](std::string_view mode) {
    if (arr == nullptr) return false;
    for (const json::value& m : *arr) {
      if (m.is_string() && m.get_string() == mode) return true;
    }
    return false;
  };
  std::vector<std::string_view> out;
  if (has("ReadWriteOnce")) out.push_back("RWO");
  if (has("ReadOnlyMany")) out.push_back("ROX");
  if (has("ReadWriteMany")) out.push_back("RWX");
  if (has("ReadWriteOncePod")) out.push_back("RWOP");
  return Join(out, ",");
}

std::string IntOrString(const json::value* v) {
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return Cat(v->get_int64());
  if (v->is_uint64()) return Cat(v->get_uint64());
  if (v->is_double()) return Cat(static_cast<int64_t>(v->get_double()));
  return "";
}

std::pair<std::string, std::string> ContainerNamesAndImages(const json::value* pod_spec) {
  std::vector<std::string_view> names;
  std::vector<std::string_view> images;
  if (pod_spec != nullptr) {
    if (const json::array* containers = GetArray(*pod_spec, {"containers"})) {
      for (const json::value& c : *containers) {
        names.push_back(GetString(c, {"name"}));
        images.push_back(GetString(c, {"image"}));
      }
    }
  }
  return {Join(names, ","), Join(images, ",")};
}

}  // namespace skiff::api::table
