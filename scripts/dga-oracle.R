# R's dga (Madigan and York's model averaging over decomposable graphs) on a capture table,
# printed as crates/athar-stats/tests/dga_oracles.rs holds it: the posterior mean, median,
# mode and 2.5 % / 97.5 % quantiles of N, and the most probable graph's posterior weight.
#
#   Rscript scripts/dga-oracle.R TABLE.csv MAX_MISSING [DELTA]
#
# The table is Athar's capture-table CSV (3 to 5 lists); the people on no list range over
# 0 … MAX_MISSING; DELTA defaults to 2^-t, the package's suggestion; the prior on N is the
# package's default, 1/N.
suppressMessages(library(dga))
args <- commandArgs(TRUE)
tab <- read.csv(args[1], check.names = FALSE)
t <- ncol(tab) - 1
delta <- if (length(args) >= 3) as.numeric(args[3]) else 2^-t
Y <- array(0, dim = rep(2, t))
for (r in seq_len(nrow(tab))) {
  Y[1 + sum(as.numeric(tab[r, 1:t]) * 2^(0:(t - 1)))] <- tab[r, t + 1]
}
Nmissing <- 0:as.integer(args[2])
N <- Nmissing + sum(Y)
graphs <- get(data(list = paste0("graphs", t)))
w <- bma.cr(Y, Nmissing, delta, graphs)
postN <- colSums(w)
cdf <- cumsum(postN)
q <- function(p) N[which(cdf >= p - 1e-12)[1]]
models <- rowSums(w)
top <- which.max(models)
cliques <- paste0("[", sapply(graphs[[top]]$C, function(c) paste(names(tab)[c], collapse = ",")), "]", collapse = "")
cat(sprintf("mean %.6f median %d mode %d q025 %d q975 %d top %.10f %s tail %.3e\n",
    sum(N * postN), q(0.5), N[which.max(postN)], q(0.025), q(0.975), models[top], cliques,
    postN[length(postN)] / max(postN)))
