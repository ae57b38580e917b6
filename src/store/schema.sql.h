/* schema.sql.h: the analytic schema (included by db.c only).
 *
 * Design: every person and household is keyed by the first 8 bytes of its
 * keyed pseudonym (ks_pseudo_rowid) as INTEGER PRIMARY KEY, and every case
 * has that prefix as case_key (unique index); the full 16-byte pseudonym sits
 * beside it to detect a collision of the short form.  Cases themselves are
 * numbered in load order (case_id), so that loading a million of them
 * appends to the B-tree instead of seeking a random page for every row.
 * Problems, supports and partners are bit masks of code ids in the case row,
 * shown as rows by views.  Codes are small integers joined to code
 * tables holding Japanese and English labels.  No identifying value has a
 * column: names, kana, addresses, phones, birth dates, resident, household and
 * record numbers exist only as pseudonyms or (birth date) as an age band. */
static const char ks_schema_sql[] =
"CREATE TABLE IF NOT EXISTS meta(\n"
"  key   TEXT PRIMARY KEY,\n"
"  value TEXT NOT NULL\n"
") WITHOUT ROWID;\n"
/* code tables: one per kind, same shape */
"CREATE TABLE IF NOT EXISTS sex(sex_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS household_type(household_type_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS intake_route(intake_route_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS consent(consent_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS meeting_type(meeting_type_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS status(status_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS outcome(outcome_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS field(field_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS partner_kind(partner_kind_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS problem(problem_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL,\n"
"  field_id INTEGER NOT NULL REFERENCES field);\n"
"CREATE TABLE IF NOT EXISTS support(support_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS age_band(age_band_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL,\n"
"  age_min INTEGER NOT NULL, age_max INTEGER);\n"
/* municipality profile */
"CREATE TABLE IF NOT EXISTS district(district_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS partner(partner_id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, label_ja TEXT NOT NULL, label_en TEXT NOT NULL,\n"
"  field_id INTEGER REFERENCES field, partner_kind_id INTEGER REFERENCES partner_kind,\n"
"  listed INTEGER NOT NULL DEFAULT 1  -- 0 for the single 'unlisted' partner (id 0)\n"
");\n"
/* entities */
"CREATE TABLE IF NOT EXISTS person(\n"
"  person_id INTEGER PRIMARY KEY,  -- first 8 bytes of the person pseudonym\n"
"  pseudonym BLOB NOT NULL         -- keyed BLAKE2b-128 of resident number, or name + birth date\n"
");\n"
"CREATE TABLE IF NOT EXISTS household(\n"
"  household_id INTEGER PRIMARY KEY,\n"
"  pseudonym BLOB NOT NULL\n"
");\n"
"CREATE TABLE IF NOT EXISTS import_batch(\n"
"  batch_id INTEGER PRIMARY KEY,\n"
"  started_at TEXT NOT NULL,       -- UTC, ISO 8601\n"
"  finished_at TEXT,\n"
"  input_name TEXT NOT NULL,       -- file name without directories\n"
"  input_sha256 TEXT NOT NULL,\n"
"  encoding TEXT NOT NULL,\n"
"  key_fingerprint TEXT NOT NULL,\n"
"  engine_version TEXT NOT NULL,\n"
"  profile TEXT NOT NULL,\n"
"  rows_read INTEGER NOT NULL DEFAULT 0,\n"
"  rows_inserted INTEGER NOT NULL DEFAULT 0,\n"
"  rows_updated INTEGER NOT NULL DEFAULT 0,\n"
"  rows_unchanged INTEGER NOT NULL DEFAULT 0,\n"
"  rows_rejected INTEGER NOT NULL DEFAULT 0\n"
");\n"
"CREATE TABLE IF NOT EXISTS case_record(\n"
"  case_id INTEGER PRIMARY KEY,    -- internal number, in load order\n"
"  case_key INTEGER NOT NULL,      -- first 8 bytes of the record_id pseudonym (unique)\n"
"  pseudonym BLOB NOT NULL,        -- keyed BLAKE2b-128 of record_id\n"
"  person_id INTEGER NOT NULL REFERENCES person,\n"
"  household_id INTEGER REFERENCES household,\n"
"  age_band_id INTEGER REFERENCES age_band,   -- at consult_date\n"
"  minor INTEGER NOT NULL,                      -- under 18 at consult_date (young carers): the one\n"
"                                               -- cut finer than the age band that is kept\n"
"  sex_id INTEGER REFERENCES sex,\n"
"  household_type_id INTEGER REFERENCES household_type,\n"
"  district_id INTEGER NOT NULL REFERENCES district,\n"
"  consult_date TEXT NOT NULL,                 -- YYYY-MM-DD\n"
"  consult_month TEXT NOT NULL,                -- YYYY-MM\n"
"  fiscal_year INTEGER NOT NULL,               -- April..March, by consult_date\n"
"  closed_date TEXT,\n"
"  duration_days INTEGER,                      -- closed_date - consult_date\n"
"  intake_route_id INTEGER REFERENCES intake_route,\n"
"  intake_agency_id INTEGER REFERENCES partner,\n"
"  consent_id INTEGER NOT NULL REFERENCES consent,\n"
"  meeting_type_id INTEGER REFERENCES meeting_type,\n"
"  status_id INTEGER NOT NULL REFERENCES status,\n"
"  outcome_id INTEGER REFERENCES outcome,\n"
"  main_problem_id INTEGER NOT NULL REFERENCES problem,  -- first problem listed\n"
"  problem_mask INTEGER NOT NULL,              -- bit i set: problem_id i (view case_problem: as rows)\n"
"  support_mask INTEGER NOT NULL,              -- bit i set: support_id i\n"
"  partner_mask INTEGER NOT NULL,              -- bit i set: partner_id i (0 = unlisted)\n"
"  problem_count INTEGER NOT NULL,\n"
"  support_count INTEGER NOT NULL,\n"
"  partner_count INTEGER NOT NULL,\n"
"  field_count INTEGER NOT NULL,                  -- distinct fields over problems and partners\n"
"  notes_present INTEGER NOT NULL,             -- the notes column had text (never stored)\n"
"  row_hash BLOB NOT NULL,                     -- detects unchanged re-imports\n"
"  batch_id INTEGER NOT NULL REFERENCES import_batch  -- last batch that inserted or changed it\n"
");\n"
"-- record keys of the cell key method (rkey.h): unit 1 case, 2 person,\n"
"-- 3 household; uniform 0..4095 from the CSPRNG, kept while the unit exists\n"
"CREATE TABLE IF NOT EXISTS record_key(\n"
"  unit INTEGER NOT NULL,\n"
"  id INTEGER NOT NULL,\n"
"  rkey INTEGER NOT NULL,\n"
"  PRIMARY KEY(unit, id)\n"
") WITHOUT ROWID;\n"
"-- what was done to the database with its key (audit.h): imports, threshold\n"
"-- changes, the key's destruction; fingerprints only, never key material\n"
"CREATE TABLE IF NOT EXISTS audit(\n"
"  audit_id INTEGER PRIMARY KEY,\n"
"  at TEXT NOT NULL,               -- UTC, ISO 8601\n"
"  event TEXT NOT NULL,            -- import, threshold, rekey, key-destroy, upgrade\n"
"  key_fingerprint TEXT NOT NULL,  -- the key it was done with ('' when none)\n"
"  detail TEXT NOT NULL            -- what, in words\n"
");\n"
"-- the key's epochs (epoch.h): fingerprints only, never key material; every\n"
"-- stored pseudonym is of the current epoch (retired_at NULL): a rekey moves\n"
"-- them all in one transaction\n"
"CREATE TABLE IF NOT EXISTS key_epoch(\n"
"  epoch INTEGER PRIMARY KEY,      -- 0, 1, ...\n"
"  fingerprint TEXT NOT NULL UNIQUE,\n"
"  began_at TEXT NOT NULL,         -- UTC: the first import, or the rekey that made it current\n"
"  retired_at TEXT                 -- UTC: the rekey that replaced it; NULL for the current epoch\n"
");\n"
"-- problems, supports and partners of a case are bit masks in case_record\n"
"-- (bit i: code id i); the views case_problem, case_support, case_partner\n"
"-- show them as one row per (case, code) (ks_mask_view_sql).\n";

