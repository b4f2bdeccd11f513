#!/usr/bin/env bash
# Casework beside Request Tracker 5 and django-helpdesk, in one run, one system at a time
# (the development machine has 2 cores): the same driver (the peers' shared workload.py; for
# Casework through benches/peers/casework_workload.py), then Casework again with its own
# kept-alive driver (`casework bench http`), then one table (`casework bench compare`).
#
#   benches/peers/run.sh                      # the full workload (about 20 minutes, mostly RT)
#   benches/peers/run.sh --tickets 50 --notes 20 --gets 10 --lists 5 --searches 5   # a quick try
#
# Arguments go to the shared driver. BENCH_HTTP_ARGS goes to `casework bench http`.
# Writes helpdesk.json, rt.json, casework.json, casework-http.json, table.md, machine.txt and
# load.txt (the load average every 10 s, with the system being measured) into $OUT; the last
# two are appended to.
#
# Casework runs on a fresh installation for each driver: `casework bench seed --cases 0`, i.e.
# the five shipped services and their accounts but no case, as the peers start from an empty
# database with one queue. Every system thus holds the cases its run opens (about 2,000).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$(cd "${PEERS_BENCH:-$ROOT/../shared/bench/peers}" && pwd)
export PEERS=${PEERS:-/tmp/peers2}
export PEERS_BENCH=$SHARED
OUT=${OUT:-$ROOT/benches/peers/results}
SCRATCH=${SCRATCH:-/tmp/bench-peers}
PORT=${CASEWORK_PORT:-18501}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# A copy of the release build, which later builds cannot replace; CASEWORK_BIN=FILE runs
# that binary instead, without building.
BIN=${CASEWORK_BIN:-$SCRATCH/casework-bin}
PASSWORD=bench-password-2026
DATA=$SCRATCH/casework-data  # Casework's database, made afresh for each driver
# SYSTEMS="casework" runs Casework alone (the table then takes the peers' files already in $OUT).
SYSTEMS=${SYSTEMS:-helpdesk rt casework}
mkdir -p "$OUT" "$SCRATCH"

phase() { echo "== $(date +%T) $*" | tee -a "$OUT/load.txt" >&2; }

# Built first, so that no build runs while a system is measured.
if [[ -z ${CASEWORK_BIN:-} ]]; then
  cargo build --release -p casework --manifest-path "$ROOT/Cargo.toml"
  cp "$CARGO_TARGET_DIR/release/casework" "$BIN"
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)"
  echo "casework: $BIN"
  echo "kernel: $(uname -sr)"
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "disk: $(df -h "$SCRATCH" | awk 'NR==2 {print $1, $2}')"
  echo "python: $(python3 --version 2>&1)"
  echo "sqlite: $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')"
  echo "driver arguments: $*"
  echo "systems: $SYSTEMS"
} >> "$OUT/machine.txt"

echo "== run of: $SYSTEMS" >> "$OUT/load.txt"
(while :; do echo "$(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 10; done) >> "$OUT/load.txt" &
SAMPLER=$!
CASEWORK_PID=
stop_all() {
  kill "$SAMPLER" 2>/dev/null || true
  [[ -n $CASEWORK_PID ]] && kill "$CASEWORK_PID" 2>/dev/null || true
}
trap stop_all EXIT

# One peer: install it afresh, start it, run the shared driver against it, stop it.
#   run_peer KIND NAME PORT USER
run_peer() {
  local kind=$1 name=$2 port=$3 user=$4
  phase "$name"
  "$SHARED/install_$kind.sh" --fresh > "$SCRATCH/install-$kind.log"
  "$SHARED/start_$kind.sh"
  python3 "$SHARED/workload.py" --kind "$kind" --base-url "http://127.0.0.1:$port" --user "$user" --password benchpass \
    --pid-file "$PEERS/$kind.pid" --out "$OUT/$kind.json" "${@:5}"
  "$SHARED/stop_$kind.sh"
}

if [[ $SYSTEMS == *helpdesk* ]]; then run_peer helpdesk "django-helpdesk" 8301 bench "$@"; fi
if [[ $SYSTEMS == *rt* ]]; then run_peer rt "Request Tracker 5" 8302 root "$@"; fi

# A fresh, empty installation, served in the background; sets CASEWORK_PID.
start_casework() {
  rm -rf "$DATA"
  mkdir -p "$DATA"
  "$BIN" bench seed --cases 0 --database "$DATA/casework.db" > "$DATA/seed.log"
  "$BIN" serve --database "$DATA/casework.db" --listen "127.0.0.1:$PORT" 2> "$DATA/serve.log" &
  CASEWORK_PID=$!
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" && return 0
    sleep 0.1
  done
  echo "Casework did not start: see $DATA/serve.log" >&2
  exit 1
}
stop_casework() {
  kill "$CASEWORK_PID"
  wait "$CASEWORK_PID" || true
  CASEWORK_PID=
}

if [[ $SYSTEMS == *casework* ]]; then
phase "Casework, the shared driver"
start_casework
python3 "$ROOT/benches/peers/casework_workload.py" --kind casework --base-url "http://127.0.0.1:$PORT" \
  --user recovery.care-coordinator --password "$PASSWORD" --server-pid "$CASEWORK_PID" --out "$OUT/casework.json" "$@"
stop_casework

phase "Casework, bench http (kept-alive connections)"
start_casework
# shellcheck disable=SC2086 # BENCH_HTTP_ARGS is a list of flags
"$BIN" bench http --base-url "http://127.0.0.1:$PORT" --server-pid "$CASEWORK_PID" --clients 1,8 \
  --json "$OUT/casework-http.json" ${BENCH_HTTP_ARGS:-}
stop_casework
fi
phase "done"

"$BIN" bench compare --peer "$OUT/helpdesk.json" --peer "$OUT/rt.json" \
  --casework "$OUT/casework.json" --casework "$OUT/casework-http.json" | tee "$OUT/table.md"
