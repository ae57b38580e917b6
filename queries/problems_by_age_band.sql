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
--
-- Multiple answers (a case counts once for each of its problems), so this is
-- long format with no totals: a pivot with a total column would add up
-- problems, not cases.  Cases are grouped by (age band, set of problems)
-- first and the sets expanded afterwards, as in problems_all.
WITH m AS (
  SELECT age_band_id, problem_mask, count(*) AS n
  FROM case_record
  WHERE :fy = 0 OR fiscal_year = :fy
  GROUP BY age_band_id, problem_mask
),
band AS (SELECT age_band_id, sum(n) AS n_band FROM m GROUP BY age_band_id)
SELECT label(ab.label_ja, ab.label_en) AS age_band,
       label(p.label_ja, p.label_en) AS problem,
       sum(m.n) AS n,
       band.n_band,
       round(100.0 * sum(m.n) / band.n_band, 1) AS pct
FROM m
JOIN problem p ON m.problem_mask & (1 << p.problem_id) <> 0
JOIN band ON band.age_band_id = m.age_band_id
JOIN age_band ab ON ab.age_band_id = m.age_band_id
GROUP BY m.age_band_id, p.problem_id
ORDER BY m.age_band_id, p.problem_id;
