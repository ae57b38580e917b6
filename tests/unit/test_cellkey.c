/* test_cellkey: ptables and the cell key perturbation (cellkey.h).
 *
 * Expected values come from elsewhere, never from this code:
 *  - ONS equality: tests/ref/cellkey/ (README.md there says where each file
 *    comes from).  The micro data are ONS's test data generator re-run
 *    without numpy; the expected tables are ONS's create_perturbed_table
 *    re-run by ref.py, which reproduces all 90 rows ONS shipped in a
 *    docstring (compared here too, straight from ONS's file) and the 5 rows
 *    of ONS's user guide.  This test tabulates the micro data as pandas
 *    does (see tabulate()) and compares every cell: count, ckey, pcv,
 *    pvalue and published count.
 *  - The two large ptables are formulas, built here as text and parsed:
 *    ONS's generate_ptable_10_5_rule (generate_test_ptable.py) and ref.py's
 *    diagnostic pvalue = ((7 pcv + 3 ckey) mod 5) - 2.  Their hashes are
 *    those of ONS's file (CR and quotes removed) and ref.py's file, by
 *    sha256sum.
 *  - sdcTools: interval boundaries worked out by hand below.
 *  - Default ptable: counts, means and variances derived by hand in
 *    datasets/ptables/README.md. */
#include "cellkey.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define HASH_10_5 "03e170da750345f76098bc974ebc7261b48da12d8bdc18a3f07e4bb68af521be"
#define HASH_DIAG "bc6dc5976823647e611c7516515b055059ad7aa18405fc674ec573ad792a74f9"
#define HASH_SDC "f1f5ebfbaedad3d3eb8db92bac69d7c54324ab520a008731390dfe12c6012884"
/* sha256sum datasets/ptables/kasane-default-k5.csv */
#define HASH_DEFAULT_K5 "bf40cfca244b3ecabf42b55bd8f262c4fcb51d9ad13ee3cf8daaa422dc92da56"

/* ---- files -------------------------------------------------------------- */

static char *slurp(const char *rel, size_t *len)
{
    const char *src = getenv("KASANE_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        KS_CHECK(f != NULL);
        *len = 0;
        return ks_strdup("");
    }
    ks_buf b;
    ks_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ks_buf_add(&b, chunk, n);
    fclose(f);
    return ks_buf_detach(&b, len);
}

/* A CSV without quotes, as ref.py writes it: rows of fields. */
typedef struct csv {
    char *text;   /* the file, cut into fields in place */
    char ***row;  /* row[r][c] */
    size_t *ncol; /* fields of each row */
    size_t nrow;  /* rows, header included */
} csv;

static void csv_read(const char *rel, csv *c)
{
    size_t len;
    memset(c, 0, sizeof *c);
    c->text = slurp(rel, &len);
    char *p = c->text, *end = c->text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end;
        if (e > p && e[-1] == '\r')
            e[-1] = '\0';
        *e = '\0';
        c->row = ks_realloc(c->row, (c->nrow + 1) * sizeof *c->row);
        c->ncol = ks_realloc(c->ncol, (c->nrow + 1) * sizeof *c->ncol);
        char **f = NULL;
        size_t n = 0;
        for (char *s = p;; s++) {
            char *comma = strchr(s, ',');
            f = ks_realloc(f, (n + 1) * sizeof *f);
            f[n++] = s;
            if (!comma)
                break;
            *comma = '\0';
            s = comma;
        }
        c->row[c->nrow] = f;
        c->ncol[c->nrow++] = n;
        p = nl ? nl + 1 : end;
    }
}

static void csv_free(csv *c)
{
    for (size_t r = 0; r < c->nrow; r++)
        free(c->row[r]);
    free(c->row);
    free(c->ncol);
    free(c->text);
}

static long col_of(const csv *c, const char *name)
{
    for (size_t i = 0; i < c->ncol[0]; i++)
        if (strcmp(c->row[0][i], name) == 0)
            return (long)i;
    return -1;
}

/* ---- tabulating as ONS does --------------------------------------------- */

/* One table: the grid of cells over the levels of each variable. */
typedef struct tab {
    size_t nvar;      /* variables */
    char **lev[8];    /* lev[v]: its levels, sorted */
    size_t nlev[8];   /* their number */
    size_t ncell;     /* product of nlev */
    int64_t *n;       /* count per cell (mixed radix, first variable slowest) */
    uint64_t *keysum; /* sum of record keys per cell */
} tab;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static long level_of(const tab *t, size_t v, const char *s)
{
    for (size_t i = 0; i < t->nlev[v]; i++)
        if (strcmp(t->lev[v][i], s) == 0)
            return (long)i;
    return -1;
}

/* pandas: groupby(keys) drops records with a missing value in any key
 * (create_perturbed_table.py 134-138); pivot_table(dropna=False) with >= 2
 * keys re-indexes to the product of the levels seen in complete records
 * (140-145); with one key the cells are those levels.  The record key sum
 * skips missing keys (148-152); an empty cell's sum is 0. */
