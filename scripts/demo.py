#!/usr/bin/python3
"""Replays the Deployments / StatefulSets / DaemonSets tutorial (docs/tutorial.md) on a fresh
three-node Skiff cluster, with the manifests in examples/counter/.

Every step prints the kubectl commands it runs (`$ kubectl ...`) and their real output, then
checks that the cluster behaved as the tutorial says (the count continues on a shared volume,
StatefulSet pods start and update in ordinal order, a broken image stops the update at the
highest ordinal, DaemonSet pods stay off the tainted control-plane node, ...). A check that
fails stops the demo with a message and exit status 1.

Needs root (real containers with runc). The cluster runs from --data-dir (default
/tmp/skiff-demo, emptied first except for its image store), on its own bridge, pod subnet and
cgroup, so it never meets another cluster on the machine. Whatever happens (failure, Ctrl-C,
SIGTERM), the demo deletes its workloads, stops the server and removes the bridge.

    sudo /usr/bin/python3 scripts/demo.py [--skiff PATH] [--data-dir DIR] [--quick]
"""

import argparse
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = "examples/counter"
NS = "default"
LABEL = "app=counter"
CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane"
OLD_IMAGE = "busybox:1.36"
NEW_IMAGE = "busybox:1.37"
# Nothing listens on port 1 of the loopback address: the pull fails at once, with no network.
BROKEN_IMAGE = "127.0.0.1:1/busybox:no-such-tag"
MARKER = ".skiff-demo"

# Generous limits: a debug (sanitizer) build on a busy two-core machine is much slower than a
# release build on an idle one.
READY_TIMEOUT = 180
ROLLOUT_TIMEOUT = "300s"


class DemoError(Exception):
    """A step did not behave as the tutorial says."""


class Interrupted(BaseException):
    """SIGTERM (or SIGINT) asked the demo to stop."""


def now():
    return time.monotonic()


# ------------------------------------------------------------------------------- the cluster

