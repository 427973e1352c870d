// Helpers shared by the patch tests: JSON literals and exact (order-sensitive) comparison.
// Test-only; not part of the library.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace skiff::api::patch::testing {

// Parses a JSON literal; fails the test (and returns null) when it does not parse.
inline boost::json::value J(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "bad JSON literal: " << text;
  return v;
}

// Compact text of a literal, so expectations compare member order too.
inline std::string Canon(std::string_view text) { return boost::json::serialize(J(text)); }

}  // namespace skiff::api::patch::testing
