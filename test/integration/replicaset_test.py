#!/usr/bin/python3
"""The ReplicaSet and ReplicationController controllers inside a live skiff server, driven by
the real kubectl: pods named <owner>-xxxxx with controller ownerReferences, replacement of
deleted pods, adoption of matching orphans, release of relabeled pods, scale down, and cascading
deletion through the garbage collector. No node runs a pod here, so pods stay Pending and
readyReplicas stays 0."""

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ServerTestCase, table  # noqa: E402

# No node carries this label, so pods stay Pending even if a scheduler runs.
NEVER = {"skiff-test/never": "true"}
SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}"
RS_HEADER = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]


def replicaset(name, replicas=3, labels=None):
    labels = labels or {"app": name}
    return f"""apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {json.dumps(labels)}
  template:
    metadata:
      labels: {json.dumps(labels)}
      annotations: {{"example.com/from-template": "yes"}}
    spec:
      nodeSelector: {json.dumps(NEVER)}
      containers:
      - name: web
        image: nginx:1.27
"""


def replicationcontroller(name, replicas=3):
    return f"""apiVersion: v1
kind: ReplicationController
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector: {{"app": "{name}"}}
  template:
    metadata:
      labels: {{"app": "{name}"}}
    spec:
      nodeSelector: {json.dumps(NEVER)}
      containers:
      - name: main
        image: redis:7
"""


def bare_pod(name, labels):
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {json.dumps(labels)}
spec:
  nodeSelector: {json.dumps(NEVER)}
  containers:
  - name: main
    image: nginx:1.27
