#!/usr/bin/python3
"""Node lifecycle end to end: `skiff server --hollow-nodes 3` with shortened timings, driven by
the real kubectl and Debian's python3-kubernetes. A hollow node labelled
skiff.dev/hollow-heartbeat=stop behaves like a dead kubelet: its Lease and status go stale. On
Kubernetes' timeline (here: 20 s grace period, 1 s monitor period, 6 s default tolerations) the
node becomes Unknown, its pods not Ready, it gets the unreachable taints, and pods that tolerate
them only for a while are evicted; a Deployment replaces them on the other nodes, while pods of
a dead node stay Terminating until the kubelet comes back, the pod is force-deleted or pod GC
removes them after the node is deleted.
"""

import json
import re
import subprocess
import sys
import time
import unittest
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

try:
    from kubernetes import client, config
except ImportError:  # pragma: no cover
    sys.exit("run with /usr/bin/python3: it has Debian's python3-kubernetes")

GRACE = 20        # --node-monitor-grace-period
TOLERATION = 6    # --default-unreachable-toleration-seconds
HEARTBEAT = "skiff.dev/hollow-heartbeat"
UNREACHABLE = "node.kubernetes.io/unreachable"


def deployment(name, replicas):
    labels = {"app": name}
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"terminationGracePeriodSeconds": 30,
                                       "containers": [{"name": "web", "image": "nginx:1.27"}]}}}})


def pinned_pod(name, node, toleration_seconds):
    """A pod on `node` that tolerates the unreachable taint for `toleration_seconds`
    (None: for good, as DaemonSet pods do)."""
    tol = {"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}
    if toleration_seconds is not None:
        tol["tolerationSeconds"] = toleration_seconds
    return json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"nodeSelector": {"kubernetes.io/hostname": node}, "tolerations": [tol],
                 "containers": [{"name": "c", "image": "nginx:1.27"}]}})


def statefulset(name, replicas):
    labels = {"app": name}
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": name, "labels": labels},
        "spec": {"replicas": replicas, "serviceName": name, "podManagementPolicy": "Parallel",
                 "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"terminationGracePeriodSeconds": 30,
                                       "containers": [{"name": "db", "image": "nginx:1.27"}]}}}})


