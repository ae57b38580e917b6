/* load.c: ks_record -> case_record (whose problem, support and partner
 * masks the case_problem, case_support and case_partner views read), then,
 * once per import, person and household.
 *
 * Why it is shaped this way (1M rows must load in seconds):
 *  - New cases get the next case_id, so the wide case rows append to their
 *    B-tree; person and household rows, keyed by pseudonym, are sorted in C
 *    and appended once at the end.
 *  - Into an empty database the case_key index is built once at the end (by
 *    a sort) instead of row by row; duplicates within the import are caught
 *    by a C hash set of 8-byte keys meanwhile.
 *  - The persons and households of the import's rows go through an
 *    external sort (psort.h): sorted runs on temporary files, merged once,
 *    so memory does not grow with them.
 *  - Into a database that holds cases (a month's re-export: every case
 *    again, most unchanged), a row is first tried as the case after the one
 *    before it (find_case); a changed case is an UPDATE of only the columns
 *    that may change, so only the indexes whose columns did are rewritten
 *    (upd_variant), and an index that too many rows change is dropped and
 *    built again at the end (count_touch); persons and households are
 *    merged with their tables (merge_entity).  bench/reimport.sh measures
 *    it. */
#include "load.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "db.h"
#include "psort.h"
#include "pseudo.h"
#include "weaken.h"

enum {
    ENTITY_BATCH = 64, /* person/household rows per INSERT into a fresh database */
    MERGE_SHARE = 8,   /* entities are merged with their table when rows put >= cases held / this */
    DROP_SHARE = 32,   /* an index is dropped for a rebuild when updates touch > cases held / this of it */
    DROP_MIN = 4096,   /* ... and more than this many */
};

/* ---- new cases of a fresh load, written CASE_BATCH at a time ---- */

enum { CASE_BATCH = 16, CASE_PARAMS = 32 };

/* A case as its case_record row holds it: what bind_case writes and what
 * the row hash covers, so the hash is a function of the file's own values
 * (issue 9: a hash of more — the exact age, the lists' order — let a reader
 * of the file test the exact age).  Dates stay ks_dates; the columns derived
 * from them (consult_month, fiscal_year, duration_days) add nothing. */
typedef struct stored_case {
    uint8_t case_ps[KS_PSEUDO_BYTES], person_ps[KS_PSEUDO_BYTES], household_ps[KS_PSEUDO_BYTES];
    uint8_t has_household, age_band, minor, sex, household_type, intake_route, has_intake_agency, consent,
        meeting, status, outcome, main_problem, n_problems, n_supports, n_partners, n_fields, notes_present,
        has_closed;
    uint16_t district, intake_agency;
    ks_date consult, closed;
    uint64_t problem_mask, support_mask, partner_mask;
} stored_case;

typedef struct casebuf {
    stored_case rec[CASE_BATCH]; /* pending rows */
    uint8_t hash[CASE_BATCH][16]; /* their row hashes */
    int64_t id[CASE_BATCH];     /* their case_id, assigned in load order */
    int n;                      /* pending count */
} casebuf;

/* ---- statements ---- */

enum {
    ST_SEL_CASE, ST_PUT_CASE, ST_INS_PERSON, ST_SEL_PERSON, ST_INS_HOUSEHOLD, ST_SEL_HOUSEHOLD,
    ST_SEL_NEXT, ST_MANY_CASE, ST_UPD_CASE, /* ST_UPD_CASE + 0..3: the UPDATEs below, by upd_variant */
    ST_COUNT = ST_UPD_CASE + 4
};

/* The columns an update of a case may leave untouched in every index, and
 * those of case_person (P) and case_household (H) besides person_id and
 * consult_date, which both hold (schema.sql.h).  SQLite's UPDATE rewrites an
 * index only when a column it holds is SET, so an update that leaves them
 * alone (a new district, support, outcome) costs one row rewrite in place
 * instead of REPLACE's delete and insert into all three indexes.  The
 * parameters are bind_case's (?32 = case_id). */
#define UPD_BASE                                                                                                   \
    "UPDATE case_record SET sex_id = ?7, household_type_id = ?8, district_id = ?9, consult_month = ?11, "          \
    "fiscal_year = ?12, duration_days = ?14, intake_route_id = ?15, intake_agency_id = ?16, consent_id = ?17, "    \
    "meeting_type_id = ?18, outcome_id = ?20, main_problem_id = ?21, support_mask = ?23, partner_mask = ?24, "    \
    "problem_count = ?25, support_count = ?26, partner_count = ?27, field_count = ?28, notes_present = ?29, "     \
    "row_hash = ?30, batch_id = ?31"
#define UPD_P ", closed_date = ?13, status_id = ?19"
#define UPD_H ", household_id = ?4, age_band_id = ?5, minor = ?6, problem_mask = ?22"
#define UPD_WHERE " WHERE case_id = ?32"
enum { UPD_SET_P = 1, UPD_SET_H = 2 }; /* upd_variant bits; both: every column */

