// Schema table, part 4: apimachinery types (meta/v1, Quantity, IntOrString, RawExtension).
// Text format described in schema_text.h; parsed once at first use.
#include "skiff/api/openapi/schema_text.h"

namespace skiff::api::openapi::internal {

std::string_view MetaSchemaText() {
  return R"schema(
package io.k8s.apimachinery.pkg.api.resource

type Quantity scalar=quantity : A fixed-point number with an optional SI or binary suffix, such as 500m, 2Gi or 1e3; serialised as a string.

package io.k8s.apimachinery.pkg.util.intstr

type IntOrString scalar=int-or-string : Either an integer or a string, such as a port number or a port name, or 25%.

package io.k8s.apimachinery.pkg.runtime

type RawExtension scalar=object : An embedded object of any kind, kept as raw JSON.

package io.k8s.apimachinery.pkg.apis.meta.v1

type Time scalar=string format=date-time : A timestamp in RFC 3339 form, second precision, UTC.

type MicroTime scalar=string format=date-time : A timestamp in RFC 3339 form with microsecond precision.

type FieldsV1 scalar=object : A set of field paths in the compact trie form used by server-side apply.

type Patch : The body of a PATCH request, in the format named by its Content-Type.

type ObjectMeta : Metadata every persisted object has.
  name string : Name, unique within a namespace and kind; cannot change.
  generateName string : Prefix from which the server generates a unique name when name is empty.
  namespace string : Namespace of the object; empty for cluster-scoped kinds.
  selfLink string : Deprecated and not set.
  uid string : Unique identifier assigned by the server; cannot change.
  resourceVersion string : Opaque version used for optimistic concurrency and watches.
  generation int64 : Sequence number of changes to the desired state, set by the server.
  creationTimestamp Time : When the object was created; set by the server.
  deletionTimestamp Time : When the object will be deleted; set on graceful deletion requests.
  deletionGracePeriodSeconds int64 : Seconds left for graceful termination once deletion was requested.
  labels {}string : Key/value pairs used to organise and select objects.
  annotations {}string : Arbitrary non-identifying metadata for tools.
  ownerReferences []OwnerReference list=map keys=uid merge=uid strategy=merge : Objects this one depends on; used by garbage collection.
  finalizers []string list=set strategy=merge : Keys that must be removed before the object is deleted.
  managedFields []ManagedFieldsEntry list=atomic : Which manager owns which fields; maintained by the server.

type OwnerReference struct=atomic : Identifies an owning object in the same namespace.
  apiVersion string req : API version of the owner.
  kind string req : Kind of the owner.
  name string req : Name of the owner.
  uid string req : UID of the owner.
  controller bool : Whether the owner is the managing controller.
  blockOwnerDeletion bool : Foreground deletion of the owner waits for this object.

type ManagedFieldsEntry : The set of fields one manager owns.
  manager string : Name of the manager.
  operation string : Apply or Update.
  apiVersion string : Version in which the field set is expressed.
  time Time : When the entry last changed.
  fieldsType string : Format of the field set; FieldsV1.
  fieldsV1 FieldsV1 : The owned fields.
  subresource string : Subresource the fields were written through.

type ListMeta : Metadata of list responses.
  selfLink string : Deprecated and not set.
  resourceVersion string : Version of the list, usable to start a watch.
  continue string : Token for the next page when the list was limited.
  remainingItemCount int64 : Estimated number of items after this page.

type LabelSelector struct=atomic : A label query; requirements are ANDed and an empty selector matches everything.
  matchLabels {}string : Labels that must have exactly these values.
  matchExpressions []LabelSelectorRequirement list=atomic : Set-based requirements.

type LabelSelectorRequirement : A label key, an operator and values.
  key string req merge=key strategy=merge : Label key.
  operator string req : In, NotIn, Exists or DoesNotExist.
  values []string list=atomic : Values; empty for Exists and DoesNotExist.

type Condition : A standard status condition.
  type string req : Condition type in CamelCase.
  status string req : True, False or Unknown.
  observedGeneration int64 : Generation the condition was computed for.
  lastTransitionTime Time req : When the status last changed.
  reason string req : CamelCase reason of the last change.
  message string req : Human-readable detail.

type Status typemeta gvk=/v1/Status : Result of an operation that returns no object.
  metadata ListMeta default={} : Standard list metadata.
  status string : Success or Failure.
  message string : Human-readable description.
  reason string : Machine-readable reason, such as NotFound.
  details StatusDetails : Extra data for the reason.
  code int32 : HTTP status code.

type StatusDetails : Extra data about a Status.
  name string : Name of the object concerned.
  group string : Group of the object concerned.
  kind string : Kind of the object concerned.
  uid string : UID of the object concerned.
  causes []StatusCause list=atomic : Individual causes, such as invalid fields.
  retryAfterSeconds int32 : Seconds to wait before retrying.

type StatusCause : One cause of an error.
  reason string : Machine-readable cause.
  message string : Human-readable cause.
  field string : Path of the field concerned.

type DeleteOptions typemeta gvk=/v1/DeleteOptions : Options of a delete request.
  gracePeriodSeconds int64 : Seconds before the object is deleted; 0 deletes now.
  preconditions Preconditions : Conditions that must hold for the delete to proceed.
  orphanDependents bool : Deprecated: use propagationPolicy.
  propagationPolicy string : Orphan, Background or Foreground handling of dependents.
  dryRun []string list=atomic : All to validate without persisting.
  ignoreStoreReadErrorWithClusterBreakingPotential bool : Delete objects that cannot be decoded; dangerous.

type Preconditions : Conditions checked before an operation.
  uid string : Required UID.
  resourceVersion string : Required resource version.

type WatchEvent : One event of a watch stream.
  type string req : ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
  object RawExtension req : The object, or a Status for ERROR.
)schema";
}

}  // namespace skiff::api::openapi::internal
