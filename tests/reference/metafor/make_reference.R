# Reference values for evsynth.meta from R metafor 3.8-1.
#
# Regenerate (from the repository root; needs R >= 4 with metafor 3.8-1 and jsonlite):
#   Rscript tests/reference/metafor/make_reference.R
# Writes tests/reference/metafor/reference.json and the input tables in
# tests/reference/metafor/data/*.csv (raw columns with metafor's escalc names).
#
# Convergence is tightened (threshold, tol, maxiter) so the comparison tests evsynth,
# not metafor's default tolerances.

suppressMessages(library(metafor))
library(jsonlite)

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "common.R"))
dir.create(file.path(here, "data"), showWarnings = FALSE)

CTRL <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
CI_CTRL <- list(tol = 1e-12, maxiter = 10000)
METHODS <- c("FE", "DL", "REML", "PM", "ML", "HE", "SJ", "EB", "HS")

num <- function(x) if (is.null(x)) NULL else unname(as.numeric(x))

# ---------------------------------------------------------------- data sets
datasets <- list()
raw <- list()

bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
datasets$bcg <- list(measure = "RR", yi = num(bcg$yi), vi = num(bcg$vi),
                     labels = paste(dat.bcg$author, dat.bcg$year),
                     mods = list(ablat = num(dat.bcg$ablat), year = num(dat.bcg$year)),
                     groups = list(alloc = as.character(dat.bcg$alloc)))
raw$bcg <- data.frame(study = paste(dat.bcg$author, dat.bcg$year), ai = dat.bcg$tpos, bi = dat.bcg$tneg,
                      ci = dat.bcg$cpos, di = dat.bcg$cneg, ablat = dat.bcg$ablat, year = dat.bcg$year,
                      alloc = dat.bcg$alloc)

bcgrd <- escalc("RD", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
datasets$bcg_rd <- list(measure = "RD", yi = num(bcgrd$yi), vi = num(bcgrd$vi),
                        labels = paste(dat.bcg$author, dat.bcg$year))
bcgor <- escalc("OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
datasets$bcg_or <- list(measure = "OR", yi = num(bcgor$yi), vi = num(bcgor$vi),
                        labels = paste(dat.bcg$author, dat.bcg$year))

nor <- dat.normand1999
md <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor)
smd <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor)
datasets$normand_md <- list(measure = "MD", yi = num(md$yi), vi = num(md$vi), labels = nor$source)
datasets$normand_smd <- list(measure = "SMD", yi = num(smd$yi), vi = num(smd$vi), labels = nor$source)
raw$normand <- data.frame(study = nor$source, m1i = nor$m1i, sd1i = nor$sd1i, n1i = nor$n1i,
                          m2i = nor$m2i, sd2i = nor$sd2i, n2i = nor$n2i)

rau <- dat.raudenbush1985
datasets$raudenbush <- list(measure = "GEN", yi = num(rau$yi), vi = num(rau$vi),
                            labels = paste(rau$author, rau$year),
                            mods = list(weeks = num(rau$weeks)))
raw$raudenbush <- data.frame(study = paste(rau$author, rau$year), yi = rau$yi, vi = rau$vi, weeks = rau$weeks)

hk <- dat.hackshaw1998
datasets$hackshaw <- list(measure = "OR", yi = num(hk$yi), vi = num(hk$vi), labels = paste(hk$author, hk$year))
raw$hackshaw1998 <- data.frame(study = paste(hk$author, hk$year), yi = hk$yi, vi = hk$vi, year = hk$year)

li <- dat.li2007
lior <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = li)
datasets$li_or <- list(measure = "OR", yi = num(lior$yi), vi = num(lior$vi), labels = li$study)
raw$li2007 <- data.frame(study = li$study, ai = li$ai, bi = li$n1i - li$ai, ci = li$ci, di = li$n2i - li$ci,
                         year = li$year)

pr <- dat.pritz1997
for (m in c("PLO", "PR", "PFT")) {
  e <- escalc(m, xi = xi, ni = ni, data = pr)
  datasets[[paste0("pritz_", tolower(m))]] <- list(measure = m, yi = num(e$yi), vi = num(e$vi), labels = pr$authors)
}
raw$pritz1997 <- data.frame(study = pr$authors, xi = pr$xi, ni = pr$ni)

