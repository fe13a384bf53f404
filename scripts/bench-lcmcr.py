#!/usr/bin/env python3
"""Benchmark: Athar's latent-class sampler against R's LCMCR on the same table, same
settings, same machine, one run.

For each seed, R's `lcmCR` + `lcmCR_PostSampl` (timed inside R, and as a whole process) and
`athar estimate --method lcmcr` with each number of chains asked for (timed as a whole
process) estimate the population of a capture table; the script prints each run and a
summary: the mean over seeds of the posterior median and 95 % quantiles, how far the worst
seed's median is from R's mean of medians, how many Athar runs needed a second round of
sampling, and the time ratios. Settings are HRDAG's: K = 10, a = b = 0.25, burn-in 10,000,
1,000 draws thinned by 100.

Needs: R (Debian's r-base-core) with the LCMCR package (its source builds with
`R CMD INSTALL -l DIR .`, needing libgsl-dev; set LCMCR_LIB=DIR when it is not in R's
default library), and a release build of athar.

    python3 scripts/bench-lcmcr.py --table ../shared/data/mse/kosovo.csv --seeds 10
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

R_SCRIPT = r"""
lib <- Sys.getenv("LCMCR_LIB")
suppressMessages(library(LCMCR, lib.loc = if (nzchar(lib)) lib else NULL))
args <- commandArgs(TRUE)
tab <- read.csv(args[1], check.names = FALSE)
lists <- names(tab)[-ncol(tab)]
df <- data.frame(lapply(tab[lists], function(x) factor(x, levels = c(0, 1))))
df$Freq <- tab[[ncol(tab)]]
df <- df[df$Freq > 0, ]
t0 <- proc.time()
s <- lcmCR(df, tabular = TRUE, K = 10, a_alpha = 0.25, b_alpha = 0.25,
           seed = as.integer(args[2]), buffer_size = 10000, thinning = 100, verbose = FALSE)
N <- lcmCR_PostSampl(s, burnin = 10000, samples = 1000, thinning = 100, output = FALSE)
elapsed <- (proc.time() - t0)[["elapsed"]]
cat(sprintf("%.3f %.3f %.3f %.3f\n", median(N), quantile(N, 0.025), quantile(N, 0.975), elapsed))
"""


def run_r(table, seed):
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as f:
        f.write(R_SCRIPT)
        script = f.name
    start = time.perf_counter()
    out = subprocess.run(["Rscript", script, table, str(seed)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    os.unlink(script)
    if out.returncode != 0:
        sys.exit(f"R failed: {out.stderr}")
    median, low, high, inside = map(float, out.stdout.split())
    return {"median": median, "low": low, "high": high, "seconds": inside, "process": wall}


def run_athar(athar, table, seed, chains):
    start = time.perf_counter()
    out = subprocess.run(
        [athar, "estimate", "--table", table, "--method", "lcmcr", "--seed", str(seed),
         "--chains", str(chains), "--json"],
        capture_output=True, text=True,
    )
    wall = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"athar failed: {out.stderr}")
    result = json.loads(out.stdout)
    return {"median": result["estimate"], "low": result["interval"][0],
            "high": result["interval"][1], "seconds": wall, "process": wall,
            "r_hat": result["details"].get("r_hat"), "rounds": result["details"].get("rounds", 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--table", required=True)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--chains", default="1,4",
                        help="the numbers of chains to run athar with, comma-separated")
    parser.add_argument("--athar", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "athar"))
    args = parser.parse_args()
    chains = [int(c) for c in args.chains.split(",")]
    runs = {"R LCMCR": []}
    runs.update({f"athar, {c} chain{'s' if c > 1 else ''}": [] for c in chains})
    print("seed  who               median     2.5 %    97.5 %   seconds")
    for seed in range(1, args.seeds + 1):
        results = [("R LCMCR", run_r(args.table, seed))]
        results += [(f"athar, {c} chain{'s' if c > 1 else ''}",
                     run_athar(args.athar, args.table, seed, c)) for c in chains]
        for who, result in results:
            runs[who].append(result)
            print(f"{seed:>4}  {who:<16} {result['median']:>8.0f}  {result['low']:>8.0f}  "
                  f"{result['high']:>8.0f}  {result['seconds']:>8.2f}")
    print()
    print("mean over seeds   median     2.5 %    97.5 %   seconds   (sd of medians, worst seed)")
    r_time = statistics.mean(r["seconds"] for r in runs["R LCMCR"])
    r_median = statistics.mean(r["median"] for r in runs["R LCMCR"])
    for who, results in runs.items():
        medians = [r["median"] for r in results]
        seconds = statistics.mean(r["seconds"] for r in results)
        worst = max(abs(m / r_median - 1) for m in medians)
        print(f"{who:<16} {statistics.mean(medians):>8.0f}  "
              f"{statistics.mean(r['low'] for r in results):>8.0f}  "
              f"{statistics.mean(r['high'] for r in results):>8.0f}  {seconds:>8.2f}   "
              f"({statistics.stdev(medians) if len(medians) > 1 else 0:.0f}, "
              f"{100 * worst:.2f} % from R's mean)")
    for who, results in runs.items():
        if who == "R LCMCR":
            continue
        seconds = statistics.mean(r["seconds"] for r in results)
        median = statistics.mean(r["median"] for r in results)
        longer = sum(1 for r in results if r["rounds"] > 1)
        print(f"{who}: {r_time / seconds:.2f}x faster than R (R timed inside R, athar as a whole "
              f"process); mean median {100 * (median / r_median - 1):+.2f} % from R's; "
              f"{longer} of {len(results)} runs needed a second round")


if __name__ == "__main__":
    main()
