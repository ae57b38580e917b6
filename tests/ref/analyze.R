# analyze.R: reference values for `kasane analyze`, computed by R from the
# same cases kasane analyses.  Run from the repository root:
#   Rscript tests/ref/analyze.R
# It reads tests/ref/analyze/export.csv and codes.csv (the demo data after
# import, written by export.sql and codes.sql) and writes
# tests/ref/analyze_ref.txt: "name value" lines (%.17g), named the way
# tests/cli/t2010-analyze-ref.sh names kasane's json output.  CI never runs R;
# both files are committed.  Needs the survival package.
suppressPackageStartupMessages(library(survival))

d <- read.csv("tests/ref/analyze/export.csv", stringsAsFactors = FALSE, na.strings = "")
codes <- read.csv("tests/ref/analyze/codes.csv", stringsAsFactors = FALSE, na.strings = "")
ref <- character(0)
put <- function(name, value) {
  value <- as.numeric(value)
  stopifnot(length(value) == 1)
  s <- if (is.na(value)) "NA" else if (is.infinite(value)) (if (value > 0) "Inf" else "-Inf")
       else sprintf("%.17g", value)
  ref <<- c(ref, paste(name, s))
}
ref <- c(ref, paste("# R.version.string:", R.version.string),
         paste("# packageVersion('survival'):", as.character(packageVersion("survival"))),
         "# data: datasets/demo/cases.csv as imported (tests/ref/analyze/export.csv)")

lv <- function(kind) codes$code[codes$kind == kind]          # levels in id order
id_of <- function(kind, code) codes$id[codes$kind == kind & codes$code == code]
fac <- function(x, kind) droplevels(factor(x, levels = lv(kind)))
bit <- function(mask, id) (floor(mask / 2^id) %% 2) == 1     # exact below 2^53

problems <- lv("problem")
partners <- lv("partner")
has_problem <- function(code) bit(d$problem_mask, id_of("problem", code))
has_partner <- function(code) bit(d$partner_mask, id_of("partner", code))

# ---- crosstab ------------------------------------------------------------
g2 <- function(x) { e <- outer(rowSums(x), colSums(x)) / sum(x); o <- x[x > 0]
  2 * sum(o * log(o / e[x > 0])) }
crosstab <- function(prefix, r, c) {
  ok <- !is.na(r) & !is.na(c)
  x <- table(r[ok], c[ok])
  x <- x[rowSums(x) > 0, colSums(x) > 0, drop = FALSE]
  ct <- suppressWarnings(chisq.test(x, correct = FALSE))
  put(paste0(prefix, ".tests.pearson_chi2.statistic"), ct$statistic)
  put(paste0(prefix, ".tests.pearson_chi2.df"), ct$parameter)
  put(paste0(prefix, ".tests.pearson_chi2.p"), ct$p.value)
  G <- g2(x)
  put(paste0(prefix, ".tests.likelihood_ratio.statistic"), G)
  put(paste0(prefix, ".tests.likelihood_ratio.df"), ct$parameter)
  put(paste0(prefix, ".tests.likelihood_ratio.p"), pchisq(G, ct$parameter, lower.tail = FALSE))
  put(paste0(prefix, ".tests.cramers_v.estimate"), sqrt(ct$statistic / (sum(x) * (min(dim(x)) - 1))))
  rp <- 100 * prop.table(x, 1); cp <- 100 * prop.table(x, 2)
  for (i in rownames(x)) for (j in colnames(x)) {
    k <- paste(prefix, "cells", i, j, sep = ".")
    put(paste0(k, ".row_pct"), rp[i, j])
    put(paste0(k, ".col_pct"), cp[i, j])
    put(paste0(k, ".expected"), ct$expected[i, j])
    put(paste0(k, ".adj_resid"), ct$stdres[i, j])
  }
  x
}
invisible(crosstab("xt_dp", fac(d$district, "district"), fac(d$problem, "problem")))

