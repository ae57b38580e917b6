-- title: 3分野以上にまたがる事例（年度別・地区別）
-- title_en: Cases crossing three or more fields, by fiscal year and district
-- description: cases whose problems and partners together span at least min_fields of the five fields (介護, 障がい, 子ども, 生活困窮, その他), by fiscal year of consultation and district, as a share of all cases there; with a total row
-- param: min_fields int 3 (the least number of fields a case must cross)
-- share: pct = n / n_cases
-- total-row: yes
-- column: fiscal_year | 年度 | fiscal year
-- column: district | 地区 | district
-- column: n | 該当件数 | cases crossing the fields
-- column: n_cases | 相談件数 | all cases
-- column: pct | 割合(%) | share (%)
-- keysum: n = n_key, n_cases = n_cases_key
--
-- field_count is computed at import: the distinct fields over the case's
-- problems and its partners (a partner's field comes from the profile).
-- Each case is in exactly one (year, district) row, so both count columns
-- add up to the total row.  n_key, n_cases_key: the sums of the record keys
-- of the cases each counts (their cell keys).
WITH cnt AS (
  SELECT c.fiscal_year, c.district_id,
         count(*) FILTER (WHERE c.field_count >= :min_fields) AS n,
         count(*) AS n_cases,
         sum(k.rkey) FILTER (WHERE c.field_count >= :min_fields) AS n_key,
         sum(k.rkey) AS n_cases_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  GROUP BY c.fiscal_year, c.district_id
),
body AS (
  SELECT 0 AS ord1, cnt.fiscal_year AS ord2, d.district_id AS ord3,
         label(cnt.fiscal_year || '年度', 'FY' || cnt.fiscal_year) AS fiscal_year,
         label(d.label_ja, d.label_en) AS district, cnt.n, cnt.n_cases, cnt.n_key, cnt.n_cases_key
  FROM cnt JOIN district d ON d.district_id = cnt.district_id
  UNION ALL
  SELECT 1, 0, 0, label('合計', 'Total'), NULL, coalesce(sum(n), 0), coalesce(sum(n_cases), 0), sum(n_key),
         sum(n_cases_key)
  FROM cnt
)
SELECT fiscal_year, district, n, n_cases, round(100.0 * n / n_cases, 1) AS pct, n_key, n_cases_key
FROM body
ORDER BY ord1, ord2, ord3;
