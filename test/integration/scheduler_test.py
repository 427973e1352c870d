#!/usr/bin/python3
"""The default scheduler in a live skiff server, driven by the real kubectl: Node objects are
applied by hand (no agent), pods land where nodeSelector, node affinity, taints/tolerations,
resources and pod anti-affinity allow, and a pod that fits nowhere stays Pending with
kube-scheduler's FailedScheduling message until a big enough node appears."""

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

CONTROL_PLANE = "node-role.kubernetes.io/control-plane"


def node(name, cpu="2", memory="4Gi", labels=None, taints=None):
    labels = dict(labels or {})
    labels.setdefault("kubernetes.io/hostname", name)
    res = {"cpu": cpu, "memory": memory, "pods": "110"}
    obj = {"apiVersion": "v1", "kind": "Node",
           "metadata": {"name": name, "labels": labels},
           "spec": {"taints": taints or []},
           "status": {"capacity": res, "allocatable": res,
                      "conditions": [{"type": "Ready", "status": "True",
                                      "reason": "KubeletReady",
                                      "message": "kubelet is posting ready status"}]}}
    return obj


def pod(name, ns, cpu=None, node_selector=None, affinity=None, tolerations=None, labels=None):
    container = {"name": "main", "image": "busybox:1.36", "command": ["sleep", "3600"]}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu}}
    spec = {"containers": [container]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if affinity:
        spec["affinity"] = affinity
    if tolerations:
        spec["tolerations"] = tolerations
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {"app": name}},
            "spec": spec}


class SchedulerCase(ServerTestCase):
    NODES = []

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The nodes go in with `kubectl apply`, as a user would create them.
        doc = json.dumps({"apiVersion": "v1", "kind": "List", "items": cls.NODES})
        p = subprocess.run([harness.kubectl_path(), "apply", "-f", "-"], input=doc,
                           capture_output=True, text=True, timeout=90,
                           env=harness._shared_server_env(cls.home, cls.server.kubeconfig))
        if p.returncode != 0:
            cls._class_failed = True
            cls.tearDownClass()
            raise RuntimeError(f"kubectl apply of the nodes failed:\n{p.stdout}{p.stderr}")

    def create(self, obj):
        return self.kubectl("apply", "-f", "-", input=json.dumps(obj))

    def pod_obj(self, ns, name):
        return self.get_obj(f"/api/v1/namespaces/{ns}/pods/{name}")

    def wait_bound(self, ns, name, timeout=20):
        return self.wait_for(f"pod {ns}/{name} to be bound",
                             lambda: self.pod_obj(ns, name)["spec"].get("nodeName"),
                             timeout=timeout)

    def scheduled_condition(self, ns, name):
        for c in self.pod_obj(ns, name).get("status", {}).get("conditions", []):
            if c.get("type") == "PodScheduled":
                return c
        return None

    def events_for(self, ns, name):
        items = self.get_obj(f"/api/v1/namespaces/{ns}/events")["items"]
        return [(e["reason"], e["message"], e.get("source", {}).get("component"))
                for e in items if e["involvedObject"].get("name") == name]