# 2 x 2: Fisher's conditional MLE and interval, converged (stats:::fisher.test's
# 2 x 2 code with tol = 1e-14, as tests/ref/stats_table.R: fisher.test itself
# stops uniroot at 1.2e-4)
fisher_conv <- function(x, conf.level = 0.95, tol = 1e-14) {
  m <- sum(x[, 1L]); n <- sum(x[, 2L]); k <- sum(x[1L, ]); x <- x[1L, 1L]
  lo <- max(0L, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mnhyper <- function(ncp) { if (ncp == 0) return(lo); if (ncp == Inf) return(hi)
    sum(support * dnhyper(ncp)) }
  pnhyper <- function(q, ncp, upper.tail = FALSE) {
    if (ncp == 1) return(if (upper.tail) phyper(x - 1, m, n, k, lower.tail = FALSE) else phyper(x, m, n, k))
    if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
    sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q]) }
  mle <- function(x) { if (x == lo) return(0); if (x == hi) return(Inf); mu <- mnhyper(1)
    if (mu > x) uniroot(function(t) mnhyper(t) - x, c(0, 1), tol = tol)$root
    else if (mu < x) 1 / uniroot(function(t) mnhyper(1 / t) - x, c(.Machine$double.eps, 1), tol = tol)$root
    else 1 }
  ncp.U <- function(x, alpha) { if (x == hi) return(Inf); p <- pnhyper(x, 1)
    if (p < alpha) uniroot(function(t) pnhyper(x, t) - alpha, c(0, 1), tol = tol)$root
    else if (p > alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t) - alpha, c(.Machine$double.eps, 1), tol = tol)$root
    else 1 }
  ncp.L <- function(x, alpha) { if (x == lo) return(0); p <- pnhyper(x, 1, upper.tail = TRUE)
    if (p > alpha) uniroot(function(t) pnhyper(x, t, upper.tail = TRUE) - alpha, c(0, 1), tol = tol)$root
    else if (p < alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t, upper.tail = TRUE) - alpha, c(.Machine$double.eps, 1), tol = tol)$root
    else 1 }
  alpha <- (1 - conf.level) / 2
  c(mle(x), ncp.L(x, alpha), ncp.U(x, alpha))
}
hiki <- factor(ifelse(has_problem("hikikomori"), "yes", "no"), levels = c("yes", "no"))
x22 <- crosstab("xt_ch", fac(d$consent, "consent"), hiki)
fc <- fisher_conv(x22)
put("xt_ch.tests.fisher_exact.p", fisher.test(x22)$p.value)
put("xt_ch.tests.fisher_exact.estimate", fc[1])
put("xt_ch.tests.fisher_exact.lower", fc[2])
put("xt_ch.tests.fisher_exact.upper", fc[3])

