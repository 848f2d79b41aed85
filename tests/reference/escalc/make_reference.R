# Reference values for evsynth.effects, computed with R metafor's escalc() and transf.*().
#
# Run from the repository root:
#   Rscript tests/reference/escalc/make_reference.R
# Writes tests/reference/escalc/escalc_reference.json (cases: inputs, arguments,
# yi, vi) and tests/reference/escalc/sessionInfo.txt.
#
# The inputs are made-up test numbers (zero cells, small n, several rows), not
# study data. conv.fivenum() does not exist in metafor 3.8-1 (added in 4.0), so
# the "fivenum_*" cases are computed by this script's own transcription of the
# published formulas (Luo et al. 2018 mean; Wan et al. 2014 SD from range or
# IQR; Shi et al. 2020 SD from both; Shi et al. skewness test) -- an independent
# cross-check of the Python code, not a metafor check. Likewise the se/ci
# conversions use base R (qt, qnorm).

suppressMessages(library(metafor))
library(jsonlite)

out_dir <- "tests/reference/escalc"
cases <- list()

add_case <- function(name, measure, inputs, args = list(), res = NULL, yi = NULL, vi = NULL) {
  if (!is.null(res)) {
    yi <- as.numeric(res$yi)
    vi <- as.numeric(res$vi)
  }
  cases[[length(cases) + 1]] <<- list(name = name, measure = measure, inputs = inputs,
                                      args = args, yi = yi, vi = vi)
}

run_escalc <- function(name, measure, inputs, args = list()) {
  res <- suppressWarnings(do.call(escalc, c(list(measure = measure), inputs, args)))
  add_case(name, measure, inputs, args, res = res)
}

## --- binary: 2x2 tables, with zero cells and a double-zero study -------------------------
bin <- list(ai = c(8, 0, 3, 12, 0, 5, 2, 1),
            bi = c(4, 10, 9, 0, 15, 20, 10, 1),
            ci = c(3, 2, 0, 6, 0, 5, 2, 1),
            di = c(9, 8, 12, 6, 15, 20, 0, 2))
for (m in c("RR", "OR", "RD")) {
  run_escalc(paste0(m, "_default"), m, bin)
  run_escalc(paste0(m, "_to_all"), m, bin, list(to = "all"))
  run_escalc(paste0(m, "_to_if0all"), m, bin, list(to = "if0all"))
  run_escalc(paste0(m, "_add_quarter"), m, bin, list(add = 0.25))
  run_escalc(paste0(m, "_drop00"), m, bin, list(drop00 = TRUE))
}
run_escalc("RD_UB", "RD", bin, list(vtype = "UB"))
# group sizes instead of non-events
run_escalc("RR_n", "RR", list(ai = c(8, 6, 2, 2), n1i = c(12, 12, 12, 12),
                              ci = c(3, 2, 0, 2), n2i = c(12, 12, 12, 12)))

## --- two-group continuous, small n included ----------------------------------------------
cont <- list(m1i = c(45.2, 30, 5.1, 60, 2.5, 71),
             m2i = c(52.8, 41, 6.3, 58, 4.0, 70),
             sd1i = c(20.1, 15, 2.2, 25, 1.1, 12),
             sd2i = c(18.4, 17, 2.9, 22, 1.6, 30),
             n1i = c(12, 30, 8, 3, 2, 50),
             n2i = c(12, 25, 9, 4, 2, 45))
run_escalc("MD_LS", "MD", cont)
run_escalc("MD_HO", "MD", cont, list(vtype = "HO"))
run_escalc("SMD_LS", "SMD", cont)
run_escalc("SMD_UB", "SMD", cont, list(vtype = "UB"))
run_escalc("SMD_LS2", "SMD", cont, list(vtype = "LS2"))
run_escalc("ROM_LS", "ROM", cont)
run_escalc("ROM_HO", "ROM", cont, list(vtype = "HO"))

## --- paired / pre-post and crossover ----------------------------------------------------
pp <- list(m1i = c(70, 6.5, 55, 80, 40, 62),
           m2i = c(45, 4.0, 50, 79, 42, 30),
           sd1i = c(15, 1.8, 20, 10, 12, 18),
           sd2i = c(22, 2.5, 19, 11, 15, 25),
           ni = c(11, 29, 3, 2, 40, 18),
           ri = c(0.5, 0.2, 0.8, 0.0, -0.3, 0.9))