static const char *const sql[ST_COUNT] = {
    /* ST_SEL_CASE and ST_SEL_NEXT: the same columns (upd_variant reads them) */
    [ST_SEL_CASE] = "SELECT pseudonym, row_hash, case_id, person_id, household_id, consult_date, closed_date, "
                    "status_id, age_band_id, minor, problem_mask, case_key FROM case_record WHERE case_key = ?1",
    [ST_SEL_NEXT] = "SELECT pseudonym, row_hash, case_id, person_id, household_id, consult_date, closed_date, "
                    "status_id, age_band_id, minor, problem_mask, case_key FROM case_record WHERE case_id = ?1",
    [ST_PUT_CASE] = "INSERT OR REPLACE INTO case_record(case_id, case_key, pseudonym, person_id, household_id, "
                    "age_band_id, minor, sex_id, household_type_id, district_id, consult_date, "
                    "consult_month, fiscal_year, closed_date, duration_days, intake_route_id, "
                    "intake_agency_id, consent_id, meeting_type_id, status_id, outcome_id, main_problem_id, "
                    "problem_mask, support_mask, partner_mask, problem_count, support_count, partner_count, "
                    "field_count, notes_present, row_hash, batch_id) VALUES(?32, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, "
                    "?28, ?29, ?30, ?31)",
    [ST_INS_PERSON] = "INSERT OR IGNORE INTO person(person_id, pseudonym) VALUES(?1, ?2)",
    [ST_SEL_PERSON] = "SELECT pseudonym FROM person WHERE person_id = ?1",
    [ST_INS_HOUSEHOLD] = "INSERT OR IGNORE INTO household(household_id, pseudonym) VALUES(?1, ?2)",
    [ST_SEL_HOUSEHOLD] = "SELECT pseudonym FROM household WHERE household_id = ?1",
    [ST_UPD_CASE] = UPD_BASE UPD_WHERE,
    [ST_UPD_CASE + UPD_SET_P] = UPD_BASE UPD_P UPD_WHERE,
    [ST_UPD_CASE + UPD_SET_H] = UPD_BASE UPD_H UPD_WHERE,
    [ST_UPD_CASE + (UPD_SET_P | UPD_SET_H)] = UPD_BASE UPD_P UPD_H ", person_id = ?3, consult_date = ?10" UPD_WHERE,
};

struct ks_loader {
    sqlite3 *db;                /* borrowed */
    sqlite3_stmt *st[ST_COUNT]; /* prepared once */
    int64_t batch_id;           /* import_batch of the current file */
    int fresh;                  /* the database held no case when the import began */
    ks_psort *persons;          /* pseudonyms of the persons of this import's rows */
    ks_psort *households;       /* likewise households; both inserted in order at the end */
    uint64_t npersons;          /* distinct persons among them (known at finish) */
    uint64_t nhouseholds;       /* distinct households */
    casebuf *cases;             /* fresh load: pending case rows */
    int64_t next_case_id;       /* fresh load: the next case_id to give */
    uint64_t nput;              /* rows put */
    int64_t existing;           /* not fresh: max(case_id) at the start, about the cases held */
    uint64_t touched[4];        /* updates by upd_variant (KASANE_TIMING) */
    int64_t guess;              /* not fresh: the case_id the next row probably has (find_case) */
    uint64_t guessed, probed;   /* rows found by the guess, by case_by_key (KASANE_TIMING) */
    uint64_t touch_p, touch_h;  /* updates and inserts that changed case_person, case_household */
    int dropped;                /* UPD_SET_P / UPD_SET_H: that index is dropped, to be rebuilt */
};

void ks_loader_free(ks_loader *l)
{
    if (!l)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(l->st[i]);
    ks_psort_free(l->persons);
    ks_psort_free(l->households);
    free(l->cases);
    free(l);
}

ks_loader *ks_loader_new(sqlite3 *db, int fresh, ks_error *err)
{
    ks_loader *l = ks_calloc(1, sizeof *l);
    l->db = db;
    l->fresh = fresh;
    l->persons = ks_psort_new(0);
    l->households = ks_psort_new(0);
    ks_buf many;
    ks_buf_init(&many);
    for (int i = 0; i < ST_COUNT; i++) {
        const char *q = sql[i];
        if (i == ST_MANY_CASE) { /* a fresh load's INSERT of CASE_BATCH rows */
            const char *one = sql[ST_PUT_CASE] + strlen("INSERT OR REPLACE");
            const char *values = strstr(one, "VALUES");
            ks_buf_reset(&many);
            ks_buf_adds(&many, "INSERT");
            ks_buf_add(&many, one, (size_t)(values - one) + 6);
            for (int k = 0; k < CASE_BATCH; k++) {
                ks_buf_adds(&many, k ? ",(" : "(");
                for (int c = 0; c < CASE_PARAMS; c++)
                    ks_buf_adds(&many, c ? ",?" : "?");
                ks_buf_adds(&many, ")");
            }
            q = many.buf;
        }
        if (ks_db_prepare(db, q, &l->st[i], err)) {
            ks_buf_release(&many);
            ks_loader_free(l);
            return NULL;
        }
    }
    ks_buf_release(&many);
    sqlite3_stmt *mx = NULL;
    if (ks_db_prepare(db, "SELECT ifnull(max(case_id), 0) + 1 FROM case_record", &mx, err)) {
        ks_loader_free(l);
        return NULL;
    }
    /* a read error is an error, not "no cases" (which would number new
     * cases from 1 over the old ones) */
    int step = sqlite3_step(mx);
    l->next_case_id = step == SQLITE_ROW ? sqlite3_column_int64(mx, 0) : 1;
    l->existing = l->next_case_id - 1;
    l->guess = 1;
    sqlite3_finalize(mx);
    if (step != SQLITE_ROW) {
        ks_error_set(err, KS_EIO, "database: reading its highest case number: %s", sqlite3_errmsg(db));
        ks_loader_free(l);
        return NULL;
    }
    if (fresh)
        l->cases = ks_calloc(1, sizeof *l->cases);
    /* Into a database that holds cases, an 8 MiB page cache (a new
     * database's) instead of the writers' 32 MiB: re-imports took no more
     * CPU with it (the rows come in about the order of their case_ids, and
     * the case_by_key pages that do not fit come from the kernel's cache),
     * and peak memory is 18 MiB less (bench/README.md, "Re-import"). */
    if (!fresh && ks_db_exec(db, "PRAGMA cache_size = -8192", err)) {
        ks_loader_free(l);
        return NULL;
    }
    return l;
}

