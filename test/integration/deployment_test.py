#!/usr/bin/python3
"""Deployments end to end: the deployment controller with the ReplicaSet controller, the
scheduler and `--hollow-nodes 3` (simulated kubelets that run pods and make them Ready), driven
by the real kubectl. What kubectl prints and what the API returns must match Kubernetes.

Hollow-node conventions used here (see src/skiff/agent/hollow/probe_rule.h): a readinessProbe
`exec: ["false"]` keeps a container unready for good; a passing probe makes it ready after
initialDelaySeconds. When `skiff server` rejects --hollow-nodes, the tests that need Ready pods
are skipped and say why; the others still run.
"""

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ServerTestCase, table  # noqa: E402

HASH = r"[4-9bcdf]{1,10}"  # a pod-template-hash: a safe-encoded decimal uint32
SUFFIX = r"[bcdfghjklmnpqrstvwxz2456789]{5}"  # a generateName suffix
REVISION = "deployment.kubernetes.io/revision"


def _hollow_nodes_supported():
    try:
        out = subprocess.run([harness.skiff_bin(), "server", "--help"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, RuntimeError, subprocess.TimeoutExpired):
        return False
    return "--hollow-nodes" in out


HOLLOW = _hollow_nodes_supported()
NO_HOLLOW = "skiff server rejects --hollow-nodes: no simulated kubelets, so pods never get Ready"


def manifest(name, replicas=3, image="nginx:1.27", strategy=None, probe=None, extra_spec=None,
             annotations=None, labels=None):
    """A Deployment as JSON (which is YAML). `probe` is a readinessProbe for the container."""
    labels = labels or {"app": name}
    container = {"name": "web", "image": image}
    if probe is not None:
        container["readinessProbe"] = probe
    spec = {"replicas": replicas, "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}
    if strategy is not None:
        spec["strategy"] = strategy
    spec.update(extra_spec or {})
    meta = {"name": name, "labels": labels}
    if annotations:
        meta["annotations"] = annotations
    return json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                       "spec": spec}, indent=1)


NEVER_READY = {"exec": {"command": ["false"]}, "periodSeconds": 1}


def slow_ready(seconds):
    return {"exec": {"command": ["true"]}, "initialDelaySeconds": seconds, "periodSeconds": 1}


