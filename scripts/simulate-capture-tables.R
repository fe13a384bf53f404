# Writes the simulated capture tables of crates/athar-stats/tests/data (see the README
# there): populations whose people differ in how likely they are to be listed, as the
# latent-class model assumes, each drawn with a fixed seed.
#
#   Rscript scripts/simulate-capture-tables.R OUTPUT_DIRECTORY
out <- commandArgs(TRUE)[1]

write_table <- function(caught, file) {
  t <- ncol(caught)
  obs <- caught[rowSums(caught) > 0, , drop = FALSE]
  tab <- table(apply(obs, 1, paste, collapse = ","))
  lines <- c(paste0(paste(paste0("L", 1:t), collapse = ","), ",count"),
             paste0(names(tab), ",", as.vector(tab)))
  writeLines(lines, file.path(out, file))
}

# Three groups: most people hard to reach, a fifth reachable, a few very visible.
set.seed(7)
N <- 20000; t <- 6
g <- sample(1:3, N, replace = TRUE, prob = c(0.75, 0.2, 0.05))
p <- rbind(c(0.02, 0.03, 0.01, 0.04, 0.02, 0.01),
           c(0.15, 0.10, 0.20, 0.08, 0.12, 0.05),
           c(0.50, 0.40, 0.60, 0.30, 0.45, 0.35))
write_table(t(sapply(1:N, function(i) rbinom(t, 1, p[g[i], ]))), "six_lists_three_groups.csv")

# A hidden majority: 85 % of 30,000 people on each list with probability 0.5–2 %.
set.seed(11)
N <- 30000
g <- sample(1:3, N, replace = TRUE, prob = c(0.85, 0.12, 0.03))
p <- rbind(c(0.010, 0.015, 0.005, 0.02, 0.01, 0.005),
           c(0.10, 0.05, 0.15, 0.04, 0.08, 0.03),
           c(0.50, 0.40, 0.60, 0.30, 0.45, 0.35))
write_table(matrix(rbinom(N * t, 1, p[g, ]), N, t), "six_lists_hidden_majority.csv")

# Eight lists over 3,000 people: most of the 255 capture patterns empty.
set.seed(1)
N <- 3000; t <- 8
g <- sample(1:2, N, replace = TRUE, prob = c(0.9, 0.1))
p <- rbind(runif(t, 0.005, 0.04), runif(t, 0.2, 0.6))
write_table(matrix(rbinom(N * t, 1, p[g, ]), N, t), "eight_lists_sparse.csv")

# Lists by region: three groups each seen by two lists only, and a hidden majority.
set.seed(1)
N <- 20000; t <- 6; G <- 4
g <- sample(1:G, N, replace = TRUE, prob = c(0.7, 0.15, 0.1, 0.05))
p <- matrix(0.003, G, t)
p[1, ] <- c(0.01, 0.005, 0.02, 0.002, 0.01, 0.004)
p[2, 1:2] <- c(0.3, 0.25)
p[3, 3:4] <- c(0.4, 0.2)
p[4, 5:6] <- c(0.5, 0.6)
write_table(matrix(rbinom(N * t, 1, p[g, ]), N, t), "six_lists_by_region.csv")
