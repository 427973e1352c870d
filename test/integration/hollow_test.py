#!/usr/bin/python3
"""Hollow nodes against a live server: `skiff server --hollow-nodes 3` and a separate
`skiff agent --hollow` process, read by the real kubectl and Debian's python3-kubernetes 22.6.
Simulated nodes must look like kubelets: Ready nodes with complete nodeInfo, renewed Leases,
pods moved to Running with complete containerStatuses, deletions finalised."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ServerTestCase, table  # noqa: E402

try:
    from kubernetes import client, config
except ImportError:  # pragma: no cover
    sys.exit("run with /usr/bin/python3: it has Debian's python3-kubernetes")

NODE_HEADER = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
NODE_WIDE_HEADER = NODE_HEADER + ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                                  "CONTAINER-RUNTIME"]
POD_WIDE_HEADER = ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
                   "READINESS GATES"]
LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
IP = re.compile(r"10\.\d+\.\d+\.\d+")


def pod_manifest(name, node, containers, extra_spec=""):
    lines = [f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  nodeName: {node}\n"
             f"  terminationGracePeriodSeconds: 30\n{extra_spec}  containers:\n"]
    for c in containers:
        lines.append(f"  - {c}\n")
    return "".join(lines)


class HollowNodesTest(ServerTestCase):
    server_args = ("--hollow-nodes", "3")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api = config.new_client_from_config(config_file=cls.server.kubeconfig)
        cls.core = client.CoreV1Api(cls.api)

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.wait_for("3 Ready hollow nodes", lambda: self.ready_nodes() >= 3, timeout=30)

    def ready_nodes(self):
        nodes = self.get_obj("/api/v1/nodes")["items"]
        return sum(1 for n in nodes for c in n["status"].get("conditions", [])
                   if c["type"] == "Ready" and c["status"] == "True")

    def renew_time(self, node):
        r = self.http("GET", f"{LEASES}/{node}")
        return r.json()["spec"]["renewTime"] if r.status == 200 else None

    def start_agent(self, *args):
        argv = [harness.skiff_bin(), "agent", "--hollow", "--server", self.server.url, *args]
        log = open(self.run_dir / "agent.log", "ab")
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env)
        log.close()
        self._procs.append(p)
        return p

    def agent_log(self):
        path = self.run_dir / "agent.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # ------------------------------------------------------------ nodes

    def test_kubectl_shows_ready_nodes(self):
        r = self.kubectl("get", "nodes")
        self.assertHeader(r, NODE_HEADER)
        for i in range(3):
            self.assertRow(r, f"hollow-{i}",
                           [f"hollow-{i}", "Ready", "<none>", re.compile(r"\d+s|\d+m\d*s?"),
                            "v1.32.0-skiff"])
        r = self.kubectl("get", "nodes", "-o", "wide")
        self.assertHeader(r, NODE_WIDE_HEADER)
        row = self.assertRow(r, "hollow-0", [None, "Ready", None, None, "v1.32.0-skiff", IP,
                                             "<none>", "Skiff hollow node", None, "hollow://1.0"])
        self.assertNotEqual(row[8], "<unknown>")

    def test_python_client_reads_nodes(self):
        nodes = {n.metadata.name: n for n in self.core.list_node().items}
        for i in range(3):
            n = nodes[f"hollow-{i}"]
            info = n.status.node_info
            self.assertEqual(info.kubelet_version, "v1.32.0-skiff")
            self.assertEqual(info.kube_proxy_version, "v1.32.0-skiff")
            self.assertEqual(info.container_runtime_version, "hollow://1.0")
            self.assertEqual(info.operating_system, "linux")
            self.assertEqual(info.architecture, "amd64")
            self.assertEqual(info.os_image, "Skiff hollow node")
            for field in ("boot_id", "kernel_version", "machine_id", "system_uuid"):
                self.assertTrue(getattr(info, field), field)
            self.assertEqual(n.metadata.labels["kubernetes.io/hostname"], f"hollow-{i}")
            self.assertEqual(n.metadata.labels["kubernetes.io/os"], "linux")
            self.assertEqual(n.metadata.labels["kubernetes.io/arch"], "amd64")
            self.assertEqual(n.metadata.labels["node.kubernetes.io/instance-type"], "hollow")
            self.assertEqual(n.status.capacity,
                             {"cpu": "32", "ephemeral-storage": "1Ti", "hugepages-1Gi": "0",
                              "hugepages-2Mi": "0", "memory": "256Gi", "pods": "110"})
            self.assertEqual([(c.type, c.status) for c in n.status.conditions],
                             [("MemoryPressure", "False"), ("DiskPressure", "False"),
                              ("PIDPressure", "False"), ("Ready", "True")])
            self.assertIsNotNone(n.status.conditions[3].last_heartbeat_time)
            addresses = {a.type: a.address for a in n.status.addresses}
            self.assertRegex(addresses["InternalIP"], IP)
            self.assertEqual(addresses["Hostname"], f"hollow-{i}")
            self.assertEqual(n.spec.pod_cidr, n.spec.pod_cid_rs[0])

    def test_leases_are_renewed(self):
        lease = self.get_obj(f"{LEASES}/hollow-0")
        self.assertEqual(lease["spec"]["holderIdentity"], "hollow-0")
        self.assertEqual(lease["spec"]["leaseDurationSeconds"], 40)
        owner = lease["metadata"]["ownerReferences"][0]
        self.assertEqual((owner["kind"], owner["name"]), ("Node", "hollow-0"))
        first = lease["spec"]["renewTime"]
        self.wait_for("a renewed lease", lambda: self.renew_time("hollow-0") != first,
                      timeout=25, interval=0.5)
        r = self.kubectl("get", "leases", "-n", "kube-node-lease")
        self.assertHeader(r, ["NAME", "HOLDER", "AGE"])
        self.assertRow(r, "hollow-1", ["hollow-1", "hollow-1"])

    def test_stopped_heartbeats_leave_the_lease_stale(self):
        self.kubectl("label", "node", "hollow-2", "skiff.dev/hollow-heartbeat=stop")
        time.sleep(1)  # a renewal in flight may still land
        frozen = self.renew_time("hollow-2")
        other = self.renew_time("hollow-1")
        self.wait_for("hollow-1 renewing", lambda: self.renew_time("hollow-1") != other,
                      timeout=25, interval=0.5)
        time.sleep(1)
        self.assertEqual(self.renew_time("hollow-2"), frozen)
        self.kubectl("label", "node", "hollow-2", "skiff.dev/hollow-heartbeat-")
        self.wait_for("hollow-2 renewing again", lambda: self.renew_time("hollow-2") != frozen,
                      timeout=10)

    # ------------------------------------------------------------ pods

    def test_bound_pod_runs_and_deletes(self):
        path = self.write_file("web.yaml", pod_manifest("web", "hollow-1", [
            "{name: web, image: 'nginx:1.27', ports: [{containerPort: 80}]}"]))
        self.kubectl("apply", "-f", path)
        self.wait_for("web Running", lambda: self.get_obj(
            "/api/v1/namespaces/default/pods/web")["status"].get("phase") == "Running")
        r = self.kubectl("get", "pods", "web", "-o", "wide")
        self.assertHeader(r, POD_WIDE_HEADER)
        self.assertRow(r, "web", ["web", "1/1", "Running", "0", None, IP, "hollow-1", "<none>",
                                  "<none>"])

        pod = self.core.read_namespaced_pod("web", "default")
        self.assertEqual(pod.status.phase, "Running")
        self.assertRegex(pod.status.pod_ip, IP)
        self.assertRegex(pod.status.host_ip, IP)
        self.assertIsNotNone(pod.status.start_time)
        self.assertEqual({c.type: c.status for c in pod.status.conditions},
                         {"PodReadyToStartContainers": "True", "Initialized": "True",
                          "Ready": "True", "ContainersReady": "True", "PodScheduled": "True"})
        [cs] = pod.status.container_statuses
        self.assertEqual((cs.name, cs.image, cs.ready, cs.started, cs.restart_count),
                         ("web", "nginx:1.27", True, True, 0))
        self.assertRegex(cs.image_id, r"^nginx@sha256:[0-9a-f]{64}$")
        self.assertRegex(cs.container_id, r"^hollow://[0-9a-f]{64}$")
        self.assertIsNotNone(cs.state.running.started_at)

        started = time.monotonic()
        r = self.kubectl("delete", "pod", "web")
        self.assertEqual(r.lines(), ['pod "web" deleted'])
        self.assertLess(time.monotonic() - started, 15)
        self.assertGone("/api/v1/namespaces/default/pods/web", timeout=5)

    def test_readiness_rule(self):
        spec = pod_manifest("probes", "hollow-0", [
            "{name: ok, image: nginx}",
            "{name: never, image: nginx, readinessProbe: {exec: {command: ['false']}}}"])
        self.kubectl("apply", "-f", self.write_file("probes.yaml", spec))
        broken = pod_manifest("broken", "hollow-0", ["{name: app, image: 'app:1.0-broken'}"])
        self.kubectl("apply", "-f", self.write_file("broken.yaml", broken))

        def row(name):
            _, rows = table(self.kubectl("get", "pod", name).out)
            return rows[0][1:3] if rows else None

        self.wait_for("probes 1/2 Running", lambda: row("probes") == ["1/2", "Running"])
        self.wait_for("broken ErrImagePull", lambda: row("broken") == ["0/1", "ErrImagePull"])
        pod = self.core.read_namespaced_pod("broken", "default")
        self.assertEqual(pod.status.phase, "Pending")
        self.assertEqual(pod.status.container_statuses[0].state.waiting.reason, "ErrImagePull")
        self.assertEqual(pod.status.container_statuses[0].image_id, "")
        self.wait_for("broken ImagePullBackOff",
                      lambda: row("broken") == ["0/1", "ImagePullBackOff"], timeout=20)
        self.kubectl("delete", "pod", "probes", "broken")
        self.assertGone("/api/v1/namespaces/default/pods/broken", timeout=5)

    def test_readiness_delay(self):
        spec = pod_manifest("slow", "hollow-1", [
            "{name: web, image: nginx, readinessProbe: {tcpSocket: {port: 80}, "
            "initialDelaySeconds: 2}}"])
        self.kubectl("apply", "-f", self.write_file("slow.yaml", spec))
        self.wait_for("slow Running", lambda: self.get_obj(
            "/api/v1/namespaces/default/pods/slow")["status"].get("phase") == "Running")
        ready = self.core.read_namespaced_pod("slow", "default").status.container_statuses[0]
        self.assertFalse(ready.ready)
        self.wait_for("slow ready", lambda: self.core.read_namespaced_pod(
            "slow", "default").status.container_statuses[0].ready, timeout=10)
        conds = {c.type: c for c in self.core.read_namespaced_pod("slow", "default")
                 .status.conditions}
        # The strategic-merge status patch removed the earlier False reason and message.
        self.assertEqual((conds["Ready"].status, conds["Ready"].reason, conds["Ready"].message),
                         ("True", None, None))
        self.kubectl("delete", "pod", "slow")

    def test_job_like_pod_succeeds(self):
        spec = pod_manifest("once", "hollow-2", [
            "{name: run, image: busybox, command: [sh, -c, 'exit 0']}"],
            extra_spec="  restartPolicy: Never\n")
        self.kubectl("apply", "-f", self.write_file("once.yaml", spec))
        self.wait_for("once Completed", lambda: self.get_obj(
            "/api/v1/namespaces/default/pods/once")["status"].get("phase") == "Succeeded")
        self.assertRow(self.kubectl("get", "pod", "once"), "once", ["once", "0/1", "Completed"])
        self.kubectl("delete", "pod", "once")

    # ------------------------------------------------------------ remote agent

    def test_remote_agent_registers_nodes_over_http(self):
        agent = self.start_agent("--nodes", "2", "--name-prefix", "edge-", "--labels", "zone=a",
                                 "--taints", "dedicated=edge:NoSchedule")
        self.wait_for("5 Ready nodes", lambda: self.ready_nodes() == 5, timeout=30)
        r = self.kubectl("get", "nodes", "-l", "zone=a")
        self.assertEqual([row[:2] for row in table(r.out)[1]],
                         [["edge-0", "Ready"], ["edge-1", "Ready"]], str(r))
        node = self.core.read_node("edge-1")
        self.assertEqual([(t.key, t.value, t.effect) for t in node.spec.taints],
                         [("dedicated", "edge", "NoSchedule")])
        self.assertEqual(node.status.node_info.kubelet_version, "v1.32.0-skiff")
        self.wait_for("edge-0 lease", lambda: self.renew_time("edge-0") is not None)

        path = self.write_file("edge.yaml", pod_manifest("edgepod", "edge-0",
                                                          ["{name: web, image: nginx}"]))
        self.kubectl("apply", "-f", path)
        self.wait_for("edgepod Running", lambda: self.get_obj(
            "/api/v1/namespaces/default/pods/edgepod")["status"].get("phase") == "Running")
        self.assertTrue(self.core.read_namespaced_pod("edgepod", "default")
                        .status.container_statuses[0].ready)
        self.kubectl("delete", "pod", "edgepod")
        self.assertGone("/api/v1/namespaces/default/pods/edgepod", timeout=5)

        agent.terminate()
        self.assertEqual(agent.wait(20), 0, self.agent_log())
        # The lease of a stopped agent's node stays where it was.
        frozen = self.renew_time("edge-1")
        time.sleep(1)
        self.assertEqual(self.renew_time("edge-1"), frozen)
        for n in ("edge-0", "edge-1"):
            self.kubectl("delete", "node", n)

    def test_agent_flags_are_checked(self):
        # Real and hollow agents both refuse a bad taint before doing anything.
        for mode in ([], ["--hollow"]):
            p = subprocess.run([harness.skiff_bin(), "agent", "--server", self.server.url,
                                "--data-dir", str(self.run_dir / "agent-flags")] + mode +
                               ["--taints", "x=y:Sometimes"], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(p.returncode, 2, mode)
            self.assertIn("invalid taint effect", p.stderr)
        if os.geteuid() != 0:
            # Without root a real agent cannot run containers and says so.
            p = subprocess.run([harness.skiff_bin(), "agent", "--server", self.server.url,
                                "--data-dir", str(self.run_dir / "agent-flags")],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 2)
            self.assertIn("needs root", p.stderr)

if __name__ == "__main__":
    harness.main()
