// pod-template-hash for Deployments: FNV-1a 32 over a canonical form of the pod template (plus
// status.collisionCount), printed in decimal and safe-encoded as Kubernetes does, and the
// template equality that ignores that label. Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "skiff/controllers/common/hash.h"

namespace skiff::controllers::deployment {

// The template as compact JSON with object keys sorted and "empty" members (null, {}, [] after
// normalising their own members) left out, so that equal templates give equal bytes whatever
// key order or empty placeholders a client sent. Array elements keep their order.
std::string CanonicalJson(const boost::json::value& v);

// Kubernetes hashes a spew dump of the Go PodTemplateSpec, which depends on Go's struct layout
// and cannot be reproduced from JSON. Skiff keeps the rest of the recipe: FNV-1a 32 over
// CanonicalJson(template without the pod-template-hash label), then, when collisionCount is
// set, its value as a little-endian uint32 followed by four zero bytes; the sum is printed in
// decimal and safe-encoded, so the result uses only [4-9bcdf] and is at most 10 characters.
// Stable for a given template across restarts and Skiff versions that keep CanonicalJson.
std::string ComputeHash(const boost::json::value& pod_template,
                        std::optional<int32_t> collision_count);

// Semantic equality of two pod templates, ignoring metadata.labels["pod-template-hash"] and
// treating absent, null and empty members alike (as apimachinery's Semantic.DeepEqual treats
// nil and empty maps and slices).
bool EqualIgnoreHash(const boost::json::value& a, const boost::json::value& b);

}  // namespace skiff::controllers::deployment
