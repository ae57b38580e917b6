-- title: 支援状況別・年度別の相談件数
-- title_en: Cases by status and fiscal year
-- description: cases by status (継続, 終結, 中断) and fiscal year of consultation, with totals
-- pivot: status, fiscal_year, n
-- totals: yes
-- column: status | 支援状況 | status
--
-- status is required, so every case counts in exactly one cell.
WITH cnt AS (
  SELECT status_id, fiscal_year, count(*) AS n
  FROM case_record
  GROUP BY status_id, fiscal_year
),
years AS (SELECT DISTINCT fiscal_year FROM cnt)
SELECT label(s.label_ja, s.label_en) AS status,
       label(y.fiscal_year || '年度', 'FY' || y.fiscal_year) AS fiscal_year,
       coalesce(cnt.n, 0) AS n
FROM status s
CROSS JOIN years y
LEFT JOIN cnt ON cnt.status_id = s.status_id AND cnt.fiscal_year = y.fiscal_year
ORDER BY s.status_id, y.fiscal_year;
