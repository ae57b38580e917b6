-- title: 年齢階級別の課題（複数回答）
-- title_en: Problems by age band (multiple answers)
-- description: for each 5-year age band, the cases listing each problem anywhere (n) and as a share of the band's cases (n_band); one row per age band and problem that occurs
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n / n_band
-- column: age_band | 年齢階級 | age band
-- column: problem | 課題 | problem
-- column: n | 件数 | cases
-- column: n_band | 年齢階級の相談件数 | cases in the age band
-- column: pct | 割合(%) | share of the band (%)
-- keysum: n = n_key, n_band = n_band_key
--
-- Multiple answers (a case counts once for each of its problems), so this is
-- long format with no totals: a pivot with a total column would add up
-- problems, not cases.  Cases are grouped by (age band, set of problems)
-- first and the sets expanded afterwards, as in problems_all.  The *_key
-- columns: the sums of the record keys of the cases each count counts (their
-- cell keys), carried through the sets as the counts are.
WITH m AS (
  SELECT c.age_band_id, c.problem_mask, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY c.age_band_id, c.problem_mask
),
band AS (SELECT age_band_id, sum(n) AS n_band, sum(n_key) AS n_band_key FROM m GROUP BY age_band_id)
SELECT label(ab.label_ja, ab.label_en) AS age_band,
       label(p.label_ja, p.label_en) AS problem,
       sum(m.n) AS n,
       band.n_band,
       round(100.0 * sum(m.n) / band.n_band, 1) AS pct,
       sum(m.n_key) AS n_key,
       band.n_band_key
FROM m
JOIN problem p ON m.problem_mask & (1 << p.problem_id) <> 0
JOIN band ON band.age_band_id = m.age_band_id
JOIN age_band ab ON ab.age_band_id = m.age_band_id
GROUP BY m.age_band_id, p.problem_id
ORDER BY m.age_band_id, p.problem_id;
