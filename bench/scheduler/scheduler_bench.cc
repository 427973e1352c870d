// Scheduler macro benchmark: the default scheduler in process, 5,000 synthetic nodes, pods fed
// through the same entry points the informers use, and an in-memory Client whose Bind records
// the time and feeds the bound pod back (as the informer would). Two phases:
//   saturated - N pods queued at once: pods/s until the last bind (kube-scheduler's
//               scheduler_perf SchedulingBasic shape);
//   paced     - pods arriving at a fixed rate: per-pod latency from arrival to bind (p50/p99).
// Prints one JSON document. Usage: skiff_scheduler_bench [--nodes N] [--pods N] [--rate R]
//   [--paced-pods N] [--affinity-pods N] [--parallelism P]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "skiff/scheduler/scheduler.h"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using skiff::client::ObjPtr;

namespace {

struct Args {
  int nodes = 5000;
  int pods = 10000;
  int paced_pods = 2000;
  int rate = 1000;  // pods/s in the paced phase
  int affinity_pods = 500;
  int parallelism = 0;  // 0: the scheduler's default (hardware threads, at most 16)
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--nodes") a.nodes = v;
    if (k == "--pods") a.pods = v;
    if (k == "--paced-pods") a.paced_pods = v;
    if (k == "--rate") a.rate = v;
    if (k == "--affinity-pods") a.affinity_pods = v;
    if (k == "--parallelism") a.parallelism = v;
  }
  return a;
}

ObjPtr MakeNode(int i) {
  static const char* kCpu[] = {"4", "8", "16", "32"};
  static const char* kMem[] = {"16Gi", "32Gi", "64Gi", "128Gi"};
  json::object labels{{"kubernetes.io/hostname", "node-" + std::to_string(i)},
                      {"topology.kubernetes.io/zone", "zone-" + std::to_string(i % 10)},
                      {"node.kubernetes.io/instance-type", std::string("m") + kCpu[i % 4]}};
  json::object alloc{{"cpu", kCpu[i % 4]}, {"memory", kMem[i % 4]}, {"pods", "110"}};
  json::object spec;
  if (i % 20 == 0) {
    spec["taints"] = json::array{
        json::object{{"key", "dedicated"}, {"value", "infra"}, {"effect", "NoSchedule"}}};
  }
  json::value node =
      json::object{{"apiVersion", "v1"},
                   {"kind", "Node"},
                   {"metadata", json::object{{"name", "node-" + std::to_string(i)},
                                             {"labels", labels},
                                             {"resourceVersion", "1"}}},
                   {"spec", spec},
                   {"status", json::object{{"allocatable", alloc}, {"capacity", alloc}}}};
  return std::make_shared<const json::value>(std::move(node));
}

// Pods shaped like a Deployment's: small requests, default tolerations; every tenth selects a
// zone. `anti_affinity` adds required pod anti-affinity on the hostname (like scheduler_perf's
// SchedulingPodAntiAffinity).
ObjPtr MakePod(const std::string& name, int i, bool anti_affinity) {
  static const char* kCpu[] = {"100m", "250m", "500m"};
  static const char* kMem[] = {"128Mi", "256Mi", "512Mi"};
  json::object spec{
      {"schedulerName", "default-scheduler"},
      {"priority", 0},
      {"containers",
       json::array{json::object{
           {"name", "app"},
           {"image", "registry.k8s.io/pause:3.10"},
           {"resources", json::object{{"requests", json::object{{"cpu", kCpu[i % 3]},
                                                                {"memory", kMem[i % 3]}}}}}}}},
      {"tolerations", json::array{json::object{{"key", "node.kubernetes.io/not-ready"},
                                               {"operator", "Exists"},
                                               {"effect", "NoExecute"},
                                               {"tolerationSeconds", 300}},
                                  json::object{{"key", "node.kubernetes.io/unreachable"},
                                               {"operator", "Exists"},
                                               {"effect", "NoExecute"},
                                               {"tolerationSeconds", 300}}}}};
  if (i % 10 == 0) {
    spec["nodeSelector"] =
        json::object{{"topology.kubernetes.io/zone", "zone-" + std::to_string(i % 7)}};
  }
  std::string app = anti_affinity ? "spread" : "app-" + std::to_string(i % 50);
  if (anti_affinity) {
    spec["affinity"] = json::parse(R"({"podAntiAffinity":{
        "requiredDuringSchedulingIgnoredDuringExecution":[{
        "labelSelector":{"matchLabels":{"app":"spread"}},
        "topologyKey":"kubernetes.io/hostname"}]}})");
  }
  json::value pod = json::object{{"apiVersion", "v1"},
                                 {"kind", "Pod"},
                                 {"metadata", json::object{{"name", name},
                                                           {"namespace", "bench"},
                                                           {"uid", "uid-" + name},
                                                           {"resourceVersion", "1"},
                                                           {"labels", json::object{{"app", app}}}}},
                                 {"spec", spec},
                                 {"status", json::object{{"phase", "Pending"}}}};
  return std::make_shared<const json::value>(std::move(pod));
}

