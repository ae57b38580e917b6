-- title: 世帯構成別の相談件数
-- title_en: Cases by household type
-- description: cases by household type with their share of all cases and a total row; a blank household type is its own row (未記入)
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n
-- total-row: yes
-- column: household_type | 世帯構成 | household type
-- column: n | 件数 | cases
-- column: pct | 割合(%) | share (%)
-- keysum: n = n_key
--
-- pct = 100 * n / (all cases of the period), one decimal.  Every household
-- type is listed, zeros included; the import stores 不明 as blank for this
-- field (its code list has no 不明), so 未記入 holds both.  n_key: the sum
-- of the row's cases' record keys (its cell key; the total's is all of them).
WITH cnt AS (
  SELECT coalesce(c.household_type_id, 0) AS id, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY coalesce(c.household_type_id, 0)
),
tot AS (SELECT coalesce(sum(n), 0) AS total, sum(n_key) AS total_key FROM cnt),
types AS (
  SELECT household_type_id AS id, label_ja, label_en FROM household_type
  UNION ALL
  SELECT 0, '未記入', 'Not recorded'
),
body AS (
  SELECT t.id = 0 AS ord1, t.id AS ord2, label(t.label_ja, t.label_en) AS household_type,
         coalesce(cnt.n, 0) AS n, cnt.n_key
  FROM types t LEFT JOIN cnt ON cnt.id = t.id
  UNION ALL
  SELECT 2, 0, label('合計', 'Total'), total, total_key FROM tot
)
SELECT household_type, n, round(100.0 * n / (SELECT total FROM tot), 1) AS pct, n_key
FROM body
ORDER BY ord1, ord2;
