# stats_model.R: reference values for tests/unit/test_stats_glm.c and
# tests/unit/test_stats_surv.c.  Run from the repository root:
#   Rscript tests/ref/stats_model.R
# It writes tests/ref/stats_model_ref.txt ("name value" lines, %.17g) and the
# data sets the C tests read, under tests/ref/data/.  CI never runs R: both are
# committed.  Indices in names are 1-based, in the column order of the CSVs.
suppressPackageStartupMessages(library(survival))

out_dir <- "tests/ref"
data_dir <- file.path(out_dir, "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
ref <- character(0)
put <- function(name, value) {
    value <- as.numeric(value)
    for (i in seq_along(value)) {
        nm <- if (length(value) == 1) name else paste0(name, ".", i)
        v <- value[i]
        s <- if (is.na(v)) "NA" else if (is.infinite(v)) (if (v > 0) "Inf" else "-Inf")
             else sprintf("%.17g", v)
        ref <<- c(ref, paste(nm, s))
    }
}
ref <- c(ref, paste("# R.version.string:", R.version.string),
         paste("# packageVersion('survival'):", as.character(packageVersion("survival"))),
         "# lines starting with # are comments; NA is R's NA (NaN included)")

fmt <- function(df) {
    for (j in seq_along(df)) df[[j]] <- sprintf("%.17g", as.numeric(df[[j]]))
    df
}
write_csv <- function(df, file) {
    write.csv(fmt(df), file.path(data_dir, file), row.names = FALSE, quote = FALSE)
}

# A GLM data set for the C test: y, prior weights w, offset off, then the model
# matrix exactly as R built it (so the reference level is R's choice).
write_glm_data <- function(X, y, w, off, file) {
    df <- data.frame(y = y, w = w, off = off, X, check.names = FALSE)
    names(df) <- c("y", "w", "off", colnames(X))
    write_csv(df, file)
}

# Coefficient table as glm/summary.glm/confint.default give it.
put_glm <- function(prefix, fit, quasi_fit = NULL) {
    s <- summary(fit)
    cf <- coef(fit)
    est <- cf
    se <- rep(NA_real_, length(cf)); z <- se; p <- se
    ok <- !is.na(cf)
    se[ok] <- s$coefficients[, 2]
    z[ok] <- s$coefficients[, 3]
    p[ok] <- s$coefficients[, 4]
    ci <- exp(confint.default(fit))
    put(paste0(prefix, ".est"), est)
    put(paste0(prefix, ".se"), se)
    put(paste0(prefix, ".z"), z)
    put(paste0(prefix, ".p"), p)
    put(paste0(prefix, ".exp"), exp(est))
    put(paste0(prefix, ".exp_lo"), ci[, 1])
    put(paste0(prefix, ".exp_hi"), ci[, 2])
    put(paste0(prefix, ".deviance"), deviance(fit))
    put(paste0(prefix, ".null_deviance"), fit$null.deviance)
    put(paste0(prefix, ".df_residual"), fit$df.residual)
    put(paste0(prefix, ".df_null"), fit$df.null)
    put(paste0(prefix, ".aic"), AIC(fit))
    put(paste0(prefix, ".iter"), fit$iter)
    put(paste0(prefix, ".rank"), fit$rank)
    if (!is.null(quasi_fit)) {
        q <- summary(quasi_fit)
        put(paste0(prefix, ".dispersion"), q$dispersion)
        put(paste0(prefix, ".q_se"), q$coefficients[, 2])
        put(paste0(prefix, ".q_t"), q$coefficients[, 3])
        put(paste0(prefix, ".q_p"), q$coefficients[, 4])
        # kasane's quasi CI uses the t quantile with the residual df, the same
        # distribution summary.glm uses for the quasi p-value.
        tq <- qt(0.975, quasi_fit$df.residual)
        put(paste0(prefix, ".q_exp_lo"), exp(coef(quasi_fit) - tq * q$coefficients[, 2]))
        put(paste0(prefix, ".q_exp_hi"), exp(coef(quasi_fit) + tq * q$coefficients[, 2]))
    }
}

# Warnings glm() raised, as 0/1 flags.
warn_flags <- function(prefix, expr) {
    msgs <- character(0)
    fit <- withCallingHandlers(expr, warning = function(w) {
        msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning") })
    put(paste0(prefix, ".warn_not_converged"), any(grepl("did not converge", msgs)))
    put(paste0(prefix, ".warn_fitted01"),
        any(grepl("fitted probabilities numerically 0 or 1", msgs) |
            grepl("fitted rates numerically 0", msgs)))
    fit
}

## 1. infert, numeric predictors
m1 <- glm(case ~ spontaneous + induced + age + parity, family = binomial, data = infert)
X1 <- model.matrix(m1)
write_glm_data(X1, infert$case, 1, 0, "infert1.csv")
put_glm("infert1", m1, glm(case ~ spontaneous + induced + age + parity,
                           family = quasibinomial, data = infert))

## 2. infert with a factor: education as treatment-contrast dummies
m2 <- glm(case ~ education + spontaneous + induced, family = binomial, data = infert)
X2 <- model.matrix(m2)
write_glm_data(X2, infert$case, 1, 0, "infert2.csv")
put_glm("infert2", m2)

## 3. esoph aggregated binomial; ordered factors made unordered
es <- esoph
es$agegp <- factor(es$agegp, ordered = FALSE)
es$alcgp <- factor(es$alcgp, ordered = FALSE)
m3 <- glm(cbind(ncases, ncontrols) ~ agegp + alcgp, family = binomial, data = es)
X3 <- model.matrix(m3)
tot <- es$ncases + es$ncontrols
write_glm_data(X3, es$ncases / tot, tot, 0, "esoph.csv")
# kasane's logit models cases (analyze_logit.c: each row starts where its
# cases would start one by one), so the reference is glm on one row per
# person; the grouped fit has the same coefficients and standard errors
# that differ in the 5th digit (its IRLS starts elsewhere)
ex <- es[rep(seq_len(nrow(es)), 2), c("agegp", "alcgp")]
ex$y <- rep(c(1, 0), each = nrow(es))
ex$w <- c(es$ncases, es$ncontrols)
ex <- ex[rep(seq_len(nrow(ex)), ex$w), ]
m3c <- glm(y ~ agegp + alcgp, family = binomial, data = ex)
stopifnot(max(abs(coef(m3c) - coef(m3))) < 1e-7)
put_glm("esoph", m3)
put_glm("esoph_cases", m3c)

## 4. warpbreaks Poisson and quasi-Poisson (overdispersed)
m4 <- glm(breaks ~ wool + tension, family = poisson, data = warpbreaks)
X4 <- model.matrix(m4)
write_glm_data(X4, warpbreaks$breaks, 1, 0, "warpbreaks.csv")
put_glm("warp", m4, glm(breaks ~ wool + tension, family = quasipoisson, data = warpbreaks))

## 5. generated monthly series: 72 months from April, +4% a year, seasonal,
##    with a caseload exposure; one Poisson, one overdispersed (negative binomial)
set.seed(20250401)
nm <- 72
t <- 0:(nm - 1)
moy <- ((3 + t) %% 12) + 1
season <- 0.15 * sin(2 * pi * moy / 12)
exposure <- round(1000 + 200 * sin(t / 9) + 5 * t)
mu <- exposure * 0.05 * exp(log(1.04) / 12 * t + season)
y_pois <- rpois(nm, mu)
y_nb <- rnbinom(nm, mu = mu, size = 15)
mon <- data.frame(t = t, moy = moy, exposure = exposure, y_pois = y_pois, y_nb = y_nb)
write_csv(mon, "monthly.csv")
mf <- factor(moy)
put_trend <- function(prefix, y, use_exposure) {
    if (use_exposure) {
        fp <- glm(y ~ t + mf + offset(log(exposure)), family = poisson)
        fq <- glm(y ~ t + mf + offset(log(exposure)), family = quasipoisson)
    } else {
        fp <- glm(y ~ t + mf, family = poisson)
        fq <- glm(y ~ t + mf, family = quasipoisson)
    }
    b <- coef(fp)[["t"]]
    se <- summary(fp)$coefficients["t", 2]
    sq <- summary(fq)$coefficients["t", 2]
    z <- qnorm(0.975)
    tq <- qt(0.975, fq$df.residual)
    put(paste0(prefix, ".slope"), b)
    put(paste0(prefix, ".se"), se)
    put(paste0(prefix, ".p"), summary(fp)$coefficients["t", 4])
    put(paste0(prefix, ".apc"), (exp(12 * b) - 1) * 100)
    put(paste0(prefix, ".apc_lo"), (exp(12 * (b - z * se)) - 1) * 100)
    put(paste0(prefix, ".apc_hi"), (exp(12 * (b + z * se)) - 1) * 100)
    put(paste0(prefix, ".dispersion"), summary(fq)$dispersion)
    put(paste0(prefix, ".q_se"), sq)
    put(paste0(prefix, ".q_p"), summary(fq)$coefficients["t", 4])
    put(paste0(prefix, ".q_apc_lo"), (exp(12 * (b - tq * sq)) - 1) * 100)
    put(paste0(prefix, ".q_apc_hi"), (exp(12 * (b + tq * sq)) - 1) * 100)
    put(paste0(prefix, ".df_residual"), fp$df.residual)
    put(paste0(prefix, ".deviance"), deviance(fp))
    put(paste0(prefix, ".null_deviance"), fp$null.deviance)
    put(paste0(prefix, ".aic"), AIC(fp))
}
put_trend("trend_pois", y_pois, FALSE)
put_trend("trend_nb", y_nb, FALSE)
put_trend("trend_rate", y_pois, TRUE)
# the same offset model as a plain GLM, so the generic entry point is checked too
m5 <- glm(y_pois ~ t + mf + offset(log(exposure)), family = poisson)
write_glm_data(model.matrix(m5), y_pois, 1, log(exposure), "monthly_rate.csv")
put_glm("rate", m5)

## 6. separation: complete (y split by x) and quasi-complete
xs <- 1:10
ys <- as.numeric(xs > 5)
sep <- warn_flags("sep", glm(ys ~ xs, family = binomial))
put("sep.deviance", deviance(sep))
write_glm_data(model.matrix(sep), ys, 1, 0, "separation.csv")
xq <- c(1, 2, 3, 4, 5, 5, 6, 7, 8, 9)
yq <- c(0, 0, 0, 0, 0, 1, 1, 1, 1, 1)
qsep <- warn_flags("qsep", glm(yq ~ xq, family = binomial))
write_glm_data(model.matrix(qsep), yq, 1, 0, "quasi_separation.csv")
# a fit that does not separate, for the flags' false-positive side
ok <- warn_flags("nosep", glm(case ~ spontaneous + induced + age + parity,
                              family = binomial, data = infert))

## 7. rank deficiency: total = spontaneous + induced is aliased (NA in R)
inf7 <- infert
inf7$total <- inf7$spontaneous + inf7$induced
m7 <- glm(case ~ spontaneous + induced + total + age, family = binomial, data = inf7)
write_glm_data(model.matrix(m7), inf7$case, 1, 0, "aliased.csv")
put("aliased.na", as.numeric(is.na(coef(m7))))
put("aliased.est", coef(m7))
put("aliased.deviance", deviance(m7))
put("aliased.rank", m7$rank)
put("aliased.aic", AIC(m7))
se7 <- rep(NA_real_, length(coef(m7)))
se7[!is.na(coef(m7))] <- summary(m7)$coefficients[, 2]
put("aliased.se", se7)

## 8. Kaplan-Meier and log-rank
put_km <- function(prefix, time, event, group, conf.type) {
    f <- survfit(Surv(time, event) ~ group, conf.type = conf.type)
    tab <- summary(f)$table
    if (is.null(dim(tab))) tab <- matrix(tab, nrow = 1, dimnames = list(NULL, names(tab)))
    strata <- if (is.null(f$strata)) length(f$time) else f$strata  # one group: no strata
    ng <- length(strata)
    idx <- rep(seq_len(ng), strata)
    for (g in seq_len(ng)) {
        w <- idx == g
        p <- paste0(prefix, ".", conf.type, ".g", g)
        put(paste0(p, ".nrows"), sum(w))
        put(paste0(p, ".time"), f$time[w])
        put(paste0(p, ".n_risk"), f$n.risk[w])
        put(paste0(p, ".n_event"), f$n.event[w])
        put(paste0(p, ".n_censor"), f$n.censor[w])
        put(paste0(p, ".surv"), f$surv[w])
        put(paste0(p, ".se_log"), f$std.err[w])
        put(paste0(p, ".std_err"), f$std.err[w] * f$surv[w])
        put(paste0(p, ".lower"), f$lower[w])
        put(paste0(p, ".upper"), f$upper[w])
        put(paste0(p, ".records"), tab[g, "records"])
        put(paste0(p, ".events"), tab[g, "events"])
        put(paste0(p, ".median"), tab[g, "median"])
        put(paste0(p, ".median_lo"), tab[g, "0.95LCL"])
        put(paste0(p, ".median_hi"), tab[g, "0.95UCL"])
    }
}
put_logrank <- function(prefix, time, event, group) {
    d <- survdiff(Surv(time, event) ~ group)
    put(paste0(prefix, ".obs"), d$obs)
    put(paste0(prefix, ".exp"), d$exp)
    put(paste0(prefix, ".var"), t(d$var))  # row-major
    put(paste0(prefix, ".chisq"), d$chisq)
    put(paste0(prefix, ".df"), sum(d$exp > 0) - 1)
    put(paste0(prefix, ".p"), pchisq(d$chisq, sum(d$exp > 0) - 1, lower.tail = FALSE))
}
surv_sets <- list(
    lung = data.frame(time = lung$time, event = as.numeric(lung$status == 2), group = lung$sex),
    ovarian = data.frame(time = ovarian$futime, event = ovarian$fustat, group = ovarian$rx),
    veteran = data.frame(time = veteran$time, event = veteran$status,
                         group = as.integer(veteran$celltype)))
for (nm in names(surv_sets)) {
    d <- surv_sets[[nm]]
    write_csv(d, paste0(nm, ".csv"))
    for (ct in c("log", "plain", "log-log")) put_km(nm, d$time, d$event, d$group, ct)
    put_logrank(paste0(nm, ".logrank"), d$time, d$event, d$group)
}
# a single curve with a flat segment exactly at S = 0.5 (median = midpoint rule)
flat <- data.frame(time = c(1, 2, 3, 4, 5, 6), event = c(1, 1, 1, 0, 1, 1), group = 1)
write_csv(flat, "flat.csv")
put_km("flat", flat$time, flat$event, flat$group, "log")

writeLines(ref, file.path(out_dir, "stats_model_ref.txt"))
