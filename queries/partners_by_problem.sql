-- title: 課題別の連携先（複数回答）
-- title_en: Partners by problem (multiple answers)
-- description: for each problem (listed anywhere in the case) and partner window or agency, the cases connected to it (n), as a share of the cases listing the problem (n_problem); one row per pair that occurs, partners most used first
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- share: pct = n / n_problem
-- column: problem | 課題 | problem
-- column: partner | 連携先 | partner
-- column: partner_field | 連携先の分野 | partner's field
-- column: n | 件数 | cases
-- column: n_problem | 課題の件数 | cases listing the problem
-- column: pct | 割合(%) | share of the problem's cases (%)
-- keysum: n = n_key, n_problem = n_problem_key
--
-- Partners come from the municipality profile; names not in it are counted
-- together as 未登録の連携先 (partner 0).  Both sides are multiple answers:
-- long format, no totals.  Cases are grouped by (set of problems, set of
-- partners) first and the sets expanded afterwards.  The *_key columns: the
-- sums of the record keys of the cases each count counts (their cell keys),
-- carried through the sets as the counts are.
WITH m AS (
  SELECT c.problem_mask, c.partner_mask, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
  GROUP BY c.problem_mask, c.partner_mask
),
mp AS (  -- per problem and set of partners
  SELECT p.problem_id, m.partner_mask, sum(m.n) AS n, sum(m.n_key) AS n_key
  FROM problem p JOIN m ON m.problem_mask & (1 << p.problem_id) <> 0
  GROUP BY p.problem_id, m.partner_mask
),
pt AS (SELECT problem_id, sum(n) AS n_problem, sum(n_key) AS n_problem_key FROM mp GROUP BY problem_id)
SELECT label(p.label_ja, p.label_en) AS problem,
       label(pa.label_ja, pa.label_en) AS partner,
       label(f.label_ja, f.label_en) AS partner_field,
       sum(mp.n) AS n,
       pt.n_problem,
       round(100.0 * sum(mp.n) / pt.n_problem, 1) AS pct,
       sum(mp.n_key) AS n_key,
       pt.n_problem_key
FROM mp
JOIN partner pa ON mp.partner_mask & (1 << pa.partner_id) <> 0
LEFT JOIN field f ON f.field_id = pa.field_id
JOIN pt ON pt.problem_id = mp.problem_id
JOIN problem p ON p.problem_id = mp.problem_id
GROUP BY mp.problem_id, pa.partner_id
ORDER BY mp.problem_id, n DESC, pa.partner_id;
