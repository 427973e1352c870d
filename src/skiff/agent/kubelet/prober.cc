#include "skiff/agent/kubelet/prober.h"

#include <algorithm>

#include "skiff/agent/kubelet/env.h"
#include "skiff/agent/kubelet/kubelet.h"
#include "skiff/agent/probe/exec.h"
#include "skiff/agent/probe/http.h"
#include "skiff/agent/probe/tcp.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"

namespace skiff::agent::kubelet {

namespace json = boost::json;
using api::GetString;
using probe::Outcome;
using probe::Result;

namespace {

// The kubelet tries a probe that errors (rather than fails) this often before giving up.
constexpr int kMaxProbeRetries = 3;
// Probes identify themselves as the kubelet's do: kube-probe/<major>.<minor>.
constexpr std::string_view kUserAgent = "kube-probe/1.32";

using Runner = std::function<absl::StatusOr<Outcome>()>;

Runner Failing(absl::Status status) {
  return [status = std::move(status)]() -> absl::StatusOr<Outcome> { return status; };
}

size_t Index(ProbeType type) { return static_cast<size_t>(type); }

constexpr ProbeType kTypes[] = {ProbeType::kStartup, ProbeType::kLiveness, ProbeType::kReadiness};

}  // namespace

std::string_view ProbeTypeName(ProbeType type) {
  switch (type) {
    case ProbeType::kStartup:
      return "Startup";
    case ProbeType::kLiveness:
      return "Liveness";
    case ProbeType::kReadiness:
      break;
  }
  return "Readiness";
}

std::optional<ProbeSpec> ParseProbe(const json::value& container, ProbeType type) {
  static constexpr std::string_view kFields[] = {"startupProbe", "livenessProbe", "readinessProbe"};
  const json::value* p = api::Find(container, {kFields[Index(type)]});
  if (p == nullptr || !p->is_object()) return std::nullopt;
  auto positive = [&](std::string_view field, int def) {
    int64_t v = api::GetInt(*p, {field});
    return v > 0 ? static_cast<int>(std::min<int64_t>(v, 1 << 30)) : def;
  };
  ProbeSpec s;
  s.initial_delay_seconds = positive("initialDelaySeconds", 0);
  s.period_seconds = positive("periodSeconds", 10);
  s.timeout_seconds = positive("timeoutSeconds", 1);
  s.success_threshold = positive("successThreshold", 1);
  s.failure_threshold = positive("failureThreshold", 3);
  if (const json::value* g = api::Find(*p, {"terminationGracePeriodSeconds"});
      g != nullptr && (g->is_int64() || g->is_uint64())) {
    s.termination_grace_period_seconds = api::GetInt(*p, {"terminationGracePeriodSeconds"});
  }
  s.handler = *p;
  return s;
}

absl::StatusOr<int> ResolveContainerPort(const json::value& port, const json::value& container) {
  int64_t n = -1;
  if (port.is_int64() || port.is_uint64()) {
    n = port.is_int64() ? port.get_int64() : static_cast<int64_t>(port.get_uint64());
  } else if (port.is_string()) {
    std::string_view name = port.get_string();
    bool found = false;
    if (const json::array* ports = api::GetArray(container, {"ports"})) {
      for (const auto& p : *ports) {
        if (GetString(p, {"name"}) == name) {
          n = api::GetInt(p, {"containerPort"});
          found = true;
          break;
        }
      }
    }
    if (!found) return absl::NotFoundError(api::Cat("port \"", name, "\" not found"));
  } else {
    return absl::InvalidArgumentError(api::Cat("intOrString had no kind: ", json::serialize(port)));
  }
  if (n > 0 && n < 65536) return static_cast<int>(n);
  return absl::InvalidArgumentError(api::Cat("invalid port number: ", n));
}

bool ProbeTask::Done() const {
  absl::MutexLock lock(&mu_);
  return done_;
}

absl::StatusOr<Outcome> ProbeTask::Result() const {
  absl::MutexLock lock(&mu_);
  return result_;
}

void ProbeTask::Finish(absl::StatusOr<Outcome> result) {
  absl::MutexLock lock(&mu_);
  result_ = std::move(result);
  done_ = true;
}

Prober::Prober(runtime::Runtime* runtime, bool inline_runs)
    : runtime_(runtime), inline_runs_(inline_runs) {}

Prober::~Prober() {
  std::vector<Thread> threads;
  {
    absl::MutexLock lock(&threads_mu_);
    threads.swap(threads_);
  }
  threads.clear();  // joins
}

void Prober::SetListener(std::function<void(const std::string&)> listener) {
  absl::MutexLock lock(&listener_mu_);
  listener_ = std::move(listener);
}

void Prober::Notify(const std::string& pod_key) {
  // Held while calling so that SetListener cannot return while the old listener runs.
  absl::ReaderMutexLock lock(&listener_mu_);
  if (listener_) listener_(pod_key);
}

std::shared_ptr<ProbeTask> Prober::Start(std::string pod_key, Runner work) {
  auto task = std::make_shared<ProbeTask>();
  if (inline_runs_) {
    task->Finish(work());
    return task;
  }
  std::vector<Thread> finished;
  {
    absl::MutexLock lock(&threads_mu_);
    for (Thread& t : threads_)
      if (t.exited->load()) finished.push_back(std::move(t));
    std::erase_if(threads_, [](const Thread& t) { return !t.thread.joinable(); });
    auto exited = std::make_shared<std::atomic<bool>>(false);
    threads_.push_back(Thread{exited, std::jthread([this, task, exited, work = std::move(work),
                                                    key = std::move(pod_key)] {
                                task->Finish(work());
                                Notify(key);
                                exited->store(true);
                              })});
  }
  finished.clear();  // joins threads that have ended, outside the lock
  return task;
}

Runner Prober::BindHandler(const ProbeSpec& spec, const ProbeTarget& target) const {
  const json::value& h = spec.handler;
  const json::value& c = *target.container;
  const absl::Duration timeout = absl::Seconds(spec.timeout_seconds);
  if (const json::value* exec = api::Find(h, {"exec"})) {
    // $(VAR) expands against the container's env values as written (valueFrom ones are "").
    EnvList env;
    if (const json::array* vars = api::GetArray(c, {"env"})) {
      for (const auto& v : *vars) env.emplace_back(GetString(v, {"name"}), GetString(v, {"value"}));
    }
    std::vector<std::string> command;
    if (const json::array* words = api::GetArray(*exec, {"command"})) {
      for (const auto& w : *words)
        if (w.is_string()) command.push_back(Expand(std::string_view(w.get_string()), env));
    }
    return [rt = runtime_, id = target.container_id, command, timeout] {
      return probe::ExecProbe(*rt, id, command, timeout);
    };
  }
  if (const json::value* get = api::Find(h, {"httpGet"})) {
    const json::value* port_field = api::Find(*get, {"port"});
    auto port = ResolveContainerPort(port_field ? *port_field : json::value(), c);
    if (!port.ok()) return Failing(port.status());
    probe::HttpGet g;
    g.scheme = std::string(GetString(*get, {"scheme"}, "HTTP"));
    g.host = std::string(GetString(*get, {"host"}, target.pod_ip));
    if (g.host.empty()) g.host = target.pod_ip;
    g.port = *port;
    g.path = std::string(GetString(*get, {"path"}));
    if (const json::array* headers = api::GetArray(*get, {"httpHeaders"})) {
      for (const auto& hd : *headers)
        g.headers.emplace_back(GetString(hd, {"name"}), GetString(hd, {"value"}));
    }
    g.user_agent = std::string(kUserAgent);
    return [g = std::move(g), timeout] { return probe::HttpProbe(g, timeout); };
  }
  if (const json::value* tcp = api::Find(h, {"tcpSocket"})) {
    const json::value* port_field = api::Find(*tcp, {"port"});
    auto port = ResolveContainerPort(port_field ? *port_field : json::value(), c);
    if (!port.ok()) return Failing(port.status());
    std::string host(GetString(*tcp, {"host"}));
    if (host.empty()) host = target.pod_ip;
    return [host, port = *port, timeout]() -> absl::StatusOr<Outcome> {
      return probe::TcpProbe(host, port, timeout);
    };
  }
  if (api::Find(h, {"grpc"}) != nullptr) {
    return Failing(absl::UnimplementedError("gRPC probes are not supported on this node"));
  }
  return Failing(absl::InvalidArgumentError(
      api::Cat("missing probe handler for ", target.pod_key, ":", GetString(c, {"name"}))));
}

ProbeVerdict Prober::Probe(ProbeState& st, const ProbeTarget& target, absl::Time now,
                           std::vector<KubeletEvent>& events) {
  if (st.container_id != target.container_id) {
    // A new attempt: every probe starts over (results.Manager's initial values).
    st = ProbeState{};
    st.container_id = target.container_id;
    st.workers[Index(ProbeType::kLiveness)].value = Result::kSuccess;
    st.workers[Index(ProbeType::kReadiness)].value = Result::kFailure;
  }
  std::array<std::optional<ProbeSpec>, 3> specs;
  for (ProbeType type : kTypes) specs[Index(type)] = ParseProbe(*target.container, type);
  auto started = [&] {
    return !specs[Index(ProbeType::kStartup)] ||
           st.workers[Index(ProbeType::kStartup)].value == Result::kSuccess;
  };

  // Folds a finished run into its worker, as worker.doProbe does with a result.
  auto collect = [&](ProbeType type) {
    ProbeState::Worker& w = st.workers[Index(type)];
    if (w.running == nullptr || !w.running->Done()) return;
    absl::StatusOr<Outcome> out = w.running->Result();
    w.running.reset();
    std::string_view name = ProbeTypeName(type);
    if (!out.ok()) {
      // An error is not a result: it is reported and thrown away.
      events.push_back({"Warning", "Unhealthy",
                        api::Cat(name, " probe errored and resulted in unknown state: ",
                                 std::string(out.status().message()))});
      return;
    }
    Result result = Result::kFailure;
    switch (out->result) {
      case Result::kSuccess:
        result = Result::kSuccess;
        break;
      case Result::kWarning:
        events.push_back(
            {"Warning", "ProbeWarning", api::Cat(name, " probe warning: ", out->output)});
        result = Result::kSuccess;
        break;
      case Result::kFailure:
        events.push_back({"Warning", "Unhealthy", api::Cat(name, " probe failed: ", out->output)});
        break;
      case Result::kUnknown:
        break;
    }
    if (w.last == result) {
      ++w.run;
    } else {
      w.last = result;
      w.run = 1;
    }
    const ProbeSpec& spec = *specs[Index(type)];
    if ((result == Result::kFailure && w.run < spec.failure_threshold) ||
        (result == Result::kSuccess && w.run < spec.success_threshold)) {
      return;  // below the threshold: the published result stands
    }
    w.value = result;
    if (type != ProbeType::kReadiness && result == Result::kFailure) {
      // The container will be killed; probe again only its next attempt.
      w.on_hold = true;
      w.run = 0;
    }
  };
  // When the worker may run next, or nullopt while it may not run at all.
  auto due = [&](ProbeType type) -> std::optional<absl::Time> {
    const ProbeState::Worker& w = st.workers[Index(type)];
    if (!specs[Index(type)] || w.running != nullptr || w.on_hold) return std::nullopt;
    // The startup probe runs until the container has started, the others only after.
    if ((type == ProbeType::kStartup) == started()) return std::nullopt;
    const ProbeSpec& spec = *specs[Index(type)];
    int64_t delay = spec.initial_delay_seconds;
    if (type != ProbeType::kReadiness) {
      // Liveness and startup probes run on their worker's ticker: the first run comes a whole
      // number of periods (at least one) after the start. Readiness probes of an unready
      // container are also run on demand, so theirs comes as soon as the delay allows.
      int64_t periods = (delay + spec.period_seconds - 1) / spec.period_seconds;
      delay = std::max<int64_t>(1, periods) * spec.period_seconds;
    }
    absl::Time first = target.started_at + absl::Seconds(delay);
    return std::max(first, w.next_due.value_or(first));
  };

  for (bool launched = true; launched;) {
    launched = false;
    for (ProbeType type : kTypes)
      if (specs[Index(type)]) collect(type);
    for (ProbeType type : kTypes) {
      std::optional<absl::Time> at = due(type);
      if (!at || *at > now) continue;
      ProbeState::Worker& w = st.workers[Index(type)];
      w.next_due = now + absl::Seconds(specs[Index(type)]->period_seconds);
      Runner run = BindHandler(*specs[Index(type)], target);
      w.running = Start(target.pod_key, [run = std::move(run)] {
        absl::StatusOr<Outcome> out = run();
        for (int i = 1; i < kMaxProbeRetries && !out.ok(); ++i) out = run();
        return out;
      });
      launched = true;
    }
  }

  ProbeVerdict v;
  v.started = st.started = started();
  v.ready = v.started && (!specs[Index(ProbeType::kReadiness)] ||
                          st.workers[Index(ProbeType::kReadiness)].value == Result::kSuccess);
  for (ProbeType type : {ProbeType::kLiveness, ProbeType::kStartup}) {
    if (specs[Index(type)] && st.workers[Index(type)].value == Result::kFailure && !v.failed) {
      v.failed = type;
    }
  }
  for (ProbeType type : kTypes) {
    std::optional<absl::Time> at = due(type);
    if (at && (!v.next_due || *at < *v.next_due)) v.next_due = *at;
  }
  return v;
}

}  // namespace skiff::agent::kubelet
