// Unknown-field detection for fieldValidation=Strict (400) and Warn (Warning header): walks a
// decoded object against the schema table like Kubernetes' strict JSON decoding does.
// Pure functions over the immutable table; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/api/openapi/schema.h"
#include "skiff/api/resources.h"

namespace skiff::api::openapi {

// Paths of fields the schema does not describe, in document order, formatted as Kubernetes
// reports them: "spec.template.spec.containers[0].imagePullPolicyy" (map entries as
// "field.key"). Subtrees with free-form or preserved content (RawExtension, FieldsV1 in
// managedFields, x-kubernetes-preserve-unknown-fields) are not entered; values of the wrong
// JSON type are left to validation. At most 100 paths are returned. Empty when the resource
// has no schema.
std::vector<std::string> UnknownFields(const ResourceInfo& r, const boost::json::value& obj);
std::vector<std::string> UnknownFields(const Schema& schema, const boost::json::value& obj);

// Paths of keys that occur more than once in one JSON object of `json_text` (which a decoded
// boost::json::value cannot show: the last occurrence wins), in document order and formatted
// like UnknownFields ("spec.replicas"). Every object counts, described or not. Empty when the
// text is not valid JSON (the caller rejects that on its own). At most 100 paths.
std::vector<std::string> DuplicateFields(std::string_view json_text);

// `strict decoding error: unknown field "a", duplicate field "b"`: the message of the 400
// BadRequest for fieldValidation=Strict, unknown fields first. Each path alone, as
// `unknown field "a"` or `duplicate field "b"`, is the text of one Warning header for
// fieldValidation=Warn.
std::string StrictDecodingMessage(const std::vector<std::string>& unknown,
                                  const std::vector<std::string>& duplicates = {});
std::string UnknownFieldWarning(const std::string& path);
std::string DuplicateFieldWarning(const std::string& path);

}  // namespace skiff::api::openapi
