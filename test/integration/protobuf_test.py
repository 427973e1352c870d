#!/usr/bin/python3
"""Request bodies in Kubernetes protobuf: kubectl's typed clients (create, run, expose, drain)
POST application/vnd.kubernetes.protobuf. Each command must succeed and store what the same
command prints with --dry-run=client -o json; malformed protobuf is a 400 naming the problem."""

import base64
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

PROTOBUF = "application/vnd.kubernetes.protobuf"
BINARY = b"\x00\x01\x02\xff\xfe binary \x80"


def subset_diffs(want, got, path=""):
    """Where `got` lacks something `want` has. A null in `want` (creationTimestamp) matches
    anything; an empty object must be present; lists must match element by element."""
    if want is None:
        return []
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path or '.'}: want an object, got {got!r}"]
        diffs = []
        for k, v in want.items():
            if k not in got:
                if v is not None:
                    diffs.append(f"{path}.{k}: missing (want {v!r})")
                continue
            diffs += subset_diffs(v, got[k], f"{path}.{k}")
        return diffs
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{path}: want {want!r}, got {got!r}"]
        diffs = []
        for i, (a, b) in enumerate(zip(want, got)):
            diffs += subset_diffs(a, b, f"{path}[{i}]")
        return diffs
    return [] if want == got else [f"{path}: want {want!r}, got {got!r}"]


