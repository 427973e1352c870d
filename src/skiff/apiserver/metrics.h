// Prometheus metrics of the API server: request counts and latency histograms by verb and
// resource, store write latency, and current watchers. Thread-safe; cheap enough per request.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <string>
#include <tuple>

#include "absl/synchronization/mutex.h"

namespace skiff::apiserver {

class Histogram {
 public:
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  void Observe(double seconds);
  // Appends `name{labels,le=...}` lines in the Prometheus text format.
  void Render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<uint64_t, kBuckets.size()> counts_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

class Metrics {
 public:
  void ObserveRequest(const std::string& verb, const std::string& resource, int code,
                      double seconds);
  void ObserveStoreWrite(double seconds);
  // Text exposition; `watchers` is sampled by the caller.
  std::string Render(size_t watchers, int64_t store_revision) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, Histogram> latency_ ABSL_GUARDED_BY(mu_);
  Histogram store_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::apiserver
