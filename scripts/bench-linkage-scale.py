#!/usr/bin/env python3
"""Deduplication at scale: `athar link` and Splink on the same synthetic lists, one run.

The records come from `athar demo-lists`: invented people as three lists name them (Arabic
script, Latin transliterations, a recovered register; partial names, approximate years),
with the true person of each record. Both tools deduplicate the one file. For each: wall-clock
time and peak memory of its own process tree (GNU time), comparisons, and the pairwise
precision, recall and F1 of its clusters against the truth.

    python3 -m venv /tmp/splink-venv && /tmp/splink-venv/bin/pip install splink
    cargo build --release --bin athar
    /tmp/splink-venv/bin/python scripts/bench-linkage-scale.py --records 1000000 --repeat 3

With --repeat N each tool runs N times, alternately, and the median time is reported (a
shared two-core machine's times vary by a fifth from run to run); peak memory is the largest.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ATHAR = os.environ.get("ATHAR_BIN", os.path.join(HERE, "..", "target", "release", "athar"))
FIELDS = ["given_name", "father_name", "grandfather_name", "family_name", "mother_name",
          "birth_date", "birthplace", "sex"]


def pair_scores(cluster_of, truth_of):
    """Pairwise precision, recall and F1, counted from group sizes (no pair lists)."""
    def pairs(counts):
        return sum(n * (n - 1) // 2 for n in counts.values())
    predicted = pairs(Counter(cluster_of.values()))
    real = pairs(Counter(truth_of.values()))
    both = pairs(Counter((cluster_of[k], truth_of[k]) for k in truth_of))
    precision = both / predicted if predicted else 1.0
    recall = both / real if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def timed(cmd):
    """Run a command under GNU time: (seconds, peak MB of its tree's largest process, stdout)."""
    proc = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + cmd, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{proc.stderr[-3000:]}")
    line = [l for l in proc.stderr.splitlines() if l.startswith("TIME ")][-1]
    _, seconds, kb = line.split()
    return float(seconds), int(kb) / 1024, proc.stdout


def run_athar(path, tmp):
    out = os.path.join(tmp, "athar-clusters.csv")
    cmd = [ATHAR, "link", "--csv", path, "--id", "id", "--out", out, "--json"]
    for f in FIELDS:
        cmd += ["--map", f"{f}={f}"]
    seconds, peak, stdout = timed(cmd)
    summary = json.loads(stdout)
    clusters = {r["id"]: r["cluster"] for r in csv.DictReader(open(out, encoding="utf-8"))}
    return seconds, peak, clusters, summary["comparisons"]


SPLINK = r'''
import json, sys
import duckdb
from splink import Linker, SettingsCreator, DuckDBAPI, block_on
import splink.comparison_library as cl
path, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"CREATE TABLE records AS SELECT id AS unique_id, * EXCLUDE (id, person, list) "
            f"FROM read_csv('{path}', all_varchar=true)")
settings = SettingsCreator(
    link_type="dedupe_only",
    comparisons=[
        cl.NameComparison("given_name"),
        cl.NameComparison("father_name"),
        cl.NameComparison("grandfather_name"),
        cl.NameComparison("family_name"),
        cl.NameComparison("mother_name"),
        cl.LevenshteinAtThresholds("birth_date", [1, 2]),
        cl.ExactMatch("birthplace"),
        cl.ExactMatch("sex"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("given_name", "family_name"),
        block_on("family_name", "birth_date"),
        block_on("given_name", "birth_date"),
        block_on("given_name", "father_name"),
    ],
    retain_intermediate_calculation_columns=False,
)
db = DuckDBAPI(connection=con)
linker = Linker(db.register("records"), settings, log_level=40)
linker.training.estimate_probability_two_random_records_match(
    [block_on("given_name", "family_name", "birth_date")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "family_name"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "birth_date"))
pred = linker.inference.predict(threshold_match_probability=0.5)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9)
clusters.as_duckdbpyrelation().select("unique_id, cluster_id").write_csv(out)
'''


def run_splink(path, tmp):
    script = os.path.join(tmp, "splink_run.py")
    open(script, "w").write(SPLINK)
    out = os.path.join(tmp, "splink-clusters.csv")
    seconds, peak, _ = timed([sys.executable, script, path, out])
    clusters = {r["unique_id"]: r["cluster_id"] for r in csv.DictReader(open(out, encoding="utf-8"))}
    return seconds, peak, clusters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-splink", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lists.csv")
        subprocess.run([ATHAR, "demo-lists", "--records", str(args.records), "--seed",
                        str(args.seed), "--out", path], check=True, capture_output=True)
        truth = {r["id"]: r["person"] for r in csv.DictReader(open(path, encoding="utf-8"))}
        people = len(set(truth.values()))
        athar_runs, splink_runs = [], []
        for _ in range(args.repeat):
            athar_runs.append(run_athar(path, tmp))
            if not args.skip_splink:
                splink_runs.append(run_splink(path, tmp))
        sa = statistics.median(r[0] for r in athar_runs)
        ma = max(r[1] for r in athar_runs)
        _, _, ca, comparisons = athar_runs[-1]
        pa = pair_scores(ca, truth)
        print(f"{args.records} records of {people} people (seed {args.seed}), "
              f"median of {args.repeat} run(s) each")
        print("athar seconds: " + ", ".join(f"{r[0]:.1f}" for r in athar_runs))
        print("| tool | seconds | peak MB | comparisons | precision | recall | F1 |")
        print("|---|---|---|---|---|---|---|")
        print(f"| athar | {sa:.1f} | {ma:.0f} | {comparisons:,} | {pa[0]:.4f} | {pa[1]:.4f} | **{pa[2]:.4f}** |")
        if splink_runs:
            ss = statistics.median(r[0] for r in splink_runs)
            ms = max(r[1] for r in splink_runs)
            ps = pair_scores(splink_runs[-1][2], truth)
            print("Splink seconds: " + ", ".join(f"{r[0]:.1f}" for r in splink_runs))
            print(f"| Splink | {ss:.1f} | {ms:.0f} | | {ps[0]:.4f} | {ps[1]:.4f} | {ps[2]:.4f} |")
            print(f"time ratio Splink/athar {ss / sa:.1f}x, memory ratio {ms / ma:.1f}x")


if __name__ == "__main__":
    main()
