# stats_table.R: reference values for src/stats/stats_table.c, from R's own functions
# and data sets.  Run from the repository root:
#   Rscript tests/ref/stats_table.R
# writes tests/ref/stats_table_ref.txt: one value list per line, "name v1 v2 ...",
# numbers printed with %.17g, matrices row-major.  CI never runs R; the file is
# committed.  Needs MASS (recommended package, ships with R) for loglm.

out <- file("tests/ref/stats_table_ref.txt", "w")
put <- function(name, v) {
  v <- as.numeric(v)
  writeLines(paste(name, paste(sprintf("%.17g", v), collapse = " ")), out)
}
rowmajor <- function(m) as.vector(t(m))
writeLines(paste("# R.version.string:", R.version.string), out)

# ---- chi-squared, G^2 and the crosstab -----------------------------------
# g2: likelihood ratio statistic from its definition, 2 sum o log(o/e)
g2 <- function(x) { e <- outer(rowSums(x), colSums(x)) / sum(x); o <- x[x > 0]
  2 * sum(o * log(o / e[x > 0])) }
crosstab <- function(name, x) {
  ct <- suppressWarnings(chisq.test(x, correct = FALSE))
  e <- ct$expected
  put(paste0(name, ".dim"), dim(x))
  put(paste0(name, ".counts"), rowmajor(x))
  put(paste0(name, ".chi2"), ct$statistic)
  put(paste0(name, ".df"), ct$parameter)
  put(paste0(name, ".p"), ct$p.value)
  put(paste0(name, ".expected"), rowmajor(e))
  put(paste0(name, ".stdres"), rowmajor(ct$stdres))
  put(paste0(name, ".row_pct"), rowmajor(100 * prop.table(x, 1)))
  put(paste0(name, ".col_pct"), rowmajor(100 * prop.table(x, 2)))
  G <- g2(x)
  put(paste0(name, ".g2"), G)
  put(paste0(name, ".g2_p"), pchisq(G, ct$parameter, lower.tail = FALSE))
  put(paste0(name, ".cramer_v"), sqrt(ct$statistic / (sum(x) * (min(dim(x)) - 1))))
  put(paste0(name, ".share_lt5"), mean(e < 5))
  put(paste0(name, ".min_expected"), min(e))
  put(paste0(name, ".cochran_warning"), as.numeric(mean(e < 5) > 0.2 || min(e) < 1))
  # cross-check of G^2 and X^2 with MASS's log-linear model of independence
  if (requireNamespace("MASS", quietly = TRUE)) {
    d <- as.data.frame(as.table(x))
    names(d) <- c("A", "B", "Freq")
    fit <- MASS::loglm(Freq ~ A + B, data = d)
    stopifnot(abs(fit$lrt - G) < 1e-8 * G, abs(fit$pearson - ct$statistic) < 1e-8 * ct$statistic)
    put(paste0(name, ".loglm_lrt"), fit$lrt)
  }
}
# HairEyeColor collapsed over Sex: Hair (4) x Eye (4)
hair <- margin.table(HairEyeColor, c(1, 2))
crosstab("hair", hair)
# infert: case by any induced abortion, 2 x 2
infert_tab <- table(infert$case, infert$induced > 0)
crosstab("infert", infert_tab)
# a made-up sparse 3 x 3 (Cochran's rule broken)
sparse33 <- matrix(c(2, 0, 1,  5, 3, 0,  1, 1, 8), 3, byrow = TRUE)
crosstab("sparse33", sparse33)
# a 7 x 22 table with a total near 1,000,000 (formula repeated in the C test)
big <- outer(0:6, 0:21, function(i, j) 4000 + (i * 7919 + j * 104729 + i * j * 31) %% 5000)
put("big.total", sum(big))
crosstab("big", big)
# near independence, total 1,017,839, p about 0.6 (formula repeated in the C test)
bigmid <- outer(0:6, 0:21, function(i, j)
  (600 + 80 * i) * (5 + j %% 7) + (i * 7919 + j * 104729 + i * j * 31) %% 261 - 130)
put("bigmid.total", sum(bigmid))
crosstab("bigmid", bigmid)

# ---- Fisher's exact test, 2 x 2 ------------------------------------------
# fisher.test's own estimate and interval stop at uniroot's default
# tol = .Machine$double.eps^0.25.  fisher_conv is stats:::fisher.test's 2 x 2
# code (R 4.2.2) with tol = 1e-14, i.e. the converged values of R's method.
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
# tab is row-major {a, b, c, d} for [[a, b], [c, d]]
fisher <- function(name, tab) {
  x <- matrix(tab, 2, byrow = TRUE)
  f <- fisher.test(x)
  put(paste0("fisher.", name, ".tab"), tab)
  put(paste0("fisher.", name, ".p"), f$p.value)
  put(paste0("fisher.", name, ".r"), c(f$estimate, f$conf.int))
  put(paste0("fisher.", name, ".conv"), fisher_conv(x))
  put(paste0("fisher.", name, ".conv90"), fisher_conv(x, 0.90)[2:3])
}
fisher("infert", rowmajor(infert_tab))             # 96 69 / 47 36
fisher("tea", c(3, 1, 1, 3))                       # ?fisher.test TeaTasting
fisher("convictions", c(2, 15, 10, 3))             # ?fisher.test Convictions
fisher("zero_b", c(1, 5, 0, 9))
fisher("zero_diag", c(0, 5, 5, 0))
fisher("small1", c(1, 2, 3, 4))
fisher("small2", c(0, 4, 6, 2))
fisher("small3", c(7, 0, 2, 3))
fisher("small4", c(10, 1, 1, 10))
fisher("moderate", c(50, 20, 30, 60))
fisher("degenerate", c(0, 5, 0, 7))
fisher("large", c(500123, 498456, 499877, 501544))

