#include "skiff/store/conformance_test.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"

namespace skiff::store {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string MakeTempDir() {
  std::string tmpl = testing::TempDir() + "skiff_store_XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  return dir == nullptr ? std::string() : std::string(dir);
}

void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

std::string StoreFactoryName(const testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

void StoreConformanceTest::SetUp() {
  dir_ = MakeTempDir();
  ASSERT_FALSE(dir_.empty());
  absl::StatusOr<std::unique_ptr<Store>> store = GetParam().open(dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
}

void StoreConformanceTest::TearDown() {
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

namespace {

std::string Describe(const Event& e) {
  return absl::StrFormat("%s %s=%s rev=%d create=%d%s",
                         e.type == Event::Type::kPut ? "PUT" : "DELETE", e.key, e.value, e.revision,
                         e.create_revision, e.created ? " created" : "");
}

std::vector<std::string> Describe(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(Describe(e));
  return out;
}

std::vector<std::string> Keys(const ListResult& list) {
  std::vector<std::string> keys;
  for (const KeyValue& kv : list.items) keys.push_back(kv.key);
  return keys;
}

// Records what a subscriber receives; the callback only appends, as subscribers must.
class EventCollector {
 public:
  Store::Subscriber callback() {
    return [this](const std::vector<Event>& events) {
      absl::MutexLock lock(&mu_);
      events_.insert(events_.end(), events.begin(), events.end());
    };
  }

  // Waits until at least `n` events arrived (or 30s passed) and returns all of them.
  std::vector<Event> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return events_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
    return events_;
  }

  std::vector<Event> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Event> events_ ABSL_GUARDED_BY(mu_);
};

TEST_P(StoreConformanceTest, CreateThenGet) {
  absl::StatusOr<int64_t> rev = store().Create("/registry/pods/default/a", "{\"a\":1}");
  ASSERT_TRUE(rev.ok()) << rev.status();
  EXPECT_GT(*rev, 0);
  EXPECT_EQ(store().CurrentRevision(), *rev);

  absl::StatusOr<KeyValue> kv = store().Get("/registry/pods/default/a");
  ASSERT_TRUE(kv.ok()) << kv.status();
  EXPECT_EQ(kv->key, "/registry/pods/default/a");
  EXPECT_EQ(kv->value, "{\"a\":1}");
  EXPECT_EQ(kv->create_revision, *rev);
  EXPECT_EQ(kv->mod_revision, *rev);
}

TEST_P(StoreConformanceTest, ValuesAreOpaqueBytes) {
  const std::string binary("\0a\xff\x01\0", 5);
  ASSERT_TRUE(store().Create("/registry/x/binary", binary).ok());
  ASSERT_TRUE(store().Create("/registry/x/empty", "").ok());
  EXPECT_EQ(store().Get("/registry/x/binary")->value, binary);
  EXPECT_EQ(store().Get("/registry/x/empty")->value, "");
}

TEST_P(StoreConformanceTest, ListMatchesPrefixOnly) {
  for (const char* key : {"/registry/pods/ns1/b", "/registry/pods/ns1/a", "/registry/pods/ns2/c",
                          "/registry/pods2/x", "/registry/pods", "/registry/podsa",
                          "/registry/pod/y", "/registry/pods.", "/registry/pods0"}) {
    ASSERT_TRUE(store().Create(key, key).ok()) << key;
  }
  ASSERT_TRUE(store().Create("/registry/pods/\xff\xff", "high").ok());

  absl::StatusOr<ListResult> list = store().List("/registry/pods/");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(Keys(*list), ElementsAre("/registry/pods/ns1/a", "/registry/pods/ns1/b",
                                       "/registry/pods/ns2/c", "/registry/pods/\xff\xff"));
  EXPECT_EQ(list->items[0].value, "/registry/pods/ns1/a");
  EXPECT_EQ(list->revision, store().CurrentRevision());

  EXPECT_THAT(Keys(*store().List("/registry/pods/ns1/")),
              ElementsAre("/registry/pods/ns1/a", "/registry/pods/ns1/b"));
  EXPECT_EQ(store().List("")->items.size(), 10u);

  absl::StatusOr<ListResult> none = store().List("/registry/services/");
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(none->items, IsEmpty());
  EXPECT_EQ(none->revision, store().CurrentRevision());
}

TEST_P(StoreConformanceTest, CreateOnExistingKeyIsAlreadyExists) {
  ASSERT_TRUE(store().Create("/registry/a/k", "v1").ok());
  int64_t before = store().CurrentRevision();
  EXPECT_EQ(store().Create("/registry/a/k", "v2").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store().Get("/registry/a/k")->value, "v1");
  EXPECT_EQ(store().CurrentRevision(), before);
}

TEST_P(StoreConformanceTest, MissingKeyIsNotFound) {
  ASSERT_TRUE(store().Create("/registry/a/other", "v").ok());
  int64_t before = store().CurrentRevision();
  EXPECT_EQ(store().Get("/registry/a/k").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().Update("/registry/a/k", "v", 0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().Update("/registry/a/k", "v", before).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store().Delete("/registry/a/k", 0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().CurrentRevision(), before);
}

TEST_P(StoreConformanceTest, UpdateWithStaleRevisionConflicts) {
  int64_t created = *store().Create("/registry/a/k", "v1");
  absl::StatusOr<int64_t> updated = store().Update("/registry/a/k", "v2", created);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_GT(*updated, created);

  EXPECT_EQ(store().Update("/registry/a/k", "v3", created).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().Update("/registry/a/k", "v3", *updated + 100).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<KeyValue> kv = store().Get("/registry/a/k");
  EXPECT_EQ(kv->value, "v2");
  EXPECT_EQ(kv->mod_revision, *updated);
  EXPECT_EQ(store().CurrentRevision(), *updated);
}

TEST_P(StoreConformanceTest, DeleteWithStaleRevisionConflicts) {
  int64_t created = *store().Create("/registry/a/k", "v1");
  int64_t updated = *store().Update("/registry/a/k", "v2", created);
  EXPECT_EQ(store().Delete("/registry/a/k", created).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().Get("/registry/a/k")->value, "v2");

  absl::StatusOr<int64_t> deleted = store().Delete("/registry/a/k", updated);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, updated + 1);
  EXPECT_EQ(store().Get("/registry/a/k").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().CurrentRevision(), *deleted);
}

TEST_P(StoreConformanceTest, UnconditionalUpdateAndDelete) {
  ASSERT_TRUE(store().Create("/registry/a/k", "v1").ok());
  ASSERT_TRUE(store().Update("/registry/a/k", "v2", 0).ok());
  absl::StatusOr<int64_t> updated = store().Update("/registry/a/k", "v3", 0);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(store().Get("/registry/a/k")->mod_revision, *updated);
  absl::StatusOr<int64_t> deleted = store().Delete("/registry/a/k", 0);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, *updated + 1);
  // The key can be created again, as a new object.
  absl::StatusOr<int64_t> recreated = store().Create("/registry/a/k", "v4");
  ASSERT_TRUE(recreated.ok());
  EXPECT_EQ(store().Get("/registry/a/k")->create_revision, *recreated);
}

TEST_P(StoreConformanceTest, RevisionsIncreaseAcrossKeys) {
  std::vector<int64_t> revisions;
  revisions.push_back(*store().Create("/registry/a/1", "x"));
  revisions.push_back(*store().Create("/registry/b/2", "x"));
  revisions.push_back(*store().Update("/registry/a/1", "y", 0));
  EXPECT_FALSE(store().Create("/registry/a/1", "x").ok());  // failures take no revision
  revisions.push_back(*store().Delete("/registry/b/2", 0));
  revisions.push_back(*store().Create("/registry/c/3", "x"));
  for (size_t i = 1; i < revisions.size(); ++i) {
    EXPECT_EQ(revisions[i], revisions[i - 1] + 1) << i;
  }
  EXPECT_EQ(store().CurrentRevision(), revisions.back());
}

TEST_P(StoreConformanceTest, UpdateKeepsCreateRevision) {
  int64_t created = *store().Create("/registry/a/k", "v1");
  int64_t updated = *store().Update("/registry/a/k", "v2", created);
  updated = *store().Update("/registry/a/k", "v3", updated);
  absl::StatusOr<KeyValue> kv = store().Get("/registry/a/k");
  EXPECT_EQ(kv->create_revision, created);
  EXPECT_EQ(kv->mod_revision, updated);
  EXPECT_EQ(store().List("/registry/a/")->items.at(0).create_revision, created);
}

TEST_P(StoreConformanceTest, SubscribersSeeEveryChangeOnceInOrder) {
  ASSERT_TRUE(store().Create("/registry/a/before", "old").ok());
  EventCollector first, second;
  int64_t subscribed_at = -1;
  auto sub1 = store().Subscribe(first.callback(), &subscribed_at);
  auto sub2 = store().Subscribe(second.callback(), nullptr);
  EXPECT_EQ(subscribed_at, store().CurrentRevision());

  int64_t r = subscribed_at;
  ASSERT_TRUE(store().Create("/registry/a/k", "v1").ok());
  ASSERT_TRUE(store().Create("/registry/b/k", "w1").ok());
  EXPECT_FALSE(store().Create("/registry/a/k", "again").ok());
  EXPECT_FALSE(store().Update("/registry/a/k", "stale", r).ok());
  ASSERT_TRUE(store().Update("/registry/a/k", "v2", r + 1).ok());
  ASSERT_TRUE(store().Delete("/registry/b/k", 0).ok());
  ASSERT_TRUE(store().Delete("/registry/a/k", r + 3).ok());

  std::vector<std::string> want = {
      absl::StrFormat("PUT /registry/a/k=v1 rev=%d create=%d created", r + 1, r + 1),
      absl::StrFormat("PUT /registry/b/k=w1 rev=%d create=%d created", r + 2, r + 2),
      absl::StrFormat("PUT /registry/a/k=v2 rev=%d create=%d", r + 3, r + 1),
      absl::StrFormat("DELETE /registry/b/k=w1 rev=%d create=%d", r + 4, r + 2),
      absl::StrFormat("DELETE /registry/a/k=v2 rev=%d create=%d", r + 5, r + 1),
  };
  EXPECT_EQ(Describe(first.WaitFor(want.size())), want);
  EXPECT_EQ(Describe(second.WaitFor(want.size())), want);
  // Nothing more arrives: a later marker write is the very next event.
  ASSERT_TRUE(store().Create("/registry/z/marker", "m").ok());
  EXPECT_EQ(first.WaitFor(want.size() + 1).size(), want.size() + 1);
}

TEST_P(StoreConformanceTest, UnsubscribedCallbackIsNotCalled) {
  EventCollector dropped, kept;
  auto drop = store().Subscribe(dropped.callback(), nullptr);
  auto keep = store().Subscribe(kept.callback(), nullptr);
  ASSERT_TRUE(store().Create("/registry/a/1", "x").ok());
  ASSERT_EQ(dropped.WaitFor(1).size(), 1u);
  drop.reset();
  ASSERT_TRUE(store().Create("/registry/a/2", "x").ok());
  ASSERT_EQ(kept.WaitFor(2).size(), 2u);
  EXPECT_EQ(dropped.events().size(), 1u);
}

TEST_P(StoreConformanceTest, ConcurrentCasIncrementsLoseNoUpdates) {
  constexpr int kThreads = 16;
  constexpr int kIncrements = 20;
  const std::string key = "/registry/counters/c";
  ASSERT_TRUE(store().Create(key, "0").ok());
  std::atomic<int> conflicts{0};
  std::atomic<int> errors{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kIncrements; ++i) {
          while (true) {
            absl::StatusOr<KeyValue> kv = store().Get(key);
            if (!kv.ok()) {
              ++errors;
              return;
            }
            std::string next = std::to_string(std::stoi(kv->value) + 1);
            absl::StatusOr<int64_t> rev = store().Update(key, next, kv->mod_revision);
            if (rev.ok()) break;
            if (rev.status().code() != absl::StatusCode::kFailedPrecondition) {
              ++errors;
              return;
            }
            ++conflicts;
          }
        }
      });
    }
  }
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(store().Get(key)->value, std::to_string(kThreads * kIncrements));
  EXPECT_EQ(store().CurrentRevision(), 1 + kThreads * kIncrements);
}

TEST_P(StoreConformanceTest, ConcurrentWritersGetDistinctOrderedRevisions) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 25;
  EventCollector events;
  int64_t start = 0;
  auto sub = store().Subscribe(events.callback(), &start);
  std::vector<std::vector<int64_t>> revisions(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string key = absl::StrFormat("/registry/w/%02d-%03d", t, i);
          absl::StatusOr<int64_t> rev = store().Create(key, key);
          if (rev.ok()) revisions[t].push_back(*rev);
        }
      });
    }
  }
  std::vector<int64_t> all;
  for (const auto& per_thread : revisions) {
    ASSERT_EQ(per_thread.size(), static_cast<size_t>(kPerThread));
    for (size_t i = 1; i < per_thread.size(); ++i) EXPECT_LT(per_thread[i - 1], per_thread[i]);
    all.insert(all.end(), per_thread.begin(), per_thread.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "duplicate revision";
  EXPECT_EQ(store().CurrentRevision(), start + kThreads * kPerThread);

  std::vector<Event> seen = events.WaitFor(kThreads * kPerThread);
  ASSERT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].revision, start + 1 + static_cast<int64_t>(i));
    EXPECT_EQ(seen[i].value, seen[i].key);
    EXPECT_TRUE(seen[i].created);
  }
}