for (m in c("MC", "SMCC", "SMCR")) run_escalc(paste0(m, "_LS"), m, pp)
run_escalc("SMCC_LS2", "SMCC", pp, list(vtype = "LS2"))
run_escalc("SMCR_LS2", "SMCR", pp, list(vtype = "LS2"))
pp_r <- pp
for (r in c(0, 0.3, 0.5, 0.7, 0.9)) {
  pp_r$ri <- rep(r, length(pp$ni))
  run_escalc(sprintf("SMCC_ri_%0.1f", r), "SMCC", pp_r)
  run_escalc(sprintf("MC_ri_%0.1f", r), "MC", pp_r)
}

## --- single proportions ----------------------------------------------------------------
pr <- list(xi = c(8, 17, 8, 18, 13, 0, 1, 30, 2),
           ni = c(11, 29, 12, 34, 34, 10, 1, 30, 12))
for (m in c("PR", "PLO", "PAS", "PFT")) run_escalc(paste0(m, "_default"), m, pr)
run_escalc("PR_UB", "PR", pr, list(vtype = "UB"))
run_escalc("PLO_to_all", "PLO", pr, list(to = "all"))
run_escalc("PLO_to_if0all", "PLO", pr, list(to = "if0all"))
run_escalc("PFT_add_half", "PFT", pr, list(add = 0.5))
run_escalc("PR_mi", "PR", list(xi = c(3, 9), mi = c(7, 1)))

## --- +-Inf and NaN recoded to NA (escalc's last step), found by a randomised check ----------
zero <- list(ai = c(0, 8, 0, 5), bi = c(10, 0, 12, 5), ci = c(3, 0, 0, 5), di = c(9, 4, 12, 0))
run_escalc("RR_to_none", "RR", zero, list(to = "none"))
run_escalc("OR_add_0", "OR", zero, list(add = 0))
run_escalc("RD_UB_n1", "RD", list(ai = c(1, 3), n1i = c(1, 10), ci = c(0, 1), n2i = c(4, 1)), list(vtype = "UB", to = "none"))
run_escalc("PLO_add_0", "PLO", list(xi = c(0, 5, 7), ni = c(10, 5, 12)), list(add = 0))
run_escalc("PR_UB_n1", "PR", list(xi = c(1, 3), ni = c(1, 9)), list(vtype = "UB", to = "none"))
run_escalc("SMD_sd0", "SMD", list(m1i = c(5, 5, 6), m2i = c(4, 5, 5), sd1i = c(0, 0, 2), sd2i = c(0, 0, 2),
                                  n1i = c(10, 10, 10), n2i = c(10, 10, 10)))

## --- given values -----------------------------------------------------------------------
run_escalc("GEN_sei", "GEN", list(yi = c(0.1, -0.4, 1.2), sei = c(0.2, 0.35, 0.5)))
run_escalc("GEN_vi", "GEN", list(yi = c(0.1, -0.4, 1.2), vi = c(0.04, 0.1225, 0.25)))

## --- back-transformations ---------------------------------------------------------------
x <- c(-3, -0.5, 0, 0.3, 1.1, 2.7)
add_case("transf_ilogit", "transf", list(x = x), yi = transf.ilogit(x), vi = rep(NA_real_, length(x)))
xa <- c(-0.1, 0, 0.3, 0.785398, 1.2, 1.6)
add_case("transf_iarcsin", "transf", list(x = xa), yi = transf.iarcsin(xa), vi = rep(NA_real_, length(xa)))
pft <- escalc("PFT", xi = pr$xi, ni = pr$ni)
add_case("transf_ipft", "transf", list(x = as.numeric(pft$yi), ni = pr$ni),
         yi = transf.ipft(as.numeric(pft$yi), pr$ni), vi = rep(NA_real_, length(pr$ni)))
xh <- c(0, 0.05, 0.4, 0.8, 1.2, 1.55, 1.6)
add_case("transf_ipft_hm", "transf", list(x = xh, ni = pr$ni),
         yi = transf.ipft.hm(xh, targs = list(ni = pr$ni)), vi = rep(NA_real_, length(xh)))
pp2 <- c(0, 0.1, 0.5, 0.9, 1)
add_case("transf_pft", "transf", list(x = pp2, ni = c(10, 10, 20, 5, 5)),
         yi = transf.pft(pp2, c(10, 10, 20, 5, 5)), vi = rep(NA_real_, length(pp2)))