// Records bind times and plays the informer: the bound pod goes back into the scheduler.
class BenchClient : public skiff::client::Client {
 public:
  absl::StatusOr<json::value> Get(const skiff::api::ResourceInfo&, std::string_view,
                                  std::string_view) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<json::value> Create(const skiff::api::ResourceInfo&, std::string_view,
                                     json::value obj) override {
    return obj;
  }
  absl::StatusOr<json::value> Update(const skiff::api::ResourceInfo&, json::value obj,
                                     std::string_view) override {
    return obj;
  }
  absl::StatusOr<json::value> Patch(const skiff::api::ResourceInfo&, std::string_view,
                                    std::string_view, std::string_view, std::string_view,
                                    std::string_view) override {
    patches.fetch_add(1);
    return json::value(json::object());
  }
  absl::Status Delete(const skiff::api::ResourceInfo&, std::string_view, std::string_view,
                      const skiff::client::DeleteOptions&) override {
    return absl::OkStatus();
  }
  absl::Status Bind(std::string_view, std::string_view pod, std::string_view,
                    std::string_view node) override {
    auto now = Clock::now();
    ObjPtr old;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = pods.find(std::string(pod));
      if (it == pods.end()) return absl::NotFoundError("no such pod");
      old = it->second;
      bound_at[std::string(pod)] = now;
    }
    json::value bound = *old;
    bound.as_object()["spec"].as_object()["nodeName"] = node;
    bound.as_object()["metadata"].as_object()["resourceVersion"] = "2";
    sched->OnPodUpdate(old, std::make_shared<const json::value>(std::move(bound)));
    binds.fetch_add(1);
    return absl::OkStatus();
  }

  skiff::scheduler::Scheduler* sched = nullptr;
  std::mutex mu;
  std::unordered_map<std::string, ObjPtr> pods;                 // guarded by mu
  std::unordered_map<std::string, Clock::time_point> bound_at;  // guarded by mu
  std::atomic<int64_t> binds{0}, patches{0};
};

// CPU seconds this process used so far (all threads): a figure other load on the box does not
// inflate the way it does wall-clock throughput.
double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  return v[idx];
}

