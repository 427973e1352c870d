// The behaviour every Store backend must share, as a parameterized GoogleTest suite. A backend's
// test instantiates StoreConformanceTest with a StoreFactory; conformance_test.cc holds the
// tests, so a backend test target lists it among its sources.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "skiff/store/store.h"

namespace skiff::store {

struct StoreFactory {
  std::string name;  // for test names: letters, digits, underscores
  // Opens a fresh, empty store that keeps any files it needs under `dir`.
  std::function<absl::StatusOr<std::unique_ptr<Store>>(const std::string& dir)> open;
};

// Gives each test a fresh store in its own temporary directory (removed afterwards).
class StoreConformanceTest : public testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
};

void PrintTo(const StoreFactory& factory, std::ostream* os);

// A per-test temporary directory under testing::TempDir(); the caller removes it.
std::string MakeTempDir();

// For INSTANTIATE_TEST_SUITE_P(..., testing::Values(factory), StoreFactoryName).
std::string StoreFactoryName(const testing::TestParamInfo<StoreFactory>& info);

}  // namespace skiff::store
