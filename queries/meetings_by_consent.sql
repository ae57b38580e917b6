-- title: 会議の種類別・本人同意別の件数
-- title_en: Meetings by type and consent
-- description: cases by the meeting that discussed them (重層的支援会議, 支援会議, なし, blank) and consent, with totals
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- pivot: meeting, consent, n
-- totals: yes
-- column: meeting | 会議 | meeting
-- keysum: n = n_key
--
-- One meeting type (or none) and one consent value per case.  支援会議 is
-- where cases without consent are discussed; this table shows only counts.
-- n_key: the sum of the cell's cases' record keys (its cell key).
WITH cnt AS (
  SELECT coalesce(c.meeting_type_id, 0) AS id, c.consent_id, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY coalesce(c.meeting_type_id, 0), c.consent_id
),
meetings AS (
  SELECT meeting_type_id AS id, label_ja, label_en FROM meeting_type
  UNION ALL
  SELECT 0, '未記入', 'Not recorded'
)
SELECT label(m.label_ja, m.label_en) AS meeting,
       label(c.label_ja, c.label_en) AS consent,
       coalesce(cnt.n, 0) AS n,
       cnt.n_key
FROM meetings m
CROSS JOIN consent c
LEFT JOIN cnt ON cnt.id = m.id AND cnt.consent_id = c.consent_id
ORDER BY m.id = 0, m.id, c.consent_id;
