#!/usr/bin/env bash
# Runs one load scenario against our server and the reference Node `ws` server (../shared/peers/ws-node) in the same
# run, on loopback, and prints both RESULT lines plus the ratio of the headline figure.
#   bench/compare.sh fanout --chats 1 --members 100 --closed-loop --window 1
#   PIN=1 bench/compare.sh realistic --chats 100 --members 10 --rate 1 --warmup 60 --duration 60
# Needs: bench/target/speechbot-load.jar and server/target/speechbot.jar (mvn -B -ntp -q -DskipTests package), node.
# Env: SB_PORT (18100), PEER_PORT (18180), RUN_DIR (/tmp/speechbot-compare), SB_OPTS (extra JVM options),
#      PEERS (default ../shared/peers), ONLY=speechbot|ws-node to run one side,
#      REPEAT (1): run both sides this many times, alternating, and print the median with the range (a 2-core VM
#      moves single runs by up to ±30 %),
#      WARM_SECONDS (15; 0 for realistic, whose --warmup is traffic of its own shape): a closed-loop send load run on
#      each server before the measured scenario, so both the JVM's JIT and V8's have compiled the hot paths (a cold
#      JVM runs the database path interpreted for its first seconds),
#      PIN=1: each server and everything it starts (our JVM and its PostgreSQL processes inherit the affinity) on CPU
#      SERVER_CPUS (0), the load tool on TOOL_CPUS (1), both servers alike (taskset), so the server's CPU per message
#      is not blurred by the tool and the two sides get the same core.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
scenario="$1"; shift
SB_PORT="${SB_PORT:-18100}"; PEER_PORT="${PEER_PORT:-18180}"
RUN_DIR="${RUN_DIR:-/tmp/speechbot-compare}"; PEERS="${PEERS:-$here/../shared/peers}"
SERVER_PIN=(); TOOL_PIN=()
if [ "${PIN:-0}" = 1 ]; then
  SERVER_PIN=(taskset -c "${SERVER_CPUS:-0}"); TOOL_PIN=(taskset -c "${TOOL_CPUS:-1}")
  echo "PIN: servers (and their PostgreSQL) on CPU ${SERVER_CPUS:-0}, load tool on CPU ${TOOL_CPUS:-1}" >&2
fi
LOAD="${TOOL_PIN[*]+${TOOL_PIN[*]}} java -Xmx2g -jar $here/bench/target/speechbot-load.jar"
[ "$scenario" = realistic ] && WARM_SECONDS="${WARM_SECONDS:-0}"
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
    ${SERVER_PIN[@]+"${SERVER_PIN[@]}"} java ${SB_OPTS:--Xmx2g} -jar "$here/server/target/speechbot.jar" serve \
    > "$RUN_DIR/speechbot.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  # a pinned server starting on a busy core (cluster init, migrations, JIT) may need minutes
  for _ in $(seq 1 360); do grep -q "Realtime ready on" "$RUN_DIR/speechbot.log" && break; sleep 0.5; done
  grep -q "Realtime ready on" "$RUN_DIR/speechbot.log" || { echo "speechbot did not start in 180 s (see $RUN_DIR/speechbot.log)" >&2; exit 1; }
  warm --url "ws://127.0.0.1:$SB_PORT" --secret-file "$RUN_DIR/data/jwt-secret"
  $LOAD --scenario "$scenario" --url "ws://127.0.0.1:$SB_PORT" --secret-file "$RUN_DIR/data/jwt-secret" \
    --server-pid "$pid" --server-data-dir "$RUN_DIR/data" --quiet "$@" | tee "$RUN_DIR/speechbot.$run.out"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_peer() {
  if [ ! -d "$RUN_DIR/ws-node/node_modules" ]; then
    rm -rf "$RUN_DIR/ws-node"; cp -r "$PEERS/ws-node" "$RUN_DIR/ws-node"
    (cd "$RUN_DIR/ws-node" && npm ci --no-audit --no-fund --silent)
  fi
  (cd "$RUN_DIR/ws-node" && exec ${SERVER_PIN[@]+"${SERVER_PIN[@]}"} node server.js "$PEER_PORT") > "$RUN_DIR/ws-node.log" 2>&1 &
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
if scenario == "realistic":
    def cost(r):
        return r["realistic"]["cost"].get("total_cpu_ms_per_message")
    for a, b in runs:
        for name, r in (("speechbot", a), ("ws-node", b)):
            f, c = r["realistic"], r["realistic"]["cost"]
            lat = f.get("read_latency") or {}
            pg = c.get("postgres_cpu_ms_per_message")
            print(f"  {name:9s} {f['messages_per_s']:,.1f} msg/s  CPU/msg: server {c.get('server_cpu_ms_per_message')} ms"
                  + (f" + PostgreSQL {pg} ms" if pg is not None else "") + f" = {c.get('total_cpu_ms_per_message')} ms"
                  f"  read p50 {lat.get('p50_ms')} / p99 {lat.get('p99_ms')} ms"
                  + (f"  transactions/msg {c['store_commits_per_message']}" if c.get("store_commits_per_message") else ""))
        x, y = cost(a), cost(b)
        if x is not None and y:
            print(f"COMPARE realistic total_cpu_ms_per_message: speechbot {x} / ws-node {y} = {x / y:.2f}x"
                  " (ours persists message, delivery tick and receipt; ws-node broadcasts every mark_read)")
    pairs = [(cost(a), cost(b)) for a, b in runs if cost(a) is not None and cost(b)]
    if len(pairs) > 1:
        ratios = [x / y for x, y in pairs]
        print(f"MEDIAN realistic total_cpu_ms_per_message of {len(pairs)} runs:"
              f" speechbot {statistics.median(x for x, _ in pairs)} / ws-node {statistics.median(y for _, y in pairs)}"
              f" = {statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})")
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