# ---- Monte-Carlo exact test ----------------------------------------------
# exact p of the X^2 ordering by full enumeration of the tables with the
# observed margins (what the simulated p estimates), fisher.test's p (which
# orders by probability) and one simulated p from R's own stream.
enum_tables <- function(rs, cs) {
  if (length(rs) == 1) return(list(matrix(cs, 1)))
  res <- list()
  first_rows <- as.matrix(expand.grid(lapply(cs, function(c) 0:c)))
  first_rows <- first_rows[rowSums(first_rows) == rs[1], , drop = FALSE]
  for (r in seq_len(nrow(first_rows))) {
    fr <- first_rows[r, ]
    for (rest in enum_tables(rs[-1], cs - fr)) res[[length(res) + 1]] <- rbind(fr, rest)
  }
  res
}
exact_chisq_p <- function(x) {
  rs <- rowSums(x); cs <- colSums(x); n <- sum(x)
  e <- outer(rs, cs) / n
  stat <- function(t) sum((t - e)^2 / e)
  logp <- function(t) sum(lfactorial(rs)) + sum(lfactorial(cs)) - lfactorial(n) - sum(lfactorial(t))
  tabs <- enum_tables(rs, cs)
  s <- sapply(tabs, stat); p <- exp(sapply(tabs, logp))
  stopifnot(abs(sum(p) - 1) < 1e-12)
  sum(p[s >= stat(x) * (1 - 1e-7)])
}
mc <- function(name, x) {
  put(paste0("mc.", name, ".dim"), dim(x))
  put(paste0("mc.", name, ".counts"), rowmajor(x))
  put(paste0("mc.", name, ".exact_chisq_p"), exact_chisq_p(x))
  put(paste0("mc.", name, ".fisher_p"), fisher.test(x)$p.value)
  set.seed(20240601)
  put(paste0("mc.", name, ".r_sim_p"),
      suppressWarnings(chisq.test(x, simulate.p.value = TRUE, B = 20000))$p.value)
  put(paste0("mc.", name, ".chi2"), suppressWarnings(chisq.test(x, correct = FALSE))$statistic)
}
mc("sparse23", matrix(c(3, 0, 1,  0, 2, 4), 2, byrow = TRUE))
mc("sparse33", matrix(c(2, 0, 1,  0, 3, 0,  1, 0, 2), 3, byrow = TRUE))
mc("t22", matrix(c(7, 2,  3, 8), 2, byrow = TRUE))

# ---- Wilson intervals ----------------------------------------------------
wilson <- rbind(c(0, 10), c(10, 10), c(1, 10), c(5, 10), c(37, 123), c(0, 1), c(1, 1),
                c(499, 1000), c(3, 250000), c(1, 3))
put("wilson.n_cases", nrow(wilson))
for (i in seq_len(nrow(wilson))) {
  ci <- suppressWarnings(prop.test(wilson[i, 1], wilson[i, 2], correct = FALSE))$conf.int
  put(paste0("wilson.", i), c(wilson[i, ], ci))
  ci90 <- suppressWarnings(prop.test(wilson[i, 1], wilson[i, 2], conf.level = 0.9, correct = FALSE))$conf.int
  put(paste0("wilson90.", i), c(wilson[i, ], ci90))
}

# ---- Benjamini-Hochberg --------------------------------------------------
p <- c(0.01, 0.04, 0.03, 0.005, 0.5, 0.04, 1, 0.2, 0.0001, 0.049, 0, 0.04)
put("bh.p", p)
put("bh.adj", p.adjust(p, method = "BH"))

# ---- Co-occurrence -------------------------------------------------------
# tab = {both, A only, B only, neither}; phi as the correlation of the two
# 0/1 indicators over the units
cooc <- function(name, tab) {
  a <- rep(c(1, 1, 0, 0), tab); b <- rep(c(1, 0, 1, 0), tab)
  n <- length(a)
  put(paste0("cooc.", name, ".tab"), tab)
  put(paste0("cooc.", name, ".expected"), sum(a) * sum(b) / n)
  put(paste0("cooc.", name, ".lift"), tab[1] / (sum(a) * sum(b) / n))
  put(paste0("cooc.", name, ".phi"), cor(a, b))
  put(paste0("cooc.", name, ".fisher_p"), fisher.test(table(a, b))$p.value)
}
cooc("pos", c(30, 70, 50, 850))
cooc("none", c(0, 20, 30, 950))
cooc("neg", c(2, 98, 300, 600))
close(out)
