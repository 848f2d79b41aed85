# Reference values for the optimal information size (GRADE imprecision) that evsynth computes in
# evsynth.appraisal.grade (ois_two_groups, ois_proportion) with the assumptions review.toml sets
# ([grade.ois], [analyses.ois]). Run from the repository root:
#   Rscript tests/reference/ois/ois.R
# Writes tests/reference/ois/ois.json (jsonlite, 15 significant digits) and sessionInfo.txt.
#
# Two groups: total patients of one two-arm trial (1:1) detecting a relative risk reduction rrr from
# the control risk p1: 2 * ceiling(power.prop.test(p1 = p1, p2 = p1 * (1 - rrr), sig.level = alpha,
# power = power)$n). One proportion p within +/- half_width with 1 - alpha confidence:
# ceiling(qnorm(1 - alpha / 2)^2 * p * (1 - p) / half_width^2).
suppressPackageStartupMessages({library(metafor); library(jsonlite)})
out_dir <- "tests/reference/ois"
ois_two <- function(p1, rrr, alpha, power)
  2 * ceiling(power.prop.test(p1 = p1, p2 = p1 * (1 - rrr), sig.level = alpha, power = power)$n)
ois_prop <- function(p, half_width, alpha) ceiling(qnorm(1 - alpha / 2)^2 * p * (1 - p) / half_width^2)

two <- list()
for (p1 in c(0.01, 0.05, 0.2, 0.5, 0.9)) for (rrr in c(0.1, 0.25, 0.5)) for (alpha in c(0.01, 0.05, 0.1))
  for (power in c(0.8, 0.9)) two[[length(two) + 1]] <- list(control_risk = p1, rrr = rrr, alpha = alpha,
                                                            power = power, ois = ois_two(p1, rrr, alpha, power))
prop <- list()
for (p in c(0.05, 0.3, 0.59)) for (hw in c(0.05, 0.1, 0.15)) for (alpha in c(0.01, 0.05, 0.1))
  prop[[length(prop) + 1]] <- list(proportion = p, half_width = hw, alpha = alpha, ois = ois_prop(p, hw, alpha))

# examples/bcg with the settings tests/test_ois_settings.py writes into a copy of its review.toml:
# [grade.ois] rrr = 0.2, alpha = 0.01, power = 0.9, half_width = 0.01; the "or" analysis overrides
# control_risk = 0.05 and rrr = 0.3; an added single-group analysis "bcg-arm" (PLO, REML, the BCG
# arm's tuberculosis cases) overrides half_width = 0.005.
bcg <- read.csv("tests/reference/metafor/data/bcg.csv")
risk <- sum(bcg$ci) / sum(bcg$ci + bcg$di)  # the pooled control risk: control events / control patients
pl <- rma(measure = "PLO", xi = ai, ni = ai + bi, data = bcg, method = "REML",
          control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000))
p <- transf.ilogit(as.numeric(pl$b))
bcg_cases <- list(
  rr = list(control_risk = risk, rrr = 0.2, alpha = 0.01, power = 0.9, ois = ois_two(risk, 0.2, 0.01, 0.9)),
  `rr-by-allocation` = list(control_risk = risk, rrr = 0.2, alpha = 0.01, power = 0.9,
                            ois = ois_two(risk, 0.2, 0.01, 0.9)),
  or = list(control_risk = 0.05, rrr = 0.3, alpha = 0.01, power = 0.9, ois = ois_two(0.05, 0.3, 0.01, 0.9)),
  `bcg-arm` = list(proportion = p, half_width = 0.005, alpha = 0.01, ois = ois_prop(p, 0.005, 0.01)))

res <- list(r_version = R.version.string, metafor_version = as.character(packageVersion("metafor")),
            two_groups = two, proportion = prop, bcg = bcg_cases)
writeLines(toJSON(res, auto_unbox = TRUE, digits = 15, pretty = TRUE), file.path(out_dir, "ois.json"))
writeLines(capture.output(sessionInfo()), file.path(out_dir, "sessionInfo.txt"))
