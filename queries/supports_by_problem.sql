-- title: 課題別の支援内容（複数回答）
-- title_en: Supports by problem (multiple answers)
-- description: for each problem (listed anywhere in the case) and support, the cases with both (n), as a share of the cases listing the problem (n_problem); one row per pair that occurs
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n / n_problem
-- column: problem | 課題 | problem
-- column: support | 支援内容 | support
-- column: n | 件数 | cases
-- column: n_problem | 課題の件数 | cases listing the problem
-- column: pct | 割合(%) | share of the problem's cases (%)
-- keysum: n = n_key, n_problem = n_problem_key
--
-- Both sides are multiple answers, so long format and no totals.  Cases are
-- grouped by (set of problems, set of supports) first; the sets are then
-- expanded into problems and supports, so the only per-case join is the
-- record keys'.  The *_key columns: the sums of the record keys of the cases
-- each count counts (their cell keys), carried through the sets as the
-- counts are.
-- A case with no support recorded counts in n_problem only.
WITH m AS (
  SELECT c.problem_mask, c.support_mask, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY c.problem_mask, c.support_mask
),
mp AS (  -- per problem and set of supports
  SELECT p.problem_id, m.support_mask, sum(m.n) AS n, sum(m.n_key) AS n_key
  FROM problem p JOIN m ON m.problem_mask & (1 << p.problem_id) <> 0
  GROUP BY p.problem_id, m.support_mask
),
pt AS (SELECT problem_id, sum(n) AS n_problem, sum(n_key) AS n_problem_key FROM mp GROUP BY problem_id)
SELECT label(p.label_ja, p.label_en) AS problem,
       label(s.label_ja, s.label_en) AS support,
       sum(mp.n) AS n,
       pt.n_problem,
       round(100.0 * sum(mp.n) / pt.n_problem, 1) AS pct,
       sum(mp.n_key) AS n_key,
       pt.n_problem_key
FROM mp
JOIN support s ON mp.support_mask & (1 << s.support_id) <> 0
JOIN pt ON pt.problem_id = mp.problem_id
JOIN problem p ON p.problem_id = mp.problem_id
GROUP BY mp.problem_id, s.support_id
ORDER BY mp.problem_id, s.support_id;
