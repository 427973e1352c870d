#include "skiff/apiserver/metrics.h"

#include "absl/strings/str_format.h"

namespace skiff::apiserver {

void Histogram::Observe(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++counts_[i];
  ++count_;
  sum_ += seconds;
}

void Histogram::Render(std::string& out, const std::string& name, const std::string& labels) const {
  std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    absl::StrAppendFormat(&out, "%s_bucket{%s%sle=\"%g\"} %d\n", name, labels, sep, kBuckets[i],
                          counts_[i]);
  }
  absl::StrAppendFormat(&out, "%s_bucket{%s%sle=\"+Inf\"} %d\n", name, labels, sep, count_);
  absl::StrAppendFormat(&out, "%s_sum{%s} %g\n", name, labels, sum_);
  absl::StrAppendFormat(&out, "%s_count{%s} %d\n", name, labels, count_);
}

void Metrics::ObserveRequest(const std::string& verb, const std::string& resource, int code,
                             double seconds) {
  absl::MutexLock lock(&mu_);
  ++requests_[{verb, resource, code}];
  latency_[{verb, resource}].Observe(seconds);
}

void Metrics::ObserveStoreWrite(double seconds) {
  absl::MutexLock lock(&mu_);
  store_.Observe(seconds);
}

std::string Metrics::Render(size_t watchers, int64_t store_revision) const {
  std::string out;
  absl::MutexLock lock(&mu_);
  out += "# HELP apiserver_request_total Requests by verb, resource and HTTP code.\n";
  out += "# TYPE apiserver_request_total counter\n";
  for (const auto& [k, n] : requests_) {
    absl::StrAppendFormat(&out,
                          "apiserver_request_total{verb=\"%s\",resource=\"%s\",code=\"%d\"} %d\n",
                          std::get<0>(k), std::get<1>(k), std::get<2>(k), n);
  }
  out += "# HELP apiserver_request_duration_seconds Request latency by verb and resource.\n";
  out += "# TYPE apiserver_request_duration_seconds histogram\n";
  for (const auto& [k, h] : latency_) {
    h.Render(out, "apiserver_request_duration_seconds",
             absl::StrFormat("verb=\"%s\",resource=\"%s\"", k.first, k.second));
  }
  out += "# HELP skiff_store_write_duration_seconds Durable store write latency (commit).\n";
  out += "# TYPE skiff_store_write_duration_seconds histogram\n";
  store_.Render(out, "skiff_store_write_duration_seconds", "");
  out += "# HELP apiserver_registered_watchers Open watch streams.\n";
  out += "# TYPE apiserver_registered_watchers gauge\n";
  absl::StrAppendFormat(&out, "apiserver_registered_watchers %d\n", watchers);
  out += "# HELP skiff_store_revision Latest store revision.\n";
  out += "# TYPE skiff_store_revision gauge\n";
  absl::StrAppendFormat(&out, "skiff_store_revision %d\n", store_revision);
  return out;
}

}  // namespace skiff::apiserver
