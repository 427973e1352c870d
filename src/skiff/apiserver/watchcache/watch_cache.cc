#include "skiff/apiserver/watchcache/watch_cache.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "spdlog/spdlog.h"

namespace skiff::apiserver {

namespace json = boost::json;

const char* EventTypeName(EventType t) {
  switch (t) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
    case EventType::kBookmark:
      return "BOOKMARK";
    case EventType::kError:
      return "ERROR";
  }
  return "ERROR";
}

bool Filter::Matches(const CachedObject& obj) const {
  if (!ns.empty() && obj.ns != ns) return false;
  if (!name.empty() && obj.name != name) return false;
  if (labels && !labels->Matches(&obj.labels)) return false;
  if (fields) {
    auto value_of = [&](std::string_view field) -> std::optional<std::string> {
      for (const auto& [k, v] : obj.fields)
        if (k == field) return v;
      return std::nullopt;
    };
    if (!fields->Matches(value_of)) return false;
  }
  return true;
}

std::vector<WatchEvent> Watcher::Wait(std::chrono::milliseconds timeout, bool* closed) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || closed_; });
  std::vector<WatchEvent> out(std::make_move_iterator(queue_.begin()),
                              std::make_move_iterator(queue_.end()));
  queue_.clear();
  *closed = closed_;
  return out;
}

void Watcher::Push(WatchEvent ev) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    // Only the first event of a burst wakes the reader; it drains everything queued by then.
    wake = queue_.empty();
    if (queue_.size() >= capacity_) {
      closed_ = true;
      queue_.clear();
      wake = true;
    } else {
      queue_.push_back(std::move(ev));
    }
  }
  if (wake) cv_.notify_one();
}

void Watcher::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_one();
}

namespace {

// Field labels precomputed per object so selectors never re-parse the JSON.
constexpr std::string_view kFieldCandidates[] = {"metadata.name",
                                                 "metadata.namespace",
                                                 "spec.nodeName",
                                                 "spec.restartPolicy",
                                                 "spec.schedulerName",
                                                 "spec.serviceAccountName",
                                                 "spec.hostNetwork",
                                                 "status.phase",
                                                 "status.podIP",
                                                 "status.nominatedNodeName",
                                                 "involvedObject.kind",
                                                 "involvedObject.namespace",
                                                 "involvedObject.name",
                                                 "involvedObject.uid",
                                                 "involvedObject.apiVersion",
                                                 "involvedObject.resourceVersion",
                                                 "involvedObject.fieldPath",
                                                 "reason",
                                                 "reportingComponent",
                                                 "source",
                                                 "type",
                                                 "spec.unschedulable",
                                                 "status.replicas",
                                                 "regarding.kind",
                                                 "regarding.namespace",
                                                 "regarding.name",
                                                 "regarding.uid",
                                                 "reportingController",
                                                 "spec.signerName"};

}  // namespace

ObjectPtr WatchCache::MakeObject(const api::ResourceInfo& r, const std::string& key,
                                 const std::string& value, int64_t rv) {
  auto obj = std::make_shared<CachedObject>();
  obj->key = key;
  obj->rv = rv;
  boost::system::error_code ec;
  json::value v = json::parse(value, ec);
  if (ec || !v.is_object()) {
    spdlog::error("watch cache: undecodable value at {}", key);
    v = json::object();
  }
  json::object& meta = api::EnsureObject(v, {"metadata"});
  meta["resourceVersion"] = std::to_string(rv);
  obj->ns = std::string(api::GetString(v, {"metadata", "namespace"}));
  obj->name = std::string(api::GetString(v, {"metadata", "name"}));
  if (const json::object* labels = api::GetObject(v, {"metadata", "labels"})) obj->labels = *labels;
  for (std::string_view f : kFieldCandidates) {
    if (auto val = api::FieldValue(r, v, f)) obj->fields.emplace_back(std::string(f), *val);
  }
  obj->json = json::serialize(v);
  return obj;
}

WatchCache::WatchCache(store::Store* store, WatchCacheOptions options)
    : store_(store), options_(options) {
  for (const auto& r : api::AllResources()) {
    auto st = std::make_unique<ResourceState>();
    st->info = &r;
    states_.push_back(std::move(st));
  }
}

WatchCache::~WatchCache() {
  subscription_.reset();
  for (auto& st : states_) {
    std::lock_guard<std::mutex> lock(st->mu);
    for (auto& w : st->watchers) w->Close();
  }
}

WatchCache::ResourceState* WatchCache::StateFor(const api::ResourceInfo& r) {
  for (auto& st : states_)
    if (st->info == &r) return st.get();
  return nullptr;
}

WatchCache::ResourceState* WatchCache::StateForKey(const std::string& key) {
  for (auto& st : states_) {
    const std::string prefix = st->info->KeyPrefix();
    if (key.compare(0, prefix.size(), prefix) == 0) {
      // "/registry/pods/..." must not claim "/registry/podsx/..." (prefix ends in '/').
      return st.get();
    }
  }
  return nullptr;
}

