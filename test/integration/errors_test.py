#!/usr/bin/python3
"""Bad requests get Kubernetes Status errors with the right code, reason, message and causes,
both as raw HTTP and as kubectl prints them; and a failed request writes nothing."""

import copy
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import manifests as m  # noqa: E402
from harness import ServerTestCase  # noqa: E402

NS = "errs"
DEPLOYS = f"/apis/apps/v1/namespaces/{NS}/deployments"
CMS = f"/api/v1/namespaces/{NS}/configmaps"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/apply-patch+yaml", "application/strategic-merge-patch+json")


def deployment(name, replicas=1, selector=None, template_labels=None, spec_extra=None):
    selector = selector or {"app": name}
    template_labels = template_labels or selector
    spec = {"replicas": replicas,
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": template_labels},
                         "spec": {"nodeSelector": m.NEVER,
                                  "containers": [{"name": "web", "image": "nginx:1.27"}]}}}
    spec.update(spec_extra or {})
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": spec}


def configmap(name, data=None):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": data or {"k": "v"}}


class ErrorsTest(ServerTestCase):

    # Objects must read back exactly as written; workload controllers would add status.
    server_args = ("--controllers", "garbagecollector,namespace")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.server.request("POST", "/api/v1/namespaces",
                               {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        if r.status != 201:
            raise RuntimeError(f"cannot create namespace {NS}\n{r}")

    def assertAbsent(self, path):
        r = self.http("GET", path)
        self.assertEqual(r.status, 404, f"a failed request must not create {path}\n{r}")

    def create(self, path, body):
        r = self.http("POST", path, body)
        self.assertEqual(r.status, 201, str(r))
        return r.json()

    # ------------------------------------------------------------ 404

    def test_get_missing_deployment_kubectl(self):
        r = self.kubectl("get", "deploy", "nope", "-n", NS, check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertEqual(r.out, "", str(r))
        self.assertEqual(r.err.strip(),
                         'Error from server (NotFound): deployments.apps "nope" not found', str(r))

    def test_get_missing_object_status(self):
        r = self.http("GET", f"{DEPLOYS}/nope")
        st = self.assertStatus(r, 404, "NotFound")
        self.assertEqual(st["message"], 'deployments.apps "nope" not found', str(r))
        self.assertEqual(st["details"], {"name": "nope", "group": "apps", "kind": "deployments"},
                         str(r))
        r = self.http("GET", f"{CMS}/nope")
        st = self.assertStatus(r, 404, "NotFound")
        self.assertEqual(st["message"], 'configmaps "nope" not found', str(r))
        self.assertEqual(st["details"], {"name": "nope", "kind": "configmaps"}, str(r))

    def test_unknown_paths(self):
        r = self.http("GET", "/apis/apps/v1/namespaces/errs/widgets")
        st = self.assertStatus(r, 404, "NotFound")
        self.assertEqual(st["message"], "the server could not find the requested resource", str(r))
        r = self.kubectl("get", "widgets", check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertEqual(r.err.strip(),
                         'error: the server doesn\'t have a resource type "widgets"', str(r))

    def test_create_in_missing_namespace(self):
        r = self.http("POST", "/api/v1/namespaces/nowhere/configmaps", configmap("c"))
        st = self.assertStatus(r, 404, "NotFound")
        self.assertEqual(st["message"], 'namespaces "nowhere" not found', str(r))
        self.assertAbsent("/api/v1/namespaces/nowhere/configmaps/c")

    def test_method_not_allowed(self):
        r = self.http("POST", f"{CMS}/some-name", configmap("some-name"))
        self.assertStatus(r, 405, "MethodNotAllowed")
        self.assertAbsent(f"{CMS}/some-name")

    # ------------------------------------------------------------ 409

    def test_create_existing_conflicts(self):
        first = self.create(CMS, configmap("dup", {"v": "first"}))
        r = self.http("POST", CMS, configmap("dup", {"v": "second"}))
        st = self.assertStatus(r, 409, "AlreadyExists")
        self.assertEqual(st["message"], 'configmaps "dup" already exists', str(r))
        self.assertEqual(self.get_obj(f"{CMS}/dup"), first)

    def test_stale_resource_version_put_conflicts(self):
        v1 = self.create(CMS, configmap("stale", {"v": "1"}))
        upd = copy.deepcopy(v1)
        upd["data"] = {"v": "2"}
        r = self.http("PUT", f"{CMS}/stale", upd)
        self.assertEqual(r.status, 200, str(r))
        v2 = r.json()
        self.assertGreater(int(v2["metadata"]["resourceVersion"]),
                           int(v1["metadata"]["resourceVersion"]))

        stale = copy.deepcopy(v1)
        stale["data"] = {"v": "3"}
        r = self.http("PUT", f"{CMS}/stale", stale)
        st = self.assertStatus(r, 409, "Conflict")
        self.assertEqual(st["message"], 'Operation cannot be fulfilled on configmaps "stale": the '
                         'object has been modified; please apply your changes to the latest '
                         'version and try again', str(r))
        self.assertEqual(st["details"], {"name": "stale", "kind": "configmaps"}, str(r))
        self.assertEqual(self.get_obj(f"{CMS}/stale"), v2, "a conflicting PUT must not write")

        f = self.write_file("stale.json", json.dumps(stale))
        r = self.kubectl("replace", "-f", f, check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertEqual(r.err.strip(), f'Error from server (Conflict): error when replacing "{f}"'
                         ': Operation cannot be fulfilled on configmaps "stale": the object has '
                         'been modified; please apply your changes to the latest version and try '
                         'again', str(r))
        self.assertEqual(self.get_obj(f"{CMS}/stale"), v2)

    # ------------------------------------------------------------ 422

    def _cause_fields(self, st):
        return [(c.get("reason"), c.get("field")) for c in st.get("details", {}).get("causes", [])]

    def test_invalid_selector_not_matching_template(self):
        body = deployment("bad-selector", selector={"app": "a"}, template_labels={"app": "b"})
        r = self.http("POST", DEPLOYS, body)
        st = self.assertStatus(r, 422, "Invalid")
        msg = ('Invalid value: map[string]string{"app":"b"}: `selector` does not match template '
               '`labels`')
        self.assertEqual(st["message"], f'Deployment.apps "bad-selector" is invalid: '
                                        f'spec.template.metadata.labels: {msg}', str(r))
        self.assertEqual(st["details"]["name"], "bad-selector", str(r))
        self.assertEqual(st["details"]["group"], "apps", str(r))
        self.assertEqual(st["details"]["kind"], "Deployment", str(r))
        self.assertIn({"reason": "FieldValueInvalid", "message": msg,
                       "field": "spec.template.metadata.labels"}, st["details"]["causes"], str(r))
        self.assertAbsent(f"{DEPLOYS}/bad-selector")

        f = self.write_file("bad-selector.json", json.dumps(body))
        r = self.kubectl("apply", "-f", f, "-n", NS, check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn(f'The Deployment "bad-selector" is invalid: spec.template.metadata.labels: '
                      f'{msg}', r.err, str(r))
        self.assertAbsent(f"{DEPLOYS}/bad-selector")

    def test_invalid_negative_replicas(self):
        r = self.http("POST", DEPLOYS, deployment("neg", replicas=-1))
        st = self.assertStatus(r, 422, "Invalid")
        self.assertIn(("FieldValueInvalid", "spec.replicas"), self._cause_fields(st), str(r))
        self.assertIn("spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                      st["message"], str(r))
        self.assertAbsent(f"{DEPLOYS}/neg")

        f = self.write_file("neg.json", json.dumps(deployment("neg", replicas=-1)))
        r = self.kubectl("create", "-f", f, "-n", NS, check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn('The Deployment "neg" is invalid: spec.replicas: Invalid value: -1: must be '
                      'greater than or equal to 0', r.err, str(r))

        # An update to an invalid state is refused and the stored object stays as it was.
        good = self.create(DEPLOYS, deployment("neg-update", replicas=2))
        r = self.http("PATCH", f"{DEPLOYS}/neg-update", {"spec": {"replicas": -3}},
                      content_type="application/merge-patch+json")
        st = self.assertStatus(r, 422, "Invalid")
        self.assertIn(("FieldValueInvalid", "spec.replicas"), self._cause_fields(st), str(r))
        self.assertEqual(self.get_obj(f"{DEPLOYS}/neg-update"), good)
        r = self.kubectl("scale", "deployment", "neg-update", "--replicas=-1", "-n", NS,
                         check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertEqual(self.get_obj(f"{DEPLOYS}/neg-update")["spec"]["replicas"], 2)

    # ------------------------------------------------------------ 400

    def test_malformed_json(self):
        broken = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "broken"'
        r = self.http("POST", CMS, broken)
        self.assertStatus(r, 400, "BadRequest")
        self.assertAbsent(f"{CMS}/broken")

        good = self.create(CMS, configmap("target", {"v": "1"}))
        r = self.http("PUT", f"{CMS}/target", '{"metadata": {"name": "target"}, "data": ')
        self.assertStatus(r, 400, "BadRequest")
        for ctype in PATCH_TYPES:
            with self.subTest(content_type=ctype):
                r = self.http("PATCH", f"{CMS}/target?fieldManager=errors-test",
                              '{"data": {"v": ', content_type=ctype)
                self.assertStatus(r, 400, "BadRequest")
        self.assertEqual(self.get_obj(f"{CMS}/target"), good)

    def test_namespace_mismatch(self):
        body = configmap("elsewhere")
        body["metadata"]["namespace"] = "default"
        r = self.http("POST", CMS, body)
        st = self.assertStatus(r, 400, "BadRequest")
        self.assertEqual(st["message"], "the namespace of the provided object does not match the "
                                        "namespace sent on the request", str(r))
        self.assertAbsent(f"{CMS}/elsewhere")
        self.assertAbsent("/api/v1/namespaces/default/configmaps/elsewhere")

    def test_strict_field_validation(self):
        body = deployment("strict", spec_extra={"foo": 1})
        r = self.http("POST", f"{DEPLOYS}?fieldValidation=Strict", body)
        st = self.assertStatus(r, 400, "BadRequest")
        self.assertIn('unknown field "spec.foo"', st["message"], str(r))
        self.assertAbsent(f"{DEPLOYS}/strict")

        dup = ('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"strict"},'
               '"spec":{"replicas":1,"replicas":2,"selector":{"matchLabels":{"app":"s"}},'
               '"template":{"metadata":{"labels":{"app":"s"}},"spec":{"containers":'
               '[{"name":"web","image":"nginx:1.27"}]}}}}')
        r = self.http("POST", f"{DEPLOYS}?fieldValidation=Strict", dup)
        st = self.assertStatus(r, 400, "BadRequest")
        self.assertIn("duplicate field", st["message"], str(r))
        self.assertIn("replicas", st["message"], str(r))
        self.assertAbsent(f"{DEPLOYS}/strict")

        # kubectl apply validates on the server with fieldValidation=Strict.
        f = self.write_file("strict.json", json.dumps(body))
        r = self.kubectl("apply", "-f", f, "-n", NS, check=False)
        self.assertEqual(r.rc, 1, str(r))
        self.assertTrue(r.err.startswith('Error from server (BadRequest): error when creating '
                                         f'"{f}": '), str(r))
        self.assertIn('unknown field "spec.foo"', r.err, str(r))
        self.assertAbsent(f"{DEPLOYS}/strict")

        r = self.http("POST", f"{DEPLOYS}?fieldValidation=Warn",
                      deployment("warned", spec_extra={"foo": 1}))
        self.assertEqual(r.status, 201, str(r))
        self.assertIn('unknown field \\"spec.foo\\"', r.header("warning") or "", str(r))
        r = self.http("POST", f"{DEPLOYS}?fieldValidation=Ignore",
                      deployment("ignored", spec_extra={"foo": 1}))
        self.assertEqual(r.status, 201, str(r))
        self.assertIsNone(r.header("warning"), str(r))

    # ------------------------------------------------------------ 413 / 415

    def test_unsupported_patch_content_type(self):
        good = self.create(CMS, configmap("patch-target", {"v": "1"}))
        for ctype in ("application/xml", "text/plain"):
            with self.subTest(content_type=ctype):
                r = self.http("PATCH", f"{CMS}/patch-target", '{"data": {"v": "2"}}',
                              content_type=ctype)
                st = self.assertStatus(r, 415, "UnsupportedMediaType")
                for accepted in PATCH_TYPES:
                    self.assertIn(accepted, st["message"], str(r))
        r = self.http("PATCH", f"{CMS}/patch-target", '{"data": {"v": "2"}}', content_type=None)
        self.assertStatus(r, 415, "UnsupportedMediaType")
        self.assertEqual(self.get_obj(f"{CMS}/patch-target"), good)

        r = self.http("POST", CMS, json.dumps(configmap("xml-create")),
                      content_type="application/xml")
        self.assertStatus(r, 415, "UnsupportedMediaType")
        self.assertAbsent(f"{CMS}/xml-create")

    def test_request_entity_too_large(self):
        big = configmap("huge", {"blob": "x" * (3 * 1024 * 1024 + 512 * 1024)})
        r = self.http("POST", CMS, big, timeout=60)
        self.assertStatus(r, 413, "RequestEntityTooLarge")
        self.assertAbsent(f"{CMS}/huge")
        good = self.create(CMS, configmap("grow", {"v": "1"}))
        r = self.http("PUT", f"{CMS}/grow", dict(good, data={"blob": "y" * (4 * 1024 * 1024)}),
                      timeout=60)
        self.assertStatus(r, 413, "RequestEntityTooLarge")
        self.assertEqual(self.get_obj(f"{CMS}/grow"), good)
        # The server still serves normally afterwards.
        self.assertEqual(self.http("GET", "/readyz", accept=None).status, 200)


if __name__ == "__main__":
    harness.main()
