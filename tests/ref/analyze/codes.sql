-- codes.sql: id and code of every level the export names, in id order
-- (tests/ref/analyze/codes.csv): R orders factor levels and decodes the
-- problem, support and partner masks with it.
.mode csv
.headers on
SELECT 'age_band' AS kind, age_band_id AS id, code FROM age_band
UNION ALL SELECT 'sex', sex_id, code FROM sex
UNION ALL SELECT 'household_type', household_type_id, code FROM household_type
UNION ALL SELECT 'district', district_id, code FROM district
UNION ALL SELECT 'status', status_id, code FROM status
UNION ALL SELECT 'outcome', outcome_id, code FROM outcome
UNION ALL SELECT 'intake_route', intake_route_id, code FROM intake_route
UNION ALL SELECT 'consent', consent_id, code FROM consent
UNION ALL SELECT 'problem', problem_id, code FROM problem
UNION ALL SELECT 'support', support_id, code FROM support
UNION ALL SELECT 'partner', partner_id, code FROM partner
ORDER BY 1, 2;