absl::Status WatchCache::Start() {
  int64_t sub_rev = 0;
  // Until the initial list is loaded, events are parked; afterwards they apply directly.
  auto loading_flag = std::make_shared<std::atomic<bool>>(true);
  auto parked = std::make_shared<std::vector<store::Event>>();
  auto parked_mu = std::make_shared<std::mutex>();
  subscription_ = store_->Subscribe(
      [this, loading_flag, parked, parked_mu](const std::vector<store::Event>& events) {
        {
          std::lock_guard<std::mutex> lock(*parked_mu);
          if (loading_flag->load()) {
            parked->insert(parked->end(), events.begin(), events.end());
            return;
          }
        }
        Apply(events);
      },
      &sub_rev);
  auto list = store_->List("/registry/");
  if (!list.ok()) return list.status();
  for (const auto& kv : list->items) {
    ResourceState* st = StateForKey(kv.key);
    if (st == nullptr) continue;
    st->objects[kv.key] = MakeObject(*st->info, kv.key, kv.value, kv.mod_revision);
  }
  start_revision_ = list->revision;
  for (auto& st : states_) {
    st->window_start = list->revision;
    st->last_rv = list->revision;
    for (const auto& [key, obj] : st->objects)
      for (const auto& l : listeners_) l(*st->info, WatchEvent{EventType::kAdded, obj, obj->rv});
  }
  revision_.store(list->revision);
  {
    std::lock_guard<std::mutex> lock(*parked_mu);
    std::vector<store::Event> later;
    for (auto& ev : *parked)
      if (ev.revision > list->revision) later.push_back(std::move(ev));
    if (!later.empty()) Apply(later);
    loading_flag->store(false);
  }
  started_ = true;
  return absl::OkStatus();
}

void WatchCache::Apply(const std::vector<store::Event>& events) {
  for (const auto& ev : events) {
    ResourceState* st = StateForKey(ev.key);
    WatchEvent applied;
    if (st != nullptr) {
      std::lock_guard<std::mutex> lock(st->mu);
      ObjectPtr prev;
      auto it = st->objects.find(ev.key);
      if (it != st->objects.end()) prev = it->second;
      WatchEvent out;
      out.rv = ev.revision;
      if (ev.type == store::Event::Type::kDelete) {
        if (prev == nullptr) continue;
        // The deleted object is reported with the deletion's resourceVersion.
        out.type = EventType::kDeleted;
        out.object = MakeObject(*st->info, ev.key, ev.value, ev.revision);
        st->objects.erase(it);
      } else {
        out.type = prev == nullptr ? EventType::kAdded : EventType::kModified;
        out.object = MakeObject(*st->info, ev.key, ev.value, ev.revision);
        st->objects[ev.key] = out.object;
      }
      st->last_rv = ev.revision;
      st->history.push_back(out);
      if (out.type == EventType::kModified) st->history.back().prev = prev;
      applied = out;
      while (st->history.size() > options_.history_per_resource) {
        st->window_start = st->history.front().rv;
        st->history.pop_front();
      }
      for (auto& w : st->watchers) {
        bool now_matches = w->filter().Matches(*out.object);
        bool was_matching = prev != nullptr && w->filter().Matches(*prev);
        if (out.type == EventType::kModified) {
          if (now_matches && was_matching) {
            w->Push(out);
          } else if (now_matches) {
            w->Push(WatchEvent{EventType::kAdded, out.object, out.rv});
          } else if (was_matching) {
            w->Push(WatchEvent{EventType::kDeleted, out.object, out.rv});
          }
        } else if (now_matches) {
          w->Push(out);
        }
      }
    }
    revision_.store(ev.revision);
    if (st != nullptr && applied.object != nullptr) {
      for (const auto& l : listeners_) l(*st->info, applied);
    }
  }
  // Taking the lock orders this notification after any waiter's predicate check.
  { std::lock_guard<std::mutex> lock(rev_mu_); }
  rev_cv_.notify_all();
}

void WatchCache::WaitForRevision(int64_t revision) {
  if (revision_.load() >= revision) return;
  std::unique_lock<std::mutex> lock(rev_mu_);
  rev_cv_.wait_for(lock, std::chrono::seconds(3), [&] { return revision_.load() >= revision; });
}

ObjectPtr WatchCache::Get(const api::ResourceInfo& r, const std::string& key) {
  ResourceState* st = StateFor(r);
  std::lock_guard<std::mutex> lock(st->mu);
  auto it = st->objects.find(key);
  return it == st->objects.end() ? nullptr : it->second;
}