void ks_loader_set_batch(ks_loader *l, int64_t batch_id)
{
    l->batch_id = batch_id;
}

/* Steps a statement that returns no row, then resets it. */
static int run(ks_loader *l, int which, ks_error *err)
{
    sqlite3_stmt *s = l->st[which];
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(l->db));
    return 0;
}

static int collision(ks_error *err)
{
    return ks_error_set(err, KS_EIO, "two pseudonyms share their first 64 bits (a 1 in 2^64 event); "
                        "please report this — the import was rolled back");
}

/* Makes sure the person or household row exists.  INSERT OR IGNORE is one
 * B-tree operation; only when the row was already there (a person from an
 * earlier import) is it read back to rule out a prefix collision. */
static int ensure_entity(ks_loader *l, int ins, int sel, const uint8_t ps[KS_PSEUDO_BYTES], ks_error *err)
{
    int64_t id = ks_pseudo_rowid(ps);
    sqlite3_bind_int64(l->st[ins], 1, id);
    sqlite3_bind_blob(l->st[ins], 2, ps, KS_PSEUDO_BYTES, SQLITE_STATIC);
    int rc = run(l, ins, err);
    if (rc || sqlite3_changes(l->db) > 0)
        return rc;
    sqlite3_stmt *s = l->st[sel];
    sqlite3_bind_int64(s, 1, id);
    int step = sqlite3_step(s);
    int same = step == SQLITE_ROW && sqlite3_column_bytes(s, 0) == KS_PSEUDO_BYTES &&
               memcmp(sqlite3_column_blob(s, 0), ps, KS_PSEUDO_BYTES) == 0;
    sqlite3_reset(s);
    /* a failed read is a disk error, not a 1 in 2^64 collision */
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(l->db));
    return same ? 0 : collision(err);
}

