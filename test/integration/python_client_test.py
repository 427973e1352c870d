#!/usr/bin/python3
"""Debian's python3-kubernetes 22.6 against a live skiff server: create, list with selectors,
strategic merge patch, watch (and resuming a watch), delete, and the scale subresource."""

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import manifests as m  # noqa: E402
from harness import ServerTestCase  # noqa: E402

try:
    from kubernetes import client, config, watch
    from kubernetes.client.rest import ApiException
except ImportError:  # pragma: no cover
    sys.exit("run with /usr/bin/python3: it has Debian's python3-kubernetes")


def meta(name, labels=None):
    return client.V1ObjectMeta(name=name, labels=labels)


def pod_spec(*containers):
    return client.V1PodSpec(node_selector=dict(m.NEVER), containers=[
        client.V1Container(name=n, image=i, command=["sleep", "3600"]) for n, i in containers])


def deployment_body(name, replicas=2, labels=None):
    """No api_version/kind: the python client then sends none, and the server must default them
    from the URL."""
    labels = labels or {"app": name}
    return client.V1Deployment(
        metadata=meta(name, labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=meta(None, labels),
                spec=pod_spec(("web", "nginx:1.27"), ("sidecar", "busybox:1.36")))))


class PythonClientTest(ServerTestCase):

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

    def assertApiStatus(self, fn, code, *args, **kw):
        with self.assertRaises(ApiException) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.status, code, f"{cm.exception}")
        return cm.exception

    # ------------------------------------------------------------ configmaps

    def test_configmaps(self):
        ns = self.make_ns("py-cm")
        created = {}
        for tier in ("front", "back", "db"):
            cm = self.core.create_namespaced_config_map(ns, client.V1ConfigMap(
                metadata=meta(f"cm-{tier}", {"tier": tier}), data={"k": tier}))
            self.assertEqual(cm.metadata.name, f"cm-{tier}")
            self.assertEqual(cm.metadata.namespace, ns)
            self.assertTrue(cm.metadata.uid and cm.metadata.resource_version)
            self.assertIsNotNone(cm.metadata.creation_timestamp)
            created[tier] = cm

        lst = self.core.list_namespaced_config_map(ns, label_selector="tier in (front,back)")
        self.assertEqual(sorted(i.metadata.name for i in lst.items), ["cm-back", "cm-front"])
        self.assertTrue(lst.metadata.resource_version)
        lst = self.core.list_namespaced_config_map(ns, label_selector="tier!=db,tier")
        self.assertEqual(sorted(i.metadata.name for i in lst.items), ["cm-back", "cm-front"])
        lst = self.core.list_namespaced_config_map(ns, label_selector="tier=nothing")
        self.assertEqual(lst.items, [])
        lst = self.core.list_config_map_for_all_namespaces(label_selector="tier=db")
        self.assertEqual([(i.metadata.namespace, i.metadata.name) for i in lst.items],
                         [(ns, "cm-db")])

        patched = self.core.patch_namespaced_config_map(
            "cm-front", ns, {"metadata": {"labels": {"extra": "yes"}}, "data": {"k2": "v2"}})
        self.assertEqual(patched.data, {"k": "front", "k2": "v2"})
        self.assertEqual(patched.metadata.labels, {"tier": "front", "extra": "yes"})
        self.assertGreater(int(patched.metadata.resource_version),
                           int(created["front"].metadata.resource_version))
        self.assertEqual(self.core.read_namespaced_config_map("cm-front", ns).data,
                         {"k": "front", "k2": "v2"})

        self.core.delete_namespaced_config_map("cm-front", ns)
        self.assertApiStatus(self.core.read_namespaced_config_map, 404, "cm-front", ns)
        lst = self.core.list_namespaced_config_map(ns)
        self.assertNotIn("cm-front", [i.metadata.name for i in lst.items])

    # ------------------------------------------------------------ pods

    def test_pods(self):
        ns = self.make_ns("py-pods")
        for name, app in (("p1", "a"), ("p2", "b"), ("p3", "c")):
            pod = self.core.create_namespaced_pod(ns, client.V1Pod(
                metadata=meta(name, {"app": app}),
                spec=pod_spec(("main", "busybox:1.36"), ("helper", "busybox:1.36"))))
            self.assertEqual(pod.status.phase, "Pending")
        lst = self.core.list_namespaced_pod(ns, label_selector="app in (a,c)")
        self.assertEqual(sorted(p.metadata.name for p in lst.items), ["p1", "p3"])
        lst = self.core.list_pod_for_all_namespaces(label_selector="app=b")
        self.assertEqual([(p.metadata.namespace, p.metadata.name) for p in lst.items], [(ns, "p2")])
        lst = self.core.list_namespaced_pod(ns, field_selector="metadata.name=p2")
        self.assertEqual([p.metadata.name for p in lst.items], ["p2"])

        patched = self.core.patch_namespaced_pod("p1", ns, {
            "metadata": {"labels": {"patched": "yes"}},
            "spec": {"containers": [{"name": "helper", "image": "busybox:1.37"}]}})
        self.assertEqual([(c.name, c.image) for c in patched.spec.containers],
                         [("main", "busybox:1.36"), ("helper", "busybox:1.37")])
        self.assertEqual(patched.metadata.labels, {"app": "a", "patched": "yes"})

        self.core.delete_namespaced_pod("p1", ns)
        # A pod never bound to a node is deleted at once (no grace period).
        self.assertApiStatus(self.core.read_namespaced_pod, 404, "p1", ns)

    # ------------------------------------------------------------ deployments + scale

    def test_deployments_and_scale(self):
        ns = self.make_ns("py-deploy")
        d = self.apps.create_namespaced_deployment(
            ns, deployment_body("pyweb", labels={"app": "pyweb", "tier": "front"}))
        self.assertEqual((d.api_version, d.kind), ("apps/v1", "Deployment"))
        self.assertEqual(d.metadata.generation, 1)
        self.assertEqual(d.spec.strategy.type, "RollingUpdate")
        self.assertEqual(d.spec.strategy.rolling_update.max_surge, "25%")
        self.assertEqual(d.spec.strategy.rolling_update.max_unavailable, "25%")
        self.assertEqual(d.spec.revision_history_limit, 10)
        self.assertEqual(d.spec.progress_deadline_seconds, 600)
        self.apps.create_namespaced_deployment(ns, deployment_body("other"))

        lst = self.apps.list_namespaced_deployment(ns, label_selector="tier in (front)")
        self.assertEqual([i.metadata.name for i in lst.items], ["pyweb"])
        lst = self.apps.list_namespaced_deployment(ns, label_selector="!tier")
        self.assertEqual([i.metadata.name for i in lst.items], ["other"])

        p = self.apps.patch_namespaced_deployment("pyweb", ns, {"spec": {"template": {"spec": {
            "containers": [{"name": "web", "image": "nginx:1.28"}]}}}})
        self.assertEqual([(c.name, c.image) for c in p.spec.template.spec.containers],
                         [("web", "nginx:1.28"), ("sidecar", "busybox:1.36")])
        self.assertEqual(p.metadata.generation, 2)

        s = self.apps.read_namespaced_deployment_scale("pyweb", ns)
        self.assertEqual((s.api_version, s.kind), ("autoscaling/v1", "Scale"))
        self.assertEqual((s.metadata.name, s.metadata.namespace), ("pyweb", ns))
        self.assertEqual(s.spec.replicas, 2)
        self.assertEqual(s.status.selector, "app=pyweb,tier=front")

        s = self.apps.patch_namespaced_deployment_scale("pyweb", ns, {"spec": {"replicas": 3}})
        self.assertEqual(s.spec.replicas, 3)
        d = self.apps.read_namespaced_deployment("pyweb", ns)
        self.assertEqual(d.spec.replicas, 3)
        self.assertEqual(d.metadata.generation, 3)

        stale = client.V1Scale(metadata=client.V1ObjectMeta(
            name="pyweb", namespace=ns, resource_version=p.metadata.resource_version),
            spec=client.V1ScaleSpec(replicas=7))
        self.assertApiStatus(self.apps.replace_namespaced_deployment_scale, 409, "pyweb", ns, stale)
        self.assertEqual(self.apps.read_namespaced_deployment("pyweb", ns).spec.replicas, 3)
        # The deployment controller writes status meanwhile: a read-modify-write client
        # retries its conflicts, as client-go's RetryOnConflict does.
        for attempt in range(10):
            fresh = self.apps.read_namespaced_deployment_scale("pyweb", ns)
            fresh.spec.replicas = 4
            try:
                s = self.apps.replace_namespaced_deployment_scale("pyweb", ns, fresh)
                break
            except ApiException as e:
                if e.status != 409 or attempt == 9:
                    raise
        self.assertEqual(s.spec.replicas, 4)
        self.assertEqual(self.apps.read_namespaced_deployment("pyweb", ns).spec.replicas, 4)

        self.apps.delete_namespaced_deployment("pyweb", ns)
        self.wait_for("deployment pyweb to be gone", lambda: self._gone(
            self.apps.read_namespaced_deployment, "pyweb", ns))
        self.assertApiStatus(self.apps.read_namespaced_deployment_scale, 404, "pyweb", ns)

    def _gone(self, read, *args):
        try:
            read(*args)
            return False
        except ApiException as e:
            return e.status == 404

    # ------------------------------------------------------------ watch

    def _watch(self, list_fn, ns, rv, until_deleted=None, timeout_seconds=30):
        """Events of one watch from `rv`, as (type, name, resourceVersion, object)."""
        events = []
        w = watch.Watch()
        try:
            for ev in w.stream(list_fn, ns, resource_version=rv, timeout_seconds=timeout_seconds,
                               _request_timeout=timeout_seconds + 10):
                obj = ev["object"]
                if ev["type"] == "BOOKMARK":
                    self.fail(f"BOOKMARK sent though allowWatchBookmarks was not asked: {ev}")
                events.append((ev["type"], obj.metadata.name, obj.metadata.resource_version, obj))
                if until_deleted and ev["type"] == "DELETED" and obj.metadata.name == until_deleted:
                    w.stop()
                    break
        except Exception as e:  # noqa: BLE001
            self.fail(f"watch from resourceVersion={rv} failed: {e!r}; events so far: "
                      f"{[e[:3] for e in events]}")
        return events

    def _watch_cycle(self, ns, list_fn, name, create, modify, delete, exact):
        """A watch started from a LIST's resourceVersion sees ADDED, MODIFIED, DELETED; a second
        watch resumed from the MODIFIED event's resourceVersion replays only what came later."""
        rv0 = list_fn(ns).metadata.resource_version
        self.assertTrue(rv0)
        result = {}

        def run():
            try:
                result["events"] = self._watch(list_fn, ns, rv0, until_deleted=name)
            except BaseException as e:  # noqa: BLE001
                result["error"] = e

        t = threading.Thread(target=run, daemon=True)
        t.start()
        created = create()
        modified = modify()
        delete()
        t.join(45)
        self.assertFalse(t.is_alive(), "the watch never delivered DELETED")
        if "error" in result:
            raise result["error"]
        events = [e for e in result.get("events", []) if e[1] == name]
        kinds = [e[0] for e in events]
        summary = [e[:3] for e in result.get("events", [])]
        if exact:
            self.assertEqual(kinds, ["ADDED", "MODIFIED", "DELETED"], summary)
        else:  # controllers may add status updates in between
            self.assertEqual(kinds[0], "ADDED", summary)
            self.assertEqual(kinds[-1], "DELETED", summary)
            self.assertEqual(set(kinds[1:-1]), {"MODIFIED"}, summary)
        rvs = [int(e[2]) for e in events]
        self.assertEqual(rvs, sorted(set(rvs)), f"resourceVersions must increase: {summary}")
        self.assertGreater(rvs[0], int(rv0), summary)
        self.assertEqual(events[0][2], created.metadata.resource_version, summary)
        mod_rv = modified.metadata.resource_version
        self.assertIn(mod_rv, [e[2] for e in events if e[0] == "MODIFIED"], summary)

        replay = self._watch(list_fn, ns, mod_rv, until_deleted=name, timeout_seconds=5)
        rkinds = [e[0] for e in replay]
        rsummary = [e[:3] for e in replay]
        self.assertTrue(rkinds and rkinds[-1] == "DELETED" and replay[-1][1] == name, rsummary)
        if exact:
            self.assertEqual([e[:2] for e in replay], [("DELETED", name)], rsummary)
        self.assertTrue(all(int(e[2]) > int(mod_rv) for e in replay), rsummary)
        self.assertEqual(replay[-1][2], events[-1][2], rsummary)

        before = self._watch(list_fn, ns, events[0][2], until_deleted=name, timeout_seconds=5)
        self.assertEqual([e[:3] for e in before if e[1] == name], [e[:3] for e in events[1:]],
                         "resuming from the ADDED event replays everything after it")

    def test_watch_configmaps(self):
        ns = self.make_ns("py-watch-cm")
        self._watch_cycle(
            ns, self.core.list_namespaced_config_map, "wcm",
            create=lambda: self.core.create_namespaced_config_map(
                ns, client.V1ConfigMap(metadata=meta("wcm"), data={"v": "1"})),
            modify=lambda: self.core.patch_namespaced_config_map("wcm", ns, {"data": {"v": "2"}}),
            delete=lambda: self.core.delete_namespaced_config_map("wcm", ns),
            exact=True)

    def test_watch_pods(self):
        ns = self.make_ns("py-watch-pod")
        self._watch_cycle(
            ns, self.core.list_namespaced_pod, "wpod",
            create=lambda: self.core.create_namespaced_pod(ns, client.V1Pod(
                metadata=meta("wpod", {"app": "wpod"}), spec=pod_spec(("main", "busybox:1.36")))),
            modify=lambda: self.core.patch_namespaced_pod(
                "wpod", ns, {"metadata": {"labels": {"step": "2"}}}),
            delete=lambda: self.core.delete_namespaced_pod("wpod", ns),
            exact=False)

    def test_watch_deployments(self):
        ns = self.make_ns("py-watch-deploy")
        self._watch_cycle(
            ns, self.apps.list_namespaced_deployment, "wdep",
            create=lambda: self.apps.create_namespaced_deployment(ns, deployment_body("wdep")),
            modify=lambda: self.apps.patch_namespaced_deployment(
                "wdep", ns, {"spec": {"replicas": 5}}),
            delete=lambda: self.apps.delete_namespaced_deployment("wdep", ns),
            exact=False)

    def test_watch_without_resource_version_lists_existing_as_added(self):
        ns = self.make_ns("py-watch-initial")
        for i in range(3):
            self.core.create_namespaced_config_map(
                ns, client.V1ConfigMap(metadata=meta(f"pre-{i}"), data={"i": str(i)}))
        events = self._watch(self.core.list_namespaced_config_map, ns, None, timeout_seconds=2)
        mine = sorted((e[0], e[1]) for e in events if e[1].startswith("pre-"))
        self.assertEqual(mine, [("ADDED", "pre-0"), ("ADDED", "pre-1"), ("ADDED", "pre-2")])


if __name__ == "__main__":
    harness.main()
