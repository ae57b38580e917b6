# duration_quartiles.R: reference values for queries/duration_by_main_problem.sql.
#
# Reads the t1010 fixture (tests/fixtures/queries/cases.csv) on its own,
# without kasane: parses the dates of the forms the fixture uses, takes cases
# closed (終結/closed) or suspended (中断/suspended) with a closing date, and
# gives type-1 quartiles (Hyndman & Fan; the inverse empirical distribution,
# the same definition the query documents) of the days from consultation to
# closure, by the first-listed problem.
#
#   Rscript tests/ref/queries/duration_quartiles.R > tests/ref/queries/duration_quartiles.csv
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(sub("^--file=", "", args[grep("^--file=", args)]))
x <- read.csv(file.path(here, "..", "..", "fixtures", "queries", "cases.csv"),
              colClasses = "character", encoding = "UTF-8", check.names = FALSE)

as_day <- function(s) {
  s <- trimws(s)
  out <- rep(as.Date(NA), length(s))
  iso <- grepl("^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}$", s)
  out[iso] <- as.Date(gsub("/", "-", s[iso]))
  era <- grepl("^[RHS][0-9]+\\.[0-9]+\\.[0-9]+$", s)
  if (any(era)) {
    base <- c(R = 2018, H = 1988, S = 1925)[substr(s[era], 1, 1)]
    p <- do.call(rbind, strsplit(substring(s[era], 2), ".", fixed = TRUE))
    out[era] <- as.Date(sprintf("%d-%s-%s", base + as.integer(p[, 1]), p[, 2], p[, 3]))
  }
  out
}

main_codes <- c(care = "介護", child = "子育て")
first <- sapply(strsplit(x[["課題"]], "[;、／]"), `[`, 1)
first <- ifelse(first %in% names(main_codes), main_codes[first], first)
ended <- x[["状況"]] %in% c("終結", "closed", "中断", "suspended") & x[["終結日"]] != ""
days <- as.numeric(as_day(x[["終結日"]]) - as_day(x[["相談日"]]))

order_ja <- c("介護", "認知症", "障がい", "精神保健", "子育て", "不登校", "生活困窮", "債務・家計",
              "住まい", "就労", "ひきこもり", "8050問題", "ダブルケア", "ヤングケアラー")
cat(sprintf("# %s\n", R.version.string))
cat("main_problem,n,q1_days,median_days,q3_days\n")
for (p in intersect(order_ja, unique(first[ended]))) {
  d <- days[ended & first == p]
  q <- quantile(d, c(0.25, 0.5, 0.75), type = 1, names = FALSE)
  cat(sprintf("%s,%d,%d,%d,%d\n", p, length(d), q[1], q[2], q[3]))
}
