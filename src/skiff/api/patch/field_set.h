// Sets of field paths as server-side apply tracks them (structured-merge-diff's fieldpath) and
// their FieldsV1 form in metadata.managedFields. Used by apply.cc. Plain values: share freely
// across threads once built; do not mutate one from two threads.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff::api::patch {

// One step of a path: a field name, a list item by key fields, a set member by value, or (for
// lists without keys) an index.
struct PathElement {
  enum class Kind { kField, kKey, kValue, kIndex };

  static PathElement Field(std::string name);
  // `key` is sorted by field name by the constructor.
  static PathElement Key(std::vector<std::pair<std::string, boost::json::value>> key);
  static PathElement Value(boost::json::value value);
  static PathElement Index(int64_t index);

  // "f:name", "k:{\"name\":\"web\"}", "v:\"x\"", "i:0".
  std::string FieldsV1Key() const;
  // ".name", "[name=\"web\"]", "[=\"x\"]", "[0]" as in Kubernetes conflict messages.
  std::string ToString() const;

  Kind kind = Kind::kField;
  std::string name;                                             // kField
  std::vector<std::pair<std::string, boost::json::value>> key;  // kKey
  boost::json::value value;                                     // kValue
  int64_t index = 0;                                            // kIndex
};

// Orders like structured-merge-diff: fields, then keys, values, indices; each by content.
int Compare(const PathElement& a, const PathElement& b);
inline bool operator<(const PathElement& a, const PathElement& b) { return Compare(a, b) < 0; }
inline bool operator==(const PathElement& a, const PathElement& b) { return Compare(a, b) == 0; }

using Path = std::vector<PathElement>;

// ".spec.template.spec.containers[name=\"web\"].image"
std::string PathToString(const Path& path);

// A set of paths stored as a tree. A node is a member when its own path is in the set; a member
// may also have members below it (FieldsV1 writes that as ".").
class FieldSet {
 public:
  using Entry = std::pair<PathElement, FieldSet>;

  bool Empty() const { return children_.empty(); }
  void Insert(const Path& path);
  bool Has(const Path& path) const;

  // Member-wise set algebra.
  FieldSet Union(const FieldSet& other) const;
  FieldSet Difference(const FieldSet& other) const;
  FieldSet Intersection(const FieldSet& other) const;

  // Visits the member paths: at each level the members first, then the levels below, each in
  // PathElement order (the order Kubernetes lists conflicts in).
  void ForEach(const std::function<void(const Path&)>& fn) const;

  // Whether this node's own path is a member (meaningless for the root).
  bool member() const { return member_; }
  const std::vector<Entry>& children() const { return children_; }
  const FieldSet* Child(const PathElement& pe) const;

  boost::json::value ToFieldsV1() const;
  static absl::StatusOr<FieldSet> FromFieldsV1(const boost::json::value& fields);

 private:
  FieldSet& EnsureChild(const PathElement& pe);
  void ForEachPrefixed(Path& prefix, const std::function<void(const Path&)>& fn) const;

  bool member_ = false;
  std::vector<Entry> children_;  // sorted by PathElement; no empty non-member children
};

}  // namespace skiff::api::patch
