// Discovery documents generated from the resource table: aggregated (apidiscovery.k8s.io v2 and
// v2beta1) and legacy (APIVersions, APIGroupList, APIGroup, APIResourceList).
// Pure functions; results are cached after first use; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace skiff::apiserver {

// `core` selects /api (the "" group) or /apis (every named group).
const std::string& AggregatedDiscovery(bool core, std::string_view version /* v2|v2beta1 */);
std::string LegacyApiVersions(std::string_view server_address);
const std::string& LegacyGroupList();
// Empty when the group (or group version) is not served.
std::string LegacyGroup(std::string_view group);
std::string LegacyResourceList(std::string_view group, std::string_view version);

}  // namespace skiff::apiserver
