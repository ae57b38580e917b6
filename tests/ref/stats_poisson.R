# stats_poisson.R: reference values for src/stats/stats_poisson.c, the exact
# (Garwood) Poisson interval of a count x: lower = qgamma(a/2, x) (0 for
# x = 0), upper = qgamma(1 - a/2, x + 1), which is poisson.test(x)$conf.int.
# Run from the repository root:
#   Rscript tests/ref/stats_poisson.R
# It writes tests/ref/stats_poisson_ref.txt: "name value" lines (%.17g),
# read by tests/unit/test_stats_poisson.c.  CI never runs R.
xs <- c(0, 1, 2, 5, 10, 100, 1158, 1159, 1160, 2353, 1e5, 1e6)
levels <- c(0.95, 0.99, 0.90)
out <- c(paste("# R.version.string:", R.version.string),
         "# garwood.<conf>.<x>.lower/upper: qgamma, checked against poisson.test")
for (conf in levels) for (x in xs) {
  a <- 1 - conf
  lo <- if (x == 0) 0 else qgamma(a / 2, x)
  hi <- qgamma(1 - a / 2, x + 1)
  ci <- poisson.test(x, conf.level = conf)$conf.int
  stopifnot(abs(ci[1] - lo) <= 1e-12 * max(1, lo), abs(ci[2] - hi) <= 1e-12 * hi)
  key <- sprintf("garwood.%g.%.0f", conf, x)
  out <- c(out, sprintf("%s.lower %.17g", key, lo), sprintf("%s.upper %.17g", key, hi))
}
# lower-tail quantiles of the gamma distribution (shape a, scale 1) in the
# tails, where a root finder has the least room
for (p in c(1e-10, 1e-4, 0.5, 1 - 1e-4)) for (sh in c(0.5, 1, 3.5, 1159, 2e6))
  out <- c(out, sprintf("qgamma.%g.%g %.17g", p, sh, qgamma(p, sh)))
writeLines(out, "tests/ref/stats_poisson_ref.txt")
