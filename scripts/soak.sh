#!/usr/bin/env bash
# A long mixed read soak of `athar serve --demo`, side by side with an earlier build, as
# docs/BENCHMARKS.md records it. For each build, one after the other on the same machine:
#
#   1. a fresh demo store (DEMO_PERSONS persons) served on loopback with the demo token;
#   2. WARMUP seconds of mixed reads, then MINUTES of 30-second rounds, each round the mixed
#      load (CONNECTIONS connections: 60 % one person, 20 % the person list, 10 % events,
#      10 % /api/stats) with a separate two-connection probe of /api/stats beside it;
#      after each round the server's resident memory and threads, and the sizes of the
#      store and its write-ahead log;
#   3. throughput of one person by id and of the person list alone (20 s each);
#   4. the store's growth per thousand requests served.
#
# Usage: scripts/soak.sh [BASE_COMMIT]   (default 8a29e1b, the build the attack run met)
# Environment: MINUTES (30), WARMUP (60), CONNECTIONS (32), DEMO_PERSONS (1000),
#              OUT (/tmp/athar-soak), SKIP_BASE=1 to soak only this checkout.
# Installs wrk with apt-get when it is missing. Prints one table per build and a summary;
# every raw wrk output stays in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BASE=${1:-8a29e1b}
MINUTES=${MINUTES:-30}
WARMUP=${WARMUP:-60}
CONNECTIONS=${CONNECTIONS:-32}
DEMO_PERSONS=${DEMO_PERSONS:-1000}
OUT=${OUT:-/tmp/athar-soak}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/athar-target}

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
for tool in jq curl; do
  command -v "$tool" >/dev/null || apt-get install -y -qq "$tool" >/dev/null
done
mkdir -p "$OUT"

# The builds: this checkout, and BASE from a throw-away worktree (same target directory, so
# only Athar's own crates are compiled twice).
cargo build --release --bin athar
cp "$CARGO_TARGET_DIR/release/athar" "$OUT/athar-this"
builds=(this)
if [ "${SKIP_BASE:-0}" != 1 ]; then
  rm -rf "$OUT/base-src"
  git worktree prune
  git worktree add --detach "$OUT/base-src" "$BASE" >/dev/null
  (cd "$OUT/base-src" && cargo build --release --bin athar)
  cp "$CARGO_TARGET_DIR/release/athar" "$OUT/athar-base"
  git worktree remove --force "$OUT/base-src"
  builds=(base this)
fi

# Total bytes of the store's files (main file, write-ahead log, shared memory).
store_bytes() { du -cb "$1"/athar.db* 2>/dev/null | tail -1 | cut -f1; }
wal_bytes() { stat -c %s "$1"/athar.db-wal 2>/dev/null || echo 0; }
requests_in() { awk '/requests in/ {print $1}' "$1"; }
rate_of() { awk '/Requests\/sec/ {printf "%d", $2}' "$1"; }
errors_in() { awk '/Non-2xx/ {n+=$NF} /Socket errors/ {n+=1} END {print n+0}' "$1"; }
# wrk prints latencies as 512.00us, 4.21ms or 1.02s; this gives milliseconds.
p99_ms() {
  awk '/^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.1f", v}' "$1"
}

