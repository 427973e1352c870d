#!/usr/bin/python3
"""Pod start latency on real containers, through the real API server and node agent, against
raw `runc run` of the same busybox root filesystem measured in the same run. Needs root and runc.

Part 1, `skiff server` with its embedded node agent (what `make run` starts): time from process
start to the API answering /readyz and to its node reporting Ready, and the idle RSS.

Part 2, `skiff server --agent=false` plus a separate `skiff agent` process (so the agent's memory
is its own): pod create -> Running (the create request sent until a watch reports the container
running) for one pod at a time (--rounds), then for 50 pods created at once; the agent's RSS idle
and with the 50 pods running, and the RSS of their per-container shims.

Baseline: `runc run -d` of `sleep` on the busybox root filesystem in a bundle made by
`runc spec`, one at a time and 50 at once, timed from exec until runc returns (container started).

Usage: bench/pods/run.py [--skiff build/release/cmd/skiff/skiff] [--rounds 20] [--batch 50]
                         [--json out.json]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import Api, free_port, rss_mb  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RUNC = "/usr/sbin/runc"
BRIDGE = "skiffbench0"
SUBNET = "10.91.0.0/24"
CGROUP = "/skiff-bench"
NODE = "bench-node"


def percentile(values, p):
    v = sorted(values)
    if not v:
        return 0.0
    return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]


def summary(values):
    return {"p50_ms": round(percentile(values, 0.50), 1),
            "p99_ms": round(percentile(values, 0.99), 1), "n": len(values)}


def ready(url):
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def node_ready(api, name):
    status, node = api.call("GET", f"/api/v1/nodes/{name}")
    if status != 200:
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in node.get("status", {}).get("conditions", []))


def wait(what, predicate, timeout=60, interval=0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


def import_busybox(skiff, data_dir):
    subprocess.run(["/bin/bash", os.path.join(ROOT, "scripts/make-busybox-image.sh"),
                    "--data-dir", data_dir], check=True, capture_output=True,
                   env=dict(os.environ, SKIFF_BIN=skiff))


def pod_manifest(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "main", "image": "busybox:latest",
                                     "imagePullPolicy": "IfNotPresent",
                                     "command": ["sleep", "3600"]}]}}


class RunningWatch:
    """Streams pod watch events and records when each pod's container is first running."""

    def __init__(self, port):
        self.port = port
        self.running_at = {}
        self.cond = threading.Condition()
        self.stop = False
        self.conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        with self.cond:
            self.cond.wait_for(lambda: self.conn is not None, timeout=10)

    def _run(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        conn.request("GET", "/api/v1/namespaces/default/pods?watch=1&allowWatchBookmarks=false")
        resp = conn.getresponse()
        with self.cond:
            self.conn = conn
            self.cond.notify_all()
        while not self.stop:
            line = resp.readline()
            if not line:
                return
            now = time.monotonic()
            ev = json.loads(line)
            pod = ev.get("object", {})
            statuses = pod.get("status", {}).get("containerStatuses") or []
            if statuses and all("running" in (s.get("state") or {}) for s in statuses):
                name = pod["metadata"]["name"]
                with self.cond:
                    if name not in self.running_at:
                        self.running_at[name] = now
                        self.cond.notify_all()

    def wait_running(self, names, timeout=120):
        with self.cond:
            if not self.cond.wait_for(lambda: all(n in self.running_at for n in names),
                                      timeout=timeout):
                missing = [n for n in names if n not in self.running_at]
                raise RuntimeError(f"pods never Running: {missing[:5]}")
            return {n: self.running_at[n] for n in names}


def create_pods(port, names):
    """Creates the pods from one thread each; returns the time each create was sent."""
    sent = {}
    errors = []

    def one(name):
        api = Api(port)
        t = time.monotonic()
        status, body = api.call("POST", "/api/v1/namespaces/default/pods", pod_manifest(name))
        if status != 201:
            errors.append(f"create {name}: {status} {body}")
        sent[name] = t

    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])
    return sent


