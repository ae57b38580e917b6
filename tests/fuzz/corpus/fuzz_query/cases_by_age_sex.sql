-- title: 年齢階級別・性別の相談件数
-- title_en: Cases by age band and sex
-- description: cases by 5-year age band (age at consultation) and sex, with totals; a blank sex is its own column (未記入), apart from 不明
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- pivot: age_band, sex, n
-- totals: yes
-- column: age_band | 年齢階級 | age band
-- keysum: n = n_key
--
-- Every case has one age band and at most one sex, so it counts in exactly
-- one cell and the totals are true totals.  Every sex column is listed for
-- every age band that has a case (zeros included), so the columns keep the
-- code order whatever the data: 男, 女, その他, 不明, 未記入.
-- n_key: the sum of the cell's cases' record keys (its cell key).
WITH cnt AS (
  SELECT c.age_band_id, coalesce(c.sex_id, 0) AS sex_id, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY c.age_band_id, coalesce(c.sex_id, 0)
),
sexes AS (
  SELECT sex_id, label_ja, label_en FROM sex
  UNION ALL
  SELECT 0, '未記入', 'Not recorded'
),
bands AS (SELECT DISTINCT age_band_id FROM cnt)
SELECT label(ab.label_ja, ab.label_en) AS age_band,
       label(s.label_ja, s.label_en) AS sex,
       coalesce(cnt.n, 0) AS n,
       cnt.n_key
FROM bands b
JOIN age_band ab ON ab.age_band_id = b.age_band_id
CROSS JOIN sexes s
LEFT JOIN cnt ON cnt.age_band_id = b.age_band_id AND cnt.sex_id = s.sex_id
ORDER BY b.age_band_id, s.sex_id = 0, s.sex_id;
