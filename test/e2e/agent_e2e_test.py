#!/usr/bin/env python3
"""The node agent end to end: a real `skiff server` (without its embedded agent) and a real
`skiff agent` process running busybox pods with Debian's runc, driven by the real kubectl.
The agent gets its own data dir, bridge, pod subnet and cgroup parent, so it never meets
another agent on this machine. Needs root and runc; otherwise it reports itself skipped."""
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
NODE = "e2e-agent"
BRIDGE = "skiff-e2e1"
SUBNET = "10.89.254.0/24"
CGROUP = "/skiff-e2e-agent"


class AgentE2ETest(harness.ServerTestCase):
    server_args = ("--agent=false",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.node_dir = cls.run_dir / "node"
        cls.agent = None
        made = subprocess.run(["/bin/bash", str(ROOT / "scripts/make-busybox-image.sh"),
                               "--data-dir", str(cls.node_dir)],
                              capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, SKIFF_BIN=harness.skiff_bin()))
        if made.returncode != 0:
            raise RuntimeError(f"make-busybox-image.sh failed:\n{made.stdout}\n{made.stderr}")
        cls.start_agent()

    @classmethod
    def start_agent(cls):
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
            if cls.agent is not None and cls.agent.poll() is None:
                # Delete every pod through the agent so no container outlives the test.
                env = harness._shared_server_env(cls.home, cls.server.kubeconfig)
                subprocess.run([harness.kubectl_path(), "delete", "pods", "--all",
                                "--grace-period=1", "--timeout=60s"],
                               capture_output=True, env=env, timeout=90)
                cls.agent.send_signal(signal.SIGTERM)
                cls.agent.wait(timeout=30)
        finally:
            subprocess.run(["/usr/sbin/ip", "link", "del", BRIDGE], capture_output=True)
            super().tearDownClass()

    def pod(self, name):
        r = self.kubectl("get", "pod", name, "-o", "json", check=False)
        return json.loads(r.out) if r.rc == 0 else None

    def container_status(self, name):
        p = self.pod(name)
        statuses = (p or {}).get("status", {}).get("containerStatuses") or []
        return statuses[0] if statuses else None

    def wait_running(self, name, timeout=60):
        def running():
            p = self.pod(name)
            st = self.container_status(name)
            if p and st and p["status"].get("phase") == "Running" and \
                    st.get("state", {}).get("running") is not None:
                return st
            return None
        return self.wait_for(f"pod {name} Running", running, timeout=timeout)

    def runc_state(self, container_id):
        cid = container_id.split("://", 1)[1]
        r = subprocess.run([RUNC, "--root", str(self.node_dir / "runtime/runc"), "state", cid],
                           capture_output=True, text=True)
        return json.loads(r.stdout)["status"] if r.returncode == 0 else None

    def apply(self, manifest):
        self.kubectl("apply", "-f", "-", input=manifest)

    def sandbox_dirs(self, pod_uid):
        """The runtime's directories of the sandboxes made for the pod."""
        out = []
        for d in (self.node_dir / "runtime/sandboxes").glob("*"):
            try:
                if json.loads((d / "sandbox.json").read_text()).get("podUID") == pod_uid:
                    out.append(d)
            except (OSError, ValueError):
                pass
        return out

    @staticmethod
    def mounted(path):
        return any(line.split()[4] == str(path)
                   for line in Path("/proc/self/mountinfo").read_text().splitlines())

    @staticmethod
    def ip_reserved(ip):
        """host-local keeps one file per allocated address."""
        return (Path("/run/skiff/cni") / BRIDGE / "skiff" / ip).exists()

    def test_node_registers_with_host_facts(self):
        node = self.wait_for("node Ready", lambda: (lambda r: r.rc == 0 and json.loads(r.out))(
            self.kubectl("get", "node", NODE, "-o", "json", check=False)))
        info = node["status"]["nodeInfo"]
        self.assertTrue(info["containerRuntimeVersion"].startswith("runc://"))
        self.assertEqual(info["bootID"],
                         Path("/proc/sys/kernel/random/boot_id").read_text().strip())
        self.assertEqual(node["status"]["capacity"]["cpu"], str(os.cpu_count()))
        lease = self.wait_for("lease", lambda: (lambda r: r.rc == 0 and json.loads(r.out))(
            self.kubectl("get", "lease", "-n", "kube-node-lease", NODE, "-o", "json",
                         check=False)))
        self.assertEqual(lease["spec"]["holderIdentity"], NODE)

    def test_pod_runs_and_writes_to_host_path(self):
        out = self.run_dir / "hostout"
        self.apply(f"""
apiVersion: v1
kind: ConfigMap
metadata: {{name: greeting}}
data: {{text: hello}}
---
apiVersion: v1
kind: Pod
metadata: {{name: writer}}
spec:
  nodeName: {NODE}
  volumes:
  - {{name: out, hostPath: {{path: {out}, type: DirectoryOrCreate}}}}
  - {{name: scratch, emptyDir: {{}}}}
  containers:
  - name: main
    image: busybox
    workingDir: /out
    command: ["sh", "-c", "echo $(GREETING) from $POD_NAME > /scratch/msg; cp /scratch/msg result; hostname >> result; sleep 3600"]
    env:
    - name: GREETING
      valueFrom: {{configMapKeyRef: {{name: greeting, key: text}}}}
    - name: POD_NAME
      valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}
    volumeMounts:
    - {{name: out, mountPath: /out}}
    - {{name: scratch, mountPath: /scratch}}
""")
        st = self.wait_running("writer")
        self.assertEqual(st["restartCount"], 0)
        self.assertTrue(st["ready"])
        self.assertTrue(st["imageID"].startswith("docker.io/library/busybox@sha256:"), st)
        self.wait_for("result file", lambda: (out / "result").exists() and
                      (out / "result").read_text().count("\n") >= 2)
        self.assertEqual((out / "result").read_text(), "hello from writer\nwriter\n")
        pod = self.pod("writer")
        self.assertTrue(pod["status"]["podIP"].startswith("10.89.254."), pod["status"])
        conds = {c["type"]: c["status"] for c in pod["status"]["conditions"]}
        self.assertEqual(conds, {"PodScheduled": "True", "PodReadyToStartContainers": "True",
                                 "Initialized": "True", "ContainersReady": "True",
                                 "Ready": "True"})
        events = self.kubectl("get", "events", "--field-selector",
                              "involvedObject.name=writer", "-o",
                              "jsonpath={.items[*].reason}").out.split()
        for reason in ("Pulling", "Pulled", "Created", "Started"):
            self.assertIn(reason, events)

    def test_crashing_container_backs_off_with_growing_delay(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: crasher}}
