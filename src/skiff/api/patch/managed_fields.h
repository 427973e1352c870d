// metadata.managedFields entries: decoding, encoding in Kubernetes' order, manager identity and
// how conflict messages name a manager. Used by apply.cc. Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/api/patch/field_set.h"

namespace skiff::api::patch {

struct ManagedFieldsEntry {
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string api_version;
  std::string time;  // RFC 3339, may be empty
  std::string subresource;
  FieldSet fields;

  // Entries are one manager's when manager, operation and subresource match, and for Update
  // also the apiVersion (as Kubernetes keys them).
  bool SameManager(const ManagedFieldsEntry& other) const;
};

// Decodes `object`.metadata.managedFields; an absent or null list decodes to no entries.
// InvalidArgumentError when malformed (Kubernetes then drops them all).
absl::StatusOr<std::vector<ManagedFieldsEntry>> DecodeManagedFields(
    const boost::json::value& object);

// Writes `entries` (empty sets dropped) into `object`.metadata.managedFields sorted as
// Kubernetes does: Apply before Update, then by time, manager, apiVersion, subresource. Removes
// the field when nothing remains.
void EncodeManagedFields(std::vector<ManagedFieldsEntry> entries, boost::json::value& object);

// The manager as conflict messages name it: "\"kubectl\" using apps/v1" for an Update,
// "\"kubectl\"" for an Apply, with " with subresource \"status\"" when it has one.
std::string DescribeManager(const ManagedFieldsEntry& entry);

// Kubernetes' manager identifier (a small JSON document); conflicts are listed in its order.
std::string ManagerIdentifier(const ManagedFieldsEntry& entry);

// Paths no manager ever owns: apiVersion, kind, metadata itself and the server-set metadata
// fields (name, namespace, uid, resourceVersion, generation, creationTimestamp, selfLink,
// clusterName, managedFields, deletionTimestamp, deletionGracePeriodSeconds).
const FieldSet& UntrackedFields();

}  // namespace skiff::api::patch