static void tabulate(const csv *m, const char *const *vars, size_t nvar, tab *t)
{
    memset(t, 0, sizeof *t);
    t->nvar = nvar;
    long ci[8], rk = col_of(m, "record_key");
    KS_CHECK(rk >= 0);
    for (size_t v = 0; v < nvar; v++)
        KS_CHECK((ci[v] = col_of(m, vars[v])) >= 0);
    for (size_t r = 1; r < m->nrow; r++) {
        if (m->ncol[r] != m->ncol[0])
            continue; /* the empty last line */
        bool complete = true;
        for (size_t v = 0; v < nvar; v++)
            complete = complete && m->row[r][ci[v]][0] != '\0';
        if (!complete)
            continue;
        for (size_t v = 0; v < nvar; v++)
            if (level_of(t, v, m->row[r][ci[v]]) < 0) {
                t->lev[v] = ks_realloc(t->lev[v], (t->nlev[v] + 1) * sizeof *t->lev[v]);
                t->lev[v][t->nlev[v]++] = m->row[r][ci[v]];
            }
    }
    t->ncell = 1;
    for (size_t v = 0; v < nvar; v++) {
        qsort(t->lev[v], t->nlev[v], sizeof *t->lev[v], cmp_str);
        t->ncell *= t->nlev[v];
    }
    t->n = ks_calloc(t->ncell, sizeof *t->n);
    t->keysum = ks_calloc(t->ncell, sizeof *t->keysum);
    for (size_t r = 1; r < m->nrow; r++) {
        if (m->ncol[r] != m->ncol[0])
            continue;
        size_t cell = 0;
        bool complete = true;
        for (size_t v = 0; v < nvar && complete; v++) {
            long l = m->row[r][ci[v]][0] ? level_of(t, v, m->row[r][ci[v]]) : -1;
            complete = l >= 0;
            cell = cell * t->nlev[v] + (size_t)(l < 0 ? 0 : l);
        }
        if (!complete)
            continue;
        t->n[cell]++;
        const char *key = m->row[r][rk];
        t->keysum[cell] += key[0] ? (uint64_t)strtoull(key, NULL, 10) : 0;
    }
}

static void tab_free(tab *t)
{
    for (size_t v = 0; v < t->nvar; v++)
        free(t->lev[v]);
    free(t->n);
    free(t->keysum);
}

/* The cell of the given level strings, or -1. */
static long cell_of(const tab *t, char *const *levels)
{
    size_t cell = 0;
    for (size_t v = 0; v < t->nvar; v++) {
        long l = level_of(t, v, levels[v]);
        if (l < 0)
            return -1;
        cell = cell * t->nlev[v] + (size_t)l;
    }
    return (long)cell;
}

/* Compares every row of an expected file (ref.py's layout: the variables,
 * pre_sdc_count, ckey, pcv, pvalue, count; an empty count is <NA>) with
 * the tabulation of `micro` perturbed by pt; a count below `threshold` is
 * hidden, as cpt.py 179-185 does.  The file must list every grid cell. */
static void check_expected(const char *micro, const char *expected, const ks_ptable *pt, int threshold)
{
    csv m, e;
    csv_read(micro, &m);
    csv_read(expected, &e);
    long pre = col_of(&e, "pre_sdc_count");
    KS_CHECK(pre >= 1 && pre < 8 && e.ncol[0] == (size_t)pre + 5);
    if (pre < 1 || pre >= 8 || e.ncol[0] != (size_t)pre + 5) {
        csv_free(&m);
        csv_free(&e);
        return;
    }
    const char *vars[8];
    for (long v = 0; v < pre; v++)
        vars[v] = e.row[0][v];
    tab t;
    tabulate(&m, vars, (size_t)pre, &t);
    bool *seen = ks_calloc(t.ncell, sizeof *seen);
    size_t rows = 0, bad = 0;
    for (size_t r = 1; r < e.nrow; r++) {
        if (e.ncol[r] != e.ncol[0])
            continue;
        rows++;
        long cell = cell_of(&t, e.row[r]);
        if (cell < 0 || seen[cell]) {
            fprintf(stderr, "%s:%zu: no such cell or seen twice\n", expected, r + 1);
            bad++;
            continue;
        }
        seen[cell] = true;
        char *const *f = e.row[r] + pre;
        int64_t n = t.n[cell];
        int64_t ckey = ks_ptable_ckey(pt, t.keysum[cell]);
        int64_t pcv = ks_cellkey_pcv(n);
        int64_t pvalue = ks_ptable_pvalue(pt, pcv, ckey);
        int64_t count = ks_ptable_perturb(pt, n, t.keysum[cell]);
        bool hidden = count < threshold;
        bool ok = n == atoll(f[0]) && ckey == atoll(f[1]) && pcv == atoll(f[2]) && pvalue == atoll(f[3]) &&
                  count == n + pvalue && (hidden ? f[4][0] == '\0' : (f[4][0] && count == atoll(f[4])));
        if (!ok) {
            fprintf(stderr, "%s:%zu: want %s,%s,%s,%s,%s got %lld,%lld,%lld,%lld,%lld%s\n", expected, r + 1, f[0], f[1],
                    f[2], f[3], f[4], (long long)n, (long long)ckey, (long long)pcv, (long long)pvalue,
                    (long long)count, hidden ? " (hidden)" : "");
            bad++;
        }
    }
    KS_CHECK_INT(rows, t.ncell);
    KS_CHECK_INT(bad, 0);
    fprintf(stderr, "%s: %zu cells compared\n", expected, rows);
    free(seen);
    tab_free(&t);
    csv_free(&m);
    csv_free(&e);
}

/* ---- ptables built from formulas ------------------------------------------ */

/* ONS generate_test_ptable.py 38-61 (_calculate_pvalue). */
static int pvalue_10_5(int pcv)
{
    static const int by_mod5[5] = {0, -1, -2, 2, 1};
    return pcv < 10 ? -pcv : by_mod5[pcv % 5];
}

