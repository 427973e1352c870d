#!/usr/bin/python3
"""A 1,000-replica StatefulSet with Parallel pod management on hollow nodes, through the real
API server, until every pod is Ready.

Starts `skiff server --hollow-nodes N` on a fresh data dir (SQLite, fsync before every
acknowledgement), creates one StatefulSet (podManagementPolicy: Parallel; with --claims, one
volumeClaimTemplate, so each pod also gets its PersistentVolumeClaim) and polls until the set's
status reports every replica Ready. Prints the time to all pods created, bound, Running and the
set reporting them Ready, the end-to-end pods/s, and the server's RSS. Baseline, measured in the
same run on the same disk: raw SQLite doing the durable writes each pod needs at least (create,
bind, status, plus the claim with --claims), one transaction per write.

Usage: bench/statefulset/run.py [--skiff build/release/cmd/skiff/skiff] [--nodes 100]
                                [--replicas 1000] [--claims] [--json out.json]
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


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import Api, free_port, rss_mb, sqlite_baseline  # noqa: E402


def statefulset(replicas, claims):
    labels = {"app": "scale"}
    container = {"name": "app", "image": "registry.local/counter:1",
                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
    spec = {
        "replicas": replicas,
        "serviceName": "scale",
        "podManagementPolicy": "Parallel",
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
    }
    if claims:
        container["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Mi"}}}}]
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "scale", "namespace": "default"}, "spec": spec}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default="build/release/cmd/skiff/skiff")
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--replicas", type=int, default=1000)
    ap.add_argument("--claims", action="store_true",
                    help="give the set a volumeClaimTemplate (a claim per pod)")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--json")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="skiff-bench-sts-")
    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    started = time.monotonic()
    server = subprocess.Popen(
        [args.skiff, "server", "--data-dir", os.path.join(work, "data"), "--port", str(port),
         "--hollow-nodes", str(args.nodes), "--log-level", "warn", "--agent=false"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        api = None
        while api is None:
            if server.poll() is not None:
                sys.exit(f"server exited: see {work}/server.log")
            try:
                a = Api(port)
                if a.call("GET", "/readyz")[0] == 200:
                    api = a
            except (OSError, ValueError, http.client.HTTPException):
                time.sleep(0.02)
        while api.count("/api/v1/nodes") < args.nodes:
            time.sleep(0.1)
        nodes_s = time.monotonic() - started
        idle_rss = rss_mb(server.pid)

        t0 = time.monotonic()
        status, body = api.call("POST", "/apis/apps/v1/namespaces/default/statefulsets",
                                statefulset(args.replicas, args.claims))
        if status != 201:
            sys.exit(f"create statefulset: {status} {body}")
        marks = {}
        peak = 0.0
        pods = "/api/v1/namespaces/default/pods"
        while True:
            now = time.monotonic() - t0
            if now > args.timeout:
                sys.exit(f"timed out after {args.timeout}s: {marks}; see {work}/server.log")
            if "created" not in marks and api.count(pods) >= args.replicas:
                marks["created"] = now
            if "created" in marks and "bound" not in marks and \
                    api.count(pods, "spec.nodeName!=") >= args.replicas:
                marks["bound"] = now
            if "bound" in marks and "running" not in marks and \
                    api.count(pods, "status.phase=Running") >= args.replicas:
                marks["running"] = now
            if "running" in marks:
                _, sts = api.call("GET", "/apis/apps/v1/namespaces/default/statefulsets/scale")
                if sts.get("status", {}).get("readyReplicas", 0) >= args.replicas:
                    marks["ready"] = time.monotonic() - t0
                    break
            peak = max(peak, rss_mb(server.pid)["VmRSS"])
            time.sleep(0.1)
        end_rss = rss_mb(server.pid)
        claims = api.count("/api/v1/namespaces/default/persistentvolumeclaims")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    pods_per_s = args.replicas / marks["ready"]
    writes_per_pod = 4 if args.claims else 3
    base_rate = sqlite_baseline(os.path.join(work, "baseline.db"), 1500, 1800)
    base_pods_per_s = base_rate / writes_per_pod
    shutil.rmtree(work, ignore_errors=True)
    result = {
        "nodes": args.nodes, "replicas": args.replicas, "pod_management": "Parallel",
        "claims": claims,
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