bool WaitForBinds(BenchClient& c, int64_t want, double timeout_s) {
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (c.binds.load() < want) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

struct Phase {
  int pods = 0;
  int64_t bound = 0;
  double seconds = 0, pods_per_sec = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
  double cpu_us_per_pod = 0;
};

// Queues `objs` (all at once when rate == 0) and measures until they are all bound.
Phase Run(BenchClient& client, skiff::scheduler::Scheduler& sched, const std::vector<ObjPtr>& objs,
          int rate) {
  std::vector<Clock::time_point> created(objs.size());
  {
    std::lock_guard<std::mutex> lock(client.mu);
    for (const ObjPtr& o : objs) {
      client.pods[std::string(o->at("metadata").at("name").as_string())] = o;
    }
  }
  int64_t base = client.binds.load();
  double cpu0 = CpuSeconds();
  auto start = Clock::now();
  for (size_t i = 0; i < objs.size(); ++i) {
    if (rate > 0) {
      auto due = start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(i) / rate));
      std::this_thread::sleep_until(due);
    }
    created[i] = Clock::now();
    sched.OnPodAdd(objs[i]);
  }
  Phase ph;
  ph.pods = static_cast<int>(objs.size());
  WaitForBinds(client, base + static_cast<int64_t>(objs.size()), 120);
  auto end = Clock::now();
  ph.bound = client.binds.load() - base;
  if (ph.bound > 0) ph.cpu_us_per_pod = (CpuSeconds() - cpu0) * 1e6 / ph.bound;
  std::vector<double> lat;
  Clock::time_point last = start;
  {
    std::lock_guard<std::mutex> lock(client.mu);
    for (size_t i = 0; i < objs.size(); ++i) {
      auto it = client.bound_at.find(std::string(objs[i]->at("metadata").at("name").as_string()));
      if (it == client.bound_at.end()) continue;
      lat.push_back(Ms(it->second - created[i]));
      last = std::max(last, it->second);
    }
  }
  if (ph.bound < ph.pods) last = end;
  ph.seconds = std::chrono::duration<double>(last - start).count();
  ph.pods_per_sec = ph.seconds > 0 ? ph.bound / ph.seconds : 0;
  ph.p50_ms = Percentile(lat, 0.50);
  ph.p99_ms = Percentile(lat, 0.99);
  ph.max_ms = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  return ph;
}

json::object ToJson(const Phase& p, int rate) {
  json::object o{{"pods", p.pods},
                 {"bound", p.bound},
                 {"seconds", p.seconds},
                 {"pods_per_sec", p.pods_per_sec},
                 {"latency_p50_ms", p.p50_ms},
                 {"latency_p99_ms", p.p99_ms},
                 {"latency_max_ms", p.max_ms},
                 {"cpu_us_per_pod", p.cpu_us_per_pod}};
  if (rate > 0) o["arrival_rate_per_sec"] = rate;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);
  BenchClient client;
  skiff::scheduler::SchedulerOptions opts;
  opts.record_events = false;  // events go through the API; this measures the scheduler
  opts.framework.parallelism = args.parallelism;
  skiff::scheduler::Scheduler sched(&client, opts);
  client.sched = &sched;

  auto t0 = Clock::now();
  for (int i = 0; i < args.nodes; ++i) sched.OnNodeAdd(MakeNode(i));
  double nodes_ms = Ms(Clock::now() - t0);

  std::vector<ObjPtr> saturated, paced, spread;
  for (int i = 0; i < args.pods; ++i)
    saturated.push_back(MakePod("p-" + std::to_string(i), i, false));
  for (int i = 0; i < args.paced_pods; ++i) {
    paced.push_back(MakePod("q-" + std::to_string(i), i, false));
  }
  for (int i = 0; i < args.affinity_pods; ++i) {
    spread.push_back(MakePod("s-" + std::to_string(i), i, true));
  }

  sched.Start();
  Phase sat = Run(client, sched, saturated, 0);
  Phase pac = Run(client, sched, paced, args.rate);
  Phase anti = Run(client, sched, spread, 0);
  sched.Stop();

  json::object out{
      {"benchmark", "scheduler"},
      {"nodes", args.nodes},
      {"node_add_ms", nodes_ms},
      {"parallelism",
       args.parallelism > 0
           ? args.parallelism
           : std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 16)},
      {"hardware_threads", std::thread::hardware_concurrency()},
      {"saturated", ToJson(sat, 0)},
      {"paced", ToJson(pac, args.rate)},
      {"required_anti_affinity", ToJson(anti, 0)},
      {"failed_attempts", sched.stats().failed_attempts},
      {"anchor",
       "kube-scheduler scheduler_perf SchedulingBasic 5000 nodes: threshold 680 pods/s; "
       "required anti-affinity: 60 pods/s (performance-anchors.md section 2)"}};
  std::cout << json::serialize(out) << std::endl;
  return sat.bound == sat.pods && pac.bound == pac.pods && anti.bound == anti.pods ? 0 : 1;
}
