-- title: 連携先別の終結事例の結果（解決・改善の割合）
-- title_en: Outcomes of closed cases by partner
-- description: for each partner, the closed (終結) cases connected to it (n_closed) and how many ended 解決 or 改善 (n_good), with the share; 連携先なし is the closed cases with no partner
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n_good / n_closed
-- column: partner | 連携先 | partner
-- column: n_closed | 終結件数 | closed cases
-- column: n_good | 解決・改善 | resolved or improved
-- column: pct | 解決・改善の割合(%) | resolved or improved (%)
-- keysum: n_closed = n_closed_key, n_good = n_good_key
--
-- Closed means status 終結; suspended (中断) and ongoing cases are left out.
-- A closed case with a blank outcome counts in n_closed, not in n_good.
-- The *_key columns: the sums of the record keys of the cases each count
-- counts (their cell keys), carried through the sets as the counts are.
-- A case with several partners counts for each (no totals).  These are
-- descriptive shares: partners see different cases, so a higher share does
-- not by itself mean a better partner.  Partners without closed cases are
-- not listed.
WITH m AS (
  SELECT c.partner_mask,
         count(*) AS n_closed,
         count(*) FILTER (WHERE good_outcome(c.outcome_id)) AS n_good,  -- 解決, 改善 (codes.h)
         sum(k.rkey) AS n_closed_key,
         sum(k.rkey) FILTER (WHERE good_outcome(c.outcome_id)) AS n_good_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE c.status_id = 2  -- 終結
    AND (:fy = 0 OR c.fiscal_year = :fy)
  GROUP BY c.partner_mask
),
rows AS (
  SELECT pa.partner_id AS ord, label(pa.label_ja, pa.label_en) AS partner,
         sum(m.n_closed) AS n_closed, sum(m.n_good) AS n_good,
         sum(m.n_closed_key) AS n_closed_key, sum(m.n_good_key) AS n_good_key
  FROM partner pa JOIN m ON m.partner_mask & (1 << pa.partner_id) <> 0
  GROUP BY pa.partner_id
  UNION ALL
  SELECT 1000, label('連携先なし', 'no partner'), n_closed, n_good, n_closed_key, n_good_key
  FROM m WHERE partner_mask = 0
)
SELECT partner, n_closed, n_good, round(100.0 * n_good / n_closed, 1) AS pct, n_closed_key, n_good_key
FROM rows
ORDER BY ord = 1000, ord = 0, ord;
