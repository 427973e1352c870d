"""Test harness: a live `skiff server` driven by the real kubectl and python client.

Run the tests with Debian's interpreter (it has python3-kubernetes 22.6):

    SKIFF_BIN=build/h-it/cmd/skiff/skiff /usr/bin/python3 test/integration/kubectl_test.py

Environment:
  SKIFF_BIN      the skiff binary (default: build/dev, then build/h-it, under the repo root)
  SKIFF_IT_KEEP  keep every run folder (data dir, server logs, HOME) instead of removing it
                 when its test class passed; failed classes always keep theirs.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# kubectl column separation is at least 3 spaces (tabwriter padding); single spaces occur inside
# headers such as "NOMINATED NODE" and "ACCESS MODES".
_COLUMN_SPLIT = re.compile(r"\s{2,}")


def skiff_bin():
    env = os.environ.get("SKIFF_BIN")
    if env:
        path = Path(env)
        if not path.is_file():
            raise RuntimeError(f"SKIFF_BIN={env} does not exist")
        return str(path)
    for rel in ("build/dev/cmd/skiff/skiff", "build/h-it/cmd/skiff/skiff"):
        path = REPO / rel
        if path.is_file():
            return str(path)
    raise RuntimeError("no skiff binary: set SKIFF_BIN or build build/dev/cmd/skiff/skiff")


def kubectl_path(version=None):
    """The dispatcher on PATH, or kubectl.<version> beside the dispatcher's real file."""
    dispatcher = shutil.which("kubectl")
    if dispatcher is None:
        raise RuntimeError("kubectl is not on PATH")
    if version is None:
        return dispatcher
    path = Path(os.path.realpath(dispatcher)).parent / f"kubectl.{version}"
    if not path.is_file():
        raise RuntimeError(f"{path} does not exist")
    return str(path)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def columns(line):
    return _COLUMN_SPLIT.split(line.strip())


def table(output):
    """kubectl human output -> (header cells, [row cells]) for the first table in `output`."""
    lines = [l for l in output.splitlines() if l.strip()]
    if not lines:
        return [], []
    return columns(lines[0]), [columns(l) for l in lines[1:]]


def tables(output):
    """Several tables separated by blank lines (e.g. `get deploy,sts` or `get all`)."""
    result = []
    for block in re.split(r"\n\s*\n", output.strip()):
        lines = [l for l in block.splitlines() if l.strip()]
        if lines:
            result.append((columns(lines[0]), [columns(l) for l in lines[1:]]))
    return result


class Result:
    """What one kubectl run printed."""

    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def __str__(self):
        return (f"$ {' '.join(self.argv)}\nexit code: {self.rc}\n"
                f"--- stdout ---\n{self.out}--- stderr ---\n{self.err}")

    def lines(self):
        return [l for l in self.out.splitlines() if l.strip()]


class Response:
    """One raw HTTP exchange."""

    def __init__(self, method, path, req_headers, req_body, status, reason, headers, body):
        self.method, self.path = method, path
        self.req_headers, self.req_body = req_headers, req_body
        self.status, self.reason, self.headers, self.body = status, reason, headers, body

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"response is not JSON ({e}):\n{self}") from None

    def __str__(self):
        req = self.req_body or b""
        if len(req) > 600:
            req = req[:600] + b"...(%d bytes)" % len(self.req_body)
        body = self.body
        if len(body) > 3000:
            body = body[:3000] + b"...(%d bytes)" % len(self.body)
        hdrs = "".join(f"{k}: {v}\n" for k, v in self.headers.items())
        return (f"> {self.method} {self.path}\n" +
                "".join(f"> {k}: {v}\n" for k, v in self.req_headers.items()) +
                (f"> {req.decode(errors='replace')}\n" if req else "") +
                f"< {self.status} {self.reason}\n{hdrs}< {body.decode(errors='replace')}")


