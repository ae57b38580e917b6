-- title: 主たる課題別の相談から終結までの日数
-- title_en: Days from consultation to closure by main problem
-- description: for cases closed (終結) or suspended (中断) with a closing date, the number of days from consultation to closure by main problem: n, first quartile, median and third quartile (type-1 quantiles, see the comment); the quartiles of a group whose n is hidden are hidden with it
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: q1_days = n
-- share: median_days = n
-- share: q3_days = n
-- column: main_problem | 主たる課題 | main problem
-- column: n | 件数 | cases
-- column: q1_days | 第1四分位(日) | 1st quartile (days)
-- column: median_days | 中央値(日) | median (days)
-- column: q3_days | 第3四分位(日) | 3rd quartile (days)
-- keysum: n = n_key
--
-- Quantile definition: type 1 of Hyndman & Fan (R quantile(x, p, type = 1)),
-- the inverse of the empirical distribution: Q(p) = x(j) with j = ceil(n p)
-- over the durations sorted ascending x(1) <= ... <= x(n).  So the median is
-- the lower median x(ceil(n/2)) and always an observed number of days.  In
-- integers: ceil(n/4) = (n+3)/4, ceil(n/2) = (n+1)/2, ceil(3n/4) = (3n+3)/4.
-- Quartiles are statistics of individual cases: for a group whose n is
-- hidden they are hidden too.  The `share:` lines above link each quartile
-- to n, so kasane hides it wherever it hides n, with the database's own k
-- (2..100, the same k as every other output).  The query does not read k
-- itself: an earlier version read meta 'threshold' in SQL, accepted up to
-- 1000 and so could disagree with kasane.  n_key: the sum of the record keys
-- of the cases n counts (its cell key).
WITH g AS (  -- cases per main problem and duration: few distinct durations
  SELECT cr.main_problem_id, cr.duration_days AS days, count(*) AS c, sum(k.rkey) AS ks
  FROM case_record cr
  JOIN record_key k ON k.unit = 1 AND k.id = cr.case_id
  WHERE cr.status_id IN (2, 3)  -- 終結, 中断
    AND cr.duration_days IS NOT NULL
    AND (:fy = 0 OR cr.fiscal_year = :fy)
  GROUP BY cr.main_problem_id, cr.duration_days
),
cum AS (  -- upto = how many cases of the problem took at most `days`
  SELECT main_problem_id, days, ks,
         sum(c) OVER (PARTITION BY main_problem_id ORDER BY days ROWS UNBOUNDED PRECEDING) AS upto,
         sum(c) OVER (PARTITION BY main_problem_id) AS n
  FROM g
),
q AS (  -- x(j) is the smallest duration whose running count reaches j
  SELECT main_problem_id, max(n) AS n, sum(ks) AS n_key,
         min(CASE WHEN upto >= (n + 3) / 4 THEN days END) AS q1,
         min(CASE WHEN upto >= (n + 1) / 2 THEN days END) AS q2,
         min(CASE WHEN upto >= (3 * n + 3) / 4 THEN days END) AS q3
  FROM cum
  GROUP BY main_problem_id
)
SELECT label(p.label_ja, p.label_en) AS main_problem,
       q.n,
       q.q1 AS q1_days,
       q.q2 AS median_days,
       q.q3 AS q3_days,
       q.n_key
FROM q
JOIN problem p ON p.problem_id = q.main_problem_id
ORDER BY q.main_problem_id;
