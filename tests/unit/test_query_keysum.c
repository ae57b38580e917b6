/* test_query_keysum.c: library queries' keysum declarations (query.h,
 * "-- keysum: COUNT = COLUMN"): parsing and its errors at path:line, the
 * runner moving each sum into its count cell's key and dropping the column
 * (plain layout, pivot cells and totals, total-row), and a database without
 * record_key (schema 3 read as it is).
 *
 * The data: seven cases in districts A, B, C and sexes x, y, with record
 * keys chosen so that the sums wrap around 4096 (KS_CELL_KEY_MOD).  Every
 * expected key below is the sum of the listed cases' keys mod 4096, worked
 * out by hand:
 *
 *   case  d  s  key      A: 1+2+3 = 100+200+4000 = 4300 -> 204
 *   1     A  x  100      B: 4+5+6 = 300+1000+3001 = 4301 -> 205
 *   2     A  x  200      C: 7 -> 7
 *   3     A  y  4000     x: 1+2+4+7 = 607;  y: 3+5+6 = 8001 -> 3905
 *   4     B  x  300      all: 8608 -> 416
 *   5     B  y  1000     A-x 300, A-y 4000, B-x 300, B-y 4001, C-x 7
 *   6     B  y  3001
 *   7     C  x  7 */
#include <sqlite3.h>

#include "query.h"
#include "table.h"
#include "test.h"

static sqlite3 *open_db(bool keys)
{
    sqlite3 *db = NULL;
    KS_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    const char *sql =
        "CREATE TABLE case_record(case_id INTEGER PRIMARY KEY, d TEXT, s TEXT);"
        "CREATE TABLE person(person_id INTEGER PRIMARY KEY);"
        "CREATE TABLE household(household_id INTEGER PRIMARY KEY);"
        "INSERT INTO case_record VALUES (1,'A','x'),(2,'A','x'),(3,'A','y'),(4,'B','x'),(5,'B','y'),(6,'B','y'),"
        "(7,'C','x');";
    KS_CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    if (keys)
        KS_CHECK(sqlite3_exec(db,
                              "CREATE TABLE record_key(unit INTEGER, id INTEGER, rkey INTEGER, PRIMARY KEY(unit, id));"
                              "INSERT INTO record_key VALUES (1,1,100),(1,2,200),(1,3,4000),(1,4,300),(1,5,1000),"
                              "(1,6,3001),(1,7,7);",
                              NULL, NULL, NULL) == SQLITE_OK);
    return db;
}

static ks_query *parse(const char *path, const char *text, ks_error *err)
{
    memset(err, 0, sizeof *err);
    return ks_query_parse("q", path, text, err);
}

/* Runs text as a library query; NULL (and err) when it fails. */
static ks_table *run(sqlite3 *db, const char *text, ks_run_mode mode, ks_error *err)
{
    ks_query *q = parse("lib/q.sql", text, err);
    ks_table *t = NULL;
    if (q && ks_query_exec(db, q, NULL, 0, KS_LANG_JA, mode, NULL, NULL, &t, NULL, err) != 0)
        t = NULL;
    ks_query_free(q);
    return t;
}

/* The key of cell (r, c), or -1 when it has none. */
static int key_of(const ks_table *t, size_t r, size_t c)
{
    uint16_t k = 0;
    return ks_table_key(t, r, c, &k) ? (int)k : -1;
}

static const char plain_sql[] = "-- title: plain\n"
                                "-- keysum: n = n_key\n"
                                "SELECT c.d AS d, count(*) AS n, sum(k.rkey) AS n_key\n"
                                "FROM case_record c JOIN record_key k ON k.unit = 1 AND k.id = c.case_id\n"
                                "GROUP BY c.d ORDER BY c.d;\n";

static void test_plain(void)
{
    sqlite3 *db = open_db(true);
    ks_error err;
    ks_table *t = run(db, plain_sql, KS_RUN_LIBRARY, &err);
    KS_CHECK(t != NULL);
    if (t) {
        KS_CHECK_INT(ks_table_ncols(t), 2); /* d, n: n_key is gone */
        KS_CHECK_STR(ks_table_column(t, 0)->name, "d");
        KS_CHECK_STR(ks_table_column(t, 1)->name, "n");
        KS_CHECK(ks_table_column(t, 1)->is_count);
        KS_CHECK_INT(ks_table_nrows(t), 3);
        KS_CHECK_INT(ks_table_cell(t, 0, 1)->v.i, 3);
        KS_CHECK_INT(key_of(t, 0, 1), 204);
        KS_CHECK_INT(key_of(t, 1, 1), 205);
        KS_CHECK_INT(key_of(t, 2, 1), 7);
        KS_CHECK_INT(key_of(t, 0, 0), -1);
    }
    ks_table_free(t);
    /* row level: the column is dropped all the same, no keys */
    t = run(db, plain_sql, KS_RUN_ROWS, &err);
    KS_CHECK(t != NULL);
    if (t) {
        KS_CHECK_INT(ks_table_ncols(t), 2);
        KS_CHECK_INT(key_of(t, 0, 1), -1);
    }
    ks_table_free(t);
    /* a name n_* that is a keysum column is no count: the query is
     * aggregate through n alone, and the column is not in the table */
    ks_query *q = parse("lib/q.sql", plain_sql, &err);
    KS_CHECK_INT(ks_query_columns_aggregate(db, q, &err), 1);
    ks_query_free(q);
    sqlite3_close(db);
}