"""


class ReplicaSetTest(ServerTestCase):

    # ------------------------------------------------------------ helpers

    def pods(self, ns):
        return self.get_obj(f"/api/v1/namespaces/{ns}/pods")["items"]

    def owned(self, ns, uid):
        return [p for p in self.pods(ns)
                if any(r.get("uid") == uid for r in p["metadata"].get("ownerReferences", []))]

    def wait_owned(self, ns, uid, count, timeout=20):
        """The pods `uid` owns, once there are exactly `count` of them."""
        def check():
            owned = self.owned(ns, uid)
            return owned if len(owned) == count else None
        return self.wait_for(f"{count} pods owned by {uid} in {ns}", check, timeout=timeout)

    def wait_status(self, path, **want):
        def check():
            status = self.get_obj(path).get("status", {})
            return status if all(status.get(k, 0) == v for k, v in want.items()) else None
        return self.wait_for(f"status {want} of {path}", check)

    def apply(self, ns, name, text):
        return self.kubectl("apply", "-n", ns, "-f", self.write_file(f"{ns}-{name}.yaml", text))

    def assert_owned_pods(self, pods, owner, api_version, kind, uid):
        for p in pods:
            name = p["metadata"]["name"]
            self.assertRegex(name, f"^{owner}-{SUFFIX}$")
            self.assertEqual(p["metadata"].get("generateName"), f"{owner}-")
            self.assertEqual(p["metadata"]["ownerReferences"], [{
                "apiVersion": api_version, "kind": kind, "name": owner, "uid": uid,
                "controller": True, "blockOwnerDeletion": True}], name)

    # ------------------------------------------------------------ tests

    def test_replicaset_lifecycle(self):
        ns = self.make_ns("rs-life")
        rs_path = f"/apis/apps/v1/namespaces/{ns}/replicasets/web"
        r = self.apply(ns, "rs", replicaset("web"))
        self.assertEqual(r.out.strip(), "replicaset.apps/web created", str(r))
        uid = self.get_obj(rs_path)["metadata"]["uid"]

        # Three pods from the template, owned by the ReplicaSet.
        pods = self.wait_owned(ns, uid, 3)
        self.assert_owned_pods(pods, "web", "apps/v1", "ReplicaSet", uid)
        for p in pods:
            self.assertEqual(p["metadata"]["labels"], {"app": "web"})
            self.assertEqual(p["metadata"]["annotations"]["example.com/from-template"], "yes")
            self.assertEqual(p["status"].get("phase"), "Pending")
        status = self.wait_status(rs_path, replicas=3, fullyLabeledReplicas=3,
                                  observedGeneration=1)
        self.assertNotIn("readyReplicas", status)
        self.assertNotIn("availableReplicas", status)
        r = self.kubectl("get", "rs", "-n", ns)
        self.assertEqual(table(r.out)[0], RS_HEADER, str(r))
        self.assertRow(r, "web", ["web", "3", "3", "0"])

        # Events name each created pod.
        names = sorted(p["metadata"]["name"] for p in pods)
        events = self.wait_for("SuccessfulCreate events", lambda: (lambda evs: evs if len(
            evs) >= 3 else None)([e for e in self.get_obj(f"/api/v1/namespaces/{ns}/events")[
                "items"] if e["reason"] == "SuccessfulCreate"]))
        self.assertEqual(sorted(e["message"] for e in events),
                         [f"Created pod: {n}" for n in names])
        for e in events:
            self.assertEqual(e["involvedObject"]["kind"], "ReplicaSet")
            self.assertEqual(e["involvedObject"]["name"], "web")
            self.assertEqual(e["source"]["component"], "replicaset-controller")
            self.assertEqual(e["type"], "Normal")

        # A deleted pod is replaced.
        victim = names[0]
        self.kubectl("delete", "pod", victim, "-n", ns)
        pods = self.wait_for("a replacement pod", lambda: (lambda o: o if len(o) == 3 and victim
                             not in [p["metadata"]["name"] for p in o] else None)(
                                 self.owned(ns, uid)))
        self.assert_owned_pods(pods, "web", "apps/v1", "ReplicaSet", uid)

        # A matching orphan is adopted; the ReplicaSet then has one pod too many and deletes one.
        self.apply(ns, "stray", bare_pod("stray", {"app": "web"}))
        self.wait_for("adoption and scale back to 3", lambda: len(self.pods(ns)) == 3 and len(
            self.owned(ns, uid)) == 3)
        stray = self.http("GET", f"/api/v1/namespaces/{ns}/pods/stray")
        if stray.status == 200:  # kept: then it is ours
            self.assertEqual(stray.json()["metadata"]["ownerReferences"][0]["uid"], uid)
        self.wait_status(rs_path, replicas=3)

        # A relabeled pod is released (and kept), and replaced.
        relabeled = sorted(p["metadata"]["name"] for p in self.owned(ns, uid))[0]
        self.kubectl("label", "pod", relabeled, "-n", ns, "app=other", "--overwrite")
        self.wait_for(f"{relabeled} released", lambda: not self.get_obj(
            f"/api/v1/namespaces/{ns}/pods/{relabeled}")["metadata"].get("ownerReferences"))
        pods = self.wait_owned(ns, uid, 3)
        self.assertNotIn(relabeled, [p["metadata"]["name"] for p in pods])
        self.assertEqual(len(self.pods(ns)), 4)

        # Scale down.
        r = self.kubectl("scale", "rs", "web", "-n", ns, "--replicas=1")
        self.assertEqual(r.out.strip(), "replicaset.apps/web scaled", str(r))
        self.wait_owned(ns, uid, 1)
        self.wait_status(rs_path, replicas=1, fullyLabeledReplicas=1, observedGeneration=2)
        r = self.kubectl("get", "rs", "web", "-n", ns)
        self.assertRow(r, "web", ["web", "1", "1", "0"])
        deletes = [e for e in self.get_obj(f"/api/v1/namespaces/{ns}/events")["items"]
                   if e["reason"] == "SuccessfulDelete"]
        self.assertTrue(all(re.fullmatch(f"Deleted pod: web-{SUFFIX}|Deleted pod: stray",
                                         e["message"]) for e in deletes), deletes)

        # Deleting the ReplicaSet takes its pods along (the garbage collector), not the
        # released one.
        r = self.kubectl("delete", "rs", "web", "-n", ns)
        self.assertEqual(r.out.strip(), 'replicaset.apps "web" deleted', str(r))
        self.wait_for("the ReplicaSet's pods gone", lambda: [p["metadata"]["name"]
                      for p in self.pods(ns)] == [relabeled])

    def test_replicationcontroller(self):
        ns = self.make_ns("rc")
        rc_path = f"/api/v1/namespaces/{ns}/replicationcontrollers/db"
        r = self.apply(ns, "rc", replicationcontroller("db"))
        self.assertEqual(r.out.strip(), "replicationcontroller/db created", str(r))
        uid = self.get_obj(rc_path)["metadata"]["uid"]
        pods = self.wait_owned(ns, uid, 3)
        self.assert_owned_pods(pods, "db", "v1", "ReplicationController", uid)
        self.wait_status(rc_path, replicas=3, fullyLabeledReplicas=3, observedGeneration=1)
        r = self.kubectl("get", "rc", "-n", ns)
        self.assertEqual(table(r.out)[0], RS_HEADER, str(r))
        self.assertRow(r, "db", ["db", "3", "3", "0"])
        events = [e for e in self.get_obj(f"/api/v1/namespaces/{ns}/events")["items"]
                  if e["reason"] == "SuccessfulCreate"]
        self.assertTrue(events)
        self.assertEqual({e["source"]["component"] for e in events}, {"replication-controller"})

        victim = pods[0]["metadata"]["name"]
        self.kubectl("delete", "pod", victim, "-n", ns)
        self.wait_for("a replacement pod", lambda: (lambda o: len(o) == 3 and victim not in [
            p["metadata"]["name"] for p in o])(self.owned(ns, uid)))

        self.kubectl("scale", "rc", "db", "-n", ns, "--replicas=2")
        self.wait_owned(ns, uid, 2)
        self.wait_status(rc_path, replicas=2)

        self.kubectl("delete", "rc", "db", "-n", ns)
        self.wait_for("the pods gone", lambda: not self.pods(ns))

    def test_replicaset_and_rc_do_not_fight(self):
        """A ReplicaSet and a ReplicationController with different selectors in one namespace
        each keep their own count; neither adopts the other's pods."""
        ns = self.make_ns("both")
        self.apply(ns, "rs", replicaset("front", replicas=2))
        self.apply(ns, "rc", replicationcontroller("back", replicas=2))
        rs_uid = self.get_obj(f"/apis/apps/v1/namespaces/{ns}/replicasets/front")["metadata"]["uid"]
        rc_uid = self.get_obj(f"/api/v1/namespaces/{ns}/replicationcontrollers/back")[
            "metadata"]["uid"]
        self.wait_owned(ns, rs_uid, 2)
        self.wait_owned(ns, rc_uid, 2)
        self.assertEqual(len(self.pods(ns)), 4)


if __name__ == "__main__":
    harness.main()