spec:
  nodeName: {NODE}
  containers:
  - {{name: main, image: busybox, command: ["sh", "-c", "exit 3"]}}
""")
        seen = []

        def backoff_message():
            st = self.container_status("crasher")
            waiting = (st or {}).get("state", {}).get("waiting") or {}
            if waiting.get("reason") == "CrashLoopBackOff":
                msg = waiting["message"]
                if not seen or seen[-1][1] != msg:
                    seen.append((st["restartCount"], msg))
                return "back-off 20s" in msg and st
            return False

        st = self.wait_for("the 20 s back-off", backoff_message, timeout=60, interval=0.5)
        self.assertEqual(st["lastState"]["terminated"]["exitCode"], 3)
        self.assertEqual(st["lastState"]["terminated"]["reason"], "Error")
        msgs = [m.split(" restarting")[0] for _, m in seen]
        self.assertEqual(msgs[:2], ["back-off 10s", "back-off 20s"], seen)
        self.assertEqual([c for c, _ in seen[:2]], [1, 2], seen)
        table = self.kubectl("get", "pod", "crasher").out
        self.assertIn("CrashLoopBackOff", table)
        events = self.kubectl("get", "events", "--field-selector",
                              "involvedObject.name=crasher", "-o",
                              "jsonpath={.items[*].reason}").out.split()
        self.assertIn("BackOff", events)

    def test_logs_and_exec_reach_the_container(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: talker}}
spec:
  nodeName: {NODE}
  containers:
  - {{name: main, image: busybox, command: ["sh", "-c", "for i in 1 2 3; do echo line $i; done; echo -n x > /tmp/mark; sleep 3600"]}}
""")
        self.wait_running("talker")
        logs = self.wait_for("three log lines", lambda: (lambda r: r.rc == 0 and
                             r.out.count("line") == 3 and r.out)(
            self.kubectl("logs", "talker", check=False)))
        self.assertEqual(logs, "line 1\nline 2\nline 3\n")
        self.wait_for("the mark", lambda: self.kubectl("exec", "talker", "--", "cat", "/tmp/mark",
                                                       check=False).out == "x")
        r = self.kubectl("exec", "talker", "--", "sh", "-c", "exit 7", check=False)
        self.assertEqual(r.rc, 7, r)

    def test_deleting_a_pod_stops_its_containers(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: doomed}}
