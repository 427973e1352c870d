// Container start latency through RuncRuntime against raw runc, measured in the same run.
//
// Each round starts a pod through the runtime (RunPodSandbox: pinned network, IPC and UTS
// namespaces, CNI; then CreateContainer + StartContainer of `sleep`) and then starts the very same
// container bundle with a bare `runc run -d` (same rootfs, same namespaces to join, its own
// cgroup). Prints one JSON document: p50/p99 of the pod start (sandbox + container), of its two
// parts, of raw runc, and the differences of the percentiles. Needs root.
// Usage: skiff_runtime_bench [--rounds N] [--helpers DIR] [--source DIR]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "skiff/agent/images/image_store.h"
#include "skiff/agent/runtime/runc/process.h"
#include "skiff/agent/runtime/runc/runc_runtime.h"
#include "skiff/base/files.h"
#include "spdlog/spdlog.h"

namespace fs = std::filesystem;
namespace json = boost::json;
namespace rt = skiff::agent::runtime;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// {"p50_ms": 12.3, "p99_ms": 45.6}
std::string Summary(const std::vector<double>& v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "{\"p50_ms\": %.1f, \"p99_ms\": %.1f}", Percentile(v, 0.50),
                Percentile(v, 0.99));
  return buf;
}

// The differences of the percentiles of `a` and `b`.
std::string Difference(const std::vector<double>& a, const std::vector<double>& b) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "{\"p50_ms\": %.1f, \"p99_ms\": %.1f}",
                Percentile(a, 0.50) - Percentile(b, 0.50),
                Percentile(a, 0.99) - Percentile(b, 0.99));
  return buf;
}

int Fail(const std::string& what) {
  std::cerr << "skiff_runtime_bench: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 30;
  std::string helpers = SKIFF_HELPER_DIR, source = SKIFF_SOURCE_DIR;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
    if (k == "--helpers") helpers = argv[i + 1];
    if (k == "--source") source = argv[i + 1];
  }
  if (::geteuid() != 0) return Fail("needs root (runc, overlayfs, network namespaces)");
  spdlog::set_level(spdlog::level::warn);  // stdout carries the JSON

  char tmpl[] = "/tmp/skiff-bench-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string tar = dir + "/busybox.tar";
  auto made = rt::RunProcess(
      {"/bin/bash", source + "/scripts/make-busybox-image.sh", "--no-import", "--output", tar});
  if (!made.ok() || made->exit_code != 0) return Fail("cannot build the busybox image");
  auto store = skiff::agent::images::ImageStore::Open(dir + "/images");
  if (!store.ok() || !(*store)->Import(tar, "busybox").ok()) return Fail("cannot import");

  rt::RuncRuntimeOptions o;
  o.root = dir + "/runtime";
  o.images = store->get();
  o.shim = helpers + "/skiff-shim";
  o.network.bridge = "skiff-bench0";
  o.network.subnet = "10.89.254.0/24";
  o.cgroup_parent = "/skiff-bench";
  auto runtime = rt::RuncRuntime::Open(o);
  if (!runtime.ok()) return Fail(std::string(runtime.status().message()));
  std::string raw_root = dir + "/raw-runc";
  fs::create_directories(raw_root);

  skiff::base::UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  std::vector<double> pod, sandbox, container, raw;
  for (int i = 0; i < rounds; ++i) {
    rt::SandboxConfig sc{"bench-uid-" + std::to_string(i), "bench", "p" + std::to_string(i), false,
                         ""};
    rt::ContainerConfig cc;
    cc.name = "c";
    cc.image = "busybox";
    cc.command = {"sleep", "3600"};
    auto t0 = Clock::now();
    auto sb = (*runtime)->RunPodSandbox(sc);
    auto t1 = Clock::now();
    if (!sb.ok()) return Fail(std::string(sb.status().message()));
    auto c = (*runtime)->CreateContainer(*sb, cc);
    if (!c.ok()) return Fail(std::string(c.status().message()));
    if (auto s = (*runtime)->StartContainer(*c); !s.ok()) return Fail(std::string(s.message()));
    auto t2 = Clock::now();

    // The same bundle (rootfs, process, namespaces), run by runc alone in its own cgroup.
    std::string bundle = dir + "/raw-" + std::to_string(i);
    fs::create_directories(bundle);
    json::value config =
        json::parse(*skiff::base::ReadFile((*runtime)->ContainerDir(*c) + "/config.json"));
    config.at("linux").as_object()["cgroupsPath"] = "/skiff-bench/raw/" + std::to_string(i);
    if (!skiff::base::WriteFileAtomic(bundle + "/config.json", json::serialize(config)).ok()) {
      return Fail("cannot write the raw bundle");
    }
    std::string id = "raw-" + std::to_string(i);
    auto r0 = Clock::now();
    // Detached runc hands its stdio to the container: give it /dev/null, as the shim gives
    // the runtime's containers their log file.
    rt::ProcessOptions quiet;
    quiet.output_fd = devnull.get();
    auto run =
        rt::RunProcess({o.runc, "--root", raw_root, "run", "-d", "--bundle", bundle, id}, quiet);
    auto r1 = Clock::now();
    if (!run.ok() || run->exit_code != 0) {
      return Fail("runc run: " + (run.ok() ? run->err : std::string(run.status().message())));
    }
    rt::RunProcess({o.runc, "--root", raw_root, "delete", "--force", id}).IgnoreError();
    (*runtime)->RemovePodSandbox(*sb).IgnoreError();

    pod.push_back(Ms(t2 - t0));
    sandbox.push_back(Ms(t1 - t0));
    container.push_back(Ms(t2 - t1));
    raw.push_back(Ms(r1 - r0));
  }
  runtime->reset();
  rt::RunProcess({"/usr/sbin/ip", "link", "del", "skiff-bench0"}).IgnoreError();
  fs::remove_all(dir);

  std::cout << "{\n  \"rounds\": " << rounds << ",\n"
            << "  \"pod_start\": " << Summary(pod) << ",\n"
            << "  \"pod_start_sandbox\": " << Summary(sandbox) << ",\n"
            << "  \"pod_start_container\": " << Summary(container) << ",\n"
            << "  \"raw_runc_run\": " << Summary(raw) << ",\n"
            << "  \"pod_start_minus_raw\": " << Difference(pod, raw) << ",\n"
            << "  \"container_minus_raw\": " << Difference(container, raw) << "\n}" << std::endl;
  return 0;
}
