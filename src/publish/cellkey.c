/* cellkey.c: ptables for the cell key method (cellkey.h). */
#include "cellkey.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ks_ptable {
    int key_range;   /* K: ckeys 0..K-1 */
    int16_t *pv;     /* pvalue of (pcv, ckey) at [(pcv - 1) * K + ckey], pcv 1..750 */
    char source[64]; /* ks_ptable_source */
};

#define MAX_ABS_PVALUE 750    /* a larger perturbation than any pcv is a broken file */
#define SDC_TOL 1e-7          /* pt_export rounds intervals to 8 decimals */
#define MAX_FILE (256u << 20) /* ks_ptable_load */

/* ---- lines and fields ------------------------------------------------------ */

typedef struct line_iter {
    const char *p;   /* next unread byte */
    const char *end; /* end of the text */
    unsigned lineno; /* number of the line last returned, 1-based */
} line_iter;

/* The next line without its CR/LF; false at the end of the text. */
static bool next_line(line_iter *it, const char **s, size_t *n)
{
    if (it->p >= it->end)
        return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *e = nl ? nl : it->end;
    *s = it->p;
    *n = (size_t)(e - it->p);
    if (*n && (*s)[*n - 1] == '\r')
        (*n)--;
    it->p = nl ? nl + 1 : it->end;
    it->lineno++;
    return true;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

typedef struct field {
    const char *s; /* content: inside the quotes, spaces around trimmed */
    size_t n;      /* its length */
    size_t col;    /* 1-based byte column where the field starts */
} field;

typedef struct fields {
    field *f;   /* the fields of one line */
    size_t n;   /* fields held */
    size_t cap; /* allocated */
} fields;

/* Splits a line at `sep`.  A field may be wrapped in double quotes (the ONS
 * file quotes its header); a quoted separator is kept, a doubled quote is not
 * undone (no ptable field needs one).  Spaces around a field are trimmed, as
 * R's format() pads them. */
static void split(const char *s, size_t n, char sep, fields *out)
{
    out->n = 0;
    size_t i = 0;
    for (;;) {
        size_t start = i;
        bool quoted = false;
        while (i < n && (quoted || s[i] != sep)) {
            if (s[i] == '"')
                quoted = !quoted;
            i++;
        }
        const char *a = s + start, *b = s + i;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b - a >= 2 && *a == '"' && b[-1] == '"') {
            a++;
            b--;
        }
        if (out->n == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 8;
            out->f = ks_realloc(out->f, ks_mul(out->cap, sizeof *out->f));
        }
        out->f[out->n++] = (field){a, (size_t)(b - a), start + 1};
        if (i >= n)
            break;
        i++; /* the separator */
    }
}

static bool field_is(const field *f, const char *name) { return f->n == strlen(name) && memcmp(f->s, name, f->n) == 0; }

static int find_column(const fields *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (field_is(&h->f[i], name))
            return (int)i;
    return -1;
}

KS_PRINTF(6, 7)
static int err_at(ks_error *err, const char *name, unsigned line, size_t col, int code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ks_error_set(err, code, "%s:%u:%zu: %s", name, line, col, msg);
}

