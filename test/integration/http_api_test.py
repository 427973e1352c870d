#!/usr/bin/python3
"""Wire-level facts kubectl 1.32 and python-kubernetes 22.6 depend on (shared/spec/
kubectl-wire.md): /version, discovery media types, Table negotiation, watch framing and
resumption, server-side apply, OpenAPI v3, defaults a client leaves out."""

import http.client
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import manifests as m  # noqa: E402
from harness import ServerTestCase  # noqa: E402

AGG_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
              "application/json")
AGG_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
                "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
PROTO_FIRST = "application/vnd.kubernetes.protobuf,application/json"
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def cm(name, data=None, labels=None):
    meta = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data or {"k": "v"}}


class Watch:
    """A raw watch stream: newline-delimited JSON events over chunked HTTP."""

    def __init__(self, port, path, accept="application/json", timeout=10):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.conn.request("GET", path, headers={"Accept": accept})
        self.resp = self.conn.getresponse()
        self.raw = []

    def next(self):
        """The next event, or None when the server ended the stream."""
        line = self.resp.readline()
        if not line:
            return None
        self.raw.append(line)
        if not line.endswith(b"\n"):
            raise AssertionError(f"watch event not newline-terminated: {line[:200]!r}")
        return json.loads(line)

    def collect(self, n):
        events = []
        while len(events) < n:
            ev = self.next()
            if ev is None:
                break
            events.append(ev)
        return events

    def close(self):
        self.conn.close()


class HttpApiTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.server.request("POST", "/api/v1/namespaces",
                               {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "wire"}})
        if r.status != 201:
            raise RuntimeError(f"cannot create namespace wire\n{r}")

    CMS = "/api/v1/namespaces/wire/configmaps"
    DEPLOYS = "/apis/apps/v1/namespaces/wire/deployments"

    def watch(self, path, **kw):
        w = Watch(self.server.port, path, **kw)
        self.addCleanup(w.close)
        if w.resp.status != 200:
            self.fail(f"GET {path}: {w.resp.status} {w.resp.read()[:500]!r}")
        return w

    def create(self, path, body):
        r = self.http("POST", path, body)
        self.assertEqual(r.status, 201, str(r))
        return r.json()

    # ------------------------------------------------------------ version, discovery, openapi

    def test_version_reports_1_32(self):
        v = self.get_obj("/version")
        self.assertEqual((v["major"], v["minor"]), ("1", "32"), v)
        self.assertTrue(v["gitVersion"].startswith("v1.32."), v)

    def test_aggregated_discovery(self):
        r = self.http("GET", "/api?timeout=32s", accept=AGG_ACCEPT)
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.header("content-type"),
                         "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        body = r.json()
        self.assertEqual((body["kind"], body["apiVersion"]),
                         ("APIGroupDiscoveryList", "apidiscovery.k8s.io/v2"))
        core = body["items"][0]
        self.assertEqual(core["metadata"].get("name", ""), "")
        v1 = core["versions"][0]
        self.assertEqual(v1["version"], "v1")
        pods = next(x for x in v1["resources"] if x["resource"] == "pods")
        self.assertEqual(pods["responseKind"], {"group": "", "version": "v1", "kind": "Pod"})
        self.assertEqual(pods["scope"], "Namespaced")
        self.assertEqual(pods["shortNames"], ["po"])
        self.assertEqual(pods["categories"], ["all"])
        self.assertEqual(sorted(pods["verbs"]), ALL_VERBS)
        self.assertIn("log", [s["subresource"] for s in pods.get("subresources", [])])

        r = self.http("GET", "/apis?timeout=32s", accept=AGG_ACCEPT)
        groups = {g["metadata"]["name"]: g for g in r.json()["items"]}
        self.assertIn("apps", groups)
        apps_v1 = next(v for v in groups["apps"]["versions"] if v["version"] == "v1")
        dep = next(x for x in apps_v1["resources"] if x["resource"] == "deployments")
        self.assertEqual(dep["responseKind"], {"group": "apps", "version": "v1",
                                               "kind": "Deployment"})
        self.assertEqual((dep["scope"], dep["shortNames"], dep["categories"]),
                         ("Namespaced", ["deploy"], ["all"]))
        self.assertEqual(sorted(dep["verbs"]), ALL_VERBS)
        scale = next(s for s in dep["subresources"] if s["subresource"] == "scale")
        self.assertEqual(scale["responseKind"], {"group": "autoscaling", "version": "v1",
                                                 "kind": "Scale"})

    def test_aggregated_discovery_v2beta1_only(self):
        for path in ("/api", "/apis"):
            r = self.http("GET", path, accept=AGG_V2BETA1 + ",application/json")
            self.assertEqual(r.header("content-type"), AGG_V2BETA1, str(r))
            self.assertEqual(r.json()["apiVersion"], "apidiscovery.k8s.io/v2beta1", str(r))

    def test_legacy_discovery(self):
        r = self.http("GET", "/api")
        self.assertEqual(r.json()["kind"], "APIVersions", str(r))
        self.assertEqual(r.json()["versions"], ["v1"], str(r))
        r = self.http("GET", "/apis")
        body = r.json()
        self.assertEqual(body["kind"], "APIGroupList", str(r))
        self.assertIn("apps", [g["name"] for g in body["groups"]])
        res = self.get_obj("/apis/apps/v1")
        self.assertEqual((res["kind"], res["groupVersion"]), ("APIResourceList", "apps/v1"))
        by_name = {x["name"]: x for x in res["resources"]}
        self.assertEqual((by_name["deployments"]["kind"], by_name["deployments"]["namespaced"],
                          by_name["deployments"]["shortNames"]), ("Deployment", True, ["deploy"]))
        sc = by_name["deployments/scale"]
        self.assertEqual((sc["group"], sc["version"], sc["kind"]), ("autoscaling", "v1", "Scale"))
        grp = self.get_obj("/apis/apps")
        self.assertEqual((grp["kind"], grp["name"], grp["preferredVersion"]["groupVersion"]),
                         ("APIGroup", "apps", "apps/v1"))

    def test_openapi_v3(self):
        index = self.get_obj("/openapi/v3?timeout=32s")
        for gv in ("api/v1", "apis/apps/v1"):
            self.assertIn(gv, index["paths"], index)
        doc = self.get_obj(index["paths"]["apis/apps/v1"]["serverRelativeURL"])
        op = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
        self.assertEqual(op["x-kubernetes-group-version-kind"],
                         {"group": "apps", "version": "v1", "kind": "Deployment"})
        self.assertIn("fieldValidation", [p.get("name") for p in op.get("parameters", [])] +
                      [p.get("name") for p in doc["paths"][
                          "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].get(
                              "parameters", [])])
        r = self.http("GET", "/openapi/v3/apis/nothing/v9")
        self.assertEqual(r.status, 404, str(r))

    # ------------------------------------------------------------ content negotiation

    def test_table_for_list_and_get(self):
        self.create(self.CMS, cm("tbl", {"a": "1", "b": "2"}, {"t": "x"}))
        r = self.http("GET", f"{self.CMS}?limit=500&labelSelector=t%3Dx", accept=TABLE_ACCEPT)
        t = r.json()
        self.assertEqual((t["kind"], t["apiVersion"]), ("Table", "meta.k8s.io/v1"), str(r))
        self.assertTrue(t["metadata"].get("resourceVersion"), str(r))
        self.assertEqual([c["name"] for c in t["columnDefinitions"]], ["Name", "Data", "Age"])
        self.assertEqual(len(t["rows"]), 1, str(r))
        row = t["rows"][0]
        self.assertEqual(row["cells"][:2], ["tbl", 2], str(r))
        self.assertEqual(row["object"]["kind"], "PartialObjectMetadata", str(r))
        self.assertEqual(row["object"]["metadata"]["name"], "tbl")
        self.assertEqual(row["object"]["metadata"]["namespace"], "wire")
        self.assertEqual(row["object"]["metadata"]["labels"], {"t": "x"})

        r = self.http("GET", f"{self.CMS}?includeObject=Object&labelSelector=t%3Dx",
                      accept=TABLE_ACCEPT)
        obj = r.json()["rows"][0]["object"]
        self.assertEqual(obj["data"], {"a": "1", "b": "2"}, str(r))

        r = self.http("GET", f"{self.CMS}/tbl", accept=TABLE_ACCEPT)
        t = r.json()
        self.assertEqual((t["kind"], len(t["rows"])), ("Table", 1), str(r))

    def test_protobuf_first_and_wildcard_accept_get_json(self):
        self.create(self.CMS, cm("proto"))
        for accept in (PROTO_FIRST, "application/json, */*", "*/*"):
            with self.subTest(accept=accept):
                r = self.http("GET", f"{self.CMS}/proto", accept=accept)
                self.assertEqual(r.status, 200, str(r))
                self.assertTrue(r.header("content-type").startswith("application/json"), str(r))
                self.assertEqual(r.json()["metadata"]["name"], "proto")

    def test_empty_list_has_items_array(self):
        r = self.http("GET", "/api/v1/namespaces/wire/secrets?labelSelector=none%3Dnone")
        body = r.json()
        self.assertEqual((body["kind"], body["apiVersion"]), ("SecretList", "v1"), str(r))
        self.assertEqual(body["items"], [], str(r))
        self.assertTrue(body["metadata"]["resourceVersion"], str(r))

    # ------------------------------------------------------------ writes

    def test_create_defaults_api_version_and_kind(self):
        r = self.http("POST", self.CMS, {"metadata": {"name": "nokind"}, "data": {"a": "b"}})
        self.assertEqual(r.status, 201, str(r))
        self.assertEqual((r.json()["apiVersion"], r.json()["kind"]), ("v1", "ConfigMap"))
        got = self.get_obj(f"{self.CMS}/nokind")
        self.assertEqual((got["apiVersion"], got["kind"]), ("v1", "ConfigMap"))

    def test_put_without_content_type_is_json(self):
        obj = self.create(self.CMS, cm("noctype", {"v": "1"}))
        obj["data"] = {"v": "2"}
        r = self.http("PUT", f"{self.CMS}/noctype", obj, content_type=None)
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(self.get_obj(f"{self.CMS}/noctype")["data"], {"v": "2"})

    def test_noop_update_keeps_resource_version(self):
        obj = self.create(self.CMS, cm("noop", {"v": "1"}))
        r = self.http("PUT", f"{self.CMS}/noop", obj)
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.json()["metadata"]["resourceVersion"],
                         obj["metadata"]["resourceVersion"], "a no-op update must not write")
        r = self.http("PATCH", f"{self.CMS}/noop", {"data": {"v": "1"}},
                      content_type="application/merge-patch+json")
        self.assertEqual(r.json()["metadata"]["resourceVersion"],
                         obj["metadata"]["resourceVersion"], "a no-op patch must not write")

    def test_generation_counts_spec_changes_only(self):
        f = self.write_file("gen.yaml", m.deployment("gen", replicas=1))
        self.kubectl("apply", "-f", f, "-n", "wire")
        path = f"{self.DEPLOYS}/gen"
        self.assertEqual(self.get_obj(path)["metadata"]["generation"], 1)
        r = self.http("PATCH", path, {"metadata": {"labels": {"x": "y"}}},
                      content_type="application/merge-patch+json")
        self.assertEqual(r.json()["metadata"]["generation"], 1, str(r))
        r = self.http("PATCH", path, {"spec": {"replicas": 2}},
                      content_type="application/merge-patch+json")
        self.assertEqual(r.json()["metadata"]["generation"], 2, str(r))
        r = self.http("PATCH", f"{path}/status", {"status": {"observedGeneration": 2}},
                      content_type="application/merge-patch+json")
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.json()["metadata"]["generation"], 2, str(r))

    def test_server_side_apply_patch_creates_then_updates(self):
        path = f"{self.CMS}/ssa-raw?fieldManager=wire-test&fieldValidation=Strict&force=false"
        yaml_body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-raw\ndata:\n  a: '1'\n"
        r = self.http("PATCH", path, yaml_body, content_type="application/apply-patch+yaml")
        self.assertEqual(r.status, 201, str(r))
        yaml_body = yaml_body.replace("'1'", "'2'")
        r = self.http("PATCH", path, yaml_body, content_type="application/apply-patch+yaml")
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.json()["data"], {"a": "2"})
        managers = [(e["manager"], e["operation"]) for e in r.json()["metadata"]["managedFields"]]
        self.assertIn(("wire-test", "Apply"), managers)

    def test_dry_run_does_not_persist(self):
        r = self.http("POST", f"{self.CMS}?dryRun=All", cm("dry"))
        self.assertEqual(r.status, 201, str(r))
        self.assertEqual(self.http("GET", f"{self.CMS}/dry").status, 404)
        obj = self.create(self.CMS, cm("dry2", {"v": "1"}))
        r = self.http("PATCH", f"{self.CMS}/dry2?dryRun=All", {"data": {"v": "2"}},
                      content_type="application/merge-patch+json")
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.json()["data"], {"v": "2"})
        self.assertEqual(self.get_obj(f"{self.CMS}/dry2"), obj)
        r = self.http("DELETE", f"{self.CMS}/dry2?dryRun=All")
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(self.get_obj(f"{self.CMS}/dry2"), obj)

    def test_delete_with_body_then_404(self):
        self.create(self.CMS, cm("del"))
        r = self.http("DELETE", f"{self.CMS}/del", '{"propagationPolicy":"Background"}\n')
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(self.http("GET", f"{self.CMS}/del").status, 404)

    def test_scale_subresource(self):
        f = self.write_file("scale.yaml", m.deployment("scaled", replicas=2))
        self.kubectl("apply", "-f", f, "-n", "wire")
        s = self.get_obj(f"{self.DEPLOYS}/scaled/scale")
        self.assertEqual((s["apiVersion"], s["kind"]), ("autoscaling/v1", "Scale"))
        self.assertEqual(s["spec"], {"replicas": 2})
        self.assertEqual(s["status"]["selector"], "app=scaled")
        r = self.http("PATCH", f"{self.DEPLOYS}/scaled/scale", {"spec": {"replicas": 4}},
                      content_type="application/merge-patch+json", accept="application/json, */*")
        self.assertEqual((r.status, r.json()["spec"]["replicas"]), (200, 4), str(r))
        self.assertEqual(self.get_obj(f"{self.DEPLOYS}/scaled")["spec"]["replicas"], 4)

    # ------------------------------------------------------------ watch

    def test_watch_framing_capital_true_and_timeout(self):
        for i in range(2):
            self.create(self.CMS, cm(f"wa-{i}", labels={"w": "a"}))
        t0 = time.monotonic()
        w = self.watch(f"{self.CMS}?labelSelector=w%3Da&timeoutSeconds=2&watch=True")
        self.assertEqual(w.resp.getheader("Transfer-Encoding"), "chunked")
        events = []
        while (ev := w.next()) is not None:
            events.append(ev)
        self.assertLess(time.monotonic() - t0, 8, "timeoutSeconds=2 was not honoured")
        self.assertEqual(sorted((e["type"], e["object"]["metadata"]["name"]) for e in events),
                         [("ADDED", "wa-0"), ("ADDED", "wa-1")])
        self.assertEqual(events[0]["object"]["kind"], "ConfigMap")

    def test_watch_resumes_from_resource_version(self):
        rv = self.get_obj(f"{self.CMS}?labelSelector=w%3Db")["metadata"]["resourceVersion"]
        a = self.create(self.CMS, cm("wb", labels={"w": "b"}))
        r = self.http("PATCH", f"{self.CMS}/wb", {"data": {"k": "2"}},
                      content_type="application/merge-patch+json")
        b = r.json()
        self.http("DELETE", f"{self.CMS}/wb")
        w = self.watch(f"{self.CMS}?labelSelector=w%3Db&resourceVersion={rv}&watch=1"
                       "&timeoutSeconds=5")
        events = w.collect(3)
        self.assertEqual([(e["type"], e["object"]["metadata"]["resourceVersion"])
                          for e in events[:2]],
                         [("ADDED", a["metadata"]["resourceVersion"]),
                          ("MODIFIED", b["metadata"]["resourceVersion"])], events)
        self.assertEqual([e["type"] for e in events], ["ADDED", "MODIFIED", "DELETED"])
        self.assertGreater(int(events[2]["object"]["metadata"]["resourceVersion"]),
                           int(b["metadata"]["resourceVersion"]))

    def test_watch_single_object_from_rv_zero(self):
        self.create(self.CMS, cm("one"))
        self.create(self.CMS, cm("other"))
        w = self.watch(f"{self.CMS}?fieldSelector=metadata.name%3Done&resourceVersion=0"
                       "&watch=true&timeoutSeconds=30")
        ev = w.next()
        self.assertEqual((ev["type"], ev["object"]["metadata"]["name"]), ("ADDED", "one"))
        self.http("PATCH", f"{self.CMS}/other", {"data": {"k": "x"}},
                  content_type="application/merge-patch+json")
        self.http("PATCH", f"{self.CMS}/one", {"data": {"k": "y"}},
                  content_type="application/merge-patch+json")
        ev = w.next()
        self.assertEqual((ev["type"], ev["object"]["metadata"]["name"],
                          ev["object"]["data"]), ("MODIFIED", "one", {"k": "y"}))

    def test_watch_table_events_are_tables(self):
        rv = self.get_obj(f"{self.CMS}?labelSelector=w%3Dt")["metadata"]["resourceVersion"]
        self.create(self.CMS, cm("wt", labels={"w": "t"}))
        w = self.watch(f"{self.CMS}?labelSelector=w%3Dt&resourceVersion={rv}&watch=true"
                       "&timeoutSeconds=5", accept=TABLE_ACCEPT)
        ev = w.next()
        self.assertEqual(ev["type"], "ADDED")
        t = ev["object"]
        self.assertEqual(t["kind"], "Table", ev)
        self.assertEqual(len(t["rows"]), 1, ev)
        self.assertEqual(t["rows"][0]["cells"][0], "wt")

    def test_no_bookmarks_unless_asked(self):
        w = self.watch(f"{self.CMS}?watch=true&resourceVersion=0&timeoutSeconds=3")
        events = []
        while (ev := w.next()) is not None:
            events.append(ev)
        self.assertNotIn("BOOKMARK", [e["type"] for e in events])


if __name__ == "__main__":
    harness.main()
