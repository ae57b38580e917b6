-- title: 項目別の未記入・不明の割合（データ品質）
-- title_en: Data quality: blank and unknown values by field
-- description: for each optional field, how many cases leave it blank (n_empty) or give 不明 (n_unknown) out of the cases where it applies (n_total), with both shares
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct_empty = n_empty / n_total
-- share: pct_unknown = n_unknown / n_total
-- column: field | 項目 | field
-- column: n_empty | 未記入 | blank
-- column: n_unknown | 不明 | unknown
-- column: n_total | 対象件数 | cases where it applies
-- column: pct_empty | 未記入の割合(%) | blank (%)
-- column: pct_unknown | 不明の割合(%) | unknown (%)
-- keysum: n_empty = n_empty_key, n_unknown = n_unknown_key, n_total = n_total_key
--
-- What the database can tell apart: 性別 and 結果 have their own 不明 code
-- (sex U, outcome unknown), so blank and 不明 are separate.  世帯構成,
-- 相談経路 and 会議 have no 不明 code: the import stores 不明 there as blank,
-- so n_unknown is left empty for them (kasane import's summary reports the
-- split at import time).  終結日 and 結果 apply only to closed (終結) and
-- suspended (中断) cases, so n_total for them is those cases; for the other
-- fields it is every case.  Required fields (地区, 相談日, 課題, 本人同意,
-- 状況, 生年月日) are never blank and are not listed.  Two shares instead of
-- one: a share of blank-or-unknown would reveal a hidden n_unknown.
-- The *_key columns: the sums of the record keys of the cases each count
-- counts (their cell keys).
WITH s AS MATERIALIZED (
  SELECT count(*) AS n_all,
         count(*) FILTER (WHERE status_id IN (2, 3)) AS n_ended,
         count(*) FILTER (WHERE sex_id IS NULL) AS sex_empty,
         count(*) FILTER (WHERE sex_id = 4) AS sex_unknown,                 -- 不明
         count(*) FILTER (WHERE household_type_id IS NULL) AS ht_empty,
         count(*) FILTER (WHERE household_id IS NULL) AS hh_empty,
         count(*) FILTER (WHERE intake_route_id IS NULL) AS route_empty,
         count(*) FILTER (WHERE intake_agency_id IS NULL) AS agency_empty,
         count(*) FILTER (WHERE support_count = 0) AS support_empty,
         count(*) FILTER (WHERE partner_count = 0) AS partner_empty,
         count(*) FILTER (WHERE meeting_type_id IS NULL) AS meeting_empty,
         count(*) FILTER (WHERE status_id IN (2, 3) AND closed_date IS NULL) AS closed_empty,
         count(*) FILTER (WHERE status_id IN (2, 3) AND outcome_id IS NULL) AS outcome_empty,
         count(*) FILTER (WHERE status_id IN (2, 3) AND outcome_id = 7) AS outcome_unknown,  -- 不明
         -- the same cases' record keys, summed (each count's cell key)
         sum(rkey) AS k_all,
         sum(rkey) FILTER (WHERE status_id IN (2, 3)) AS k_ended,
         sum(rkey) FILTER (WHERE sex_id IS NULL) AS k_sex_empty,
         sum(rkey) FILTER (WHERE sex_id = 4) AS k_sex_unknown,
         sum(rkey) FILTER (WHERE household_type_id IS NULL) AS k_ht_empty,
         sum(rkey) FILTER (WHERE household_id IS NULL) AS k_hh_empty,
         sum(rkey) FILTER (WHERE intake_route_id IS NULL) AS k_route_empty,
         sum(rkey) FILTER (WHERE intake_agency_id IS NULL) AS k_agency_empty,
         sum(rkey) FILTER (WHERE support_count = 0) AS k_support_empty,
         sum(rkey) FILTER (WHERE partner_count = 0) AS k_partner_empty,
         sum(rkey) FILTER (WHERE meeting_type_id IS NULL) AS k_meeting_empty,
         sum(rkey) FILTER (WHERE status_id IN (2, 3) AND closed_date IS NULL) AS k_closed_empty,
         sum(rkey) FILTER (WHERE status_id IN (2, 3) AND outcome_id IS NULL) AS k_outcome_empty,
         sum(rkey) FILTER (WHERE status_id IN (2, 3) AND outcome_id = 7) AS k_outcome_unknown
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR fiscal_year = :fy
),
f(ord, label_ja, label_en, n_empty, n_unknown, n_total, n_empty_key, n_unknown_key, n_total_key) AS (
  SELECT 1, '性別', 'sex', sex_empty, sex_unknown, n_all, k_sex_empty, k_sex_unknown, k_all FROM s
  UNION ALL SELECT 2, '世帯構成', 'household type', ht_empty, NULL, n_all, k_ht_empty, NULL, k_all FROM s
  UNION ALL SELECT 3, '世帯番号', 'household number', hh_empty, NULL, n_all, k_hh_empty, NULL, k_all FROM s
  UNION ALL SELECT 4, '相談経路', 'intake route', route_empty, NULL, n_all, k_route_empty, NULL, k_all FROM s
  UNION ALL SELECT 5, '受付機関', 'intake agency', agency_empty, NULL, n_all, k_agency_empty, NULL, k_all FROM s
  UNION ALL SELECT 6, '支援内容', 'supports', support_empty, NULL, n_all, k_support_empty, NULL, k_all FROM s
  UNION ALL SELECT 7, '連携先', 'partners', partner_empty, NULL, n_all, k_partner_empty, NULL, k_all FROM s
  UNION ALL SELECT 8, '会議', 'meeting', meeting_empty, NULL, n_all, k_meeting_empty, NULL, k_all FROM s
  UNION ALL SELECT 9, '終結日（終結・中断）', 'closing date (closed or suspended)', closed_empty, NULL, n_ended,
                   k_closed_empty, NULL, k_ended FROM s
  UNION ALL SELECT 10, '結果（終結・中断）', 'outcome (closed or suspended)', outcome_empty, outcome_unknown, n_ended,
                   k_outcome_empty, k_outcome_unknown, k_ended FROM s
)
SELECT label(label_ja, label_en) AS field, n_empty, n_unknown, n_total,
       round(100.0 * n_empty / n_total, 1) AS pct_empty,
       round(100.0 * n_unknown / n_total, 1) AS pct_unknown,
       n_empty_key, n_unknown_key, n_total_key
FROM f
ORDER BY ord;
