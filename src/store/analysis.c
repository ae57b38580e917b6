/* analysis.c: the read-only analysis connections.  Read-only is enforced
 * three times over: the file is opened SQLITE_OPEN_READONLY, an authorizer
 * allows nothing but reading, and each statement must pass
 * sqlite3_stmt_readonly.
 *
 * Two kinds: the full connection (every case: analyses, reports, library
 * aggregates) and the ad-hoc one, an in-memory copy that holds only the cases
 * with consent.  The copy is what makes the consent rule hold for arbitrary
 * SQL: a filter that trusts names (temp views shadowing the tables, an
 * authorizer checking the innermost view) is walked around by a CTE or a
 * subquery of the same name, while rows that were never copied cannot be
 * named at all. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "codes.h"
#include "db.h"

/* Functions that read nothing but would let a query touch the file system or
 * the process: refused even though reading is allowed. */
static const char *const banned_functions[] = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer",
                                               NULL};

/* kasane-weak's "rowlevel-names" only (the old row-level filter): tables that
 * hold one row per case (or per person or household seen in cases;
 * case_problem, case_support and case_partner were tables in schema 1) may
 * only be read from inside the consent-filtered temp views named like them. */
static const char *const case_tables[] = {"case_record", "case_problem", "case_support", "case_partner",
                                          "person", "household", NULL};
static const char *const filter_views[] = {"case_record", "person", "household", NULL};

static int in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* ud points at an int: 1 when the connection serves row-level output. */
static int authorizer(void *ud, int action, const char *a, const char *b, const char *db, const char *view)
{
    const int *row_level = ud;
    switch (action) {
    case SQLITE_READ:
        /* At row level, main's case tables are readable only from inside the
         * temp view that filters them ("view" names the innermost view doing
         * the read).  This shuts the door that main.case_record, or main's
         * own v_case and mask views, would otherwise leave open: naming
         * main.case_problem reads a case table's columns from outside any
         * view, and inside it main.case_record is read from a view named
         * case_problem, which filters nothing — each is refused. */
        if (*row_level && db && strcmp(db, "main") == 0 && in_list(a, case_tables) && !in_list(view, filter_views))
            return SQLITE_DENY;
        return SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_FUNCTION: /* the function's name is the 4th argument */
        for (const char *const *f = banned_functions; *f; f++)
            if (b && strcasecmp(b, *f) == 0)
                return SQLITE_DENY;
        return SQLITE_OK;
    default:
        /* writes, ATTACH/DETACH, PRAGMA, CREATE (temp or not), DROP, ALTER,
         * transactions, savepoints, ANALYZE, REINDEX, virtual tables */
        return SQLITE_DENY;
    }
}

static void fn_label(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const ks_lang *lang = sqlite3_user_data(ctx);
    sqlite3_value *v = argv[*lang == KS_LANG_EN ? 1 : 0];
    if (sqlite3_value_type(v) == SQLITE_NULL)
        v = argv[*lang == KS_LANG_EN ? 0 : 1];
    sqlite3_result_value(ctx, v);
}

/* good_outcome(outcome_id): 1 for 解決 or 改善 (ks_outcome_good), 0 for
 * any other outcome, NULL for none: the query library's good outcome is
 * the engine's. */
static void fn_good_outcome(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_int(ctx, ks_outcome_good(sqlite3_value_int(argv[0])));
}

static void fn_fy(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *s = sqlite3_value_text(argv[0]);
    int y, m, d;
    if (!s || sscanf((const char *)s, "%4d-%2d-%2d", &y, &m, &d) != 3) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_int(ctx, m >= 4 ? y : y - 1);
}

/* kasane-weak's "rowlevel-names" only: temp views shadow the main tables for
 * unqualified names (SQLite looks in temp first). */
static const char consent_views[] =
    "CREATE TEMP VIEW case_record AS SELECT * FROM main.case_record WHERE consent_id = " KS_CONSENT_YES_SQL ";"
    "CREATE TEMP VIEW person AS SELECT * FROM main.person WHERE person_id IN "
    "(SELECT person_id FROM main.case_record WHERE consent_id = " KS_CONSENT_YES_SQL ");"
    "CREATE TEMP VIEW household AS SELECT * FROM main.household WHERE household_id IN "
    "(SELECT household_id FROM main.case_record WHERE consent_id = " KS_CONSENT_YES_SQL ");";

/* The functions, limits and authorizer of every analysis connection
 * (installed last: kasane's own setup before it is not an analyst's SQL). */
