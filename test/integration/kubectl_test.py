#!/usr/bin/python3
"""The real kubectl (the gcloud dispatcher, and kubectl 1.28 / 1.30 / 1.33 directly) against a
live skiff server: what it prints must be what it prints against Kubernetes."""

import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import manifests as m  # noqa: E402
from harness import ServerTestCase, table, tables  # noqa: E402

APPS = "/apis/apps/v1/namespaces/{ns}"
CORE = "/api/v1/namespaces/{ns}"


def workload_paths(ns):
    return {
        "deployment.apps/web": f"{APPS.format(ns=ns)}/deployments/web",
        "statefulset.apps/db": f"{APPS.format(ns=ns)}/statefulsets/db",
        "daemonset.apps/agent": f"{APPS.format(ns=ns)}/daemonsets/agent",
        "persistentvolumeclaim/data": f"{CORE.format(ns=ns)}/persistentvolumeclaims/data",
        "configmap/settings": f"{CORE.format(ns=ns)}/configmaps/settings",
    }


def tag(version):
    return "dispatcher" if version is None else version.replace(".", "-")


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
DEPLOY_HEADER = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]

# Conflict after `kubectl scale`, as Kubernetes words it.
# The manager of `kubectl scale` is its user agent's program name ("kubectl", "kubectl.1.30").
SSA_CONFLICT = re.compile(r'Apply failed with 1 conflict: conflict with "kubectl[^"]*" '
                          r'with subresource "scale" using apps/v1: \.spec\.replicas')