# ---- logit ---------------------------------------------------------------
# good = 解決/改善 among closed cases with a known outcome, as kasane defines it
cl <- d[d$status == "closed" & !is.na(d$outcome) & d$outcome != "unknown", ]
cl$good <- as.numeric(cl$outcome %in% c("resolved", "improved"))
cl$multi_agency <- as.numeric(cl$n_partners >= 2 | bit(cl$support_mask, id_of("support", "multi_agency")))
cl$p_hiki <- as.numeric(bit(cl$problem_mask, id_of("problem", "hikikomori")))
cl$p_care <- as.numeric(bit(cl$problem_mask, id_of("problem", "care")))
# a blank categorical predictor is a level of its own, "_missing", after the
# code list's levels: kasane keeps those cases too
# kasane keeps every case: the levels of a factor with 1..4 (k = 5) cases are
# pooled into one level "_other" placed at the first of them, or, when they
# are fewer than 5 together, counted in the largest level; a yes/no term with
# a side of 1..4 cases is left out of the model (src/analyze/analyze_logit.c)
pool <- function(x, kind) {
  x[is.na(x)] <- "_missing"
  f <- droplevels(factor(x, levels = c(lv(kind), "_missing"))); tb <- table(f); small <- names(tb)[tb > 0 & tb < 5]
  if (!length(small)) return(f)
  y <- as.character(f)
  if (sum(tb[small]) >= 5) {
    lv <- levels(f); lv[lv == small[1]] <- "_other"; lv <- setdiff(lv, small[-1])
    y[y %in% small] <- "_other"
    factor(y, levels = lv)
  } else {
    y[y %in% small] <- names(tb)[which.max(tb)]
    droplevels(factor(y, levels = levels(f)))
  }
}
cl$age_band <- pool(cl$age_band, "age_band")
cl$sex <- pool(cl$sex, "sex")
cl$household_type <- pool(cl$household_type, "household_type")
cl$consent <- pool(cl$consent, "consent")
binvars <- c("multi_agency", "p_hiki", "p_care")
keep_bin <- binvars[sapply(binvars, function(v) { n1 <- sum(cl[[v]] == 1); n0 <- sum(cl[[v]] == 0)
  !((n1 > 0 && n1 < 5) || (n0 > 0 && n0 < 5)) })]
relevel_to <- function(f, ref) relevel(f, ref = ref)
largest <- function(f) levels(f)[which.max(table(f))]  # kasane's default: first largest
cl$age_band <- relevel_to(cl$age_band, "65-69")      # --ref age_band=65-69
cl$sex <- relevel_to(cl$sex, largest(cl$sex))
cl$household_type <- relevel_to(cl$household_type, largest(cl$household_type))
cl$consent <- relevel_to(cl$consent, "yes")
form <- reformulate(c("age_band", "sex", "household_type", "n_partners", intersect("multi_agency", keep_bin),
                      "field_count", intersect(c("p_hiki", "p_care"), keep_bin), "consent"), response = "good")
# The reference is glm on one row per case.  kasane fits one row per
# covariate pattern and outcome, weighted by its cases: the same likelihood,
# deviance and AIC, and since it starts each row where its cases would start
# one by one (mustart = (y + 0.5) / 2), the same IRLS steps, so the standard
# errors agree too (glm on the weighted rows, with its own start, differs in
# the 5th digit: kept below as the check that this data set shows the
# difference).
vars <- c("age_band", "sex", "household_type", "n_partners", "multi_agency", "field_count",
          "p_hiki", "p_care", "consent")
agg <- aggregate(list(w = rep(1, nrow(cl))), by = cl[c("good", vars)], FUN = sum)
for (v in c("age_band", "sex", "household_type", "consent")) agg[[v]] <- factor(agg[[v]], levels = levels(cl[[v]]))
lfit_agg <- glm(form, family = binomial, data = agg, weights = w)
lfit <- glm(form, family = binomial, data = cl)
lfit_cases <- lfit
se_gap <- max(abs(sqrt(diag(vcov(lfit_agg))) / sqrt(diag(vcov(lfit))) - 1))
stopifnot(max(abs(coef(lfit_agg) - coef(lfit))) < 1e-7, se_gap > 1e-6)
ref <- c(ref, sprintf("# logit: glm on the aggregated rows differs from the case-level SEs by up to %.2g relative", se_gap))
s <- summary(lfit)$coefficients
ci <- exp(confint.default(lfit))
kname <- function(n) {
  for (v in c("age_band", "sex", "household_type", "consent"))
    if (startsWith(n, v)) return(paste0(v, "=", substring(n, nchar(v) + 1)))
  switch(n, p_hiki = "problem:hikikomori", p_care = "problem:care", n)
}
for (v in c("age_band", "sex", "household_type", "consent"))  # reference rows
  put(paste0("lg.", v, "=", levels(cl[[v]])[1], ".odds_ratio"), 1)
