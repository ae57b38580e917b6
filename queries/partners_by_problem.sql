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
--
-- Partners come from the municipality profile; names not in it are counted
-- together as 未登録の連携先 (partner 0).  Both sides are multiple answers:
-- long format, no totals.  Cases are grouped by (set of problems, set of
-- partners) first and the sets expanded afterwards.
WITH m AS (
  SELECT problem_mask, partner_mask, count(*) AS n
  FROM case_record
  WHERE :fy = 0 OR fiscal_year = :fy
  GROUP BY problem_mask, partner_mask
),
mp AS (  -- per problem and set of partners
  SELECT p.problem_id, m.partner_mask, sum(m.n) AS n
  FROM problem p JOIN m ON m.problem_mask & (1 << p.problem_id) <> 0
  GROUP BY p.problem_id, m.partner_mask
),
pt AS (SELECT problem_id, sum(n) AS n_problem FROM mp GROUP BY problem_id)
SELECT label(p.label_ja, p.label_en) AS problem,
       label(pa.label_ja, pa.label_en) AS partner,
       label(f.label_ja, f.label_en) AS partner_field,
       sum(mp.n) AS n,
       pt.n_problem,
       round(100.0 * sum(mp.n) / pt.n_problem, 1) AS pct
FROM mp
JOIN partner pa ON mp.partner_mask & (1 << pa.partner_id) <> 0
LEFT JOIN field f ON f.field_id = pa.field_id
JOIN pt ON pt.problem_id = mp.problem_id
JOIN problem p ON p.problem_id = mp.problem_id
GROUP BY mp.problem_id, pa.partner_id
ORDER BY mp.problem_id, n DESC, pa.partner_id;
