-- export.sql: the analytic variables of every case, as tests/ref/analyze.R
-- reads them (tests/ref/analyze/export.csv), from a database that imported
-- datasets/demo/cases.csv.  tests/cli/t2010-analyze-ref.sh runs it again
-- after its own import and requires the same bytes: R's reference values and
-- kasane's answers then come from the same data.  Households are numbered by
-- their first case (their ids are keyed pseudonyms, which change with the key).
.mode csv
.headers on
WITH h AS (SELECT household_id, min(case_id) AS first_case FROM case_record
           WHERE household_id IS NOT NULL GROUP BY household_id),
     hn AS (SELECT household_id, row_number() OVER (ORDER BY first_case) AS hh FROM h)
SELECT c.case_id AS case_id, ab.code AS age_band, c.minor AS minor, sx.code AS sex,
       ht.code AS household_type, d.code AS district, c.consult_date AS consult_date,
       c.fiscal_year AS fiscal_year, c.closed_date AS closed_date, st.code AS status,
       oc.code AS outcome, ir.code AS intake_route, cs.code AS consent, mp.code AS problem,
       c.problem_mask AS problem_mask, c.support_mask AS support_mask, c.partner_mask AS partner_mask,
       c.problem_count AS n_problems, c.partner_count AS n_partners, c.field_count AS field_count,
       hn.hh AS household
FROM case_record c
LEFT JOIN age_band ab USING(age_band_id)
LEFT JOIN sex sx USING(sex_id)
LEFT JOIN household_type ht USING(household_type_id)
JOIN district d USING(district_id)
JOIN status st USING(status_id)
LEFT JOIN outcome oc USING(outcome_id)
LEFT JOIN intake_route ir USING(intake_route_id)
JOIN consent cs USING(consent_id)
JOIN problem mp ON mp.problem_id = c.main_problem_id
LEFT JOIN hn USING(household_id)
ORDER BY c.case_id;