# edge cases: k = 2 (first two BCG trials), k = 1 (first BCG trial), identical effects (BCG
# variances of the first five trials with every yi set to the first trial's yi)
datasets$bcg_k2 <- list(measure = "RR", yi = num(bcg$yi[1:2]), vi = num(bcg$vi[1:2]), labels = datasets$bcg$labels[1:2])
datasets$bcg_k1 <- list(measure = "RR", yi = num(bcg$yi[1]), vi = num(bcg$vi[1]), labels = datasets$bcg$labels[1])
datasets$identical <- list(measure = "GEN", yi = rep(num(bcg$yi[1]), 5), vi = num(bcg$vi[1:5]),
                           labels = datasets$bcg$labels[1:5])

for (n in names(raw)) write.csv(raw[[n]], file.path(here, "data", paste0(n, ".csv")), row.names = FALSE)

# ---------------------------------------------------------------- helpers
summarise_fit <- function(r) {
  out <- list(k = r$k, p = r$p, b = num(r$beta), se = num(r$se), zval = num(r$zval), pval = num(r$pval),
              ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub), tau2 = num(r$tau2), se_tau2 = num(r$se.tau2),
              I2 = num(r$I2), H2 = num(r$H2), QE = num(r$QE), QEp = num(r$QEp), QM = num(r$QM),
              QMp = num(r$QMp), R2 = num(r$R2), s2w = num(r$s2w), names = rownames(r$beta),
              weights = num(weights(r)))
  if (r$int.only) {
    pr <- predict(r)
    out$pred <- list(pred = num(pr$pred), se = num(pr$se), ci_lb = num(pr$ci.lb), ci_ub = num(pr$ci.ub),
                     pi_lb = num(if (is.null(pr$pi.lb)) pr$ci.lb else pr$pi.lb),
                     pi_ub = num(if (is.null(pr$pi.ub)) pr$ci.ub else pr$pi.ub))
  } else {
    Xm <- r$X[, -1, drop = FALSE]
    newmods <- rbind(colMeans(Xm), apply(Xm, 2, min), apply(Xm, 2, max))
    pr <- predict(r, newmods = newmods)
    out$pred <- list(newmods = unname(newmods), pred = num(pr$pred), se = num(pr$se), ci_lb = num(pr$ci.lb),
                     ci_ub = num(pr$ci.ub), pi_lb = num(pr$pi.lb), pi_ub = num(pr$pi.ub))
  }
  if (!(r$method %in% c("FE", "EE", "CE")) && r$k > r$p) {
    ci <- collect(confint(r, control = CI_CTRL))
    if (!inherits(ci$value, "err")) {
      out$tau2_ci <- num(ci$value$random["tau^2", c("ci.lb", "ci.ub")])
    }
  }
  out
}

fit_one <- function(d, method, knha, mods) {
  X <- if (length(mods)) do.call(cbind, d$mods[mods]) else NULL
  if (!is.null(X)) colnames(X) <- mods
  res <- collect(if (is.null(X)) rma(d$yi, d$vi, method = method, test = if (knha) "knha" else "z", control = CTRL)
                 else rma(d$yi, d$vi, mods = X, method = method, test = if (knha) "knha" else "z", control = CTRL))
  out <- list(method = method, knha = knha, mods = as.list(mods), warnings = as.list(res$warnings))
  if (inherits(res$value, "err")) {
    out$error <- res$value$error
  } else {
    out$result <- summarise_fit(res$value)
  }
  out
}

# ---------------------------------------------------------------- fits
fits <- list()
for (dn in names(datasets)) {
  d <- datasets[[dn]]
  modsets <- list(character(0))
  if (dn == "bcg") modsets <- list(character(0), "ablat", c("ablat", "year"))
  if (dn == "raudenbush") modsets <- list(character(0), "weeks")
  for (ms in modsets) for (method in METHODS) for (knha in c(FALSE, TRUE)) {
    f <- fit_one(d, method, knha, ms)
    f$dataset <- dn
    fits[[length(fits) + 1]] <- f
  }
}

