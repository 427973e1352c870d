#!/usr/bin/env python3
"""Container probes end to end: a real `skiff server` (without its embedded agent) and a real
`skiff agent` running busybox pods with Debian's runc, driven by the real kubectl. Readiness
gates the Ready condition (and a Deployment's rollout), liveness failures restart containers,
HTTP and TCP probes reach the pod's IP from the node. The agent gets its own data dir, bridge,
pod subnet and cgroup parent. Needs root and runc; otherwise it reports itself skipped."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
import harness  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
RUNC = "/usr/sbin/runc"
NODE = "e2e-probes"
BRIDGE = "skiff-e2ep"
SUBNET = "10.89.248.0/24"
CGROUP = "/skiff-e2e-probes"


class ProbesE2ETest(harness.ServerTestCase):
    server_args = ("--agent=false",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.node_dir = cls.run_dir / "node"
        made = subprocess.run(["/bin/bash", str(ROOT / "scripts/make-busybox-image.sh"),
                               "--data-dir", str(cls.node_dir)],
                              capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, SKIFF_BIN=harness.skiff_bin()))
        if made.returncode != 0:
            raise RuntimeError(f"make-busybox-image.sh failed:\n{made.stdout}\n{made.stderr}")
        log = open(cls.run_dir / "agent.log", "ab")
        cls.agent = subprocess.Popen(
            [harness.skiff_bin(), "agent", "--server", cls.server.url, "--node-name", NODE,
             "--data-dir", str(cls.node_dir), "--bridge", BRIDGE, "--pod-subnet", SUBNET,
             "--cgroup-parent", CGROUP],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.agent.poll() is None:
                # Delete every workload through the agent so no container outlives the test.
                env = harness._shared_server_env(cls.home, cls.server.kubeconfig)
                for kind in ("deployments", "pods"):
                    subprocess.run([harness.kubectl_path(), "delete", kind, "--all",
                                    "--grace-period=1", "--timeout=60s"],
                                   capture_output=True, env=env, timeout=90)
                cls.agent.send_signal(signal.SIGTERM)
                cls.agent.wait(timeout=30)
        finally:
            subprocess.run(["/usr/sbin/ip", "link", "del", BRIDGE], capture_output=True)
            super().tearDownClass()

    def apply(self, manifest):
        self.kubectl("apply", "-f", "-", input=manifest)

    def get(self, *what):
        r = self.kubectl("get", *what, "-o", "json", check=False)
        return json.loads(r.out) if r.rc == 0 else None

    def container_status(self, name):
        statuses = ((self.get("pod", name) or {}).get("status", {})
                    .get("containerStatuses") or [])
        return statuses[0] if statuses else None

    def conditions(self, name):
        pod = self.get("pod", name) or {}
        return {c["type"]: c for c in pod.get("status", {}).get("conditions", [])}

    def events(self, name):
        r = self.kubectl("get", "events", "--field-selector", f"involvedObject.name={name}",
                         "-o", "json")
        return [(e["type"], e["reason"], e["message"].rstrip("\n"))
                for e in json.loads(r.out)["items"]]

    def wait_running(self, name, timeout=60):
        def running():
            st = self.container_status(name)
            return st if st and st.get("state", {}).get("running") is not None else None
        return self.wait_for(f"pod {name} running", running, timeout=timeout)

    def test_readiness_exec_probe_gates_the_ready_condition(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: gated}}
spec:
  nodeName: {NODE}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
    readinessProbe:
      exec: {{command: ["cat", "/tmp/ready"]}}
      periodSeconds: 1
      failureThreshold: 1
""")
        self.wait_running("gated")
        failed = ("Warning", "Unhealthy",
                  "Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory")
        self.wait_for("a failed readiness probe", lambda: failed in self.events("gated"),
                      timeout=30)
        st = self.container_status("gated")
        self.assertFalse(st["ready"])
        self.assertTrue(st["started"])
        ready = self.conditions("gated")["Ready"]
        self.assertEqual((ready["status"], ready["reason"], ready["message"]),
                         ("False", "ContainersNotReady", "containers with unready status: [main]"))
        self.kubectl("exec", "gated", "--", "touch", "/tmp/ready")
        self.wait_for("Ready", lambda: self.conditions("gated")["Ready"]["status"] == "True",
                      timeout=30)
        st = self.container_status("gated")
        self.assertTrue(st["ready"])
        self.assertEqual(st["restartCount"], 0)
        self.assertEqual(self.conditions("gated")["ContainersReady"]["status"], "True")
        # Readiness failing again makes it unready, never restarts it.
        self.kubectl("exec", "gated", "--", "rm", "/tmp/ready")
        self.wait_for("not Ready", lambda: self.conditions("gated")["Ready"]["status"] == "False",
                      timeout=30)
        self.assertEqual(self.container_status("gated")["restartCount"], 0)

    def test_failing_liveness_probe_restarts_the_container(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: unhealthy}}
spec:
  nodeName: {NODE}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
    livenessProbe:
      exec: {{command: ["cat", "/tmp/healthy"]}}
      periodSeconds: 1
      failureThreshold: 2
