#!/usr/bin/python3
"""StatefulSets end to end: the StatefulSet controller with the scheduler and `--hollow-nodes 3`
(simulated kubelets that run pods and make them Ready), driven by the real kubectl (the
dispatcher and versioned binaries) and Debian's python3-kubernetes. What kubectl prints and what
the API returns must match Kubernetes.

Hollow-node conventions used here (src/skiff/agent/hollow/probe_rule.h): an image ending in
":broken" runs but never gets Ready; a readinessProbe `exec: ["false"]` keeps a container
unready. Claims may stay Pending (no provisioner) or get Bound (local-path provisioner): the
tests accept either, since hollow nodes run pods whose claims are not bound when no volume
binder is configured.
"""

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import REPO, ServerTestCase, table  # noqa: E402

try:
    from kubernetes import client as k8s_client, config as k8s_config
except ImportError:
    sys.exit("run with /usr/bin/python3: it has Debian's python3-kubernetes")

HASH = r"[4-9bcdf]{1,10}"  # a ControllerRevision hash: a safe-encoded decimal uint32
EXAMPLE = REPO / "examples" / "counter" / "statefulset.yaml"
NEVER_READY = {"exec": {"command": ["false"]}, "periodSeconds": 1}


def manifest(name, replicas=3, image="busybox:1.36", extra_spec=None, probe=None):
    """A StatefulSet with one volumeClaimTemplate, as JSON (which is YAML)."""
    container = {"name": "app", "image": image,
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    if probe is not None:
        container["readinessProbe"] = probe
    spec = {"replicas": replicas, "serviceName": name,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [container]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "10Mi"}}}}]}
    spec.update(extra_spec or {})
    return json.dumps({"apiVersion": "apps/v1", "kind": "StatefulSet",
                       "metadata": {"name": name}, "spec": spec}, indent=1)


def ready(pod):
    if pod.get("status", {}).get("phase") != "Running":
        return False
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions", []))


class PodRecorder:
    """Polls a namespace's pods and remembers, per pod uid, when it was first seen, first seen
    Ready and first seen terminating, and when each name was last seen gone."""

    def __init__(self, test, ns):
        self.test, self.ns = test, ns
        self.first_seen, self.ready_at, self.terminating_at = {}, {}, {}
        self.names = {}  # uid -> name
        self.order = []  # uids in the order they were first seen
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
            now = time.monotonic()
            for p in pods:
                uid = p["metadata"]["uid"]
                if uid not in self.first_seen:
                    self.first_seen[uid] = now
                    self.names[uid] = p["metadata"]["name"]
                    self.order.append(uid)
                if ready(p) and uid not in self.ready_at:
                    self.ready_at[uid] = now
                if p["metadata"].get("deletionTimestamp") and uid not in self.terminating_at:
                    self.terminating_at[uid] = now
            time.sleep(0.05)

    def close(self):
        self.stop.set()
        self.thread.join()

    def uids(self, name):
        return [u for u in self.order if self.names[u] == name]


