-- title: 相談経路別・年度別の相談件数
-- title_en: Intake routes by fiscal year
-- description: how cases reached the coordinators (本人, 家族, 民生委員, アウトリーチ, ...) by fiscal year of consultation, with totals; a blank route is its own row (未記入)
-- param: from date 2000-01-01 (first consultation date included)
-- param: to date 2100-12-31 (last consultation date included)
-- pivot: intake_route, fiscal_year, n
-- totals: yes
-- column: intake_route | 相談経路 | intake route
-- keysum: n = n_key
--
-- One route per case (or none), so one cell per case.  The import stores 不明
-- as blank for this field: 未記入 holds both.  n_key: the sum of the
-- cell's cases' record keys (its cell key).
WITH cnt AS (
  SELECT coalesce(c.intake_route_id, 0) AS id, c.fiscal_year, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE c.consult_date BETWEEN :from AND :to
  GROUP BY coalesce(c.intake_route_id, 0), c.fiscal_year
),
routes AS (
  SELECT intake_route_id AS id, label_ja, label_en FROM intake_route
  UNION ALL
  SELECT 0, '未記入', 'Not recorded'
),
years AS (SELECT DISTINCT fiscal_year FROM cnt)
SELECT label(r.label_ja, r.label_en) AS intake_route,
       label(y.fiscal_year || '年度', 'FY' || y.fiscal_year) AS fiscal_year,
       coalesce(cnt.n, 0) AS n,
       cnt.n_key
FROM routes r
CROSS JOIN years y
LEFT JOIN cnt ON cnt.id = r.id AND cnt.fiscal_year = y.fiscal_year
ORDER BY r.id = 0, r.id, y.fiscal_year;
