#!/usr/bin/python3
"""Storage end to end on `skiff server --hollow-nodes 3`: the default StorageClass `local-path`
(WaitForFirstConsumer), the PV binder, the local-path provisioner (volumes under
<data-dir>/storage), the scheduler's volume binding, reclaim policies and the protection
finalizers, read by the real kubectl and Debian's python3-kubernetes 22.6."""

import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ServerTestCase, tables  # noqa: E402

try:
    from kubernetes import client, config
except ImportError:  # pragma: no cover
    sys.exit("run with /usr/bin/python3: it has Debian's python3-kubernetes")

PV_HEADER = ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM",
             "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]
PVC_HEADER = ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
              "VOLUMEATTRIBUTESCLASS", "AGE"]
SC_HEADER = ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION",
             "AGE"]
AGE = re.compile(r"\d+[smhd]\S*")


def claim(name, size="1Gi", modes=("ReadWriteOnce",), storage_class=None):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    return json.dumps({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                       "metadata": {"name": name}, "spec": spec})


def pod_spec(claim_name):
    return {"containers": [{"name": "app", "image": "busybox:1.37",
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}]}


def pod(name, claim_name):
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                       "spec": pod_spec(claim_name)})


class VolumeTest(ServerTestCase):
    server_args = ("--hollow-nodes", "3")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api = config.new_client_from_config(config_file=cls.server.kubeconfig)
        cls.core = client.CoreV1Api(cls.api)
        cls.storage = client.StorageV1Api(cls.api)

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.wait_for("3 hollow nodes", lambda: len(self.get_obj("/api/v1/nodes")["items"]) >= 3,
                      timeout=30)

    # ------------------------------------------------------------ helpers

    def apply(self, ns, text, name):
        self.kubectl("apply", "-n", ns, "-f", self.write_file(f"{ns}-{name}.json", text))

    def pvc(self, ns, name):
        return self.get_obj(f"/api/v1/namespaces/{ns}/persistentvolumeclaims/{name}")

    def pv(self, name):
        return self.get_obj(f"/api/v1/persistentvolumes/{name}")

    def pod_obj(self, ns, name):
        return self.get_obj(f"/api/v1/namespaces/{ns}/pods/{name}")

    def wait_bound(self, ns, name, timeout=30):
        return self.wait_for(f"claim {ns}/{name} Bound",
                             lambda: (lambda c: c if c.get("status", {}).get("phase") == "Bound"
                                      else None)(self.pvc(ns, name)), timeout=timeout)

    def wait_running(self, ns, name, timeout=30):
        return self.wait_for(f"pod {ns}/{name} Running",
                             lambda: (lambda p: p if p.get("status", {}).get("phase") == "Running"
                                      else None)(self.pod_obj(ns, name)), timeout=timeout)

    def events(self, ns, name):
        items = self.get_obj(f"/api/v1/namespaces/{ns}/events")["items"]
        found = [e for e in items if e["involvedObject"]["name"] == name]
        found.sort(key=lambda e: e["metadata"]["name"])  # <object>.<hex creation time>
        return [(e["reason"], e["message"]) for e in found]

    def storage_dir(self, pv_name):
        return self.server.data_dir / "storage" / pv_name

    def volumes_of(self, ns, claim_name):
        items = self.get_obj("/api/v1/persistentvolumes")["items"]
        return [v for v in items if (v["spec"].get("claimRef") or {}).get("name") == claim_name
                and v["spec"]["claimRef"].get("namespace") == ns]

    # ------------------------------------------------------------ the default class

    def test_default_storage_class(self):
        r = self.kubectl("get", "storageclass")
        self.assertHeader(r, SC_HEADER)
        self.assertRow(r, "local-path (default)", ["local-path (default)", "rancher.io/local-path",
                                                   "Delete", "WaitForFirstConsumer", "false", AGE])
        sc = self.storage.read_storage_class("local-path")
        self.assertEqual(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"],
                         "true")
        self.assertEqual((sc.provisioner, sc.reclaim_policy, sc.volume_binding_mode),
                         ("rancher.io/local-path", "Delete", "WaitForFirstConsumer"))

    # ------------------------------------------------------------ dynamic provisioning

    def test_claim_waits_for_its_first_consumer_then_binds_on_its_node(self):
        ns = self.make_ns("wffc")
        self.apply(ns, claim("data", size="2Gi"), "data")
        pvc = self.pvc(ns, "data")
        self.assertEqual(pvc["spec"]["storageClassName"], "local-path")
        self.assertEqual(pvc["metadata"]["finalizers"], ["kubernetes.io/pvc-protection"])
        self.wait_for("the WaitForFirstConsumer event", lambda: (
            "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
            in self.events(ns, "data"))
        time.sleep(1)
        pvc = self.pvc(ns, "data")
        self.assertEqual(pvc["status"]["phase"], "Pending")
        self.assertNotIn("volumeName", pvc["spec"])
        self.assertEqual(self.volumes_of(ns, "data"), [])

        self.apply(ns, pod("writer", "data"), "writer")
        node = self.wait_running(ns, "writer")["spec"]["nodeName"]
        pvc = self.wait_bound(ns, "data")
        pv_name = "pvc-" + pvc["metadata"]["uid"]
        self.assertEqual(pvc["spec"]["volumeName"], pv_name)
        self.assertEqual(pvc["metadata"]["annotations"]["volume.kubernetes.io/selected-node"],
                         node)
        self.assertEqual(pvc["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"], "yes")
        self.assertEqual(pvc["status"]["capacity"], {"storage": "2Gi"})

        pv = self.pv(pv_name)
        self.assertEqual(pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"],
                         "rancher.io/local-path")
        self.assertEqual(pv["metadata"]["finalizers"], ["kubernetes.io/pv-protection"])
        self.assertEqual(pv["spec"]["nodeAffinity"], {"required": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In",
                                   "values": [node]}]}]}})
        self.assertEqual(pv["spec"]["hostPath"]["path"], str(self.storage_dir(pv_name)))
        self.assertTrue(self.storage_dir(pv_name).is_dir())
        self.assertEqual((pv["spec"]["claimRef"]["namespace"], pv["spec"]["claimRef"]["name"],
                          pv["spec"]["claimRef"]["uid"]), (ns, "data", pvc["metadata"]["uid"]))
        self.assertEqual(pv["spec"]["persistentVolumeReclaimPolicy"], "Delete")
        self.assertEqual(pv["status"]["phase"], "Bound")

        reasons = [reason for reason, _ in self.events(ns, "data")]
        for want in ("WaitForFirstConsumer", "ExternalProvisioning", "Provisioning",
                     "ProvisioningSucceeded"):
            self.assertIn(want, reasons)
        self.assertIn(("ProvisioningSucceeded", f"Successfully provisioned volume {pv_name}"),
                      self.events(ns, "data"))

        r = self.kubectl("get", "pvc", "data", "-n", ns)
        self.assertHeader(r, PVC_HEADER)
        self.assertRow(r, "data", ["data", "Bound", pv_name, "2Gi", "RWO", "local-path",
                                   "<unset>", AGE])
        r = self.kubectl("get", "pv", pv_name)
        self.assertHeader(r, PV_HEADER)
        self.assertRow(r, pv_name, [pv_name, "2Gi", "RWO", "Delete", "Bound", f"{ns}/data",
                                    "local-path", "<unset>", AGE])

        # A second pod of the ReadWriteOnce claim goes where the volume lives.
        self.apply(ns, pod("reader", "data"), "reader")
        self.assertEqual(self.wait_running(ns, "reader")["spec"]["nodeName"], node)

    def test_deployment_shares_one_read_write_many_volume(self):
        ns = self.make_ns("rwx")
        self.apply(ns, claim("shared", modes=("ReadWriteMany",)), "shared")
        deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": pod_spec("shared")}}}
        self.apply(ns, json.dumps(deploy), "web")
        pods = self.wait_for("3 running pods", lambda: (lambda ps: ps if len(ps) == 3 and all(
            p["status"].get("phase") == "Running" for p in ps) else None)(
                self.get_obj(f"/api/v1/namespaces/{ns}/pods")["items"]), timeout=60)
        for p in pods:
            self.assertEqual(p["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
                             "shared")
        pvc = self.wait_bound(ns, "shared")
        volumes = self.volumes_of(ns, "shared")
        self.assertEqual([v["metadata"]["name"] for v in volumes], [pvc["spec"]["volumeName"]])
        self.assertEqual(volumes[0]["spec"]["accessModes"], ["ReadWriteMany"])
        self.assertNotIn("nodeAffinity", volumes[0]["spec"])
        r = self.kubectl("get", "pvc", "shared", "-n", ns)
        self.assertRow(r, "shared", ["shared", "Bound", pvc["spec"]["volumeName"], "1Gi", "RWX",
                                     "local-path"])

    def test_delete_policy_removes_the_volume_and_its_directory(self):
        ns = self.make_ns("reclaim-delete")
        self.apply(ns, claim("scratch"), "scratch")
        self.apply(ns, pod("user", "scratch"), "user")
        self.wait_running(ns, "user")
        pv_name = self.wait_bound(ns, "scratch")["spec"]["volumeName"]
        (self.storage_dir(pv_name) / "data.txt").write_text("hello")
        self.kubectl("delete", "pod", "user", "-n", ns)
        self.kubectl("delete", "pvc", "scratch", "-n", ns, "--timeout=30s")
        self.assertGone(f"/api/v1/persistentvolumes/{pv_name}", timeout=30)
        self.assertFalse(self.storage_dir(pv_name).exists())

    # ------------------------------------------------------------ static volumes

    def test_static_volume_binds_and_is_retained(self):
        ns = self.make_ns("static")
        disk = self.run_dir / "static-disk"
        disk.mkdir()
        (disk / "keep.txt").write_text("precious")
        pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "static-pv"},
              "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"],
                       "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual",
                       "hostPath": {"path": str(disk)}}}
        self.kubectl("apply", "-f", self.write_file("static-pv.json", json.dumps(pv)))
        self.wait_for("static-pv Available",
                      lambda: self.pv("static-pv")["status"].get("phase") == "Available")
        r = self.kubectl("get", "pv", "static-pv")
        self.assertRow(r, "static-pv", ["static-pv", "5Gi", "RWO", "Retain", "Available", "manual",
                                        "<unset>", AGE])

        self.apply(ns, claim("static-claim", size="3Gi", storage_class="manual"), "static-claim")
        pvc = self.wait_bound(ns, "static-claim")
        self.assertEqual(pvc["spec"]["volumeName"], "static-pv")
        self.assertEqual(pvc["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"],
                         "yes")
        self.assertEqual(pvc["status"]["capacity"], {"storage": "5Gi"})
        r = self.kubectl("get", "pv,pvc", "-n", ns)
        (pv_header, pv_rows), (pvc_header, pvc_rows) = tables(r.out)
        self.assertEqual(pv_header, PV_HEADER)
        self.assertEqual(pvc_header, PVC_HEADER)
        self.assertIn(["persistentvolume/static-pv", "5Gi", "RWO", "Retain", "Bound",
                       f"{ns}/static-claim", "manual", "<unset>"],
                      [row[:8] for row in pv_rows])
        self.assertEqual(pvc_rows[0][:7], ["persistentvolumeclaim/static-claim", "Bound",
                                           "static-pv", "5Gi", "RWO", "manual", "<unset>"])

        self.kubectl("delete", "pvc", "static-claim", "-n", ns, "--timeout=30s")
        self.wait_for("static-pv Released",
                      lambda: self.pv("static-pv")["status"].get("phase") == "Released")
        r = self.kubectl("get", "pv", "static-pv")
        self.assertRow(r, "static-pv", ["static-pv", "5Gi", "RWO", "Retain", "Released",
                                        f"{ns}/static-claim", "manual", "<unset>"])
        time.sleep(1)
        self.assertEqual(self.pv("static-pv")["status"]["phase"], "Released")
        self.assertEqual((disk / "keep.txt").read_text(), "precious")

    # ------------------------------------------------------------ protection

    def test_claim_in_use_stays_terminating_until_its_pod_is_gone(self):
        ns = self.make_ns("protect")
        self.apply(ns, claim("held"), "held")
        self.apply(ns, pod("holder", "held"), "holder")
        self.wait_running(ns, "holder")
        pv_name = self.wait_bound(ns, "held")["spec"]["volumeName"]
        self.kubectl("delete", "pvc", "held", "-n", ns, "--wait=false")
        time.sleep(1)
        pvc = self.pvc(ns, "held")
        self.assertIn("deletionTimestamp", pvc["metadata"])
        self.assertEqual(pvc["metadata"]["finalizers"], ["kubernetes.io/pvc-protection"])
        r = self.kubectl("get", "pvc", "held", "-n", ns)
        self.assertRow(r, "held", ["held", "Terminating", pv_name, "1Gi", "RWO", "local-path"])
        self.assertEqual(self.pv(pv_name)["status"]["phase"], "Bound")

        self.kubectl("delete", "pod", "holder", "-n", ns)
        self.assertGone(f"/api/v1/namespaces/{ns}/persistentvolumeclaims/held", timeout=30)
        self.assertGone(f"/api/v1/persistentvolumes/{pv_name}", timeout=30)

    def test_pod_with_a_missing_claim_is_unschedulable(self):
        ns = self.make_ns("missing")
        self.apply(ns, pod("orphan", "nope"), "orphan")
        want = ('0/3 nodes are available: persistentvolumeclaim "nope" not found. preemption: '
                '0/3 nodes are available: 3 Preemption is not helpful for scheduling.')
        self.wait_for("FailedScheduling", lambda: ("FailedScheduling", want)
                      in self.events(ns, "orphan"))
        # The claim appears: the pod is scheduled and its volume provisioned.
        self.apply(ns, claim("nope"), "nope")
        self.wait_running(ns, "orphan")
        self.wait_bound(ns, "nope")

    # ------------------------------------------------------------ python client

    def test_python_client_lists_volumes_claims_and_classes(self):
        ns = self.make_ns("pyclient")
        self.apply(ns, claim("py"), "py")
        self.apply(ns, pod("pyuser", "py"), "pyuser")
        pvc = self.wait_bound(ns, "py")
        claims = self.core.list_namespaced_persistent_volume_claim(ns).items
        self.assertEqual([(c.metadata.name, c.status.phase, c.spec.volume_name,
                           c.spec.storage_class_name, c.status.access_modes,
                           c.status.capacity) for c in claims],
                         [("py", "Bound", pvc["spec"]["volumeName"], "local-path",
                           ["ReadWriteOnce"], {"storage": "1Gi"})])
        volumes = {v.metadata.name: v for v in self.core.list_persistent_volume().items}
        v = volumes[pvc["spec"]["volumeName"]]
        self.assertEqual((v.status.phase, v.spec.claim_ref.namespace, v.spec.claim_ref.name,
                          v.spec.persistent_volume_reclaim_policy, v.spec.storage_class_name,
                          v.spec.capacity, v.spec.volume_mode),
                         ("Bound", ns, "py", "Delete", "local-path", {"storage": "1Gi"},
                          "Filesystem"))
        self.assertEqual(v.spec.host_path.path, str(self.storage_dir(v.metadata.name)))
        term = v.spec.node_affinity.required.node_selector_terms[0].match_expressions[0]
        self.assertEqual((term.key, term.operator, term.values),
                         ("kubernetes.io/hostname", "In",
                          [self.pod_obj(ns, "pyuser")["spec"]["nodeName"]]))
        classes = {c.metadata.name: c for c in self.storage.list_storage_class().items}
        self.assertEqual(classes["local-path"].volume_binding_mode, "WaitForFirstConsumer")


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