# A minimal protobuf writer for hand-built bodies.
def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def field_bytes(number, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data


def field_varint(number, v):
    return varint(number << 3) + varint(v)


def envelope(api_version, kind, raw):
    type_meta = field_bytes(1, api_version) + field_bytes(2, kind)
    return b"k8s\x00" + field_bytes(1, type_meta) + field_bytes(2, raw) + field_bytes(3, "") + \
        field_bytes(4, "")


class ProtobufBodiesTest(ServerTestCase):

    def created(self, create_args, get_args, expect):
        """Runs a create command with --dry-run=client -o json, then for real; the stored object
        must contain everything the dry run printed."""
        args = list(create_args)
        extra = ["--dry-run=client", "-o", "json"]
        if "--" in args:
            i = args.index("--")
            dry = args[:i] + extra + args[i:]
        else:
            dry = args + extra
        want = json.loads(self.kubectl(*dry).out)
        r = self.kubectl(*create_args)
        self.assertRegex(r.out, expect, str(r))
        got = json.loads(self.kubectl("get", "-o", "json", *get_args).out)
        diffs = subset_diffs(want, got)
        self.assertEqual(diffs, [], f"stored object differs from the client's dry run\n"
                                    f"dry run: {json.dumps(want, indent=1)}\n"
                                    f"stored: {json.dumps(got, indent=1)}")
        return got

    def test_kubectl_sends_protobuf(self):
        # Guards the rest of this file: the typed create path really is protobuf.
        r = self.kubectl("create", "configmap", "wire", "--from-literal=a=b", "-v=8")
        self.assertRegex(r.err, r"POST http://127\.0\.0\.1:\d+/api/v1/namespaces/default/"
                                r"configmaps\?fieldManager=kubectl-create", str(r))
        self.assertIn(f"Content-Type: {PROTOBUF}", r.err, str(r))
        self.assertIn("Response Status: 201 Created", r.err, str(r))

    def test_create_namespace(self):
        got = self.created(["create", "namespace", "t2"], ["namespace", "t2"],
                           r"namespace/t2 created")
        self.assertEqual(got["status"]["phase"], "Active")

    def test_create_configmap_with_binary_data(self):
        path = self.run_dir / "bin.dat"
        path.write_bytes(BINARY)
        got = self.created(["create", "configmap", "c", "--from-literal=a=b", f"--from-file={path}"],
                           ["configmap", "c"], r"configmap/c created")
        self.assertEqual(got["data"], {"a": "b"})
        self.assertEqual(got["binaryData"], {"bin.dat": base64.b64encode(BINARY).decode()})

    def test_create_secret(self):
        got = self.created(["create", "secret", "generic", "s", "--from-literal=p=q"],
                           ["secret", "s"], r"secret/s created")
        self.assertEqual(got["data"], {"p": base64.b64encode(b"q").decode()})

    def test_create_deployment_and_expose(self):
        got = self.created(["create", "deployment", "d", "--image=busybox:1.36", "--replicas=2",
                            "--port=8080"], ["deployment", "d"], r"deployment.apps/d created")
        self.assertEqual(got["spec"]["replicas"], 2)
        self.assertEqual(got["spec"]["template"]["spec"]["containers"][0]["ports"][0]
                         ["containerPort"], 8080)
        svc = self.created(["expose", "deployment", "d", "--port=80"], ["service", "d"],
                           r"service/d exposed")
        self.assertEqual(svc["spec"]["selector"], {"app": "d"})
        # Without --target-port kubectl sends targetPort equal to --port.
        self.assertEqual(svc["spec"]["ports"][0]["targetPort"], 80)

    def test_create_service_clusterip(self):
        svc = self.created(["create", "service", "clusterip", "s1", "--tcp=80:8080"],
                           ["service", "s1"], r"service/s1 created")
        self.assertEqual(svc["spec"]["ports"][0]["port"], 80)
        self.assertEqual(svc["spec"]["ports"][0]["targetPort"], 8080)

    def test_run_pod(self):
        pod = self.created(["run", "p", "--image=busybox:1.36", "--labels=a=b", "--env=X=1", "--",
                            "sleep", "3600"], ["pod", "p"], r"pod/p created")
        c = pod["spec"]["containers"][0]
        self.assertEqual(c["args"], ["sleep", "3600"])
        self.assertEqual(c["env"], [{"name": "X", "value": "1"}])
        self.assertEqual(pod["metadata"]["labels"], {"a": "b"})

    def test_create_serviceaccount(self):
        self.created(["create", "serviceaccount", "sa1"], ["serviceaccount", "sa1"],
                     r"serviceaccount/sa1 created")

    def test_create_pdb(self):
        pdb = self.created(["create", "pdb", "p1", "--selector=app=d", "--min-available=1"],
                           ["pdb", "p1"], r"poddisruptionbudget.policy/p1 created")
        self.assertEqual(pdb["spec"]["minAvailable"], 1)
        self.assertEqual(pdb["spec"]["selector"], {"matchLabels": {"app": "d"}})

    def test_drain_evicts_pods(self):
        manifest = self.write_file("drain.yaml", """
apiVersion: v1
kind: Node
metadata:
  name: drain-node
---
apiVersion: v1
kind: Pod
metadata:
  name: on-drain-node
  namespace: default
spec:
  nodeName: drain-node
  containers:
  - name: c
    image: busybox:1.36
""")
        self.kubectl("apply", "-f", manifest)
        r = self.kubectl("drain", "drain-node", "--force", "--grace-period=0", "--timeout=60s",
                         "-v=6")
        self.assertRegex(r.err, r"POST http://127\.0\.0\.1:\d+/api/v1/namespaces/default/pods/"
                                r"on-drain-node/eviction 201", str(r))
        self.assertIn("pod/on-drain-node evicted", r.out + r.err, str(r))
        self.assertIn("node/drain-node drained", r.out, str(r))
        self.assertGone("/api/v1/namespaces/default/pods/on-drain-node", timeout=10)

    def test_hand_built_body(self):
        meta = field_bytes(1, "raw-cm") + field_bytes(11, field_bytes(1, "k") + field_bytes(2, "v"))
        body = envelope("v1", "ConfigMap", field_bytes(1, meta) +
                        field_bytes(2, field_bytes(1, "a") + field_bytes(2, "b")) +
                        field_varint(4, 1))
        r = self.http("POST", "/api/v1/namespaces/default/configmaps", body,
                      content_type=PROTOBUF)
        self.assertEqual(r.status, 201, str(r))
        got = self.get_obj("/api/v1/namespaces/default/configmaps/raw-cm")
        self.assertEqual(got["data"], {"a": "b"})
        self.assertEqual(got["metadata"]["labels"], {"k": "v"})
        self.assertIs(got["immutable"], True)

    def test_malformed_bodies_are_bad_requests(self):
        path = "/api/v1/namespaces/default/configmaps"
        good_meta = field_bytes(1, field_bytes(1, "bad"))
        cases = {
            "json in a protobuf body": (b'{"kind":"ConfigMap"}', r"prefix"),
            "truncated envelope": (b"k8s\x00\x0a\x09", r"runs past the end"),
            "unknown kind": (envelope("v1", "Widget", b""),
                             r'no kind "Widget" is registered for version "v1"'),
            "truncated object": (envelope("v1", "ConfigMap", good_meta[:-2]), r"runs past the end"),
            "wrong wire type": (envelope("v1", "ConfigMap", field_varint(1, 3)),
                                r"field 1 \(metadata\) has wire type varint"),
        }
        for name, (body, message) in cases.items():
            with self.subTest(name):
                r = self.http("POST", path, body, content_type=PROTOBUF)
                st = self.assertStatus(r, 400, "BadRequest")
                self.assertRegex(st["message"], message, str(r))
                self.assertIn("invalid protobuf body", st["message"], str(r))
        self.assertGone(f"{path}/bad")
        r = self.http("POST", path, envelope("v1", "ConfigMap", good_meta),
                      content_type="application/x-protobuf")
        self.assertStatus(r, 415, "UnsupportedMediaType")


if __name__ == "__main__":
    harness.main()
