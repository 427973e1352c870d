#!/usr/bin/python3
"""DaemonSets end to end: the DaemonSet controller with the scheduler and `--hollow-nodes 3`
(simulated kubelets that run pods and make them Ready), one node tainted as a control plane with
`kubectl taint`, extra nodes from a `skiff agent --hollow` process, driven by the real kubectl
(the dispatcher and versioned binaries) and Debian's python3-kubernetes. What kubectl prints and
what the API returns must match Kubernetes.

Hollow-node conventions used here (src/skiff/agent/hollow/probe_rule.h): an image ending in
":broken" runs but never gets Ready. The tutorial's DaemonSet is examples/counter/daemonset.yaml
(its pods share one ReadWriteMany claim).
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import REPO, ServerTestCase, table  # noqa: E402

try:
    from kubernetes import client as k8s_client, config as k8s_config
except ImportError:
    sys.exit("run with /usr/bin/python3: it has Debian's python3-kubernetes")

HASH = r"[4-9bcdf]{1,10}"  # a ControllerRevision hash: a safe-encoded decimal uint32
SUFFIX = r"[bcdfghjklmnpqrstvwxz2456789]{5}"  # a generateName suffix
EXAMPLE = REPO / "examples" / "counter" / "daemonset.yaml"
CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane:NoSchedule"
DS_HEADER = ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR",
             "AGE"]
AGE = re.compile(r"\d+s|\d+m\d*s?")
TOLERATE_ALL = '{"spec":{"template":{"spec":{"tolerations":[{"operator":"Exists"}]}}}}'


def manifest(name, image="busybox:1.36", extra_spec=None, strategy=None):
    """A DaemonSet without volumes, as JSON (which is YAML)."""
    spec = {"containers": [{"name": "app", "image": image,
                            "command": ["/bin/sh", "-c", "while true; do sleep 1; done"]}]}
    spec.update(extra_spec or {})
    ds = {"selector": {"matchLabels": {"app": name}},
          "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}
    if strategy is not None:
        ds["updateStrategy"] = strategy
    return json.dumps({"apiVersion": "apps/v1", "kind": "DaemonSet",
                       "metadata": {"name": name}, "spec": ds}, indent=1)


def ready(pod):
    if pod.get("metadata", {}).get("deletionTimestamp"):
        return False
    if pod.get("status", {}).get("phase") != "Running":
        return False
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions", []))


def target_node(pod):
    """spec.nodeName, or the node the DaemonSet's affinity term pins the pod to."""
    if pod["spec"].get("nodeName"):
        return pod["spec"]["nodeName"]
    terms = (pod["spec"].get("affinity", {}).get("nodeAffinity", {})
             .get("requiredDuringSchedulingIgnoredDuringExecution", {})
             .get("nodeSelectorTerms", []))
    for t in terms:
        for f in t.get("matchFields", []):
            if f["key"] == "metadata.name" and f["operator"] == "In":
                return f["values"][0]
    return None


class UnavailableWatcher:
    """Polls a namespace's pods and records, at every poll, the desired nodes that have no Ready
    pod, and the order in which pods started terminating and became Ready."""

    def __init__(self, test, ns, nodes):
        self.test, self.ns, self.nodes = test, ns, set(nodes)
        self.max_unavailable = 0
        self.samples = 0
        self.terminating = []  # pod names, in the order they were first seen terminating
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                pods = self.test.server.get_json(f"/api/v1/namespaces/{self.ns}/pods")["items"]
            except Exception:  # noqa: BLE001 (the server may be busy; try again)
                time.sleep(0.05)
                continue
            covered = {target_node(p) for p in pods if ready(p)}
            self.max_unavailable = max(self.max_unavailable, len(self.nodes - covered))
            self.samples += 1
            for p in pods:
                name = p["metadata"]["name"]
                if p["metadata"].get("deletionTimestamp") and name not in self.terminating:
                    self.terminating.append(name)
            time.sleep(0.05)

    def close(self):
        self.stop.set()
        self.thread.join()


