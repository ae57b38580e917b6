-- title: 主たる課題の分野別・連携先の分野別の件数
-- title_en: Partner fields by the field of the main problem
-- description: for each field of the main problem (介護, 障がい, 子ども, 生活困窮, その他), the cases connected to at least one partner of each field (n), as a share of the cases whose main problem is in that field (n_field); shows how often work crosses into another field
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n / n_field
-- column: problem_field | 主たる課題の分野 | field of the main problem
-- column: partner_field | 連携先の分野 | partner's field
-- column: n | 件数 | cases
-- column: n_field | 分野の件数 | cases in the field
-- column: pct | 割合(%) | share of the field's cases (%)
-- keysum: n = n_key, n_field = n_field_key
--
-- A case counts once per partner field it reached, however many partners of
-- that field it named; cases may reach several fields, so no totals.
-- Partners without a field (names not in the profile) are 分野なし; cases
-- with no partner at all are 連携先なし.  The fields of problems are fixed
-- by the engine (8050問題 with 介護, ダブルケア and ヤングケアラー with 子ども).
-- The *_key columns: the sums of the record keys of the cases each count
-- counts (their cell keys), carried through the sets as the counts are (mf
-- lists a set's fields once each, so a case adds its key once per field).
WITH m AS (
  SELECT c.main_problem_id, c.partner_mask, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY c.main_problem_id, c.partner_mask
),
masks AS (SELECT DISTINCT partner_mask FROM m),
mf AS (  -- the partner fields each set of partners reaches (-1: none, 0: no field)
  SELECT DISTINCT masks.partner_mask, coalesce(pa.field_id, 0) AS field_id
  FROM masks JOIN partner pa ON masks.partner_mask & (1 << pa.partner_id) <> 0
  UNION ALL
  SELECT 0, -1
),
pf AS (
  SELECT p.field_id, sum(m.n) AS n_field, sum(m.n_key) AS n_field_key
  FROM m JOIN problem p ON p.problem_id = m.main_problem_id
  GROUP BY p.field_id
),
cell AS (
  SELECT p.field_id AS problem_field_id, mf.field_id AS partner_field_id, sum(m.n) AS n, sum(m.n_key) AS n_key
  FROM m
  JOIN problem p ON p.problem_id = m.main_problem_id
  JOIN mf ON mf.partner_mask = m.partner_mask
  GROUP BY p.field_id, mf.field_id
)
SELECT label(f1.label_ja, f1.label_en) AS problem_field,
       CASE cell.partner_field_id
         WHEN -1 THEN label('連携先なし', 'no partner')
         WHEN 0 THEN label('分野なし', 'no field')
         ELSE label(f2.label_ja, f2.label_en) END AS partner_field,
       cell.n,
       pf.n_field,
       round(100.0 * cell.n / pf.n_field, 1) AS pct,
       cell.n_key,
       pf.n_field_key
FROM cell
JOIN field f1 ON f1.field_id = cell.problem_field_id
LEFT JOIN field f2 ON f2.field_id = cell.partner_field_id
JOIN pf ON pf.field_id = cell.problem_field_id
ORDER BY cell.problem_field_id, cell.partner_field_id <= 0, abs(cell.partner_field_id);