class DeploymentTest(ServerTestCase):
    server_args = ("--hollow-nodes", "3") if HOLLOW else ()

    # ------------------------------------------------------------------ helpers

    def need_ready_pods(self):
        if not HOLLOW:
            self.skipTest(NO_HOLLOW)

    def apps(self, ns, what, name=""):
        return f"/apis/apps/v1/namespaces/{ns}/{what}" + (f"/{name}" if name else "")

    def deployment(self, ns, name):
        return self.get_obj(self.apps(ns, "deployments", name))

    def replicasets(self, ns):
        return self.get_obj(self.apps(ns, "replicasets"))["items"]

    def pods(self, ns):
        return self.get_obj(f"/api/v1/namespaces/{ns}/pods")["items"]

    def rs_by_revision(self, ns):
        return {int(rs["metadata"].get("annotations", {}).get(REVISION, "0")): rs
                for rs in self.replicasets(ns)}

    def apply(self, ns, text, name="d.json"):
        path = self.write_file(f"{ns}-{name}", text)
        return self.kubectl("apply", "-f", path, "-n", ns)

    def rollout_status(self, ns, name, timeout=90, check=True):
        return self.kubectl("rollout", "status", f"deployment/{name}", "-n", ns,
                            f"--timeout={timeout}s", check=check, timeout=timeout + 30)

    def status_once(self, ns, name):
        """`rollout status --watch=false`: the message for the current status, once."""
        return self.kubectl("rollout", "status", f"deployment/{name}", "-n", ns,
                            "--watch=false", check=False)

    def wait_observed(self, ns, name, predicate, what, timeout=60):
        def check():
            d = self.deployment(ns, name)
            st = d.get("status", {})
            if st.get("observedGeneration", 0) < d["metadata"]["generation"]:
                return None
            return d if predicate(d) else None
        return self.wait_for(what, check, timeout=timeout)

    def wait_for_events(self, ns, messages):
        """ScalingReplicaSet events (written asynchronously) with these messages, via kubectl."""
        def seen():
            r = self.kubectl("get", "events", "-n", ns, "--field-selector",
                             "reason=ScalingReplicaSet", "-o", "json")
            got = {e["message"] for e in json.loads(r.out)["items"]}
            return got if messages <= got else None
        return self.wait_for(f"events {sorted(messages)}", seen)

    @staticmethod
    def history(result):
        """`rollout history` lines without kubectl's trailing padding."""
        return [l.rstrip() for l in result.lines()]

    @staticmethod
    def condition(d, kind):
        for c in d.get("status", {}).get("conditions", []):
            if c["type"] == kind:
                return c
        return None

    # ------------------------------------------------------------------ tests

    def test_create_names_labels_and_annotations(self):
        ns = self.make_ns("create")
        r = self.kubectl("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3",
                         "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web created")

        sets = self.wait_for("the first ReplicaSet", lambda: self.replicasets(ns))
        self.assertEqual(len(sets), 1)
        rs = sets[0]
        name = rs["metadata"]["name"]
        self.assertRegex(name, rf"^web-{HASH}$")
        h = name[len("web-"):]
        self.assertEqual(rs["metadata"]["labels"], {"app": "web", "pod-template-hash": h})
        self.assertEqual(rs["spec"]["selector"]["matchLabels"],
                         {"app": "web", "pod-template-hash": h})
        self.assertEqual(rs["spec"]["template"]["metadata"]["labels"],
                         {"app": "web", "pod-template-hash": h})
        self.assertEqual(rs["spec"]["replicas"], 3)
        ann = rs["metadata"]["annotations"]
        self.assertEqual(ann[REVISION], "1")
        self.assertEqual(ann["deployment.kubernetes.io/desired-replicas"], "3")
        self.assertEqual(ann["deployment.kubernetes.io/max-replicas"], "4")
        ref = rs["metadata"]["ownerReferences"][0]
        self.assertEqual((ref["kind"], ref["name"], ref["controller"], ref["blockOwnerDeletion"]),
                         ("Deployment", "web", True, True))
        # The Deployment's revision follows with its next status write.
        self.wait_for("revision 1 on the Deployment", lambda: self.deployment(ns, "web")[
            "metadata"].get("annotations", {}).get(REVISION) == "1")

        pods = self.wait_for("3 pods", lambda: len(self.pods(ns)) == 3 and self.pods(ns))
        for p in pods:
            self.assertRegex(p["metadata"]["name"], rf"^{name}-{SUFFIX}$")
            self.assertEqual(p["metadata"]["labels"]["pod-template-hash"], h)

        r = self.kubectl("get", "rs", "-n", ns)
        self.assertHeader(r, ["NAME", "DESIRED", "CURRENT", "READY", "AGE"])
        self.assertRow(r, name, [name, "3", "3"])

        self.wait_for_events(ns, {f"Scaled up replica set {name} from 0 to 3"})

        if not HOLLOW:
            return
        r = self.rollout_status(ns, "web")
        self.assertEqual(r.lines()[-1], 'deployment "web" successfully rolled out', str(r))
        r = self.kubectl("get", "deploy", "web", "-n", ns)
        self.assertRow(r, "web", ["web", "3/3", "3", "3"])
        d = self.deployment(ns, "web")
        self.assertEqual(self.condition(d, "Available")["reason"], "MinimumReplicasAvailable")
        prog = self.condition(d, "Progressing")
        self.assertEqual((prog["status"], prog["reason"], prog["message"]),
                         ("True", "NewReplicaSetAvailable",
                          f'ReplicaSet "{name}" has successfully progressed.'))

    def test_apply_and_image_change_respect_surge_and_unavailable(self):
        self.need_ready_pods()
        ns = self.make_ns("rolling")
        strategy = {"type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}
        r = self.apply(ns, manifest("web", replicas=4, strategy=strategy, probe=slow_ready(1)))
        self.assertEqual(r.out.strip(), "deployment.apps/web created")
        self.rollout_status(ns, "web")
        first = self.rs_by_revision(ns)[1]["metadata"]["name"]

        samples, stop = [], threading.Event()

        def sample():
            while not stop.is_set():
                try:
                    sets = self.replicasets(ns)
                    pods = [p for p in self.pods(ns) if not p["metadata"].get("deletionTimestamp")]
                except AssertionError:
                    continue
                ready = sum(1 for p in pods for c in p.get("status", {}).get("conditions", [])
                            if c["type"] == "Ready" and c["status"] == "True")
                samples.append((sum(rs["spec"]["replicas"] for rs in sets), len(pods), ready))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            r = self.apply(ns, manifest("web", replicas=4, strategy=strategy,
                                        probe=slow_ready(1), image="nginx:1.28"))
            self.assertEqual(r.out.strip(), "deployment.apps/web configured")
            status = self.rollout_status(ns, "web")
        finally:
            stop.set()
            sampler.join()
        self.assertEqual(status.lines()[-1], 'deployment "web" successfully rolled out')
        self.assertTrue(any(l.startswith('Waiting for deployment "web" rollout to finish')
                            for l in status.lines()), str(status))
        self.assertGreater(len(samples), 5)
        # replicas 4, maxSurge 1, maxUnavailable 1.
        for spec_total, pods, ready in samples:
            self.assertLessEqual(spec_total, 5, samples)
            self.assertLessEqual(pods, 5, samples)
            self.assertGreaterEqual(ready, 3, samples)

        sets = self.rs_by_revision(ns)
        self.assertEqual(sorted(sets), [1, 2])
        self.assertEqual(sets[1]["metadata"]["name"], first)
        self.assertEqual(sets[1]["spec"]["replicas"], 0)
        self.assertEqual(sets[2]["spec"]["replicas"], 4)
        second = sets[2]["metadata"]["name"]
        self.assertNotEqual(first, second)
        pods = self.wait_for("only new pods", lambda: (
            all(p["metadata"]["name"].startswith(second + "-") for p in self.pods(ns))
            and len(self.pods(ns)) == 4 and self.pods(ns)))
        r = self.kubectl("get", "rs,pods", "-n", ns)
        self.assertIn(f"replicaset.apps/{first}", r.out)
        self.assertIn(f"replicaset.apps/{second}", r.out)
        for p in pods:
            self.assertIn(f"pod/{p['metadata']['name']}", r.out)

        self.wait_for_events(ns, {f"Scaled up replica set {second} from 0 to 1",
                                  f"Scaled down replica set {first} from 1 to 0"})

    def test_scale_and_proportional_scaling_of_a_stuck_rollout(self):
        self.need_ready_pods()
        ns = self.make_ns("scale")
        strategy = {"type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}
        self.apply(ns, manifest("web", replicas=5, strategy=strategy))
        self.rollout_status(ns, "web")
        r = self.kubectl("scale", "deployment/web", "--replicas=10", "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web scaled")
        self.rollout_status(ns, "web")
        self.assertEqual(self.rs_by_revision(ns)[1]["spec"]["replicas"], 10)

        # A new template that never gets Ready: the rollout stops at old 8 / new 5.
        self.apply(ns, manifest("web", replicas=10, strategy=strategy, probe=NEVER_READY))

        def stuck():
            sets = self.rs_by_revision(ns)
            sizes = {rev: rs["spec"]["replicas"] for rev, rs in sets.items()}
            return sizes if sizes == {1: 8, 2: 5} else None
        self.wait_for("old 8 / new 5", stuck, timeout=60)
        time.sleep(1)
        self.assertEqual(stuck(), {1: 8, 2: 5}, "the stuck rollout must stay put")

        # Scaling mid-rollout is proportional: 8 + round(20*8/13), 5 + round(20*5/13).
        self.kubectl("scale", "deployment/web", "--replicas=30", "-n", ns)

        def scaled():
            sizes = {rev: rs["spec"]["replicas"] for rev, rs in self.rs_by_revision(ns).items()}
            return sizes if sizes == {1: 20, 2: 13} else None
        self.wait_for("old 20 / new 13", scaled, timeout=30)
        for rs in self.replicasets(ns):
            ann = rs["metadata"]["annotations"]
            self.assertEqual(ann["deployment.kubernetes.io/desired-replicas"], "30")
            self.assertEqual(ann["deployment.kubernetes.io/max-replicas"], "33")

    def test_never_ready_rollout_keeps_old_pods_and_exceeds_deadline(self):
        self.need_ready_pods()
        ns = self.make_ns("stall")
        self.apply(ns, manifest("web", replicas=3, extra_spec={"progressDeadlineSeconds": 8}))
        self.rollout_status(ns, "web")
        old = self.rs_by_revision(ns)[1]["metadata"]["name"]

        self.apply(ns, manifest("web", replicas=3, probe=NEVER_READY,
                                extra_spec={"progressDeadlineSeconds": 8}))
        d = self.wait_observed(ns, "web", lambda d: d["status"].get("updatedReplicas") == 1,
                               "one new replica")
        new = self.rs_by_revision(ns)[2]["metadata"]["name"]
        r = self.status_once(ns, "web")
        self.assertEqual(r.out.strip(), 'Waiting for deployment "web" rollout to finish: '
                                        '1 out of 3 new replicas have been updated...', str(r))

        r = self.rollout_status(ns, "web", timeout=60, check=False)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertEqual(r.err.strip(), 'error: deployment "web" exceeded its progress deadline',
                         str(r))
        self.assertIn('Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas '
                      'have been updated...', r.out)

        d = self.deployment(ns, "web")
        prog = self.condition(d, "Progressing")
        self.assertEqual((prog["status"], prog["reason"], prog["message"]),
                         ("False", "ProgressDeadlineExceeded",
                          f'ReplicaSet "{new}" has timed out progressing.'))
        self.assertEqual(self.condition(d, "Available")["status"], "True")
        # The old pods were never taken away.
        sets = self.rs_by_revision(ns)
        self.assertEqual(sets[1]["metadata"]["name"], old)
        self.assertEqual((sets[1]["spec"]["replicas"], sets[1]["status"].get("readyReplicas")),
                         (3, 3))
        self.assertEqual(sets[2]["spec"]["replicas"], 1)
        st = d["status"]
        self.assertEqual((st["replicas"], st["updatedReplicas"], st.get("readyReplicas"),
                          st.get("availableReplicas"), st.get("unavailableReplicas")),
                         (4, 1, 3, 3, 1))

    def test_rollout_status_messages(self):
        self.need_ready_pods()
        ns = self.make_ns("messages")
        # Surge 100%: the new set gets all 3 replicas at once; never Ready, so the 3 old ones
        # stay: "old replicas are pending termination".
        strategy = {"type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "100%", "maxUnavailable": 0}}
        self.apply(ns, manifest("surge", strategy=strategy))
        self.rollout_status(ns, "surge")
        self.apply(ns, manifest("surge", strategy=strategy, probe=NEVER_READY))
        self.wait_observed(ns, "surge", lambda d: d["status"].get("updatedReplicas") == 3 and
                           d["status"].get("replicas") == 6, "3 new + 3 old replicas")
        r = self.status_once(ns, "surge")
        self.assertEqual(r.out.strip(), 'Waiting for deployment "surge" rollout to finish: '
                                        '3 old replicas are pending termination...', str(r))

        # Recreate: the old pods go first; the new ones never get Ready.
        self.apply(ns, manifest("recreate", strategy={"type": "Recreate"}))
        self.rollout_status(ns, "recreate")
        self.apply(ns, manifest("recreate", strategy={"type": "Recreate"}, probe=NEVER_READY))
        self.wait_observed(ns, "recreate", lambda d: d["status"].get("updatedReplicas") == 3 and
                           d["status"].get("replicas") == 3, "3 new replicas only")
        r = self.status_once(ns, "recreate")
        self.assertEqual(r.out.strip(), 'Waiting for deployment "recreate" rollout to finish: '
                                        '0 of 3 updated replicas are available...', str(r))
        sizes = sorted(rs["spec"]["replicas"] for rs in self.replicasets(ns))
        self.assertEqual(sizes, [0, 3, 3, 3])  # surge: old 3 + new 3; recreate: old 0 + new 3

    def test_rollout_undo_history_and_revisions(self):
        ns = self.make_ns("undo")
        self.apply(ns, manifest("web", annotations={"kubernetes.io/change-cause": "v1"}))
        self.wait_for("revision 1", lambda: 1 in self.rs_by_revision(ns))
        self.apply(ns, manifest("web", image="nginx:1.28",
                                annotations={"kubernetes.io/change-cause": "v2"}))
        self.wait_for("revision 2", lambda: 2 in self.rs_by_revision(ns))
        self.wait_for("change-cause v2 on revision 2", lambda: self.rs_by_revision(ns)[2][
            "metadata"]["annotations"].get("kubernetes.io/change-cause") == "v2")
        r = self.kubectl("rollout", "history", "deployment/web", "-n", ns)
        self.assertEqual(self.history(r), ["deployment.apps/web", "REVISION  CHANGE-CAUSE",
                                            "1         v1", "2         v2"], str(r))
        first = self.rs_by_revision(ns)[1]["metadata"]["name"]

        r = self.kubectl("rollout", "undo", "deployment/web", "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web rolled back")
        self.wait_for("revision 3", lambda: 3 in self.rs_by_revision(ns))
        sets = self.rs_by_revision(ns)
        self.assertEqual(sorted(sets), [2, 3])
        self.assertEqual(sets[3]["metadata"]["name"], first)  # the same set, renumbered
        self.assertEqual(sets[3]["metadata"]["annotations"][
            "deployment.kubernetes.io/revision-history"], "1")
        self.wait_for("deployment revision 3", lambda: self.deployment(ns, "web")["metadata"][
            "annotations"].get(REVISION) == "3")
        image = self.deployment(ns, "web")["spec"]["template"]["spec"]["containers"][0]["image"]
        self.assertEqual(image, "nginx:1.27")
        r = self.kubectl("rollout", "history", "deployment/web", "-n", ns)
        self.assertEqual(self.history(r), ["deployment.apps/web", "REVISION  CHANGE-CAUSE",
                                            "2         v2", "3         v1"], str(r))
        r = self.kubectl("rollout", "history", "deployment/web", "-n", ns, "--revision=2")
        self.assertIn("nginx:1.28", r.out)

        r = self.kubectl("rollout", "undo", "deployment/web", "-n", ns, "--to-revision=2")
        self.assertEqual(r.out.strip(), "deployment.apps/web rolled back")
        self.wait_for("revision 4", lambda: sorted(self.rs_by_revision(ns)) == [3, 4])
        self.assertEqual(self.rs_by_revision(ns)[4]["metadata"]["annotations"][
            "deployment.kubernetes.io/revision-history"], "2")
        r = self.kubectl("rollout", "undo", "deployment/web", "-n", ns, "--to-revision=9",
                         check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("unable to find specified revision 9 in history", r.err)

    def test_rollout_restart_and_pause(self):
        ns = self.make_ns("restart")
        self.apply(ns, manifest("web", replicas=2))
        self.wait_for("revision 1", lambda: 1 in self.rs_by_revision(ns))
        if HOLLOW:
            self.rollout_status(ns, "web")
        r = self.kubectl("rollout", "restart", "deployment/web", "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web restarted")
        self.wait_for("revision 2", lambda: 2 in self.rs_by_revision(ns))
        tmpl = self.rs_by_revision(ns)[2]["spec"]["template"]
        self.assertIn("kubectl.kubernetes.io/restartedAt", tmpl["metadata"]["annotations"])
        if HOLLOW:
            self.rollout_status(ns, "web")
            sets = self.rs_by_revision(ns)
            self.assertEqual((sets[1]["spec"]["replicas"], sets[2]["spec"]["replicas"]), (0, 2))

        # Paused: a template change starts no rollout; resuming does.
        r = self.kubectl("rollout", "pause", "deployment/web", "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web paused")
        self.wait_observed(ns, "web", lambda d: (self.condition(d, "Progressing") or {}).get(
            "reason") == "DeploymentPaused", "the DeploymentPaused condition")
        self.kubectl("set", "image", "deployment/web", "web=nginx:1.29", "-n", ns)
        self.wait_observed(ns, "web", lambda d: True, "the paused template change observed")
        self.assertEqual(sorted(self.rs_by_revision(ns)), [1, 2])
        r = self.kubectl("rollout", "resume", "deployment/web", "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web resumed")
        self.wait_for("revision 3", lambda: 3 in self.rs_by_revision(ns))

    def test_revision_history_limit_deletes_old_replica_sets(self):
        self.need_ready_pods()
        ns = self.make_ns("history")
        self.apply(ns, manifest("web", replicas=1, extra_spec={"revisionHistoryLimit": 1}))
        self.rollout_status(ns, "web")
        for image in ("nginx:2", "nginx:3", "nginx:4"):
            self.kubectl("set", "image", "deployment/web", f"web={image}", "-n", ns)
            self.rollout_status(ns, "web")
        self.wait_for("revisions 3 and 4 only",
                      lambda: sorted(self.rs_by_revision(ns)) == [3, 4], timeout=30)
        r = self.kubectl("rollout", "history", "deployment/web", "-n", ns)
        self.assertEqual([l.split()[0] for l in self.history(r)[2:]], ["3", "4"], str(r))

    def test_delete_cascades_and_orphans(self):
        ns = self.make_ns("delete")
        self.apply(ns, manifest("gone", replicas=2))
        self.wait_for("2 pods", lambda: len(self.pods(ns)) == 2)
        r = self.kubectl("delete", "deployment", "gone", "-n", ns)
        self.assertEqual(r.out.strip(), 'deployment.apps "gone" deleted')
        self.wait_for("ReplicaSets gone", lambda: not self.replicasets(ns), timeout=30)
        self.wait_for("pods gone", lambda: not self.pods(ns), timeout=30)

        self.apply(ns, manifest("kept", replicas=2))
        self.wait_for("2 pods", lambda: len(self.pods(ns)) == 2)
        rs = self.replicasets(ns)[0]
        r = self.kubectl("delete", "deployment", "kept", "--cascade=orphan", "-n", ns)
        self.assertEqual(r.out.strip(), 'deployment.apps "kept" deleted')
        self.assertGone(self.apps(ns, "deployments", "kept"), timeout=30)
        orphan = self.wait_for("the ReplicaSet orphaned", lambda: [
            x for x in self.replicasets(ns) if not x["metadata"].get("ownerReferences")])
        self.assertEqual(orphan[0]["metadata"]["uid"], rs["metadata"]["uid"])
        time.sleep(1)
        self.assertEqual(len(self.pods(ns)), 2)
        self.assertEqual(len(self.replicasets(ns)), 1)

        # The same Deployment again adopts the very same ReplicaSet.
        self.apply(ns, manifest("kept", replicas=2))
        adopted = self.wait_for("the ReplicaSet adopted", lambda: [
            x for x in self.replicasets(ns) if x["metadata"].get("ownerReferences")])
        self.assertEqual(adopted[0]["metadata"]["uid"], rs["metadata"]["uid"])
        self.assertEqual(len(self.replicasets(ns)), 1)


if __name__ == "__main__":
    harness.main()