for (n in rownames(s)) {
  k <- paste0("lg.", kname(n))
  put(paste0(k, ".estimate"), s[n, 1]); put(paste0(k, ".se"), s[n, 2])
  put(paste0(k, ".z"), s[n, 3]); put(paste0(k, ".p"), s[n, 4])
  put(paste0(k, ".odds_ratio"), exp(s[n, 1]))
  put(paste0(k, ".or_lower"), ci[n, 1]); put(paste0(k, ".or_upper"), ci[n, 2])
}
put("lg.fit.n", nrow(cl)); put("lg.fit.events", sum(cl$good))
put("lg.fit.deviance", deviance(lfit)); put("lg.fit.null_deviance", lfit$null.deviance)
put("lg.fit.df_residual", lfit_cases$df.residual); put("lg.fit.df_null", lfit_cases$df.null)
put("lg.fit.aic", AIC(lfit))
lr <- lfit$null.deviance - deviance(lfit); lrdf <- lfit_cases$df.null - lfit_cases$df.residual
put("lg.fit.lr_chi2", lr); put("lg.fit.lr_df", lrdf); put("lg.fit.lr_p", pchisq(lr, lrdf, lower.tail = FALSE))

# ---- trend ---------------------------------------------------------------
mi <- as.integer(substr(d$consult_date, 1, 4)) * 12 + as.integer(substr(d$consult_date, 6, 7)) - 1
months <- min(mi):max(mi)
trend_one <- function(counts, seasonal) {
  t <- seq_along(counts) - 1
  dat <- data.frame(y = counts, t = t, m = factor((months %% 12) + 1))
  f <- if (seasonal) glm(y ~ t + m, family = poisson, data = dat) else glm(y ~ t, family = poisson, data = dat)
  b <- coef(f)[["t"]]; se <- summary(f)$coefficients["t", 2]
  # summary.glm's Pearson dispersion (working weights of the last iteration),
  # the one quasipoisson's standard errors use
  sq <- summary(glm(formula(f), family = quasipoisson, data = dat))
  phi <- sq$dispersion
  quasi <- phi > 1 && pchisq(phi * f$df.residual, f$df.residual, lower.tail = FALSE) < 0.05
  if (quasi) {
    q <- sq$coefficients["t", ]
    tq <- qt(0.975, f$df.residual)
    lo <- b - tq * q[[2]]; hi <- b + tq * q[[2]]; p <- q[[4]]
  } else {
    lo <- b - qnorm(0.975) * se; hi <- b + qnorm(0.975) * se
    p <- summary(f)$coefficients["t", 4]
  }
  c(n = sum(counts), apc = (exp(12 * b) - 1) * 100, apc_lower = (exp(12 * lo) - 1) * 100,
    apc_upper = (exp(12 * hi) - 1) * 100, p = p, dispersion = phi)
}
# Months kasane's monthly table hides (tests/ref/analyze/trend_hidden.txt,
# "prefix series month" lines, written from kasane's own output by
# tests/cli/t2010-analyze-ref.sh, which checks they are still the ones kasane
# hides; month "total" = the series total is hidden).  A series with hidden
# months is fitted on what is published: the hidden months as one
# observation, their sum (src/analyze/analyze_trend.c); no statistics when its total
# is hidden or the hidden months hold more than 5% of its cases.
hid <- read.table("tests/ref/analyze/trend_hidden.txt", col.names = c("prefix", "series", "month"),
                  colClasses = "character")