static int setup(sqlite3 *db, ks_lang lang, bool row_level, ks_error *err)
{
    /* one block for what the functions and the authorizer need; freed by
     * SQLite with the label() function, i.e. with the connection */
    struct conn_ud {
        ks_lang lang;  /* first: label() reads it as a ks_lang */
        int row_level; /* the authorizer's mode (kasane-weak's old filter) */
    } *ud = ks_malloc(sizeof *ud);
    ud->lang = lang;
    ud->row_level = row_level;
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    /* label() owns ud: SQLite frees it with the connection (or at once when
     * registering fails) */
    if (sqlite3_create_function_v2(db, "label", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, ud, fn_label, NULL, NULL,
                                   free) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "fy", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_fy, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "good_outcome", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   fn_good_outcome, NULL, NULL, NULL) != SQLITE_OK)
        return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_set_authorizer(db, authorizer, &ud->row_level);
    return 0;
}

int ks_analysis_open(const char *path, ks_lang lang, bool consent_only, int64_t *excluded, sqlite3 **out,
                     ks_error *err)
{
    sqlite3 *db = NULL;
    *out = NULL;
    if (excluded)
        *excluded = 0;
    int rc = ks_db_open(path, KS_DB_READ, &db, err);
    if (rc)
        return rc;
    if (consent_only) {
        /* temp v_case, case_problem, case_support, case_partner: main's
         * definitions over the filtered temp case_record */
        if ((rc = ks_db_exec(db, consent_views, err)) || (rc = ks_db_exec(db, ks_db_temp_view_sql(), err)))
            goto fail;
        sqlite3_stmt *st = NULL;
        if ((rc = ks_db_prepare(db, "SELECT count(*) FROM main.case_record WHERE consent_id <> 1", &st, err)))
            goto fail;
        if (excluded && sqlite3_step(st) == SQLITE_ROW)
            *excluded = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if ((rc = setup(db, lang, consent_only, err)))
        goto fail;
    *out = db;
    return 0;
fail:
    ks_db_close(db);
    return rc;
}

/* ---- the ad-hoc copy ------------------------------------------------------ */

/* Tables copied whole: codes, the profile, metadata.  A table of the file
 * that is neither here nor in case_tables is not copied (a future table is
 * left out until someone decides it is safe).  record_key (rkey.h) is left
 * out on purpose: an analyst who could read the record keys could compute
 * every cell key and take the noise of the cell key method back off.
 * sdc_ptable (sdc.h) is copied: the publish step reads the data officer's
 * ptable from this connection, and a ptable is no secret (ONS publishes
 * theirs; the noise rests on the record keys). */
static const char *const whole_tables[] = {
    "meta", "sex", "household_type", "intake_route", "consent", "meeting_type", "status", "outcome", "field",
    "partner_kind", "problem", "support", "age_band", "district", "partner", "import_batch", "sdc_ptable", NULL};
/* Columns never copied: pseudonyms, the record pseudonym's prefix and the
 * row hash.  Row-level output links rows by case_id, person_id and
 * household_id, as it always did; nothing ad hoc needs the others. */
static const char *const dropped_columns[] = {"pseudonym", "case_key", "row_hash", NULL};

/* The WHERE clause that keeps a case table's rows of consenting cases.
 * case_record is copied first; the others follow it (schema 1's
 * case_problem, case_support and case_partner were tables). */
static const char *copy_filter(const char *table)
{
    if (strcmp(table, "case_record") == 0)
        return "WHERE consent_id = " KS_CONSENT_YES_SQL;
    if (strcmp(table, "person") == 0)
        return "WHERE person_id IN (SELECT person_id FROM main.case_record)";
    if (strcmp(table, "household") == 0)
        return "WHERE household_id IN (SELECT household_id FROM main.case_record)";
    if (in_list(table, case_tables))
        return "WHERE case_id IN (SELECT case_id FROM main.case_record)";
    return in_list(table, whole_tables) ? "" : NULL;
}

/* "file:PATH?mode=ro" with PATH percent-encoded. */
static char *ro_uri(const char *path)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_adds(&b, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/._-~", *p))
            ks_buf_addc(&b, (char)*p);
        else
            ks_buf_addf(&b, "%%%02X", *p);
    }
    ks_buf_adds(&b, "?mode=ro");
    return ks_buf_detach(&b, NULL);
}

/* Creates one table of the copy and fills it from src: its own CREATE
 * statement when every column is kept (case_id stays the rowid either way),
 * otherwise the kept columns with their declared types and key. */
