"""Helpers shared by the end-to-end benchmarks in bench/*/run.py: a free loopback port, a small
JSON client for the API server, a process's RSS, and the raw SQLite baseline."""
import http.client
import json
import socket
import sqlite3
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body=None):
        data = json.dumps(body) if body is not None else None
        self.conn.request(method, path, body=data,
                          headers={"Content-Type": "application/json",
                                   "Accept": "application/json"})
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.getheader("Content-Type", "").startswith("application/json") and payload:
            return resp.status, json.loads(payload)
        return resp.status, payload

    def count(self, path, field_selector=""):
        """Objects matching, read from one item plus remainingItemCount."""
        q = "?limit=1" + ("&fieldSelector=" + field_selector if field_selector else "")
        status, body = self.call("GET", path + q)
        if status != 200:
            raise RuntimeError(f"GET {path}{q}: {status} {body}")
        items = len(body.get("items") or [])
        return items + int(body.get("metadata", {}).get("remainingItemCount") or 0)


def rss_mb(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out


def sqlite_baseline(path, writes, doc_bytes):
    """Raw SQLite in WAL mode, synchronous=FULL, one transaction per write (one writer)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, rev INTEGER, value BLOB)")
    doc = b"x" * doc_bytes
    t0 = time.monotonic()
    for i in range(writes):
        db.execute("BEGIN")
        db.execute("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", (f"/pods/p{i % 1000}", i, doc))
        db.execute("COMMIT")
    secs = time.monotonic() - t0
    db.close()
    return writes / secs
