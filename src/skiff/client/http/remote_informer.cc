#include "skiff/client/http/remote_informer.h"

#include <random>

#include "skiff/api/object.h"
#include "skiff/apiserver/errors.h"
#include "spdlog/spdlog.h"

namespace skiff::client::http {

namespace json = boost::json;

RemoteInformer::RemoteInformer(HttpClient* client, const api::ResourceInfo& r,
                               RemoteInformerOptions options)
    : client_(client), options_(std::move(options)), informer_(r) {}

RemoteInformer::~RemoteInformer() { Stop(); }

void RemoteInformer::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token st) { Run(st); });
}

void RemoteInformer::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  cv_.notify_all();
  thread_.join();
}

bool RemoteInformer::WaitForSync(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)),
                      [&] { return synced_.load(); });
}

void RemoteInformer::Sleep(std::stop_token& stop, absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, stop, std::chrono::milliseconds(absl::ToInt64Milliseconds(d)),
               [] { return false; });
}

absl::Status RemoteInformer::ListAndReplace(std::string* rv) {
  const api::ResourceInfo& r = informer_.resource();
  std::vector<ObjPtr> items;
  ListOptions opts;
  opts.label_selector = options_.label_selector;
  opts.field_selector = options_.field_selector;
  opts.limit = options_.page_size;
  std::string list_rv;
  while (true) {
    auto page = client_->List(r, options_.ns, opts);
    if (!page.ok()) {
      if (apiserver::HttpCode(page.status()) == 410 && !opts.continue_token.empty()) {
        // The continue token expired: list everything in one go.
        items.clear();
        opts.continue_token.clear();
        opts.limit = 0;
        continue;
      }
      return page.status();
    }
    list_rv = std::string(api::GetString(*page, {"metadata", "resourceVersion"}));
    if (json::array* arr = page->as_object()["items"].if_array()) {
      for (json::value& item : *arr) {
        // List items carry no kind; informers elsewhere hold complete objects.
        json::object& o = item.as_object();
        if (!o.contains("kind")) o["kind"] = r.kind;
        if (!o.contains("apiVersion")) o["apiVersion"] = r.GroupVersion();
        items.push_back(std::make_shared<const json::value>(std::move(item)));
      }
    }
    opts.continue_token = std::string(api::GetString(*page, {"metadata", "continue"}));
    if (opts.continue_token.empty()) break;
  }
  informer_.Replace(std::move(items));
  *rv = list_rv;
  ++lists_;
  if (!synced_.exchange(true)) {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }
  return absl::OkStatus();
}

void RemoteInformer::Run(std::stop_token stop) {
  const api::ResourceInfo& r = informer_.resource();
  std::mt19937 rng{std::random_device{}()};
  std::string rv;
  bool need_list = true;
  while (!stop.stop_requested()) {
    if (need_list) {
      if (absl::Status s = ListAndReplace(&rv); !s.ok()) {
        spdlog::warn("informer {}: list failed: {}", r.plural, std::string(s.message()));
        Sleep(stop, options_.retry_delay);
        continue;
      }
      need_list = false;
    }
    WatchOptions w;
    w.label_selector = options_.label_selector;
    w.field_selector = options_.field_selector;
    w.resource_version = rv;
    w.allow_bookmarks = true;
    int base = std::max(1, options_.watch_timeout_seconds);
    w.timeout_seconds = base + std::uniform_int_distribution<int>(0, base / 5)(rng);
    auto began = std::chrono::steady_clock::now();
    absl::Status s = client_->Watch(
        r, options_.ns, w,
        [&](WatchEvent ev) {
          std::string_view ev_rv = api::GetString(ev.object, {"metadata", "resourceVersion"});
          if (!ev_rv.empty()) rv = std::string(ev_rv);
          if (ev.type == "BOOKMARK" || !ev.object.is_object()) return;
          auto obj = std::make_shared<const json::value>(std::move(ev.object));
          if (ev.type == "DELETED") {
            informer_.Remove(obj);
          } else {
            informer_.Upsert(std::move(obj));
          }
        },
        stop);
    if (stop.stop_requested()) break;
    if (s.ok()) {
      // The server ended the watch: resume from rv (not in a tight loop if it ends at once).
      if (std::chrono::steady_clock::now() - began < std::chrono::seconds(1)) {
        Sleep(stop, absl::Milliseconds(200));
      }
      continue;
    }
    if (apiserver::HttpCode(s) == 410) {
      spdlog::info("informer {}: resourceVersion {} expired, re-listing", r.plural, rv);
      need_list = true;
      continue;
    }
    spdlog::warn("informer {}: watch failed: {}", r.plural, std::string(s.message()));
    Sleep(stop, options_.retry_delay);
  }
}

}  // namespace skiff::client::http