TEST_P(StoreConformanceTest, ListIsASnapshotAtItsRevision) {
  constexpr int kKeys = 150;
  std::vector<int64_t> revisions(kKeys);
  std::atomic<bool> done{false};
  std::atomic<int> list_count{0};
  std::vector<ListResult> lists;
  std::jthread lister([&] {
    while (!done.load()) {
      absl::StatusOr<ListResult> list = store().List("/registry/snap/");
      if (list.ok()) lists.push_back(std::move(*list));
      ++list_count;
    }
  });
  for (int i = 0; i < kKeys; ++i) {
    if (i % 10 == 0) {  // make sure lists interleave with the writes, however fast they are
      int seen = list_count.load();
      while (list_count.load() == seen) std::this_thread::yield();
    }
    revisions[i] = *store().Create(absl::StrFormat("/registry/snap/%04d", i), "v");
  }
  done = true;
  lister.join();
  ASSERT_FALSE(lists.empty());
  for (const ListResult& list : lists) {
    // Keys were created one after another, so exactly those with revision <= list.revision.
    size_t want =
        std::upper_bound(revisions.begin(), revisions.end(), list.revision) - revisions.begin();
    ASSERT_EQ(list.items.size(), want) << "list at revision " << list.revision;
    for (size_t i = 0; i < list.items.size(); ++i) {
      EXPECT_EQ(list.items[i].key, absl::StrFormat("/registry/snap/%04d", i));
      EXPECT_LE(list.items[i].mod_revision, list.revision);
    }
  }
}

TEST_P(StoreConformanceTest, CompactKeepsCurrentKeys) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store().Create(absl::StrCat("/registry/c/", i), std::string(3000, 'x')).ok());
  }
  for (int i = 0; i < 20; i += 2)
    ASSERT_TRUE(store().Delete(absl::StrCat("/registry/c/", i), 0).ok());
  int64_t revision = store().CurrentRevision();
  ASSERT_TRUE(store().Compact(revision).ok());
  EXPECT_EQ(store().CurrentRevision(), revision);
  absl::StatusOr<ListResult> list = store().List("/registry/c/");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 10u);
  EXPECT_EQ(*store().Create("/registry/c/new", "v"), revision + 1);
}

}  // namespace
}  // namespace skiff::store