static void bind_opt(sqlite3_stmt *s, int i, int v)
{
    if (v)
        sqlite3_bind_int(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

/* ---- what case_record stores of a case ---- */


static uint64_t mask8(const uint8_t *ids, int n)
{
    uint64_t m = 0;
    for (int i = 0; i < n; i++)
        m |= 1ULL << ids[i];
    return m;
}

static void stored_of_record(const ks_record *r, stored_case *c)
{
    memset(c, 0, sizeof *c);
    memcpy(c->case_ps, r->case_ps, KS_PSEUDO_BYTES);
    memcpy(c->person_ps, r->person_ps, KS_PSEUDO_BYTES);
    if ((c->has_household = r->has_household != 0))
        memcpy(c->household_ps, r->household_ps, KS_PSEUDO_BYTES);
    c->age_band = r->age_band;
    c->minor = r->age_years < 18; /* the exact age is not stored */
    c->sex = r->sex;
    c->household_type = r->household_type;
    c->intake_route = r->intake_route;
    if ((c->has_intake_agency = r->has_intake_agency != 0))
        c->intake_agency = r->intake_agency;
    c->consent = r->consent;
    c->meeting = r->meeting;
    c->status = r->status;
    c->outcome = r->outcome;
    c->main_problem = r->problems[0];
    c->n_problems = r->n_problems;
    c->n_supports = r->n_supports;
    c->n_partners = r->n_partners;
    c->n_fields = r->n_fields;
    c->notes_present = r->notes_present;
    c->district = r->district;
    c->consult = r->consult;
    if ((c->has_closed = r->has_closed != 0))
        c->closed = r->closed;
    c->problem_mask = mask8(r->problems, r->n_problems);
    c->support_mask = mask8(r->supports, r->n_supports);
    for (int i = 0; i < r->n_partners; i++)
        c->partner_mask |= 1ULL << r->partners[i];
}

/* The row hash of a stored case: a keyed SipHash (the key's own subkey) of
 * its fields written out one by one, little-endian, so that neither padding
 * nor the host decides the bytes. */
static void stored_hash(const ks_key *k, const stored_case *c, uint8_t out[16])
{
    uint8_t b[3 * KS_PSEUDO_BYTES + 64], *p = b;
#define PUT(v, w)                                                                                                  \
    do {                                                                                                           \
        uint64_t v_ = (uint64_t)(v);                                                                               \
        for (int i_ = 0; i_ < (w); i_++)                                                                           \
            *p++ = (uint8_t)(v_ >> (8 * i_));                                                                      \
    } while (0)
    memcpy(p, c->case_ps, KS_PSEUDO_BYTES), p += KS_PSEUDO_BYTES;
    memcpy(p, c->person_ps, KS_PSEUDO_BYTES), p += KS_PSEUDO_BYTES;
    memcpy(p, c->household_ps, KS_PSEUDO_BYTES), p += KS_PSEUDO_BYTES;
    const uint8_t small[] = {c->has_household, c->age_band, c->minor, c->sex, c->household_type,
                             c->intake_route, c->has_intake_agency, c->consent, c->meeting, c->status,
                             c->outcome, c->main_problem, c->n_problems, c->n_supports, c->n_partners,
                             c->n_fields, c->notes_present, c->has_closed};
    memcpy(p, small, sizeof small), p += sizeof small;
    PUT(c->district, 2);
    PUT(c->intake_agency, 2);
    PUT((uint32_t)ks_date_days(c->consult), 4);
    PUT(c->has_closed ? (uint32_t)ks_date_days(c->closed) : 0, 4);
    PUT(c->problem_mask, 8);
    PUT(c->support_mask, 8);
    PUT(c->partner_mask, 8);
#undef PUT
    ks_pseudo_rowhash(k, b, (size_t)(p - b), out);
}

void ks_case_row_hash(const ks_key *k, const ks_record *r, uint8_t out[16])
{
    if (ks_weakened("row-hash")) {
        /* the old hash: the whole record, exact age and list order included,
         * under a constant everyone has */
        static const unsigned char fixed_key[crypto_shorthash_siphashx24_KEYBYTES] = "kasane row hash";
        crypto_shorthash_siphashx24(out, (const unsigned char *)r, sizeof *r, fixed_key);
        return;
    }
    stored_case c;
    stored_of_record(r, &c);
    stored_hash(k, &c, out);
}

/* case_id 0: a new case, numbered by SQLite (max + 1). */
/* Binds one case row.  base < 0: the single-row statement, whose parameters
 * are ?1..?31 in column order after case_id, and ?32 = case_id.  base >= 0:
 * the row whose parameters start after `base` in the multi-row statement,
 * whose anonymous parameters follow the column list, case_id first.  The
 * values are stored_of_record's, the same the row hash covers; *cp must
 * outlive the step (its pseudonym is bound without a copy). */
#define P(k) (base >= 0 ? base + ((k) == 32 ? 1 : (k) + 1) : (k))
static void bind_case(sqlite3_stmt *s, int base, int64_t batch_id, int64_t case_key, int64_t case_id,
                      const stored_case *cp, const uint8_t hash[16])
{
    const stored_case c = *cp;
    char consult[KS_DATE_ISO_SIZE], closed[KS_DATE_ISO_SIZE];
    ks_date_format(c.consult, consult);
    sqlite3_bind_int64(s, P(1), case_key);
    if (case_id)
        sqlite3_bind_int64(s, P(32), case_id);
    else
        sqlite3_bind_null(s, P(32));
    sqlite3_bind_blob(s, P(2), cp->case_ps, KS_PSEUDO_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(s, P(3), ks_pseudo_rowid(c.person_ps));
    if (c.has_household)
        sqlite3_bind_int64(s, P(4), ks_pseudo_rowid(c.household_ps));
    else
        sqlite3_bind_null(s, P(4));
    sqlite3_bind_int(s, P(5), c.age_band);
    sqlite3_bind_int(s, P(6), c.minor);
    bind_opt(s, P(7), c.sex);
    bind_opt(s, P(8), c.household_type);
    sqlite3_bind_int(s, P(9), c.district);
    sqlite3_bind_text(s, P(10), consult, 10, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, P(11), consult, 7, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, P(12), ks_fiscal_year(c.consult));
    if (c.has_closed) {
        ks_date_format(c.closed, closed);
        sqlite3_bind_text(s, P(13), closed, 10, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, P(14), ks_date_days(c.closed) - ks_date_days(c.consult));
    } else {
        sqlite3_bind_null(s, P(13));
        sqlite3_bind_null(s, P(14));
    }
    bind_opt(s, P(15), c.intake_route);
    if (c.has_intake_agency)
        sqlite3_bind_int(s, P(16), c.intake_agency);
    else
        sqlite3_bind_null(s, P(16));
    sqlite3_bind_int(s, P(17), c.consent);
    bind_opt(s, P(18), c.meeting);
    sqlite3_bind_int(s, P(19), c.status);
    bind_opt(s, P(20), c.outcome);
    sqlite3_bind_int(s, P(21), c.main_problem);
    sqlite3_bind_int64(s, P(22), (int64_t)c.problem_mask);
    sqlite3_bind_int64(s, P(23), (int64_t)c.support_mask);
    sqlite3_bind_int64(s, P(24), (int64_t)c.partner_mask);
    sqlite3_bind_int(s, P(25), c.n_problems);
    sqlite3_bind_int(s, P(26), c.n_supports);
    sqlite3_bind_int(s, P(27), c.n_partners);
    sqlite3_bind_int(s, P(28), c.n_fields);
    sqlite3_bind_int(s, P(29), c.notes_present);
    sqlite3_bind_blob(s, P(30), hash, 16, SQLITE_STATIC);
    sqlite3_bind_int64(s, P(31), batch_id);
}
#undef P

/* ---- re-hashing what is stored ---- */

static int val_date(sqlite3_value *v, ks_date *d)
{
    const char *t = (const char *)sqlite3_value_text(v);
    return t && ks_date_parse(t, strlen(t), d) == KS_DATE_OK;
}

static void val_ps(sqlite3_value *v, uint8_t out[KS_PSEUDO_BYTES])
{
    if (sqlite3_value_bytes(v) == KS_PSEUDO_BYTES)
        memcpy(out, sqlite3_value_blob(v), KS_PSEUDO_BYTES);
}

/* The columns of rehash_sel, in order. */
enum {
    RH_CASE_ID, RH_CASE_PS, RH_PERSON_PS, RH_HOUSEHOLD_PS, RH_AGE_BAND, RH_MINOR, RH_SEX, RH_HOUSEHOLD_TYPE,
    RH_DISTRICT, RH_CONSULT, RH_CLOSED, RH_ROUTE, RH_AGENCY, RH_CONSENT, RH_MEETING, RH_STATUS, RH_OUTCOME,
    RH_MAIN_PROBLEM, RH_PROBLEM_MASK, RH_SUPPORT_MASK, RH_PARTNER_MASK, RH_N_PROBLEMS, RH_N_SUPPORTS,
    RH_N_PARTNERS, RH_N_FIELDS, RH_NOTES, RH_HAS_HOUSEHOLD
};

/* case_record's hashed columns after the three pseudonyms, RH_AGE_BAND ..
 * RH_HAS_HOUSEHOLD, unqualified: one list for rehash_sel and for the SQL
 * function's call (ks_loader_hash_call). */
#define RH_STORED_COLS                                                                                             \
    "age_band_id, minor, sex_id, household_type_id, district_id, consult_date, closed_date, intake_route_id, "    \
    "intake_agency_id, consent_id, meeting_type_id, status_id, outcome_id, main_problem_id, problem_mask, "        \
    "support_mask, partner_mask, problem_count, support_count, partner_count, field_count, notes_present, "        \
    "household_id IS NOT NULL"

static const char rehash_sel[] =
    "SELECT c.case_id, c.pseudonym, p.pseudonym, h.pseudonym, " RH_STORED_COLS " "
    "FROM case_record c JOIN person p USING (person_id) LEFT JOIN household h USING (household_id)";

/* The hashed columns of rehash_sel (all but case_id) as the values v[0] =
 * column RH_CASE_PS .. v[RH_HASHED - 1] = column RH_HAS_HOUSEHOLD, into c;
 * returns whether its dates parse.  Values, not a statement, so that the
 * SQL function ks_row_hash (rekey's one pass) reads them the same way. */
enum { RH_HASHED = RH_HAS_HOUSEHOLD };
#define V(col) v[(col) - RH_CASE_PS]
static int read_values(sqlite3_value *const *v, stored_case *c)
{
    memset(c, 0, sizeof *c);
    val_ps(V(RH_CASE_PS), c->case_ps);
    val_ps(V(RH_PERSON_PS), c->person_ps);
    if ((c->has_household = (uint8_t)sqlite3_value_int(V(RH_HAS_HOUSEHOLD))))
        val_ps(V(RH_HOUSEHOLD_PS), c->household_ps);
    c->age_band = (uint8_t)sqlite3_value_int(V(RH_AGE_BAND));
    c->minor = (uint8_t)sqlite3_value_int(V(RH_MINOR));
    c->sex = (uint8_t)sqlite3_value_int(V(RH_SEX));
    c->household_type = (uint8_t)sqlite3_value_int(V(RH_HOUSEHOLD_TYPE));
    c->district = (uint16_t)sqlite3_value_int(V(RH_DISTRICT));
    int dates_ok = val_date(V(RH_CONSULT), &c->consult);
    if ((c->has_closed = sqlite3_value_type(V(RH_CLOSED)) != SQLITE_NULL))
        dates_ok = dates_ok && val_date(V(RH_CLOSED), &c->closed);
    c->intake_route = (uint8_t)sqlite3_value_int(V(RH_ROUTE));
    if ((c->has_intake_agency = sqlite3_value_type(V(RH_AGENCY)) != SQLITE_NULL))
        c->intake_agency = (uint16_t)sqlite3_value_int(V(RH_AGENCY));
    c->consent = (uint8_t)sqlite3_value_int(V(RH_CONSENT));
    c->meeting = (uint8_t)sqlite3_value_int(V(RH_MEETING));
    c->status = (uint8_t)sqlite3_value_int(V(RH_STATUS));
    c->outcome = (uint8_t)sqlite3_value_int(V(RH_OUTCOME));
    c->main_problem = (uint8_t)sqlite3_value_int(V(RH_MAIN_PROBLEM));
    c->problem_mask = (uint64_t)sqlite3_value_int64(V(RH_PROBLEM_MASK));
    c->support_mask = (uint64_t)sqlite3_value_int64(V(RH_SUPPORT_MASK));
    c->partner_mask = (uint64_t)sqlite3_value_int64(V(RH_PARTNER_MASK));
    c->n_problems = (uint8_t)sqlite3_value_int(V(RH_N_PROBLEMS));
    c->n_supports = (uint8_t)sqlite3_value_int(V(RH_N_SUPPORTS));
    c->n_partners = (uint8_t)sqlite3_value_int(V(RH_N_PARTNERS));
    c->n_fields = (uint8_t)sqlite3_value_int(V(RH_N_FIELDS));
    c->notes_present = (uint8_t)sqlite3_value_int(V(RH_NOTES));
    return dates_ok;
}
#undef V

/* One row of rehash_sel into c; returns whether its dates parse. */
static int read_stored(sqlite3_stmt *s, stored_case *c)
{
    sqlite3_value *v[RH_HASHED];
    for (int i = 0; i < RH_HASHED; i++)
        v[i] = sqlite3_column_value(s, RH_CASE_PS + i);
    return read_values(v, c);
}

static void fn_row_hash(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    stored_case c;
    if (argc != RH_HASHED || !read_values(argv, &c)) {
        sqlite3_result_error(cx, "a case's date is not YYYY-MM-DD", -1);
        return;
    }
    uint8_t h[16];
    stored_hash(sqlite3_user_data(cx), &c, h);
    sqlite3_result_blob(cx, h, sizeof h, SQLITE_TRANSIENT);
}

int ks_loader_hash_function(sqlite3 *db, const ks_key *k, ks_error *err)
{
    if (sqlite3_create_function_v2(db, "ks_row_hash", RH_HASHED, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                   SQLITE_DIRECTONLY, (void *)k, k ? fn_row_hash : NULL, NULL, NULL, NULL) !=
        SQLITE_OK)
        return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    return 0;
}

void ks_loader_hash_call(ks_buf *out, const char *case_ps, const char *person_ps, const char *household_ps)
{
    ks_buf_addf(out, "ks_row_hash(%s, %s, %s, " RH_STORED_COLS ")", case_ps, person_ps, household_ps);
}

int ks_loader_rehash(sqlite3 *db, const ks_key *k, int64_t *n, ks_error *err)
{
    sqlite3_stmt *s = NULL, *u = NULL;
    *n = 0;
    int rc = ks_db_prepare(db, rehash_sel, &s, err);
    if (!rc)
        rc = ks_db_prepare(db, "UPDATE case_record SET row_hash = ?2 WHERE case_id = ?1", &u, err);
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        stored_case c;
        if (!read_stored(s, &c)) {
            rc = ks_error_set(err, KS_EIO, "database: case %lld has a date that is not YYYY-MM-DD",
                              (long long)sqlite3_column_int64(s, RH_CASE_ID));
            break;
        }
        uint8_t h[16];
        stored_hash(k, &c, h);
        sqlite3_bind_int64(u, 1, sqlite3_column_int64(s, RH_CASE_ID));
        sqlite3_bind_blob(u, 2, h, 16, SQLITE_TRANSIENT);
        if (sqlite3_step(u) != SQLITE_DONE)
            rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
        sqlite3_reset(u);
        ++*n;
    }
    if (!rc && step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_finalize(u);
    return rc;
}

static int put_case(ks_loader *l, int64_t case_key, int64_t case_id, const stored_case *c, const uint8_t hash[16],
                    ks_error *err)
{
    bind_case(l->st[ST_PUT_CASE], -1, l->batch_id, case_key, case_id, c, hash);
    return run(l, ST_PUT_CASE, err);
}

/* Writes a fresh load's pending case rows: a full batch with the multi-row
 * statement, a remainder (at the end) row by row. */
static int flush_cases(ks_loader *l, ks_error *err)
{
    casebuf *b = l->cases;
    int rc = 0;
    if (b->n == CASE_BATCH) {
        for (int k = 0; k < b->n; k++)
            bind_case(l->st[ST_MANY_CASE], k * CASE_PARAMS, l->batch_id, ks_pseudo_rowid(b->rec[k].case_ps), b->id[k],
                      &b->rec[k], b->hash[k]);
        rc = run(l, ST_MANY_CASE, err);
    } else {
        for (int k = 0; k < b->n && !rc; k++)
            rc = put_case(l, ks_pseudo_rowid(b->rec[k].case_ps), b->id[k], &b->rec[k], b->hash[k], err);
    }
    b->n = 0;
    return rc;
}

static int col_is_text(sqlite3_stmt *s, int i, const char *t, int n)
{
    return sqlite3_column_bytes(s, i) == n && memcmp(sqlite3_column_text(s, i), t, (size_t)n) == 0;
}

static int col_is_opt_int(sqlite3_stmt *s, int i, int has, int64_t v)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return !has;
    return has && sqlite3_column_int64(s, i) == v;
}

/* Which indexed columns an update changes, from ST_SEL_CASE's row (the
 * stored case) and c (the new one): the ST_UPD_CASE variant to use. */
static int upd_variant(sqlite3_stmt *s, const stored_case *c)
{
    char d[KS_DATE_ISO_SIZE];
    ks_date_format(c->consult, d);
    if (sqlite3_column_int64(s, 3) != ks_pseudo_rowid(c->person_ps) || !col_is_text(s, 5, d, 10))
        return UPD_SET_P | UPD_SET_H;
    int v = 0;
    if (c->has_closed)
        ks_date_format(c->closed, d);
    if (sqlite3_column_int(s, 7) != c->status ||
        (c->has_closed ? !col_is_text(s, 6, d, 10) : sqlite3_column_type(s, 6) != SQLITE_NULL))
        v |= UPD_SET_P;
    if (!col_is_opt_int(s, 4, c->has_household, c->has_household ? ks_pseudo_rowid(c->household_ps) : 0) ||
        sqlite3_column_int(s, 8) != c->age_band || sqlite3_column_int(s, 9) != c->minor ||
        sqlite3_column_int64(s, 10) != (int64_t)c->problem_mask)
        v |= UPD_SET_H;
    return v;
}

/* Counts a row written that changed the indexes `v` says (UPD_SET_*), and
 * drops case_person or case_household once too many did: each such change
 * is a delete and an insert at random places of an index larger than the
 * page cache (two page reads, and a page written to the WAL again and
 * again), and past a share of the cases held, rebuilding the index by one
 * sort at the end (ks_loader_finish) is cheaper.  A rollback brings the
 * index back.  case_by_key stays:
 * every row is looked up by it. */
static int count_touch(ks_loader *l, int v, ks_error *err)
{
    uint64_t limit = (uint64_t)l->existing / DROP_SHARE;
    if (limit < DROP_MIN)
        limit = DROP_MIN;
    int drop = 0;
    if ((v & UPD_SET_P) && ++l->touch_p > limit && !(l->dropped & UPD_SET_P))
        drop |= UPD_SET_P;
    if ((v & UPD_SET_H) && ++l->touch_h > limit && !(l->dropped & UPD_SET_H))
        drop |= UPD_SET_H;
    if (!drop)
        return 0;
    /* the names are schema.sql.h's (ks_index_sql) */
    int rc = ks_db_exec(l->db, drop & UPD_SET_P ? "DROP INDEX IF EXISTS case_person" :
                                                  "DROP INDEX IF EXISTS case_household", err);
    if (!rc && drop == (UPD_SET_P | UPD_SET_H))
        rc = ks_db_exec(l->db, "DROP INDEX IF EXISTS case_household", err);
    l->dropped |= drop;
    return rc;
}

/* Steps the statement that finds the stored case of case_key: *s is left
 * on its row (SQLITE_ROW) or reset (SQLITE_DONE: a new case; an error).
 *
 * A month's re-export lists the cases in the order of the file before it,
 * which is the order of their case_ids (numbered in load order), so the
 * case after the last one found is tried first, by its rowid: its table
 * page is the one just read.  Only when it is not that case is case_by_key
 * searched, whose pages (about 20 MB per million cases, in random order)
 * would otherwise be read from the kernel for nearly every row: they do not
 * fit the 8 MiB page cache, which the dirty table pages share.  A file in
 * another order costs one rowid lookup a row more. */
static int find_case(ks_loader *l, int64_t case_key, sqlite3_stmt **s)
{
    sqlite3_stmt *g = l->st[ST_SEL_NEXT];
    sqlite3_bind_int64(g, 1, l->guess);
    int step = sqlite3_step(g);
    if (step == SQLITE_ROW && sqlite3_column_int64(g, 11) == case_key) {
        l->guessed++;
        *s = g;
        return step;
    }
    sqlite3_reset(g);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        *s = g;
        return step;
    }
    l->probed++;
    *s = l->st[ST_SEL_CASE];
    sqlite3_bind_int64(*s, 1, case_key);
    step = sqlite3_step(*s);
    if (step != SQLITE_ROW)
        sqlite3_reset(*s);
    return step;
}

int ks_loader_put(ks_loader *l, const ks_record *r, const uint8_t row_hash[16], ks_error *err)
{
    int64_t case_key = ks_pseudo_rowid(r->case_ps);
    int rc;
    if ((rc = ks_psort_add(l->persons, r->person_ps, err)) ||
        (r->has_household && (rc = ks_psort_add(l->households, r->household_ps, err))))
        return rc;
    l->nput++;

    if (l->fresh) {
        /* cases of a fresh load are numbered here, so their rows can be
         * written CASE_BATCH to a statement */
        casebuf *b = l->cases;
        stored_of_record(r, &b->rec[b->n]);
        memcpy(b->hash[b->n], row_hash, 16);
        b->id[b->n] = l->next_case_id++;
        if (++b->n == CASE_BATCH && (rc = flush_cases(l, err)))
            return rc;
        return KS_LOAD_INSERTED;
    }

    sqlite3_stmt *s = NULL;
    int step = find_case(l, case_key, &s);
    stored_case c;
    stored_of_record(r, &c);
    if (step != SQLITE_ROW) {
        if (step != SQLITE_DONE)
            return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(l->db));
        /* a new case: numbered by SQLite, max + 1 */
        if ((rc = put_case(l, case_key, 0, &c, row_hash, err)) ||
            (rc = count_touch(l, UPD_SET_P | UPD_SET_H, err)))
            return rc;
        return KS_LOAD_INSERTED;
    }
    int same_ps = sqlite3_column_bytes(s, 0) == KS_PSEUDO_BYTES &&
                  memcmp(sqlite3_column_blob(s, 0), r->case_ps, KS_PSEUDO_BYTES) == 0;
    int same_row = sqlite3_column_bytes(s, 1) == 16 && memcmp(sqlite3_column_blob(s, 1), row_hash, 16) == 0;
    int64_t case_id = sqlite3_column_int64(s, 2);
    l->guess = case_id + 1;
    int v = same_ps && !same_row ? upd_variant(s, &c) : 0;
    sqlite3_reset(s);
    if (!same_ps)
        return collision(err);
    if (same_row)
        return KS_LOAD_UNCHANGED;
    /* an update keeps its case_id and rewrites only the indexes whose
     * columns changed */
    l->touched[v]++;
    bind_case(l->st[ST_UPD_CASE + v], -1, l->batch_id, case_key, case_id, &c, row_hash);
    if ((rc = run(l, ST_UPD_CASE + v, err)) || (rc = count_touch(l, v, err)))
        return rc;
    return KS_LOAD_UPDATED;
}