hidden_months <- function(prefix, nm) hid$month[hid$prefix == prefix & hid$series == nm]
# The grouped Poisson fit by Newton-Raphson on the exact log-likelihood of
# the observations (known months, and the group's sum whose mean is the sum
# of its months' means), from glm's ungrouped estimate; standard errors from
# the expected information sum_o d_o d_o' / m_o.  Inference as trend_one.
trend_grouped <- function(counts, H, seasonal) {
  t <- seq_along(counts) - 1
  dat <- data.frame(y = counts, t = t, m = factor((months %% 12) + 1))
  fml <- if (seasonal) y ~ t + m else y ~ t
  X <- model.matrix(fml, dat)
  obs <- ifelse(H, 0L, seq_along(counts))      # 0: the group
  ids <- c(sort(unique(obs[obs > 0])), 0L)
  yo <- sapply(ids, function(o) sum(counts[obs == o]))
  th <- coef(glm(fml, family = poisson, data = dat))
  for (it in 1:100) {
    mu <- as.vector(exp(X %*% th))
    mo <- sapply(ids, function(o) sum(mu[obs == o]))
    D <- t(sapply(ids, function(o) colSums(mu[obs == o] * X[obs == o, , drop = FALSE])))
    g <- colSums((yo / mo - 1) * D)
    Hs <- -crossprod(D * sqrt(yo) / mo)
    for (j in seq_along(ids)) {
      sel <- obs == ids[j]
      Hs <- Hs + (yo[j] / mo[j] - 1) * crossprod(X[sel, , drop = FALSE] * sqrt(mu[sel]))
    }
    step <- solve(-Hs, g)
    th <- th + step
    if (max(abs(step)) < 1e-14 * (1 + max(abs(th)))) break
  }
  mu <- as.vector(exp(X %*% th))
  mo <- sapply(ids, function(o) sum(mu[obs == o]))
  D <- t(sapply(ids, function(o) colSums(mu[obs == o] * X[obs == o, , drop = FALSE])))
  V <- solve(crossprod(D / sqrt(mo)))
  b <- th[["t"]]; se <- sqrt(V["t", "t"])
  df <- length(ids) - ncol(X)
  phi <- sum((yo - mo)^2 / mo) / df
  quasi <- phi > 1 && pchisq(phi * df, df, lower.tail = FALSE) < 0.05
  if (quasi) {
    qse <- se * sqrt(phi); tq <- qt(0.975, df)
    lo <- b - tq * qse; hi <- b + tq * qse; p <- 2 * pt(abs(b / qse), df, lower.tail = FALSE)
  } else {
    lo <- b - qnorm(0.975) * se; hi <- b + qnorm(0.975) * se; p <- 2 * pnorm(-abs(b / se))
  }
  c(n = sum(counts), apc = (exp(12 * b) - 1) * 100, apc_lower = (exp(12 * lo) - 1) * 100,
    apc_upper = (exp(12 * hi) - 1) * 100, p = p, dispersion = phi)
}
# the fit of one series as kasane makes it, or NULL for none
trend_pub <- function(prefix, nm, y, seasonal) {
  h <- hidden_months(prefix, nm)
  if ("total" %in% h) return(NULL)
  H <- sprintf("%04d-%02d", months %/% 12, months %% 12 + 1) %in% h
  if (!any(H)) return(trend_one(y, seasonal))
  if (sum(y[H]) > 0.05 * sum(y)) return(NULL)
  trend_grouped(y, H, seasonal)
}
trend_all <- function(prefix, series, seasonal, total = NULL, multi = FALSE) {
  if (!is.null(total)) {  # the "(all)" total row: not one of the BH list
    y <- tabulate(match(total, months), nbins = length(months))
    # multi-response: its month totals are not in the table; fitted only
    # when none is below k
    r <- if (multi) { if (any(y > 0 & y < 5)) NULL else trend_one(y, seasonal) }
         else trend_pub(prefix, "(all)", y, seasonal)
    for (v in names(r)) put(paste(prefix, "(all)", v, sep = "."), r[[v]])
  }
  res <- list()
  for (nm in names(series)) {
    y <- tabulate(match(series[[nm]], months), nbins = length(months))
    if (sum(y) >= 5) {
      r <- trend_pub(prefix, nm, y, seasonal)
      if (!is.null(r)) res[[nm]] <- r else put(paste(prefix, nm, "n", sep = "."), sum(y))
    }
  }
  q <- p.adjust(sapply(res, function(r) r[["p"]]), method = "BH")
  for (nm in names(res)) {
    for (v in names(res[[nm]])) put(paste(prefix, nm, v, sep = "."), res[[nm]][[v]])
    put(paste(prefix, nm, "q", sep = "."), q[[nm]])
  }
}
per_problem <- list()
for (p in problems) { h <- has_problem(p); if (any(h)) per_problem[[p]] <- mi[h] }
trend_all("tr_p", per_problem, FALSE, total = mi, multi = TRUE)
trend_all("tr_as", list(all = mi), TRUE)
per_band <- list()  # two age bands are overdispersed: the quasi-Poisson branch
for (b in lv("age_band")) { h <- !is.na(d$age_band) & d$age_band == b; if (any(h)) per_band[[b]] <- mi[h] }
trend_all("tr_ab", per_band, FALSE, total = mi[!is.na(d$age_band)])