/* ref.py: the diagnostic ptable, which depends on pcv and ckey. */
static int pvalue_diag(int pcv, int ckey) { return ((7 * pcv + 3 * ckey) % 5) - 2; }

/* ONS's ptable_10_5_rule.csv as ONS ships it (quoted header, CRLF) or
 * plain (LF, unquoted); pcv 1..750 x ckey 0..255. */
static ks_ptable *build(bool diag, bool ons_style)
{
    ks_buf b;
    ks_buf_init(&b);
    const char *eol = ons_style ? "\r\n" : "\n";
    ks_buf_addf(&b, "%s%s", ons_style ? "\"pcv\",\"ckey\",\"pvalue\"" : "pcv,ckey,pvalue", eol);
    for (int pcv = 1; pcv <= 750; pcv++)
        for (int c = 0; c < 256; c++)
            ks_buf_addf(&b, "%d,%d,%d%s", pcv, c, diag ? pvalue_diag(pcv, c) : pvalue_10_5(pcv), eol);
    ks_error err = {0};
    ks_ptable *pt = NULL;
    int rc = ks_ptable_parse(diag ? "diag" : "10_5", b.buf, b.len, 0, &pt, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    KS_CHECK_INT(rc, 0);
    ks_buf_release(&b);
    return pt;
}

static void check_hash(const ks_ptable *pt, const char *want)
{
    char hex[65];
    if (!pt) {
        KS_CHECK(pt != NULL);
        return;
    }
    ks_ptable_sha256(pt, hex);
    KS_CHECK_STR(hex, want);
}

static ks_ptable *load_ref(const char *rel, int key_range)
{
    size_t len;
    char *text = slurp(rel, &len);
    ks_error err = {0};
    ks_ptable *pt = NULL;
    int rc = ks_ptable_parse(rel, text, len, key_range, &pt, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    KS_CHECK_INT(rc, 0);
    free(text);
    return pt;
}

/* ---- the tests ------------------------------------------------------------ */

static void test_pcv(void)
{
    /* cpt.py 163-169: n up to 750, then ((n - 1) mod 250) + 501 */
    static const int64_t cases[][2] = {{0, 0},      {1, 1},      {500, 500},    {501, 501},   {749, 749},
                                       {750, 750},  {751, 501},  {752, 502},    {1000, 750},  {1001, 501},
                                       {1250, 750}, {1251, 501}, {100001, 501}, {100000, 750}};
    for (size_t i = 0; i < KS_ARRAY_LEN(cases); i++)
        KS_CHECK_INT(ks_cellkey_pcv(cases[i][0]), cases[i][1]);
}

static void test_ons_equality(void)
{
    ks_ptable *p105 = build(false, true), *p105lf = build(false, false), *diag = build(true, false);
    if (!p105 || !diag || !p105lf)
        return;
    /* the same table whatever the file looks like */
    check_hash(p105, HASH_10_5);
    check_hash(p105lf, HASH_10_5);
    check_hash(diag, HASH_DIAG);
    KS_CHECK_INT(ks_ptable_key_range(p105), 256);
    KS_CHECK_STR(ks_ptable_source(p105), "ons");
    KS_CHECK_INT(ks_ptable_pvalue(p105, 0, 17), 0); /* no pcv 0 row: 0 */
    KS_CHECK_INT(ks_ptable_pvalue(p105, 9, 17), -9);
    KS_CHECK_INT(ks_ptable_pvalue(p105, 13, 0), 2);
    KS_CHECK_INT(ks_ptable_perturb(p105, 0, 12345), 0);
    KS_CHECK_INT(ks_ptable_perturb(p105, 1003, 0), 1003 + pvalue_10_5(503)); /* 1005 */
    ks_error err = {0};
    KS_CHECK_INT(ks_ptable_check(p105, "10_5", 10, &err), 0);
    KS_CHECK_INT(ks_ptable_check(p105, "10_5", 11, &err), -KS_EUSAGE);
    KS_CHECK_STR(err.msg, "ptable '10_5': pcv 10, ckey 0 publishes 10, below the threshold 11");
    KS_CHECK_INT(ks_ptable_check(diag, "diag", 0, &err), -KS_EUSAGE);
    /* (7 + 3c) mod 5 = 0 first at c = 1: pvalue -2 on a count of 1 */
    KS_CHECK_STR(err.msg, "ptable 'diag': pcv 1, ckey 1 publishes -1, a negative count");
    KS_CHECK_INT(ks_ptable_max_abs_pvalue(p105), 9);

    static const char *const base[] = {"var1_var2_var3", "var4_var5", "var1_var5_var8"};
    char micro[256], exp[256];
    for (size_t i = 0; i < 3; i++) {
        snprintf(exp, sizeof exp, "tests/ref/cellkey/expected_%s.csv", base[i]);
        check_expected("tests/ref/cellkey/micro_seed111.csv", exp, p105, 10);
        snprintf(exp, sizeof exp, "tests/ref/cellkey/expected_2023_%s.csv", base[i]);
        check_expected("tests/ref/cellkey/micro_seed111_2023.csv", exp, p105, 10);
        snprintf(exp, sizeof exp, "tests/ref/cellkey/expected_diag_%s.csv", base[i]);
        check_expected("tests/ref/cellkey/micro_seed111.csv", exp, diag, 10);
    }
    snprintf(micro, sizeof micro, "tests/ref/cellkey/micro_edge.csv");
    check_expected(micro, "tests/ref/cellkey/expected_edge_diag_t0.csv", diag, 0);
    check_expected(micro, "tests/ref/cellkey/expected_edge_diag_t10.csv", diag, 10);
    check_expected(micro, "tests/ref/cellkey/expected_edge_diag_area_only.csv", diag, 10);

    /* ONS's user guide (documentation/CellKeyPerturbation_Py.md at 6ea4686,
     * lines 277-281): var1 x var5 x var8 of today's test data, 10_5 ptable,
     * threshold 10 (nan = hidden, -1 here). */
    static const struct {
        const char *lev[3];
        int n, ckey, pcv, pvalue, count;
    } guide[] = {{{"1", "1", "A"}, 10, 173, 10, 0, 10},
                 {{"1", "1", "B"}, 10, 88, 10, 0, 10},
                 {{"1", "1", "C"}, 7, 180, 7, -7, -1},
                 {{"1", "1", "D"}, 14, 66, 14, 1, 15},
                 {{"1", "2", "A"}, 11, 190, 11, -1, 10}};
    csv m;
    csv_read("tests/ref/cellkey/micro_seed111.csv", &m);
    tab t;
    static const char *const v158[] = {"var1", "var5", "var8"};
    tabulate(&m, v158, 3, &t);
    for (size_t i = 0; i < KS_ARRAY_LEN(guide); i++) {
        long cell = cell_of(&t, (char *const *)guide[i].lev);
        KS_CHECK(cell >= 0);
        if (cell < 0)
            continue;
        int64_t ckey = ks_ptable_ckey(p105, t.keysum[cell]);
        int64_t count = ks_ptable_perturb(p105, t.n[cell], t.keysum[cell]);
        KS_CHECK_INT(t.n[cell], guide[i].n);
        KS_CHECK_INT(ckey, guide[i].ckey);
        KS_CHECK_INT(ks_cellkey_pcv(t.n[cell]), guide[i].pcv);
        KS_CHECK_INT(ks_ptable_pvalue(p105, guide[i].pcv, ckey), guide[i].pvalue);
        KS_CHECK_INT(count < 10 ? -1 : count, guide[i].count);
    }
    tab_free(&t);
    csv_free(&m);
    ks_ptable_free(p105);
    ks_ptable_free(p105lf);
    ks_ptable_free(diag);
}

/* The three tables ONS shipped in the docstring of generate_test_data.py
 * (commit d8d6da5, removed by f5e4ebc), straight from ONS's file: columns
 * <vars> rs_cv ckey pcv pvalue count, count not yet thresholded (2023). */
static void test_ons_docstring(void)
{
    size_t len;
    char *text = slurp("tests/ref/cellkey/ons_generate_test_data_d8d6da5.py", &len);
    ks_ptable *p105 = build(false, true);
    csv m;
    csv_read("tests/ref/cellkey/micro_seed111_2023.csv", &m);
    tab t = {0};
    bool have = false;
    size_t nvar = 0, rows = 0, tables = 0, bad = 0;
    char *lsave = NULL;
    for (char *line = strtok_r(text, "\n", &lsave); line && p105; line = strtok_r(NULL, "\n", &lsave)) {
        char *tok[16];
        size_t n = 0;
        char *save = NULL;
        for (char *s = strtok_r(line, " \t\r", &save); s && n < 16; s = strtok_r(NULL, " \t\r", &save))
            tok[n++] = s;
        if (n >= 6 && strcmp(tok[n - 5], "rs_cv") == 0) { /* a header: the variables, then 5 columns */
            if (have)
                tab_free(&t);
            nvar = n - 5;
            const char *vars[8];
            for (size_t v = 0; v < nvar && v < 8; v++)
                vars[v] = tok[v];
            tabulate(&m, vars, nvar, &t);
            have = true;
            tables++;
            continue;
        }
        if (!have || n != nvar + 6 || tok[0][0] < '0' || tok[0][0] > '9')
            continue;
        long cell = cell_of(&t, tok + 1);
        char **f = tok + 1 + nvar;
        if (cell < 0) {
            bad++;
            continue;
        }
        int64_t ckey = ks_ptable_ckey(p105, t.keysum[cell]);
        int64_t pvalue = ks_ptable_pvalue(p105, ks_cellkey_pcv(t.n[cell]), ckey);
        if (t.n[cell] != atoll(f[0]) || ckey != atoll(f[1]) || ks_cellkey_pcv(t.n[cell]) != atoll(f[2]) ||
            pvalue != atoll(f[3]) || ks_ptable_perturb(p105, t.n[cell], t.keysum[cell]) != atoll(f[4])) {
            fprintf(stderr, "docstring row %s %s ...: mismatch\n", tok[0], tok[1]);
            bad++;
        }
        rows++;
    }
    KS_CHECK_INT(tables, 3);
    KS_CHECK_INT(rows, 90); /* 40 + 40 + 10 (the third table elides 190 rows) */
    KS_CHECK_INT(bad, 0);
    if (have)
        tab_free(&t);
    csv_free(&m);
    ks_ptable_free(p105);
    free(text);
}

static void test_sdc(void)
{
    ks_ptable *sas = load_ref("tests/ref/cellkey/sdc_pt_ex_cnts_SAS.txt", 0);
    ks_ptable *tau = load_ref("tests/ref/cellkey/sdc_pt_ex_cnts_TauArgus.txt", 0);
    if (!sas || !tau) {
        ks_ptable_free(sas);
        ks_ptable_free(tau);
        return;
    }
    KS_CHECK_STR(ks_ptable_source(sas), "sdctools-sas");
    KS_CHECK_STR(ks_ptable_source(tau), "sdctools-tauargus");
    check_hash(sas, HASH_SDC);
    check_hash(tau, HASH_SDC);
    KS_CHECK_INT(ks_ptable_key_range(sas), 256);
    /* Boundaries by hand: ckey c is used as c/256 and takes the first row
     * with c/256 < p_int_ub.
     *   i=1: ub 0.50833333 -> c <= 130 (130/256 = 0.5078, 131/256 = 0.5117)
     *        gives v=-1; ub 0.98333333 -> c <= 251 (0.9805; 252/256 =
     *        0.9844) gives +1; 252..255 give +2.
     *   i=2: 0.16155827 -> c <= 41 (0.1602; 42/256 = 0.1641) -2;
     *        0.71720864 -> c <= 183 (0.7148; 0.7188) 0; 0.95967482 ->
     *        c <= 245 (0.9570; 0.9609) +1; then +2.
     *   i=3: 0.41231301 -> c <= 105 (0.4102; 0.4141) -1.
     *   i=4, the last block, used by every pcv >= 4: 0.07012498 -> c <= 17
     *        (0.0664; 18/256 = 0.0703) -2; 0.31462505 -> c <= 80 -1;
     *        0.68537495 -> c <= 175 (0.6836; 0.6875) 0; 0.92987502 ->
     *        c <= 238 (0.9297; 0.9336) +1; 239..255 +2. */
    static const int cases[][3] = {{1, 0, -1},    {1, 130, -1},  {1, 131, 1}, {1, 251, 1}, {1, 252, 2},   {1, 255, 2},
                                   {2, 41, -2},   {2, 42, 0},    {2, 183, 0}, {2, 184, 1}, {2, 245, 1},   {2, 246, 2},
                                   {3, 105, -1},  {3, 106, 0},   {4, 17, -2}, {4, 18, -1}, {4, 80, -1},   {4, 81, 0},
                                   {4, 175, 0},   {4, 176, 1},   {4, 238, 1}, {4, 239, 2}, {750, 17, -2}, {750, 18, -1},
                                   {501, 239, 2}, {100, 176, 1}, {0, 5, 0}};
    for (size_t i = 0; i < KS_ARRAY_LEN(cases); i++) {
        KS_CHECK_INT(ks_ptable_pvalue(sas, cases[i][0], cases[i][1]), cases[i][2]);
        KS_CHECK_INT(ks_ptable_pvalue(tau, cases[i][0], cases[i][1]), cases[i][2]);
    }
    /* the same table applied to today's data, threshold 0 (ref.py) */
    check_expected("tests/ref/cellkey/micro_seed111.csv", "tests/ref/cellkey/expected_sdcptable_var1_var5_var8.csv",
                   sas, 0);
    check_expected("tests/ref/cellkey/micro_seed111.csv", "tests/ref/cellkey/expected_sdcptable_var1_var5_var8.csv",
                   tau, 0);
    ks_ptable_free(sas);
    ks_ptable_free(tau);

    /* An upper end exactly on a cell key: 129/256 = 0.50390625 (dyadic, read
     * exactly).  c = 129 is not < ub, so it belongs to the next row.  Padded
     * fields, scientific notation, CRLF and key range 4096 (c = 2064 is
     * the same point). */
    const char *t = "i;  j;             p; v;      p_int_ub\r\n"
                    "0;  0;  1.000000e+00; 0;  1.000000e+00\r\n"
                    "1;  0; 5.0390625e-01;-1; 5.0390625e-01\r\n"
                    "1;  2; 4.9609375e-01; 1; 1.0000000e+00\r\n";
    ks_error err = {0};
    ks_ptable *pt = NULL;
    KS_CHECK_INT(ks_ptable_parse("edge.txt", t, strlen(t), 0, &pt, &err), 0);
    if (pt) {
        KS_CHECK_INT(ks_ptable_pvalue(pt, 1, 128), -1);
        KS_CHECK_INT(ks_ptable_pvalue(pt, 1, 129), 1);
        KS_CHECK_INT(ks_ptable_pvalue(pt, 600, 129), 1);
        ks_ptable_free(pt);
    }
    KS_CHECK_INT(ks_ptable_parse("edge.txt", t, strlen(t), 4096, &pt, &err), 0);
    if (pt) {
        KS_CHECK_INT(ks_ptable_key_range(pt), 4096);
        KS_CHECK_INT(ks_ptable_pvalue(pt, 1, 2063), -1);
        KS_CHECK_INT(ks_ptable_pvalue(pt, 1, 2064), 1);
        KS_CHECK_INT(ks_ptable_ckey(pt, 4096 + 2064), 2064);
        ks_ptable_free(pt);
    }
}

/* Exhaustive properties of a default ptable.  d = the largest |pvalue|
 * (hand: max(m, k), or max(m, k - 1) when k divides K). */
static void check_default(int k, int m, int K, int d)
{
    ks_error err = {0};
    ks_ptable *pt = NULL;
    KS_CHECK_INT(ks_ptable_default(k, m, K, &pt, &err), 0);
    if (!pt)
        return;
    KS_CHECK_INT(ks_ptable_key_range(pt), K);
    KS_CHECK_INT(ks_ptable_max_abs_pvalue(pt), d);
    KS_CHECK_INT(ks_ptable_check(pt, "default", k, &err), 0);
    if (k > 1)
        KS_CHECK_INT(ks_ptable_check(pt, "default", k + 1, &err), -KS_EUSAGE);
    size_t bad_small = 0, bad_mean = 0, bad_var = 0, flat = 0;
    for (int i = 1; i <= 750; i++) {
        int64_t s1 = 0, s2 = 0;
        int first = ks_ptable_pvalue(pt, i, 0);
        bool varies = false;
        for (int c = 0; c < K; c++) {
            int v = ks_ptable_pvalue(pt, i, c);
            int j = i + v;
            if (j > 0 && j < k)
                bad_small++;
            s1 += v;
            s2 += (int64_t)v * v;
            varies = varies || v != first;
        }
        if (s1 != 0) /* the mean is exactly i */
            bad_mean++;
        /* variance * K, by hand: (i - k)/2 * K and m/2 * K above k; below k
         * from the counts (K - a - b) at 0, a at k, b at k + 1 with
         * b = iK mod k, a = (iK - b(k+1))/k */
        int64_t want;
        if (i >= k + m)
            want = (int64_t)K * m / 2;
        else if (i >= k)
            want = (int64_t)K * (i - k) / 2;
        else {
            int64_t b = ((int64_t)i * K) % k, a = ((int64_t)i * K - b * (k + 1)) / k;
            want = (K - a - b) * i * i + a * (k - i) * (k - i) + b * (k + 1 - i) * (k + 1 - i);
        }
        if (s2 != want)
            bad_var++;
        if (!varies && i != k)
            flat++;
    }
    KS_CHECK_INT(bad_small, 0);
    KS_CHECK_INT(bad_mean, 0);
    KS_CHECK_INT(bad_var, 0);
    KS_CHECK_INT(flat, 0); /* every row but i = k depends on the cell key */
    /* ckeys given out in ascending j: row 600's first ckey gets -m */
    KS_CHECK_INT(ks_ptable_pvalue(pt, 600, 0), -m);
    KS_CHECK_INT(ks_ptable_pvalue(pt, 600, K - 1), m);
    ks_ptable_free(pt);
}

static void test_default(void)
{
    check_default(5, 2, 256, 5); /* 256 mod 5 = 1: row 1 needs j = 6 */
    check_default(10, 3, 256, 10);
    check_default(4, 2, 256, 3); /* 4 | 256: rows 1..3 use 0 and 4 only */
    check_default(5, 4, 4096, 5);
    check_default(1, 2, 256, 2); /* no blocking */

    /* The shipped table, by hand (datasets/ptables/README.md): k = 5, m = 2, K = 256. */
    ks_error err = {0};
    ks_ptable *pt = NULL;
    KS_CHECK_INT(ks_ptable_default(5, 2, 256, &pt, &err), 0);
    if (!pt)
        return;
    KS_CHECK_STR(ks_ptable_source(pt), "kasane-default k=5 m=2");
    static const int small[4][3] = {{205, 50, 1}, {154, 100, 2}, {103, 150, 3}, {52, 200, 4}}; /* ckeys at 0, 5, 6 */
    for (int i = 1; i <= 4; i++) {
        int at[3] = {0, 0, 0};
        for (int c = 0; c < 256; c++) {
            int j = i + ks_ptable_pvalue(pt, i, c);
            at[j == 0 ? 0 : j == 5 ? 1 : j == 6 ? 2 : 0] += j == 0 || j == 5 || j == 6;
        }
        for (int x = 0; x < 3; x++)
            KS_CHECK_INT(at[x], small[i - 1][x]);
    }
    for (int c = 0; c < 256; c++) {
        KS_CHECK_INT(ks_ptable_pvalue(pt, 5, c), 0);
        /* i = 6: 64, 128, 64 ckeys at -1, 0, +1 (Binomial(2, 1/2) x 256) */
        KS_CHECK_INT(ks_ptable_pvalue(pt, 6, c), c < 64 ? -1 : c < 192 ? 0 : 1);
        /* i >= 7: 16, 64, 96, 64, 16 at -2..+2 (Binomial(4, 1/2) x 256) */
        int want = c < 16 ? -2 : c < 80 ? -1 : c < 176 ? 0 : c < 240 ? 1 : 2;
        KS_CHECK_INT(ks_ptable_pvalue(pt, 7, c), want);
        KS_CHECK_INT(ks_ptable_pvalue(pt, 750, c), want);
    }
    KS_CHECK_INT(ks_ptable_perturb(pt, 1, 0), 0);
    KS_CHECK_INT(ks_ptable_perturb(pt, 1, 255), 6);
    KS_CHECK_INT(ks_ptable_perturb(pt, 1000, 256 + 15), 998);
    check_hash(pt, HASH_DEFAULT_K5);
    /* the shipped file is exactly the generator's canonical form */
    size_t len;
    char *file = slurp("datasets/ptables/kasane-default-k5.csv", &len);
    ks_buf b;
    ks_buf_init(&b);
    ks_ptable_write_csv(pt, &b);
    KS_CHECK(b.len == len && memcmp(b.buf, file, len) == 0);
    ks_ptable *back = NULL;
    KS_CHECK_INT(ks_ptable_parse("kasane-default-k5.csv", file, len, 256, &back, &err), 0);
    check_hash(back, HASH_DEFAULT_K5);
    ks_ptable_free(back);
    ks_buf_release(&b);
    free(file);
    ks_ptable_free(pt);

    /* parameters it refuses */
    KS_CHECK_INT(ks_ptable_default(17, 2, 256, &pt, &err), -KS_EUSAGE); /* 17*17-1 > 256 */
    KS_CHECK_INT(ks_ptable_default(5, 5, 256, &pt, &err), -KS_EUSAGE);  /* 4^5 does not divide 256 */
    KS_CHECK_INT(ks_ptable_default(0, 2, 256, &pt, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_ptable_default(5, 2, 1, &pt, &err), -KS_EUSAGE);
    KS_CHECK(pt == NULL);
}

/* A complete ONS table for key range 2 with one row left out (or none). */
static void small_ons(ks_buf *b, int skip_pcv, int skip_ckey)
{
    ks_buf_reset(b);
    ks_buf_adds(b, "pcv,ckey,pvalue\n");
    for (int pcv = 1; pcv <= 750; pcv++)
        for (int c = 0; c < 2; c++)
            if (pcv != skip_pcv || c != skip_ckey)
                ks_buf_addf(b, "%d,%d,%d\n", pcv, c, c);
}

static void expect_error(const char *text, int key_range, const char *want)
{
    ks_error err = {0};
    ks_ptable *pt = NULL;
    int rc = ks_ptable_parse("t.csv", text, strlen(text), key_range, &pt, &err);
    KS_CHECK_INT(rc, -KS_EUSAGE);
    KS_CHECK(pt == NULL);
    if (strncmp(err.msg, want, strlen(want)) != 0) {
        fprintf(stderr, "got  \"%s\"\nwant \"%s...\"\n", err.msg, want);
        KS_CHECK(!"message");
    }
    ks_ptable_free(pt);
}

static void test_errors(void)
{
    expect_error("", 0, "t.csv: empty ptable file");
    expect_error("a,b,c\n", 0, "t.csv:1:1: not a ptable header");
    expect_error("pcv,ckey\n1,0\n", 0, "t.csv:1:1: no column 'pvalue'");
    expect_error("pcv,ckey,pvalue,pcv\n", 0, "t.csv:1:17: column 'pcv' appears twice");
    expect_error("pcv,ckey,pvalue\n1,x,0\n", 0, "t.csv:2:3: ckey 'x' is not an integer");
    expect_error("pcv,ckey,pvalue\n1,0,0\n1,1,1.5\n", 0, "t.csv:3:5: pvalue '1.5' is not an integer");
    expect_error("pcv,ckey,pvalue\n1,0\n", 0, "t.csv:2:1: expected 3 fields but found 2");
    expect_error("pcv,ckey,pvalue\n2,0,-751\n", 0, "t.csv:2:5: pvalue -751 is outside -750..750");
    expect_error("pcv,ckey,pvalue\n751,0,0\n", 0, "t.csv:2:1: pcv 751 is outside 0..750");
    expect_error("pcv,ckey,pvalue\n0,0,1\n", 0, "t.csv:2:5: pvalue 1 for pcv 0");
    expect_error("pcv,ckey,pvalue\n1,4096,0\n", 0, "t.csv:2:3: ckey 4096 is outside the key range 0..4095");
    expect_error("pcv,ckey,pvalue\n1,256,0\n", 256, "t.csv:2:3: ckey 256 is outside the key range 0..255");
    expect_error("pcv,ckey,pvalue\n1,0,0\n", 0, "t.csv: key range 1 is outside 2..4096");
    expect_error("pcv,ckey,pvalue\r\n\r\n", 0, "t.csv:3:1: no rows after the header");

    ks_buf b;
    ks_buf_init(&b);
    small_ons(&b, 0, 0);
    ks_error err = {0};
    ks_ptable *pt = NULL;
    KS_CHECK_INT(ks_ptable_parse("t.csv", b.buf, b.len, 0, &pt, &err), 0);
    KS_CHECK(pt && ks_ptable_key_range(pt) == 2);
    ks_ptable_free(pt);
    /* a row again at line 1502 (1 header + 1500 rows + 1) */
    ks_buf_adds(&b, "1,0,0\n");
    expect_error(b.buf, 0, "t.csv:1502:1: pcv 1, ckey 0 again (first at line 2)");
    /* the row of (pcv, ckey) is at line 2 + 2(pcv - 1) + ckey; without
     * (3, 1), (4, 0) moves up to line 7, where (3, 1) belonged */
    small_ons(&b, 3, 1);
    expect_error(b.buf, 0, "t.csv:7:1: no row for pcv 3, ckey 1");
    small_ons(&b, 750, 1);
    expect_error(b.buf, 0, "t.csv:1501:1: no row for pcv 750, ckey 1");
    /* asked for 256 keys, the file has 2 */
    small_ons(&b, 0, 0);
    expect_error(b.buf, 256, "t.csv:4:1: no row for pcv 1, ckey 2"); /* before (2, 0) */
    /* pcv 0 rows with pvalue 0 are accepted and leave the hash alone */
    ks_buf_adds(&b, "0,0,0\n0,1,0\n");
    KS_CHECK_INT(ks_ptable_parse("t.csv", b.buf, b.len, 0, &pt, &err), 0);
    ks_ptable *plain = NULL;
    small_ons(&b, 0, 0);
    KS_CHECK_INT(ks_ptable_parse("t.csv", b.buf, b.len, 0, &plain, &err), 0);
    char h1[65] = "", h2[65] = "x";
    if (pt && plain) {
        ks_ptable_sha256(pt, h1);
        ks_ptable_sha256(plain, h2);
    }
    KS_CHECK_STR(h1, h2);
    ks_ptable_free(pt);
    /* a UTF-8 BOM, quoted header names in another order, an extra column */
    ks_buf_reset(&b);
    ks_buf_adds(&b, "\xEF\xBB\xBF\"ckey\",\"note\",\"pvalue\",\"pcv\"\r\n");
    for (int pcv = 1; pcv <= 750; pcv++)
        for (int c = 0; c < 2; c++)
            ks_buf_addf(&b, "%d,\"x, y\",%d,%d\r\n", c, c, pcv);
    pt = NULL;
    KS_CHECK_INT(ks_ptable_parse("t.csv", b.buf, b.len, 2, &pt, &err), 0);
    if (pt)
        ks_ptable_sha256(pt, h1);
    KS_CHECK_STR(h1, h2);
    ks_ptable_free(pt);
    ks_ptable_free(plain);
    ks_buf_release(&b);

    /* sdcTools */
    const char *head = "i;j;p;v;p_int_lb;p_int_ub\n";
    char t[1024];
    snprintf(t, sizeof t, "i;j;p;v;p_int_ub;type\n");
    expect_error(t, 0, "t.csv:1:18: a ptable for magnitude tables");
    snprintf(t, sizeof t, "i;j;p;v;p_int_lb\n");
    expect_error(t, 0, "t.csv:1:1: no column 'p_int_ub'");
    snprintf(t, sizeof t, "%s1;0;0.5;-1;0;0.5\n1;2;0.5;2;0.5;1\n", head);
    expect_error(t, 0, "t.csv:3:9: v = 2 but j - i = 1");
    snprintf(t, sizeof t, "%s1;0;0.5;-1;0;0.5\n1;2;0.5;1;0.6;1\n", head);
    expect_error(t, 0, "t.csv:3:11: p_int_lb 0.6 does not start where the last interval of i = 1 ended (0.5)");
    snprintf(t, sizeof t, "%s1;0;0.5;-1;0;0.5\n1;2;0.4;1;0.5;0.9\n", head);
    expect_error(t, 0, "t.csv:3:15: the intervals of i = 1 end at 0.9, not 1");
    snprintf(t, sizeof t, "%s1;0;0.5;-1;0;0.5\n1;2;0.4;1;0.5;1\n", head);
    expect_error(t, 0, "t.csv:3:5: p 0.4 is not p_int_ub - p_int_lb = 0.5");
    snprintf(t, sizeof t, "%s1;1;1;0;0;1\n3;3;1;0;0;1\n", head);
    expect_error(t, 0, "t.csv:3:1: no rows for i = 2");
    snprintf(t, sizeof t, "%s2;2;1;0;0;1\n", head);
    expect_error(t, 0, "t.csv:2:1: no rows for i = 1");
    snprintf(t, sizeof t, "%s1;1;1;0;0;1\n2;2;1;0;0;1\n1;1;1;0;0;1\n", head);
    expect_error(t, 0, "t.csv:4:1: i = 1 after i = 2");
    snprintf(t, sizeof t, "%s0;1;1;1;0;1\n", head);
    expect_error(t, 0, "t.csv:2:7: v = 1 for i = 0");
    snprintf(t, sizeof t, "%s502;502;1;0;0;1\n", head);
    expect_error(t, 0, "t.csv:2:1: i = 502: above 501");
    snprintf(t, sizeof t, "%s1;x;1;0;0;1\n", head);
    expect_error(t, 0, "t.csv:2:3: j 'x' is not a count");
    snprintf(t, sizeof t, "%s1;1.5;1;0;0;1\n", head);
    expect_error(t, 0, "t.csv:2:3: j '1.5' is not a count");
    snprintf(t, sizeof t, "%s0;0;1;0;0;1\n", head);
    expect_error(t, 0, "t.csv:2:1: no rows for i >= 1");

    KS_CHECK_INT(ks_ptable_load("/nonexistent/ptable.csv", 0, &pt, &err), -KS_EUSAGE);
    KS_CHECK(strncmp(err.msg, "cannot open ptable '/nonexistent/ptable.csv'", 44) == 0);
}

/* Mutated files (a byte replaced by a character that matters to the
 * parsers, or the text cut short): every one is either read or refused
 * with a message; under ASan/UBSan this is where an off-by-one would show. */
static void test_mutations(void)
{
    size_t len;
    char *sas = slurp("tests/ref/cellkey/sdc_pt_ex_cnts_SAS.txt", &len);
    ks_buf ons, t;
    ks_buf_init(&ons);
    ks_buf_init(&t);
    small_ons(&ons, 0, 0);
    static const char alphabet[] = ",;\"\r\n 0123456789-+.eE\xEF";
    uint64_t rng = 12;
    size_t odd = 0;
    for (int round = 0; round < 2400; round++) {
        const char *src = round % 8 == 7 ? ons.buf : sas;
        size_t n = round % 8 == 7 ? ons.len : len;
        ks_buf_reset(&t);
        ks_buf_add(&t, src, n);
        int edits = 1 + (int)(ks_test_rand64(&rng) % 3);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)(ks_test_rand64(&rng) % t.len);
            if (ks_test_rand64(&rng) % 5 == 0)
                t.len = at; /* cut short */
            else
                t.buf[at] = alphabet[ks_test_rand64(&rng) % (sizeof alphabet - 1)];
            if (t.len == 0)
                break;
        }
        ks_error err = {0};
        ks_ptable *pt = NULL;
        int rc = ks_ptable_parse("m.txt", t.buf, t.len, 0, &pt, &err);
        if (!((rc == 0 && pt) || (rc == -KS_EUSAGE && !pt && err.msg[0])))
            odd++;
        ks_ptable_free(pt);
    }
    KS_CHECK_INT(odd, 0);
    ks_buf_release(&ons);
    ks_buf_release(&t);
    free(sas);
}

int main(void)
{
    test_pcv();
    test_ons_equality();
    test_ons_docstring();
    test_sdc();
    test_default();
    test_errors();
    test_mutations();
    return ks_test_report();
}
