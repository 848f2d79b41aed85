# Q-profile confidence intervals of tau^2, tau, I^2 and H^2 (metafor's confint.rma.uni) for
# evsynth.meta.heterogeneity. Run from the repository root:
#   Rscript tests/reference/metafor/heterogeneity_ci.R
# Writes tests/reference/metafor/heterogeneity_ci.json (jsonlite, 15 significant digits).
suppressPackageStartupMessages({library(metafor); library(jsonlite)})
d <- "tests/reference/metafor/data"
CTRL <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
bcg <- escalc("RR", ai = ai, bi = bi, ci = ci, di = di, data = read.csv(file.path(d, "bcg.csv")))
nor <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
              data = read.csv(file.path(d, "normand.csv")))
rau <- read.csv(file.path(d, "raudenbush.csv"))
# a four-study single-group table (responders / patients); constructed for the test, not study data
prop <- escalc("PLO", xi = c(8, 17, 8, 18), ni = c(11, 29, 12, 34))
cases <- list()
add <- function(name, dat, method, mods = NULL) {
  r <- if (is.null(mods)) rma(yi, vi, data = dat, method = method, control = CTRL)
       else rma(yi, vi, mods = mods, data = dat, method = method, control = CTRL)
  ci <- confint(r, control = list(tol = 1e-12))$random
  cases[[length(cases) + 1]] <<- list(
    name = name, method = method, yi = as.numeric(dat$yi), vi = as.numeric(dat$vi),
    mods = if (is.null(mods)) NULL else as.numeric(model.matrix(mods, data = dat)[, -1]),
    tau2 = r$tau2, i2 = r$I2, h2 = r$H2, pi = if (is.null(mods)) { pr <- predict(r); c(pr$pi.lb, pr$pi.ub) } else NULL,
    tau2_ci = as.numeric(ci["tau^2", c("ci.lb", "ci.ub")]), tau_ci = as.numeric(ci["tau", c("ci.lb", "ci.ub")]),
    i2_ci = as.numeric(ci["I^2(%)", c("ci.lb", "ci.ub")]), h2_ci = as.numeric(ci["H^2", c("ci.lb", "ci.ub")]))
}
for (m in c("REML", "DL", "PM", "ML", "HE", "SJ")) add("bcg", bcg, m)
add("bcg_ablat", bcg, "REML", ~ ablat)
add("normand_smd", nor, "REML")
add("raudenbush", rau, "REML")
add("raudenbush", rau, "DL")
add("four_proportions", prop, "REML")
add("four_proportions", prop, "DL")
out <- list(r_version = R.version.string, metafor_version = as.character(packageVersion("metafor")),
            confint_control = "list(tol = 1e-12)", rma_control = CTRL, cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = 15, null = "null", na = "null", pretty = TRUE),
           "tests/reference/metafor/heterogeneity_ci.json")
