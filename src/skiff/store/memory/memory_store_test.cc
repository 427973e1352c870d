#include "skiff/store/memory/memory_store.h"

#include "skiff/store/conformance_test.h"

namespace skiff::store {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, StoreConformanceTest,
                         testing::Values(StoreFactory{
                             .name = "memory",
                             .open =
                                 [](const std::string&) -> absl::StatusOr<std::unique_ptr<Store>> {
                               return std::make_unique<MemoryStore>();
                             }}),
                         StoreFactoryName);

}  // namespace
}  // namespace skiff::store
