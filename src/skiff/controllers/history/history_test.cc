#include "skiff/controllers/history/history.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/controllers/common/controller_ref.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::history {
namespace {

namespace json = boost::json;

// What a StatefulSet's revision holds, with sorted keys as Go marshals a map.
constexpr std::string_view kRaw =
    R"({"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"counter"}}}}})";

json::object Parent() {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
      "metadata":{"name":"counter","namespace":"default","uid":"sts-1",
                  "annotations":{"team":"a"}},
      "spec":{"selector":{"matchLabels":{"app":"counter"}}}})")
      .as_object();
}

json::object Revision(std::string_view name, int64_t revision, std::string_view created,
                      std::string_view data = R"({"a":1})", std::string_view hash = "") {
  json::object labels;
  if (!hash.empty()) labels[kControllerRevisionHashLabel] = hash;
  json::object meta{{"name", name}, {"labels", labels}};
  if (!created.empty()) meta["creationTimestamp"] = created;
  return json::object{{"metadata", meta}, {"data", json::parse(data)}, {"revision", revision}};
}

std::vector<std::string> Names(const std::vector<const json::object*>& revs) {
  std::vector<std::string> out;
  for (const json::object* r : revs) {
    out.emplace_back(api::GetString(json::value(*r), {"metadata", "name"}));
  }
  return out;
}

TEST(HistoryTest, HashIsFnv1OfTheDataThenTheDecimalCollisionCount) {
  // Pinned against an independent FNV-1 (not 1a) computation.
  const std::pair<std::optional<int32_t>, std::string> cases[] = {
      {std::nullopt, "779c5dbdf9"},  // 3357186895
      {0, "579c464969"},             // 1357020525: the data followed by "0"
      {1, "579c464968"},
      {2, "579c46496c"},
  };
  for (const auto& [count, want] : cases) {
    std::string h = HashControllerRevision(kRaw, count);
    EXPECT_EQ(h, want);
    EXPECT_EQ(h.find_first_not_of("456789bcdf"), std::string::npos) << h;
  }
  EXPECT_EQ(HashControllerRevision("null", std::nullopt), "cd856cb98");
}

TEST(HistoryTest, GoJsonMarshalSortsKeysAndEscapesAsGo) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"b":1,"a":{"d":[3,{"z":1,"y":2}],"c":null}})",
       R"({"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1})"},
      {R"({"$patch":"replace","metadata":{}})", R"({"$patch":"replace","metadata":{}})"},
      {R"(["<a href=\"x\">&amp;</a>","tab\there","\u2028","\u0001","é"])",
       R"(["\u003ca href=\"x\"\u003e\u0026amp;\u003c/a\u003e","tab\there","\u2028","\u0001","é"])"},
      {R"([0.5,1.0,-2,1e21,1e-7,true])", R"([0.5,1,-2,1e+21,1e-7,true])"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(GoJsonMarshal(json::parse(in)), want) << in;
}

TEST(HistoryTest, TemplatePatchWrapsTheTemplateWithReplace) {
  json::object sts = json::parse(R"({"metadata":{"name":"web"},"spec":{"replicas":3,
      "template":{"spec":{"containers":[{"name":"c","image":"nginx"}]},
                  "metadata":{"labels":{"app":"web"}}}}})")
                         .as_object();
  EXPECT_EQ(TemplatePatch(sts),
            R"({"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"web"}},)"
            R"("spec":{"containers":[{"image":"nginx","name":"c"}]}}}})");
  EXPECT_EQ(TemplatePatch(json::object{}), R"({"spec":{"template":{"$patch":"replace"}}})");
}

TEST(HistoryTest, NameCutsThePrefixTo223Characters) {
  EXPECT_EQ(ControllerRevisionName("counter", "779c5dbdf9"), "counter-779c5dbdf9");
  std::string long_prefix(300, 'a');
  EXPECT_EQ(ControllerRevisionName(long_prefix, "h"), std::string(223, 'a') + "-h");
  EXPECT_EQ(ControllerRevisionName(std::string(223, 'b'), "h"), std::string(223, 'b') + "-h");
}