# ---------------------------------------------------------------- sensitivity analyses
sens <- list()
for (dn in c("bcg", "normand_smd", "li_or")) for (method in c("REML", "DL", "PM", "FE")) for (knha in c(FALSE, TRUE)) {
  d <- datasets[[dn]]
  r <- rma(d$yi, d$vi, method = method, test = if (knha) "knha" else "z", control = CTRL)
  l1 <- leave1out(r)
  inf <- influence(r)
  # metafor 3.8-1's cumul() sorts by the 'order' variable; 'order' recorded below is the
  # resulting 1-based order in which studies are added
  sortvar <- if (dn == "bcg") d$mods$year else rev(seq_along(d$yi))
  ord <- order(sortvar)
  cu <- cumul(r, order = sortvar)
  eg <- regtest(r)
  eglm <- regtest(r, model = "lm")
  rs <- rstudent(r)
  sens[[length(sens) + 1]] <- list(
    dataset = dn, method = method, knha = knha,
    leave1out = list(estimate = num(l1$estimate), se = num(l1$se), zval = num(if (is.null(l1$zval)) l1$tval else l1$zval), pval = num(l1$pval),
                     ci_lb = num(l1$ci.lb), ci_ub = num(l1$ci.ub), Q = num(l1$Q), Qp = num(l1$Qp),
                     tau2 = num(l1$tau2), I2 = num(l1$I2), H2 = num(l1$H2)),
    influence = list(rstudent = num(inf$inf$rstudent), dffits = num(inf$inf$dffits), cook_d = num(inf$inf$cook.d),
                     cov_r = num(inf$inf$cov.r), tau2_del = num(inf$inf$tau2.del), QE_del = num(inf$inf$QE.del),
                     hat = num(inf$inf$hat), weight = num(inf$inf$weight), dfbetas = num(inf$dfbs$intrcpt),
                     rstudent_resid = num(rs$resid), rstudent_se = num(rs$se)),
    cumul = list(order = ord, estimate = num(cu$estimate), se = num(cu$se), zval = num(if (is.null(cu$zval)) cu$tval else cu$zval), pval = num(cu$pval),
                 ci_lb = num(cu$ci.lb), ci_ub = num(cu$ci.ub), Q = num(cu$Q), Qp = num(cu$Qp), tau2 = num(cu$tau2),
                 I2 = num(cu$I2), H2 = num(cu$H2)),
    regtest = list(zval = num(eg$zval), pval = num(eg$pval), dfs = num(eg$dfs), est = num(eg$est),
                   ci_lb = num(eg$ci.lb), ci_ub = num(eg$ci.ub)),
    regtest_lm = list(zval = num(eglm$zval), pval = num(eglm$pval), dfs = num(eglm$dfs), est = num(eglm$est),
                      ci_lb = num(eglm$ci.lb), ci_ub = num(eglm$ci.ub)))
}

# influence diagnostics of meta-regressions (BCG ~ ablat, ~ ablat + year)
infl_mods <- list()
for (ms in list("ablat", c("ablat", "year"))) for (method in c("REML", "DL")) for (knha in c(FALSE, TRUE)) {
  d <- datasets$bcg
  X <- do.call(cbind, d$mods[ms])
  r <- rma(d$yi, d$vi, mods = X, method = method, test = if (knha) "knha" else "z", control = CTRL)
  inf <- influence(r)
  infl_mods[[length(infl_mods) + 1]] <- list(
    mods = as.list(ms), method = method, knha = knha,
    rstudent = num(inf$inf$rstudent), dffits = num(inf$inf$dffits), cook_d = num(inf$inf$cook.d),
    cov_r = num(inf$inf$cov.r), tau2_del = num(inf$inf$tau2.del), QE_del = num(inf$inf$QE.del),
    hat = num(inf$inf$hat), weight = num(inf$inf$weight), dfbetas = unname(as.matrix(as.data.frame(inf$dfbs))))
}

# ---------------------------------------------------------------- subgroups (BCG by allocation)
subgroups <- list()
d <- datasets$bcg
g <- d$groups$alloc
for (method in c("REML", "DL", "FE")) for (knha in c(FALSE, TRUE)) {
  test <- if (knha) "knha" else "z"
  lv <- sort(unique(g))
  per <- lapply(lv, function(l) rma(d$yi[g == l], d$vi[g == l], method = method, test = test, control = CTRL))
  names(per) <- lv
  est <- sapply(per, function(r) c(r$beta)); se <- sapply(per, function(r) r$se)
  qb <- rma(est, sei = se, method = "FE", control = CTRL)
  mod <- rma(d$yi, d$vi, mods = ~ factor(g), method = method, test = test, control = CTRL)
  subgroups[[length(subgroups) + 1]] <- list(
    method = method, knha = knha, levels = as.list(lv),
    groups = lapply(per, function(r) list(k = r$k, b = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb),
                                          ci_ub = num(r$ci.ub), tau2 = num(r$tau2), I2 = num(r$I2), QE = num(r$QE))),
    q_between = num(qb$QE), df_between = length(lv) - 1, p_between = num(qb$QEp),
    qm_factor = num(mod$QM), qmp_factor = num(mod$QMp))
}