/* Persons and households go in sorted by key (ks_psort): appending, not
 * seeking.  Into a fresh database ENTITY_BATCH rows go per statement
 * (per-statement overhead was most of the cost); a batch in which some row
 * already existed is checked row by row for a prefix collision, as
 * ensure_entity does.  Into a database that held cases already, a large
 * import (a month's re-export: nearly every entity is there already) is
 * merged with the table read in key order, one step per row instead of an
 * INSERT and a SELECT each; a small one is checked row by row. */
typedef struct entity_sink {
    ks_loader *l;           /* the loader */
    int ins, sel;           /* its statements for this table */
    sqlite3_stmt *many;     /* fresh load: ENTITY_BATCH rows per INSERT */
    sqlite3_stmt *scan;     /* merge: the table's rows in key order */
    int scan_row;           /* merge: scan is on a row (else at its end) */
    int64_t last;           /* row id of the last pseudonym put */
    int have_last;          /* last is set */
} entity_sink;

/* Merge: the rows of the table are read in key order beside the sorted
 * pseudonyms; one that is there must be the same pseudonym (else a prefix
 * collision), one that is not is inserted (behind the scan, which SQLite
 * allows on one connection: the scan goes on from its key). */
static int merge_entity(entity_sink *k, const uint8_t ps[KS_PSEUDO_BYTES], ks_error *err)
{
    ks_loader *l = k->l;
    int64_t id = ks_pseudo_rowid(ps);
    while (k->scan_row && sqlite3_column_int64(k->scan, 0) < id) {
        int step = sqlite3_step(k->scan);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(l->db));
        k->scan_row = step == SQLITE_ROW;
    }
    if (k->scan_row && sqlite3_column_int64(k->scan, 0) == id)
        return sqlite3_column_bytes(k->scan, 1) == KS_PSEUDO_BYTES &&
                       memcmp(sqlite3_column_blob(k->scan, 1), ps, KS_PSEUDO_BYTES) == 0
                   ? 0
                   : collision(err);
    sqlite3_bind_int64(l->st[k->ins], 1, id);
    sqlite3_bind_blob(l->st[k->ins], 2, ps, KS_PSEUDO_BYTES, SQLITE_STATIC);
    return run(l, k->ins, err);
}