# ---- cooccur -------------------------------------------------------------
cooccur <- function(prefix, M) {  # M: units x problems, logical
  M <- M[, colSums(M) > 0, drop = FALSE]
  n <- as.numeric(nrow(M)); pr <- colnames(M); rows <- list()
  for (i in seq_along(pr)) for (j in seq_along(pr)) if (i < j) {
    a <- M[, i]; b <- M[, j]
    nab <- as.numeric(sum(a & b)); na <- as.numeric(sum(a)); nb <- as.numeric(sum(b))
    tab <- matrix(c(nab, na - nab, nb - nab, n - na - nb + nab), 2, byrow = TRUE)
    e <- na * nb / n
    rows[[length(rows) + 1]] <- data.frame(a = pr[i], b = pr[j], n_ab = nab, n_a = na, n_b = nb,
      expected = e, lift = nab / e,
      lift_lower = if (nab > 0) qgamma(0.025, nab) / e else 0,
      lift_upper = qgamma(0.975, nab + 1) / e,
      phi = (nab * (n - na - nb + nab) - (na - nab) * (nb - nab)) / sqrt(na * nb * (n - na) * (n - nb)),
      p = fisher.test(tab)$p.value)
  }
  r <- do.call(rbind, rows)
  # the published family: pairs none of whose counts n_ab, n_a, n_b is hidden
  # (1..k-1, k = 5); BH runs over them alone, the others have no statistics
  hidden <- function(x) x > 0 & x < 5
  fam <- !(hidden(r$n_ab) | hidden(r$n_a) | hidden(r$n_b))
  r$q <- NA
  r$q[fam] <- p.adjust(r$p[fam], method = "BH")
  for (k in seq_len(nrow(r))) for (v in c("n_ab", "n_a", "n_b", "expected", "lift", "lift_lower",
                                        "lift_upper", "phi", "p", "q"))
    if (fam[k] || v %in% c("n_ab", "n_a", "n_b", "expected"))
      put(paste(prefix, r$a[k], r$b[k], v, sep = "."), r[[v]][k])
}
PM <- sapply(problems, has_problem)
cooccur("co_case", PM)
hh <- d$household[!is.na(d$household)]
PMh <- rowsum(PM[!is.na(d$household), ] * 1, hh) > 0
cooccur("co_hh", PMh)