WatchCache::ListResult WatchCache::List(const api::ResourceInfo& r, const Filter& filter,
                                        const std::string& after_key, int64_t limit) {
  ListResult out;
  ResourceState* st = StateFor(r);
  std::lock_guard<std::mutex> lock(st->mu);
  out.revision = revision_.load();
  std::string start = r.KeyPrefix();
  if (r.namespaced && !filter.ns.empty()) start += filter.ns + "/";
  auto it = after_key.empty() ? st->objects.lower_bound(start) : st->objects.upper_bound(after_key);
  for (; it != st->objects.end(); ++it) {
    if (it->first.compare(0, start.size(), start) != 0) break;
    if (!filter.Matches(*it->second)) continue;
    if (limit > 0 && static_cast<int64_t>(out.items.size()) >= limit) {
      out.next_key = out.items.back()->key;
      for (; it != st->objects.end() && it->first.compare(0, start.size(), start) == 0; ++it)
        if (filter.Matches(*it->second)) ++out.remaining;
      break;
    }
    out.items.push_back(it->second);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<Watcher>> WatchCache::Watch(const api::ResourceInfo& r,
                                                           Filter filter, int64_t from_rv) {
  ResourceState* st = StateFor(r);
  auto w = std::make_shared<Watcher>(std::move(filter), options_.watcher_queue_capacity);
  std::lock_guard<std::mutex> lock(st->mu);
  if (from_rv == 0) {
    for (const auto& [key, obj] : st->objects) {
      if (w->filter().Matches(*obj)) w->Push(WatchEvent{EventType::kAdded, obj, obj->rv});
    }
  } else {
    if (from_rv < st->window_start) {
      return absl::OutOfRangeError("too old resource version: " + std::to_string(from_rv) + " (" +
                                   std::to_string(st->window_start) + ")");
    }
    for (const auto& ev : st->history) {
      if (ev.rv <= from_rv) continue;
      if (w->filter().Matches(*ev.object)) w->Push(ev);
    }
  }
  st->watchers.push_back(w);
  watchers_total_.fetch_add(1);
  return w;
}

std::optional<EventType> EventFor(const Filter& filter, const WatchEvent& ev) {
  bool now_matches = filter.Matches(*ev.object);
  if (ev.type != EventType::kModified) {
    if (now_matches) return ev.type;
    return std::nullopt;
  }
  bool was_matching = ev.prev != nullptr && filter.Matches(*ev.prev);
  if (now_matches) return was_matching ? EventType::kModified : EventType::kAdded;
  if (was_matching) return EventType::kDeleted;
  return std::nullopt;
}

absl::StatusOr<int64_t> WatchCache::OpenCursor(const api::ResourceInfo& r, const Filter& filter,
                                               int64_t from_rv, std::vector<WatchEvent>* initial) {
  ResourceState* st = StateFor(r);
  std::lock_guard<std::mutex> lock(st->mu);
  if (from_rv == 0) {
    for (const auto& [key, obj] : st->objects) {
      if (filter.Matches(*obj)) initial->push_back(WatchEvent{EventType::kAdded, obj, obj->rv});
    }
  } else {
    if (from_rv < st->window_start) {
      return absl::OutOfRangeError("too old resource version: " + std::to_string(from_rv) + " (" +
                                   std::to_string(st->window_start) + ")");
    }
    for (const auto& ev : st->history) {
      if (ev.rv <= from_rv) continue;
      if (auto type = EventFor(filter, ev)) initial->push_back(WatchEvent{*type, ev.object, ev.rv});
    }
  }
  return std::max({st->last_rv, st->window_start, from_rv});
}

bool WatchCache::EventsAfter(const api::ResourceInfo& r, int64_t cursor,
                             std::vector<WatchEvent>* out) {
  ResourceState* st = StateFor(r);
  std::lock_guard<std::mutex> lock(st->mu);
  if (cursor < st->window_start) return false;
  if (cursor >= st->last_rv) return true;
  auto first = std::upper_bound(st->history.begin(), st->history.end(), cursor,
                                [](int64_t rv, const WatchEvent& ev) { return rv < ev.rv; });
  out->insert(out->end(), first, st->history.end());
  return true;
}

int64_t WatchCache::WaitForChange(int64_t seen, std::chrono::milliseconds timeout) {
  if (revision_.load() > seen) return revision_.load();
  std::unique_lock<std::mutex> lock(rev_mu_);
  rev_cv_.wait_for(lock, timeout, [&] { return revision_.load() > seen; });
  return revision_.load();
}

void WatchCache::StopWatch(const api::ResourceInfo& r, const std::shared_ptr<Watcher>& w) {
  ResourceState* st = StateFor(r);
  std::lock_guard<std::mutex> lock(st->mu);
  for (auto it = st->watchers.begin(); it != st->watchers.end(); ++it) {
    if (*it == w) {
      st->watchers.erase(it);
      watchers_total_.fetch_sub(1);
      break;
    }
  }
}

size_t WatchCache::ObjectCount(const api::ResourceInfo& r) {
  ResourceState* st = StateFor(r);
  std::lock_guard<std::mutex> lock(st->mu);
  return st->objects.size();
}

}  // namespace skiff::apiserver
