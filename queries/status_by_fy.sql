-- title: 支援状況別・年度別の相談件数
-- title_en: Cases by status and fiscal year
-- description: cases by status (継続, 終結, 中断) and fiscal year of consultation, with totals
-- pivot: status, fiscal_year, n
-- totals: yes
-- column: status | 支援状況 | status
-- keysum: n = n_key
--
-- status is required, so every case counts in exactly one cell.  n_key: the
-- sum of the cell's cases' record keys (its cell key).
WITH cnt AS (
  SELECT c.status_id, c.fiscal_year, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  GROUP BY c.status_id, c.fiscal_year
),
years AS (SELECT DISTINCT fiscal_year FROM cnt)
SELECT label(s.label_ja, s.label_en) AS status,
       label(y.fiscal_year || '年度', 'FY' || y.fiscal_year) AS fiscal_year,
       coalesce(cnt.n, 0) AS n,
       cnt.n_key
FROM status s
CROSS JOIN years y
LEFT JOIN cnt ON cnt.status_id = s.status_id AND cnt.fiscal_year = y.fiscal_year
ORDER BY s.status_id, y.fiscal_year;
