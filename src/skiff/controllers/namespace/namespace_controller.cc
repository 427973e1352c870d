#include "skiff/controllers/namespace/namespace_controller.h"

#include "absl/strings/match.h"
#include "skiff/api/object.h"

namespace skiff::controllers {

namespace json = boost::json;

NamespaceController::NamespaceController(apiserver::Registry* registry,
                                         apiserver::WatchCache* cache)
    : registry_(registry), cache_(cache) {}

NamespaceController::~NamespaceController() { Stop(); }

void NamespaceController::Register() {
  cache_->AddListener([this](const api::ResourceInfo& r, const apiserver::WatchEvent& ev) {
    if (r.kind == "Namespace" && r.group.empty() && ev.type != apiserver::EventType::kDeleted &&
        absl::StrContains(ev.object->json, "\"deletionTimestamp\"")) {
      queue_.Add(ev.object->name);
    }
  });
}

void NamespaceController::Start() {
  worker_ = std::jthread([this] {
    while (auto name = queue_.Get()) {
      Sync(*name);
      queue_.Done(*name);
    }
  });
}

void NamespaceController::Stop() {
  queue_.ShutDown();
  if (worker_.joinable()) worker_.join();
}

void NamespaceController::Sync(const std::string& name) {
  const api::ResourceInfo* nsr = api::FindResource("", "v1", "namespaces");
  auto ns = cache_->Get(*nsr, nsr->Key("", name));
  if (ns == nullptr) return;
  bool remaining = false;
  apiserver::Filter filter;
  filter.ns = name;
  for (const auto& r : api::AllResources()) {
    if (!r.namespaced) continue;
    auto list = cache_->List(r, filter, "", 0);
    for (const auto& obj : list.items) {
      remaining = true;
      if (absl::StrContains(obj->json, "\"deletionTimestamp\"")) continue;
      apiserver::DeleteOptions opts;
      opts.propagation_policy = "Background";
      (void)registry_->Delete(r, name, obj->name, opts);
    }
  }
  if (remaining) {
    queue_.AddAfter(name, std::chrono::milliseconds(300));
    return;
  }
  // Empty: drop the "kubernetes" finalizer, which lets the namespace go.
  json::value obj = json::parse(ns->json);
  if (json::object* spec =
          api::GetObject(obj, {"spec"}) ? &obj.as_object()["spec"].as_object() : nullptr) {
    spec->erase("finalizers");
  }
  apiserver::WriteOptions opts;
  opts.field_manager = "namespace-controller";
  opts.field_validation = "Ignore";
  opts.subresource = "finalize";
  auto res = registry_->Update(*nsr, "", name, std::move(obj), opts);
  if (!res.ok() && res.status().code() != absl::StatusCode::kNotFound) {
    queue_.AddAfter(name, std::chrono::seconds(1));
  }
}

}  // namespace skiff::controllers
