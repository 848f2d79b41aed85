# metafor's side of fuzz_meta.py (a dev tool, not run by the tests): escalc() + rma() on every
# case of DIR/manifest.json.
#   Rscript tests/reference/metafor/fuzz_meta.R DIR      -> DIR/r_results.json
# Each case is fitted twice: with control = list(threshold = 1e-12, maxiter = 10000) ("control")
# and with tol = 1e-12 added ("tight": uniroot for PM, the ll0 check of ML/REML).
# Empty cells and "NA" are missing values (read.csv na.strings = c("NA", "")).

suppressMessages(library(metafor))
library(jsonlite)

args <- commandArgs(trailingOnly = FALSE)
source(file.path(dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))), "common.R"))
dir <- commandArgs(trailingOnly = TRUE)[1]
man <- fromJSON(file.path(dir, "manifest.json"), simplifyVector = FALSE)
CONTROL <- list(threshold = 1e-12, maxiter = 10000)
TIGHT <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-12)

nn <- function(x) { x <- unname(as.numeric(x)); if (length(x) == 0) NULL else x }

summ <- function(r) {
  if (r$int.only) {
    pr <- predict(r)
  } else {
    pr <- predict(r, newmods = matrix(0, nrow = 1, ncol = r$p - 1))
  }
  pil <- if (is.null(pr$pi.lb)) pr$ci.lb else pr$pi.lb
  piu <- if (is.null(pr$pi.ub)) pr$ci.ub else pr$pi.ub
  list(k = r$k, p_params = r$p, estimate = nn(r$beta[1]), se = nn(r$se[1]), ci_low = nn(r$ci.lb[1]),
       ci_high = nn(r$ci.ub[1]), pi_low = nn(pil), pi_high = nn(piu), tau2 = nn(r$tau2), i2 = nn(r$I2),
       h2 = nn(r$H2), q = nn(r$QE), q_p = nn(r$QEp), stat = nn(r$zval[1]), p = nn(r$pval[1]),
       names = as.list(rownames(r$beta)), b = nn(r$beta), se_b = nn(r$se), qm = nn(r$QM), qm_p = nn(r$QMp),
       r2 = nn(r$R2), int_only = r$int.only)
}

results <- vector("list", length(man))
for (i in seq_along(man)) {
  cs <- man[[i]]
  dat <- read.csv(file.path(dir, cs$file), stringsAsFactors = FALSE, na.strings = c("NA", ""), strip.white = TRUE)
  es <- collect(escalc_cols(cs$measure, dat))
  out <- list(id = cs$id)
  warns <- es$warnings
  if (inherits(es$value, "err")) {
    out$control <- list(error = paste("escalc:", es$value$error))
    out$tight <- out$control
  } else {
    dat$yi <- as.numeric(es$value$yi)
    dat$vi <- as.numeric(es$value$vi)
    mods <- if (length(cs$mods)) as.formula(paste("~", paste(unlist(cs$mods), collapse = " + "))) else NULL
    test <- if (isTRUE(cs$knha)) "knha" else "z"
    for (which in c("control", "tight")) {
      ctrl <- if (which == "control") CONTROL else TIGHT
      f <- collect(if (is.null(mods)) rma(yi, vi, data = dat, method = cs$method, test = test, level = cs$level,
                                          control = ctrl)
                   else rma(yi, vi, mods = mods, data = dat, method = cs$method, test = test, level = cs$level,
                            control = ctrl))
      if (which == "control") warns <- c(warns, f$warnings)
      out[[which]] <- if (inherits(f$value, "err")) list(error = f$value$error) else summ(f$value)
    }
  }
  out$warnings <- as.list(unique(warns))
  results[[i]] <- out
}
writeLines(toJSON(results, auto_unbox = TRUE, digits = NA, null = "null", na = "null"),
           file.path(dir, "r_results.json"))
cat("R: ", length(results), " cases\n", sep = "")