# ---- survival ------------------------------------------------------------
day <- function(s) as.numeric(as.Date(s))
last <- max(c(day(d$consult_date), day(d$closed_date)), na.rm = TRUE)
sv <- d[d$status == "ongoing" | !is.na(d$closed_date), ]
sv$time <- ifelse(sv$status == "ongoing", last - day(sv$consult_date), day(sv$closed_date) - day(sv$consult_date))
sv$event <- as.numeric(sv$status != "ongoing")
sv$g <- fac(sv$problem, "problem")
fit <- survfit(Surv(time, event) ~ g, data = sv)
tb <- summary(fit)$table
gname <- sub("^g=", "", rownames(tb))
for (i in seq_along(gname)) {
  k <- paste0("sv.", gname[i])
  put(paste0(k, ".n"), tb[i, "n.start"]); put(paste0(k, ".events"), tb[i, "events"])
  put(paste0(k, ".censored"), tb[i, "n.start"] - tb[i, "events"])
  put(paste0(k, ".median"), tb[i, "median"])
  put(paste0(k, ".median_lower"), tb[i, "0.95LCL"]); put(paste0(k, ".median_upper"), tb[i, "0.95UCL"])
}
fall <- survfit(Surv(time, event) ~ 1, data = sv)
ta <- summary(fall)$table
put("sv.all.n", ta[["n.start"]]); put("sv.all.events", ta[["events"]])
put("sv.all.censored", ta[["n.start"]] - ta[["events"]])
put("sv.all.median", ta[["median"]]); put("sv.all.median_lower", ta[["0.95LCL"]])
put("sv.all.median_upper", ta[["0.95UCL"]])
sm <- summary(fit, times = c(30, 90, 180, 365), extend = TRUE)
sg <- sub("^g=", "", as.character(sm$strata))
for (i in seq_along(sm$time)) {
  k <- paste("sv.curve", sg[i], sm$time[i], sep = ".")
  put(paste0(k, ".n_risk"), sm$n.risk[i]); put(paste0(k, ".n_event"), sm$n.event[i])
  put(paste0(k, ".surv"), sm$surv[i]); put(paste0(k, ".lower"), sm$lower[i]); put(paste0(k, ".upper"), sm$upper[i])
}
sd <- survdiff(Surv(time, event) ~ g, data = sv)
put("sv.logrank.logrank.chisq", sd$chisq)
put("sv.logrank.logrank.df", length(sd$n) - 1)
put("sv.logrank.logrank.p", pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))
for (i in seq_along(sd$n)) put(paste0("sv.", sub("^g=", "", names(sd$n)[i]), ".expected"), sd$exp[i])
put("sv.all.expected", sum(sd$obs))

# ---- partners ------------------------------------------------------------
ph <- d[has_problem("hikikomori"), ]
pclosed <- ph$status == "closed" & !is.na(ph$outcome) & ph$outcome != "unknown"
pgood <- pclosed & ph$outcome %in% c("resolved", "improved")
PP <- sapply(partners, function(p) bit(ph$partner_mask, id_of("partner", p)))
prow <- function(k, sel) {
  put(paste0(k, ".n"), sum(sel)); put(paste0(k, ".share_pct"), 100 * sum(sel) / nrow(ph))
  put(paste0(k, ".n_closed"), sum(sel & pclosed)); put(paste0(k, ".n_good"), sum(sel & pgood))
  if (sum(sel & pclosed) > 0) {
    pt <- suppressWarnings(prop.test(sum(sel & pgood), sum(sel & pclosed), correct = FALSE))
    put(paste0(k, ".good_rate"), sum(sel & pgood) / sum(sel & pclosed))
    put(paste0(k, ".lower"), pt$conf.int[1]); put(paste0(k, ".upper"), pt$conf.int[2])
  }
}
prow("pa.(all)", rep(TRUE, nrow(ph)))
prow("pa.(none)", rowSums(PP) == 0)
for (p in partners) if (any(PP[, p])) prow(paste0("pa.", p), PP[, p])
for (i in seq_along(partners)) for (j in seq_along(partners)) if (i < j) {
  a <- PP[, i]; b <- PP[, j]; nab <- sum(a & b)
  if (nab == 0) next
  e <- sum(a) * sum(b) / nrow(ph)
  k <- paste("pa.pair", partners[i], partners[j], sep = ".")
  put(paste0(k, ".n_ab"), nab); put(paste0(k, ".expected"), e); put(paste0(k, ".lift"), nab / e)
}

writeLines(ref, "tests/ref/analyze_ref.txt")
cat("wrote", length(ref), "lines to tests/ref/analyze_ref.txt\n")
