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
 *    so memory does not grow with them. */
#include "kasane/load.h"

#include <stdlib.h>
#include <string.h>

#include "kasane/codes.h"
#include "kasane/db.h"
#include "kasane/psort.h"
#include "kasane/pseudo.h"

enum { ENTITY_BATCH = 64 }; /* person/household rows per INSERT into a fresh database */

/* ---- new cases of a fresh load, written CASE_BATCH at a time ---- */

enum { CASE_BATCH = 16, CASE_PARAMS = 32 };

typedef struct casebuf {
    ks_record rec[CASE_BATCH];  /* pending rows */
    uint8_t hash[CASE_BATCH][16];
    int64_t id[CASE_BATCH];     /* their case_id, assigned in load order */
    int n;                      /* pending count */
} casebuf;

/* ---- statements ---- */

enum {
    ST_SEL_CASE, ST_PUT_CASE, ST_INS_PERSON, ST_SEL_PERSON, ST_INS_HOUSEHOLD, ST_SEL_HOUSEHOLD,
    ST_MANY_CASE,
    ST_COUNT
};

static const char *const sql[ST_COUNT] = {
    [ST_SEL_CASE] = "SELECT pseudonym, row_hash, case_id FROM case_record WHERE case_key = ?1",
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
    if (fresh) {
        l->cases = ks_calloc(1, sizeof *l->cases);
        sqlite3_stmt *mx = NULL;
        if (ks_db_prepare(db, "SELECT ifnull(max(case_id), 0) + 1 FROM case_record", &mx, err)) {
            ks_loader_free(l);
            return NULL;
        }
        l->next_case_id = sqlite3_step(mx) == SQLITE_ROW ? sqlite3_column_int64(mx, 0) : 1;
        sqlite3_finalize(mx);
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
    int same = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == KS_PSEUDO_BYTES &&
               memcmp(sqlite3_column_blob(s, 0), ps, KS_PSEUDO_BYTES) == 0;
    sqlite3_reset(s);
    return same ? 0 : collision(err);
}

static void bind_opt(sqlite3_stmt *s, int i, int v)
{
    if (v)
        sqlite3_bind_int(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static int64_t mask8(const uint8_t *ids, int n)
{
    uint64_t m = 0;
    for (int i = 0; i < n; i++)
        m |= 1ULL << ids[i];
    return (int64_t)m;
}

/* case_id 0: a new case, numbered by SQLite (max + 1). */
/* Binds one case row.  base < 0: the single-row statement, whose parameters
 * are ?1..?31 in column order after case_id, and ?32 = case_id.  base >= 0:
 * the row whose parameters start after `base` in the multi-row statement,
 * whose anonymous parameters follow the column list, case_id first. */
#define P(k) (base >= 0 ? base + ((k) == 32 ? 1 : (k) + 1) : (k))
static void bind_case(sqlite3_stmt *s, int base, int64_t batch_id, int64_t case_key, int64_t case_id,
                      const ks_record *r, const uint8_t hash[16])
{
    char consult[11], closed[11];
    ks_date_format(r->consult, consult);
    uint64_t pmask = 0;
    for (int i = 0; i < r->n_partners; i++)
        pmask |= 1ULL << r->partners[i];
    sqlite3_bind_int64(s, P(1), case_key);
    if (case_id)
        sqlite3_bind_int64(s, P(32), case_id);
    else
        sqlite3_bind_null(s, P(32));
    sqlite3_bind_blob(s, P(2), r->case_ps, KS_PSEUDO_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(s, P(3), ks_pseudo_rowid(r->person_ps));
    if (r->has_household)
        sqlite3_bind_int64(s, P(4), ks_pseudo_rowid(r->household_ps));
    else
        sqlite3_bind_null(s, P(4));
    sqlite3_bind_int(s, P(5), r->age_band);
    sqlite3_bind_int(s, P(6), r->age_years < 18); /* the exact age is not stored */
    bind_opt(s, P(7), r->sex);
    bind_opt(s, P(8), r->household_type);
    sqlite3_bind_int(s, P(9), r->district);
    sqlite3_bind_text(s, P(10), consult, 10, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, P(11), consult, 7, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, P(12), ks_fiscal_year(r->consult));
    if (r->has_closed) {
        ks_date_format(r->closed, closed);
        sqlite3_bind_text(s, P(13), closed, 10, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, P(14), ks_date_days(r->closed) - ks_date_days(r->consult));
    } else {
        sqlite3_bind_null(s, P(13));
        sqlite3_bind_null(s, P(14));
    }
    bind_opt(s, P(15), r->intake_route);
    if (r->has_intake_agency)
        sqlite3_bind_int(s, P(16), r->intake_agency);
    else
        sqlite3_bind_null(s, P(16));
    sqlite3_bind_int(s, P(17), r->consent);
    bind_opt(s, P(18), r->meeting);
    sqlite3_bind_int(s, P(19), r->status);
    bind_opt(s, P(20), r->outcome);
    sqlite3_bind_int(s, P(21), r->problems[0]);
    sqlite3_bind_int64(s, P(22), mask8(r->problems, r->n_problems));
    sqlite3_bind_int64(s, P(23), mask8(r->supports, r->n_supports));
    sqlite3_bind_int64(s, P(24), (int64_t)pmask);
    sqlite3_bind_int(s, P(25), r->n_problems);
    sqlite3_bind_int(s, P(26), r->n_supports);
    sqlite3_bind_int(s, P(27), r->n_partners);
    sqlite3_bind_int(s, P(28), r->n_fields);
    sqlite3_bind_int(s, P(29), r->notes_present);
    sqlite3_bind_blob(s, P(30), hash, 16, SQLITE_STATIC);
    sqlite3_bind_int64(s, P(31), batch_id);
}
#undef P

static int put_case(ks_loader *l, int64_t case_key, int64_t case_id, const ks_record *r, const uint8_t hash[16],
                    ks_error *err)
{
    bind_case(l->st[ST_PUT_CASE], -1, l->batch_id, case_key, case_id, r, hash);
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

int ks_loader_put(ks_loader *l, const ks_record *r, const uint8_t row_hash[16], ks_error *err)
{
    int64_t case_key = ks_pseudo_rowid(r->case_ps);
    int rc;
    if ((rc = ks_psort_add(l->persons, r->person_ps, err)) ||
        (r->has_household && (rc = ks_psort_add(l->households, r->household_ps, err))))
        return rc;

    int result = KS_LOAD_INSERTED;
    int64_t case_id = 0;
    if (!l->fresh) {
        sqlite3_stmt *s = l->st[ST_SEL_CASE];
        sqlite3_bind_int64(s, 1, case_key);
        int step = sqlite3_step(s);
        if (step == SQLITE_ROW) {
            int same_ps = sqlite3_column_bytes(s, 0) == KS_PSEUDO_BYTES &&
                          memcmp(sqlite3_column_blob(s, 0), r->case_ps, KS_PSEUDO_BYTES) == 0;
            int same_row = sqlite3_column_bytes(s, 1) == 16 && memcmp(sqlite3_column_blob(s, 1), row_hash, 16) == 0;
            case_id = sqlite3_column_int64(s, 2);
            sqlite3_reset(s);
            if (!same_ps)
                return collision(err);
            if (same_row)
                return KS_LOAD_UNCHANGED;
            result = KS_LOAD_UPDATED;
        } else {
            sqlite3_reset(s);
            if (step != SQLITE_DONE)
                return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(l->db));
        }
    }
    if (l->fresh) {
        /* cases of a fresh load are numbered here, so their rows can be
         * written CASE_BATCH to a statement */
        casebuf *b = l->cases;
        b->rec[b->n] = *r;
        memcpy(b->hash[b->n], row_hash, 16);
        b->id[b->n] = l->next_case_id++;
        if (++b->n == CASE_BATCH && (rc = flush_cases(l, err)))
            return rc;
        return result;
    }
    /* an update keeps its case_id: REPLACE rewrites the row in place */
    if ((rc = put_case(l, case_key, case_id, r, row_hash, err)))
        return rc;
    return result;
}

/* Persons and households go in sorted by key (ks_psort): appending, not
 * seeking.  Into a fresh database ENTITY_BATCH rows go per statement
 * (per-statement overhead was most of the cost); a batch in which some row
 * already existed is checked row by row for a prefix collision, as
 * ensure_entity does, and so is everything put into a database that held
 * cases already. */
typedef struct entity_sink {
    ks_loader *l;           /* the loader */
    int ins, sel;           /* its statements for this table */
    sqlite3_stmt *many;     /* fresh load: ENTITY_BATCH rows per INSERT */
    int64_t last;           /* row id of the last pseudonym put */
    int have_last;          /* last is set */
} entity_sink;

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
    }
    if (!rc)
        rc = ks_psort_finish(sorter, put_entities, &k, distinct, err);
    sqlite3_finalize(k.many);
    return rc;
}

int ks_loader_finish(ks_loader *l, ks_error *err)
{
    int rc = l->cases ? flush_cases(l, err) : 0;
    if (!rc)
        rc = finish_entities(l, l->persons, ST_INS_PERSON, ST_SEL_PERSON, &l->npersons, err);
    if (!rc)
        rc = finish_entities(l, l->households, ST_INS_HOUSEHOLD, ST_SEL_HOUSEHOLD, &l->nhouseholds, err);
    return rc;
}

void ks_loader_seen(ks_loader *l, uint64_t *persons, uint64_t *households)
{
    *persons = l->npersons;
    *households = l->nhouseholds;
}
