# Helpers shared by make_reference.R and fuzz_meta.R (sourced by both; needs metafor loaded).

# The value of `expr` (or an "err" object holding the error message) and the warnings it raised.
collect <- function(expr) {
  warns <- character(0)
  val <- withCallingHandlers(
    tryCatch(expr, error = function(e) structure(list(error = conditionMessage(e)), class = "err")),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(value = val, warnings = warns)
}

# escalc() of a table with metafor's raw column names (yi, vi as they are for GEN).
escalc_cols <- function(measure, dat) {
  switch(measure,
         GEN = list(yi = dat$yi, vi = dat$vi),
         MD = , SMD = escalc(measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat),
         RR = , OR = , RD = escalc(measure, ai = ai, bi = bi, ci = ci, di = di, data = dat),
         PLO = , PR = , PFT = escalc(measure, xi = xi, ni = ni, data = dat))
}