class ApplyAcrossVersionsTest(ServerTestCase):
    """apply / apply --server-side / get with each kubectl version, each with a cold cache."""

    # Workload controllers write status; these tests count writes made by kubectl alone.
    server_args = ("--controllers", "garbagecollector,namespace")

    def _client_side_apply(self, version):
        self.fresh_home()
        ns = self.make_ns("csa-" + tag(version))
        paths = workload_paths(ns)

        first = self.write_file(f"{ns}-1.yaml", m.workloads())
        r = self.kubectl("apply", "-f", first, "-n", ns, version=version)
        self.assertEqual(r.lines(), [f"{n} created" for n in m.WORKLOAD_NAMES], str(r))
        for name, path in paths.items():
            obj = self.get_obj(path)
            self.assertIn(LAST_APPLIED, obj["metadata"].get("annotations", {}),
                          f"{name} lacks the last-applied annotation: {json.dumps(obj)}")

        changed = self.write_file(f"{ns}-2.yaml", m.workloads(
            image="nginx:1.28", sts_replicas=2, ds_image="busybox:1.37", pvc_tier="fast",
            cm_mode="two"))
        r = self.kubectl("apply", "-f", changed, "-n", ns, version=version)
        self.assertEqual(r.lines(), [f"{n} configured" for n in m.WORKLOAD_NAMES], str(r))
        dep = self.get_obj(paths["deployment.apps/web"])
        self.assertEqual(dep["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.28")
        self.assertEqual(dep["metadata"]["generation"], 2, json.dumps(dep["metadata"]))
        sts = self.get_obj(paths["statefulset.apps/db"])
        self.assertEqual(sts["spec"]["replicas"], 2)
        ds = self.get_obj(paths["daemonset.apps/agent"])
        self.assertEqual(ds["spec"]["template"]["spec"]["containers"][0]["image"], "busybox:1.37")
        pvc = self.get_obj(paths["persistentvolumeclaim/data"])
        self.assertEqual(pvc["metadata"]["labels"], {"tier": "fast"})
        cm = self.get_obj(paths["configmap/settings"])
        self.assertEqual(cm["data"], {"mode": "two"})

        rvs = {n: self.get_obj(p)["metadata"]["resourceVersion"] for n, p in paths.items()}
        r = self.kubectl("apply", "-f", changed, "-n", ns, version=version)
        self.assertEqual(r.lines(), [f"{n} unchanged" for n in m.WORKLOAD_NAMES], str(r))
        after = {n: self.get_obj(p)["metadata"]["resourceVersion"] for n, p in paths.items()}
        self.assertEqual(after, rvs, "an unchanged apply must not write")

        r = self.kubectl("get", "deployments", "-n", ns, version=version)
        self.assertHeader(r, DEPLOY_HEADER)
        self.assertRow(r, "web", ["web", re.compile(r"\d+/2")])
        r = self.kubectl("get", "sts,ds,pvc,cm", "-n", ns, version=version)
        headers = [h for h, _ in tables(r.out)]
        self.assertEqual(headers[:3], [
            ["NAME", "READY", "AGE"],
            ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR",
             "AGE"],
            ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
             "VOLUMEATTRIBUTESCLASS", "AGE"]], str(r))
        self.assertEqual(headers[3], ["NAME", "DATA", "AGE"], str(r))
        names = [row[0] for _, rows in tables(r.out) for row in rows]
        for want in ["statefulset.apps/db", "daemonset.apps/agent", "persistentvolumeclaim/data",
                     "configmap/settings"]:
            self.assertIn(want, names, str(r))

    def _server_side_apply(self, version):
        self.fresh_home()
        ns = self.make_ns("ssa-" + tag(version))
        path = f"{APPS.format(ns=ns)}/deployments/ssa"

        f1 = self.write_file(f"{ns}-1.yaml", m.deployment("ssa", replicas=2))
        r = self.kubectl("apply", "--server-side", "-f", f1, "-n", ns, version=version)
        self.assertEqual(r.lines(), ["deployment.apps/ssa serverside-applied"], str(r))
        obj = self.get_obj(path)
        managers = [(e.get("manager"), e.get("operation"))
                    for e in obj["metadata"].get("managedFields", [])]
        self.assertIn(("kubectl", "Apply"), managers, json.dumps(obj["metadata"]))
        self.assertNotIn(LAST_APPLIED, obj["metadata"].get("annotations", {}))

        f2 = self.write_file(f"{ns}-2.yaml", m.deployment("ssa", replicas=2, image="nginx:1.28"))
        r = self.kubectl("apply", "--server-side", "-f", f2, "-n", ns, version=version)
        self.assertEqual(r.lines(), ["deployment.apps/ssa serverside-applied"], str(r))
        obj = self.get_obj(path)
        self.assertEqual(obj["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.28")

        r = self.kubectl("scale", "deployment", "ssa", "--replicas=5", "-n", ns, version=version)
        self.assertEqual(r.lines(), ["deployment.apps/ssa scaled"], str(r))
        self.assertEqual(self.get_obj(path)["spec"]["replicas"], 5)

        r = self.kubectl("apply", "--server-side", "-f", f2, "-n", ns, version=version,
                         check=False)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertRegex(r.err, SSA_CONFLICT, str(r))
        self.assertIn("--force-conflicts", r.err, str(r))
        self.assertEqual(self.get_obj(path)["spec"]["replicas"], 5, "a conflict must not write")

        r = self.kubectl("apply", "--server-side", "--force-conflicts", "-f", f2, "-n", ns,
                         version=version)
        self.assertEqual(r.lines(), ["deployment.apps/ssa serverside-applied"], str(r))
        self.assertEqual(self.get_obj(path)["spec"]["replicas"], 2)


for _v in (None, "1.28", "1.30", "1.33"):
    _t = tag(_v).replace("-", "_")
    setattr(ApplyAcrossVersionsTest, f"test_client_side_apply_{_t}",
            lambda self, v=_v: self._client_side_apply(v))
    setattr(ApplyAcrossVersionsTest, f"test_server_side_apply_{_t}",
            lambda self, v=_v: self._server_side_apply(v))


# (resource, default header, -o wide header)
HEADERS = [
    ("deployments", DEPLOY_HEADER, DEPLOY_HEADER + ["CONTAINERS", "IMAGES", "SELECTOR"]),
    ("replicasets", ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
     ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]),
    ("statefulsets", ["NAME", "READY", "AGE"], ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]),
    ("daemonsets",
     ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
     ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE",
      "CONTAINERS", "IMAGES", "SELECTOR"]),
    ("pods", ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
     ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
      "READINESS GATES"]),
    ("persistentvolumeclaims",
     ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
      "VOLUMEATTRIBUTESCLASS", "AGE"],
     ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
      "VOLUMEATTRIBUTESCLASS", "AGE", "VOLUMEMODE"]),
    ("configmaps", ["NAME", "DATA", "AGE"], ["NAME", "DATA", "AGE"]),
    ("secrets", ["NAME", "TYPE", "DATA", "AGE"], ["NAME", "TYPE", "DATA", "AGE"]),
    ("services", ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
     ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]),
    ("serviceaccounts", ["NAME", "SECRETS", "AGE"], ["NAME", "SECRETS", "AGE"]),
    ("endpoints", ["NAME", "ENDPOINTS", "AGE"], ["NAME", "ENDPOINTS", "AGE"]),
    ("replicationcontrollers", ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
     ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]),
    ("controllerrevisions", ["NAME", "CONTROLLER", "REVISION", "AGE"],
     ["NAME", "CONTROLLER", "REVISION", "AGE"]),
    ("poddisruptionbudgets",
     ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"],
     ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"]),
    ("leases", ["NAME", "HOLDER", "AGE"], ["NAME", "HOLDER", "AGE"]),
    ("events", ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
     ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN",
      "COUNT", "NAME"]),
]
CLUSTER_HEADERS = [
    ("nodes", ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
     ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE",
      "KERNEL-VERSION", "CONTAINER-RUNTIME"]),
    ("namespaces", ["NAME", "STATUS", "AGE"], ["NAME", "STATUS", "AGE"]),
    ("persistentvolumes",
     ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
      "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"],
     ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
      "VOLUMEATTRIBUTESCLASS", "REASON", "AGE", "VOLUMEMODE"]),
    ("storageclasses",
     ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"],
     ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION",
      "AGE"]),
]


