// Formatting helpers shared by the server-side column printers: ages, label maps and selectors,
// resource quantities, access modes. Each mirrors how Kubernetes 1.32 renders the same value.
// Pure functions over Boost.JSON values; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/time/time.h"
#include "boost/json.hpp"

namespace skiff::api::table {

// Kubernetes' duration.HumanDuration: "0s", "119s", "2m1s", "179m", "3h1m", "47h", "2d1h", "8d",
// "729d", "2y1d", "8y"; "<invalid>" for more than a second in the future.
std::string HumanDuration(absl::Duration d);

// Parses an RFC 3339 timestamp (metav1.Time or MicroTime); nullopt when missing or malformed.
std::optional<absl::Time> ParseTimestamp(const boost::json::value* ts);

// Age of a timestamp: HumanDuration(now - ts), or "<unknown>" when missing or not a timestamp.
std::string TranslateTimestampSince(const boost::json::value* ts, absl::Time now);
std::string TranslateTimestampSince(const boost::json::value& rfc3339_or_null, absl::Time now);

// "k1=v1,k2=v2" sorted by key (labels.FormatLabels); "<none>" when empty or missing.
std::string FormatLabels(const boost::json::value* label_map);

// The selector string of a metav1.LabelSelector ("app=web,tier in (a,b),!canary"); "" for a
// missing or empty selector; nullopt when the selector is invalid.
std::optional<std::string> LabelSelectorString(const boost::json::value* selector);

// metav1.FormatLabelSelector: LabelSelectorString with "<none>" for empty, "<error>" if invalid.
std::string FormatLabelSelector(const boost::json::value* selector);

// The canonical string of a resource.Quantity ("1024Mi" -> "1Gi", "1.5G" -> "1500M"); "0" when
// missing; the text unchanged when it is not a quantity.
std::string CanonicalQuantity(const boost::json::value* quantity);

// PersistentVolume access modes as "RWO,ROX,RWX,RWOP" (always in that order, de-duplicated).
std::string AccessModes(const boost::json::value* modes);

// An IntOrString as text ("1", "50%"); "" when missing.
std::string IntOrString(const boost::json::value* v);

// Container names and images of a pod spec, each comma-joined.
std::pair<std::string, std::string> ContainerNamesAndImages(const boost::json::value* pod_spec);

}  // namespace skiff::api::table
