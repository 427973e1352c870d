#!/usr/bin/env bash
# Runs the macro benchmarks on the release build and writes their JSON figures to
# bench/results/. Each benchmark measures its baseline in the same run and prints the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/release
OUT=bench/results
mkdir -p "$OUT"
PODS=${SKIFF_BENCH_PODS:-100000}
WATCHERS=${SKIFF_BENCH_WATCHERS:-1000}

echo "== store: SqliteStore group commit vs raw SQLite, one transaction per write (64 writers)"
"$B/bench/skiff_store_bench" --threads 64 --seconds 5 --rounds 3 --json "$OUT/store.json"

echo "== api: durable creates over HTTP (64 clients) vs raw SQLite; LIST ${PODS} pods; ${WATCHERS} watchers"
"$B/bench/skiff_api_bench" "$PODS" "$WATCHERS" | tee "$OUT/api.json"

echo "== skiff server: start to ready, idle RSS"
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start=$(date +%s%N)
"$B/cmd/skiff/skiff" server --data-dir "$dir" --port "$port" >"$dir/log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
ready=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 2
rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$dir"
printf '{"start_to_ready_ms": %d, "idle_rss_mb": %.1f}\n' "$ready" "$(echo "$rss/1024" | bc -l)" | tee "$OUT/server.json"

if [ -x "$B/bench/skiff_scheduler_bench" ]; then
  echo "== scheduler: in-process throughput at 5,000 nodes"
  "$B/bench/skiff_scheduler_bench" | tee "$OUT/scheduler.json"
fi

echo "== deployment: ${SKIFF_BENCH_REPLICAS:-10000} replicas on ${SKIFF_BENCH_NODES:-1000} hollow nodes, end to end"
/usr/bin/python3 bench/deployment/run.py --skiff "$B/cmd/skiff/skiff" \
  --nodes "${SKIFF_BENCH_NODES:-1000}" --replicas "${SKIFF_BENCH_REPLICAS:-10000}" \
  --json "$OUT/deployment.json"

echo "== statefulset: ${SKIFF_BENCH_STS_REPLICAS:-1000} replicas, Parallel, on ${SKIFF_BENCH_STS_NODES:-100} hollow nodes, until all Ready"
/usr/bin/python3 bench/statefulset/run.py --skiff "$B/cmd/skiff/skiff" \
  --nodes "${SKIFF_BENCH_STS_NODES:-100}" --replicas "${SKIFF_BENCH_STS_REPLICAS:-1000}" \
  --json "$OUT/statefulset.json"

echo "== daemonset: one pod on each of ${SKIFF_BENCH_DS_NODES:-5000} hollow nodes, until all Ready"
/usr/bin/python3 bench/daemonset/run.py --skiff "$B/cmd/skiff/skiff" \
  --nodes "${SKIFF_BENCH_DS_NODES:-5000}" --json "$OUT/daemonset.json"

if [ "$(id -u)" = 0 ] && [ -x "$B/bench/skiff_runtime_bench" ]; then
  echo "== runtime: pod start (sandbox + container) through RuncRuntime vs raw runc run of the same bundle"
  "$B/bench/skiff_runtime_bench" --rounds "${SKIFF_BENCH_RUNTIME_ROUNDS:-50}" | tee "$OUT/runtime.json"
fi

if [ "$(id -u)" = 0 ]; then
  echo "== pods: create -> Running on real containers (1 and 50 pods) vs raw runc run; server start and RSS with its agent"
  /usr/bin/python3 bench/pods/run.py --skiff "$B/cmd/skiff/skiff" --json "$OUT/pods.json"
fi