# ---------------------------------------------------------------- exact permutation tests, exact GOSH
perms <- list()
for (cs in list(list(dn = "normand_smd", mods = character(0)), list(dn = "bcg_k2", mods = character(0)))) {
  d <- datasets[[cs$dn]]
  for (method in c("REML", "DL")) {
    r <- rma(d$yi, d$vi, method = method, control = CTRL)
    pt <- permutest(r, iter = 100000, exact = TRUE)
    perms[[length(perms) + 1]] <- list(dataset = cs$dn, method = method, pval = num(pt$pval), QMp = num(pt$QMp),
                                       zval_perm = num(as.matrix(pt$zval.perm)), iterations = NROW(pt$zval.perm))
  }
}
# moderators: the first 7 BCG trials ~ ablat (7! = 5040 permutations, exact)
d7 <- list(yi = datasets$bcg$yi[1:7], vi = datasets$bcg$vi[1:7], ablat = datasets$bcg$mods$ablat[1:7])
for (method in c("REML", "DL")) {
  r <- rma(d7$yi, d7$vi, mods = d7$ablat, method = method, control = CTRL)
  pt <- permutest(r, iter = 100000, exact = TRUE)
  perms[[length(perms) + 1]] <- list(dataset = "bcg_first7_ablat", method = method, pval = num(pt$pval),
                                     QMp = num(pt$QMp), iterations = NROW(pt$zval.perm))
}

goshs <- list()
for (method in c("FE", "DL", "REML")) {
  d <- datasets$normand_smd
  r <- rma(d$yi, d$vi, method = method, control = CTRL)
  gs <- gosh(r, progbar = FALSE)
  goshs[[length(goshs) + 1]] <- list(dataset = "normand_smd", method = method,
                                     incl = unname(lapply(seq_len(nrow(gs$incl)), function(i) which(gs$incl[i, ]))),
                                     k = num(gs$res$k), QE = num(gs$res$QE), I2 = num(gs$res$I2), H2 = num(gs$res$H2),
                                     tau2 = num(gs$res$tau2), estimate = num(gs$res$estimate))
}

# ---------------------------------------------------------------- CSV tables as `evsynth meta` reads them
# read.csv (empty cells and NA are missing) + escalc + rma with the command's control: evsynth's
# threshold and maxiter, metafor's default tol (uniroot for PM, the ll0 check of ML/REML).
# Edge tables (constructed, not study data) are written to data/edge_*.csv.
CLI_CTRL <- list(threshold = 1e-12, maxiter = 10000)
edge <- list()
edge$edge_missing <- data.frame(  # GEN, missing outcome and moderator values; level "aa" only in a dropped row
  study = paste0("E", 1:9), yi = c(0.12, NA, -0.35, 0.48, 0.91, 0.05, 0.77, -0.2, 0.4),
  vi = c(0.04, 0.05, 0.09, NA, 0.03, 0.06, 0.08, 0.05, 0.02), x = c(1.2, 0.4, NA, 2.5, 3.1, 0.8, 1.9, 2.2, 2.8),
  grp = c("b", "aa", "c", "b", "c", "b", NA, "c", "b"))
edge$edge_levels <- data.frame(  # GEN, text levels in R's (ICU) order alt < Other < rand < syst, logical flag
  study = paste0("L", 1:10), yi = c(0.1, 0.62, -0.3, 0.85, 0.44, 1.2, 0.05, 0.7, 0.33, -0.12),
  vi = c(0.05, 0.04, 0.07, 0.03, 0.06, 0.05, 0.09, 0.02, 0.04, 0.08),
  grp = c("alt", "Other", "rand", "syst", "Other", "syst", "alt", "rand", "Other", "alt"),
  flag = c(TRUE, FALSE, TRUE, TRUE, FALSE, FALSE, TRUE, FALSE, TRUE, FALSE),
  x = c(0.5, 1.5, -0.2, 2.2, 1.1, 2.8, 0.1, 1.9, 0.9, -0.5))
