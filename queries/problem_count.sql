-- title: 課題数別の相談件数（複合度）
-- title_en: Cases by number of problems (complexity)
-- description: how many problems each case lists (1, 2, 3, 4, 5 or more), with shares and a total row
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n
-- total-row: yes
-- column: problems | 課題数 | problems per case
-- column: n | 件数 | cases
-- column: pct | 割合(%) | share (%)
-- keysum: n = n_key
--
-- problem_count is the number of distinct problems listed (at least 1: the
-- field is required).  Each case is in exactly one row, so the total row is
-- the number of cases.  pct = 100 * n / all cases of the period.  n_key:
-- the sum of the row's cases' record keys (its cell key).
WITH cnt AS (
  SELECT min(c.problem_count, 5) AS k, count(*) AS n, sum(rk.rkey) AS n_key
  FROM case_record c
  JOIN record_key rk ON rk.unit = 1 AND rk.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY min(c.problem_count, 5)
),
tot AS (SELECT coalesce(sum(n), 0) AS total, sum(n_key) AS total_key FROM cnt),
bucket(k) AS (VALUES (1), (2), (3), (4), (5)),
body AS (
  SELECT b.k AS ord, CASE WHEN b.k = 5 THEN label('5以上', '5 or more') ELSE CAST(b.k AS TEXT) END AS problems,
         coalesce(cnt.n, 0) AS n, cnt.n_key
  FROM bucket b LEFT JOIN cnt ON cnt.k = b.k
  UNION ALL
  SELECT 6, label('合計', 'Total'), total, total_key FROM tot
)
SELECT problems, n, round(100.0 * n / (SELECT total FROM tot), 1) AS pct, n_key
FROM body
ORDER BY ord;
