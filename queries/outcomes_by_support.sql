-- title: 支援内容別の終結事例の結果（解決・改善の割合）
-- title_en: Outcomes of closed cases by support
-- description: for each kind of support, the closed (終結) cases that received it (n_closed) and how many ended 解決 or 改善 (n_good), with the share; 支援内容なし is the closed cases with no support recorded
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n_good / n_closed
-- column: support | 支援内容 | support
-- column: n_closed | 終結件数 | closed cases
-- column: n_good | 解決・改善 | resolved or improved
-- column: pct | 解決・改善の割合(%) | resolved or improved (%)
-- keysum: n_closed = n_closed_key, n_good = n_good_key
--
-- Closed means status 終結; suspended (中断) and ongoing cases are left out.
-- A closed case with a blank outcome counts in n_closed, not in n_good.
-- The *_key columns: the sums of the record keys of the cases each count
-- counts (their cell keys), carried through the sets as the counts are.
-- A case with several supports counts for each (no totals).  Descriptive:
-- supports are chosen for the case, so shares are not effects.  Supports
-- without closed cases are not listed.
WITH m AS (
  SELECT c.support_mask,
         count(*) AS n_closed,
         count(*) FILTER (WHERE good_outcome(c.outcome_id)) AS n_good,  -- 解決, 改善 (codes.h)
         sum(k.rkey) AS n_closed_key,
         sum(k.rkey) FILTER (WHERE good_outcome(c.outcome_id)) AS n_good_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE c.status_id = 2  -- 終結
    AND (:fy = 0 OR c.fiscal_year = :fy)
  GROUP BY c.support_mask
),
rows AS (
  SELECT s.support_id AS ord, label(s.label_ja, s.label_en) AS support,
         sum(m.n_closed) AS n_closed, sum(m.n_good) AS n_good,
         sum(m.n_closed_key) AS n_closed_key, sum(m.n_good_key) AS n_good_key
  FROM support s JOIN m ON m.support_mask & (1 << s.support_id) <> 0
  GROUP BY s.support_id
  UNION ALL
  SELECT 1000, label('支援内容なし', 'no support recorded'), n_closed, n_good, n_closed_key, n_good_key
  FROM m WHERE support_mask = 0
)
SELECT support, n_closed, n_good, round(100.0 * n_good / n_closed, 1) AS pct, n_closed_key, n_good_key
FROM rows
ORDER BY ord;
