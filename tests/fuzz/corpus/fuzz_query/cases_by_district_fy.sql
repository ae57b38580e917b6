-- title: 地区別・年度別の相談件数
-- title_en: Cases by district and fiscal year
-- description: cases by district and fiscal year of consultation (April-March), with totals; optional consultation date range
-- param: from date 2000-01-01 (first consultation date included)
-- param: to date 2100-12-31 (last consultation date included)
-- pivot: district, fiscal_year, n
-- totals: yes
-- column: district | 地区 | district
-- keysum: n = n_key
--
-- Each case has one district and one fiscal year: one cell per case, so the
-- totals are true totals.  Every district of the profile is a row and every
-- fiscal year with a case is a column (zeros included, years in order).
-- n_key: the sum of the cell's cases' record keys (its cell key).
WITH cnt AS (
  SELECT c.district_id, c.fiscal_year, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE c.consult_date BETWEEN :from AND :to
  GROUP BY c.district_id, c.fiscal_year
),
years AS (SELECT DISTINCT fiscal_year FROM cnt)
SELECT label(d.label_ja, d.label_en) AS district,
       label(y.fiscal_year || '年度', 'FY' || y.fiscal_year) AS fiscal_year,
       coalesce(cnt.n, 0) AS n,
       cnt.n_key
FROM district d
CROSS JOIN years y
LEFT JOIN cnt ON cnt.district_id = d.district_id AND cnt.fiscal_year = y.fiscal_year
ORDER BY d.district_id, y.fiscal_year;