class Cluster:
    """One `skiff server --nodes 3` and the clients that talk to it."""

    def __init__(self, args):
        self.args = args
        self.data_dir = Path(args.data_dir).resolve()
        self.skiff = str(Path(args.skiff).resolve())
        self.proc = None
        self.url = None
        self.log_path = self.data_dir / "server.log"
        self.home = self.data_dir / "home"
        self.background = []  # long-running kubectl processes (watches)

    # ---- start / stop

    def prepare_data_dir(self):
        d = self.data_dir
        mounts = mounts_under(d)
        if mounts:
            raise DemoError(f"{d} still has mounts from an earlier run ({', '.join(mounts[:3])}"
                            f"{', ...' if len(mounts) > 3 else ''}); stop what uses them or "
                            f"choose another --data-dir")
        if d.exists():
            entries = {p.name for p in d.iterdir()}
            if entries and MARKER not in entries and not entries <= {"images"}:
                raise DemoError(f"{d} exists and was not made by this demo: choose another "
                                f"--data-dir or remove it")
            pid_file = d / "server.pid"
            if pid_file.exists():
                try:
                    pid = int(pid_file.read_text())
                    os.kill(pid, 0)
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                    if b"skiff" in cmdline:
                        raise DemoError(f"a skiff server (pid {pid}) still runs on {d}")
                except (ValueError, ProcessLookupError, FileNotFoundError):
                    pass
            for entry in d.iterdir():
                if entry.name == "images":  # the image store: importing it again takes time
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        d.mkdir(parents=True, exist_ok=True)
        (d / MARKER).write_text("made by scripts/demo.py; emptied by its next run\n")
        self.home.mkdir()

    def import_image(self):
        r = subprocess.run(["/bin/bash", str(REPO / "scripts/make-busybox-image.sh"),
                            "--data-dir", str(self.data_dir), "--examples", "--if-missing"],
                           capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, SKIFF_BIN=self.skiff))
        if r.returncode != 0:
            raise DemoError(f"make-busybox-image.sh failed:\n{r.stdout}{r.stderr}")
        out = r.stdout.strip()
        return out.splitlines()[0] if out else "busybox image already in the store"

    def server_argv(self):
        a = self.args
        argv = [self.skiff, "server", "--nodes", "3", "--data-dir", str(self.data_dir),
                "--port", "0", "--bridge", a.bridge, "--pod-subnet", a.pod_subnet,
                "--cgroup-parent", a.cgroup_parent]
        if a.node_name:
            argv += ["--node-name", a.node_name]
        return argv

    def check_bridge(self):
        bridge = Path("/sys/class/net") / self.args.bridge
        if not bridge.exists():
            return
        ports = list((bridge / "brif").iterdir()) if (bridge / "brif").exists() else []
        if ports:
            raise DemoError(f"bridge {self.args.bridge} exists and has pods attached "
                            f"({len(ports)} ports): another cluster uses it; choose --bridge")
        subprocess.run(["ip", "link", "del", self.args.bridge], capture_output=True)

    def start(self):
        self.check_bridge()
        argv = self.server_argv()
        env = dict(os.environ)
        # A sanitizer build reports leaks at exit; they are not what the demo checks.
        env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        log = open(self.log_path, "ab")
        # Its own session: Ctrl-C reaches the demo, which then cleans up before stopping it.
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        log.close()
        (self.data_dir / "server.pid").write_text(f"{self.proc.pid}\n")
        deadline = now() + 120
        pattern = re.compile(r"Skiff API server listening on (http://\S+)")
        while True:
            if self.proc.poll() is not None:
                raise DemoError(f"skiff server exited with {self.proc.returncode} while "
                                f"starting\n{self.log_tail()}")
            m = pattern.search(self.log_path.read_text(errors="replace"))
            if m:
                self.url = m.group(1)
                break
            if now() > deadline:
                raise DemoError(f"skiff server did not start in 120s\n{self.log_tail()}")
            time.sleep(0.1)
        return argv

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        (self.data_dir / "server.pid").unlink(missing_ok=True)

    def log_tail(self, lines=40):
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return (f"----- last {min(lines, len(text))} lines of {self.log_path} -----\n" +
                "\n".join(text[-lines:]))

    # ---- kubectl

    def kubectl_env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("KUBECTL_") and k != "KUBECACHEDIR"}
        env.update(KUBECONFIG=str(self.data_dir / "kubeconfig"), HOME=str(self.home),
                   NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
        return env

    def kubectl(self, *args, check=True, echo=True, timeout=400):
        """Runs kubectl, printing `$ kubectl ARGS` and its output as it comes. Returns the
        output (stdout and stderr, in order)."""
        argv = ["kubectl"] + [str(a) for a in args]
        if echo:
            say(f"$ {shlex.join(argv)}")
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=self.kubectl_env(), cwd=REPO)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        out = []
        try:
            for line in p.stdout:
                out.append(line)
                if echo:
                    sys.stdout.write(line)
            p.wait()
        finally:
            timer.cancel()
        text = "".join(out)
        if check and p.returncode != 0:
            if not echo:
                say(f"$ {shlex.join(argv)}\n{text}")
            raise DemoError(f"`{shlex.join(argv)}` exited with {p.returncode}")
        return text

    def watch(self, *args):
        """Starts `kubectl get ... --watch` in the background; stop_watch() prints it."""
        argv = ["kubectl", "get"] + [str(a) for a in args] + ["--watch"]
        out = open(self.data_dir / f"watch-{len(self.background)}.txt", "w+")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, text=True,
                             env=self.kubectl_env(), cwd=REPO, start_new_session=True)
        w = {"argv": argv, "proc": p, "out": out}
        self.background.append(w)
        return w

    def stop_watch(self, w, note):
        time.sleep(0.5)  # the last events reach the watch
        self._end(w["proc"])
        w["out"].seek(0)
        text = w["out"].read()
        w["out"].close()
        say(f"$ {shlex.join(w['argv'])}    # {note}")
        sys.stdout.write(text)
        return text

    @staticmethod
    def _end(p):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)  # the dispatcher and the kubectl it runs
            except ProcessLookupError:
                pass
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def end_watches(self):
        for w in self.background:
            self._end(w["proc"])
            if not w["out"].closed:
                w["out"].close()

    # ---- the API, for the checks (not printed)

    def request(self, method, path, body=None, timeout=30):
        u = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        try:
            headers = {"Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
                body = json.dumps(body)
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def get(self, path):
        status, body = self.request("GET", path)
        if status != 200:
            raise DemoError(f"GET {path} answered {status}: {body[:300]!r}")
        return json.loads(body)

    def pods(self):
        q = urllib.parse.urlencode({"labelSelector": LABEL})
        return self.get(f"/api/v1/namespaces/{NS}/pods?{q}")["items"]

    def pod(self, name):
        status, body = self.request("GET", f"/api/v1/namespaces/{NS}/pods/{name}")
        return json.loads(body) if status == 200 else None

    def log(self, name):
        status, body = self.request("GET", f"/api/v1/namespaces/{NS}/pods/{name}/log")
        return body.decode(errors="replace") if status == 200 else ""

    def numbers(self, name):
        """The counts a pod has logged so far."""
        return [int(l) for l in self.log(name).split() if l.strip().isdigit()]

    def nodes(self):
        return self.get("/api/v1/nodes")["items"]


def mounts_under(path):
    prefix = str(path).rstrip("/") + "/"
    found = []
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                point = line.split()[4].replace("\\040", " ")
                if point == str(path) or point.startswith(prefix):
                    found.append(point)
    except OSError:
        pass
    return found


def ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in pod.get("status", {}).get("conditions", []))


def healthy(pod):
    return (pod.get("status", {}).get("phase") == "Running" and ready(pod) and
            not pod["metadata"].get("deletionTimestamp"))


def image_of(pod):
    return pod["spec"]["containers"][0]["image"]


def waiting_reason(pod):
    for c in pod.get("status", {}).get("containerStatuses", []) or []:
        reason = c.get("state", {}).get("waiting", {}).get("reason")
        if reason:
            return reason
    return None


# ------------------------------------------------------------------------------- the recorder

