// Kubernetes label selectors: the string syntax of `?labelSelector=` (`a=b,c!=d,e in (x,y),!f`)
// and metav1.LabelSelector objects (`matchLabels`, `matchExpressions`), with matching against an
// object's labels and the canonical string Kubernetes prints (e.g. Scale `status.selector`).
// A LabelSelector is an immutable value; safe to share across threads.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff::api {

class LabelSelector {
 public:
  enum class Op {
    kEquals,        // a=b
    kDoubleEquals,  // a==b
    kNotEquals,     // a!=b
    kIn,            // a in (x,y)
    kNotIn,         // a notin (x,y)
    kExists,        // a
    kDoesNotExist,  // !a
    kGreaterThan,   // a>1 (string syntax only)
    kLessThan,      // a<1 (string syntax only)
  };

  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;

    // `labels` may be nullptr (no labels). NotIn/NotEquals/DoesNotExist match a missing key.
    bool Matches(const boost::json::object* labels) const;
    std::string String() const;  // `a=b`, `a in (x,y)` (values sorted), `!a`
  };

  // Matches every object (the empty selector).
  static LabelSelector Everything() { return LabelSelector(); }
  // Matches no object (a missing metav1.LabelSelector). Prints as "".
  static LabelSelector Nothing();

  // Parses the query-string syntax. Errors are InvalidArgument with Kubernetes' text, e.g.
  // "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt".
  // The empty string gives Everything().
  static absl::StatusOr<LabelSelector> Parse(std::string_view text);

  // metav1.LabelSelector semantics: null → Nothing(); {} (no matchLabels and no
  // matchExpressions) → Everything(); otherwise the AND of all entries. Errors (bad operator,
  // key or value) are InvalidArgument with Kubernetes' text.
  static absl::StatusOr<LabelSelector> FromJson(const boost::json::value& selector);
  // Same, with nullptr (field absent) → Nothing().
  static absl::StatusOr<LabelSelector> FromJson(const boost::json::value* selector);

  // A plain label map (Service/RC `spec.selector`): each pair must be equal. An empty or null
  // map gives Everything(); callers decide whether that means "all" or "none".
  static LabelSelector FromMap(const boost::json::value* labels);

  // `labels` may be nullptr when the object has no labels.
  bool Matches(const boost::json::object* labels) const;
  // Convenience: the `metadata.labels` of a whole object.
  bool MatchesObject(const boost::json::value& obj) const;

  // True when the selector places no restriction (Everything()); false for Nothing().
  bool Empty() const { return !nothing_ && requirements_.empty(); }
  bool MatchesNothing() const { return nothing_; }

  // Canonical form: requirements sorted by key, joined by ","; "" for Everything/Nothing.
  std::string String() const;

  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  bool nothing_ = false;
  std::vector<Requirement> requirements_;  // sorted by key (stable)
};

// True when the metav1.LabelSelector `selector` (nullptr/null → matches nothing, {} → matches
// everything) matches `labels`. An invalid selector matches nothing.
bool SelectorMatchesLabels(const boost::json::value* selector, const boost::json::object* labels);

}  // namespace skiff::api
