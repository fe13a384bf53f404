#!/usr/bin/env bash
# Writes side by side (docs/BENCHMARKS.md): the demo load of PERSONS persons and an import of
# ROWS rows ("Importing a list"), run by an earlier build and this checkout in turn, ROUNDS
# times, each run on a fresh store, so that the two builds share the machine's noise.
#
# Usage: BASE_BIN=path/to/earlier/athar scripts/bench-writes.sh
# Environment: PERSONS (1000000), ROWS (1000000), ROUNDS (2), OUT (/tmp/athar-writes).
# Prints one line per run: build, what, seconds and peak kilobytes.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-1000000}
ROWS=${ROWS:-1000000}
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-/tmp/athar-writes}
: "${BASE_BIN:?BASE_BIN must name the athar binary of the earlier build}"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/athar-target}
export ATHAR_PASSPHRASE=writes-benchmark-passphrase
mkdir -p "$OUT"
cargo build --release --bin athar
cp "$CARGO_TARGET_DIR/release/athar" "$OUT/athar-this"
cp "$BASE_BIN" "$OUT/athar-base"

ROWS=$ROWS OUT=$OUT python3 - <<'PY'
import os, random
random.seed(1)
g=["محمد","أحمد","سامر","رامي","هبة","فاطمة","خالد","عمر","ريم","نور"]; f=["الحلبي","الخطيب","العلي","الأحمد","النجار"]
u=["فرع فلسطين","المخابرات الجوية","Branch 235"]; p=["حمص","دمشق","حلب","درعا","دوما"]
out=os.environ["OUT"]
with open(f"{out}/list.csv","w") as o:
    o.write("No.,الاسم الكامل,اسم الأم,المواليد,تاريخ الاعتقال,مكان الاعتقال,الجهة\n")
    for i in range(int(os.environ["ROWS"])):
        o.write(f"{i+1},{random.choice(g)} {random.choice(g)} {random.choice(f)},{random.choice(g)},{random.randint(1960,2005)},{random.randint(2011,2024)}-{random.randint(1,12):02d},{random.choice(p)},{random.choice(u)}\n")
open(f"{out}/list.toml","w").write('[list]\nname = "Bench"\nkey = "No."\n[columns]\n"الاسم الكامل" = "full_name"\n"اسم الأم" = "mother_name"\n"المواليد" = "birth_date"\n"تاريخ الاعتقال" = "arrest.date"\n"مكان الاعتقال" = "arrest.place"\n"الجهة" = "arrest.unit"\n')
PY

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
fresh() { rm -rf "$1" && "$2" --data "$1" init >/dev/null; }

for round in $(seq "$ROUNDS"); do
  for build in base this; do
    fresh "$OUT/store" "$OUT/athar-$build"
    echo "round $round $build demo --persons $PERSONS: $(timed "$OUT/athar-$build" --data "$OUT/store" demo --persons "$PERSONS") (s, KB)"
  done
  for build in base this; do
    fresh "$OUT/store" "$OUT/athar-$build"
    echo "round $round $build import of $ROWS rows: $(timed "$OUT/athar-$build" --data "$OUT/store" import "$OUT/list.csv" --mapping "$OUT/list.toml" --json) (s, KB)"
  done
done
rm -rf "$OUT/store"