static void test_pivot(void)
{
    sqlite3 *db = open_db(true);
    ks_error err;
    ks_table *t = run(db,
                      "-- title: pivot\n"
                      "-- pivot: d, s, n\n"
                      "-- totals: yes\n"
                      "-- keysum: n = n_key\n"
                      "SELECT c.d AS d, c.s AS s, count(*) AS n, sum(k.rkey) AS n_key\n"
                      "FROM case_record c JOIN record_key k ON k.unit = 1 AND k.id = c.case_id\n"
                      "GROUP BY c.d, c.s ORDER BY 1, 2;\n",
                      KS_RUN_LIBRARY, &err);
    KS_CHECK(t != NULL);
    if (!t) {
        fprintf(stderr, "pivot: %s\n", err.msg);
        sqlite3_close(db);
        return;
    }
    /* d, x, y, 合計; rows A, B, C, 合計 */
    KS_CHECK_INT(ks_table_ncols(t), 4);
    KS_CHECK_INT(ks_table_nrows(t), 4);
    KS_CHECK_STR(ks_table_column(t, 1)->name, "x");
    KS_CHECK_STR(ks_table_column(t, 2)->name, "y");
    static const int want_n[4][3] = {{2, 1, 3}, {1, 2, 3}, {1, 0, 1}, {4, 3, 7}};
    static const int want_key[4][3] = {{300, 4000, 204}, {300, 4001, 205}, {7, -1, 7}, {607, 3905, 416}};
    for (size_t r = 0; r < 4; r++)
        for (size_t c = 0; c < 3; c++) {
            KS_CHECK_INT(ks_table_cell(t, r, c + 1)->v.i, want_n[r][c]);
            KS_CHECK_INT(key_of(t, r, c + 1), want_key[r][c]);
        }
    ks_table_free(t);

    /* a group with a count but no key sum (NULL): its cell and the totals
     * it is part of get no key; the other cells keep theirs */
    t = run(db,
            "-- pivot: d, s, n\n"
            "-- totals: yes\n"
            "-- keysum: n = n_key\n"
            "SELECT c.d AS d, c.s AS s, count(*) AS n, CASE WHEN c.d = 'B' AND c.s = 'y' THEN NULL ELSE sum(k.rkey) END"
            " AS n_key\n"
            "FROM case_record c JOIN record_key k ON k.unit = 1 AND k.id = c.case_id\n"
            "GROUP BY c.d, c.s ORDER BY 1, 2;\n",
            KS_RUN_LIBRARY, &err);
    KS_CHECK(t != NULL);
    if (t) {
        KS_CHECK_INT(key_of(t, 1, 2), -1); /* B-y */
        KS_CHECK_INT(key_of(t, 1, 3), -1); /* B's total */
        KS_CHECK_INT(key_of(t, 3, 2), -1); /* y's total */
        KS_CHECK_INT(key_of(t, 3, 3), -1); /* the grand total */
        KS_CHECK_INT(key_of(t, 1, 1), 300);
        KS_CHECK_INT(key_of(t, 3, 1), 607);
    }
    ks_table_free(t);
    sqlite3_close(db);
}

/* A total-row query whose total's key sum is off by `off`. */
static void total_row_sql(char *sql, size_t size, int off)
{
    snprintf(sql, size,
             "-- total-row: yes\n-- keysum: n = n_key\n"
             "WITH g AS (SELECT c.d AS d, count(*) AS n, sum(k.rkey) AS n_key\n"
             "  FROM case_record c JOIN record_key k ON k.unit = 1 AND k.id = c.case_id GROUP BY c.d)\n"
             "SELECT d, n, n_key FROM g\n"
             "UNION ALL SELECT 'total', sum(n), sum(n_key) + %d FROM g;\n",
             off);
}