static int put_entities(void *ctx, const uint8_t (*ps)[KS_PSEUDO_BYTES], size_t n, ks_error *err)
{
    entity_sink *k = ctx;
    ks_loader *l = k->l;
    /* distinct pseudonyms in row-id order: two with one row id are adjacent */
    for (size_t j = 0; j < n; j++) {
        int64_t id = ks_pseudo_rowid(ps[j]);
        if (k->have_last && id == k->last)
            return collision(err);
        k->last = id;
        k->have_last = 1;
    }
    int rc = 0;
    size_t i = 0;
    for (; k->scan && !rc && i < n; i++)
        rc = merge_entity(k, ps[i], err);
    for (; k->many && !rc && i + ENTITY_BATCH <= n; i += ENTITY_BATCH) {
        for (int j = 0; j < ENTITY_BATCH; j++) {
            sqlite3_bind_int64(k->many, 2 * j + 1, ks_pseudo_rowid(ps[i + (size_t)j]));
            sqlite3_bind_blob(k->many, 2 * j + 2, ps[i + (size_t)j], KS_PSEUDO_BYTES, SQLITE_STATIC);
        }
        int step = sqlite3_step(k->many);
        sqlite3_reset(k->many);
        if (step != SQLITE_DONE)
            return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(l->db));
        if (sqlite3_changes(l->db) == ENTITY_BATCH)
            continue;
        for (int j = 0; j < ENTITY_BATCH && !rc; j++) /* all there now: each must be ours */
            rc = ensure_entity(l, k->ins, k->sel, ps[i + (size_t)j], err);
    }
    for (; i < n && !rc; i++)
        rc = ensure_entity(l, k->ins, k->sel, ps[i], err);
    return rc;
}