def _statefulset_controller():
    """Whether this skiff runs a StatefulSet controller (it lists its controllers in --help)."""
    try:
        out = subprocess.run([harness.skiff_bin(), "server", "--help"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, RuntimeError, subprocess.TimeoutExpired):
        return False
    return re.search(r"\bstatefulset\b", out) is not None


STATEFULSETS = _statefulset_controller()


def parse_time(value):
    if isinstance(value, datetime):
        return value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


class NodeLifecycleTest(ServerTestCase):
    server_args = ("--hollow-nodes", "3",
                   "--node-monitor-grace-period", f"{GRACE}s",
                   "--node-monitor-period", "1s",
                   "--default-unreachable-toleration-seconds", str(TOLERATION),
                   "--default-not-ready-toleration-seconds", str(TOLERATION))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api = config.new_client_from_config(config_file=cls.server.kubeconfig)
        cls.core = client.CoreV1Api(cls.api)
        cls.apps = client.AppsV1Api(cls.api)

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.wait_for("3 Ready hollow nodes without taints", self.nodes_healthy, timeout=60)

    # ------------------------------------------------------------ helpers

    def nodes_healthy(self):
        nodes = [n for n in self.core.list_node().items if n.metadata.name.startswith("hollow-")]
        return len(nodes) == 3 and all(
            self.ready(n) == "True" and not n.spec.taints for n in nodes)

    @staticmethod
    def ready(obj):
        for c in obj.status.conditions or []:
            if c.type == "Ready":
                return c.status
        return None

    def taints(self, node):
        return {(t.key, t.effect): t for t in self.core.read_node(node).spec.taints or []}

    def pods(self, ns, app):
        return self.core.list_namespaced_pod(ns, label_selector=f"app={app}").items

    def apply(self, name, text, ns):
        self.kubectl("apply", "-n", ns, "-f", self.write_file(name, text))

    def stop_heartbeats(self, node):
        self.kubectl("label", "node", node, f"{HEARTBEAT}=stop")
        return time.monotonic()

    def resume_heartbeats(self, node):
        self.kubectl("label", "node", node, f"{HEARTBEAT}-")

    def wait_unreachable_noexecute(self, node, timeout):
        return self.wait_for(f"{node} tainted {UNREACHABLE}:NoExecute",
                             lambda: self.taints(node).get((UNREACHABLE, "NoExecute")),
                             timeout=timeout, interval=0.2)

    # ------------------------------------------------------------ tests

    def test_a_dead_node_is_tainted_and_its_pods_evicted(self):
        ns = self.make_ns("nl-dead")
        self.apply("web.yaml", deployment("web", 6), ns)
        self.wait_for("6 web pods Running and Ready", lambda: sum(
            1 for p in self.pods(ns, "web") if self.ready(p) == "True") == 6, timeout=60)
        by_node = {}
        for p in self.pods(ns, "web"):
            by_node.setdefault(p.spec.node_name, []).append(p.metadata.name)
        victim = max(sorted(by_node), key=lambda n: len(by_node[n]))
        doomed = sorted(by_node[victim])
        self.apply("patient.yaml", pinned_pod("patient", victim, 3600), ns)
        self.apply("daemonlike.yaml", pinned_pod("daemonlike", victim, None), ns)
        for name in ("patient", "daemonlike"):
            self.wait_for(f"{name} Ready", lambda: self.ready(
                self.core.read_namespaced_pod(name, ns)) == "True", timeout=30)

        stopped = self.stop_heartbeats(victim)
        # Unknown after the grace period counted from the last renewal (up to ~11 s before the
        # stop), never before it.
        self.wait_for(f"{victim} Ready=Unknown",
                      lambda: self.ready(self.core.read_node(victim)) == "Unknown",
                      timeout=GRACE + 20, interval=0.2)
        self.assertGreater(time.monotonic() - stopped, GRACE - 12)
        node = self.core.read_node(victim)
        conds = {c.type: c for c in node.status.conditions}
        for kind in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
            self.assertEqual((conds[kind].status, conds[kind].reason, conds[kind].message),
                             ("Unknown", "NodeStatusUnknown",
                              "Kubelet stopped posting node status."), kind)
        self.assertRow(self.kubectl("get", "node", victim), victim, [victim, "NotReady"])
        others = sorted(set(n.metadata.name for n in self.core.list_node().items) - {victim})
        for other in others:
            self.assertEqual(self.ready(self.core.read_node(other)), "True")

        # Its pods are marked not Ready (and so leave the Deployment's ready count).
        self.wait_for("the victim's pods not Ready", lambda: all(
            self.ready(p) == "False" for p in self.core.list_namespaced_pod(
                ns, field_selector=f"spec.nodeName={victim}").items), timeout=10)

        # Taints: NoSchedule at once, NoExecute (with timeAdded) on the next pass.
        noexec = self.wait_unreachable_noexecute(victim, timeout=10)
        self.assertIn((UNREACHABLE, "NoSchedule"), self.taints(victim))
        self.assertIsNotNone(noexec.time_added)
        added = parse_time(noexec.time_added)
        r = self.kubectl("describe", "node", victim)
        self.assertIn(f"{UNREACHABLE}:NoExecute", r.out)
        self.assertIn(f"{UNREACHABLE}:NoSchedule", r.out)

        # Pods with the default toleration go after TOLERATION seconds, and stay Terminating:
        # a dead kubelet cannot confirm the deletion.
        def evicted():
            pods = {p.metadata.name: p for p in self.pods(ns, "web")}
            return all(pods.get(n) is not None and pods[n].metadata.deletion_timestamp
                       for n in doomed) and pods
        pods = self.wait_for("the victim's web pods Terminating", evicted,
                             timeout=TOLERATION + 15)
        for name in doomed:
            p = pods[name]
            requested = p.metadata.deletion_timestamp.timestamp() - \
                p.metadata.deletion_grace_period_seconds
            # timeAdded has second precision; the controller saw the taint just after.
            self.assertGreaterEqual(requested, added.timestamp() + TOLERATION - 1, name)
            self.assertLess(requested, added.timestamp() + TOLERATION + 10, name)
            target = {c.type: c for c in p.status.conditions}["DisruptionTarget"]
            self.assertEqual((target.status, target.reason, target.message),
                             ("True", "DeletionByTaintManager",
                              "Taint manager: deleting due to NoExecute taint"))
        events = [e.message for e in self.core.list_namespaced_event(ns).items
                  if e.reason == "TaintManagerEviction"]
        for name in doomed:
            self.assertIn(f"Marking for deletion Pod {ns}/{name}", events)
        node_events = [(e.reason, e.message) for e in
                       self.core.list_namespaced_event("default").items
                       if e.involved_object.name == victim]
        self.assertIn(("NodeNotReady", f"Node {victim} status is now: NodeNotReady"), node_events)

        # The Deployment is whole again on the other nodes.
        def replaced():
            live = [p for p in self.pods(ns, "web") if not p.metadata.deletion_timestamp]
            return (len(live) == 6 and all(self.ready(p) == "True" for p in live)
                    and all(p.spec.node_name in others for p in live))
        self.wait_for("6 Ready replacement pods on the other nodes", replaced, timeout=60)
        r = self.kubectl("get", "pods", "-n", ns, "-o", "wide")
        for name in doomed:
            self.assertRow(r, name, [name, None, "Terminating", None, None, None, victim])
        self.wait_for("deployment 6/6 available", lambda: (
            self.apps.read_namespaced_deployment("web", ns).status.available_replicas == 6))

        # Longer (or unlimited) tolerations keep their pods.
        time.sleep(2)
        for name in ("patient", "daemonlike"):
            p = self.core.read_namespaced_pod(name, ns)
            self.assertIsNone(p.metadata.deletion_timestamp, name)
            self.assertEqual(self.ready(p), "False", name)

        # The kubelet is back: taints go, the missed deletions complete, the rest is Ready.
        self.resume_heartbeats(victim)
        self.wait_for(f"{victim} Ready without taints", lambda: (
            self.ready(self.core.read_node(victim)) == "True" and not self.taints(victim)),
            timeout=15)
        for name in doomed:
            self.assertGone(f"/api/v1/namespaces/{ns}/pods/{name}", timeout=15)
        for name in ("patient", "daemonlike"):
            self.wait_for(f"{name} Ready again", lambda: self.ready(
                self.core.read_namespaced_pod(name, ns)) == "True", timeout=15)
        self.assertRow(self.kubectl("get", "node", victim), victim, [victim, "Ready"])
        self.kubectl("delete", "namespace", ns, "--wait=false")

    def test_b_heartbeats_back_within_the_grace_period_change_nothing(self):
        stopped = self.stop_heartbeats("hollow-1")
        time.sleep(5)
        self.resume_heartbeats("hollow-1")
        deadline = stopped + GRACE + 5
        while time.monotonic() < deadline:
            node = self.core.read_node("hollow-1")
            self.assertEqual(self.ready(node), "True")
            self.assertFalse(node.spec.taints)
            time.sleep(1)

    def test_c_cordon_adds_the_unschedulable_taint(self):
        r = self.kubectl("cordon", "hollow-0")
        self.assertEqual(r.lines(), ["node/hollow-0 cordoned"])
        taint = self.wait_for("the unschedulable taint", lambda: self.taints("hollow-0").get(
            ("node.kubernetes.io/unschedulable", "NoSchedule")), timeout=10)
        self.assertIsNotNone(taint.time_added)
        self.assertIsNone(taint.value)
        self.assertRow(self.kubectl("get", "node", "hollow-0"), "hollow-0",
                       ["hollow-0", "Ready,SchedulingDisabled"])
        r = self.kubectl("describe", "node", "hollow-0")
        self.assertIn("Taints:             node.kubernetes.io/unschedulable:NoSchedule", r.out)
        self.assertIn("Unschedulable:      true", r.out)
        r = self.kubectl("uncordon", "hollow-0")
        self.assertEqual(r.lines(), ["node/hollow-0 uncordoned"])
        self.wait_for("no taint", lambda: not self.taints("hollow-0"), timeout=10)

    @unittest.skipUnless(STATEFULSETS, "this skiff has no StatefulSet controller")
    def test_d_statefulset_pod_on_a_dead_node_is_not_replaced_while_terminating(self):
        ns = self.make_ns("nl-sts")
        self.apply("db.yaml", statefulset("db", 3), ns)
        self.wait_for("3 db pods Ready", lambda: sum(
            1 for p in self.pods(ns, "db") if self.ready(p) == "True") == 3, timeout=60)
        pods = {p.metadata.name: p for p in self.pods(ns, "db")}
        victim = pods["db-1"].spec.node_name
        stuck = sorted(n for n, p in pods.items() if p.spec.node_name == victim)
        uids = {n: pods[n].metadata.uid for n in stuck}
        self.stop_heartbeats(victim)
        self.wait_for(f"{stuck} Terminating", lambda: all(
            self.core.read_namespaced_pod(n, ns).metadata.deletion_timestamp for n in stuck),
            timeout=GRACE + TOLERATION + 30)
        # An identity whose pod is not confirmed gone gets no second pod: for a while, the
        # same pod (same UID) stays, Terminating on the dead node.
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            for n in stuck:
                p = self.core.read_namespaced_pod(n, ns)
                self.assertEqual((p.metadata.uid, p.spec.node_name), (uids[n], victim), n)
                self.assertIsNotNone(p.metadata.deletion_timestamp, n)
            self.assertEqual(sorted(p.metadata.name for p in self.pods(ns, "db")),
                             ["db-0", "db-1", "db-2"])
            time.sleep(1)
        # Force-deleting it (the administrator's confirmation) lets the controller recreate it
        # elsewhere.
        self.kubectl("delete", "pod", "-n", ns, "--force", "--grace-period=0", *stuck)

        def recreated():
            live = {p.metadata.name: p for p in self.pods(ns, "db")}
            return all(n in live and live[n].metadata.uid != uids[n] and
                       live[n].spec.node_name not in (None, victim) and
                       self.ready(live[n]) == "True" for n in stuck)
        self.wait_for(f"{stuck} recreated on another node", recreated, timeout=60)
        self.resume_heartbeats(victim)
        self.kubectl("delete", "namespace", ns, "--wait=false")

    def test_z_pods_of_a_deleted_dead_node_go_with_pod_gc(self):
        # Last: a deleted hollow node stays away for the rest of the server's life.
        ns = self.make_ns("nl-gone")
        self.apply("lone.yaml", pinned_pod("lone", "hollow-2", TOLERATION), ns)
        self.wait_for("lone Ready", lambda: self.ready(
            self.core.read_namespaced_pod("lone", ns)) == "True", timeout=30)
        self.stop_heartbeats("hollow-2")
        self.wait_unreachable_noexecute("hollow-2", timeout=GRACE + 25)
        self.wait_for("lone Terminating", lambda: self.core.read_namespaced_pod(
            "lone", ns).metadata.deletion_timestamp, timeout=TOLERATION + 15)
        time.sleep(3)
        self.assertIsNotNone(self.core.read_namespaced_pod("lone", ns).metadata.deletion_timestamp)
        self.kubectl("delete", "node", "hollow-2")
        # Pod GC: the node must stay missing for its 40 s quarantine, checked every 20 s.
        self.assertGone(f"/api/v1/namespaces/{ns}/pods/lone", timeout=90)
        events = [(e.reason, e.involved_object.name) for e in
                  self.core.list_namespaced_event("default").items]
        self.assertIn(("RemovingNode", "hollow-2"), events)


if __name__ == "__main__":
    harness.main()