class StatefulSetTest(ServerTestCase):
    server_args = ("--hollow-nodes", "3")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api = k8s_config.new_client_from_config(config_file=cls.server.kubeconfig)

    # ------------------------------------------------------------------ helpers

    def sts_path(self, ns, name=""):
        return f"/apis/apps/v1/namespaces/{ns}/statefulsets" + (f"/{name}" if name else "")

    def sts(self, ns, name):
        return self.get_obj(self.sts_path(ns, name))

    def pods(self, ns):
        return {p["metadata"]["name"]: p
                for p in self.get_obj(f"/api/v1/namespaces/{ns}/pods")["items"]}

    def claims(self, ns):
        return {c["metadata"]["name"]: c for c in self.get_obj(
            f"/api/v1/namespaces/{ns}/persistentvolumeclaims")["items"]}

    def revisions(self, ns):
        """ControllerRevision name -> revision number."""
        items = self.get_obj(f"/apis/apps/v1/namespaces/{ns}/controllerrevisions")["items"]
        return {r["metadata"]["name"]: r["revision"] for r in items}

    def apply(self, ns, text, name="sts.json", version=None):
        path = self.write_file(f"{ns}-{name}", text)
        return self.kubectl("apply", "-f", path, "-n", ns, version=version)

    def rollout_status(self, ns, name, timeout=120, version=None):
        return self.kubectl("rollout", "status", f"statefulset/{name}", "-n", ns,
                            f"--timeout={timeout}s", timeout=timeout + 30, version=version)

    def status_once(self, ns, name, version=None):
        return self.kubectl("rollout", "status", f"statefulset/{name}", "-n", ns,
                            "--watch=false", check=False, version=version)

    def wait_ready(self, ns, names, timeout=90):
        def check():
            pods = self.pods(ns)
            return pods if all(n in pods and ready(pods[n]) and
                               not pods[n]["metadata"].get("deletionTimestamp")
                               for n in names) else None
        return self.wait_for(f"{names} Running and Ready", check, timeout=timeout)

    def wait_rolled_out(self, ns, name, timeout=120):
        """Every pod at the update revision, Ready, and the revisions equal."""
        def check():
            s = self.sts(ns, name)
            st = s.get("status", {})
            if st.get("observedGeneration", 0) < s["metadata"]["generation"]:
                return None
            n = s["spec"]["replicas"]
            pods = self.pods(ns)
            if len(pods) != n or not all(ready(p) for p in pods.values()):
                return None
            if any(p["metadata"]["labels"].get("controller-revision-hash") !=
                   st.get("updateRevision") for p in pods.values()):
                return None
            if st.get("currentRevision") != st.get("updateRevision"):
                return None
            if (st.get("readyReplicas"), st.get("updatedReplicas"), st.get("currentReplicas"),
                    st.get("availableReplicas")) != (n, n, n, n):
                return None
            return s
        return self.wait_for(f"{name} rolled out", check, timeout=timeout)

    def history(self, ns, name, version=None):
        r = self.kubectl("rollout", "history", f"statefulset/{name}", "-n", ns, version=version)
        return [l.rstrip() for l in r.lines()]

    def image(self, ns, name):
        return self.sts(ns, name)["spec"]["template"]["spec"]["containers"][0]["image"]

    def events(self, ns, name):
        r = self.kubectl("get", "events", "-n", ns, "--field-selector",
                         f"involvedObject.name={name}", "-o", "json")
        return [(e["reason"], e["message"]) for e in json.loads(r.out)["items"]]

    # ------------------------------------------------------------------ tests

    def test_tutorial_counter_ordered_scaling_claims_and_recreation(self):
        ns = self.make_ns("tutorial")
        rec = PodRecorder(self, ns)
        self.addCleanup(rec.close)
        r = self.kubectl("apply", "-f", str(EXAMPLE), "-n", ns)
        self.assertEqual(r.lines(), ["service/counter created",
                                     "statefulset.apps/counter created"], str(r))
        pods = self.wait_ready(ns, ["counter-0"])
        self.assertEqual(sorted(pods), ["counter-0"])

        pod = pods["counter-0"]
        rev = pod["metadata"]["labels"]["controller-revision-hash"]
        self.assertRegex(rev, rf"^counter-{HASH}$")
        self.assertEqual(pod["metadata"]["labels"], {
            "app": "counter", "statefulset.kubernetes.io/pod-name": "counter-0",
            "apps.kubernetes.io/pod-index": "0", "controller-revision-hash": rev})
        self.assertEqual(pod["spec"]["hostname"], "counter-0")
        self.assertEqual(pod["spec"]["subdomain"], "counter")
        self.assertIn({"name": "data", "persistentVolumeClaim": {"claimName": "data-counter-0"}},
                      pod["spec"]["volumes"])
        ref = pod["metadata"]["ownerReferences"][0]
        self.assertEqual((ref["kind"], ref["name"], ref["controller"], ref["blockOwnerDeletion"]),
                         ("StatefulSet", "counter", True, True))
        # The revision records the template as a replace patch, labelled with its hash.
        revs = self.get_obj(f"/apis/apps/v1/namespaces/{ns}/controllerrevisions")["items"]
        self.assertEqual([x["metadata"]["name"] for x in revs], [rev])
        self.assertEqual(revs[0]["revision"], 1)
        self.assertEqual(revs[0]["metadata"]["labels"],
                         {"app": "counter", "controller.kubernetes.io/hash": rev[len("counter-"):]})
        self.assertEqual(revs[0]["data"]["spec"]["template"]["$patch"], "replace")

        r = self.kubectl("scale", "statefulsets", "counter", "--replicas=3", "-n", ns)
        self.assertEqual(r.out.strip(), "statefulset.apps/counter scaled")
        r = self.rollout_status(ns, "counter")
        self.assertEqual(r.lines()[-1], "partitioned roll out complete: 3 new pods have been "
                                        "updated...", str(r))
        for line in r.lines()[:-1]:
            self.assertRegex(line, r"^Waiting for [12] pods to be ready\.\.\.$", str(r))

        # counter-1 appeared only once counter-0 was Ready, counter-2 once counter-1 was.
        pods = self.wait_ready(ns, ["counter-0", "counter-1", "counter-2"])
        for prev, nxt in (("counter-0", "counter-1"), ("counter-1", "counter-2")):
            p, n = rec.uids(prev)[0], rec.uids(nxt)[0]
            self.assertIn(p, rec.ready_at, f"{prev} never seen Ready")
            self.assertGreaterEqual(rec.first_seen[n], rec.ready_at[p],
                                    f"{nxt} created before {prev} was Ready")
            ready_since = next(c["lastTransitionTime"] for c in pods[prev]["status"]["conditions"]
                               if c["type"] == "Ready")
            self.assertGreaterEqual(pods[nxt]["metadata"]["creationTimestamp"], ready_since)

        r = self.kubectl("get", "pvc", "-n", ns)
        header, rows = table(r.out)
        self.assertEqual(header[:2], ["NAME", "STATUS"], str(r))
        self.assertEqual([row[0] for row in rows],
                         ["data-counter-0", "data-counter-1", "data-counter-2"], str(r))
        for row in rows:
            self.assertIn(row[1], ("Pending", "Bound"), str(r))
        claim = self.claims(ns)["data-counter-1"]
        self.assertEqual(claim["metadata"]["labels"], {"app": "counter"})
        self.assertNotIn("ownerReferences", claim["metadata"])  # Retain: no owner

        r = self.kubectl("get", "sts", "counter", "-n", ns)
        self.assertHeader(r, ["NAME", "READY", "AGE"])
        self.assertRow(r, "counter", ["counter", "3/3"])

        want = {("SuccessfulCreate", f"create Pod counter-{i} in StatefulSet counter successful")
                for i in range(3)}
        want |= {("SuccessfulCreate",
                  f"create Claim data-counter-{i} Pod counter-{i} in StatefulSet counter success")
                 for i in range(3)}
        self.wait_for("the create events", lambda: want <= set(self.events(ns, "counter")))

        # A deleted pod comes back with the same name and claim.
        old_uid = pods["counter-1"]["metadata"]["uid"]
        r = self.kubectl("delete", "pod", "counter-1", "-n", ns)
        self.assertEqual(r.out.strip(), 'pod "counter-1" deleted')
        pods = self.wait_for("a new counter-1", lambda: (
            lambda p: p if "counter-1" in p and p["counter-1"]["metadata"]["uid"] != old_uid
            and ready(p["counter-1"]) else None)(self.pods(ns)), timeout=60)
        self.assertIn({"name": "data", "persistentVolumeClaim": {"claimName": "data-counter-1"}},
                      pods["counter-1"]["spec"]["volumes"])
        self.assertEqual(sorted(self.claims(ns)),
                         ["data-counter-0", "data-counter-1", "data-counter-2"])

        # Scaling down removes counter-2 first, then counter-1; the claims stay (Retain).
        self.wait_ready(ns, ["counter-0", "counter-1", "counter-2"])
        self.kubectl("scale", "sts", "counter", "--replicas=1", "-n", ns)
        self.wait_for("counter-0 alone", lambda: sorted(self.pods(ns)) == ["counter-0"],
                      timeout=60)
        c1, c2 = rec.uids("counter-1")[-1], rec.uids("counter-2")[-1]
        self.assertIn(c1, rec.terminating_at)
        self.assertIn(c2, rec.terminating_at)
        self.assertLess(rec.terminating_at[c2], rec.terminating_at[c1])
        self.assertEqual(sorted(self.claims(ns)),
                         ["data-counter-0", "data-counter-1", "data-counter-2"])

        # The python client reads the status.
        apps = k8s_client.AppsV1Api(self.api)
        s = self.wait_for("status of 1 replica", lambda: (
            lambda s: s if s.status.replicas == 1 and s.status.ready_replicas == 1 else None)(
                apps.read_namespaced_stateful_set_status("counter", ns)))
        self.assertEqual(s.status.current_revision, rev)
        self.assertEqual(s.status.update_revision, rev)
        self.assertEqual(s.status.current_replicas, 1)
        self.assertEqual(s.status.updated_replicas, 1)
        self.assertEqual(s.status.available_replicas, 1)
        self.assertEqual(s.status.collision_count, 0)
        self.assertEqual(s.status.observed_generation, s.metadata.generation)
        self.assertEqual(s.spec.update_strategy.type, "RollingUpdate")
        self.assertEqual(s.spec.update_strategy.rolling_update.partition, 0)
        self.assertEqual(s.spec.pod_management_policy, "OrderedReady")

    def test_rolling_update_partition_history_and_undo(self):
        ns = self.make_ns("rolling")
        self.apply(ns, manifest("web"), version="1.30")
        self.rollout_status(ns, "web", version="1.30")
        before = {n: p["metadata"]["uid"] for n, p in self.pods(ns).items()}
        rev1 = self.sts(ns, "web")["status"]["currentRevision"]
        rec = PodRecorder(self, ns)
        self.addCleanup(rec.close)

        r = self.kubectl("set", "image", "statefulset/web", "app=busybox:1.37", "-n", ns,
                         version="1.30")
        self.assertEqual(r.out.strip(), "statefulset.apps/web image updated")
        r = self.rollout_status(ns, "web", version="1.30")
        self.assertEqual(r.lines()[-1], "partitioned roll out complete: 3 new pods have been "
                                        "updated...", str(r))
        s = self.wait_rolled_out(ns, "web")
        rev2 = s["status"]["updateRevision"]
        self.assertNotEqual(rev1, rev2)
        # From the highest ordinal down, each after the previous replacement was Ready.
        term = sorted((rec.terminating_at[before[n]], n) for n in before)
        self.assertEqual([n for _, n in term], ["web-2", "web-1", "web-0"])
        for old, new in (("web-1", "web-2"), ("web-0", "web-1")):
            replacement = rec.uids(new)[-1]
            self.assertIn(replacement, rec.ready_at)
            self.assertGreaterEqual(rec.terminating_at[before[old]], rec.ready_at[replacement])
        self.assertEqual(self.history(ns, "web"), [
            "statefulset.apps/web", "REVISION  CHANGE-CAUSE", "1         <none>",
            "2         <none>"])
        r = self.kubectl("rollout", "history", "statefulset/web", "-n", ns, "--revision=1")
        self.assertIn("statefulset.apps/web with revision #1", r.out)
        self.assertIn("busybox:1.36", r.out)

        # Partition 2: only web-2 moves to the next template.
        self.kubectl("patch", "statefulset", "web", "-n", ns, "-p",
                     '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}')
        self.kubectl("set", "image", "statefulset/web", "app=busybox:1.38", "-n", ns)
        r = self.rollout_status(ns, "web")
        self.assertEqual(r.lines()[-1], "partitioned roll out complete: 1 new pods have been "
                                        "updated...", str(r))
        s = self.sts(ns, "web")
        rev3 = s["status"]["updateRevision"]
        self.assertEqual(s["status"]["currentRevision"], rev2)
        pods = self.wait_ready(ns, ["web-0", "web-1", "web-2"])
        self.assertEqual({n: p["metadata"]["labels"]["controller-revision-hash"]
                          for n, p in pods.items()},
                         {"web-0": rev2, "web-1": rev2, "web-2": rev3})
        self.assertEqual((s["status"]["currentReplicas"], s["status"]["updatedReplicas"]), (2, 1))
        self.kubectl("patch", "statefulset", "web", "-n", ns, "-p",
                     '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}')
        self.wait_rolled_out(ns, "web")
        self.assertEqual(self.revisions(ns), {rev1: 1, rev2: 2, rev3: 3})

        # Undo: the previous template comes back and its revision becomes the newest.
        r = self.kubectl("rollout", "undo", "statefulset/web", "-n", ns)
        self.assertEqual(r.out.strip(), "statefulset.apps/web rolled back")
        self.assertEqual(self.image(ns, "web"), "busybox:1.37")
        s = self.wait_rolled_out(ns, "web")
        self.assertEqual(s["status"]["updateRevision"], rev2)
        self.assertEqual(self.revisions(ns), {rev1: 1, rev2: 4, rev3: 3})
        self.assertEqual(self.history(ns, "web", version="1.28"), [
            "statefulset.apps/web", "REVISION  CHANGE-CAUSE", "1         <none>",
            "3         <none>", "4         <none>"])
        for p in self.pods(ns).values():
            self.assertEqual(p["spec"]["containers"][0]["image"], "busybox:1.37")

        r = self.kubectl("rollout", "undo", "statefulset/web", "-n", ns, "--to-revision=1",
                         version="1.28")
        self.assertEqual(r.out.strip(), "statefulset.apps/web rolled back")
        self.assertEqual(self.image(ns, "web"), "busybox:1.36")
        s = self.wait_rolled_out(ns, "web")
        self.assertEqual(s["status"]["updateRevision"], rev1)
        self.assertEqual(self.revisions(ns), {rev1: 5, rev2: 4, rev3: 3})
        r = self.kubectl("rollout", "undo", "statefulset/web", "-n", ns, "--to-revision=9",
                         check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("unable to find specified revision 9 in history", r.err)
        # The claims survived every replacement.
        self.assertEqual(sorted(self.claims(ns)), ["data-web-0", "data-web-1", "data-web-2"])

    def test_broken_image_stops_after_the_highest_ordinal_and_undo(self):
        ns = self.make_ns("broken")
        self.apply(ns, manifest("db"))
        self.rollout_status(ns, "db")
        before = {n: p["metadata"]["uid"] for n, p in self.pods(ns).items()}
        self.kubectl("set", "image", "statefulset/db", "app=busybox:broken", "-n", ns)
        broken = self.wait_for("db-2 at the broken image", lambda: (
            lambda p: p if "db-2" in p and p["db-2"]["metadata"]["uid"] != before["db-2"] and
            p["db-2"].get("status", {}).get("phase") == "Running" else None)(self.pods(ns)),
            timeout=60)
        self.assertEqual(broken["db-2"]["spec"]["containers"][0]["image"], "busybox:broken")
        time.sleep(3)  # time enough for a wrong next step
        pods = self.pods(ns)
        self.assertEqual({n: p["metadata"]["uid"] for n, p in pods.items() if n != "db-2"},
                         {"db-0": before["db-0"], "db-1": before["db-1"]})
        self.assertFalse(ready(pods["db-2"]))
        r = self.status_once(ns, "db", version="1.33")
        self.assertEqual(r.out.strip(), "Waiting for 1 pods to be ready...", str(r))
        s = self.sts(ns, "db")
        self.assertEqual((s["status"]["readyReplicas"], s["status"]["updatedReplicas"],
                          s["status"]["currentReplicas"]), (2, 1, 2))

        # Undo restores the template; as on Kubernetes, the unready db-2 blocks OrderedReady
        # until it is deleted by hand.
        r = self.kubectl("rollout", "undo", "statefulset/db", "-n", ns, version="1.33")
        self.assertEqual(r.out.strip(), "statefulset.apps/db rolled back")
        self.assertEqual(self.image(ns, "db"), "busybox:1.36")
        self.kubectl("delete", "pod", "db-2", "-n", ns)
        s = self.wait_rolled_out(ns, "db")
        self.assertEqual(s["status"]["readyReplicas"], 3)
        pods = self.pods(ns)
        self.assertEqual(pods["db-0"]["metadata"]["uid"], before["db-0"])
        self.assertEqual(pods["db-1"]["metadata"]["uid"], before["db-1"])

    def test_parallel_and_delete_retention_policy(self):
        ns = self.make_ns("retention")
        policy = {"whenDeleted": "Delete", "whenScaled": "Delete"}
        # Parallel: every pod is created at once, even though none ever gets Ready.
        self.apply(ns, manifest("cache", probe=NEVER_READY, extra_spec={
            "podManagementPolicy": "Parallel", "persistentVolumeClaimRetentionPolicy": policy}))
        pods = self.wait_for("3 pods", lambda: (
            lambda p: p if len(p) == 3 else None)(self.pods(ns)), timeout=30)
        self.assertEqual(sorted(pods), ["cache-0", "cache-1", "cache-2"])
        self.assertFalse(any(ready(p) for p in pods.values()))
        r = self.status_once(ns, "cache")
        self.assertEqual(r.out.strip(), "Waiting for 3 pods to be ready...", str(r))

        uid = self.sts(ns, "cache")["metadata"]["uid"]
        claims = self.wait_for("claims owned by the set", lambda: (
            lambda c: c if len(c) == 3 and all(x["metadata"].get("ownerReferences") for x in
                                               c.values()) else None)(self.claims(ns)))
        for c in claims.values():
            ref = c["metadata"]["ownerReferences"]
            self.assertEqual([(x["kind"], x["name"], x["uid"], x["controller"]) for x in ref],
                             [("StatefulSet", "cache", uid, True)])

        # whenScaled: Delete: the condemned pods' claims go with them.
        self.kubectl("scale", "sts", "cache", "--replicas=1", "-n", ns)
        self.wait_for("one claim left", lambda: sorted(self.claims(ns)) == ["data-cache-0"],
                      timeout=60)
        self.assertEqual(sorted(self.pods(ns)), ["cache-0"])
        # whenDeleted: Delete: the last claim goes with the set.
        r = self.kubectl("delete", "sts", "cache", "-n", ns)
        self.assertEqual(r.out.strip(), 'statefulset.apps "cache" deleted')
        self.wait_for("no claims", lambda: self.claims(ns) == {}, timeout=60)
        self.wait_for("no pods", lambda: self.pods(ns) == {}, timeout=60)
        self.wait_for("no revisions", lambda: self.revisions(ns) == {}, timeout=60)


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
