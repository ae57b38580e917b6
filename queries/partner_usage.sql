-- title: 連携先別の件数（分野・種別順）
-- title_en: Cases by partner, grouped by field and kind
-- description: every partner window, agency and group of the municipality profile with its field (介護, 障がい, 子ども, 生活困窮, その他) and kind (市窓口, 関係機関, 団体), and the cases connected to it (n) as a share of all cases
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n / n_cases
-- column: partner_field | 分野 | field
-- column: partner_kind | 種別 | kind
-- column: partner | 連携先 | partner
-- column: n | 件数 | cases
-- column: n_cases | 全相談件数 | all cases
-- column: pct | 割合(%) | share of all cases (%)
-- keysum: n = n_key, n_cases = n_cases_key
--
-- A case may name several partners: the rows do not add up to the cases (no
-- totals).  Partners never used are listed with 0; names not in the profile
-- are counted together as 未登録の連携先, listed last.  The *_key columns:
-- the sums of the record keys of the cases each count counts (their cell
-- keys), carried through the sets as the counts are.
WITH m AS (
  SELECT c.partner_mask, count(*) AS n, sum(rk.rkey) AS n_key
  FROM case_record c
  JOIN record_key rk ON rk.unit = 1 AND rk.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY c.partner_mask
),
tot AS (SELECT coalesce(sum(n), 0) AS n_cases, sum(n_key) AS n_cases_key FROM m)
SELECT label(f.label_ja, f.label_en) AS partner_field,
       label(k.label_ja, k.label_en) AS partner_kind,
       label(pa.label_ja, pa.label_en) AS partner,
       coalesce(sum(m.n), 0) AS n,
       tot.n_cases,
       round(100.0 * coalesce(sum(m.n), 0) / tot.n_cases, 1) AS pct,
       sum(m.n_key) AS n_key,
       tot.n_cases_key
FROM partner pa
LEFT JOIN field f ON f.field_id = pa.field_id
LEFT JOIN partner_kind k ON k.partner_kind_id = pa.partner_kind_id
LEFT JOIN m ON m.partner_mask & (1 << pa.partner_id) <> 0
CROSS JOIN tot
GROUP BY pa.partner_id
ORDER BY pa.listed = 0, pa.field_id, pa.partner_kind_id, pa.partner_id;