/* Secondary indexes: dropped before a bulk load into an empty database and
 * built once afterwards, which is several times faster than maintaining them
 * row by row. */
static const char ks_index_sql[] =
"CREATE UNIQUE INDEX IF NOT EXISTS case_by_key ON case_record(case_key);\n"
"CREATE INDEX IF NOT EXISTS case_person ON case_record(person_id, consult_date, closed_date, status_id);\n"
"CREATE INDEX IF NOT EXISTS case_household ON case_record(household_id, person_id, age_band_id, minor, problem_mask, consult_date);\n";
/* case_by_key finds a case by its pseudonym (re-imports).  case_person
 * covers what re-consultation needs (a person's cases by date, with their
 * closing date and status): that query then runs on the index alone, in
 * person order, 4x faster than with lookups into case_record.  case_household
 * likewise covers the compound-household query (8050, double care, young
 * carers), which then scans 30 MB of index instead of the whole table.
 * No other index pays for itself: counting queries scan case_record whole
 * (the mask views join by case_id, the rowid). */

static const char ks_drop_index_sql[] =
"DROP INDEX IF EXISTS case_by_key;\n"
"DROP INDEX IF EXISTS case_person;\n"
"DROP INDEX IF EXISTS case_household;\n";

/* Views for analysts: labels joined in, one row per case. */
#define KS_V_CASE_BODY \
"SELECT c.case_id, c.person_id, c.household_id,\n" \
"  ab.label_ja AS age_band, sx.label_ja AS sex, ht.label_ja AS household_type,\n" \
"  d.label_ja AS district, c.consult_date, c.consult_month, c.fiscal_year, c.closed_date, c.duration_days,\n" \
"  ir.label_ja AS intake_route, ia.label_ja AS intake_agency, cs.label_ja AS consent,\n" \
"  mt.label_ja AS meeting, st.label_ja AS status, oc.label_ja AS outcome,\n" \
"  mp.label_ja AS main_problem,\n" \
"  (SELECT group_concat(p.label_ja, ';') FROM problem p WHERE (c.problem_mask >> p.problem_id) & 1) AS problems,\n" \
"  (SELECT group_concat(s.label_ja, ';') FROM support s WHERE (c.support_mask >> s.support_id) & 1) AS supports,\n" \
"  (SELECT group_concat(pt.label_ja, ';') FROM partner pt WHERE (c.partner_mask >> pt.partner_id) & 1) AS partners,\n" \
"  c.problem_count, c.support_count, c.partner_count, c.field_count, c.consent_id\n" \
"FROM case_record c\n" \
"LEFT JOIN age_band ab USING(age_band_id)\n" \
"LEFT JOIN sex sx USING(sex_id)\n" \
"LEFT JOIN household_type ht USING(household_type_id)\n" \
"JOIN district d USING(district_id)\n" \
"LEFT JOIN intake_route ir USING(intake_route_id)\n" \
"LEFT JOIN partner ia ON ia.partner_id = c.intake_agency_id\n" \
"JOIN consent cs USING(consent_id)\n" \
"LEFT JOIN meeting_type mt USING(meeting_type_id)\n" \
"JOIN status st USING(status_id)\n" \
"JOIN problem mp ON mp.problem_id = c.main_problem_id\n" \
"LEFT JOIN outcome oc USING(outcome_id);\n"

