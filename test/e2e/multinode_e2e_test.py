#!/usr/bin/env python3
"""`skiff server --nodes 3` end to end: the server's own node (tainted control plane) and two
workers, each a real node agent with its own data dir, on one bridge. A DaemonSet of busybox
pods runs on the workers only, then on all three with an `operator: Exists` toleration; pod IPs
are distinct across nodes and pods on different nodes share one ReadWriteMany volume. Needs
root and runc; otherwise it reports itself skipped."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
import harness  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
RUNC = "/usr/sbin/runc"
BASE = "e2e-mn"
BRIDGE = "skiff-e2e3"
SUBNET = "10.89.253.0/24"

DAEMONSET = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 10Mi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: counter}
spec:
  selector: {matchLabels: {app: counter}}
  updateStrategy: {rollingUpdate: {maxUnavailable: 3}}
  template:
    metadata: {labels: {app: counter}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: counter
        image: busybox
        command: [/bin/sh, -c, 'echo "$NODE" >> /data/nodes; exec sleep 3600']
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        volumeMounts: [{name: data, mountPath: /data}]
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: shared}
"""


class MultiNodeE2ETest(harness.ServerTestCase):
    server_args = ("--agent=true", "--nodes", "3", "--node-name", BASE, "--bridge", BRIDGE,
                   "--pod-subnet", SUBNET, "--cgroup-parent", "/skiff-e2e-mn")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        made = subprocess.run(["/bin/bash", str(ROOT / "scripts/make-busybox-image.sh"),
                               "--data-dir", str(cls.server.data_dir)],
                              capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, SKIFF_BIN=harness.skiff_bin()))
        if made.returncode != 0:
            raise RuntimeError(f"make-busybox-image.sh failed:\n{made.stdout}\n{made.stderr}")

    @classmethod
    def tearDownClass(cls):
        try:
            env = harness._shared_server_env(cls.home, cls.server.kubeconfig)
            for args in (["delete", "daemonset", "--all", "--cascade=orphan"],
                         ["delete", "pods", "--all", "--grace-period=1", "--timeout=60s"]):
                subprocess.run([harness.kubectl_path()] + args, capture_output=True, env=env,
                               timeout=90)
        finally:
            try:
                super().tearDownClass()
            finally:
                subprocess.run(["/usr/sbin/ip", "link", "del", BRIDGE], capture_output=True)

    def get_json(self, *args):
        return json.loads(self.kubectl("get", *args, "-o", "json").out)

    def running_pods(self):
        pods = self.get_json("pods", "-l", "app=counter")["items"]
        return [p for p in pods if p["status"].get("phase") == "Running" and
                not p["metadata"].get("deletionTimestamp") and
                all(c.get("ready") for c in p["status"].get("containerStatuses", []))]

    def wait_pods_on(self, nodes, timeout=90):
        def placed():
            pods = self.running_pods()
            return pods if sorted(p["spec"]["nodeName"] for p in pods) == sorted(nodes) else None
        return self.wait_for(f"counter pods Running on {nodes}", placed, timeout=timeout)

    def test_three_nodes_one_tainted_control_plane(self):
        workers = [f"{BASE}-worker", f"{BASE}-worker2"]
        nodes = self.wait_for("3 Ready nodes", lambda: (lambda items: items if len(items) == 3 and all(
            any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"])
            for n in items) else None)(self.get_json("nodes")["items"]), timeout=60)
        by_name = {n["metadata"]["name"]: n for n in nodes}
        self.assertEqual(sorted(by_name), sorted([BASE] + workers))
        self.assertEqual(by_name[BASE]["spec"].get("taints"),
                         [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}])
        self.assertIn("node-role.kubernetes.io/control-plane", by_name[BASE]["metadata"]["labels"])
        for w in workers:
            self.assertNotIn("taints", by_name[w]["spec"])
        self.assertRow(self.kubectl("get", "nodes"), BASE, [BASE, "Ready", "control-plane"])
        self.assertRow(self.kubectl("get", "nodes"), workers[0], [workers[0], "Ready", "<none>"])

        # Without a toleration: one pod per worker.
        self.kubectl("apply", "-f", "-", input=DAEMONSET)
        pods = self.wait_pods_on(workers)
        ips = [p["status"]["podIP"] for p in pods]
        self.assertEqual(len(set(ips)), 2, ips)
        ds = self.get_json("ds", "counter")
        self.assertEqual(ds["status"]["desiredNumberScheduled"], 2)

        # Tolerating every taint: the control-plane node gets one too.
        self.kubectl("patch", "ds", "counter", "--type=merge", "-p",
                     '{"spec":{"template":{"spec":{"tolerations":[{"operator":"Exists"}]}}}}')
        pods = self.wait_pods_on([BASE] + workers)
        ips = [p["status"]["podIP"] for p in pods]
        self.assertEqual(len(set(ips)), 3, ips)
        for ip in ips:
            self.assertTrue(ip.startswith("10.89.253."), ip)

        # One volume shared by the pods of all three nodes.
        def all_wrote():
            r = self.kubectl("exec", pods[0]["metadata"]["name"], "--", "cat", "/data/nodes",
                             check=False)
            return r.out if r.rc == 0 and set([BASE] + workers) <= set(r.out.split()) else None
        self.wait_for("every node's pod writing the shared volume", all_wrote, timeout=30)


if __name__ == "__main__":
    if os.geteuid() != 0 or not os.access(RUNC, os.X_OK) or shutil.which("kubectl") is None:
        print("SKIPPED: the multi-node e2e test needs root, runc and kubectl")
        sys.exit(0)
    harness.main()