soak() {
  local label=$1 bin="$OUT/athar-$1" data="$OUT/data-$1" log="$OUT/serve-$1.log"
  local port=$((18080 + RANDOM % 1000))
  rm -rf "$data"
  ATHAR_PASSPHRASE=soak-passphrase "$bin" --data "$data" serve --demo \
    --demo-persons "$DEMO_PERSONS" --addr "127.0.0.1:$port" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do grep -q "Athar is serving" "$log" && break; sleep 0.5; done
  local token
  token=$(sed -n "s/.*Bearer \([^']*\)'.*/\1/p" "$log")
  [ -n "$token" ] || { echo "$label: no demo token in $log" >&2; kill "$pid"; return 1; }
  local url="http://127.0.0.1:$port"
  local ids
  ids=$(curl -sf -H "Authorization: Bearer $token" "$url/api/persons?limit=500" |
    jq -r '[.items[].id | "\"" + . + "\""] | join(",")')
  cat >"$OUT/mixed.lua" <<LUA
local ids = { $ids }
request = function()
  local r = math.random(100)
  local path
  if r <= 60 then path = "/api/persons/" .. ids[math.random(#ids)]
  elseif r <= 80 then path = "/api/persons?limit=50"
  elseif r <= 90 then path = "/api/events?limit=50"
  else path = "/api/stats" end
  return wrk.format("GET", path)
end
LUA
  cat >"$OUT/person.lua" <<LUA
local ids = { $ids }
request = function() return wrk.format("GET", "/api/persons/" .. ids[math.random(#ids)]) end
LUA
  local auth="Authorization: Bearer $token"
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -H "$auth" -s "$OUT/mixed.lua" "$url" >"$OUT/$label-warmup.txt"
  local before
  before=$(store_bytes "$data")
  local table="$OUT/$label-rounds.tsv"
  printf "minute\tmixed_rps\tmixed_p99_ms\tstats_p99_ms\terrors\trss_mb\tthreads\twal_mb\tstore_mb\n" >"$table"
  local served=0 rounds=$((MINUTES * 2))
  for round in $(seq "$rounds"); do
    wrk -t2 -c"$CONNECTIONS" -d30s --latency -H "$auth" -s "$OUT/mixed.lua" "$url" >"$OUT/$label-mixed-$round.txt" &
    local mixed=$!
    wrk -t1 -c2 -d30s --latency -H "$auth" "$url/api/stats" >"$OUT/$label-stats-$round.txt"
    wait "$mixed"
    served=$((served + $(requests_in "$OUT/$label-mixed-$round.txt") + $(requests_in "$OUT/$label-stats-$round.txt")))
    local rss threads
    rss=$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status")
    threads=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n" "$(awk "BEGIN {print $round / 2}")" \
      "$(rate_of "$OUT/$label-mixed-$round.txt")" "$(p99_ms "$OUT/$label-mixed-$round.txt")" \
      "$(p99_ms "$OUT/$label-stats-$round.txt")" \
      "$(($(errors_in "$OUT/$label-mixed-$round.txt") + $(errors_in "$OUT/$label-stats-$round.txt")))" \
      "$rss" "$threads" "$(($(wal_bytes "$data") / 1048576))" "$(($(store_bytes "$data") / 1048576))" >>"$table"
    tail -1 "$table"
  done
  local after
  after=$(store_bytes "$data")
  wrk -t2 -c"$CONNECTIONS" -d20s --latency -H "$auth" -s "$OUT/person.lua" "$url" >"$OUT/$label-person.txt"
  wrk -t2 -c"$CONNECTIONS" -d20s --latency -H "$auth" "$url/api/persons?limit=50" >"$OUT/$label-list.txt"
  kill -INT "$pid"
  wait "$pid" || true
  {
    echo "build=$label"
    echo "requests=$served"
    echo "store_before_mb=$((before / 1048576))"
    echo "store_after_mb=$((after / 1048576))"
    echo "growth_kb_per_1000=$(awk "BEGIN {printf \"%.1f\", ($after - $before) / 1024 / ($served / 1000)}")"
    echo "person_rps=$(rate_of "$OUT/$label-person.txt") p99_ms=$(p99_ms "$OUT/$label-person.txt")"
    echo "list_rps=$(rate_of "$OUT/$label-list.txt") p99_ms=$(p99_ms "$OUT/$label-list.txt")"
    echo "max_rss_mb=$(tail -n +2 "$table" | cut -f6 | sort -n | tail -1)"
    echo "max_wal_mb=$(tail -n +2 "$table" | cut -f8 | sort -n | tail -1)"
    echo "max_stats_p99_ms=$(tail -n +2 "$table" | cut -f4 | sort -g | tail -1)"
    echo "errors=$(tail -n +2 "$table" | awk -F'\t' '{n+=$5} END {print n+0}')"
  } >"$OUT/$label-summary.txt"
}

for build in "${builds[@]}"; do
  echo "== $build: $MINUTES minutes, $CONNECTIONS connections, $DEMO_PERSONS demo persons"
  soak "$build"
done
for build in "${builds[@]}"; do
  echo "== $build"
  column -t -s $'\t' "$OUT/$build-rounds.tsv"
  cat "$OUT/$build-summary.txt"
done