class Recorder(threading.Thread):
    """Watches the counter pods through the API for the whole demo, so that checks can look at
    every state the pods went through (order of creation, deletion and readiness), not only at
    the moments a poll happens to see."""

    def __init__(self, cluster):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.events = []  # (time, type, summary)
        self.lock = threading.Lock()
        self.stopping = False
        self.error = None

    @staticmethod
    def summary(pod):
        md, st = pod["metadata"], pod.get("status", {})
        return {"name": md["name"], "uid": md["uid"], "phase": st.get("phase"),
                "ready": ready(pod), "deleting": bool(md.get("deletionTimestamp")),
                "image": image_of(pod), "node": pod["spec"].get("nodeName"),
                "waiting": waiting_reason(pod)}

    def start_watching(self):
        listing = self.cluster.get(f"/api/v1/namespaces/{NS}/pods?" +
                                   urllib.parse.urlencode({"labelSelector": LABEL}))
        self.rv = listing["metadata"]["resourceVersion"]
        t = now()
        for pod in listing["items"]:
            self.events.append((t, "ADDED", self.summary(pod)))
        self.start()

    def run(self):
        u = urllib.parse.urlsplit(self.cluster.url)
        while not self.stopping:
            q = urllib.parse.urlencode({"labelSelector": LABEL, "watch": "1",
                                        "resourceVersion": self.rv,
                                        "timeoutSeconds": "3600"})
            try:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=None)
                conn.request("GET", f"/api/v1/namespaces/{NS}/pods?{q}")
                r = conn.getresponse()
                if r.status != 200:
                    raise RuntimeError(f"watch answered {r.status}: {r.read()[:200]!r}")
                for line in r:
                    if not line.strip():
                        continue
                    ev = json.loads(line)
                    if ev["type"] == "ERROR":
                        raise RuntimeError(f"watch error: {ev['object']}")
                    obj = ev["object"]
                    self.rv = obj["metadata"].get("resourceVersion", self.rv)
                    if ev["type"] == "BOOKMARK":
                        continue
                    with self.lock:
                        self.events.append((now(), ev["type"], self.summary(obj)))
                conn.close()
            except Exception as e:  # noqa: BLE001
                if self.stopping:
                    return
                self.error = e
                time.sleep(0.5)

    def mark(self):
        with self.lock:
            return len(self.events)

    def history(self, since):
        """(state before event `since`, [(time, type, summary, state after)]) where a state maps
        pod uid -> summary of the pods that exist."""
        with self.lock:
            events = list(self.events)
        state = {}
        for _, kind, s in events[:since]:
            apply_event(state, kind, s)
        before = dict(state)
        after = []
        for t, kind, s in events[since:]:
            apply_event(state, kind, s)
            after.append((t, kind, s, dict(state)))
        return before, after


def apply_event(state, kind, s):
    if kind == "DELETED":
        state.pop(s["uid"], None)
    else:
        state[s["uid"]] = s


# ------------------------------------------------------------------------------- the demo

