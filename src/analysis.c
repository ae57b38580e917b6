/* analysis.c: a read-only analysis connection and running a query into a
 * ks_table.  Read-only is enforced three times over: the file is opened
 * SQLITE_OPEN_READONLY, an authorizer allows nothing but reading, and each
 * statement must pass sqlite3_stmt_readonly. */
#include <stdlib.h>
#include <string.h>

#include "kasane/db.h"
#include "kasane/query.h"

/* Functions that read nothing but would let a query touch the file system or
 * the process: refused even though reading is allowed. */
static const char *const banned_functions[] = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer",
                                               NULL};

/* Tables that hold one row per case (or per person or household seen in
 * cases; case_problem, case_support and case_partner were tables in schema
 * 1): at row level they may only be read from inside the consent-filtered
 * temp views over the three that are tables now. */
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

/* Temp views shadow the main tables for unqualified names (SQLite looks in
 * temp first), so every case-level table and view an analyst can name shows
 * consenting cases only.  Views hold no data: nothing is written. */
static const char consent_views[] =
    "CREATE TEMP VIEW case_record AS SELECT * FROM main.case_record WHERE consent_id = 1;"
    "CREATE TEMP VIEW person AS SELECT * FROM main.person WHERE person_id IN "
    "(SELECT person_id FROM main.case_record WHERE consent_id = 1);"
    "CREATE TEMP VIEW household AS SELECT * FROM main.household WHERE household_id IN "
    "(SELECT household_id FROM main.case_record WHERE consent_id = 1);";

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
    /* one block for what the functions and the authorizer need; freed by
     * SQLite with the label() function, i.e. with the connection */
    struct conn_ud {
        ks_lang lang;  /* first: label() reads it as a ks_lang */
        int row_level; /* the authorizer's mode */
    } *lang_ud = ks_malloc(sizeof *lang_ud);
    lang_ud->lang = lang;
    lang_ud->row_level = consent_only;
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    /* label() owns lang_ud: SQLite frees it with the connection */
    if (sqlite3_create_function_v2(db, "label", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, lang_ud, fn_label, NULL,
                                   NULL, free) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "fy", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_fy, NULL, NULL,
                                   NULL) != SQLITE_OK) {
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
        goto fail;
    }
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
    /* installed last: kasane's own setup above is not an analyst's statement */
    sqlite3_set_authorizer(db, authorizer, &lang_ud->row_level);
    *out = db;
    return 0;
fail:
    ks_db_close(db);
    return rc;
}