TEST(HistoryTest, NewControllerRevisionCarriesLabelsOwnerAnnotationsAndData) {
  json::object rev =
      NewControllerRevision(Parent(), "apps/v1", "StatefulSet", json::object{{"app", "counter"}},
                            std::string(kRaw), 3, int32_t{1});
  EXPECT_EQ(json::serialize(rev),
            R"({"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{)"
            R"("name":"counter-579c464968","namespace":"default","labels":{"app":"counter",)"
            R"("controller.kubernetes.io/hash":"579c464968"},"annotations":{"team":"a"},)"
            R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"counter",)"
            R"("uid":"sts-1","controller":true,"blockOwnerDeletion":true}]},)"
            R"("data":{"spec":{"template":{"$patch":"replace","metadata":{"labels":)"
            R"({"app":"counter"}}}}},"revision":3})");
  EXPECT_EQ(RawData(rev), kRaw);
  EXPECT_EQ(RevisionNumber(rev), 3);
}

TEST(HistoryTest, EqualRevision) {
  struct Case {
    const char* what;
    json::object a, b;
    bool want;
  };
  const Case cases[] = {
      {"same data", Revision("a", 1, ""), Revision("b", 2, ""), true},
      {"other data", Revision("a", 1, ""), Revision("b", 1, "", R"({"a":2})"), false},
      {"same data, other key order", Revision("a", 1, "", R"({"a":1,"b":[2,{"d":1,"c":2}]})"),
       Revision("b", 1, "", R"({"b":[2,{"c":2,"d":1}],"a":1})"), true},
      {"same data, safe-encoded hashes differ", Revision("a", 1, "", R"({"a":1})", "6b4d"),
       Revision("b", 1, "", R"({"a":1})", "7c9f"), true},
      {"same data, numeric hashes differ", Revision("a", 1, "", R"({"a":1})", "5994"),
       Revision("b", 1, "", R"({"a":1})", "4995"), false},
      {"same data, numeric hashes agree", Revision("a", 1, "", R"({"a":1})", "5994"),
       Revision("b", 1, "", R"({"a":1})", "5994"), true},
  };
  for (const auto& c : cases) EXPECT_EQ(EqualRevision(c.a, c.b), c.want) << c.what;
}

TEST(HistoryTest, SortFindAndMax) {
  json::object r1 = Revision("r1", 2, "2026-01-01T00:00:02Z");
  json::object r2 = Revision("r2", 1, "2026-01-01T00:00:05Z", R"({"a":2})");
  json::object r3 = Revision("r3", 2, "2026-01-01T00:00:01Z", R"({"a":3})");
  json::object r4 = Revision("r0", 2, "2026-01-01T00:00:01Z");
  json::object r5 = Revision("r5", 7, "");
  std::vector<const json::object*> revs{&r1, &r2, &r3, &r4, &r5};
  SortControllerRevisions(revs);
  EXPECT_EQ(Names(revs), (std::vector<std::string>{"r2", "r0", "r3", "r1", "r5"}));
  EXPECT_EQ(MaxRevision(revs), 7);
  EXPECT_EQ(MaxRevision({}), 0);
  EXPECT_EQ(Names(FindEqualRevisions(revs, Revision("x", 9, ""))),
            (std::vector<std::string>{"r0", "r1", "r5"}));
  EXPECT_TRUE(FindEqualRevisions(revs, Revision("x", 9, "", R"({"b":1})")).empty());
}

