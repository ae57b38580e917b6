-- title: 主たる課題別・地区別の相談件数
-- title_en: Cases by main problem and district
-- description: cases by their first-listed (main) problem and district, with totals; optional fiscal-year filter
-- param: fy int 0 (fiscal year April-March; 0 = all years)
-- pivot: problem, district, n
-- totals: yes
-- column: problem | 主たる課題 | main problem
-- keysum: n = n_key
--
-- n_key: the sum of the cell's cases' record keys (its cell key).
SELECT label(p.label_ja, p.label_en) AS problem,
       label(d.label_ja, d.label_en) AS district,
       count(*) AS n,
       sum(k.rkey) AS n_key
FROM case_record c
JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
JOIN problem p ON p.problem_id = c.main_problem_id
JOIN district d ON d.district_id = c.district_id
WHERE :fy = 0 OR c.fiscal_year = :fy
GROUP BY p.problem_id, d.district_id
ORDER BY p.problem_id, d.district_id;