def say(text=""):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Demo:
    STEPS = [
        "Start a three-node cluster",
        "Deploy the counter as a Deployment",
        "Scale the Deployment to 2",
        "Rolling update of the Deployment",
        "Roll the Deployment back",
        "Deploy the counter as a StatefulSet",
        "Scale the StatefulSet to 3",
        "Rolling update of the StatefulSet",
        "A broken image stops the StatefulSet update",
        "Roll the StatefulSet back",
        "Deploy the counter as a DaemonSet",
        "Tolerate the control-plane taint",
        "Rolling update of the DaemonSet",
        "Roll the DaemonSet back",
    ]

    def __init__(self, args):
        self.args = args
        self.c = Cluster(args)
        self.rec = None
        self.step_no = 0
        self.quick = args.quick

    # ---- helpers

    def step(self, title):
        self.step_no += 1
        assert self.STEPS[self.step_no - 1] == title, title
        say()
        say(f"[{self.step_no}/{len(self.STEPS)}] {title}")
        say("-" * (len(title) + len(str(self.step_no)) + len(str(len(self.STEPS))) + 4))

    def note(self, text):
        say(f"# {text}")

    def ok(self, text):
        say(f"  ok: {text}")

    def pause(self, normal, quick):
        time.sleep(quick if self.quick else normal)

    def wait_for(self, what, predicate, timeout=READY_TIMEOUT, interval=0.25):
        deadline = now() + timeout
        last = None
        while now() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        raise DemoError(f"timed out after {timeout}s waiting for {what} (last seen: {last!r})")

    def healthy_pods(self):
        return [p for p in self.c.pods() if healthy(p)]

    def wait_healthy(self, count, what, extra=lambda pods: True):
        def check():
            pods = self.healthy_pods()
            every = self.c.pods()
            if len(pods) == count and len(every) == count and extra(pods):
                return pods
            return None
        return self.wait_for(what, check)

    def wait_numbers(self, name, count):
        return self.wait_for(f"{count} numbers in the log of {name}",
                             lambda: (lambda n: n if len(n) >= count else None)(
                                 self.c.numbers(name)), timeout=60)

    def wait_gone(self, what):
        self.wait_for(what, lambda: not self.c.pods() and not self.c.get(
            f"/api/v1/namespaces/{NS}/persistentvolumeclaims")["items"])

    # ---- the steps

    def run(self):
        started = now()
        self.start_cluster()
        self.deployment()
        self.statefulset()
        self.daemonset()
        took = now() - started
        say()
        say(f"All {len(self.STEPS)} steps behaved as the tutorial describes "
            f"({int(took // 60)}m{int(took % 60):02d}s).")

    def start_cluster(self):
        self.step("Start a three-node cluster")
        self.c.prepare_data_dir()
        self.note(self.c.import_image())
        argv = self.c.start()
        say(f"$ {shlex.join(['skiff'] + argv[1:])} &")
        self.note(f"API server on {self.c.url}; logs in {self.c.log_path}")
        self.rec = Recorder(self.c)

        def three_ready():
            nodes = self.c.nodes()
            ok = len(nodes) == 3 and all(
                any(cd["type"] == "Ready" and cd["status"] == "True"
                    for cd in n.get("status", {}).get("conditions", [])) for n in nodes)
            return nodes if ok else None
        nodes = self.wait_for("three Ready nodes", three_ready, timeout=120)
        self.rec.start_watching()
        self.c.kubectl("get", "nodes", "-o", "wide")
        tainted = [n["metadata"]["name"] for n in nodes
                   if any(t.get("key") == CONTROL_PLANE_TAINT and t.get("effect") == "NoSchedule"
                          for t in n["spec"].get("taints", []))]
        if len(tainted) != 1:
            raise DemoError(f"expected one node tainted {CONTROL_PLANE_TAINT}:NoSchedule, "
                            f"found {tainted}")
        self.control_plane = tainted[0]
        self.workers = sorted(n["metadata"]["name"] for n in nodes
                              if n["metadata"]["name"] != self.control_plane)
        self.ok(f"3 nodes Ready: {self.control_plane} (control plane) and "
                f"{', '.join(self.workers)}")

    # ---- Deployment

    def deployment(self):
        c = self.c
        self.step("Deploy the counter as a Deployment")
        c.kubectl("apply", "-f", f"{EXAMPLES}/deployment.yaml")
        c.kubectl("rollout", "status", "deployment/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        first = self.wait_healthy(1, "the Deployment's pod to be Ready")[0]
        name = first["metadata"]["name"]
        self.wait_numbers(name, 3 if self.quick else 5)
        c.kubectl("get", "deployment,replicaset,pods", "-o", "wide")
        rs = self.c.get(f"/apis/apps/v1/namespaces/{NS}/replicasets")["items"]
        if len(rs) != 1 or not name.startswith(rs[0]["metadata"]["name"] + "-"):
            raise DemoError(f"pod {name} should be named after its ReplicaSet "
                            f"{[r['metadata']['name'] for r in rs]}")
        c.kubectl("logs", name)
        numbers = self.c.numbers(name)
        if numbers[:3] != [1, 2, 3]:
            raise DemoError(f"the first pod should count 1, 2, 3, ...; its log says {numbers}")
        self.ok(f"{name} (ReplicaSet {rs[0]['metadata']['name']}) counts 1, 2, 3, ...")

        self.step("Scale the Deployment to 2")
        c.kubectl("scale", "deployment", "counter", "--replicas=2")
        c.kubectl("rollout", "status", "deployment/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        pods = self.wait_healthy(2, "two Ready pods of the Deployment")
        second = next(p["metadata"]["name"] for p in pods if p["metadata"]["name"] != name)
        self.wait_numbers(second, 2 if self.quick else 4)
        c.kubectl("get", "pods", "-l", LABEL, "-o", "wide")
        c.kubectl("logs", second)
        new = self.c.numbers(second)
        old = self.c.numbers(name)
        if new[0] <= 1 or new[0] - 1 not in old:
            raise DemoError(f"{second} should continue the count of {name} (its log ends "
                            f"{old[-5:]}), but it starts at {new[0]}")
        self.ok(f"{second} starts at {new[0]}: {name} had written {new[0] - 1} to the shared file")
        c.kubectl("logs", name, "--tail=6")
        c.kubectl("get", "pvc")
        claims = self.c.get(f"/api/v1/namespaces/{NS}/persistentvolumeclaims")["items"]
        if [p["metadata"]["name"] for p in claims] != ["counter"]:
            raise DemoError(f"expected one claim (counter), found "
                            f"{[p['metadata']['name'] for p in claims]}")
        self.ok("one PersistentVolumeClaim for both pods")

        self.step("Rolling update of the Deployment")
        self.rolling_deployment(["set", "image", "deployment/counter", f"counter={NEW_IMAGE}"],
                                NEW_IMAGE)
        c.kubectl("get", "replicasets", "-o", "wide")
        c.kubectl("rollout", "history", "deployment/counter")
        self.check_revisions("deployments", [1, 2])

        self.step("Roll the Deployment back")
        self.rolling_deployment(["rollout", "undo", "deployment/counter"], OLD_IMAGE)
        c.kubectl("get", "replicasets", "-o", "wide")
        c.kubectl("rollout", "history", "deployment/counter")
        self.check_revisions("deployments", [2, 3])
        self.note("clean up: the Deployment and its claim")
        c.kubectl("delete", "-f", f"{EXAMPLES}/deployment.yaml")
        self.wait_gone("the Deployment's pods and claim to be gone")

    def rolling_deployment(self, command, image):
        c = self.c
        before = {p["metadata"]["uid"] for p in c.pods()}
        mark = self.rec.mark()
        c.kubectl(*command)
        c.kubectl("rollout", "status", "deployment/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        pods = self.wait_healthy(2, f"two Ready pods running {image}",
                                 lambda ps: all(image_of(p) == image and
                                                p["metadata"]["uid"] not in before for p in ps))
        c.kubectl("get", "pods", "-l", LABEL, "-o", "wide")
        # Never fewer than two Ready pods: the old ones went only when new ones were Ready.
        _, history = self.rec.history(mark)
        least = min(sum(1 for s in st.values() if s["ready"] and not s["deleting"])
                    for _, _, _, st in history)
        if least < 2:
            raise DemoError(f"during the rolling update only {least} pod(s) were Ready")
        for p in pods:
            n = self.wait_numbers(p["metadata"]["name"], 1)
            if n[0] <= 1:
                raise DemoError(f"{p['metadata']['name']} should continue the shared count, "
                                f"it starts at {n[0]}")
        self.ok(f"both pods replaced by pods running {image}, never fewer than 2 Ready; the new "
                f"pods continue the count")

    def check_revisions(self, kind, want):
        group = f"/apis/apps/v1/namespaces/{NS}"
        owner = self.c.get(f"{group}/{kind}/counter")
        if kind == "deployments":
            items = self.c.get(f"{group}/replicasets")["items"]
            revs = sorted(int(r["metadata"].get("annotations", {}).get(
                "deployment.kubernetes.io/revision", 0)) for r in items)
        else:
            items = self.c.get(f"{group}/controllerrevisions")["items"]
            revs = sorted(int(r["revision"]) for r in items if any(
                o.get("uid") == owner["metadata"]["uid"]
                for o in r["metadata"].get("ownerReferences", [])))
        if revs != want:
            raise DemoError(f"expected revisions {want} in the history, found {revs}")

    # ---- StatefulSet

    def sts_pods(self):
        return {p["metadata"]["name"]: p for p in self.c.pods()}

    def statefulset(self):
        c = self.c
        self.step("Deploy the counter as a StatefulSet")
        c.kubectl("apply", "-f", f"{EXAMPLES}/statefulset.yaml")
        c.kubectl("rollout", "status", "statefulset/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        pods = self.wait_healthy(1, "counter-0 to be Ready")
        if pods[0]["metadata"]["name"] != "counter-0":
            raise DemoError(f"the StatefulSet's first pod should be counter-0, not "
                            f"{pods[0]['metadata']['name']}")
        self.wait_numbers("counter-0", 3 if self.quick else 5)
        c.kubectl("get", "statefulset,pods", "-o", "wide")
        c.kubectl("logs", "counter-0")
        n0 = self.c.numbers("counter-0")
        if n0[:3] != [1, 2, 3]:
            raise DemoError(f"counter-0 should count 1, 2, 3, ...; its log says {n0}")
        self.ok("counter-0 counts 1, 2, 3, ...")

        self.step("Scale the StatefulSet to 3")
        mark = self.rec.mark()
        w = c.watch("pods", "-l", LABEL)
        time.sleep(0.5)
        c.kubectl("scale", "statefulsets", "counter", "--replicas=3")
        c.kubectl("rollout", "status", "statefulset/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        self.wait_healthy(3, "counter-0, counter-1 and counter-2 to be Ready")
        c.stop_watch(w, "what the watch saw while the StatefulSet scaled")
        self.check_scale_order(mark)
        c.kubectl("get", "pods", "-l", LABEL, "-o", "wide")
        for name in ("counter-1", "counter-2"):
            self.wait_numbers(name, 2 if self.quick else 3)
        c.kubectl("logs", "counter-1")
        for name in ("counter-1", "counter-2"):
            n = self.c.numbers(name)
            if n[0] != 1:
                raise DemoError(f"{name} has its own volume and should count from 1; it starts "
                                f"at {n[0]}")
        self.ok("counter-1 and counter-2 count from 1 on their own volumes")
        c.kubectl("get", "pvc")
        claims = sorted(p["metadata"]["name"] for p in self.c.get(
            f"/api/v1/namespaces/{NS}/persistentvolumeclaims")["items"])
        if claims != ["data-counter-0", "data-counter-1", "data-counter-2"]:
            raise DemoError(f"expected claims data-counter-0..2, found {claims}")
        self.ok("three claims, one per pod")
        out = c.kubectl("exec", "counter-0", "--", "cat", "/app/data/counter")
        value = out.strip()
        logged = self.c.numbers("counter-0")
        if not value.isdigit() or int(value) not in logged[-3:]:
            raise DemoError(f"counter-0's file says {value!r}, its log ends {logged[-3:]}")
        self.ok(f"counter-0's file holds {value}, the number it logged last")

        self.step("Rolling update of the StatefulSet")
        before = {n: p["metadata"]["uid"] for n, p in self.sts_pods().items()}
        last = {n: self.c.numbers(n)[-1] for n in before}
        mark = self.rec.mark()
        w = c.watch("pods", "-l", LABEL, "-o",
                    "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,"
                    "PHASE:.status.phase,READY:.status.containerStatuses[0].ready,"
                    "DELETING:.metadata.deletionTimestamp")
        time.sleep(0.5)
        c.kubectl("set", "image", "statefulset/counter", f"counter={NEW_IMAGE}")
        c.kubectl("rollout", "status", "statefulset/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        self.wait_healthy(3, f"three Ready pods running {NEW_IMAGE}",
                          lambda ps: all(image_of(p) == NEW_IMAGE for p in ps))
        c.stop_watch(w, "what the watch saw during the update")
        self.check_update_order(mark, before)
        for name in before:
            n = self.wait_numbers(name, 1)
            if n[0] <= last[name]:
                raise DemoError(f"the new {name} should continue its own count "
                                f"(it had reached {last[name]}), it starts at {n[0]}")
        self.ok("each new pod continues the count on its own volume")
        c.kubectl("rollout", "history", "statefulset/counter")
        self.check_revisions("statefulsets", [1, 2])

        self.step("A broken image stops the StatefulSet update")
        before = {n: p["metadata"]["uid"] for n, p in self.sts_pods().items()}
        mark = self.rec.mark()
        began = now()
        c.kubectl("set", "image", "statefulset/counter", f"counter={BROKEN_IMAGE}")

        def pull_failed():
            p = self.c.pod("counter-2")
            if p and p["metadata"]["uid"] != before["counter-2"] and waiting_reason(p) in (
                    "ErrImagePull", "ImagePullBackOff"):
                return p
            return None
        self.wait_for("counter-2 to fail pulling the image", pull_failed, timeout=120)
        took = now() - began
        self.note(f"counter-2 reported the pull error {took:.1f}s after the image was set")
        self.pause(5, 2)
        c.kubectl("get", "pods", "-l", LABEL)
        c.kubectl("get", "pods", "-l", LABEL, "-o",
                  "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,"
                  "WAITING:.status.containerStatuses[0].state.waiting.reason")
        c.kubectl("get", "events", "--field-selector",
                  "involvedObject.name=counter-2,type=Warning")
        pods = self.sts_pods()
        for name in ("counter-0", "counter-1"):
            p = pods.get(name)
            if not p or p["metadata"]["uid"] != before[name] or not healthy(p) or \
                    image_of(p) != NEW_IMAGE:
                raise DemoError(f"{name} should still run {NEW_IMAGE}, untouched")
        _, history = self.rec.history(mark)
        touched = {s["name"] for _, kind, s, _ in history
                   if s["name"] != "counter-2" and (s["deleting"] or kind == "DELETED")}
        if touched:
            raise DemoError(f"the broken update touched {sorted(touched)}")
        self.ok("only counter-2 is down; counter-1 and counter-0 still run the previous version")

        self.step("Roll the StatefulSet back")
        c.kubectl("rollout", "undo", "statefulset/counter")
        self.pause(5, 2)
        c.kubectl("get", "pods", "-l", LABEL, "-o",
                  "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,"
                  "WAITING:.status.containerStatuses[0].state.waiting.reason")
        p = self.c.pod("counter-2")
        if p is None or image_of(p) != BROKEN_IMAGE:
            raise DemoError("expected counter-2 to still have the broken image: with "
                            "OrderedReady the controller waits for it to become Ready before "
                            "it replaces anything (Kubernetes does the same)")
        self.note("the controller does not replace a pod that never became Ready (the same as")
        self.note("Kubernetes' \"forced rollback\"): deleting it lets the reverted template in")
        c.kubectl("delete", "pod", "counter-2")
        c.kubectl("rollout", "status", "statefulset/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        self.wait_healthy(3, f"three Ready pods running {NEW_IMAGE} again",
                          lambda ps: all(image_of(p) == NEW_IMAGE for p in ps))
        c.kubectl("get", "pods", "-l", LABEL, "-o",
                  "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,"
                  "READY:.status.containerStatuses[0].ready")
        pods = self.sts_pods()
        for name in ("counter-0", "counter-1"):
            if pods[name]["metadata"]["uid"] != before[name]:
                raise DemoError(f"{name} should not have been replaced by the rollback")
        n = self.wait_numbers("counter-2", 1)
        if n[0] <= 1:
            raise DemoError(f"counter-2 should continue from its volume, it starts at {n[0]}")
        self.ok(f"counter-2 runs {NEW_IMAGE} again and continues its own count at {n[0]}")
        c.kubectl("rollout", "history", "statefulset/counter")
        self.check_revisions("statefulsets", [1, 3, 4])
        self.note("clean up: the StatefulSet's claims outlive it, so they go separately")
        c.kubectl("delete", "-f", f"{EXAMPLES}/statefulset.yaml")
        c.kubectl("get", "pvc")
        c.kubectl("delete", "pvc", "-l", LABEL)
        self.wait_gone("the StatefulSet's pods and claims to be gone")

    def check_scale_order(self, mark):
        before, history = self.rec.history(mark)
        old = {s["uid"] for s in before.values()}
        created = {}
        for i, (_, kind, s, state) in enumerate(history):
            if s["uid"] in old or s["name"] in created:
                continue
            created[s["name"]] = i
            if s["name"] == "counter-2":
                ones = [x for x in state.values() if x["name"] == "counter-1"]
                if not ones or not (ones[0]["ready"] and ones[0]["phase"] == "Running"):
                    raise DemoError("counter-2 was created before counter-1 was Running and "
                                    "Ready")
        if sorted(created) != ["counter-1", "counter-2"] or \
                created["counter-1"] > created["counter-2"]:
            raise DemoError(f"expected counter-1, then counter-2 to be created; saw {created}")
        self.ok("counter-1 was created first; counter-2 only once counter-1 was Running and Ready")

    def check_update_order(self, mark, old_uids):
        _, history = self.rec.history(mark)
        old = set(old_uids.values())
        down, up = {}, {}
        for i, (_, kind, s, _) in enumerate(history):
            if s["uid"] in old and (s["deleting"] or kind == "DELETED"):
                down.setdefault(s["name"], i)
            if s["uid"] not in old and s["ready"] and not s["deleting"]:
                up.setdefault(s["name"], i)
        order = sorted(down, key=down.get)
        if order != ["counter-2", "counter-1", "counter-0"] or sorted(up) != order[::-1]:
            raise DemoError(f"expected counter-2, counter-1, counter-0 to be replaced in that "
                            f"order; pods went down in the order {order}, new ones Ready: "
                            f"{sorted(up, key=up.get)}")
        for newer, older in (("counter-2", "counter-1"), ("counter-1", "counter-0")):
            if up[newer] > down[older]:
                raise DemoError(f"{older} was stopped before the new {newer} was Ready")
        self.ok("replaced from the highest ordinal down: counter-2, counter-1, counter-0, each "
                "only after the one before it was Running and Ready again")

    # ---- DaemonSet

    def daemonset(self):
        c = self.c
        self.step("Deploy the counter as a DaemonSet")
        c.kubectl("get", "nodes")
        c.kubectl("get", "nodes", "-o",
                  "custom-columns=NAME:.metadata.name,TAINTS:.spec.taints[*].key,"
                  "EFFECT:.spec.taints[*].effect")
        c.kubectl("apply", "-f", f"{EXAMPLES}/daemonset.yaml")
        c.kubectl("rollout", "status", "daemonset/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        pods = self.wait_healthy(2, "a Ready pod on each worker")
        c.kubectl("get", "daemonset,pods", "-o", "wide")
        nodes = sorted(p["spec"]["nodeName"] for p in pods)
        if nodes != self.workers:
            raise DemoError(f"expected one pod on each worker {self.workers}, found {nodes}")
        ds = self.c.get(f"/apis/apps/v1/namespaces/{NS}/daemonsets/counter")
        if ds["status"].get("desiredNumberScheduled") != 2:
            raise DemoError(f"desiredNumberScheduled should be 2: {ds['status']}")
        self.ok(f"two pods, on {' and '.join(nodes)}; none on the tainted {self.control_plane}")

        self.step("Tolerate the control-plane taint")
        c.kubectl("patch", "daemonset", "counter", "--type=merge", "-p",
                  '{"spec":{"template":{"spec":{"tolerations":[{"operator":"Exists"}]}}}}')
        c.kubectl("rollout", "status", "daemonset/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        everywhere = sorted([self.control_plane] + self.workers)
        pods = self.wait_healthy(3, "a Ready pod on every node", lambda ps: sorted(
            p["spec"]["nodeName"] for p in ps) == everywhere)
        c.kubectl("get", "daemonset,pods", "-o", "wide")
        self.ok(f"three pods, one on each node including {self.control_plane}")
        names = [p["metadata"]["name"] for p in pods]
        for n in names:
            self.wait_numbers(n, 3 if self.quick else 5)
        c.kubectl("logs", "-l", LABEL, "--prefix", "--tail=4")
        merged = sorted((num, n) for n in names for num in self.c.numbers(n)[-4:])
        switches = sum(1 for a, b in zip(merged, merged[1:]) if a[1] != b[1])
        if switches < 4:
            raise DemoError(f"the pods' counts should interleave on the shared volume: {merged}")
        self.ok("the three pods' numbers interleave: they share one file")
        c.kubectl("get", "pvc")
        claims = self.c.get(f"/api/v1/namespaces/{NS}/persistentvolumeclaims")["items"]
        if len(claims) != 1 or claims[0]["spec"]["accessModes"] != ["ReadWriteMany"]:
            raise DemoError("expected one ReadWriteMany claim shared by the pods")
        self.ok("one ReadWriteMany claim for all of them")

        self.step("Rolling update of the DaemonSet")
        self.rolling_daemonset(["set", "image", "daemonset/counter", f"counter={NEW_IMAGE}"],
                               NEW_IMAGE)
        c.kubectl("rollout", "history", "daemonset/counter")
        self.check_revisions("daemonsets", [1, 2, 3])

        self.step("Roll the DaemonSet back")
        self.rolling_daemonset(["rollout", "undo", "daemonset/counter"], OLD_IMAGE)
        c.kubectl("rollout", "history", "daemonset/counter")
        self.check_revisions("daemonsets", [1, 3, 4])
        self.note("clean up")
        c.kubectl("delete", "-f", f"{EXAMPLES}/daemonset.yaml")
        self.wait_gone("the DaemonSet's pods and claim to be gone")

    def rolling_daemonset(self, command, image):
        c = self.c
        everywhere = sorted([self.control_plane] + self.workers)
        mark = self.rec.mark()
        w = c.watch("pods", "-l", LABEL, "-o",
                    "custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,"
                    "IMAGE:.spec.containers[0].image,READY:.status.containerStatuses[0].ready,"
                    "DELETING:.metadata.deletionTimestamp")
        time.sleep(0.5)
        c.kubectl(*command)
        c.kubectl("rollout", "status", "daemonset/counter", f"--timeout={ROLLOUT_TIMEOUT}")
        self.wait_healthy(3, f"a Ready pod running {image} on every node", lambda ps: sorted(
            p["spec"]["nodeName"] for p in ps) == everywhere and all(
            image_of(p) == image for p in ps))
        c.stop_watch(w, "what the watch saw during the update")
        before, history = self.rec.history(mark)
        least = 3
        for _, _, _, state in history:
            up = {s["node"] for s in state.values() if s["ready"] and not s["deleting"]}
            least = min(least, len(up))
        replaced = {s["node"] for _, _, s, _ in history if s["image"] == image and s["ready"]}
        if least < 2 or sorted(replaced) != everywhere:
            raise DemoError(f"expected the pods to be replaced one node at a time (least nodes "
                            f"with a Ready pod: {least}; replaced on {sorted(replaced)})")
        c.kubectl("get", "daemonset", "-o", "wide")
        self.ok(f"one pod at a time: at least 2 of the 3 nodes always had a Ready pod; all "
                f"three run {image} now")


# ------------------------------------------------------------------------------- cleanup

def cleanup(demo):
    c = demo.c
    c.end_watches()
    if c.proc is not None and c.proc.poll() is None and c.url:
        say()
        say("Cleaning up: workloads, server, bridge")
        for args in (["delete", "deployments,statefulsets,daemonsets,services", "--all",
                      "--wait=false"],
                     ["delete", "pods", "-l", LABEL, "--grace-period=1", "--timeout=90s"],
                     ["delete", "pvc", "--all", "--timeout=60s"]):
            try:
                c.kubectl(*args, check=False, echo=False, timeout=120)
            except Exception as e:  # noqa: BLE001
                say(f"  cleanup: kubectl {' '.join(args)}: {e}")
        try:
            deadline = now() + 60
            while c.pods() and now() < deadline:
                time.sleep(0.5)
        except Exception:  # noqa: BLE001
            pass
    if demo.rec is not None:
        demo.rec.stopping = True
    c.stop()
    subprocess.run(["ip", "link", "del", demo.args.bridge], capture_output=True)
    # The (empty) cgroup the nodes created under each controller.
    parent = demo.args.cgroup_parent.strip("/")
    if parent:
        for root in Path("/sys/fs/cgroup").glob("*"):
            top = root / parent
            if top.is_dir():
                for d in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(
                        p.parts)) + [top]:
                    try:
                        d.rmdir()
                    except OSError:
                        pass


def main():
    ap = argparse.ArgumentParser(
        description="Replay the Deployments/StatefulSets/DaemonSets tutorial on a fresh "
                    "three-node Skiff cluster, checking every step.")
    ap.add_argument("--skiff", default=str(REPO / "build/release/cmd/skiff/skiff"),
                    help="the skiff binary (default: the release build)")
    ap.add_argument("--data-dir", default="/tmp/skiff-demo",
                    help="the cluster's data dir, emptied first except for its image store "
                         "(default /tmp/skiff-demo)")
    ap.add_argument("--node-name", default="",
                    help="name of the control-plane node (default: the host name)")
    ap.add_argument("--bridge", default="skiffdemo0")
    ap.add_argument("--pod-subnet", default="10.90.0.0/24")
    ap.add_argument("--cgroup-parent", default="/skiff-demo")
    ap.add_argument("--quick", action="store_true",
                    help="shorter pauses (fewer log lines per pod): for tests")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    if os.geteuid() != 0:
        print("demo.py needs root: its nodes run real containers (runc, a bridge, overlayfs)",
              file=sys.stderr)
        return 2
    if not Path(args.skiff).is_file():
        print(f"demo.py: no skiff binary at {args.skiff} (make build, or --skiff PATH)",
              file=sys.stderr)
        return 2
    if shutil.which("kubectl") is None:
        print("demo.py: kubectl is not on PATH", file=sys.stderr)
        return 2

    def on_term(signum, frame):
        raise Interrupted()
    signal.signal(signal.SIGTERM, on_term)
    # Also when started from a shell that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    demo = Demo(args)
    rc = 0
    try:
        demo.run()
    except DemoError as e:
        step = demo.STEPS[demo.step_no - 1] if demo.step_no else "start"
        say()
        say(f"DEMO FAILED at step [{demo.step_no}/{len(demo.STEPS)}] {step}:\n  {e}")
        if demo.rec is not None and demo.rec.error is not None:
            say(f"  (the pod watch had an error: {demo.rec.error})")
        tail = demo.c.log_tail(30)
        if tail:
            say(tail)
        rc = 1
    except (KeyboardInterrupt, Interrupted):
        say()
        say("Interrupted.")
        rc = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cleanup(demo)
    return rc


if __name__ == "__main__":
    sys.exit(main())