edge$edge_redundant <- data.frame(  # GEN, a collinear and a constant moderator
  study = paste0("R", 1:8), yi = c(0.2, 0.5, 0.1, 0.9, 0.7, 0.3, 1.1, 0.6),
  vi = c(0.04, 0.06, 0.05, 0.03, 0.07, 0.05, 0.04, 0.06), x = c(1, 2, 0.5, 3.5, 2.5, 1.5, 4, 3),
  x2 = c(3, 5, 2, 8, 6, 4, 9, 7), const = 3)
edge$edge_smd <- data.frame(  # SMD with small groups; S1 (n1i = n2i = 1) has no Hedges correction: NA
  study = paste0("S", 1:6), m1i = c(10, 12.5, 8, 15, 11, 9.5), sd1i = c(2, 3, 2.5, 4, 3.5, 2),
  n1i = c(1, 2, 2, 3, 5, 20), m2i = c(9, 10, 9.5, 11, 10, 8), sd2i = c(2.5, 2.5, 3, 3.5, 3, 2.2),
  n2i = c(1, 2, 3, 3, 4, 25))
edge$edge_binary <- data.frame(  # 2x2 tables with zero cells, double zeros and all events
  study = paste0("B", 1:8), ai = c(0, 0, 12, 5, 20, 3, 0, 8), bi = c(25, 30, 0, 45, 80, 17, 12, 32),
  ci = c(4, 0, 10, 0, 25, 6, 0, 15), di = c(21, 28, 0, 50, 75, 14, 10, 25))
edge$edge_prop <- data.frame(  # proportions with xi = 0, xi = ni and tiny ni
  study = paste0("P", 1:7), xi = c(0, 5, 12, 1, 0, 30, 2), ni = c(10, 5, 40, 1, 2, 60, 9))
edge$edge_k1 <- data.frame(study = "K1", yi = 0.42, vi = 0.05)
edge$edge_k2 <- data.frame(study = c("K1", "K2"), yi = c(0.42, -0.1), vi = c(0.05, 0.08))
edge$edge_identical <- data.frame(study = paste0("I", 1:5), yi = rep(0.3, 5), vi = c(0.02, 0.05, 0.04, 0.08, 0.03))
edge$edge_kp <- data.frame(  # FE with as many coefficients as studies (knha on 0 df)
  study = paste0("Q", 1:3), yi = c(0.1, 0.5, 0.2), vi = c(0.04, 0.05, 0.06), x1 = c(1, 2, 4), x2 = c(0.5, 0.1, 0.9))
for (n in names(edge)) write.csv(edge[[n]], file.path(here, "data", paste0(n, ".csv")), row.names = FALSE, na = "")
# edge_missing: write "NA" (not an empty cell) in two places
em <- readLines(file.path(here, "data", "edge_missing.csv"))
em[5] <- sub(",,", ",NA,", em[5]); em[4] <- sub(",,", ",NA,", em[4])
writeLines(em, file.path(here, "data", "edge_missing.csv"))