""")
        first = self.wait_running("unhealthy")
        st = self.wait_for("two restarts", lambda: (lambda s: s and s["restartCount"] >= 2 and s)(
            self.container_status("unhealthy")), timeout=90, interval=0.5)
        self.assertNotEqual(st["containerID"], first["containerID"])
        # sleep, as PID 1, ignores SIGTERM: it is killed at the end of the grace period.
        last = st["lastState"]["terminated"]
        self.assertEqual((last["exitCode"], last["reason"]), (137, "Error"))
        events = self.events("unhealthy")
        self.assertIn(("Warning", "Unhealthy", "Liveness probe failed: cat: can't open "
                       "'/tmp/healthy': No such file or directory"), events)
        self.assertIn(("Normal", "Killing",
                       "Container main failed liveness probe, will be restarted"), events)

    def test_http_and_tcp_probes_reach_the_pod(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: web}}
spec:
  nodeName: {NODE}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: [{{name: http, containerPort: 8080}}]
    readinessProbe:
      httpGet: {{path: /index.html, port: http}}
      periodSeconds: 1
    livenessProbe:
      tcpSocket: {{port: 8080}}
      periodSeconds: 1
      failureThreshold: 1
  - name: sidecar
    image: busybox
    command: ["sleep", "3600"]
    readinessProbe:
      httpGet: {{path: /missing, port: 8080}}
      periodSeconds: 1
      failureThreshold: 1
""")
        self.wait_running("web")
        failed = ("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with "
                  "statuscode: 404")
        self.wait_for("the sidecar's failed probe", lambda: failed in self.events("web"),
                      timeout=30)

        def main_ready():
            pod = self.get("pod", "web") or {}
            sts = {s["name"]: s for s in pod.get("status", {}).get("containerStatuses", [])}
            return sts.get("main", {}).get("ready") and sts
        sts = self.wait_for("main ready", main_ready, timeout=30)
        self.assertFalse(sts["sidecar"]["ready"])
        ready = self.conditions("web")["Ready"]
        self.assertEqual((ready["status"], ready["message"]),
                         ("False", "containers with unready status: [sidecar]"))
        time.sleep(3)  # a few liveness periods: the TCP probe keeps passing
        pod = self.get("pod", "web")
        self.assertEqual([s["restartCount"] for s in pod["status"]["containerStatuses"]], [0, 0])

    def test_exec_probe_timeout_kills_the_command(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: slow}}
spec:
  nodeName: {NODE}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
    readinessProbe:
      exec: {{command: ["sleep", "30"]}}
      timeoutSeconds: 1
      periodSeconds: 2
""")
        self.wait_running("slow")
        timed_out = ("Warning", "Unhealthy", 'Readiness probe failed: command "sleep 30" timed out')
        self.wait_for("a timed-out probe", lambda: self.events_count("slow", timed_out) >= 2,
                      timeout=30)
        self.assertFalse(self.container_status("slow")["ready"])
        # Each timed-out command was killed: at most the one in flight is still there.
        ps = self.kubectl("exec", "slow", "--", "ps", "-o", "args").out
        self.assertLessEqual(ps.count("sleep 30"), 1, ps)

    def events_count(self, name, event):
        r = self.kubectl("get", "events", "--field-selector", f"involvedObject.name={name}",
                         "-o", "json")
        return sum(e.get("count", 1) for e in json.loads(r.out)["items"]
                   if (e["type"], e["reason"], e["message"].rstrip("\n")) == event)

    def test_rollout_stalls_while_new_pods_never_become_ready(self):
        def deployment(probe, version):
            return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: rolling}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: rolling}}}}
  strategy: {{type: RollingUpdate, rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}}}
  template:
    metadata: {{labels: {{app: rolling}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: ["sleep", "3600"]
        env: [{{name: VERSION, value: "{version}"}}]
        readinessProbe:
          exec: {{command: ["{probe}"]}}
          periodSeconds: 1
          failureThreshold: 1
"""
        self.apply(deployment("true", "1"))
        self.wait_for("2 ready replicas", lambda: (self.get("deployment", "rolling") or {})
                      .get("status", {}).get("readyReplicas") == 2, timeout=90)
        old_rs = self.replica_sets()
        self.assertEqual(len(old_rs), 1)
        old_name = next(iter(old_rs))
        self.apply(deployment("false", "2"))

        def surge_pod_running():
            pods = self.get("pods", "-l", "app=rolling")["items"]
            fresh = [p for p in pods if not p["metadata"]["name"].startswith(old_name)]
            running = [p for p in fresh
                       if (p["status"].get("containerStatuses") or [{}])[0]
                       .get("state", {}).get("running")]
            return running
        self.wait_for("the surge pod running", surge_pod_running, timeout=60)
        time.sleep(4)  # several readiness periods: the new pod stays unready, nothing moves on
        rs = self.replica_sets()
        self.assertEqual(len(rs), 2, rs)
        new_name = next(n for n in rs if n != old_name)
        self.assertEqual(rs[old_name], {"replicas": 2, "readyReplicas": 2})
        self.assertEqual(rs[new_name], {"replicas": 1, "readyReplicas": 0})
        status = self.get("deployment", "rolling")["status"]
        self.assertEqual((status.get("updatedReplicas"), status.get("readyReplicas"),
                          status.get("unavailableReplicas")), (1, 2, 1))
        r = self.kubectl("rollout", "status", "deployment/rolling", "--timeout=3s", check=False)
        self.assertNotEqual(r.rc, 0, r)
        self.kubectl("delete", "deployment", "rolling", "--timeout=60s")

    def replica_sets(self):
        items = self.get("replicasets", "-l", "app=rolling")["items"]
        return {rs["metadata"]["name"]: {"replicas": rs["status"].get("replicas", 0),
                                         "readyReplicas": rs["status"].get("readyReplicas", 0)}
                for rs in items}


if __name__ == "__main__":
    if os.geteuid() != 0 or not os.access(RUNC, os.X_OK) or shutil.which("kubectl") is None:
        print("SKIPPED: the probes e2e test needs root, runc and kubectl")
        sys.exit(0)
    harness.main()