static int copy_table(sqlite3 *db, const char *name, const char *create_sql, const char *filter, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    ks_buf cols, create, ins;
    ks_buf_init(&cols);
    ks_buf_init(&create);
    ks_buf_init(&ins);
    int rc = ks_db_prepare(db, "SELECT name, type, pk FROM pragma_table_info(?1, 'src') ORDER BY cid", &st, err);
    int dropped = 0;
    if (rc)
        goto done;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    ks_buf_addf(&create, "CREATE TABLE main.\"%s\"(", name);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        if (in_list(col, dropped_columns)) {
            dropped = 1;
            continue;
        }
        ks_buf_addf(&cols, "%s\"%s\"", n ? ", " : "", col);
        ks_buf_addf(&create, "%s\"%s\" %s%s", n ? ", " : "", col, type ? type : "",
                    sqlite3_column_int(st, 2) == 1 ? " PRIMARY KEY" : "");
        n++;
    }
    ks_buf_addc(&create, ')');
    if (n == 0) {
        rc = ks_error_set(err, KS_EIO, "database: table '%s' has no columns", name);
        goto done;
    }
    if ((rc = ks_db_exec(db, dropped ? create.buf : create_sql, err)))
        goto done;
    ks_buf_addf(&ins, "INSERT INTO main.\"%s\"(%s) SELECT %s FROM src.\"%s\" %s", name, cols.buf, cols.buf, name,
                filter);
    rc = ks_db_exec(db, ins.buf, err);
done:
    sqlite3_finalize(st);
    ks_buf_release(&cols);
    ks_buf_release(&create);
    ks_buf_release(&ins);
    return rc;
}

/* Copies what ad-hoc SQL may see from the attached file `src` into main, in
 * the transaction the caller holds. */
static int copy_consented(sqlite3 *db, int64_t *excluded, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    /* case_record first (the others are filtered by it), then the other
     * tables, then the views (which only need their tables to exist) */
    int rc = ks_db_prepare(db,
                           "SELECT type, name, sql FROM src.sqlite_schema "
                           "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%' "
                           "ORDER BY type = 'view', name <> 'case_record', rowid",
                           &st, err);
    if (rc)
        return rc;
    int step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *sql = (const char *)sqlite3_column_text(st, 2);
        if (!type || !name || !sql)
            continue;
        if (strcmp(type, "view") == 0) {
            rc = ks_db_exec(db, sql, err); /* unqualified: created in main, over main's tables */
        } else {
            const char *filter = copy_filter(name);
            if (filter)
                rc = copy_table(db, name, sql, filter, err);
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    st = NULL;
    if (rc == 0 && excluded &&
        (rc = ks_db_prepare(db, "SELECT count(*) FROM src.case_record WHERE consent_id <> 1", &st, err)) == 0) {
        if (sqlite3_step(st) == SQLITE_ROW)
            *excluded = sqlite3_column_int64(st, 0);
        else
            rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
    }
    return rc;
}

int ks_analysis_open_adhoc(const char *path, ks_lang lang, int64_t *excluded, ks_rkeys **keys, sqlite3 **out,
                           ks_error *err)
{
    *out = NULL;
    if (excluded)
        *excluded = 0;
    if (keys)
        *keys = NULL;
    ks_rkeys *loaded = NULL;
    /* the file's checks and messages (exists, is a kasane database, a schema
     * this kasane reads) are ks_db_open's */
    sqlite3 *check = NULL;
    int rc = ks_db_open(path, KS_DB_READ, &check, err);
    ks_db_close(check);
    if (rc)
        return rc;
    sqlite3 *db = NULL;
    char *uri = ro_uri(path);
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
                                             SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = ks_error_set(err, KS_EIO, "cannot open an in-memory database: %s", db ? sqlite3_errmsg(db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    if ((rc = ks_db_prepare(db, "ATTACH ?1 AS src", &st, err)))
        goto fail;
    sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = ks_error_set(err, KS_EIO, "cannot open database '%s': %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* one read transaction: a consistent snapshot even while an import
     * commits into the file (WAL) */
    if ((rc = ks_db_exec(db, "BEGIN", err)))
        goto fail;
    /* the keys from the same snapshot as the copy: every unit copied has
     * its key (they go to C memory, never into the copy) */
    if ((rc = copy_consented(db, excluded, err)) || (keys && (rc = ks_rkeys_load(db, "src", &loaded, err)))) {
        ks_db_exec(db, "ROLLBACK", NULL);
        goto fail;
    }
    if ((rc = ks_db_exec(db, "COMMIT; DETACH src;", err)))
        goto fail;
    if ((rc = setup(db, lang, false, err)))
        goto fail;
    free(uri);
    *out = db;
    if (keys)
        *keys = loaded;
    return 0;
fail:
    ks_rkeys_free(loaded);
    sqlite3_finalize(st);
    free(uri);
    if (db)
        sqlite3_close(db);
    return rc;
}