// History against a real in-process API server (memory store, registry, informers).
class HistoryServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0}, base::Clock::Real());
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    revisions_ = &informers_->For(client::ControllerRevisions());
    server_->cache().AddListener([this](const api::ResourceInfo&, const apiserver::WatchEvent& ev) {
      int64_t cur = seen_.load();
      while (ev.rv > cur && !seen_.compare_exchange_weak(cur, ev.rv)) {
      }
    });
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    history_ = std::make_unique<History>(client_.get(), *revisions_);
    ASSERT_TRUE(server_->Start().ok());
    auto sts = client_->Create(client::StatefulSets(), "default", json::parse(R"({
        "apiVersion":"apps/v1","kind":"StatefulSet",
        "metadata":{"name":"counter","annotations":{"team":"a"}},
        "spec":{"selector":{"matchLabels":{"app":"counter"}},"serviceName":"counter",
          "template":{"metadata":{"labels":{"app":"counter"}},
            "spec":{"containers":[{"name":"c","image":"busybox"}]}}}})"));
    ASSERT_TRUE(sts.ok()) << sts.status();
    parent_ = sts->as_object();
  }
  void TearDown() override {
    history_.reset();
    server_->Stop();
  }
  void Settle() {
    server_->cache().WaitForRevision(store_.CurrentRevision());
    for (int i = 0; i < 2000 && seen_.load() < server_->cache().Revision(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  json::object NewRevision(std::string_view raw, int64_t number, std::optional<int32_t> count) {
    return NewControllerRevision(parent_, "apps/v1", "StatefulSet",
                                 json::object{{"app", "counter"}}, std::string(raw), number, count);
  }
  std::vector<std::string> Listed(const api::LabelSelector& selector) {
    Settle();
    auto revs = history_->ListControllerRevisions(parent_, selector);
    std::vector<const json::object*> ptrs = Pointers(revs);
    SortControllerRevisions(ptrs);
    return Names(ptrs);
  }

  store::MemoryStore store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  client::Informer* revisions_ = nullptr;
  std::atomic<int64_t> seen_{0};
  std::unique_ptr<client::InProcessClient> client_;
  std::unique_ptr<History> history_;
  json::object parent_;
};

TEST_F(HistoryServerTest, CreateProbesPastCollisionsAndReturnsAnEqualExistingRevision) {
  int32_t count = 0;
  auto first = history_->CreateControllerRevision(parent_, NewRevision(kRaw, 1, count), &count);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(api::GetString(json::value(*first), {"metadata", "name"}), "counter-579c464969");
  EXPECT_EQ(count, 0);

  // The same data again: the stored revision comes back, no new name.
  auto again = history_->CreateControllerRevision(parent_, NewRevision(kRaw, 1, count), &count);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(api::GetString(json::value(*again), {"metadata", "uid"}),
            api::GetString(json::value(*first), {"metadata", "uid"}));
  EXPECT_EQ(count, 0);

  // Other data under a name already taken (a hash collision): count bumps, the next name wins.
  json::object colliding = NewRevision(R"({"other":true})", 2, count);
  colliding["metadata"].as_object()["name"] = "counter-579c464969";
  std::string colliding_raw = RawData(colliding);
  int32_t probe = 0;
  auto second = history_->CreateControllerRevision(parent_, colliding, &probe);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(api::GetString(json::value(*second), {"metadata", "name"}),
            ControllerRevisionName("counter", HashControllerRevision(colliding_raw, 0)));
  EXPECT_EQ(probe, 0);  // its own hash did not collide

  // Force a real collision: store other data under the name the next create will try.
  json::object squatter = NewRevision(R"({"squat":1})", 5, std::nullopt);
  squatter["metadata"].as_object()["name"] =
      ControllerRevisionName("counter", HashControllerRevision(R"({"fresh":1})", 7));
  ASSERT_TRUE(client_->Create(client::ControllerRevisions(), "default", squatter).ok());
  int32_t seven = 7;
  auto third =
      history_->CreateControllerRevision(parent_, NewRevision(R"({"fresh":1})", 3, seven), &seven);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(seven, 8);
  EXPECT_EQ(api::GetString(json::value(*third), {"metadata", "name"}),
            ControllerRevisionName("counter", HashControllerRevision(R"({"fresh":1})", 8)));
  EXPECT_EQ(json::serialize(third->at("data")), R"({"fresh":1})");

  int32_t* none = nullptr;
  EXPECT_EQ(
      history_->CreateControllerRevision(parent_, NewRevision(kRaw, 1, 0), none).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(HistoryServerTest, UpdateRenumbersAndDeleteRemoves) {
  int32_t count = 0;
  auto created = history_->CreateControllerRevision(parent_, NewRevision(kRaw, 1, count), &count);
  ASSERT_TRUE(created.ok()) << created.status();
  auto same = history_->UpdateControllerRevision(*created, 1);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(api::GetString(json::value(*same), {"metadata", "resourceVersion"}),
            api::GetString(json::value(*created), {"metadata", "resourceVersion"}));

  // A stale copy (someone relabelled it meanwhile) still gets renumbered after a conflict.
  ASSERT_TRUE(client_
                  ->Patch(client::ControllerRevisions(), "default", "counter-579c464969",
                          "application/merge-patch+json", R"({"metadata":{"labels":{"x":"y"}}})",
                          "")
                  .ok());
  Settle();
  auto updated = history_->UpdateControllerRevision(*created, 4);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(RevisionNumber(*updated), 4);
  EXPECT_EQ(api::GetString(json::value(*updated), {"metadata", "labels", "x"}), "y");

  ASSERT_TRUE(history_->DeleteControllerRevision(*updated).ok());
  EXPECT_TRUE(client::IsNotFoundError(
      client_->Get(client::ControllerRevisions(), "default", "counter-579c464969").status()));
}

TEST_F(HistoryServerTest, ListAdoptReleaseAndClaim) {
  auto selector = api::LabelSelector::FromJson(parent_.at("spec").at("selector"));
  ASSERT_TRUE(selector.ok());
  // Ours, an orphan, someone else's, and an orphan with other labels.
  int32_t count = 0;
  ASSERT_TRUE(
      history_->CreateControllerRevision(parent_, NewRevision(kRaw, 1, count), &count).ok());
  json::object orphan = NewRevision(R"({"o":1})", 2, std::nullopt);
  orphan["metadata"].as_object().erase("ownerReferences");
  ASSERT_TRUE(client_->Create(client::ControllerRevisions(), "default", orphan).ok());
  json::object foreign = NewRevision(R"({"f":1})", 3, std::nullopt);
  foreign["metadata"].as_object()["ownerReferences"].as_array()[0].as_object()["uid"] = "other";
  ASSERT_TRUE(client_->Create(client::ControllerRevisions(), "default", foreign).ok());
  json::object stray = NewRevision(R"({"s":1})", 4, std::nullopt);
  stray["metadata"].as_object().erase("ownerReferences");
  stray["metadata"].as_object()["labels"] = json::object{{"app", "other"}};
  ASSERT_TRUE(client_->Create(client::ControllerRevisions(), "default", stray).ok());
  std::string orphan_name(api::GetString(json::value(orphan), {"metadata", "name"}));

  EXPECT_EQ(Listed(*selector), (std::vector<std::string>{"counter-579c464969", orphan_name}));
  EXPECT_EQ(Listed(api::LabelSelector::Everything()).size(), 3u);

  // Adopting a revision that has a controller is refused.
  auto refused = history_->AdoptControllerRevision(parent_, "apps/v1", "StatefulSet", foreign);
  EXPECT_FALSE(refused.ok());

  // Claim: the orphan is adopted once can_adopt allows it.
  int can_adopt_calls = 0;
  auto deny = [&] {
    ++can_adopt_calls;
    return absl::UnavailableError("being deleted");
  };
  auto denied = history_->ClaimControllerRevisions(parent_, "apps/v1", "StatefulSet", *selector,
                                                   revisions_->List("default"), deny);
  EXPECT_FALSE(denied.ok());
  EXPECT_EQ(can_adopt_calls, 1);

  auto claimed = history_->ClaimControllerRevisions(parent_, "apps/v1", "StatefulSet", *selector,
                                                    revisions_->List("default"),
                                                    [] { return absl::OkStatus(); });
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  auto ptrs = Pointers(*claimed);
  SortControllerRevisions(ptrs);
  EXPECT_EQ(Names(ptrs), (std::vector<std::string>{"counter-579c464969", orphan_name}));
  auto adopted = client_->Get(client::ControllerRevisions(), "default", orphan_name);
  ASSERT_TRUE(adopted.ok());
  ASSERT_NE(ControllerRefOf(*adopted), nullptr);
  EXPECT_EQ(api::GetString(*ControllerRefOf(*adopted), {"uid"}),
            api::GetString(json::value(parent_), {"metadata", "uid"}));
  EXPECT_TRUE(api::GetBool(*ControllerRefOf(*adopted), {"blockOwnerDeletion"}));

  // Relabel the adopted one: the next claim releases it.
  ASSERT_TRUE(client_
                  ->Patch(client::ControllerRevisions(), "default", orphan_name,
                          "application/merge-patch+json",
                          R"({"metadata":{"labels":{"app":"moved"}}})", "")
                  .ok());
  Settle();
  auto reclaimed = history_->ClaimControllerRevisions(parent_, "apps/v1", "StatefulSet", *selector,
                                                      revisions_->List("default"),
                                                      [] { return absl::OkStatus(); });
  ASSERT_TRUE(reclaimed.ok()) << reclaimed.status();
  EXPECT_EQ(reclaimed->size(), 1u);
  auto released = client_->Get(client::ControllerRevisions(), "default", orphan_name);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(ControllerRefOf(*released), nullptr);
  // Releasing again (no reference left) is not an error.
  EXPECT_TRUE(history_->ReleaseControllerRevision(parent_, released->as_object()).ok());
}

}  // namespace
}  // namespace skiff::controllers::history