static int finish_entities(ks_loader *l, ks_psort *sorter, int ins, int sel, uint64_t *distinct, ks_error *err)
{
    entity_sink k = {.l = l, .ins = ins, .sel = sel};
    int rc = 0;
    if (l->fresh) {
        const char *table = ins == ST_INS_PERSON ? "person(person_id, pseudonym)"
                                                 : "household(household_id, pseudonym)";
        ks_buf q;
        ks_buf_init(&q);
        ks_buf_addf(&q, "INSERT OR IGNORE INTO %s VALUES(?,?)", table);
        for (int j = 1; j < ENTITY_BATCH; j++)
            ks_buf_adds(&q, ",(?,?)");
        rc = ks_db_prepare(l->db, q.buf, &k.many, err);
        ks_buf_release(&q);
    } else if (l->nput >= (uint64_t)l->existing / MERGE_SHARE) {
        /* reading the whole table pays when the import is a good share of
         * the database */
        rc = ks_db_prepare(l->db, ins == ST_INS_PERSON ? "SELECT person_id, pseudonym FROM person ORDER BY person_id"
                                                       : "SELECT household_id, pseudonym FROM household "
                                                         "ORDER BY household_id", &k.scan, err);
        int step = rc ? SQLITE_DONE : sqlite3_step(k.scan);
        if (!rc && step != SQLITE_ROW && step != SQLITE_DONE)
            rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(l->db));
        k.scan_row = step == SQLITE_ROW;
    }
    if (!rc)
        rc = ks_psort_finish(sorter, put_entities, &k, distinct, err);
    sqlite3_finalize(k.many);
    sqlite3_finalize(k.scan);
    return rc;
}