/* One row per (case, code) from the masks (in no promised order: ORDER BY
 * as for any table).
 * Why views and not tables: the query library, analyses and report all
 * read the masks; the relational form is for analysts' own SQL.  Stored, the
 * three tables were 7.3 million rows per million cases: a quarter of the
 * database and of the import's time (bench/README.md).  A scan of a view
 * tests each case's mask against every code (22 problems, 13 supports, up
 * to 63 partners), which is slower than a scan of the old table for an
 * analyst's join, but lossless: a mask is the set the rows were. */
#define KS_CASE_PROBLEM_BODY \
"SELECT c.case_id, p.problem_id, p.problem_id = c.main_problem_id AS is_main\n" \
"FROM case_record c JOIN problem p ON (c.problem_mask >> p.problem_id) & 1;\n"
#define KS_CASE_SUPPORT_BODY \
"SELECT c.case_id, s.support_id\n" \
"FROM case_record c JOIN support s ON (c.support_mask >> s.support_id) & 1;\n"
#define KS_CASE_PARTNER_BODY \
"SELECT c.case_id, pt.partner_id\n" \
"FROM case_record c JOIN partner pt ON (c.partner_mask >> pt.partner_id) & 1;\n"

static const char ks_view_sql[] =
    "CREATE VIEW IF NOT EXISTS v_case AS\n" KS_V_CASE_BODY
    "CREATE VIEW IF NOT EXISTS case_problem AS\n" KS_CASE_PROBLEM_BODY
    "CREATE VIEW IF NOT EXISTS case_support AS\n" KS_CASE_SUPPORT_BODY
    "CREATE VIEW IF NOT EXISTS case_partner AS\n" KS_CASE_PARTNER_BODY;
/* The same views as temp views: on a row-level connection their unqualified
 * table names resolve to the consent-filtered temp case_record (analysis.c). */
static const char ks_temp_view_sql[] =
    "CREATE TEMP VIEW v_case AS\n" KS_V_CASE_BODY
    "CREATE TEMP VIEW case_problem AS\n" KS_CASE_PROBLEM_BODY
    "CREATE TEMP VIEW case_support AS\n" KS_CASE_SUPPORT_BODY
    "CREATE TEMP VIEW case_partner AS\n" KS_CASE_PARTNER_BODY;

/* Schema 1 stored the three as WITHOUT ROWID tables, filled from the same
 * masks: upgrading drops them for the views (db.c). */
static const char ks_upgrade_1_sql[] =
    "DROP TABLE IF EXISTS case_problem;\n"
    "DROP TABLE IF EXISTS case_support;\n"
    "DROP TABLE IF EXISTS case_partner;\n"
    "DROP VIEW IF EXISTS v_case;\n";
