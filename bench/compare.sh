#!/usr/bin/env bash
# Runs one load scenario against our server and the reference Node `ws` server (../shared/peers/ws-node) in the same
# run, on loopback, and prints both RESULT lines plus the ratio of the headline figure.
#   bench/compare.sh fanout --chats 1 --members 100 --closed-loop --window 1
# Needs: bench/target/speechbot-load.jar and server/target/speechbot.jar (mvn -B -ntp -q -DskipTests package), node.
# Env: SB_PORT (18100), PEER_PORT (18180), RUN_DIR (/tmp/speechbot-compare), SB_OPTS (extra JVM options),
#      PEERS (default ../shared/peers), ONLY=speechbot|ws-node to run one side,
#      REPEAT (1): run both sides this many times, alternating, and print the median with the range (a 2-core VM
#      moves single runs by up to ±30 %),
#      WARM_SECONDS (15): a closed-loop send load run on each server before the measured scenario, so both the JVM's
#      JIT and V8's have compiled the hot paths (a cold JVM runs the database path interpreted for its first seconds).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
scenario="$1"; shift
SB_PORT="${SB_PORT:-18100}"; PEER_PORT="${PEER_PORT:-18180}"
RUN_DIR="${RUN_DIR:-/tmp/speechbot-compare}"; PEERS="${PEERS:-$here/../shared/peers}"
LOAD="java -Xmx2g -jar $here/bench/target/speechbot-load.jar"
mkdir -p "$RUN_DIR"
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

warm() {
  local secs="${WARM_SECONDS:-15}"
  [ "$secs" -gt 0 ] || return 0
  $LOAD --scenario fanout --chats 20 --members 5 --closed-loop --window 4 --warmup 1 --duration "$secs" --quiet "$@" \
    > "$RUN_DIR/warm.out" 2>&1 || echo "warm-up run failed (see $RUN_DIR/warm.out)" >&2
}

run_speechbot() {
  rm -rf "$RUN_DIR/data"
  SPEECHBOT_DATA_DIR="$RUN_DIR/data" SPEECHBOT_PORT="$SB_PORT" SPEECHBOT_HOST=127.0.0.1 SPEECHBOT_BOT_PACE_MS=0 \
    java ${SB_OPTS:--Xmx2g} -jar "$here/server/target/speechbot.jar" serve > "$RUN_DIR/speechbot.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  for _ in $(seq 1 120); do grep -q "ready on" "$RUN_DIR/speechbot.log" && break; sleep 0.5; done
  warm --url "ws://127.0.0.1:$SB_PORT" --secret-file "$RUN_DIR/data/jwt-secret"
  $LOAD --scenario "$scenario" --url "ws://127.0.0.1:$SB_PORT" --secret-file "$RUN_DIR/data/jwt-secret" \
    --server-pid "$pid" --quiet "$@" | tee "$RUN_DIR/speechbot.$run.out"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_peer() {
  if [ ! -d "$RUN_DIR/ws-node/node_modules" ]; then
    rm -rf "$RUN_DIR/ws-node"; cp -r "$PEERS/ws-node" "$RUN_DIR/ws-node"
    (cd "$RUN_DIR/ws-node" && npm ci --no-audit --no-fund --silent)
  fi
  (cd "$RUN_DIR/ws-node" && exec node server.js "$PEER_PORT") > "$RUN_DIR/ws-node.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  for _ in $(seq 1 40); do grep -q "listening" "$RUN_DIR/ws-node.log" && break; sleep 0.25; done
  warm --target ws-node --url "ws://127.0.0.1:$PEER_PORT"
  $LOAD --scenario "$scenario" --target ws-node --url "ws://127.0.0.1:$PEER_PORT" --server-pid "$pid" --quiet "$@" \
    | tee "$RUN_DIR/ws-node.$run.out"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

REPEAT="${REPEAT:-1}"
rm -f "$RUN_DIR"/speechbot.*.out "$RUN_DIR"/ws-node.*.out
for run in $(seq 1 "$REPEAT"); do
  [ "${ONLY:-}" != "ws-node" ] && run_speechbot "$@"
  [ "${ONLY:-}" != "speechbot" ] && run_peer "$@"
done
if [ -z "${ONLY:-}" ]; then
  python3 - "$scenario" "$RUN_DIR" "$REPEAT" <<'PY'
import json, statistics, sys
scenario, run_dir, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
def result(path):
    for line in open(path):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
key = {"fanout": ("fanout", "delivered_per_s"), "typing": ("typing", "indicators_per_s"),
       "receipts": ("receipts", "mark_read_sent_per_s"), "sends": ("sends", "acks_per_s")}.get(scenario)
runs = [(result(f"{run_dir}/speechbot.{i}.out"), result(f"{run_dir}/ws-node.{i}.out")) for i in range(1, repeat + 1)]
runs = [(a, b) for a, b in runs if a and b]
if key and runs:
    for a, b in runs:
        x, y = a[key[0]][key[1]], b[key[0]][key[1]]
        print(f"COMPARE {scenario} {key[1]}: speechbot {x:,.0f} / ws-node {y:,.0f} = {x / y if y else float('inf'):.2f}x")
        for name, r in (("speechbot", a), ("ws-node", b)):
            lat = r.get("latency") or r.get("ack_latency") or {}
            print(f"  {name:9s} p50 {lat.get('p50_ms')} ms  p99 {lat.get('p99_ms')} ms  max {lat.get('max_ms')} ms")
    if len(runs) > 1:
        ours = [a[key[0]][key[1]] for a, _ in runs]
        peer = [b[key[0]][key[1]] for _, b in runs]
        ratios = [x / y for x, y in zip(ours, peer) if y]
        print(f"MEDIAN {scenario} {key[1]} of {len(runs)} runs: speechbot {statistics.median(ours):,.0f}"
              f" ({min(ours):,.0f}-{max(ours):,.0f}) / ws-node {statistics.median(peer):,.0f}"
              f" ({min(peer):,.0f}-{max(peer):,.0f}) = {statistics.median(ratios):.2f}x"
              f" ({min(ratios):.2f}-{max(ratios):.2f})")
PY
fi