class DaemonSetTest(ServerTestCase):
    server_args = ("--hollow-nodes", "3")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api = k8s_config.new_client_from_config(config_file=cls.server.kubeconfig)
        cls.apps_api = k8s_client.AppsV1Api(cls.api)

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.wait_for("3 Ready hollow nodes", lambda: self.ready_nodes() >= 3, timeout=30)
        # The tutorial's cluster: hollow-0 is a control-plane node.
        self.kubectl("taint", "nodes", "hollow-0", CONTROL_PLANE_TAINT, "--overwrite")

    # ------------------------------------------------------------------ helpers

    def ready_nodes(self):
        nodes = self.get_obj("/api/v1/nodes")["items"]
        return sum(1 for n in nodes for c in n["status"].get("conditions", [])
                   if c["type"] == "Ready" and c["status"] == "True")

    def ds(self, ns, name="counter"):
        return self.get_obj(f"/apis/apps/v1/namespaces/{ns}/daemonsets/{name}")

    def pods(self, ns):
        return self.get_obj(f"/api/v1/namespaces/{ns}/pods")["items"]

    def placement(self, ns):
        """Ready, non-terminating pods as {node: image}; None while a node has two."""
        out = {}
        for p in self.pods(ns):
            if not ready(p):
                continue
            node = p["spec"].get("nodeName")
            if node in out:
                return None
            out[node] = p["spec"]["containers"][0]["image"]
        return out

    def wait_placement(self, ns, want, timeout=60):
        """Waits until exactly `want` ({node: image}) runs, nothing else is left, and the
        DaemonSet's status says so."""
        def settled():
            pods = self.pods(ns)
            if len(pods) != len(want) or self.placement(ns) != want:
                return None
            st = self.ds(ns).get("status", {})
            n = len(want)
            counts = (st.get("desiredNumberScheduled"), st.get("currentNumberScheduled"),
                      st.get("numberReady"), st.get("numberAvailable", 0))
            return pods if counts == (n, n, n, n) else None
        return self.wait_for(f"pods {want} in {ns}", settled, timeout=timeout)

    def history(self, result):
        """The rows of `kubectl rollout history`, after its title line."""
        lines = result.lines()
        self.assertEqual(lines[0].strip(), "daemonset.apps/counter", str(result))
        header, rows = table("\n".join(lines[1:]))
        self.assertEqual(header, ["REVISION", "CHANGE-CAUSE"], str(result))
        return rows

    def apply_example(self, ns):
        self.kubectl("apply", "-n", ns, "-f", str(EXAMPLE))

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

    # ------------------------------------------------------------------ tests

    def test_tutorial_daemonset_skips_the_tainted_control_plane_until_tolerated(self):
        ns = self.make_ns("tutorial")
        self.apply_example(ns)
        pods = self.wait_placement(ns, {"hollow-1": "busybox:1.36", "hollow-2": "busybox:1.36"})
        ds = self.ds(ns)
        rev = self.get_obj(f"/apis/apps/v1/namespaces/{ns}/controllerrevisions")["items"]
        self.assertEqual(len(rev), 1)
        hash_ = rev[0]["metadata"]["labels"]["controller-revision-hash"]
        self.assertRegex(hash_, HASH)
        self.assertEqual(rev[0]["metadata"]["name"], f"counter-{hash_}")
        self.assertEqual(rev[0]["revision"], 1)
        self.assertEqual(rev[0]["data"]["spec"]["template"]["$patch"], "replace")
        self.assertEqual(ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"],
                         "1")
        for p in pods:
            self.assertRegex(p["metadata"]["name"], f"^counter-{SUFFIX}$")
            self.assertEqual(p["metadata"]["generateName"], "counter-")
            self.assertEqual(p["metadata"]["labels"],
                             {"app": "counter", "controller-revision-hash": hash_,
                              "pod-template-generation": "1"})
            owner = p["metadata"]["ownerReferences"][0]
            self.assertEqual((owner["kind"], owner["name"], owner["uid"], owner["controller"]),
                             ("DaemonSet", "counter", ds["metadata"]["uid"], True))
            # Placed by the scheduler through the affinity term the controller added.
            self.assertEqual(target_node(p), p["spec"]["nodeName"])
            self.assertEqual(
                p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"],
                {"nodeSelectorTerms": [{"matchFields": [
                    {"key": "metadata.name", "operator": "In",
                     "values": [p["spec"]["nodeName"]]}]}]})
            keys = [(t.get("key"), t.get("effect")) for t in p["spec"]["tolerations"]]
            self.assertEqual(keys, [("node.kubernetes.io/not-ready", "NoExecute"),
                                    ("node.kubernetes.io/unreachable", "NoExecute"),
                                    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
                                    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                                    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                                    ("node.kubernetes.io/unschedulable", "NoSchedule")])
            self.assertNotIn("tolerationSeconds", p["spec"]["tolerations"][0])
            self.assertEqual(p["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
                             "counter-shared")

        r = self.kubectl("get", "ds", "-n", ns)
        self.assertHeader(r, DS_HEADER)
        self.assertRow(r, "counter", ["counter", "2", "2", "2", "2", "2", "<none>", AGE])
        r = self.kubectl("get", "ds", "-n", ns, "-o", "wide", version="1.28")
        self.assertHeader(r, DS_HEADER + ["CONTAINERS", "IMAGES", "SELECTOR"])
        self.assertRow(r, "counter", ["counter", "2", "2", "2", "2", "2", "<none>", AGE,
                                      "counter", "busybox:1.36", "app=counter"])

        # Tolerating every taint: the control plane gets its pod too.
        self.kubectl("patch", "ds", "counter", "-n", ns, "-p", TOLERATE_ALL, version="1.30")
        self.wait_placement(ns, {"hollow-0": "busybox:1.36", "hollow-1": "busybox:1.36",
                                 "hollow-2": "busybox:1.36"})
        r = self.kubectl("get", "ds", "counter", "-n", ns)
        self.assertRow(r, "counter", ["counter", "3", "3", "3", "3", "3", "<none>", AGE])

        # The python client reads the same status.
        status = self.apps_api.read_namespaced_daemon_set_status("counter", ns).status
        self.assertEqual((status.desired_number_scheduled, status.current_number_scheduled,
                          status.number_ready, status.updated_number_scheduled,
                          status.number_available, status.number_misscheduled,
                          status.number_unavailable, status.observed_generation),
                         (3, 3, 3, 3, 3, 0, None, 2))
        revisions = self.apps_api.list_namespaced_controller_revision(ns).items
        self.assertEqual(sorted(r.revision for r in revisions), [1, 2])

        # Tainting a node NoSchedule keeps its pod (now misscheduled) ...
        self.kubectl("patch", "ds", "counter", "-n", ns, "--type=json", "-p",
                     '[{"op":"remove","path":"/spec/template/spec/tolerations"}]')
        self.wait_for("2 desired", lambda: self.ds(ns)["status"].get("desiredNumberScheduled")
                      == 2 and self.ds(ns)["status"].get("updatedNumberScheduled") == 2)
        self.wait_placement(ns, {"hollow-1": "busybox:1.36", "hollow-2": "busybox:1.36"})
        self.kubectl("taint", "nodes", "hollow-2", "example.com/maintenance=soon:NoSchedule")
        try:
            time.sleep(2)
            self.assertEqual(self.placement(ns),
                             {"hollow-1": "busybox:1.36", "hollow-2": "busybox:1.36"})
            self.wait_for("hollow-2 misscheduled", lambda: (lambda st: (
                st.get("desiredNumberScheduled"), st.get("numberMisscheduled")) == (1, 1))(
                    self.ds(ns)["status"]))
            # ... NoExecute removes it.
            self.kubectl("taint", "nodes", "hollow-2", "example.com/maintenance=now:NoExecute")
            self.wait_for("the pod on hollow-2 gone", lambda: self.placement(ns) == {
                "hollow-1": "busybox:1.36"} and len(self.pods(ns)) == 1, timeout=30)
        finally:
            self.kubectl("taint", "nodes", "hollow-2", "example.com/maintenance-")
        self.wait_placement(ns, {"hollow-1": "busybox:1.36", "hollow-2": "busybox:1.36"})
        self.kubectl("delete", "ds", "counter", "-n", ns)
        self.wait_for("pods deleted with the DaemonSet", lambda: not self.pods(ns), timeout=30)

    def test_pods_follow_nodes_added_relabelled_and_deleted(self):
        ns = self.make_ns("follow")
        self.kubectl("apply", "-n", ns, "-f", self.write_file(
            "edge.yaml", manifest("edge", extra_spec={"nodeSelector": {"role": "edge"}})))
        def on(name):
            return {p["spec"]["nodeName"] for p in self.pods(ns)
                    if p["metadata"]["labels"]["app"] == name and ready(p)}
        # Daemon pods tolerate node.kubernetes.io/unschedulable: a cordoned node gets one too.
        self.kubectl("cordon", "hollow-2")
        try:
            self.kubectl("apply", "-n", ns, "-f", self.write_file("all.yaml", manifest("all")))
            self.wait_for("all on the workers", lambda: on("all") == {"hollow-1", "hollow-2"})
        finally:
            self.kubectl("uncordon", "hollow-2")
        self.assertEqual(on("edge"), set())

        # Labelling a node brings the selecting DaemonSet's pod; unlabelling takes it away.
        self.kubectl("label", "node", "hollow-1", "role=edge")
        try:
            self.wait_for("edge on hollow-1", lambda: on("edge") == {"hollow-1"})
            self.kubectl("label", "node", "hollow-2", "role=edge")
            self.wait_for("edge on both", lambda: on("edge") == {"hollow-1", "hollow-2"})
            self.kubectl("label", "node", "hollow-1", "role-")
            self.wait_for("edge only on hollow-2", lambda: on("edge") == {"hollow-2"} and len(
                [p for p in self.pods(ns) if p["metadata"]["labels"]["app"] == "edge"]) == 1)
            r = self.kubectl("get", "ds", "edge", "-n", ns, version="1.33")
            self.assertRow(r, "edge", ["edge", "1", "1", "1", "1", "1", "role=edge", AGE])
        finally:
            self.kubectl("label", "node", "hollow-1", "hollow-2", "role-")

        # A new node gets a pod ...
        agent = self.start_agent("--nodes", "1", "--name-prefix", "extra-")
        self.wait_for("a pod on extra-0", lambda: on("all") == {"hollow-1", "hollow-2",
                                                                 "extra-0"}, timeout=60)
        self.assertEqual(self.ds(ns, "all")["status"]["desiredNumberScheduled"], 3)
        # ... and a deleted node loses it (the pod garbage collector removes pods of nodes that
        # are gone: 40 s quarantine, checked every 20 s).
        agent.terminate()
        self.assertEqual(agent.wait(20), 0)
        self.kubectl("delete", "node", "extra-0")
        self.wait_for("the pod of extra-0 gone", lambda: not any(
            p["spec"].get("nodeName") == "extra-0" for p in self.pods(ns)), timeout=90,
            interval=1)
        self.wait_for("2 desired", lambda: self.ds(ns, "all")["status"].get(
            "desiredNumberScheduled") == 2 and on("all") == {"hollow-1", "hollow-2"})

    def test_rolling_update_one_pod_at_a_time_history_and_undo(self):
        ns = self.make_ns("rollout")
        self.kubectl("apply", "-n", ns, "-f", self.write_file(
            "counter.yaml", manifest("counter", extra_spec={"tolerations": [
                {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                 "effect": "NoSchedule"}]})))
        nodes = ["hollow-0", "hollow-1", "hollow-2"]
        old = {n: "busybox:1.36" for n in nodes}
        new = {n: "busybox:1.37" for n in nodes}
        self.wait_placement(ns, old)
        r = self.kubectl("rollout", "status", "ds/counter", "-n", ns, "--timeout=60s")
        self.assertEqual(r.lines(), ['daemon set "counter" successfully rolled out'])
        first_pods = {p["metadata"]["name"] for p in self.pods(ns)}

        watcher = UnavailableWatcher(self, ns, nodes)
        try:
            r = self.kubectl("set", "image", "ds/counter", "app=busybox:1.37", "-n", ns)
            self.assertEqual(r.lines(), ["daemonset.apps/counter image updated"])
            r = self.kubectl("rollout", "status", "ds/counter", "-n", ns, "--timeout=120s",
                             timeout=150)
            self.wait_placement(ns, new)
        finally:
            watcher.close()
        self.assertEqual(r.lines()[-1], 'daemon set "counter" successfully rolled out')
        for line in r.lines()[:-1]:
            self.assertRegex(line, r'^Waiting for daemon set (spec update to be observed|'
                                   r'"counter" rollout to finish: (\d out of 3 new pods have been '
                                   r'updated|\d of 3 updated pods are available))\.\.\.$')
        # maxUnavailable 1: never more than one node without a Ready pod, old pods one by one.
        self.assertGreater(watcher.samples, 10)
        self.assertEqual(watcher.max_unavailable, 1)
        self.assertEqual(set(watcher.terminating), first_pods)
        st = self.ds(ns)["status"]
        self.assertEqual((st["observedGeneration"], st["updatedNumberScheduled"]), (2, 3))

        r = self.kubectl("rollout", "history", "ds/counter", "-n", ns, version="1.32")
        self.assertEqual(self.history(r), [["1", "<none>"], ["2", "<none>"]])
        r = self.kubectl("rollout", "history", "ds/counter", "-n", ns, "--revision=2")
        self.assertIn('daemonset.apps/counter with revision #2', r.out)
        self.assertRegex(r.out, r"Image:\s+busybox:1\.37")

        # A broken image: one pod is replaced, never gets Ready, and the rollout stops there.
        self.kubectl("set", "image", "ds/counter", "app=busybox:broken", "-n", ns)
        def stuck():
            pods = self.pods(ns)
            images = sorted(p["spec"]["containers"][0]["image"] for p in pods
                            if not p["metadata"].get("deletionTimestamp"))
            return images == ["busybox:1.37", "busybox:1.37", "busybox:broken"]
        self.wait_for("one broken pod", stuck, timeout=60)
        time.sleep(3)
        self.assertTrue(stuck())
        st = self.ds(ns)["status"]
        self.assertEqual((st["desiredNumberScheduled"], st["numberReady"],
                          st["updatedNumberScheduled"], st["numberUnavailable"]), (3, 2, 1, 1))
        r = self.kubectl("rollout", "status", "ds/counter", "-n", ns, "--timeout=2s",
                         check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn('Waiting for daemon set "counter" rollout to finish: 1 out of 3 new pods '
                      'have been updated...', r.out)

        # rollout undo: back to revision 2's template, which becomes revision 4.
        r = self.kubectl("rollout", "undo", "ds/counter", "-n", ns, version="1.28")
        self.assertEqual(r.lines(), ["daemonset.apps/counter rolled back"])
        self.kubectl("rollout", "status", "ds/counter", "-n", ns, "--timeout=120s", timeout=150)
        self.wait_placement(ns, new)
        r = self.kubectl("rollout", "history", "ds/counter", "-n", ns)
        self.assertEqual(self.history(r), [["1", "<none>"], ["3", "<none>"], ["4", "<none>"]])
        # And once more to the first template, by number.
        r = self.kubectl("rollout", "undo", "ds/counter", "-n", ns, "--to-revision=1")
        self.assertEqual(r.lines(), ["daemonset.apps/counter rolled back"])
        self.kubectl("rollout", "status", "ds/counter", "-n", ns, "--timeout=120s", timeout=150)
        self.wait_placement(ns, old)
        revisions = {r.revision: r.data["spec"]["template"]["spec"]["containers"][0]["image"]
                     for r in self.apps_api.list_namespaced_controller_revision(ns).items}
        self.assertEqual(revisions, {3: "busybox:broken", 4: "busybox:1.37", 5: "busybox:1.36"})
        r = self.kubectl("rollout", "undo", "ds/counter", "-n", ns, "--to-revision=9",
                         check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("unable to find specified revision 9 in history", r.err)

    def test_on_delete_waits_for_pods_to_be_deleted(self):
        ns = self.make_ns("ondelete")
        self.kubectl("apply", "-n", ns, "-f", self.write_file(
            "od.yaml", manifest("counter", strategy={"type": "OnDelete"})))
        self.wait_placement(ns, {"hollow-1": "busybox:1.36", "hollow-2": "busybox:1.36"})
        self.kubectl("set", "image", "ds/counter", "app=busybox:1.37", "-n", ns)
        self.wait_for("revision 2", lambda: len(self.get_obj(
            f"/apis/apps/v1/namespaces/{ns}/controllerrevisions")["items"]) == 2)
        time.sleep(2)
        self.assertEqual(self.placement(ns), {"hollow-1": "busybox:1.36",
                                              "hollow-2": "busybox:1.36"})
        victim = next(p["metadata"]["name"] for p in self.pods(ns)
                      if p["spec"]["nodeName"] == "hollow-1")
        self.kubectl("delete", "pod", victim, "-n", ns)
        self.wait_placement(ns, {"hollow-1": "busybox:1.37", "hollow-2": "busybox:1.36"})
        r = self.kubectl("get", "ds", "counter", "-n", ns)
        self.assertRow(r, "counter", ["counter", "2", "2", "2", "1", "2", "<none>", AGE])


if __name__ == "__main__":
    harness.main()