ALL <- c("DL", "REML", "PM", "ML", "HE", "SJ", "EB", "HS", "FE")
csv_specs <- list(
  list(file = "bcg.csv", measure = "RR", methods = ALL, mods = list(character(0), "ablat", c("ablat", "year"), "alloc")),
  list(file = "bcg.csv", measure = "RD", methods = ALL, mods = list(character(0))),
  list(file = "bcg.csv", measure = "OR", methods = ALL, mods = list(character(0))),
  list(file = "normand.csv", measure = "MD", methods = ALL, mods = list(character(0))),
  list(file = "normand.csv", measure = "SMD", methods = ALL, mods = list(character(0))),
  list(file = "li2007.csv", measure = "OR", methods = ALL, mods = list(character(0))),
  list(file = "pritz1997.csv", measure = "PLO", methods = ALL, mods = list(character(0))),
  list(file = "pritz1997.csv", measure = "PR", methods = ALL, mods = list(character(0))),
  list(file = "pritz1997.csv", measure = "PFT", methods = ALL, mods = list(character(0))),
  list(file = "raudenbush.csv", measure = "GEN", methods = ALL, mods = list(character(0), "weeks")),
  list(file = "edge_missing.csv", measure = "GEN", methods = c("REML", "DL", "PM", "EB", "FE"),
       mods = list(character(0), "x", "grp", c("x", "grp"))),
  list(file = "edge_levels.csv", measure = "GEN", methods = c("REML", "ML", "DL", "PM", "FE"),
       mods = list("grp", "flag", c("grp", "x"))),
  list(file = "edge_redundant.csv", measure = "GEN", methods = c("REML", "DL", "FE"),
       mods = list(c("x", "x2"), "const", c("x", "const"))),
  list(file = "edge_smd.csv", measure = "SMD", methods = ALL, mods = list(character(0))),
  list(file = "edge_binary.csv", measure = "RR", methods = c("REML", "DL", "PM", "EB", "SJ"), mods = list(character(0))),
  list(file = "edge_binary.csv", measure = "OR", methods = c("REML", "DL", "PM", "EB", "SJ"), mods = list(character(0))),
  list(file = "edge_binary.csv", measure = "RD", methods = c("REML", "DL", "PM", "EB", "SJ"), mods = list(character(0))),
  list(file = "edge_prop.csv", measure = "PLO", methods = c("REML", "PM", "DL", "HE"), mods = list(character(0))),
  list(file = "edge_prop.csv", measure = "PR", methods = c("REML", "PM", "DL", "HE"), mods = list(character(0))),
  list(file = "edge_prop.csv", measure = "PFT", methods = c("REML", "PM", "DL", "HE"), mods = list(character(0))),
  list(file = "edge_k1.csv", measure = "GEN", methods = ALL, mods = list(character(0))),
  list(file = "edge_k2.csv", measure = "GEN", methods = ALL, mods = list(character(0))),
  list(file = "edge_identical.csv", measure = "GEN", methods = ALL, mods = list(character(0))),
  list(file = "edge_kp.csv", measure = "GEN", methods = "FE", mods = list(c("x1", "x2"))))

csv_fits <- list()
for (sp in csv_specs) {
  dat <- read.csv(file.path(here, "data", sp$file), stringsAsFactors = FALSE, na.strings = c("NA", ""), strip.white = TRUE)
  es <- escalc_cols(sp$measure, dat)
  dat$yi <- as.numeric(es$yi); dat$vi <- as.numeric(es$vi)
  for (ms in sp$mods) for (method in sp$methods) for (knha in c(FALSE, TRUE)) for (level in c(95, 90)) {
    if (level == 90 && !(method %in% c("REML", "DL"))) next
    f <- collect(if (length(ms)) rma(yi, vi, mods = as.formula(paste("~", paste(ms, collapse = " + "))), data = dat,
                                     method = method, test = if (knha) "knha" else "z", level = level, control = CLI_CTRL)
                 else rma(yi, vi, data = dat, method = method, test = if (knha) "knha" else "z", level = level,
                          control = CLI_CTRL))
    out <- list(file = sp$file, measure = sp$measure, method = method, knha = knha, level = level, mods = as.list(ms),
                warnings = as.list(f$warnings))
    if (inherits(f$value, "err")) {
      out$error <- f$value$error
    } else {
      r <- f$value
      pr <- if (r$int.only) predict(r) else predict(r, newmods = matrix(0, nrow = 1, ncol = r$p - 1))
      out$result <- list(
        k = r$k, estimate = num(r$beta[1]), se = num(r$se[1]), ci_low = num(r$ci.lb[1]), ci_high = num(r$ci.ub[1]),
        pi_low = num(if (is.null(pr$pi.lb)) pr$ci.lb else pr$pi.lb), pi_high = num(if (is.null(pr$pi.ub)) pr$ci.ub else pr$pi.ub),
        tau2 = num(r$tau2), i2 = num(r$I2), h2 = num(r$H2), q = num(r$QE), q_p = num(r$QEp), stat = num(r$zval[1]),
        p = num(r$pval[1]), names = as.list(rownames(r$beta)), b = num(r$beta), se_b = num(r$se), qm = num(r$QM),
        r2 = num(r$R2), omitted = r$k.f - r$k, dropped = as.list(sub("^X", "", names(r$coef.na)[r$coef.na])))
    }
    csv_fits[[length(csv_fits) + 1]] <- out
  }
}

out <- list(
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  generated = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
  control = CTRL,
  datasets = datasets, fits = fits, sensitivity = sens, influence_mods = infl_mods, subgroups = subgroups, permutest = perms, gosh = goshs,
  csv_control = CLI_CTRL, csv_fits = csv_fits)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE),
           file.path(here, "reference.json"))
writeLines(capture.output(sessionInfo()), file.path(here, "sessionInfo.txt"))
cat("wrote", file.path(here, "reference.json"), "\n")
