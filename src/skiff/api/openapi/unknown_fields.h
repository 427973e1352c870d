// Unknown-field detection for fieldValidation=Strict (400) and Warn (Warning header): walks a
// decoded object against the schema table like Kubernetes' strict JSON decoding does.
// Pure functions over the immutable table; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string>
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

// `strict decoding error: unknown field "a", unknown field "b"`: the message of the 400
// BadRequest for fieldValidation=Strict. Each path alone, as `unknown field "a"`, is the text
// of one Warning header for fieldValidation=Warn.
std::string StrictDecodingMessage(const std::vector<std::string>& paths);
std::string UnknownFieldWarning(const std::string& path);

}  // namespace skiff::api::openapi
