# Reference values for evsynth's metafor-style API habits: escalc() from a data frame and column
# names, predict(..., transf = ...), and the model table (tau^2, I^2, Q). Run from the repository root:
#   Rscript tests/reference/api/make_reference.R
# Writes tests/reference/api/reference.json and sessionInfo.txt beside this script.
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })

# Convergence tightened as in tests/reference/metafor (evsynth iterates to 1e-12 by default).
CTRL <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
dat <- read.csv("tests/reference/metafor/data/bcg.csv", stringsAsFactors = FALSE)
out <- list(r_version = R.version.string, metafor_version = as.character(packageVersion("metafor")), control = CTRL,
            data = "tests/reference/metafor/data/bcg.csv")

pred <- function(p) list(pred = as.numeric(p$pred), ci.lb = as.numeric(p$ci.lb), ci.ub = as.numeric(p$ci.ub),
                         pi.lb = as.numeric(p$pi.lb), pi.ub = as.numeric(p$pi.ub))
model <- function(r) list(tau2 = r$tau2, I2 = r$I2, H2 = r$H2, QE = r$QE, QEp = r$QEp, k = r$k,
                          b = as.numeric(r$b), se = as.numeric(r$se), ci.lb = as.numeric(r$ci.lb),
                          ci.ub = as.numeric(r$ci.ub), zval = as.numeric(r$zval), pval = as.numeric(r$pval))

cases <- list()
# RR and OR from the 2x2 columns, by name: escalc(measure, ai=ai, bi=bi, ci=ci, di=di, data=dat, slab=study)
for (m in c("RR", "OR")) {
  d <- escalc(m, ai = ai, bi = bi, ci = ci, di = di, data = dat, slab = study)
  for (method in c("REML", "DL")) {
    r <- rma(yi, vi, data = d, method = method, control = CTRL)
    cases[[paste(m, method, sep = "_")]] <- list(
      measure = m, method = method, slab = as.character(attr(d$yi, "slab")),
      yi = as.numeric(d$yi), vi = as.numeric(d$vi), model = model(r),
      predict = pred(predict(r)), predict_exp = pred(predict(r, transf = exp)))
  }
}
# PLO of the vaccinated arm (xi = ai, ni = ai + bi), back to proportions with transf.ilogit
dat$n1 <- dat$ai + dat$bi
d <- escalc("PLO", xi = ai, ni = n1, data = dat, slab = study)
r <- rma(yi, vi, data = d, control = CTRL)
cases[["PLO_REML"]] <- list(measure = "PLO", method = "REML", slab = as.character(attr(d$yi, "slab")),
                            yi = as.numeric(d$yi), vi = as.numeric(d$vi), model = model(r),
                            predict = pred(predict(r)), predict_ilogit = pred(predict(r, transf = transf.ilogit)))
# meta-regression on latitude: predictions at new latitudes, as risk ratios
d <- escalc("RR", ai = ai, bi = bi, ci = ci, di = di, data = dat, slab = study)
r <- rma(yi, vi, mods = ~ ablat, data = d, control = CTRL)
cases[["RR_REML_ablat"]] <- list(measure = "RR", method = "REML", newmods = c(10, 30, 50),
                                 predict_exp = pred(predict(r, newmods = c(10, 30, 50), transf = exp)))
out$cases <- cases
write_json(out, "tests/reference/api/reference.json", digits = 15, auto_unbox = TRUE, pretty = TRUE)
writeLines(capture.output(sessionInfo()), "tests/reference/api/sessionInfo.txt")
