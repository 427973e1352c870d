// ControllerRevision history shared by the StatefulSet and DaemonSet controllers, as Kubernetes'
// pkg/controller/history: revision names from an FNV-1 hash of the revision's data and the
// collision count, equality and ordering of revisions, and a client-backed History that creates
// (probing past hash collisions), renumbers, deletes, adopts and releases revisions. The free
// functions are pure; History is thread-safe (it holds no state besides its client and informer).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "skiff/api/labels.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::history {

// The label every revision carries with its hash.
inline constexpr std::string_view kControllerRevisionHashLabel = "controller.kubernetes.io/hash";

// Go's encoding/json Marshal of a value decoded into interface{}: object keys sorted (bytewise),
// no whitespace, `<`, `>`, `&`, U+2028 and U+2029 escaped as \u003c etc. Integral numbers print
// as integers.
std::string GoJsonMarshal(const boost::json::value& v);

// The data of a StatefulSet's or DaemonSet's revision, GoJsonMarshal'ed:
// {"spec":{"template":{<the parent's spec.template>,"$patch":"replace"}}}. kubectl sends it back
// verbatim as a strategic merge patch for `rollout undo`.
std::string TemplatePatch(const boost::json::object& parent);

// FNV-1 32 over `raw_data`, then over the decimal collision count when set; the decimal sum,
// safe-encoded (only [4-9bcdf]).
std::string HashControllerRevision(std::string_view raw_data,
                                   std::optional<int32_t> collision_count);

// "<prefix>-<hash>", the prefix cut to 223 characters so the name stays a valid DNS subdomain.
std::string ControllerRevisionName(std::string_view prefix, std::string_view hash);

// A new (not yet stored) apps/v1 ControllerRevision of `parent`: labels are `template_labels`
// plus the hash label, a controller ownerReference (blockOwnerDeletion) to the parent, the
// parent's annotations, `data` parsed from `raw_data` (which must be JSON), `revision`, and the
// name ControllerRevisionName(parent name, hash).
boost::json::object NewControllerRevision(const boost::json::object& parent,
                                          std::string_view parent_api_version,
                                          std::string_view parent_kind,
                                          const boost::json::object& template_labels,
                                          std::string raw_data, int64_t revision,
                                          std::optional<int32_t> collision_count);

// The revision's `data` as the bytes Kubernetes hashes and compares: GoJsonMarshal of it, so a
// revision read back from the store gives the bytes it was named from ("null" when missing).
std::string RawData(const boost::json::object& revision);
// The revision's `revision` number (0 when missing).
int64_t RevisionNumber(const boost::json::object& revision);

// Same data, and hash labels that do not disagree (compared, as upstream, only when both parse
// as decimal integers).
bool EqualRevision(const boost::json::object& a, const boost::json::object& b);
// The members of `revisions` equal to `needle`, in order.
std::vector<const boost::json::object*> FindEqualRevisions(
    const std::vector<const boost::json::object*>& revisions, const boost::json::object& needle);
// Ascending by revision, then creationTimestamp, then name.
void SortControllerRevisions(std::vector<const boost::json::object*>& revisions);
// The highest revision number; 0 for none.
int64_t MaxRevision(const std::vector<const boost::json::object*>& revisions);

// Plain pointers into informer objects, for the functions above.
std::vector<const boost::json::object*> Pointers(const std::vector<client::ObjPtr>& revisions);

class History {
 public:
  // `revisions` is the ControllerRevision informer (the lister). Both must outlive History.
  History(client::Client* client, client::Informer& revisions)
      : client_(client), revisions_(revisions) {}

  // Revisions in the parent's namespace whose labels match `selector` and which are controlled
  // by the parent or by no one (orphans a caller may adopt).
  std::vector<client::ObjPtr> ListControllerRevisions(const boost::json::object& parent,
                                                      const api::LabelSelector& selector) const;

  // Creates `revision` in the parent's namespace named from its hash and *collision_count.
  // When a revision of that name exists with the same data it is returned; with other data the
  // count is bumped and the create retried under the next name. `collision_count` must not be
  // null; the caller persists the bumped value in its status.
  absl::StatusOr<boost::json::object> CreateControllerRevision(const boost::json::object& parent,
                                                               const boost::json::object& revision,
                                                               int32_t* collision_count);

  // Sets the revision number (no write when it already has it), retrying on conflicts with the
  // informer's or the server's newer copy. Returns the stored revision.
  absl::StatusOr<boost::json::object> UpdateControllerRevision(const boost::json::object& revision,
                                                               int64_t new_revision);

  absl::Status DeleteControllerRevision(const boost::json::object& revision);

  // Makes the parent the orphan revision's controller (an error when it has one).
  absl::StatusOr<boost::json::object> AdoptControllerRevision(const boost::json::object& parent,
                                                              std::string_view parent_api_version,
                                                              std::string_view parent_kind,
                                                              const boost::json::object& revision);
  // Removes the parent's ownerReference; a revision that is gone or no longer referencing the
  // parent is not an error.
  absl::Status ReleaseControllerRevision(const boost::json::object& parent,
                                         const boost::json::object& revision);

  // The ControllerRefManager's claim over `revisions` (e.g. from ListControllerRevisions with an
  // everything selector, or the namespace's revisions): keeps those the parent controls and
  // `selector` matches, adopts matching orphans (after `can_adopt` succeeds; it is called at
  // most once), releases controlled ones that no longer match. Returns the claimed revisions
  // (as stored after adoption); errors of individual writes are joined into one.
  absl::StatusOr<std::vector<client::ObjPtr>> ClaimControllerRevisions(
      const boost::json::object& parent, std::string_view parent_api_version,
      std::string_view parent_kind, const api::LabelSelector& selector,
      const std::vector<client::ObjPtr>& revisions, const std::function<absl::Status()>& can_adopt);

 private:
  client::Client* client_;
  client::Informer& revisions_;
};

}  // namespace skiff::controllers::history