static void test_total_row(void)
{
    sqlite3 *db = open_db(true);
    ks_error err;
    char sql[1024];
    total_row_sql(sql, sizeof sql, 0);
    ks_table *t = run(db, sql, KS_RUN_LIBRARY, &err);
    KS_CHECK(t != NULL);
    if (t) {
        KS_CHECK_INT(ks_table_nrows(t), 4);
        KS_CHECK_INT(ks_table_total_row(t), 3);
        KS_CHECK_INT(key_of(t, 3, 1), 416);
    }
    ks_table_free(t);
    /* off by one: the rows do not add up to the total's key */
    total_row_sql(sql, sizeof sql, 1);
    t = run(db, sql, KS_RUN_LIBRARY, &err);
    KS_CHECK(t == NULL);
    KS_CHECK(strstr(err.msg, "lib/q.sql:2: keysum 'n = n_key': the total row's key sum") != NULL);
    ks_table_free(t);
    /* off by 4096: the same key */
    total_row_sql(sql, sizeof sql, 4096);
    t = run(db, sql, KS_RUN_LIBRARY, &err);
    KS_CHECK(t != NULL);
    ks_table_free(t);
    sqlite3_close(db);
}

/* Header errors name the file and the declaration's line. */
static void test_errors(void)
{
    static const struct {
        const char *text; /* the query file */
        const char *want; /* the start of the message */
    } parse_errors[] = {
        {"-- title: t\n-- keysum: total = total_key\nSELECT 1 AS total, 2 AS total_key;\n",
         "lib/e.sql:2: keysum 'total = total_key': 'total' is not a declared count"},
        {"-- count: a, b\n-- title: t\n-- keysum: a = b\nSELECT 1 AS a, 2 AS b;\n",
         "lib/e.sql:3: keysum 'a = b': column 'b' is a count"},
        {"-- pivot: d, s, n\n-- keysum: m = m_key\nSELECT 1;\n",
         "lib/e.sql:2: keysum 'm = m_key': 'm' is not the pivot's count"},
        {"-- pivot: d, s, n\n-- keysum: n = s\nSELECT 1;\n",
         "lib/e.sql:2: keysum 'n = s': column 's' is a column of the pivot"},
        {"-- keysum: n\nSELECT 1;\n", "lib/e.sql:1: keysum needs 'count = column'"},
        {"-- keysum: n = k one\nSELECT 1;\n", "lib/e.sql:1: keysum needs 'count = column'"},
        {"-- keysum: n = n_key\n-- keysum: n = n_key2\nSELECT 1;\n",
         "lib/e.sql:2: keysum 'n = n_key2': count 'n' has a keysum already"},
        {"-- keysum: n = k, n_x = k\nSELECT 1;\n", "lib/e.sql:1: keysum 'n_x = k': column 'k' holds the keys of"},
        {"-- share: pct = n / k\n-- keysum: n = k\nSELECT 1;\n", "lib/e.sql:2: keysum 'n = k': column 'k' is named by a share"},
        {"-- keysum: n = n_key, n_key = n_x\nSELECT 1;\n",
         "lib/e.sql:1: keysum 'n_key = n_x': 'n_key' is both a count and a keysum column"},
        {"-- keysum: n_x = k1, n = n_x\nSELECT 1;\n",
         "lib/e.sql:1: keysum 'n = n_x': column 'n_x' is both a count and a keysum column"},
    };
    for (size_t i = 0; i < KS_ARRAY_LEN(parse_errors); i++) {
        ks_error err;
        ks_query *q = parse("lib/e.sql", parse_errors[i].text, &err);
        KS_CHECK(q == NULL);
        if (strncmp(err.msg, parse_errors[i].want, strlen(parse_errors[i].want)) != 0) {
            KS_CHECK(!"message");
            fprintf(stderr, "  got  %s\n  want %s...\n", err.msg, parse_errors[i].want);
        }
        ks_query_free(q);
    }

    /* at run time, before any row is read: a keysum column or its count
     * that the statement does not return, or returns twice */
    static const struct {
        const char *text;
        const char *want;
    } run_errors[] = {
        {"-- title: t\n-- keysum: n = n_sum\nSELECT c.d AS d, count(*) AS n, 0 AS n_key FROM case_record c GROUP BY 1;\n",
         "lib/q.sql:2: keysum 'n = n_sum': the query returns no column 'n_sum'"},
        {"-- keysum: n_c = n_key\nSELECT c.d AS d, count(*) AS n, 0 AS n_key FROM case_record c GROUP BY 1;\n",
         "lib/q.sql:1: keysum 'n_c = n_key': the query returns no column 'n_c'"},
        {"-- keysum: n = n_key\nSELECT count(*) AS n, 0 AS n_key, 1 AS n_key FROM case_record c;\n",
         "lib/q.sql:1: keysum 'n = n_key': the query returns more than one column 'n_key'"},
        {"-- keysum: n = n_key\nSELECT c.d AS d, count(*) AS n, 'abc' AS n_key FROM case_record c GROUP BY 1;\n",
         "lib/q.sql:1: keysum 'n = n_key': row 1 holds a key sum that is not a non-negative integer"},
        {"-- keysum: n = n_key\nSELECT c.d AS d, count(*) AS n, -1 AS n_key FROM case_record c GROUP BY 1;\n",
         "lib/q.sql:1: keysum 'n = n_key': row 1 holds a key sum that is not a non-negative integer"},
        {"-- pivot: d, s, n\n-- keysum: n = n_key\nSELECT c.d AS d, c.s AS s, count(*) AS n FROM case_record c GROUP BY 1, 2;\n",
         "lib/q.sql:2: keysum 'n = n_key': the query returns no column 'n_key'"},
    };
    sqlite3 *db = open_db(true);
    for (size_t i = 0; i < KS_ARRAY_LEN(run_errors); i++) {
        ks_error err;
        ks_table *t = run(db, run_errors[i].text, KS_RUN_LIBRARY, &err);
        KS_CHECK(t == NULL);
        if (strncmp(err.msg, run_errors[i].want, strlen(run_errors[i].want)) != 0) {
            KS_CHECK(!"message");
            fprintf(stderr, "  got  %s\n  want %s...\n", err.msg, run_errors[i].want);
        }
        ks_table_free(t);
    }

    /* outside the library a keysum declaration is refused, as count: is */
    ks_rkeys *keys = NULL;
    ks_error err = {0};
    KS_CHECK_INT(ks_rkeys_load(db, "main", &keys, &err), 0);
    ks_query *q = parse(NULL, "-- keysum: n = n_key\nSELECT case_id, d FROM case_record;\n", &err);
    ks_table *t = NULL;
    KS_CHECK(q != NULL);
    KS_CHECK_INT(ks_query_exec(db, q, NULL, 0, KS_LANG_JA, KS_RUN_ADHOC, keys, NULL, &t, NULL, &err), -KS_ESAFETY);
    KS_CHECK(strstr(err.msg, "'-- keysum:', which only a library query may") != NULL);
    ks_query_free(q);
    ks_table_free(t);
    ks_rkeys_free(keys);
    sqlite3_close(db);
}

