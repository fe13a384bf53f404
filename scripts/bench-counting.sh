#!/usr/bin/env bash
# Counting at archive scale, side by side with an earlier build (docs/BENCHMARKS.md). For
# each build, one after the other on the same machine, on a fresh store of its own:
#
#   1. `athar demo --persons PERSONS` (time, peak memory);
#   2. `athar stats --json`, cold (a new process each time), three times;
#   3. `athar report --format pdf` for one year (2024);
#   4. `athar serve`: the first GET /api/stats after the server starts; then one person with
#      three events and their involvements written through the API, and the next
#      GET /api/stats, whose person count must have grown by one; then the server's
#      resident memory; then `athar stats --json` in a new process, which must count
#      those writes;
#   5. whether both builds give the same figures and breakdown of the same demo.
#
# Usage: scripts/bench-counting.sh [BASE_COMMIT]   (default 454a4e7, the last build that
#        counted by opening every record)
# Environment: PERSONS (1000000), OUT (/tmp/athar-counting), SKIP_BASE=1 to measure only
#              this checkout, BASE_BIN=path to use a base binary built beforehand,
#              KEEP_STORES=1 to reuse stores made by an earlier run.
# Prints one line per measure and build; the raw outputs stay in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-454a4e7}
PERSONS=${PERSONS:-1000000}
OUT=${OUT:-/tmp/athar-counting}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/athar-target}
export ATHAR_PASSPHRASE=counting-benchmark-passphrase
export ATHAR_USER_PASSWORD=counting-benchmark-password
for tool in jq curl; do
  command -v "$tool" >/dev/null || apt-get install -y -qq "$tool" >/dev/null
done
mkdir -p "$OUT"

cargo build --release --bin athar
cp "$CARGO_TARGET_DIR/release/athar" "$OUT/athar-this"
builds=(this)
if [ -n "${BASE_BIN:-}" ]; then
  # A base build made beforehand (BASE_BIN=path/to/athar).
  cp "$BASE_BIN" "$OUT/athar-base"
  builds=(base this)
elif [ "${SKIP_BASE:-0}" != 1 ]; then
  rm -rf "$OUT/base-src"
  git worktree prune
  git worktree add --detach "$OUT/base-src" "$BASE" >/dev/null
  (cd "$OUT/base-src" && cargo build --release --bin athar)
  cp "$CARGO_TARGET_DIR/release/athar" "$OUT/athar-base"
  git worktree remove --force "$OUT/base-src"
  builds=(base this)
fi

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
# Milliseconds of one request.
ms_of() { curl -s -o "$2" -w '%{time_total}' -H "Authorization: Bearer $token" "$1" | awk '{printf "%.0f", $1 * 1000}'; }

measure() {
  local label=$1 bin="$OUT/athar-$1" data="$OUT/data-$1"
  if [ "${KEEP_STORES:-0}" != 1 ] || [ ! -d "$data" ]; then
    rm -rf "$data"
    "$bin" --data "$data" init >/dev/null
    echo "$label demo --persons $PERSONS: $(timed "$bin" --data "$data" demo --persons "$PERSONS") (s, KB)"
  fi
  for run in 1 2 3; do
    echo "$label stats --json (run $run): $(timed "$bin" --data "$data" stats --json) (s, KB)"
  done
  "$bin" --data "$data" stats --json | jq -S 'del(.linkage)' >"$OUT/figures-$label.json"
  "$bin" --data "$data" stats --by kind,year,governorate --json | jq -S . >"$OUT/breakdown-$label.json"
  echo "$label report --format pdf 2024: $(timed "$bin" --data "$data" report --from 2024-01 \
    --to 2024-12 --lang ar --format pdf --out "$OUT/report-$label.pdf") (s, KB)"

  "$bin" --data "$data" user add "bench-$label-$$" --role documenter >/dev/null 2>&1 || true
  token=$("$bin" --data "$data" token create --user "bench-$label-$$" --name bench --scope write |
    tail -1)
  [ -n "$token" ] || { echo "$label: no token" >&2; return 1; }
  local port=$((19080 + RANDOM % 1000)) log="$OUT/serve-$label.log"
  "$bin" --data "$data" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
  local pid=$!
  local url="http://127.0.0.1:$port"
  for _ in $(seq 600); do curl -sf "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "$label first GET /api/stats: $(ms_of "$url/api/stats" "$OUT/stats-first-$label.json") ms"
  echo "$label GET /api/stats again: $(ms_of "$url/api/stats" "$OUT/stats-again-$label.json") ms"
  local before
  before=$(jq .persons "$OUT/stats-again-$label.json")
  post() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2" "$url$1" | jq -r .id; }
  local person arrest detention disappearance
  person=$(post /api/persons '{"names":[{"script":"arab","given":"سامر","family":"الحمصي"}],"sex":"male","birth_date":"1990"}')
  arrest=$(post /api/events '{"kind":"arrest","start":"2024-03-02","unit":"air-force-intelligence"}')
  detention=$(post /api/events "{\"kind\":\"detention\",\"start\":\"2024-03\",\"previous\":\"$arrest\",\"place\":{\"facility\":\"sednaya-prison\"}}")
  disappearance=$(post /api/events "{\"kind\":\"enforced-disappearance\",\"start\":\"2024-05\",\"previous\":\"$detention\"}")
  for event in "$arrest" "$detention" "$disappearance"; do
    post /api/involvements "{\"event\":\"$event\",\"person\":\"$person\",\"role\":\"victim\"}" >/dev/null
  done
  echo "$label GET /api/stats after one person with three events: $(ms_of "$url/api/stats" "$OUT/stats-after-$label.json") ms"
  echo "$label persons before and after the write: $before, $(jq .persons "$OUT/stats-after-$label.json")"
  echo "$label server resident memory: $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") KB"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  # A process that starts after those writes: what was kept, with the writes since counted.
  echo "$label stats --json after the server's writes: $(timed "$bin" --data "$data" stats --json) (s, KB)"
}

for build in "${builds[@]}"; do
  measure "$build"
done
# The same demo (its seed) in both stores: every figure must be the same.
if [ "${#builds[@]}" = 2 ]; then
  for what in figures breakdown; do
    if cmp -s "$OUT/$what-base.json" "$OUT/$what-this.json"; then
      echo "$what of both builds: identical"
    else
      echo "$what of both builds: DIFFERENT (diff $OUT/$what-base.json $OUT/$what-this.json)"
    fi
  done
fi
