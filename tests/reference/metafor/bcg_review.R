# Reference values for the shipped BCG review (examples/bcg) from R metafor.
#
# Regenerate from the repository root (needs R >= 4 with metafor and jsonlite):
#   Rscript tests/reference/metafor/bcg_review.R
# Reads examples/bcg/extracted/outcomes.csv and studies.csv exactly as committed, checks that the
# counts, latitudes and allocations equal metadat's dat.bcg (the data set's documented source is
# Colditz et al. 1994), fits what examples/bcg/review.toml declares and writes
# tests/reference/metafor/bcg_review.json. metafor's default control is kept except a tight
# convergence threshold, as evsynth uses.

suppressMessages(library(metafor))
library(jsonlite)

CTRL <- list(threshold = 1e-12, maxiter = 10000)
out_o <- read.csv("examples/bcg/extracted/outcomes.csv", stringsAsFactors = FALSE)
st <- read.csv("examples/bcg/extracted/studies.csv", stringsAsFactors = FALSE)
t <- out_o[out_o$arm == "bcg", ]
c <- out_o[out_o$arm == "control", ]
stopifnot(identical(t$study_id, st$study_id), identical(c$study_id, st$study_id))
d <- data.frame(study = st$label, ai = t$events, n1i = t$total, ci = c$events, n2i = c$total,
                ablat = st$ablat, alloc = st$alloc, year = st$year)
# the committed data are dat.bcg
stopifnot(all(d$ai == dat.bcg$tpos), all(d$n1i - d$ai == dat.bcg$tneg), all(d$ci == dat.bcg$cpos),
          all(d$n2i - d$ci == dat.bcg$cneg), all(d$ablat == dat.bcg$ablat), all(d$alloc == dat.bcg$alloc),
          all(d$year == dat.bcg$year))

summ <- function(r, transf = exp) {
  p <- predict(r)
  list(estimate = as.numeric(r$b[1]), se = r$se[1], ci_low = r$ci.lb[1], ci_high = r$ci.ub[1],
       pi_low = p$pi.lb, pi_high = p$pi.ub, tau2 = r$tau2, i2 = r$I2, q = r$QE, q_p = r$QEp, k = r$k,
       natural = list(estimate = transf(as.numeric(r$b[1])), ci_low = transf(r$ci.lb[1]),
                      ci_high = transf(r$ci.ub[1]), pi_low = transf(p$pi.lb), pi_high = transf(p$pi.ub)))
}

rr <- escalc("RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, slab = study)
or <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, slab = study)
fits <- list()
fits$rr_REML <- summ(rma(yi, vi, data = rr, method = "REML", control = CTRL))
fits$rr_REML_knha <- summ(rma(yi, vi, data = rr, method = "REML", test = "knha", control = CTRL))
fits$rr_DL <- summ(rma(yi, vi, data = rr, method = "DL", control = CTRL))
fits$rr_PM <- summ(rma(yi, vi, data = rr, method = "PM", control = CTRL))  # metafor's default uniroot tol, as evsynth
fits$or_REML <- summ(rma(yi, vi, data = or, method = "REML", control = CTRL))

mr <- rma(yi, vi, mods = ~ ablat, data = rr, method = "REML", control = CTRL)
metareg <- list(k = mr$k, tau2 = mr$tau2, i2 = mr$I2, qm = mr$QM, qm_p = mr$QMp, r2 = mr$R2,
                coefficients = lapply(seq_along(mr$b), function(i) list(
                  name = rownames(mr$b)[i], estimate = mr$b[i], se = mr$se[i], ci_low = mr$ci.lb[i],
                  ci_high = mr$ci.ub[i], p = mr$pval[i])))

groups <- list()
for (g in sort(unique(d$alloc))) {
  groups[[g]] <- summ(rma(yi, vi, data = rr, subset = alloc == g, method = "REML", control = CTRL))
}
l1 <- leave1out(rma(yi, vi, data = rr, method = "REML", control = CTRL))

res <- list(
  r_version = R.version.string, metafor_version = as.character(packageVersion("metafor")),
  metadat_version = as.character(packageVersion("metadat")), control = CTRL,
  yi_rr = as.numeric(rr$yi), vi_rr = as.numeric(rr$vi), fits = fits, metaregression_ablat = metareg,
  subgroups_alloc = groups,
  leave1out = list(study = l1$slab, estimate = as.numeric(l1$estimate), ci_low = l1$ci.lb, ci_high = l1$ci.ub)
)
writeLines(toJSON(res, auto_unbox = TRUE, digits = 15, pretty = TRUE, na = "null"),
           "tests/reference/metafor/bcg_review.json")
cat("wrote tests/reference/metafor/bcg_review.json\n")
