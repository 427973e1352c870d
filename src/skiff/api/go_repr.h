// Renders JSON values the way Kubernetes' Go validation code prints them inside messages
// (`%q` for strings, `%v` for numbers, `%#v` for maps, slices and a few API structs), so that
// error text matches what kubectl users see from a real API server.
// Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace skiff::api {

// strconv.Quote: double-quoted, with `"`, `\` and control characters escaped.
std::string GoQuote(std::string_view s);

// A scalar as field.Invalid prints it: strings quoted, numbers and booleans bare, null as
// `null`. Objects and arrays fall back to their JSON text.
std::string GoScalar(const boost::json::value* v);

// `map[string]string{"a":"b", "c":"d"}` (keys sorted); nullptr or null gives
// `map[string]string(nil)`; non-string values are rendered as their JSON text.
std::string GoStringMap(const boost::json::value* v);

// `[]string{"a", "b"}`; nullptr or null gives `[]string(nil)`.
std::string GoStringSlice(const boost::json::value* v);

// `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}`; nullptr or null gives `null`.
std::string GoLabelSelector(const boost::json::value* v);

// `intstr.IntOrString{Type:0, IntVal:1, StrVal:""}`; nullptr gives the zero value.
std::string GoIntOrString(const boost::json::value* v);

}  // namespace skiff::api
