#!/usr/bin/python3
"""A DaemonSet over 5,000 hollow nodes, through the real API server, until every daemon pod is
Ready.

Starts `skiff server --hollow-nodes N` on a fresh data dir (SQLite, fsync before every
acknowledgement), waits until the N nodes are registered, creates one DaemonSet and polls until
its status reports a Ready and available pod on every node. The DaemonSet controller creates the
pods unbound with a node-affinity term, in slow-start batches of at most 250 per sync; the
default scheduler binds them; the hollow kubelets run them. Prints the time to all pods created,
bound, Running and the DaemonSet reporting them Ready, the end-to-end pods/s, and the server's
RSS. Baseline, measured in the same run on the same disk: raw SQLite doing the durable writes
each pod needs at least (create, bind, status), one transaction per write.

Usage: bench/daemonset/run.py [--skiff build/release/cmd/skiff/skiff] [--nodes 5000]
                              [--json out.json]
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchlib import Api, free_port, rss_mb, sqlite_baseline  # noqa: E402

DS_PATH = "/apis/apps/v1/namespaces/default/daemonsets"
PODS = "/api/v1/namespaces/default/pods"


def daemonset():
    labels = {"app": "node-agent"}
    container = {"name": "agent", "image": "registry.local/node-agent:1",
                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "node-agent", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [container]}}}}


def start_server(skiff, work, nodes):
    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")  # when pointed at a sanitizer build
    server = subprocess.Popen(
        [skiff, "server", "--data-dir", os.path.join(work, "data"), "--port", str(port),
         "--hollow-nodes", str(nodes), "--log-level", "warn", "--agent=false"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    return server, port, log


def connect(server, port, work):
    while True:
        if server.poll() is not None:
            sys.exit(f"server exited: see {work}/server.log")
        try:
            api = Api(port)
            if api.call("GET", "/readyz")[0] == 200:
                return api
        except (OSError, ValueError, http.client.HTTPException):  # not listening yet
            time.sleep(0.02)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default="build/release/cmd/skiff/skiff")
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--json")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="skiff-bench-ds-")
    started = time.monotonic()
    server, port, log = start_server(args.skiff, work, args.nodes)
    try:
        api = connect(server, port, work)
        while api.count("/api/v1/nodes") < args.nodes:
            if time.monotonic() - started > args.timeout:
                sys.exit(f"nodes not registered after {args.timeout}s; see {work}/server.log")
            time.sleep(0.1)
        nodes_s = time.monotonic() - started
        idle_rss = rss_mb(server.pid)

        t0 = time.monotonic()
        status, body = api.call("POST", DS_PATH, daemonset())
        if status != 201:
            sys.exit(f"create daemonset: {status} {body}")
        marks = {}
        peak = 0.0
        n = args.nodes
        while True:
            now = time.monotonic() - t0
            if now > args.timeout:
                sys.exit(f"timed out after {args.timeout}s: {marks}; see {work}/server.log")
            if "created" not in marks and api.count(PODS) >= n:
                marks["created"] = now
            if "created" in marks and "bound" not in marks and \
                    api.count(PODS, "spec.nodeName!=") >= n:
                marks["bound"] = now
            if "bound" in marks and "running" not in marks and \
                    api.count(PODS, "status.phase=Running") >= n:
                marks["running"] = now
            if "running" in marks:
                _, ds = api.call("GET", DS_PATH + "/node-agent")
                st = ds.get("status", {})
                if (st.get("desiredNumberScheduled"), st.get("numberReady"),
                        st.get("numberAvailable"), st.get("updatedNumberScheduled")) == (n,) * 4:
                    marks["ready"] = time.monotonic() - t0
                    break
            peak = max(peak, rss_mb(server.pid)["VmRSS"])
            time.sleep(0.1)
        end_rss = rss_mb(server.pid)
        pods = api.count(PODS)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    pods_per_s = n / marks["ready"]
    writes_per_pod = 3
    base_rate = sqlite_baseline(os.path.join(work, "baseline.db"), 1500, 1800)
    base_pods_per_s = base_rate / writes_per_pod
    shutil.rmtree(work, ignore_errors=True)
    result = {
        "nodes": n, "pods": pods,
        "server_start_to_nodes_registered_s": round(nodes_s, 2),
        "all_created_s": round(marks["created"], 2),
        "all_bound_s": round(marks["bound"], 2),
        "all_running_s": round(marks["running"], 2),
        "all_ready_in_status_s": round(marks["ready"], 2),
        "pods_per_s": round(pods_per_s),
        "server_rss_mb": {"nodes_idle": round(idle_rss["VmRSS"], 1),
                          "end": round(end_rss["VmRSS"], 1),
                          "peak": round(max(peak, end_rss["VmHWM"]), 1)},
        "baseline_raw_sqlite": {"txn_per_write_per_s": round(base_rate),
                                f"pods_per_s_at_{writes_per_pod}_writes_each":
                                    round(base_pods_per_s)},
        "ratio_vs_baseline": round(pods_per_s / base_pods_per_s, 1),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
