// DefaultStorageClass and StorageObjectInUseProtection admission, and the claim update rule
// that lets a claim without a class receive one later.
#include <gtest/gtest.h>

#include "skiff/api/kinds/kinds.h"
#include "skiff/api/object.h"
#include "skiff/api/resources.h"

namespace skiff::api::kinds {
namespace {

namespace json = boost::json;

json::value Class(std::string_view name, std::string_view created, std::string_view is_default,
                  bool beta = false) {
  json::value sc = {{"apiVersion", "storage.k8s.io/v1"},
                    {"kind", "StorageClass"},
                    {"metadata", {{"name", name}, {"creationTimestamp", created}}},
                    {"provisioner", "example.com/p"}};
  if (!is_default.empty()) {
    EnsureObject(sc, {"metadata", "annotations"})[beta ? "storageclass.beta.kubernetes.io/"
                                                         "is-default-class"
                                                       : "storageclass.kubernetes.io/"
                                                         "is-default-class"] = is_default;
  }
  return sc;
}

std::string DefaultName(const std::vector<json::value>& classes) {
  std::vector<const json::value*> views;
  for (const auto& c : classes) views.push_back(&c);
  const json::value* d = DefaultStorageClass(views);
  return d == nullptr ? "<none>" : std::string(GetString(*d, {"metadata", "name"}));
}

TEST(AdmitStorageTest, DefaultStorageClassPicksTheNewestDefault) {
  struct Case {
    const char* name;
    std::vector<json::value> classes;
    std::string want;
  };
  const Case cases[] = {
      {"no classes", {}, "<none>"},
      {"no default", {Class("a", "2024-01-01T00:00:00Z", "")}, "<none>"},
      {"annotation must say true",
       {Class("a", "2024-01-01T00:00:00Z", "yes"), Class("b", "2024-01-01T00:00:00Z", "false")},
       "<none>"},
      {"one default",
       {Class("a", "2024-01-01T00:00:00Z", ""),
        Class("local-path", "2023-01-01T00:00:00Z", "true")},
       "local-path"},
      {"beta annotation counts", {Class("old", "2020-01-01T00:00:00Z", "true", true)}, "old"},
      {"newest wins",
       {Class("a", "2024-01-01T00:00:00Z", "true"), Class("b", "2024-06-01T00:00:00Z", "true"),
        Class("c", "2023-01-01T00:00:00Z", "true")},
       "b"},
      {"same time: first name",
       {Class("zeta", "2024-01-01T00:00:00Z", "true"),
        Class("alpha", "2024-01-01T00:00:00Z", "true")},
       "alpha"},
  };
  for (const Case& c : cases) EXPECT_EQ(DefaultName(c.classes), c.want) << c.name;
}

TEST(AdmitStorageTest, ClaimsWithoutAClassGetTheDefaultAndTheFinalizer) {
  json::value default_class = Class("local-path", "2024-01-01T00:00:00Z", "true");
  std::vector<const json::value*> classes = {&default_class};
  struct Case {
    const char* name;
    const char* pvc;
    const char* want_class;  // nullptr: no storageClassName
  };
  const Case cases[] = {
      {"no class", R"({"metadata": {"name": "d"}, "spec": {}})", "local-path"},
      {"explicit empty class stays empty",
       R"({"metadata": {"name": "d"}, "spec": {"storageClassName": ""}})", ""},
      {"explicit class stays", R"({"metadata": {"name": "d"}, "spec": {"storageClassName": "x"}})",
       "x"},
      {"null class gets the default",
       R"({"metadata": {"name": "d"}, "spec": {"storageClassName": null}})", "local-path"},
      {"beta annotation counts as a class",
       R"({"metadata": {"name": "d", "annotations":
           {"volume.beta.kubernetes.io/storage-class": "legacy"}}, "spec": {}})",
       nullptr},
  };
  for (const Case& c : cases) {
    json::value pvc = json::parse(c.pvc);
    AdmitPersistentVolumeClaim(pvc, classes);
    const json::value* sc = Find(pvc, {"spec", "storageClassName"});
    if (c.want_class == nullptr) {
      EXPECT_EQ(sc, nullptr) << c.name;
    } else {
      ASSERT_NE(sc, nullptr) << c.name;
      EXPECT_EQ(*sc, json::value(c.want_class)) << c.name;
    }
    EXPECT_EQ(pvc.at("metadata").at("finalizers"),
              json::parse(R"(["kubernetes.io/pvc-protection"])"))
        << c.name;
  }
  json::value no_default = json::parse(R"({"metadata": {"name": "d"}, "spec": {}})");
  AdmitPersistentVolumeClaim(no_default, {});
  EXPECT_EQ(Find(no_default, {"spec", "storageClassName"}), nullptr);
}

TEST(AdmitStorageTest, FinalizersAreAddedOnce) {
  json::value pvc = json::parse(R"({"metadata": {"name": "d",
    "finalizers": ["example.com/keep", "kubernetes.io/pvc-protection"]}, "spec": {}})");
  AdmitPersistentVolumeClaim(pvc, {});
  EXPECT_EQ(pvc.at("metadata").at("finalizers"),
            json::parse(R"(["example.com/keep", "kubernetes.io/pvc-protection"])"));
  json::value pv = json::parse(R"({"metadata": {"name": "pv1"}, "spec": {}})");
  AdmitPersistentVolume(pv);
  AdmitPersistentVolume(pv);
  EXPECT_EQ(pv.at("metadata").at("finalizers"), json::parse(R"(["kubernetes.io/pv-protection"])"));

  // Without the protection controllers nothing would ever remove them.
  json::value unprotected = json::parse(R"({"metadata": {"name": "d"}, "spec": {}})");
  AdmitPersistentVolumeClaim(unprotected, {}, {.pvc_protection = false});
  AdmitPersistentVolume(unprotected, {.pv_protection = false});
  EXPECT_EQ(unprotected, json::parse(R"({"metadata": {"name": "d"}, "spec": {}})"));
}

std::vector<std::string> UpdateErrors(const char* now, const char* old) {
  const ResourceInfo& r = *FindResource("", "v1", "persistentvolumeclaims");
  json::value o = json::parse(old), n = json::parse(now);
  std::vector<std::string> out;
  for (const auto& e : Validate(r, n, &o)) {
    std::string s = e.ToString();
    out.push_back(s.substr(0, s.find('\n')));
  }
  return out;
}

TEST(AdmitStorageTest, AClassMayBeSetOnceOnAClaimWithoutOne) {
  const char* without = R"({"metadata": {"name": "d", "namespace": "default"},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})";
  const char* with_a = R"({"metadata": {"name": "d", "namespace": "default"},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
             "storageClassName": "a"}})";
  const char* with_b = R"({"metadata": {"name": "d", "namespace": "default"},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
             "storageClassName": "b"}})";
  EXPECT_EQ(UpdateErrors(with_a, without), std::vector<std::string>{});
  const std::vector<std::string> immutable = {
      "spec: Forbidden: spec is immutable after creation except resources.requests and "
      "volumeAttributesClassName for bound claims"};
  EXPECT_EQ(UpdateErrors(with_b, with_a), immutable);
  EXPECT_EQ(UpdateErrors(without, with_a), immutable);
}

}  // namespace
}  // namespace skiff::api::kinds
