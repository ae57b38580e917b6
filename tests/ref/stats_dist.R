# Reference values for tests/unit/test_stats_dist.c (R 4.2.2):
#   Rscript tests/ref/stats_dist.R
options(digits = 17)
print(c(qt(0.975, 10), qt(0.975, 2.5), pt(2.1, 7, lower.tail = FALSE),
        pchisq(3.84, 1, lower.tail = FALSE), pchisq(120, 97, lower.tail = FALSE),
        qnorm(0.975), qnorm(1e-10), pnorm(3.2, lower.tail = FALSE),
        qnorm(0.025 / 12, lower.tail = FALSE)))
