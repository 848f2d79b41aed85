# Reference values for evsynth.effects.comparisons on the shipped extraction (extracted/outcomes.csv):
# Noppers 2011 responders, S-ketamine vs midazolam, at 15 min, 180 min, week 1, week 8 (escalc RR,
# metafor's default add = 1/2 to = "only0"), and the single-group pool with Noppers' 180-min row in
# place of its 15-min row (rma PLO, REML). Run from the repository root:
#   Rscript tests/reference/metafor/controlled.R   -> tests/reference/metafor/controlled.json
suppressPackageStartupMessages({library(metafor); library(jsonlite)})
d <- escalc("RR", ai = c(8, 6, 2, 2), n1i = rep(12, 4), ci = c(3, 2, 0, 2), n2i = rep(12, 4))
s <- summary(d)
r <- rma(measure = "PLO", xi = c(8, 17, 6, 18), ni = c(11, 29, 12, 34), method = "REML",
         control = list(threshold = 1e-12))
p <- predict(r, transf = transf.ilogit)
out <- list(metafor_version = as.character(packageVersion("metafor")), r_version = R.version.string,
            rr = list(timepoint = c("15min", "180min", "1wk", "8wk"), yi = as.numeric(s$yi), vi = as.numeric(s$vi),
                      rr = exp(as.numeric(s$yi)), ci_low = exp(s$ci.lb), ci_high = exp(s$ci.ub)),
            later_timepoint = list(xi = c(8, 17, 6, 18), ni = c(11, 29, 12, 34), estimate = p$pred,
                                   ci_low = p$ci.lb, ci_high = p$ci.ub))
writeLines(toJSON(out, auto_unbox = TRUE, digits = 15, pretty = TRUE), "tests/reference/metafor/controlled.json")