/* A whole decimal integer, optional sign, no more than 9 digits. */
static bool parse_int(const field *f, long *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < f->n && (f->s[i] == '-' || f->s[i] == '+'))
        neg = f->s[i++] == '-';
    if (i == f->n || f->n - i > 9)
        return false;
    long v = 0;
    for (; i < f->n; i++) {
        if (f->s[i] < '0' || f->s[i] > '9')
            return false;
        v = v * 10 + (f->s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* A finite number as R writes it (fixed or scientific notation). */
static bool parse_num(const field *f, double *out)
{
    char tmp[64];
    if (f->n == 0 || f->n >= sizeof tmp)
        return false;
    memcpy(tmp, f->s, f->n);
    tmp[f->n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* A number that must be a whole count (R prints i, j, v as integers, but
 * format() could print 1e+01). */
static bool parse_whole(const field *f, long *out)
{
    double v;
    if (!parse_num(f, &v) || v != floor(v) || fabs(v) > 1e9)
        return false;
    *out = (long)v;
    return true;
}

/* ---- the object ------------------------------------------------------------ */

static ks_ptable *ptable_alloc(int key_range, const char *source)
{
    ks_ptable *pt = ks_calloc(1, sizeof *pt);
    pt->key_range = key_range;
    pt->pv = ks_calloc(ks_mul(KS_PTABLE_MAX_PCV, (size_t)key_range), sizeof *pt->pv);
    snprintf(pt->source, sizeof pt->source, "%s", source);
    return pt;
}

void ks_ptable_free(ks_ptable *pt)
{
    if (!pt)
        return;
    free(pt->pv);
    free(pt);
}

ks_ptable *ks_ptable_dup(const ks_ptable *pt)
{
    ks_ptable *c = ks_malloc(sizeof *c);
    *c = *pt;
    size_t n = ks_mul((size_t)KS_PTABLE_MAX_PCV, (size_t)pt->key_range);
    c->pv = ks_malloc(ks_mul(n, sizeof *c->pv));
    memcpy(c->pv, pt->pv, n * sizeof *c->pv);
    return c;
}

int ks_ptable_key_range(const ks_ptable *pt) { return pt->key_range; }

const char *ks_ptable_source(const ks_ptable *pt) { return pt->source; }

int ks_ptable_pvalue(const ks_ptable *pt, int64_t pcv, int64_t ckey)
{
    if (pcv < 1 || pcv > KS_PTABLE_MAX_PCV || ckey < 0 || ckey >= pt->key_range)
        return 0;
    return pt->pv[(size_t)(pcv - 1) * (size_t)pt->key_range + (size_t)ckey];
}

int ks_ptable_max_abs_pvalue(const ks_ptable *pt)
{
    int m = 0;
    size_t n = (size_t)KS_PTABLE_MAX_PCV * (size_t)pt->key_range;
    for (size_t i = 0; i < n; i++)
        if (abs(pt->pv[i]) > m)
            m = abs(pt->pv[i]);
    return m;
}

int ks_ptable_check(const ks_ptable *pt, const char *name, int k, ks_error *err)
{
    for (int pcv = 1; pcv <= KS_PTABLE_MAX_PCV; pcv++)
        for (int c = 0; c < pt->key_range; c++) {
            int v = pcv + ks_ptable_pvalue(pt, pcv, c);
            if (v < 0)
                return ks_error_set(err, KS_EUSAGE, "ptable '%s': pcv %d, ckey %d publishes %d, a negative count", name,
                                    pcv, c, v);
            if (v > 0 && v < k)
                return ks_error_set(err, KS_EUSAGE, "ptable '%s': pcv %d, ckey %d publishes %d, below the threshold %d",
                                    name, pcv, c, v, k);
        }
    return 0;
}

int64_t ks_cellkey_pcv(int64_t n) { return n <= 750 ? n : ((n - 1) % 250) + 501; }

int64_t ks_ptable_ckey(const ks_ptable *pt, uint64_t key_sum) { return (int64_t)(key_sum % (uint64_t)pt->key_range); }

int64_t ks_ptable_perturb(const ks_ptable *pt, int64_t n, uint64_t key_sum)
{
    if (n <= 0)
        return n;
    return n + ks_ptable_pvalue(pt, ks_cellkey_pcv(n), ks_ptable_ckey(pt, key_sum));
}

/* ---- canonical form and hash --------------------------------------------- */

/* Decimal digits of v into the end of buf[0..24); returns the first digit. */
static char *fmt_int(char *end, long v)
{
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
    char *p = end;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    return p;
}

void ks_ptable_write_csv(const ks_ptable *pt, ks_buf *out)
{
    ks_buf_adds(out, "pcv,ckey,pvalue\n");
    char line[80];
    for (int pcv = 1; pcv <= KS_PTABLE_MAX_PCV; pcv++)
        for (int c = 0; c < pt->key_range; c++) {
            char tmp[24], *end = tmp + sizeof tmp, *s;
            size_t n = 0;
            s = fmt_int(end, pcv);
            memcpy(line + n, s, (size_t)(end - s));
            n += (size_t)(end - s);
            line[n++] = ',';
            s = fmt_int(end, c);
            memcpy(line + n, s, (size_t)(end - s));
            n += (size_t)(end - s);
            line[n++] = ',';
            s = fmt_int(end, ks_ptable_pvalue(pt, pcv, c));
            memcpy(line + n, s, (size_t)(end - s));
            n += (size_t)(end - s);
            line[n++] = '\n';
            ks_buf_add(out, line, n);
        }
}

void ks_ptable_sha256(const ks_ptable *pt, char hex[65])
{
    ks_buf b;
    ks_buf_init(&b);
    ks_ptable_write_csv(pt, &b);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)b.buf, b.len);
    sodium_bin2hex(hex, 65, h, sizeof h);
    ks_buf_release(&b);
}

/* ---- ONS layout ------------------------------------------------------------ */

typedef struct ons_row {
    int16_t pcv;    /* 0..750 */
    int16_t pvalue; /* -pcv..750 */
    int32_t ckey;   /* 0..4095 */
    unsigned line;  /* where it was read */
} ons_row;

static int check_key_range(const char *name, int k, ks_error *err)
{
    if (k < 2 || k > KS_PTABLE_MAX_KEY_RANGE)
        return ks_error_set(err, KS_EUSAGE, "%s: key range %d is outside 2..%d", name, k, KS_PTABLE_MAX_KEY_RANGE);
    return 0;
}

/* Reads the rows after the header into rows[] (checked one by one). */
static int ons_read_rows(const char *name, line_iter *it, size_t ncols, const int col[3], int key_range, ons_row **rows,
                         size_t *nrows, int *max_ckey, ks_error *err)
{
    static const char *const what[3] = {"pcv", "ckey", "pvalue"};
    fields fs = {0};
    size_t cap = 0;
    const char *s;
    size_t n;
    int rc = 0;
    while (rc == 0 && next_line(it, &s, &n)) {
        if (blank(s, n))
            continue;
        split(s, n, ',', &fs);
        if (fs.n != ncols) {
            rc = err_at(err, name, it->lineno, 1, KS_EUSAGE, "expected %zu fields but found %zu", ncols, fs.n);
            break;
        }
        long v[3];
        for (int k = 0; k < 3 && rc == 0; k++)
            if (!parse_int(&fs.f[col[k]], &v[k]))
                rc = err_at(err, name, it->lineno, fs.f[col[k]].col, KS_EUSAGE, "%s '%.*s' is not an integer", what[k],
                            (int)(fs.f[col[k]].n > 40 ? 40 : fs.f[col[k]].n), fs.f[col[k]].s);
        if (rc)
            break;
        size_t c0 = fs.f[col[0]].col, c1 = fs.f[col[1]].col, c2 = fs.f[col[2]].col;
        if (v[0] < 0 || v[0] > KS_PTABLE_MAX_PCV)
            rc = err_at(err, name, it->lineno, c0, KS_EUSAGE, "pcv %ld is outside 0..750 (ONS looks up no other)",
                        v[0]);
        else if (v[1] < 0 || v[1] >= (key_range ? key_range : KS_PTABLE_MAX_KEY_RANGE))
            rc = err_at(err, name, it->lineno, c1, KS_EUSAGE, "ckey %ld is outside the key range 0..%d", v[1],
                        (key_range ? key_range : KS_PTABLE_MAX_KEY_RANGE) - 1);
        else if (labs(v[2]) > MAX_ABS_PVALUE)
            rc = err_at(err, name, it->lineno, c2, KS_EUSAGE, "pvalue %ld is outside -%d..%d", v[2], MAX_ABS_PVALUE,
                        MAX_ABS_PVALUE);
        else if (v[0] == 0 && v[2] != 0)
            rc = err_at(err, name, it->lineno, c2, KS_EUSAGE, "pvalue %ld for pcv 0: an empty cell must stay 0", v[2]);
        if (rc)
            break;
        if (*nrows == cap) {
            cap = cap ? 2 * cap : 4096;
            *rows = ks_realloc(*rows, ks_mul(cap, sizeof **rows));
        }
        (*rows)[(*nrows)++] = (ons_row){(int16_t)v[0], (int16_t)v[2], (int32_t)v[1], it->lineno};
        if (v[1] > *max_ckey)
            *max_ckey = (int)v[1];
    }
    free(fs.f);
    return rc;
}

/* One function: the checks of an ONS ptable run in file order, each with
 * the line and column it reports, over one running state (the previous
 * cell, the key range seen); split, that state would be passed around. */
static int parse_ons(const char *name, line_iter *it, const fields *head, int key_range, ks_ptable **out, ks_error *err)
{
    static const char *const what[3] = {"pcv", "ckey", "pvalue"};
    int col[3];
    for (int k = 0; k < 3; k++) {
        col[k] = find_column(head, what[k]);
        if (col[k] < 0)
            return err_at(err, name, 1, 1, KS_EUSAGE, "no column '%s' (an ONS ptable has pcv, ckey, pvalue)", what[k]);
        for (size_t i = (size_t)col[k] + 1; i < head->n; i++)
            if (field_is(&head->f[i], what[k]))
                return err_at(err, name, 1, head->f[i].col, KS_EUSAGE, "column '%s' appears twice", what[k]);
    }
    ons_row *rows = NULL;
    size_t nrows = 0;
    int max_ckey = -1;
    uint32_t *seen = NULL; /* line of (pcv, ckey), 0 = not yet */
    ks_ptable *pt = NULL;
    int rc = ons_read_rows(name, it, head->n, col, key_range, &rows, &nrows, &max_ckey, err);
    if (rc)
        goto done;
    if (nrows == 0) {
        rc = err_at(err, name, it->lineno + 1, 1, KS_EUSAGE, "no rows after the header");
        goto done;
    }
    int K = key_range ? key_range : max_ckey + 1;
    if ((rc = check_key_range(name, K, err)) < 0)
        goto done;
    pt = ptable_alloc(K, "ons");
    size_t cells = ks_mul(KS_PTABLE_MAX_PCV + 1, (size_t)K);
    seen = ks_calloc(cells, sizeof *seen);
    for (size_t r = 0; r < nrows; r++) {
        size_t at = (size_t)rows[r].pcv * (size_t)K + (size_t)rows[r].ckey;
        if (seen[at]) {
            rc = err_at(err, name, rows[r].line, 1, KS_EUSAGE, "pcv %d, ckey %d again (first at line %u)", rows[r].pcv,
                        (int)rows[r].ckey, (unsigned)seen[at]);
            goto done;
        }
        seen[at] = rows[r].line;
        if (rows[r].pcv > 0)
            pt->pv[at - (size_t)K] = rows[r].pvalue;
    }
    /* Every cell needs its row.  The message points where the row would
     * have stood in a file written in order: at the next row present. */
    for (size_t at = (size_t)K; at < cells; at++) {
        if (seen[at])
            continue;
        size_t nx = at;
        while (nx < cells && !seen[nx])
            nx++;
        unsigned line = nx < cells ? seen[nx] : it->lineno + 1;
        rc = err_at(err, name, line, 1, KS_EUSAGE,
                    "no row for pcv %zu, ckey %zu (a ptable needs every pcv 1..750 with every ckey 0..%d)",
                    at / (size_t)K, at % (size_t)K, K - 1);
        goto done;
    }
done:
    free(rows);
    free(seen);
    if (rc) {
        ks_ptable_free(pt);
        pt = NULL;
    }
    *out = pt;
    return rc;
}

/* ---- sdcTools pt_export layout ------------------------------------------- */

typedef struct sdc_row {
    int v;     /* perturbation j - i */
    double ub; /* upper end of its interval */
} sdc_row;

typedef struct sdc_table {
    sdc_row *row;  /* all rows in file order */
    size_t n;      /* rows held */
    size_t cap;    /* allocated */
    size_t *first; /* first[i]: index of block i's first row, i = 0..max_i+1 */
    int max_i;     /* largest i seen, -1 before any */
} sdc_table;

typedef struct sdc_cols {
    int i, j, p, v, lb, ub; /* column indexes; lb -1 in the TauArgus layout */
} sdc_cols;

static int sdc_header(const char *name, const fields *h, sdc_cols *c, ks_error *err)
{
    int *slot[6] = {&c->i, &c->j, &c->p, &c->v, &c->lb, &c->ub};
    static const char *const names[6] = {"i", "j", "p", "v", "p_int_lb", "p_int_ub"};
    for (int k = 0; k < 6; k++)
        *slot[k] = -1;
    for (size_t f = 0; f < h->n; f++) {
        if (field_is(&h->f[f], "type"))
            return err_at(err, name, 1, h->f[f].col, KS_EUSAGE,
                          "a ptable for magnitude tables ('type' column): the cell key method here perturbs counts");
        int k = 0;
        while (k < 6 && !field_is(&h->f[f], names[k]))
            k++;
        if (k == 6)
            return err_at(err, name, 1, h->f[f].col, KS_EUSAGE, "unknown column '%.*s' in an sdcTools ptable",
                          (int)(h->f[f].n > 40 ? 40 : h->f[f].n), h->f[f].s);
        if (*slot[k] >= 0)
            return err_at(err, name, 1, h->f[f].col, KS_EUSAGE, "column '%s' appears twice", names[k]);
        *slot[k] = (int)f;
    }
    for (int k = 0; k < 6; k++)
        if (k != 4 && *slot[k] < 0)
            return err_at(err, name, 1, 1, KS_EUSAGE,
                          "no column '%s' (sdcTools pt_export writes i;j;p;v;p_int_ub or i;j;p;v;p_int_lb;p_int_ub)",
                          names[k]);
    return 0;
}

/* Ends block i (its last row at line `line`): the intervals must reach 1. */
static int sdc_close_block(const char *name, sdc_table *t, unsigned line, size_t col, ks_error *err)
{
    double last = t->row[t->n - 1].ub;
    if (fabs(last - 1.0) > SDC_TOL)
        return err_at(err, name, line, col, KS_EUSAGE, "the intervals of i = %d end at %.10g, not 1", t->max_i, last);
    return 0;
}

/* One data row: checks it and appends it to its block. */
/* One function for the reason parse_ons gives: a row's checks in order,
 * each naming its own column. */
static int sdc_row_add(const char *name, unsigned line, const fields *fs, const sdc_cols *c, sdc_table *t,
                       unsigned *prev_line, size_t *prev_col, ks_error *err)
{
    long i, j, v;
    double p, lb = 0, ub;
    const field *F = fs->f;
    if (!parse_whole(&F[c->i], &i) || i < 0)
        return err_at(err, name, line, F[c->i].col, KS_EUSAGE, "i '%.*s' is not a count", (int)F[c->i].n, F[c->i].s);
    if (!parse_whole(&F[c->j], &j) || j < 0)
        return err_at(err, name, line, F[c->j].col, KS_EUSAGE, "j '%.*s' is not a count", (int)F[c->j].n, F[c->j].s);
    if (!parse_whole(&F[c->v], &v))
        return err_at(err, name, line, F[c->v].col, KS_EUSAGE, "v '%.*s' is not an integer", (int)F[c->v].n, F[c->v].s);
    if (!parse_num(&F[c->p], &p) || p < 0 || p > 1)
        return err_at(err, name, line, F[c->p].col, KS_EUSAGE, "p '%.*s' is not a probability", (int)F[c->p].n,
                      F[c->p].s);
    if (!parse_num(&F[c->ub], &ub) || ub < 0 || ub > 1 + SDC_TOL)
        return err_at(err, name, line, F[c->ub].col, KS_EUSAGE, "p_int_ub '%.*s' is not in [0, 1]", (int)F[c->ub].n,
                      F[c->ub].s);
    if (c->lb >= 0 && !parse_num(&F[c->lb], &lb))
        return err_at(err, name, line, F[c->lb].col, KS_EUSAGE, "p_int_lb '%.*s' is not a number", (int)F[c->lb].n,
                      F[c->lb].s);
    if (v != j - i)
        return err_at(err, name, line, F[c->v].col, KS_EUSAGE, "v = %ld but j - i = %ld", v, j - i);
    if (labs(v) > MAX_ABS_PVALUE)
        return err_at(err, name, line, F[c->v].col, KS_EUSAGE, "v = %ld: more than %d", v, MAX_ABS_PVALUE);
    if (i == 0 && v != 0)
        return err_at(err, name, line, F[c->v].col, KS_EUSAGE, "v = %ld for i = 0: an empty cell must stay 0", v);
    if (i > KS_PTABLE_MAX_SDC_I)
        return err_at(err, name, line, F[c->i].col, KS_EUSAGE,
                      "i = %ld: above %d, which the pcv rows (501..750 for every count above 500) cannot honour", i,
                      KS_PTABLE_MAX_SDC_I);
    if (i < t->max_i)
        return err_at(err, name, line, F[c->i].col, KS_EUSAGE,
                      "i = %ld after i = %d: the rows of each i must be together, in ascending i", i, t->max_i);
    if (i > t->max_i) {
        int rc;
        if (t->max_i >= 0 && (rc = sdc_close_block(name, t, *prev_line, *prev_col, err)) < 0)
            return rc;
        if (i > t->max_i + 1 && !(t->max_i < 0 && i == 1))
            return err_at(err, name, line, F[c->i].col, KS_EUSAGE, "no rows for i = %d",
                          t->max_i < 0 ? 1 : t->max_i + 1);
        t->first = ks_realloc(t->first, ks_mul((size_t)i + 2, sizeof *t->first));
        if (t->max_i < 0)
            t->first[0] = 0; /* an absent i = 0 block is empty */
        t->first[i] = t->n;
        t->max_i = (int)i;
    }
    double prev_ub = t->n > t->first[i] ? t->row[t->n - 1].ub : 0.0;
    if (c->lb < 0)
        lb = prev_ub;
    else if (fabs(lb - prev_ub) > SDC_TOL)
        return err_at(err, name, line, F[c->lb].col, KS_EUSAGE,
                      "p_int_lb %.10g does not start where the last interval of i = %ld ended (%.10g)", lb, i, prev_ub);
    if (ub < prev_ub)
        return err_at(err, name, line, F[c->ub].col, KS_EUSAGE, "p_int_ub %.10g is below the previous one (%.10g)", ub,
                      prev_ub);
    if (fabs(p - (ub - lb)) > SDC_TOL)
        return err_at(err, name, line, F[c->p].col, KS_EUSAGE, "p %.10g is not p_int_ub - p_int_lb = %.10g", p,
                      ub - lb);
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->row = ks_realloc(t->row, ks_mul(t->cap, sizeof *t->row));
    }
    t->row[t->n++] = (sdc_row){(int)v, ub};
    *prev_line = line;
    *prev_col = F[c->ub].col;
    return 0;
}

/* Fills pt from the blocks: cellKey's lookup_freq with cell key c/K. */
static int sdc_convert(const char *name, const sdc_table *t, ks_ptable *pt, ks_error *err)
{
    int K = pt->key_range;
    for (int pcv = 1; pcv <= KS_PTABLE_MAX_PCV; pcv++) {
        int16_t *dst = pt->pv + (size_t)(pcv - 1) * (size_t)K;
        if (pcv > t->max_i) { /* the last block stands for every larger count */
            memcpy(dst, pt->pv + (size_t)(t->max_i - 1) * (size_t)K, (size_t)K * sizeof *dst);
            continue;
        }
        size_t r = t->first[pcv], end = t->first[pcv + 1];
        for (int c = 0; c < K; c++) {
            double u = (double)c / K;
            while (r < end && !(u < t->row[r].ub))
                r++;
            if (r == end)
                return ks_error_set(err, KS_EUSAGE, "%s: the intervals of i = %d leave cell key %d/%d uncovered", name,
                                    pcv, c, K);
            dst[c] = (int16_t)t->row[r].v;
        }
    }
    return 0;
}

static int parse_sdc(const char *name, line_iter *it, const fields *head, int key_range, ks_ptable **out, ks_error *err)
{
    sdc_cols c;
    sdc_table t = {.max_i = -1};
    fields fs = {0};
    ks_ptable *pt = NULL;
    unsigned prev_line = 0;
    size_t prev_col = 1;
    int rc = sdc_header(name, head, &c, err);
    if (rc)
        goto done;
    int K = key_range ? key_range : 256;
    if ((rc = check_key_range(name, K, err)) < 0)
        goto done;
    const char *s;
    size_t n;
    while (next_line(it, &s, &n)) {
        if (blank(s, n))
            continue;
        split(s, n, ';', &fs);
        if (fs.n != head->n) {
            rc = err_at(err, name, it->lineno, 1, KS_EUSAGE, "expected %zu fields but found %zu", head->n, fs.n);
            goto done;
        }
        if ((rc = sdc_row_add(name, it->lineno, &fs, &c, &t, &prev_line, &prev_col, err)) < 0)
            goto done;
    }
    if (t.max_i < 1) {
        rc = err_at(err, name, it->lineno, 1, KS_EUSAGE, "no rows for i >= 1");
        goto done;
    }
    if ((rc = sdc_close_block(name, &t, prev_line, prev_col, err)) < 0)
        goto done;
    t.first[t.max_i + 1] = t.n;
    pt = ptable_alloc(K, c.lb >= 0 ? "sdctools-sas" : "sdctools-tauargus");
    rc = sdc_convert(name, &t, pt, err);
done:
    free(fs.f);
    free(t.row);
    free(t.first);
    if (rc) {
        ks_ptable_free(pt);
        pt = NULL;
    }
    *out = pt;
    return rc;
}

/* ---- entry points ---------------------------------------------------------- */

int ks_ptable_parse(const char *name, const char *text, size_t len, int key_range, ks_ptable **out, ks_error *err)
{
    *out = NULL;
    if (key_range && check_key_range(name, key_range, err) < 0)
        return -KS_EUSAGE;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    line_iter it = {text, text + len, 0};
    const char *s;
    size_t n;
    if (!next_line(&it, &s, &n))
        return ks_error_set(err, KS_EUSAGE, "%s: empty ptable file", name);
    fields head = {0};
    int rc;
    split(s, n, ',', &head);
    if (find_column(&head, "pcv") >= 0) {
        rc = parse_ons(name, &it, &head, key_range, out, err);
    } else {
        split(s, n, ';', &head);
        if (find_column(&head, "i") >= 0)
            rc = parse_sdc(name, &it, &head, key_range, out, err);
        else
            rc = err_at(err, name, 1, 1, KS_EUSAGE,
                        "not a ptable header: expected pcv,ckey,pvalue (ONS) or i;j;p;v;p_int_ub (sdcTools pt_export)");
    }
    free(head.f);
    return rc;
}

int ks_ptable_load(const char *path, int key_range, ks_ptable **out, ks_error *err)
{
    *out = NULL;
    FILE *in = fopen(path, "rb");
    if (!in)
        return ks_error_set(err, KS_EUSAGE, "cannot open ptable '%s': %s", path, strerror(errno));
    ks_buf b;
    ks_buf_init(&b);
    char chunk[65536];
    size_t got;
    int rc = 0;
    while ((got = fread(chunk, 1, sizeof chunk, in)) > 0) {
        if (b.len + got > MAX_FILE) {
            rc = ks_error_set(err, KS_EUSAGE, "ptable '%s' is larger than %u MiB", path, MAX_FILE >> 20);
            break;
        }
        ks_buf_add(&b, chunk, got);
    }
    if (rc == 0 && ferror(in))
        rc = ks_error_set(err, KS_EIO, "cannot read ptable '%s'", path);
    fclose(in);
    if (rc == 0)
        rc = ks_ptable_parse(path, b.buf, b.len, key_range, out, err);
    ks_buf_release(&b);
    return rc;
}

/* ---- the default ptable ------------------------------------------------------ */

/* C(n, r) for n <= 2 * 6 (exact in 64 bits). */
static uint64_t binom(int n, int r)
{
    uint64_t v = 1;
    for (int t = 1; t <= r; t++)
        v = v * (uint64_t)(n - r + t) / (uint64_t)t;
    return v;
}

/* Row i's count of ckeys for each perturbed value, counts[v + off]; returns
 * the lowest v.  Counts sum to K (see cellkey.h for the three cases). */
static int default_row(int i, int k, int m, int K, int *counts, int off)
{
    if (i < k) {
        long iK = (long)i * K;
        int b = (int)(iK % k);
        int a = (int)((iK - (long)b * (k + 1)) / k);
        counts[off - i] = K - a - b; /* j = 0 */
        counts[off + k - i] = a;
        counts[off + k + 1 - i] = b;
        return -i;
    }
    int h = i - k < m ? i - k : m;          /* half-width */
    uint64_t unit = (uint64_t)K >> (2 * h); /* K / 4^h, whole by the requirement 4^m | K */
    for (int v = -h; v <= h; v++)
        counts[off + v] = (int)(unit * binom(2 * h, h + v));
    return -h;
}

int ks_ptable_default(int k, int m, int key_range, ks_ptable **out, ks_error *err)
{
    *out = NULL;
    int K = key_range;
    if (check_key_range("default ptable", K, err) < 0)
        return -KS_EUSAGE;
    if (k < 1 || m < 0 || m > 6 || k + m > KS_PTABLE_MAX_SDC_I)
        return ks_error_set(err, KS_EUSAGE, "default ptable: k = %d, m = %d: need k >= 1, 0 <= m <= 6, k + m <= 501", k,
                            m);
    if (K % (1 << (2 * m)) != 0)
        return ks_error_set(err, KS_EUSAGE, "default ptable: the key range %d is not a multiple of 4^%d", K, m);
    if ((long)k * k - 1 > K)
        return ks_error_set(err, KS_EUSAGE, "default ptable: k = %d needs a key range of at least %d", k, k * k - 1);
    char source[64];
    snprintf(source, sizeof source, "kasane-default k=%d m=%d", k, m);
    ks_ptable *pt = ptable_alloc(K, source);
    int span = 2 * (k + 1 > m ? k + 1 : m) + 1, off = span / 2;
    int *counts = ks_malloc(ks_mul((size_t)span + 1, sizeof *counts));
    for (int pcv = 1; pcv <= KS_PTABLE_MAX_PCV; pcv++) {
        memset(counts, 0, ((size_t)span + 1) * sizeof *counts);
        int lo = default_row(pcv, k, m, K, counts, off);
        int16_t *dst = pt->pv + (size_t)(pcv - 1) * (size_t)K;
        int c = 0;
        for (int v = lo; off + v <= span; v++)
            for (int t = 0; t < counts[off + v]; t++)
                dst[c++] = (int16_t)v;
    }
    free(counts);
    *out = pt;
    return 0;
}