def delete_pods(api, names):
    for n in names:
        api.call("DELETE", f"/api/v1/namespaces/default/pods/{n}")
    wait("pods deleted",
         lambda: api.count("/api/v1/namespaces/default/pods") == 0, timeout=120, interval=0.05)


def shims_rss_mb(agent_pid):
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0]
            if argv0.endswith(b"skiff-shim"):
                total += rss_mb(int(pid)).get("VmRSS", 0)
        except OSError:
            pass
    return round(total, 1)


def start_server(skiff, data_dir, port, extra):
    log = open(os.path.join(data_dir, "server.log"), "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen([skiff, "server", "--data-dir", data_dir, "--port", str(port),
                             "--log-level", "warn"] + extra,
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    return proc, t0


def part_embedded(skiff, work):
    data = os.path.join(work, "embedded")
    os.makedirs(data)
    import_busybox(skiff, data)
    port = free_port()
    proc, t0 = start_server(skiff, data, port, [
        "--nodes", "1", "--node-name", NODE, "--bridge", BRIDGE, "--pod-subnet", SUBNET,
        "--cgroup-parent", CGROUP])
    try:
        url = f"http://127.0.0.1:{port}"
        wait("API ready", lambda: ready(url), timeout=30, interval=0.002)
        api_ready_ms = (time.monotonic() - t0) * 1000
        api = Api(port)
        wait("node Ready", lambda: node_ready(api, NODE), timeout=30, interval=0.002)
        node_ready_ms = (time.monotonic() - t0) * 1000
        time.sleep(3)
        rss = rss_mb(proc.pid)
        return {"start_to_api_ready_ms": round(api_ready_ms, 1),
                "start_to_node_ready_ms": round(node_ready_ms, 1),
                "idle_rss_mb": round(rss["VmRSS"], 1)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def part_agent(skiff, work, rounds, batch):
    data = os.path.join(work, "server")
    node_dir = os.path.join(work, "node")
    os.makedirs(data)
    os.makedirs(node_dir)
    import_busybox(skiff, node_dir)
    port = free_port()
    server, _ = start_server(skiff, data, port, ["--agent=false"])
    agent = None
    try:
        url = f"http://127.0.0.1:{port}"
        wait("API ready", lambda: ready(url), timeout=30)
        agent_log = open(os.path.join(work, "agent.log"), "wb")
        agent = subprocess.Popen([skiff, "agent", "--server", url, "--node-name", NODE,
                                  "--data-dir", node_dir, "--bridge", BRIDGE, "--pod-subnet",
                                  SUBNET, "--cgroup-parent", CGROUP, "--log-level", "warn"],
                                 stdout=agent_log, stderr=agent_log, stdin=subprocess.DEVNULL)
        api = Api(port)
        wait("node Ready", lambda: node_ready(api, NODE), timeout=30)
        time.sleep(2)
        agent_idle = rss_mb(agent.pid)["VmRSS"]
        watch = RunningWatch(port)

        # Warm-up: the first pod unpacks the image's layer.
        warm = create_pods(port, ["warm-up"])
        watch.wait_running(["warm-up"])
        delete_pods(api, list(warm))

        single = []
        for i in range(rounds):
            name = f"single-{i}"
            sent = create_pods(port, [name])
            at = watch.wait_running([name])
            single.append((at[name] - sent[name]) * 1000)
            delete_pods(api, [name])

        names = [f"batch-{i}" for i in range(batch)]
        sent = create_pods(port, names)
        at = watch.wait_running(names, timeout=300)
        many = [(at[n] - sent[n]) * 1000 for n in names]
        time.sleep(2)
        agent_busy = rss_mb(agent.pid)
        shims = shims_rss_mb(agent.pid)
        delete_pods(api, names)
        watch.stop = True
        return {"pod_create_to_running_1": summary(single),
                f"pod_create_to_running_{batch}": summary(many),
                "agent_idle_rss_mb": round(agent_idle, 1),
                f"agent_rss_mb_with_{batch}_pods": round(agent_busy["VmRSS"], 1),
                f"agent_peak_rss_mb": round(agent_busy["VmHWM"], 1),
                f"shims_rss_mb_total_{batch}_pods": shims}
    finally:
        if agent is not None:
            agent.terminate()
            agent.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)


