#!/usr/bin/env bash
# Times the reports over a store of 100,000 synthetic persons (docs/BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin athar
export ATHAR_PASSPHRASE=benchmark-passphrase
DATA=${DATA:-/tmp/bench-rep}
rm -rf "$DATA"
target/release/athar --data "$DATA" init >/dev/null
/usr/bin/time -f "demo %e s %M KB" target/release/athar --data "$DATA" demo --persons 100000 --json >/dev/null
for format in json html pdf; do
  /usr/bin/time -f "report $format %e s %M KB" target/release/athar --data "$DATA" report \
    --from 2023-01 --to 2024-12 --lang ar --format "$format" --out "$DATA/report.$format"
done
/usr/bin/time -f "stats %e s %M KB" target/release/athar --data "$DATA" stats --json >/dev/null
/usr/bin/time -f "brief pdf %e s %M KB" target/release/athar --data "$DATA" brief --region Homs \
  --from 2023 --to 2024 --lang ar --format pdf --out "$DATA/brief.pdf"