class KubectlCommandsTest(ServerTestCase):
    """Everyday kubectl commands through the dispatcher (which must pick kubectl 1.32)."""

    def apply(self, ns, text, name, *extra):
        f = self.write_file(f"{ns}-{name}.yaml", text)
        return self.kubectl("apply", "-f", f, "-n", ns, *extra)

    def deploy(self, ns, name):
        return self.get_obj(f"{APPS.format(ns=ns)}/deployments/{name}")

    # ------------------------------------------------------------ version / discovery

    def test_dispatcher_runs_kubectl_1_32(self):
        r = self.kubectl("version", "-o", "json")
        v = json.loads(r.out)
        self.assertTrue(v["clientVersion"]["gitVersion"].startswith("v1.32."), str(r))
        self.assertEqual((v["serverVersion"]["major"], v["serverVersion"]["minor"]), ("1", "32"),
                         str(r))
        self.assertTrue(v["serverVersion"]["gitVersion"].startswith("v1.32."), str(r))

    def test_api_resources(self):
        r = self.kubectl("api-resources")
        self.assertHeader(r, ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"])
        _, rows = table(r.out)
        for want in (["deployments", "deploy", "apps/v1", "true", "Deployment"],
                     ["statefulsets", "sts", "apps/v1", "true", "StatefulSet"],
                     ["daemonsets", "ds", "apps/v1", "true", "DaemonSet"],
                     ["replicasets", "rs", "apps/v1", "true", "ReplicaSet"],
                     ["pods", "po", "v1", "true", "Pod"],
                     ["nodes", "no", "v1", "false", "Node"],
                     ["namespaces", "ns", "v1", "false", "Namespace"],
                     ["configmaps", "cm", "v1", "true", "ConfigMap"],
                     ["persistentvolumeclaims", "pvc", "v1", "true", "PersistentVolumeClaim"],
                     ["persistentvolumes", "pv", "v1", "false", "PersistentVolume"],
                     ["services", "svc", "v1", "true", "Service"],
                     ["poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"],
                     ["storageclasses", "sc", "storage.k8s.io/v1", "false", "StorageClass"]):
            self.assertIn(want, rows, str(r))
        r = self.kubectl("api-resources", "--api-group=apps", "-o", "name")
        self.assertEqual(sorted(r.lines()), ["controllerrevisions.apps", "daemonsets.apps",
                                             "deployments.apps", "replicasets.apps",
                                             "statefulsets.apps"], str(r))

    def test_explain_deployment_strategy(self):
        r = self.kubectl("explain", "deployment.spec.strategy")
        for pattern in (r"(?m)^GROUP:\s+apps$", r"(?m)^KIND:\s+Deployment$",
                        r"(?m)^VERSION:\s+v1$", r"(?m)^FIELD:\s+strategy <DeploymentStrategy>$",
                        r"(?m)^\s+rollingUpdate\s+<RollingUpdateDeployment>$",
                        r"(?m)^\s+type\s+<string>$"):
            self.assertRegex(r.out, pattern, str(r))

    # ------------------------------------------------------------ get

    def apply_other_kinds(self, ns):
        """Applies one object of every other kind; a failure on one kind is reported as its own
        subtest and the others are still checked."""
        f = self.write_file(f"{ns}-others.yaml", m.other_namespaced_kinds(ns))
        r = self.kubectl("apply", "-f", f, "-n", ns, check=False)
        with self.subTest(step="apply one object of every other namespaced kind"):
            self.assertEqual(r.rc, 0, str(r))

    def test_get_every_kind_headers(self):
        ns = self.make_ns("kinds")
        self.apply(ns, m.workloads(), "workloads")
        self.apply_other_kinds(ns)
        f = self.write_file("cluster-kinds.yaml", m.cluster_kinds("kinds"))
        r = self.kubectl("apply", "-f", f)
        self.assertEqual(r.lines(), ["node/n-kinds created", "persistentvolume/pv-kinds created",
                                     "storageclass.storage.k8s.io/sc-kinds created"], str(r))
        for resource, header, wide in HEADERS + CLUSTER_HEADERS:
            scope = ["-n", ns] if (resource, header, wide) in HEADERS else []
            with self.subTest(resource=resource):
                r = self.kubectl("get", resource, *scope)
                self.assertHeader(r, header)
                self.assertGreater(len(table(r.out)[1]), 0, str(r))
            with self.subTest(resource=resource, output="wide"):
                r = self.kubectl("get", resource, *scope, "-o", "wide")
                self.assertHeader(r, wide)

    def test_get_row_cells(self):
        ns = self.make_ns("cells")
        self.apply(ns, m.workloads(), "workloads")
        self.apply_other_kinds(ns)
        any_age = re.compile(r"\d+[smhdy].*")
        r = self.kubectl("get", "deployment", "web", "-n", ns)
        self.assertRow(r, "web", ["web", "0/2", None, "0", any_age])
        r = self.kubectl("get", "deployment", "web", "-n", ns, "-o", "wide")
        self.assertRow(r, "web", ["web", "0/2", None, "0", any_age, "web", "nginx:1.27",
                                  "app=web"])
        r = self.kubectl("get", "statefulset", "db", "-n", ns)
        self.assertRow(r, "db", ["db", "0/1", any_age])
        r = self.kubectl("get", "daemonset", "agent", "-n", ns)
        self.assertRow(r, "agent", ["agent", "0", "0", "0", "0", "0", "skiff-test/never=true",
                                    any_age])
        r = self.kubectl("get", "pod", "pod1", "-n", ns)
        self.assertRow(r, "pod1", ["pod1", "0/1", "Pending", "0", any_age])
        r = self.kubectl("get", "pod", "pod1", "-n", ns, "-o", "wide")
        self.assertRow(r, "pod1", ["pod1", "0/1", "Pending", "0", any_age, "<none>", "<none>",
                                   "<none>", "<none>"])
        r = self.kubectl("get", "configmap", "settings", "-n", ns)
        self.assertRow(r, "settings", ["settings", "1", any_age])
        r = self.kubectl("get", "secret", "sec", "-n", ns)
        self.assertRow(r, "sec", ["sec", "Opaque", "2", any_age])
        r = self.kubectl("get", "service", "svc", "-n", ns)
        self.assertRow(r, "svc", ["svc", "ClusterIP", None, "<none>", "80/TCP", any_age])
        r = self.kubectl("get", "pdb", "pdb1", "-n", ns)
        self.assertRow(r, "pdb1", ["pdb1", "1", "N/A", "0", any_age])
        r = self.kubectl("get", "lease", "lease1", "-n", ns)
        self.assertRow(r, "lease1", ["lease1", "holder-a", any_age])
        r = self.kubectl("get", "namespace", ns)
        self.assertRow(r, ns, [ns, "Active", any_age])

    def test_get_output_formats(self):
        ns = self.make_ns("formats")
        self.apply(ns, m.deployment("fmt", replicas=3), "fmt")
        r = self.kubectl("get", "deployment", "fmt", "-n", ns, "-o", "json")
        obj = json.loads(r.out)
        self.assertEqual((obj["apiVersion"], obj["kind"]), ("apps/v1", "Deployment"), str(r))
        self.assertEqual((obj["metadata"]["name"], obj["metadata"]["namespace"]), ("fmt", ns))
        self.assertEqual(obj["spec"]["replicas"], 3)
        for field in ("uid", "resourceVersion", "creationTimestamp"):
            self.assertTrue(obj["metadata"].get(field), f"metadata.{field} missing\n{r}")

        import yaml
        r = self.kubectl("get", "deployment", "fmt", "-n", ns, "-o", "yaml")
        y = yaml.safe_load(r.out)
        self.assertEqual((y["apiVersion"], y["kind"], y["metadata"]["name"]),
                         ("apps/v1", "Deployment", "fmt"), str(r))
        self.assertEqual(y["spec"]["selector"], {"matchLabels": {"app": "fmt"}})

        r = self.kubectl("get", "deployment", "fmt", "-n", ns, "-o", "name")
        self.assertEqual(r.lines(), ["deployment.apps/fmt"], str(r))
        r = self.kubectl("get", "deployments", "-n", ns, "-o", "json")
        lst = json.loads(r.out)
        self.assertEqual(lst["kind"], "List", str(r))
        self.assertEqual([(i["kind"], i["metadata"]["name"]) for i in lst["items"]],
                         [("Deployment", "fmt")], str(r))
        r = self.kubectl("get", "deployment", "fmt", "-n", ns, "-o",
                         "jsonpath={.spec.template.spec.containers[0].image}")
        self.assertEqual(r.out, "nginx:1.27", str(r))

    def test_get_watch_shows_changes(self):
        ns = self.make_ns("watch")
        self.apply(ns, m.deployment("watched", replicas=1), "watched")
        w = self.kubectl_bg("get", "deployments", "-n", ns, "-w")
        try:
            first = w.wait_line(lambda l: l.split()[:1] == ["watched"])
            self.assertIsNotNone(first, f"no initial row\n{w}")
            self.assertEqual(harness.columns(w.lines[0]), DEPLOY_HEADER, str(w))
            self.kubectl("scale", "deployment", "watched", "--replicas=5", "-n", ns)
            i = w.wait_line(lambda l: re.match(r"watched\s+\d+/5\s", l) is not None,
                            start=first + 1)
            self.assertIsNotNone(i, f"the scale to 5 never showed up\n{w}")
            self.apply(ns, m.deployment("watched-too", replicas=2), "watched-too")
            j = w.wait_line(lambda l: l.split()[:1] == ["watched-too"], start=first + 1)
            self.assertIsNotNone(j, f"the new deployment never showed up\n{w}")
            self.assertIsNone(w.proc.poll(), f"kubectl get -w exited early\n{w}")
        finally:
            w.stop()

    def test_sort_by(self):
        ns = self.make_ns("sort")
        text = m.join(m.deployment("charlie", replicas=3), m.deployment("alpha", replicas=2),
                      m.deployment("bravo", replicas=1))
        self.apply(ns, text, "sort")
        r = self.kubectl("get", "deploy", "-n", ns, "--sort-by=.metadata.name")
        self.assertHeader(r, DEPLOY_HEADER)
        self.assertEqual([row[0] for row in table(r.out)[1]], ["alpha", "bravo", "charlie"], str(r))
        r = self.kubectl("get", "deploy", "-n", ns, "--sort-by=.spec.replicas")
        self.assertEqual([row[0] for row in table(r.out)[1]], ["bravo", "alpha", "charlie"], str(r))

    def _selector_fixture(self, ns):
        text = m.join(m.configmap("sel-a", {"k": "v"}, {"app": "a"}),
                      m.configmap("sel-b", {"k": "v"}, {"app": "b"}),
                      m.configmap("sel-c", {"k": "v"}, {"app": "c"}),
                      m.configmap("sel-none", {"k": "v"}))
        self.apply(ns, text, "selectors")

    def _names(self, r):
        return sorted(row[0] for row in table(r.out)[1] if row[0].startswith("sel-"))

    def test_label_selectors(self):
        ns = self.make_ns("labelsel")
        self._selector_fixture(ns)
        for selector, want in (("app in (a,b)", ["sel-a", "sel-b"]),
                               ("app notin (a,b)", ["sel-c", "sel-none"]),
                               ("app", ["sel-a", "sel-b", "sel-c"]),
                               ("!app", ["sel-none"]),
                               ("app=c", ["sel-c"]),
                               ("app!=c", ["sel-a", "sel-b", "sel-none"])):
            with self.subTest(selector=selector):
                r = self.kubectl("get", "configmaps", "-n", ns, "-l", selector)
                self.assertEqual(self._names(r), want, str(r))

    def test_field_selectors(self):
        ns = self.make_ns("fieldsel")
        self._selector_fixture(ns)
        r = self.kubectl("get", "configmaps", "-n", ns, "--field-selector", "metadata.name=sel-b")
        self.assertEqual([row[0] for row in table(r.out)[1]], ["sel-b"], str(r))
        r = self.kubectl("get", "configmaps", "-n", ns, "--field-selector",
                         "metadata.name!=sel-b")
        self.assertEqual(self._names(r), ["sel-a", "sel-c", "sel-none"], str(r))
        r = self.kubectl("get", "configmaps", "-n", ns, "--field-selector",
                         f"metadata.namespace={ns},metadata.name=sel-c")
        self.assertEqual([row[0] for row in table(r.out)[1]], ["sel-c"], str(r))

    def test_all_namespaces(self):
        for ns in ("every-1", "every-2"):
            self.make_ns(ns)
            self.apply(ns, m.configmap("same", {"k": ns}, {"marker": "every"}), "same")
        r = self.kubectl("get", "configmaps", "-A", "-l", "marker=every")
        self.assertHeader(r, ["NAMESPACE", "NAME", "DATA", "AGE"])
        self.assertEqual(sorted(tuple(row[:3]) for row in table(r.out)[1]),
                         [("every-1", "same", "1"), ("every-2", "same", "1")], str(r))
        self.apply("every-2", m.deployment("everywhere", replicas=1), "everywhere")
        r = self.kubectl("get", "deployments", "--all-namespaces")
        self.assertHeader(r, ["NAMESPACE"] + DEPLOY_HEADER)
        self.assertIn(["every-2", "everywhere"], [row[:2] for row in table(r.out)[1]], str(r))

    def test_get_all(self):
        ns = self.make_ns("getall")
        self.apply(ns, m.workloads(), "workloads")
        r = self.kubectl("get", "all", "-n", ns)
        names = [row[0] for _, rows in tables(r.out) for row in rows]
        for want in ("deployment.apps/web", "statefulset.apps/db", "daemonset.apps/agent"):
            self.assertIn(want, names, str(r))
        for unwanted in ("configmap/settings", "persistentvolumeclaim/data"):
            self.assertNotIn(unwanted, names, str(r))
        headers = [h for h, _ in tables(r.out)]
        self.assertIn(DEPLOY_HEADER, headers, str(r))

    # ------------------------------------------------------------ describe / create

    def test_describe_deployment(self):
        ns = self.make_ns("describe")
        self.apply(ns, m.deployment("desc", replicas=2), "desc")
        r = self.kubectl("describe", "deployment", "desc", "-n", ns)
        for pattern in (r"(?m)^Name:\s+desc$", rf"(?m)^Namespace:\s+{ns}$",
                        r"(?m)^Labels:\s+app=desc$", r"(?m)^Selector:\s+app=desc$",
                        r"(?m)^Replicas:\s+2 desired \| \d+ updated \| \d+ total \| \d+ available"
                        r" \| \d+ unavailable$",
                        r"(?m)^StrategyType:\s+RollingUpdate$",
                        r"(?m)^MinReadySeconds:\s+0$",
                        r"(?m)^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$",
                        r"(?m)^Pod Template:$", r"(?m)^\s+Image:\s+nginx:1\.27$",
                        r"(?m)^Events:"):
            self.assertRegex(r.out, pattern, str(r))

    def test_create_configmap_from_literal(self):
        ns = self.make_ns("literal")
        r = self.kubectl("create", "configmap", "lit", "-n", ns, "--from-literal=a=1",
                         "--from-literal=greeting=hello world")
        self.assertEqual(r.lines(), ["configmap/lit created"], str(r))
        cm = self.get_obj(f"{CORE.format(ns=ns)}/configmaps/lit")
        self.assertEqual(cm["data"], {"a": "1", "greeting": "hello world"})
        r = self.kubectl("get", "configmap", "lit", "-n", ns)
        self.assertRow(r, "lit", ["lit", "2"])
        r = self.kubectl("create", "configmap", "lit", "-n", ns, "--from-literal=a=2", check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertEqual(r.err.strip(),
                         'error: failed to create configmap: configmaps "lit" already exists',
                         str(r))

    def test_create_namespace(self):
        r = self.kubectl("create", "namespace", "created-ns")
        self.assertEqual(r.lines(), ["namespace/created-ns created"], str(r))
        r = self.kubectl("get", "namespace", "created-ns")
        self.assertRow(r, "created-ns", ["created-ns", "Active"])

    def test_delete_namespace_removes_contents(self):
        f = self.write_file("doomed-ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n"
                                              "  name: doomed\n")
        r = self.kubectl("apply", "-f", f)
        self.assertEqual(r.lines(), ["namespace/doomed created"], str(r))
        self.apply("doomed", m.join(m.configmap("inside", {"a": "b"}),
                                    m.deployment("inside", replicas=1)), "inside")
        r = self.kubectl("get", "namespace", "doomed")
        self.assertRow(r, "doomed", ["doomed", "Active"])
        r = self.kubectl("delete", "namespace", "doomed", "--timeout=30s")
        self.assertRegex(r.out.strip(), r'^namespace "doomed" deleted$', str(r))
        r = self.kubectl("get", "namespace", "doomed", check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertEqual(r.err.strip(),
                         'Error from server (NotFound): namespaces "doomed" not found', str(r))
        self.assertGone("/api/v1/namespaces/doomed/configmaps/inside")
        self.assertGone("/apis/apps/v1/namespaces/doomed/deployments/inside")
        lst = self.get_obj("/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddoomed")
        self.assertEqual(lst["items"], [])

    # ------------------------------------------------------------ patch / scale / label

    def test_patch_strategic_merge_and_json(self):
        ns = self.make_ns("patch")
        sidecar = {"name": "sidecar", "image": "busybox:1.36"}
        self.apply(ns, m.deployment("pm", replicas=2, extra_containers=[sidecar]), "pm")

        patch = {"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "nginx:1.28"}]}}}}
        r = self.kubectl("patch", "deployment", "pm", "-n", ns, "-p", json.dumps(patch))
        self.assertEqual(r.lines(), ["deployment.apps/pm patched"], str(r))
        cs = self.deploy(ns, "pm")["spec"]["template"]["spec"]["containers"]
        self.assertEqual([(c["name"], c["image"]) for c in cs],
                         [("web", "nginx:1.28"), ("sidecar", "busybox:1.36")],
                         "strategic merge must merge containers by name")

        r = self.kubectl("patch", "deployment", "pm", "-n", ns, "-p", json.dumps(patch))
        self.assertEqual(r.lines(), ["deployment.apps/pm patched (no change)"], str(r))

        merge = {"metadata": {"labels": {"tier": "backend"}},
                 "spec": {"template": {"spec": {"containers": [
                     {"name": "only", "image": "busybox:1.37"}]}}}}
        r = self.kubectl("patch", "deployment", "pm", "-n", ns, "--type", "merge", "-p",
                         json.dumps(merge))
        self.assertEqual(r.lines(), ["deployment.apps/pm patched"], str(r))
        d = self.deploy(ns, "pm")
        self.assertEqual(d["metadata"]["labels"], {"app": "pm", "tier": "backend"})
        self.assertEqual([c["name"] for c in d["spec"]["template"]["spec"]["containers"]],
                         ["only"], "a merge patch replaces lists")

        ops = [{"op": "replace", "path": "/spec/replicas", "value": 4},
               {"op": "add", "path": "/metadata/labels/patched", "value": "json"},
               {"op": "remove", "path": "/metadata/labels/tier"}]
        r = self.kubectl("patch", "deployment", "pm", "-n", ns, "--type", "json", "-p",
                         json.dumps(ops))
        self.assertEqual(r.lines(), ["deployment.apps/pm patched"], str(r))
        d = self.deploy(ns, "pm")
        self.assertEqual(d["spec"]["replicas"], 4)
        self.assertEqual(d["metadata"]["labels"], {"app": "pm", "patched": "json"})

        r = self.kubectl("patch", "deployment", "pm", "-n", ns, "--type", "json", "-p",
                         json.dumps([{"op": "test", "path": "/spec/replicas", "value": 99}]),
                         check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertNotIn("patched", r.out, str(r))
        self.assertEqual(self.deploy(ns, "pm")["spec"]["replicas"], 4)

    def test_scale(self):
        ns = self.make_ns("scale")
        self.apply(ns, m.join(m.deployment("sc", replicas=2), m.statefulset("ss")), "sc")
        r = self.kubectl("scale", "deployment", "sc", "--replicas=3", "-n", ns)
        self.assertEqual(r.lines(), ["deployment.apps/sc scaled"], str(r))
        self.assertEqual(self.deploy(ns, "sc")["spec"]["replicas"], 3)

        r = self.kubectl("scale", "deployment", "sc", "--current-replicas=3", "--replicas=4",
                         "-n", ns)
        self.assertEqual(r.lines(), ["deployment.apps/sc scaled"], str(r))
        self.assertEqual(self.deploy(ns, "sc")["spec"]["replicas"], 4)

        r = self.kubectl("scale", "deployment", "sc", "--current-replicas=2", "--replicas=5",
                         "-n", ns, check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("Expected replicas to be 2, was 4", r.err, str(r))
        self.assertEqual(self.deploy(ns, "sc")["spec"]["replicas"], 4)

        r = self.kubectl("scale", "statefulset", "ss", "--replicas=3", "-n", ns)
        self.assertEqual(r.lines(), ["statefulset.apps/ss scaled"], str(r))
        sts = self.get_obj(f"{APPS.format(ns=ns)}/statefulsets/ss")
        self.assertEqual(sts["spec"]["replicas"], 3)

    def test_label_and_annotate(self):
        ns = self.make_ns("label")
        self.apply(ns, m.deployment("lab", replicas=1), "lab")
        r = self.kubectl("label", "deployment", "lab", "env=prod", "-n", ns)
        self.assertEqual(r.lines(), ["deployment.apps/lab labeled"], str(r))
        self.assertEqual(self.deploy(ns, "lab")["metadata"]["labels"], {"app": "lab", "env": "prod"})
        r = self.kubectl("label", "deployment", "lab", "env=dev", "-n", ns, check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("'env' already has a value (prod), and --overwrite is false", r.err, str(r))
        r = self.kubectl("label", "deployment", "lab", "env=dev", "--overwrite", "-n", ns)
        self.assertEqual(r.lines(), ["deployment.apps/lab labeled"], str(r))
        self.assertEqual(self.deploy(ns, "lab")["metadata"]["labels"]["env"], "dev")
        r = self.kubectl("get", "deployments", "-n", ns, "-l", "env=dev", "-o", "name")
        self.assertEqual(r.lines(), ["deployment.apps/lab"], str(r))
        r = self.kubectl("label", "deployment", "lab", "env-", "-n", ns)
        self.assertEqual(r.lines(), ["deployment.apps/lab unlabeled"], str(r))
        self.assertEqual(self.deploy(ns, "lab")["metadata"]["labels"], {"app": "lab"})

        r = self.kubectl("annotate", "deployment", "lab", "owner=team-a", "-n", ns)
        self.assertEqual(r.lines(), ["deployment.apps/lab annotated"], str(r))
        self.assertEqual(self.deploy(ns, "lab")["metadata"]["annotations"].get("owner"), "team-a")
        r = self.kubectl("annotate", "deployment", "lab", "owner-", "-n", ns)
        self.assertEqual(r.lines(), ["deployment.apps/lab annotated"], str(r))
        self.assertNotIn("owner", self.deploy(ns, "lab")["metadata"].get("annotations", {}))

    def test_taint_cordon_uncordon_node(self):
        f = self.write_file("node-t.yaml", m.node("n-taint"))
        r = self.kubectl("apply", "-f", f)
        self.assertEqual(r.lines(), ["node/n-taint created"], str(r))
        path = "/api/v1/nodes/n-taint"

        def my_taints():
            return [t for t in self.get_obj(path)["spec"].get("taints", [])
                    if t.get("key") == "dedicated"]

        r = self.kubectl("taint", "nodes", "n-taint", "dedicated=db:NoSchedule")
        self.assertEqual(r.lines(), ["node/n-taint tainted"], str(r))
        self.assertEqual(my_taints(), [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
        r = self.kubectl("taint", "nodes", "n-taint", "dedicated=db:NoSchedule", check=False)
        self.assertEqual(r.rc, 1, str(r))
        r = self.kubectl("taint", "nodes", "n-taint", "dedicated=db:NoSchedule-")
        self.assertEqual(r.lines(), ["node/n-taint untainted"], str(r))
        self.assertEqual(my_taints(), [])

        r = self.kubectl("cordon", "n-taint")
        self.assertEqual(r.lines(), ["node/n-taint cordoned"], str(r))
        self.assertIs(self.get_obj(path)["spec"].get("unschedulable"), True)
        r = self.kubectl("get", "node", "n-taint")
        row = self.assertRow(r, "n-taint", ["n-taint"])
        self.assertIn("SchedulingDisabled", row[1], str(r))
        r = self.kubectl("cordon", "n-taint")
        self.assertEqual(r.lines(), ["node/n-taint already cordoned"], str(r))
        r = self.kubectl("uncordon", "n-taint")
        self.assertEqual(r.lines(), ["node/n-taint uncordoned"], str(r))
        self.assertFalse(self.get_obj(path)["spec"].get("unschedulable", False))
        r = self.kubectl("get", "node", "n-taint")
        self.assertNotIn("SchedulingDisabled", self.assertRow(r, "n-taint", ["n-taint"])[1])

    # ------------------------------------------------------------ delete

    def test_delete_file(self):
        ns = self.make_ns("delfile")
        f = self.write_file("delfile.yaml", m.workloads())
        self.kubectl("apply", "-f", f, "-n", ns)
        r = self.kubectl("delete", "-f", f, "-n", ns, "--timeout=60s")
        kinds = [n.split("/") for n in m.WORKLOAD_NAMES]
        want = [rf'^{re.escape(k)} "{re.escape(n)}" deleted( from {ns} namespace)?$'
                for k, n in kinds]
        self.assertEqual(len(r.lines()), len(want), str(r))
        for line, pattern in zip(r.lines(), want):
            self.assertRegex(line, pattern, str(r))
        for path in workload_paths(ns).values():
            self.assertGone(path)
        r = self.kubectl("get", "deployment", "web", "-n", ns, check=False)
        self.assertEqual(r.err.strip(),
                         'Error from server (NotFound): deployments.apps "web" not found', str(r))

    def _owned_replicaset(self, ns, owner, name):
        # A plain (non-controller) owner reference: the Deployment controller neither adopts
        # nor releases this ReplicaSet, so only the garbage collector acts on it.
        dep = self.deploy(ns, owner)
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": name, "labels": {"owned-by": owner},
                           "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                                "name": owner, "uid": dep["metadata"]["uid"],
                                                "controller": False,
                                                "blockOwnerDeletion": True}]},
              "spec": {"replicas": 0, "selector": {"matchLabels": {"owned-by": owner}},
                       "template": {"metadata": {"labels": {"owned-by": owner}},
                                    "spec": {"nodeSelector": m.NEVER, "containers": [
                                        {"name": "c", "image": "busybox:1.36"}]}}}}
        r = self.http("POST", f"{APPS.format(ns=ns)}/replicasets", rs)
        self.assertEqual(r.status, 201, str(r))
        return dep["metadata"]["uid"]

    def test_delete_cascade_orphan_keeps_dependents(self):
        ns = self.make_ns("orphan")
        self.apply(ns, m.deployment("orph", replicas=0), "orph")
        uid = self._owned_replicaset(ns, "orph", "orph-manual")
        r = self.kubectl("delete", "deployment", "orph", "-n", ns, "--cascade=orphan",
                         "--timeout=60s")
        self.assertRegex(r.out.strip(), rf'^deployment\.apps "orph" deleted( from {ns} '
                                        rf'namespace)?$', str(r))
        self.assertGone(f"{APPS.format(ns=ns)}/deployments/orph", timeout=30)
        rs = self.get_obj(f"{APPS.format(ns=ns)}/replicasets/orph-manual")
        refs = [o for o in rs["metadata"].get("ownerReferences", []) if o.get("uid") == uid]
        self.assertEqual(refs, [], "an orphaned dependent loses its owner reference")

    def test_delete_background_removes_dependents(self):
        ns = self.make_ns("background")
        self.apply(ns, m.deployment("bg", replicas=0), "bg")
        self._owned_replicaset(ns, "bg", "bg-manual")
        r = self.kubectl("delete", "deployment", "bg", "-n", ns, "--timeout=60s")
        self.assertRegex(r.out.strip(), rf'^deployment\.apps "bg" deleted( from {ns} '
                                        rf'namespace)?$', str(r))
        self.assertGone(f"{APPS.format(ns=ns)}/deployments/bg")
        self.assertGone(f"{APPS.format(ns=ns)}/replicasets/bg-manual", timeout=30)


if __name__ == "__main__":
    harness.main()
