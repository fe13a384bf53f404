# Prints Rcapture's closed-population results for a capture table, in the form
# crates/athar-stats/tests/closed_models.rs holds them: for each model, the Poisson abundance,
# its standard error, deviance, df, AIC, BIC, and closedpCI.t's multinomial estimate and
# profile-likelihood bounds.
#
#   Rscript scripts/rcapture-closed.R table.csv
#
# The table is Athar's capture-table CSV (one 0/1 column per list, a last column of counts).
# Needs R and the Rcapture package (install.packages("Rcapture"), or R CMD INSTALL from its
# source). R's glm is asked to converge as far as Athar's does (relative deviance change
# below 1e-14 rather than 1e-8): at R's default the standard errors, taken from the last
# iteration's weights, are off by up to 1e-5 relative.
suppressMessages(library(Rcapture))
X <- as.matrix(read.csv(commandArgs(TRUE)[1]))
# Every glm call, including those Rcapture makes without passing options on.
tight <- stats::glm.control
formals(tight)$epsilon <- 1e-14
formals(tight)$maxit <- 200
assignInNamespace("glm.control", tight, "stats")
cp <- closedp.t(X, dfreq = TRUE)
models <- list(
  m0 = list("M0", NULL), mt = list("Mt", NULL),
  "mh-chao" = list("Mh", "Chao"), "mh-poisson" = list("Mh", "Poisson"),
  "mh-darroch" = list("Mh", "Darroch"), "mh-gamma" = list("Mh", "Gamma"),
  "mth-chao" = list("Mth", "Chao"), "mth-poisson" = list("Mth", "Poisson"),
  "mth-darroch" = list("Mth", "Darroch"), "mth-gamma" = list("Mth", "Gamma"))
for (i in seq_along(models)) {
  name <- names(models)[i]
  if (ncol(X) - 1 < 3 && i > 2) next
  m <- models[[i]][[1]]; h <- models[[i]][[2]]
  row <- cp$results[i, ]
  ci <- if (is.null(h)) closedpCI.t(X, dfreq = TRUE, m = m) else
    closedpCI.t(X, dfreq = TRUE, m = m, h = h)
  sup <- ci$CI[1, "supCL"]
  cat(sprintf('    ("%s", [%.10f, %.10f, %.10f, %d.0, %.10f, %.10f], [%.6f, %.6f, %s]),\n',
    name, row["abundance"], row["stderr"], row["deviance"], as.integer(row["df"]),
    row["AIC"], row["BIC"], ci$CI[1, "abundance"], ci$CI[1, "infCL"],
    if (ci$CI[1, "infoCI"] == 6) "f64::NAN" else sprintf("%.6f", sup)))
}
