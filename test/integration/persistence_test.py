#!/usr/bin/python3
"""Durability of the SQLite store: objects and resourceVersions survive SIGKILL of the server
and a restart on the same data dir; every acknowledged (201) write is still there."""

import http.client
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import manifests as m  # noqa: E402
from harness import ServerTestCase, table  # noqa: E402


def cm_body(name, data, labels=None):
    meta = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


class PersistenceTest(ServerTestCase):
    store = "sqlite"

    def cm_path(self, ns, name=""):
        return f"/api/v1/namespaces/{ns}/configmaps" + (f"/{name}" if name else "")

    def create_cm(self, ns, name, data):
        r = self.http("POST", self.cm_path(ns), cm_body(name, data))
        self.assertEqual(r.status, 201, str(r))
        return r.json()

    def list_cms(self, ns):
        return self.get_obj(self.cm_path(ns))

    def test_objects_and_resource_versions_survive_kill9(self):
        ns = self.make_ns("durable")
        f = self.write_file("durable.yaml", m.workloads())
        self.kubectl("apply", "-f", f, "-n", ns)
        kept = {n: self.create_cm(ns, n, {"v": n}) for n in ("keep-1", "keep-2", "keep-3")}
        # An update and a delete must survive too.
        upd = dict(kept["keep-2"])
        upd["data"] = {"v": "updated"}
        r = self.http("PUT", self.cm_path(ns, "keep-2"), upd)
        self.assertEqual(r.status, 200, str(r))
        kept["keep-2"] = r.json()
        self.create_cm(ns, "gone", {"v": "x"})
        r = self.http("DELETE", self.cm_path(ns, "gone"))
        self.assertEqual(r.status, 200, str(r))

        workloads = {}
        for kind, path in (("deployments", f"/apis/apps/v1/namespaces/{ns}/deployments/web"),
                           ("statefulsets", f"/apis/apps/v1/namespaces/{ns}/statefulsets/db"),
                           ("daemonsets", f"/apis/apps/v1/namespaces/{ns}/daemonsets/agent"),
                           ("pvc", f"/api/v1/namespaces/{ns}/persistentvolumeclaims/data")):
            workloads[path] = self.get_obj(path)
        before_list_rv = int(self.list_cms(ns)["metadata"]["resourceVersion"])
        max_rv = max([int(o["metadata"]["resourceVersion"]) for o in kept.values()] +
                     [before_list_rv])

        self.server.restart()

        for name, obj in kept.items():
            got = self.get_obj(self.cm_path(ns, name))
            self.assertEqual(got, obj, f"configmap {name} changed across the restart")
        self.assertGone(self.cm_path(ns, "gone"))
        for path, obj in workloads.items():
            got = self.get_obj(path)
            for field in ("uid", "creationTimestamp", "labels", "annotations", "generation"):
                self.assertEqual(got["metadata"].get(field), obj["metadata"].get(field),
                                 f"{path} metadata.{field}")
            self.assertEqual(got["spec"], obj["spec"], path)

        after_list_rv = int(self.list_cms(ns)["metadata"]["resourceVersion"])
        self.assertGreaterEqual(after_list_rv, max_rv)
        new = self.create_cm(ns, "after-restart", {"v": "new"})
        self.assertGreater(int(new["metadata"]["resourceVersion"]), max_rv,
                           "the resourceVersion counter must continue after a restart")

        r = self.kubectl("get", "configmaps", "-n", ns)
        names = sorted(row[0] for row in table(r.out)[1])
        for name in ("after-restart", "keep-1", "keep-2", "keep-3", "settings"):
            self.assertIn(name, names, str(r))
        self.assertNotIn("gone", names, str(r))
        r = self.kubectl("get", "deployment", "web", "-n", ns, "-o", "name")
        self.assertEqual(r.lines(), ["deployment.apps/web"], str(r))

    def test_concurrent_acknowledged_writes_survive_kill9(self):
        ns = self.make_ns("crash")
        port = self.server.port
        path = self.cm_path(ns)
        lock = threading.Lock()
        acked, unexpected, errors = {}, [], []
        stop = threading.Event()

        def writer(t):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            i = 0
            while not stop.is_set():
                name = f"w{t}-{i}"
                body = json.dumps(cm_body(name, {"i": str(i), "pad": "x" * 256},
                                          {"writer": str(t)}))
                try:
                    conn.request("POST", path, body, {"Content-Type": "application/json",
                                                      "Accept": "application/json"})
                    resp = conn.getresponse()
                    data = resp.read()
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        errors.append((name, repr(e)))
                    return
                with lock:
                    if resp.status == 201:
                        meta = json.loads(data)["metadata"]
                        acked[name] = (meta["resourceVersion"], meta["uid"])
                    else:
                        unexpected.append((name, resp.status, data[:300]))
                i += 1

        threads = [threading.Thread(target=writer, args=(t,), daemon=True) for t in range(8)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with lock:
                if len(acked) >= 300 or unexpected:
                    break
            time.sleep(0.02)
        # Kill while the writers are still writing.
        self.server.kill9()
        stop.set()
        for t in threads:
            t.join(30)
        with lock:
            acked_now = dict(acked)
        self.assertEqual(unexpected, [], "creates answered something other than 201")
        self.assertGreaterEqual(len(acked_now), 50,
                                f"only {len(acked_now)} creates acknowledged in 30 s")

        self.server.start()
        lst = self.list_cms(ns)
        stored = {i["metadata"]["name"]: (i["metadata"]["resourceVersion"], i["metadata"]["uid"])
                  for i in lst["items"]}
        lost = sorted(n for n in acked_now if n not in stored)
        self.assertEqual(lost, [], f"{len(lost)} of {len(acked_now)} acknowledged creates lost")
        changed = sorted((n, acked_now[n], stored[n]) for n in acked_now
                         if stored[n] != acked_now[n])
        self.assertEqual(changed, [], "acknowledged objects came back with another "
                                      "resourceVersion or uid")
        rvs = [int(rv) for rv, _ in acked_now.values()]
        self.assertEqual(len(rvs), len(set(rvs)), "two creates got the same resourceVersion")
        every_rv = [int(rv) for rv, _ in stored.values()]
        self.assertGreaterEqual(int(lst["metadata"]["resourceVersion"]), max(every_rv))
        new = self.create_cm(ns, "after-crash", {"v": "1"})
        self.assertGreater(int(new["metadata"]["resourceVersion"]), max(every_rv))
        print(f"\n[persistence] {len(acked_now)} acknowledged, {len(stored)} stored, "
              f"{len(errors)} writers cut off", file=sys.stderr)

    def test_restart_on_the_same_port_after_kill9(self):
        ns = self.make_ns("sameport")
        obj = self.create_cm(ns, "before", {"v": "1"})
        port = self.server.port
        # Established keep-alive connections at the time of the crash.
        conns = []
        for _ in range(3):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/readyz")
            c.getresponse().read()
            conns.append(c)
        self.server.restart(same_port=True)
        for c in conns:
            c.close()
        self.assertEqual(self.server.port, port)
        self.assertEqual(self.get_obj(self.cm_path(ns, "before")), obj)
        r = self.kubectl("get", "configmap", "before", "-n", ns, "-o", "name")
        self.assertEqual(r.lines(), ["configmap/before"], str(r))

    def test_sigterm_exits_cleanly_and_data_survives(self):
        ns = self.make_ns("graceful")
        obj = self.create_cm(ns, "kept", {"v": "1"})
        t0 = time.monotonic()
        rc = self.server.stop(timeout=20)
        self.assertEqual(rc, 0, f"skiff server exit code on SIGTERM\n{self.server.stderr_tail(30)}")
        self.assertLess(time.monotonic() - t0, 10, "shutdown took too long")
        self.server.start()
        self.assertEqual(self.get_obj(self.cm_path(ns, "kept")), obj)


if __name__ == "__main__":
    harness.main()
