// Client over the API server's registry in the same process: the single-binary fast path.
// Thread-safe.
#pragma once

#include <string>

#include "skiff/apiserver/registry.h"
#include "skiff/client/client.h"

namespace skiff::client {

class InProcessClient : public Client {
 public:
  // `field_manager` names the writer in managedFields ("deployment-controller", ...).
  InProcessClient(apiserver::Registry* registry, std::string field_manager)
      : registry_(registry), field_manager_(std::move(field_manager)) {}

  absl::StatusOr<json::value> Get(const api::ResourceInfo& r, std::string_view ns,
                                  std::string_view name) override;
  absl::StatusOr<json::value> Create(const api::ResourceInfo& r, std::string_view ns,
                                     json::value obj) override;
  absl::StatusOr<json::value> Update(const api::ResourceInfo& r, json::value obj,
                                     std::string_view subresource) override;
  absl::StatusOr<json::value> Patch(const api::ResourceInfo& r, std::string_view ns,
                                    std::string_view name, std::string_view patch_type,
                                    std::string_view patch, std::string_view subresource) override;
  absl::Status Delete(const api::ResourceInfo& r, std::string_view ns, std::string_view name,
                      const DeleteOptions& opts) override;
  absl::Status Bind(std::string_view ns, std::string_view pod, std::string_view uid,
                    std::string_view node) override;

 private:
  apiserver::WriteOptions Options(std::string_view subresource) const;

  apiserver::Registry* registry_;
  std::string field_manager_;
};

}  // namespace skiff::client
