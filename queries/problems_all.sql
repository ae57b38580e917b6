-- title: 課題別の相談件数（複数回答）
-- title_en: Cases by problem (multiple answers)
-- description: for each problem, the cases that list it anywhere (n) and as their main, first-listed problem (n_main), with n as a share of all cases; a case with several problems counts once for each
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n / n_cases
-- column: problem | 課題 | problem
-- column: n | 件数（複数回答） | cases listing it
-- column: n_main | うち主たる課題 | of which main problem
-- column: n_cases | 全相談件数 | all cases
-- column: pct | 割合(%) | share of all cases (%)
-- keysum: n = n_key, n_main = n_main_key, n_cases = n_cases_key
--
-- Multiple answers: the rows do not add up to the number of cases, so no
-- total is declared.  Cases are first grouped by their set of problems
-- (problem_mask: a few hundred distinct sets), then each set is expanded
-- into its problems: one pass over case_record, no join per case.  The
-- *_key columns: the sums of the record keys of the cases each count counts
-- (their cell keys), carried through the sets as the counts are.
WITH m AS (
  SELECT c.problem_mask, c.main_problem_id, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY c.problem_mask, c.main_problem_id
),
tot AS (SELECT coalesce(sum(n), 0) AS n_cases, sum(n_key) AS n_cases_key FROM m)
SELECT label(p.label_ja, p.label_en) AS problem,
       sum(m.n) AS n,
       coalesce(sum(m.n) FILTER (WHERE m.main_problem_id = p.problem_id), 0) AS n_main,
       tot.n_cases,
       round(100.0 * sum(m.n) / tot.n_cases, 1) AS pct,
       sum(m.n_key) AS n_key,
       sum(m.n_key) FILTER (WHERE m.main_problem_id = p.problem_id) AS n_main_key,
       tot.n_cases_key
FROM problem p
JOIN m ON m.problem_mask & (1 << p.problem_id) <> 0
CROSS JOIN tot
GROUP BY p.problem_id
ORDER BY p.problem_id;
