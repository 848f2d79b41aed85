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
collect <- function(expr) {
  warns <- character(0)
  val <- withCallingHandlers(tryCatch(expr, error = function(e) structure(list(error = conditionMessage(e)), class = "err")),
                             warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(value = val, warnings = warns)
}

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

out <- list(
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  generated = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
  control = CTRL,
  datasets = datasets, fits = fits, sensitivity = sens, influence_mods = infl_mods, subgroups = subgroups, permutest = perms, gosh = goshs)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE),
           file.path(here, "reference.json"))
writeLines(capture.output(sessionInfo()), file.path(here, "sessionInfo.txt"))
cat("wrote", file.path(here, "reference.json"), "\n")