int ks_loader_finish(ks_loader *l, ks_error *err)
{
    int rc = l->cases ? flush_cases(l, err) : 0;
    if (getenv("KASANE_TIMING") && !l->fresh) /* what the updates cost (bench/README.md) */
        fprintf(stderr, "timing: cases found by the next case_id %llu, by case_by_key %llu; updates: %llu in no "
                "index, %llu in case_person, %llu in case_household, %llu in both; dropped for a rebuild:%s%s\n",
                (unsigned long long)l->guessed, (unsigned long long)l->probed, (unsigned long long)l->touched[0],
                (unsigned long long)l->touched[UPD_SET_P], (unsigned long long)l->touched[UPD_SET_H],
                (unsigned long long)l->touched[UPD_SET_P | UPD_SET_H], l->dropped & UPD_SET_P ? " case_person" : "",
                l->dropped & UPD_SET_H ? " case_household" : l->dropped ? "" : " none");
    if (!rc)
        rc = finish_entities(l, l->persons, ST_INS_PERSON, ST_SEL_PERSON, &l->npersons, err);
    if (!rc)
        rc = finish_entities(l, l->households, ST_INS_HOUSEHOLD, ST_SEL_HOUSEHOLD, &l->nhouseholds, err);
    /* the loader leaves the indexes as it found them (import.c builds them
     * again too, for a fresh load: then this is not reached) */
    if (!rc && l->dropped)
        rc = ks_db_build_indexes(l->db, err);
    return rc;
}

void ks_loader_seen(ks_loader *l, uint64_t *persons, uint64_t *households)
{
    *persons = l->npersons;
    *households = l->nhouseholds;
}

int ks_loader_rehash_pending(sqlite3 *db, const ks_key *k, ks_error *err)
{
    ks_buf v;
    ks_buf_init(&v);
    int rc = ks_db_meta_get(db, "row_hash_pending", &v, err);
    ks_buf_release(&v);
    if (rc <= 0)
        return rc;
    int64_t n = 0;
    if ((rc = ks_loader_rehash(db, k, &n, err)) || (rc = ks_db_meta_delete(db, "row_hash_pending", err)))
        return rc;
    ks_warn("recomputed the row hashes of %lld cases under the key (schema 3)", (long long)n);
    return 0;
}
