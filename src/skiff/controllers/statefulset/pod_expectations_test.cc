#include "skiff/controllers/statefulset/pod_expectations.h"

#include <gtest/gtest.h>

#include <map>

namespace skiff::controllers::statefulset {
namespace {

namespace json = boost::json;

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1800000000);
};

client::ObjPtr Pod(std::string_view name, std::string_view uid, bool terminating = false) {
  json::object meta{{"name", name}, {"uid", uid}};
  if (terminating) meta["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  return std::make_shared<const json::value>(json::object{{"metadata", meta}});
}

TEST(PodExpectationsTest, WaitsUntilTheInformerShowsTheWrites) {
  FakeClock clock;
  PodExpectations e(clock, absl::Minutes(5));
  std::map<std::string, client::ObjPtr> cache;
  auto lookup = [&](const std::string& name) {
    auto it = cache.find(name);
    return it == cache.end() ? nullptr : it->second;
  };
  EXPECT_TRUE(e.Satisfied("ns/web", lookup));
  EXPECT_EQ(e.UntilExpiry("ns/web"), std::nullopt);

  e.ExpectCreation("ns/web", "web-0");
  EXPECT_FALSE(e.Satisfied("ns/web", lookup));
  EXPECT_EQ(e.UntilExpiry("ns/web"), absl::Minutes(5));
  cache["web-0"] = Pod("web-0", "u0");
  EXPECT_TRUE(e.Satisfied("ns/web", lookup));

  // A deletion is met when the pod is terminating, gone, or replaced.
  e.ExpectDeletion("ns/web", "web-0", "u0");
  EXPECT_FALSE(e.Satisfied("ns/web", lookup));
  cache["web-0"] = Pod("web-0", "u0", /*terminating=*/true);
  EXPECT_TRUE(e.Satisfied("ns/web", lookup));
  e.ExpectDeletion("ns/web", "web-0", "u0");
  cache["web-0"] = Pod("web-0", "u1");
  EXPECT_TRUE(e.Satisfied("ns/web", lookup));
  e.ExpectDeletion("ns/web", "web-0", "u1");
  cache.erase("web-0");
  EXPECT_TRUE(e.Satisfied("ns/web", lookup));
}

TEST(PodExpectationsTest, HandlerObservationsAndExpiry) {
  FakeClock clock;
  PodExpectations e(clock, absl::Minutes(5));
  auto none = [](const std::string&) { return client::ObjPtr(); };
  // Created and deleted again before a sync looked: the add event meets it.
  e.ExpectCreation("ns/web", "web-1");
  e.Observed("ns/web", Pod("web-1", "u1"), /*deleted=*/false);
  EXPECT_TRUE(e.Satisfied("ns/web", none));
  // A delete event of another uid does not meet a deletion expectation; the right one does.
  e.ExpectDeletion("ns/web", "web-2", "u2");
  e.Observed("ns/web", Pod("web-2", "other"), /*deleted=*/true);
  EXPECT_FALSE(e.Satisfied("ns/web", [](const std::string&) { return Pod("web-2", "u2"); }));
  e.Observed("ns/web", Pod("web-2", "u2"), /*deleted=*/true);
  EXPECT_TRUE(e.Satisfied("ns/web", [](const std::string&) { return Pod("web-2", "u2"); }));
  // Never observed: expires after the TTL.
  e.ExpectCreation("ns/web", "web-3");
  clock.now += absl::Minutes(2);
  EXPECT_EQ(e.UntilExpiry("ns/web"), absl::Minutes(3));
  EXPECT_FALSE(e.Satisfied("ns/web", none));
  clock.now += absl::Minutes(3);
  EXPECT_TRUE(e.Satisfied("ns/web", none));
  e.ExpectCreation("ns/db", "db-0");
  e.Forget("ns/db");
  EXPECT_TRUE(e.Satisfied("ns/db", none));
}

}  // namespace
}  // namespace skiff::controllers::statefulset