## --- conversions (own transcription of the published formulas; see header) --------------
fivenum <- function(min, q1, median, q3, max, n, test = TRUE) {
  k <- length(n)
  mean_out <- rep(NA_real_, k); sd_out <- rep(NA_real_, k)
  for (i in seq_len(k)) {
    if (is.na(n[i]) || n[i] < 5 || is.na(median[i])) next
    a <- min[i]; b <- max[i]; l <- q1[i]; u <- q3[i]; m <- median[i]; N <- n[i]
    xi <- 2 * qnorm((N - 0.375) / (N + 0.25))
    eta <- 2 * qnorm((0.75 * N - 0.125) / (N + 0.25))
    has_r <- !is.na(a) && !is.na(b); has_q <- !is.na(l) && !is.na(u)
    if (has_r && !has_q) {
      t <- abs((a + b - 2 * m) / (b - a)); crit <- 1 / log(N + 9) + 2.5 / (N + 1)
      w <- 4 / (4 + N^0.75)
      mu <- w * (a + b) / 2 + (1 - w) * m; s <- (b - a) / xi
    } else if (has_q && !has_r) {
      t <- abs((l + u - 2 * m) / (u - l)); crit <- 2.65 / sqrt(N) - 6 / N^2
      w <- 0.7 + 0.39 / N
      mu <- w * (l + u) / 2 + (1 - w) * m; s <- (u - l) / eta
    } else if (has_q && has_r) {
      t <- max(2.65 * log(0.6 * N) / sqrt(N) * abs((a + b - 2 * m) / (b - a)), abs((l + u - 2 * m) / (u - l)))
      crit <- 3 / sqrt(N) - 40 / N^3
      w1 <- 2.2 / (2.2 + N^0.75); w2 <- 0.7 - 0.72 / N^0.55
      mu <- w1 * (a + b) / 2 + w2 * (l + u) / 2 + (1 - w1 - w2) * m
      w <- 1 / (1 + 0.07 * N^0.6)
      s <- w * (b - a) / xi + (1 - w) * (u - l) / eta
    } else next
    if (test && t >= crit) next
    mean_out[i] <- mu; sd_out[i] <- s
  }
  list(mean = mean_out, sd = sd_out)
}
NAr <- NA_real_
f5 <- list(min = c(10, NAr, 10, 0, NAr, 5, 2, 20, 1),
           q1 = c(NAr, 30, 30, NAr, 20, 25, NAr, NAr, 2),
           median = c(45, 42, 42, 60, 25, 40, 3, 50, 3),
           q3 = c(NAr, 55, 55, NAr, 31, 52, NAr, NAr, 4),
           max = c(80, NAr, 80, 62, NAr, 90, 4, 81, 5),
           n = c(30, 25, 25, 40, 100, 12, 4, 300, 6))
for (tst in c(TRUE, FALSE)) {
  r <- fivenum(f5$min, f5$q1, f5$median, f5$q3, f5$max, f5$n, test = tst)
  add_case(paste0("fivenum_test_", tst), "fivenum", f5, list(test = tst), yi = r$mean, vi = r$sd)
}
ci <- list(lower = c(30, 4.2, 50, 1.1), upper = c(50, 6.1, 58, 2.9), n = c(12, 30, 100, 5))
add_case("ci_to_sd_t", "ci_to_sd", ci, list(dist = "t"),
         yi = sqrt(ci$n) * (ci$upper - ci$lower) / (2 * qt(0.975, ci$n - 1)), vi = rep(NA_real_, 4))
add_case("ci_to_sd_norm", "ci_to_sd", ci, list(dist = "norm"),
         yi = sqrt(ci$n) * (ci$upper - ci$lower) / (2 * qnorm(0.975)), vi = rep(NA_real_, 4))
add_case("ci_to_sd_t90", "ci_to_sd", ci, list(dist = "t", level = 90),
         yi = sqrt(ci$n) * (ci$upper - ci$lower) / (2 * qt(0.95, ci$n - 1)), vi = rep(NA_real_, 4))
add_case("se_to_sd", "se_to_sd", list(se = c(2, 0.5, 1.3), n = c(12, 30, 7)),
         yi = c(2, 0.5, 1.3) * sqrt(c(12, 30, 7)), vi = rep(NA_real_, 3))
wl <- c(0.8, 1.2, 0.3); wu <- c(2.5, 4.0, 0.9)
add_case("ci_to_vi_log", "ci_to_vi", list(lower = wl, upper = wu), list(log = TRUE),
         yi = (log(wl) + log(wu)) / 2, vi = ((log(wu) - log(wl)) / (2 * qnorm(0.975)))^2)

## --- write ----------------------------------------------------------------------------
meta <- list(metafor_version = as.character(packageVersion("metafor")),
             r_version = R.version.string,
             generated_by = "tests/reference/escalc/make_reference.R",
             cases = cases)
writeLines(toJSON(meta, auto_unbox = TRUE, digits = NA, na = "string", pretty = TRUE),
           file.path(out_dir, "escalc_reference.json"))
writeLines(capture.output(sessionInfo()), file.path(out_dir, "sessionInfo.txt"))
cat("wrote", length(cases), "cases\n")
