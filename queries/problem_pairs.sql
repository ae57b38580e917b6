-- title: 同じ事例に重なる課題の組み合わせ（上位）
-- title_en: Most common problem pairs within a case
-- description: pairs of problems listed together in one case, by the number of cases listing both (n) and its share of all cases; the top N pairs
-- param: fy int 0 (fiscal year April-March of the consultation; 0 = all years)
-- param: top int 20 (how many pairs to list)
-- share: pct = n / n_cases
-- column: problem_1 | 課題1 | problem 1
-- column: problem_2 | 課題2 | problem 2
-- column: n | 両方を含む件数 | cases with both
-- column: n_cases | 全相談件数 | all cases
-- column: pct | 割合(%) | share of all cases (%)
-- keysum: n = n_key, n_cases = n_cases_key
--
-- A case with k problems holds k(k-1)/2 pairs, so pairs do not add up to
-- cases: no totals.  Pairs are unordered (problem_1 comes first in the code
-- list).  Ties are broken by code order, so the cut at N is reproducible.
-- Cases are grouped by their set of problems first; only sets of two or more
-- problems are expanded into pairs.  The *_key columns: the sums of the
-- record keys of the cases each count counts (their cell keys), carried
-- through the sets as the counts are.
WITH m AS (
  SELECT c.problem_mask, count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE (:fy = 0 OR c.fiscal_year = :fy) AND c.problem_count >= 2
  GROUP BY c.problem_mask
),
tot AS (
  SELECT count(*) AS n_cases, sum(k.rkey) AS n_cases_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE :fy = 0 OR c.fiscal_year = :fy
)
SELECT label(a.label_ja, a.label_en) AS problem_1,
       label(b.label_ja, b.label_en) AS problem_2,
       sum(m.n) AS n,
       tot.n_cases,
       round(100.0 * sum(m.n) / tot.n_cases, 1) AS pct,
       sum(m.n_key) AS n_key,
       tot.n_cases_key
FROM problem a
JOIN problem b ON b.problem_id > a.problem_id
JOIN m ON m.problem_mask & (1 << a.problem_id) <> 0 AND m.problem_mask & (1 << b.problem_id) <> 0
CROSS JOIN tot
GROUP BY a.problem_id, b.problem_id
ORDER BY n DESC, a.problem_id, b.problem_id
LIMIT :top;