def raw_runc(work, rounds, batch):
    """runc run -d of `sleep` on the same busybox rootfs: one at a time, then `batch` at once."""
    archive = os.path.join(work, "busybox-oci.tar")
    subprocess.run(["/bin/bash", os.path.join(ROOT, "scripts/make-busybox-image.sh"),
                    "--no-import", "--output", archive], check=True, capture_output=True)
    bundle = os.path.join(work, "bundle")
    rootfs = os.path.join(bundle, "rootfs")
    os.makedirs(rootfs)
    with tarfile.open(archive) as oci:
        index = json.load(oci.extractfile("index.json"))
        manifest_digest = index["manifests"][0]["digest"].split(":")[1]
        manifest = json.load(oci.extractfile(f"blobs/sha256/{manifest_digest}"))
        layer = manifest["layers"][0]["digest"].split(":")[1]
        with tarfile.open(fileobj=oci.extractfile(f"blobs/sha256/{layer}"), mode="r:gz") as t:
            t.extractall(rootfs)
    subprocess.run([RUNC, "spec"], cwd=bundle, check=True)
    with open(os.path.join(bundle, "config.json")) as f:
        spec = json.load(f)
    spec["process"]["terminal"] = False
    spec["process"]["args"] = ["sleep", "3600"]
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(spec, f)
    state = os.path.join(work, "runc-state")

    def run(cid):
        t = time.monotonic()
        subprocess.run([RUNC, "--root", state, "run", "-d", "--bundle", bundle, cid], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return (time.monotonic() - t) * 1000

    def remove(cids):
        for cid in cids:
            subprocess.run([RUNC, "--root", state, "delete", "-f", cid], capture_output=True)

    try:
        run("warm-up")
        remove(["warm-up"])
        single = []
        for i in range(rounds):
            single.append(run(f"raw-{i}"))
            remove([f"raw-{i}"])
        results = {}
        cids = [f"rawb-{i}" for i in range(batch)]

        def one(cid):
            results[cid] = run(cid)
        threads = [threading.Thread(target=one, args=(c,)) for c in cids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        remove(cids)
        return {"runc_run_1": summary(single), f"runc_run_{batch}": summary(list(results.values()))}
    finally:
        for cid in os.listdir(state) if os.path.isdir(state) else []:
            subprocess.run([RUNC, "--root", state, "delete", "-f", cid], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=os.path.join(ROOT, "build/release/cmd/skiff/skiff"))
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--json")
    args = ap.parse_args()
    if os.geteuid() != 0 or not os.access(RUNC, os.X_OK):
        print("SKIPPED: the pod start benchmark needs root and runc")
        return 0
    skiff = os.path.abspath(args.skiff)
    work = tempfile.mkdtemp(prefix="skiff-pods-bench-")
    try:
        out = {}
        out["embedded"] = part_embedded(skiff, work)
        out.update(part_agent(skiff, work, args.rounds, args.batch))
        out.update(raw_runc(work, args.rounds, args.batch))
        b = args.batch
        for key, raw in (("1", "runc_run_1"), (str(b), f"runc_run_{b}")):
            pod = out[f"pod_create_to_running_{key}"]
            out[f"overhead_vs_runc_{key}"] = {
                "p50_ms": round(pod["p50_ms"] - out[raw]["p50_ms"], 1),
                "p99_ms": round(pod["p99_ms"] - out[raw]["p99_ms"], 1),
                "ratio_p50": round(pod["p50_ms"] / max(out[raw]["p50_ms"], 0.1), 2)}
        text = json.dumps(out, indent=2)
        print(text)
        if args.json:
            with open(args.json, "w") as f:
                f.write(text + "\n")
        return 0
    finally:
        subprocess.run(["/usr/sbin/ip", "link", "del", BRIDGE], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