class Server:
    """One `skiff server` process on a fresh data dir; can be killed (-9) and restarted on it."""

    def __init__(self, store="sqlite", run_dir=None, extra_args=()):
        self.store = store
        self.extra_args = list(extra_args)
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="skiff-it-"))
        self.data_dir = self.run_dir / "data"
        self.stderr_path = self.run_dir / "server.stderr.log"
        self.stdout_path = self.run_dir / "server.stdout.log"
        self.proc = None
        self.port = None
        self.binary = skiff_bin()
        self.starts = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def kubeconfig(self):
        return str(self.data_dir / "kubeconfig")

    def start(self, port=None, timeout=90):
        assert self.proc is None, "server already running"
        self.port = port or free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [self.binary, "server", "--data-dir", str(self.data_dir), "--port", str(self.port),
                "--bind", "127.0.0.1", "--store", self.store] + self.extra_args
        if not any(a.startswith("--agent") for a in self.extra_args):
            # No embedded node agent (real containers) unless the test asks for one: tests
            # count their nodes.
            argv.append("--agent=false")
        self.starts += 1
        with open(self.stderr_path, "ab") as err:
            err.write(f"\n===== start #{self.starts}: {' '.join(argv)}\n".encode())
        stdout_mark = self.stdout_path.stat().st_size if self.stdout_path.exists() else 0
        out = open(self.stdout_path, "ab")
        err = open(self.stderr_path, "ab")
        env = dict(os.environ)
        # Sanitizer reports must reach the log; leaks at shutdown are not what these tests check.
        env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        out.close()
        err.close()
        deadline = time.monotonic() + timeout
        wanted = f"Skiff API server listening on http://127.0.0.1:{self.port}"
        while True:
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self.proc = None
                raise RuntimeError(f"skiff server exited with {rc} while starting\n"
                                   f"{self.stderr_tail()}")
            announced = False
            with open(self.stdout_path, "rb") as f:
                f.seek(stdout_mark)
                announced = wanted in f.read().decode(errors="replace")
            if announced and self._ready():
                break
            if time.monotonic() > deadline:
                self.kill9()
                raise RuntimeError(f"skiff server not ready after {timeout}s (stdout should say "
                                   f"{wanted!r})\n{self.stderr_tail()}")
            time.sleep(0.05)
        return self

    def _ready(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/readyz")
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            return resp.status == 200 and body.strip() == b"ok"
        except OSError:
            return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """SIGKILL, as a crash or power loss would: no shutdown code runs."""
        if self.proc is None:
            return
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL if it does not exit in time. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with open(self.stderr_path, "ab") as err:
                    err.write(b"\n===== harness: no exit within %ds of SIGTERM, SIGKILL\n" % timeout)
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def restart(self, same_port=False, timeout=90):
        port = self.port if same_port else None
        self.kill9()
        return self.start(port=port, timeout=timeout)

    def stderr_size(self):
        return self.stderr_path.stat().st_size if self.stderr_path.exists() else 0

    def stderr_since(self, offset):
        if not self.stderr_path.exists():
            return ""
        with open(self.stderr_path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    def stderr_tail(self, lines=60, since=0):
        text = self.stderr_since(since).splitlines()
        tail = text[-lines:]
        return (f"----- last {len(tail)} lines of {self.stderr_path} -----\n" + "\n".join(tail) +
                "\n----- end of server stderr -----")

    # ---------------------------------------------------------------- raw HTTP

    def request(self, method, path, body=None, headers=None, content_type="application/json",
                accept="application/json", timeout=30):
        """One request on a fresh connection. `body` may be bytes, str, or a JSON value.
        content_type=None sends no Content-Type header."""
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        hdrs = {}
        if accept:
            hdrs["Accept"] = accept
        if body is not None and content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            send_error = None
            try:
                conn.request(method, path, body=body, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError) as e:
                # The server may answer (413) before it has read the whole body.
                send_error = e
            try:
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as e:
                raise AssertionError(f"{method} {path}: no response ({e!r}; send error: "
                                     f"{send_error!r})") from None
            data = resp.read()
            headers = {k.lower(): v for k, v in resp.getheaders()}
            return Response(method, path, hdrs, body, resp.status, resp.reason, headers, data)
        finally:
            conn.close()

    def get_json(self, path):
        r = self.request("GET", path)
        if r.status != 200:
            raise AssertionError(f"GET {path} answered {r.status}\n{r}")
        return r.json()


def _shared_server_env(home, kubeconfig):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("KUBECTL_") or k == "KUBECACHEDIR":
            del env[k]
    env["HOME"] = home
    env["KUBECONFIG"] = kubeconfig
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


class ServerTestCase(unittest.TestCase):
    """One server per test class (fresh data dir, fresh HOME so kubectl's discovery cache is
    cold). On a failed test it prints the tail of the server's stderr written during the test."""

    store = "sqlite"
    server_args = ()
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.run_dir = Path(tempfile.mkdtemp(prefix=f"skiff-it-{cls.__name__}-"))
        cls.server = Server(store=cls.store, run_dir=cls.run_dir, extra_args=cls.server_args)
        cls._class_failed = False
        cls._home_count = 0
        try:
            cls.server.start()
        except Exception:
            cls._class_failed = True
            print(f"\n[harness] run folder kept: {cls.run_dir}", file=sys.stderr)
            raise
        cls.home = cls.new_home()

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        if rc not in (None, 0, -signal.SIGTERM):
            print(f"\n[harness] {cls.__name__}: skiff server exited with {rc} on SIGTERM\n"
                  f"{cls.server.stderr_tail(30)}", file=sys.stderr)
        if cls._class_failed or os.environ.get("SKIFF_IT_KEEP"):
            print(f"\n[harness] run folder kept: {cls.run_dir}", file=sys.stderr)
        else:
            shutil.rmtree(cls.run_dir, ignore_errors=True)

    @classmethod
    def new_home(cls):
        cls._home_count += 1
        home = cls.run_dir / f"home{cls._home_count}"
        home.mkdir()
        return str(home)

    def fresh_home(self):
        """A new empty HOME for the rest of this test: kubectl starts with a cold cache."""
        self.home = type(self).new_home()
        return self.home

    def _failure_count(self):
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None:
            return 0
        return len(getattr(result, "failures", [])) + len(getattr(result, "errors", []))

    def setUp(self):
        self._stderr_mark = self.server.stderr_size()
        self._fail_mark = self._failure_count()
        self._procs = []

    def tearDown(self):
        for p in self._procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        # unittest reports a failure to the result as soon as the test method raises.
        failed = self._failure_count() > self._fail_mark
        problems = []
        if not self.server.alive():
            problems.append("the skiff server is not running any more (crashed?)")
        log = self.server.stderr_since(self._stderr_mark)
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "AddressSanitizer:DEADLYSIGNAL"):
            if marker in log:
                problems.append(f"server stderr contains {marker!r}")
        if failed or problems:
            type(self)._class_failed = True
            print(f"\n[harness] {self.id()}: {'; '.join(problems) or 'failed'}\n"
                  f"{self.server.stderr_tail(80, since=self._stderr_mark)}", file=sys.stderr)
        if not self.server.alive():
            # Let the following tests of the class run against a fresh process on the same data.
            try:
                self.server.restart()
            except Exception as e:  # noqa: BLE001
                print(f"[harness] restart failed: {e}", file=sys.stderr)
        if problems and not failed:
            self.fail("; ".join(problems))

    # ---------------------------------------------------------------- clients

    def env(self):
        return _shared_server_env(self.home, self.server.kubeconfig)

    def kubectl(self, *args, version=None, input=None, check=True, timeout=90):
        """Runs kubectl (the dispatcher, or kubectl.<version>) and returns a Result.
        With check=True a non-zero exit fails the test, showing everything it printed."""
        argv = [kubectl_path(version)] + [str(a) for a in args]
        try:
            p = subprocess.run(argv, input=input, capture_output=True, text=True,
                               env=self.env(), timeout=timeout)
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
            self.fail(f"kubectl did not finish in {timeout}s\n{Result(argv, None, out, err)}")
        r = Result(argv, p.returncode, p.stdout, p.stderr)
        if check and r.rc != 0:
            self.fail(f"kubectl failed\n{r}")
        return r

    def kubectl_bg(self, *args, version=None):
        """Starts a long-running kubectl (e.g. get -w); returns a LineReader over its stdout."""
        argv = [kubectl_path(version)] + [str(a) for a in args]
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=self.env(), bufsize=1)
        self._procs.append(p)
        return LineReader(p, argv)

    def write_file(self, name, text):
        path = self.run_dir / name
        path.write_text(text)
        return str(path)

    def http(self, method, path, body=None, **kw):
        return self.server.request(method, path, body, **kw)

    def make_ns(self, name):
        r = self.http("POST", "/api/v1/namespaces",
                      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        self.assertEqual(r.status, 201, f"creating namespace {name}\n{r}")
        return name

    def get_obj(self, path):
        """GET a path that must exist; returns the object."""
        r = self.http("GET", path)
        self.assertEqual(r.status, 200, f"GET {path}\n{r}")
        return r.json()

    def assertGone(self, path, timeout=0):
        """GET answers 404 (within `timeout` seconds, if given)."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.http("GET", path)
            if r.status == 404 or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        self.assertEqual(r.status, 404, f"{path} should be gone\n{r}")

    def wait_for(self, what, predicate, timeout=20, interval=0.2):
        """Polls predicate() until it returns a true value; fails with `what` otherwise."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        self.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")

    def assertHeader(self, result, expected):
        header, _ = table(result.out)
        self.assertEqual(header, expected, f"column headers differ\n{result}")

    def assertRow(self, result, name, expected_prefix):
        """The row whose first cell is `name` starts with the cells in expected_prefix (None
        matches anything; a compiled regex must fullmatch)."""
        _, rows = table(result.out)
        row = next((r for r in rows if r and r[0] == name), None)
        self.assertIsNotNone(row, f"no row named {name}\n{result}")
        for i, want in enumerate(expected_prefix):
            if want is None:
                continue
            got = row[i] if i < len(row) else "<missing>"
            ok = want.fullmatch(got) if hasattr(want, "fullmatch") else got == want
            self.assertTrue(ok, f"row {name} cell {i}: {got!r} does not match {want!r}\n{result}")
        return row

    def assertStatus(self, resp, code, reason=None):
        """A Kubernetes Status error body with the given code (and reason)."""
        self.assertEqual(resp.status, code, f"expected HTTP {code}\n{resp}")
        ctype = resp.header("content-type") or ""
        self.assertTrue(ctype.startswith("application/json"),
                        f"error Content-Type is {ctype!r}\n{resp}")
        st = resp.json()
        self.assertEqual(st.get("kind"), "Status", str(resp))
        self.assertEqual(st.get("apiVersion"), "v1", str(resp))
        self.assertEqual(st.get("status"), "Failure", str(resp))
        self.assertEqual(st.get("code"), code, str(resp))
        if reason is not None:
            self.assertEqual(st.get("reason"), reason, str(resp))
        return st


class LineReader:
    """Collects a subprocess' stdout lines on a thread, so a test can wait for one."""

    def __init__(self, proc, argv):
        self.proc, self.argv = proc, argv
        self.lines = []
        self.err = ""
        self._eof = False
        self._cv = threading.Condition()
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self):
        for line in self.proc.stdout:
            with self._cv:
                self.lines.append(line.rstrip("\n"))
                self._cv.notify_all()
        with self._cv:
            self._eof = True
            self._cv.notify_all()

    def _read_err(self):
        for line in self.proc.stderr:
            with self._cv:
                self.err += line

    def wait_line(self, predicate, timeout=20, start=0):
        """Index of the first line at or after `start` matching predicate, or None on timeout."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for i in range(start, len(self.lines)):
                    if predicate(self.lines[i]):
                        return i
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    return None
                self._cv.wait(min(left, 0.2))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __str__(self):
        with self._cv:
            out = "\n".join(self.lines)
            return (f"$ {' '.join(self.argv)}\nexit code: {self.proc.poll()}\n"
                    f"--- stdout ---\n{out}\n--- stderr ---\n{self.err}")


def main():
    unittest.main(verbosity=2)