/* Schema 3 read as it is: no record_key.  The library runs with a stand-in:
 * the same counts, no keys. */
static void test_no_record_keys(void)
{
    sqlite3 *db = open_db(false);
    ks_error err;
    ks_table *t = run(db, plain_sql, KS_RUN_LIBRARY, &err);
    KS_CHECK(t != NULL);
    if (t) {
        KS_CHECK_INT(ks_table_ncols(t), 2);
        KS_CHECK_INT(ks_table_nrows(t), 3);
        KS_CHECK_INT(ks_table_cell(t, 0, 1)->v.i, 3);
        KS_CHECK_INT(ks_table_cell(t, 1, 1)->v.i, 3);
        KS_CHECK_INT(ks_table_cell(t, 2, 1)->v.i, 1);
        KS_CHECK_INT(key_of(t, 0, 1), -1);
    } else {
        fprintf(stderr, "no record keys: %s\n", err.msg);
    }
    ks_table_free(t);
    /* a comment after the statement, and a ';' in a string and a comment */
    t = run(db,
            "-- keysum: n = n_key\n"
            "SELECT c.d AS d, count(*) AS n, sum(k.rkey) AS n_key, ';' AS semi -- a ';' here\n"
            "FROM case_record c JOIN record_key k ON k.unit = 1 AND k.id = c.case_id\n"
            "GROUP BY c.d ORDER BY c.d; -- the end\n",
            KS_RUN_LIBRARY, &err);
    KS_CHECK(t != NULL);
    if (t) {
        KS_CHECK_INT(ks_table_nrows(t), 3);
        KS_CHECK_STR(ks_table_cell(t, 0, 2)->v.s, ";");
    }
    ks_table_free(t);
    ks_query *q = parse("lib/q.sql", plain_sql, &err);
    KS_CHECK_INT(ks_query_columns_aggregate(db, q, &err), 1);
    ks_query_free(q);
    sqlite3_close(db);
}

int main(void)
{
    test_plain();
    test_pivot();
    test_total_row();
    test_errors();
    test_no_record_keys();
    return ks_test_report();
}