spec:
  nodeName: {NODE}
  terminationGracePeriodSeconds: 2
  containers:
  - {{name: main, image: busybox, command: ["sleep", "3600"]}}
""")
        st = self.wait_running("doomed")
        self.assertEqual(self.runc_state(st["containerID"]), "running")
        start = time.monotonic()
        self.kubectl("delete", "pod", "doomed", "--timeout=60s")
        self.assertLess(time.monotonic() - start, 30)
        self.assertIsNone(self.pod("doomed"))
        self.assertIsNone(self.runc_state(st["containerID"]))

    def test_agent_kill9_and_restart_keeps_the_container(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: survivor}}
spec:
  nodeName: {NODE}
  containers:
  - {{name: main, image: busybox, command: ["sleep", "3600"]}}
""")
        before = self.wait_running("survivor")
        cls = type(self)
        cls.agent.send_signal(signal.SIGKILL)
        cls.agent.wait(timeout=10)
        self.assertEqual(self.runc_state(before["containerID"]), "running")
        cls.start_agent()
        # The new agent adopts the container: same ID, no restart, still Running and Ready.
        time.sleep(5)
        after = self.wait_running("survivor")
        self.assertEqual(after["containerID"], before["containerID"])
        self.assertEqual(after["restartCount"], 0)
        self.assertEqual(after["state"]["running"]["startedAt"],
                         before["state"]["running"]["startedAt"])
        self.assertEqual(self.runc_state(after["containerID"]), "running")
        # And it still manages it: deleting the pod stops the container.
        self.kubectl("delete", "pod", "survivor", "--grace-period=1", "--timeout=60s")
        self.assertIsNone(self.runc_state(after["containerID"]))

    def test_pod_deleted_while_the_agent_is_down_is_cleaned_up(self):
        self.apply(f"""
apiVersion: v1
kind: Pod
metadata: {{name: orphan}}
spec:
  nodeName: {NODE}
  volumes:
  - {{name: scratch, emptyDir: {{}}}}
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo up; touch /scratch/mark; sleep 3600"]
    volumeMounts:
    - {{name: scratch, mountPath: /scratch}}
""")
        st = self.wait_running("orphan")
        pod = self.pod("orphan")
        uid, ip = pod["metadata"]["uid"], pod["status"]["podIP"]
        pod_dir = self.node_dir / "pods" / uid
        log_dir = self.node_dir / "pods" / f"default_orphan_{uid}"
        self.wait_for("the emptyDir mark", lambda: (pod_dir / "volumes/scratch/mark").exists())
        self.assertTrue(log_dir.is_dir())
        sandboxes = self.sandbox_dirs(uid)
        self.assertEqual(len(sandboxes), 1)
        netns = sandboxes[0] / "netns"
        self.assertTrue(self.mounted(netns))
        self.assertTrue(self.ip_reserved(ip))

        # The agent dies; the pod is force-deleted meanwhile: its API object goes at once and
        # nobody stops the container.
        cls = type(self)
        cls.agent.send_signal(signal.SIGKILL)
        cls.agent.wait(timeout=10)
        self.kubectl("delete", "pod", "orphan", "--grace-period=0", "--force")
        self.assertIsNone(self.pod("orphan"))
        self.assertEqual(self.runc_state(st["containerID"]), "running")

        # The agent that comes back finds the sandbox of a pod it no longer knows.
        cls.start_agent()
        self.wait_for("the container gone", lambda: self.runc_state(st["containerID"]) is None,
                      timeout=30)
        self.wait_for("the sandbox gone", lambda: not self.sandbox_dirs(uid), timeout=30)
        self.wait_for("the pod's directories gone",
                      lambda: not pod_dir.exists() and not log_dir.exists(), timeout=30)
        self.assertFalse(self.mounted(netns))
        self.assertFalse(self.ip_reserved(ip))
        self.assertIn(f"pod default/orphan ({uid}) is gone",
                      (self.run_dir / "agent.log").read_text())


if __name__ == "__main__":
    if os.geteuid() != 0 or not os.access(RUNC, os.X_OK) or shutil.which("kubectl") is None:
        print("SKIPPED: the agent e2e test needs root, runc and kubectl")
        sys.exit(0)
    harness.main()
