#!/usr/bin/env python3
"""The tutorial end to end: scripts/demo.py (what `make demo` runs) against the skiff binary
under test, on its own data dir, bridge, pod subnet and cgroup, with --quick pauses. The demo
checks every step itself and exits non-zero when one misbehaves; this test also fails when the
server's log holds a sanitizer report. Needs root, runc and kubectl; otherwise it reports itself
skipped."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
RUNC = "/usr/sbin/runc"
BRIDGE = "skiff-e2et"
SUBNET = "10.89.251.0/24"
CGROUP = "/skiff-e2e-tutorial"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "AddressSanitizer:DEADLYSIGNAL",
                     "ERROR: LeakSanitizer")


def skiff_bin():
    env = os.environ.get("SKIFF_BIN")
    if env:
        return env
    return str(ROOT / "build/dev/cmd/skiff/skiff")


def main():
    if os.geteuid() != 0 or not os.access(RUNC, os.X_OK) or shutil.which("kubectl") is None:
        print("SKIPPED: the tutorial e2e test needs root, runc and kubectl")
        return 0
    run_dir = Path(tempfile.mkdtemp(prefix="skiff-e2e-tutorial-"))
    data_dir = run_dir / "data"
    argv = [sys.executable, str(ROOT / "scripts/demo.py"), "--skiff", skiff_bin(),
            "--data-dir", str(data_dir), "--node-name", "e2e-tut", "--bridge", BRIDGE,
            "--pod-subnet", SUBNET, "--cgroup-parent", CGROUP, "--quick"]
    print("$ " + " ".join(argv), flush=True)
    started = time.monotonic()
    rc = subprocess.run(argv, timeout=900).returncode
    took = time.monotonic() - started
    problems = []
    if rc != 0:
        problems.append(f"scripts/demo.py exited with {rc}")
    log = data_dir / "server.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    for marker in SANITIZER_MARKERS:
        if marker in text:
            problems.append(f"{log} contains {marker!r}")
    if problems:
        print(f"\nFAILED after {took:.0f}s: {'; '.join(problems)}\nrun folder kept: {run_dir}")
        return 1
    print(f"\nPASSED in {took:.0f}s")
    shutil.rmtree(run_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