class PlacementTest(SchedulerCase):
    """Four nodes: a tainted control plane, two workers in zones a and b, a tainted GPU node."""

    NODES = [
        node("cp", cpu="4", labels={CONTROL_PLANE: ""},
             taints=[{"key": CONTROL_PLANE, "effect": "NoSchedule"}]),
        node("w1", labels={"disk": "ssd", "topology.kubernetes.io/zone": "a"}),
        node("w2", labels={"disk": "hdd", "topology.kubernetes.io/zone": "b"}),
        node("gpu", labels={"topology.kubernetes.io/zone": "b", "accelerator": "yes"},
             taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]),
    ]

    def test_node_selector(self):
        ns = self.make_ns("sel")
        self.create(pod("fast", ns, node_selector={"disk": "ssd"}))
        self.create(pod("slow", ns, node_selector={"disk": "hdd"}))
        self.assertEqual(self.wait_bound(ns, "fast"), "w1")
        self.assertEqual(self.wait_bound(ns, "slow"), "w2")
        cond = self.scheduled_condition(ns, "fast")
        self.assertEqual(cond["status"], "True", cond)
        self.wait_for("the Scheduled event", lambda: (
            "Scheduled", f"Successfully assigned {ns}/fast to w1", "default-scheduler")
            in self.events_for(ns, "fast"))
        r = self.kubectl("get", "pod", "fast", "-n", ns, "-o", "wide")
        self.assertEqual(self.assertRow(r, "fast", ["fast"])[6], "w1", str(r))

    def test_required_node_affinity(self):
        ns = self.make_ns("aff")
        zone_b = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["b"]},
                {"key": "accelerator", "operator": "DoesNotExist"}]}]}}}
        self.create(pod("in-b", ns, affinity=zone_b))
        self.assertEqual(self.wait_bound(ns, "in-b"), "w2")
        pinned = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [
                {"key": "metadata.name", "operator": "In", "values": ["w1"]}]}]}}}
        self.create(pod("pinned", ns, affinity=pinned))
        self.assertEqual(self.wait_bound(ns, "pinned"), "w1")

    def test_taints_and_tolerations(self):
        ns = self.make_ns("taint")
        gpu_selector = {"accelerator": "yes"}
        self.create(pod("no-toleration", ns, node_selector=gpu_selector))
        self.create(pod("tolerates", ns, node_selector=gpu_selector, tolerations=[
            {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]))
        self.assertEqual(self.wait_bound(ns, "tolerates"), "gpu")
        want = ("0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
                "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are "
                "available: 4 Preemption is not helpful for scheduling.")
        self.wait_for("FailedScheduling", lambda: any(
            e[0] == "FailedScheduling" and e[1] == want for e in self.events_for(
                ns, "no-toleration")))
        self.assertFalse(self.pod_obj(ns, "no-toleration")["spec"].get("nodeName"))
        # The control plane takes only pods that tolerate its taint.
        cp = {CONTROL_PLANE: ""}
        self.create(pod("on-cp", ns, node_selector=cp, tolerations=[
            {"key": CONTROL_PLANE, "operator": "Exists", "effect": "NoSchedule"}]))
        self.assertEqual(self.wait_bound(ns, "on-cp"), "cp")

    def test_anti_affinity_spreads_replicas(self):
        ns = self.make_ns("spread")
        deploy = {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": ns},
            "spec": {"replicas": 5, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                         "tolerations": [{"operator": "Exists"}],
                         "affinity": {"podAntiAffinity": {
                             "requiredDuringSchedulingIgnoredDuringExecution": [
                                 {"labelSelector": {"matchLabels": {"app": "web"}},
                                  "topologyKey": "kubernetes.io/hostname"}]}},
                         "containers": [{"name": "web", "image": "nginx:1.27"}]}}}}
        self.create(deploy)

        def placement():
            items = self.get_obj(f"/api/v1/namespaces/{ns}/pods")["items"]
            bound = [p["spec"]["nodeName"] for p in items if p["spec"].get("nodeName")]
            pending = [p["metadata"]["name"] for p in items if not p["spec"].get("nodeName")]
            return (bound, pending) if len(items) == 5 and len(bound) == 4 else None

        bound, pending = self.wait_for("4 of 5 replicas bound", placement, timeout=30)
        self.assertEqual(sorted(bound), ["cp", "gpu", "w1", "w2"])
        want = ("0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules. "
                "preemption: 0/4 nodes are available: 4 No preemption victims found for "
                "incoming pod.")
        self.wait_for("the fifth replica's FailedScheduling", lambda: (
            self.scheduled_condition(ns, pending[0]) or {}).get("message") == want)
        cond = self.scheduled_condition(ns, pending[0])
        self.assertEqual((cond["status"], cond["reason"]), ("False", "Unschedulable"))


class ResourcesTest(SchedulerCase):
    """A pod too big for every node stays Pending, says why, and runs once a node fits it."""

    NODES = [
        node("small-1", cpu="2", memory="4Gi"),
        node("small-2", cpu="2", memory="4Gi"),
        node("cp", cpu="8", memory="16Gi", labels={CONTROL_PLANE: ""},
             taints=[{"key": CONTROL_PLANE, "effect": "NoSchedule"}]),
    ]

    def test_too_big_pod_waits_for_a_big_node(self):
        ns = self.make_ns("big")
        self.create(pod("fits", ns, cpu="1500m"))
        first = self.wait_bound(ns, "fits")
        self.assertIn(first, ("small-1", "small-2"))
        self.create(pod("big", ns, cpu="3"))
        want = ("0/3 nodes are available: 1 node(s) had untolerated taint "
                "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 "
                "nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption "
                "victims found for incoming pod.")
        self.wait_for("PodScheduled=False", lambda: (
            self.scheduled_condition(ns, "big") or {}).get("message") == want)
        cond = self.scheduled_condition(ns, "big")
        self.assertEqual((cond["status"], cond["reason"]), ("False", "Unschedulable"))
        r = self.kubectl("get", "pod", "big", "-n", ns)
        self.assertRow(r, "big", ["big", "0/1", "Pending"])
        r = self.kubectl("describe", "pod", "big", "-n", ns)
        self.assertRegex(r.out, r"Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+" +
                         harness.re.escape(want), str(r))
        self.assertRegex(r.out, r"PodScheduled\s+False", str(r))

        # "fits" holds 1500m of its node: a second 1500m pod goes to the other one.
        self.create(pod("second", ns, cpu="1500m"))
        second = self.wait_bound(ns, "second")
        self.assertNotEqual(second, first)

        self.create(node("large", cpu="8", memory="16Gi"))
        self.assertEqual(self.wait_bound(ns, "big", timeout=20), "large")
        cond = self.scheduled_condition(ns, "big")
        self.assertEqual(cond["status"], "True", cond)
        self.wait_for("the Scheduled event", lambda: any(
            e[0] == "Scheduled" and e[1] == f"Successfully assigned {ns}/big to large"
            for e in self.events_for(ns, "big")))
        r = self.kubectl("describe", "pod", "big", "-n", ns)
        self.assertIn(f"Successfully assigned {ns}/big to large", r.out, str(r))

    def test_other_schedulers_pods_are_left_alone(self):
        ns = self.make_ns("others")
        obj = pod("mine", ns)
        obj["spec"]["schedulerName"] = "my-scheduler"
        self.create(obj)
        time.sleep(1.5)
        p = self.pod_obj(ns, "mine")
        self.assertFalse(p["spec"].get("nodeName"), p)
        self.assertIsNone(self.scheduled_condition(ns, "mine"))
        self.assertEqual(self.events_for(ns, "mine"), [])


if __name__ == "__main__":
    harness.main()
