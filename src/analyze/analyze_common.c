/* analyze_common.c: what every analysis shares -- the selection (filters
 * resolved to integers and checked dates), variables and their levels, the
 * scan over case_record, exclusion notes and the one way tables are printed. */
#include "analyze.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "query.h"
#include "render.h"
#include "text.h"
#include "weaken.h"

const char *ks_an_l(const ks_an *a, const char *ja, const char *en)
{
    return a->out && a->out->lang == KS_LANG_EN ? en : ja;
}

/* ---- small helpers -------------------------------------------------------- */

static int fold_eq(const char *x, const char *y)
{
    ks_buf fx, fy;
    ks_buf_init(&fx);
    ks_buf_init(&fy);
    int eq = ks_text_fold_label(x, strlen(x), &fx) == 0 && ks_text_fold_label(y, strlen(y), &fy) == 0 &&
             strcmp(fx.buf, fy.buf) == 0;
    ks_buf_release(&fx);
    ks_buf_release(&fy);
    return eq;
}

/* A strict ISO date (what --from/--to take); the text itself is then safe to bind. */
static int check_iso_date(const char *s, const char *opt, ks_error *err)
{
    ks_date d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return ks_error_set(err, KS_EUSAGE, "%s takes a date as YYYY-MM-DD, not '%s'", opt, s);
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return ks_error_set(err, KS_EUSAGE, "%s takes a date as YYYY-MM-DD, not '%s'", opt, s);
    if (ks_date_parse(s, 10, &d) != KS_DATE_OK)
        return ks_error_set(err, KS_EUSAGE, "%s: '%s' is not a valid date", opt, s);
    return 0;
}

/* A checked --from/--to date widened to its whole month: the first day for
 * `from`, the last for `to`.  A bound inside a month makes differencing
 * routine -- a table for [D, end] minus the one for [D+1, end] is the cases
 * of day D -- while two bounds in the same month now select the same cases.
 * Weakened (day-selection), the date is used as given. */
static char *month_bound(const char *s, bool last)
{
    ks_date d;
    if (ks_weakened("day-selection") || ks_date_parse(s, strlen(s), &d) != KS_DATE_OK)
        return ks_strdup(s);
    if (last) {
        static const int8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = (d.y % 4 == 0 && d.y % 100 != 0) || d.y % 400 == 0;
        d.d = (int8_t)(mdays[d.m - 1] + (d.m == 2 && leap));
    } else {
        d.d = 1;
    }
    char buf[11];
    ks_date_format(d, buf);
    return ks_strdup(buf);
}

int ks_an_prepare(ks_an *a, const char *sql, sqlite3_stmt **st, ks_error *err)
{
    int rc = ks_db_prepare(a->db, sql, st, err);
    if (rc)
        return rc;
    int i;
    if (a->from && (i = sqlite3_bind_parameter_index(*st, ":from")) > 0)
        sqlite3_bind_text(*st, i, a->from, -1, SQLITE_STATIC);
    if (a->to && (i = sqlite3_bind_parameter_index(*st, ":to")) > 0)
        sqlite3_bind_text(*st, i, a->to, -1, SQLITE_STATIC);
    return 0;
}

static int query_int64(ks_an *a, const char *sql, int64_t *out, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_an_prepare(a, sql, &st, err);
    if (rc)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (s != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(a->db));
    sqlite3_finalize(st);
    return rc;
}

/* Finds a row of a (id, code, label_ja, label_en) table by any of the three
 * names; lists the valid codes when nothing matches. */
static int resolve_code(ks_an *a, const char *table, const char *opt, const char *text, int64_t *id,
                        ks_buf *label, ks_error *err)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT %s_id, code, label_ja, label_en FROM %s ORDER BY 1", table, table);
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(a->db, sql, &st, err);
    if (rc)
        return rc;
    ks_buf all;
    ks_buf_init(&all);
    int found = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 1);
        const char *ja = (const char *)sqlite3_column_text(st, 2);
        const char *en = (const char *)sqlite3_column_text(st, 3);
        ks_buf_addf(&all, "%s%s", all.len ? ", " : "", code);
        if (!found && (fold_eq(text, code) || fold_eq(text, ja) || fold_eq(text, en))) {
            *id = sqlite3_column_int64(st, 0);
            ks_buf_reset(label);
            ks_buf_adds(label, ks_an_l(a, ja, en));
            found = 1;
        }
    }
    sqlite3_finalize(st);
    if (!found)
        rc = ks_error_set(err, KS_EUSAGE, "%s: no %s '%s' in this database (codes: %s; Japanese and "
                          "English labels work too)", opt, table, text, all.buf);
    ks_buf_release(&all);
    return rc;
}

/* ---- fewer than k cases --------------------------------------------------- */

/* The one rule for small analyses (the README promises exit 3 for every
 * analysis): an analysis of 1..k-1 cases prints nothing.  Even with each
 * count hidden, the levels that hold a case, the months a series starts and
 * stops, a curve's steps or a model's existence describe those few cases.
 * It is applied in two places, both in this file: to the selection in
 * ks_an_init, before an analysis has read a variable, and in ks_an_emit to
 * the cases the analysis kept (closed cases, known values), as its n note
 * from ks_an_note_n gives them -- every analysis passes that note with each
 * table, so no table of a small analysis gets out.  The message says
 * "<k", never the count.  Zero is not refused: an empty selection names no one
 * and each analysis reports it as a data error (exit 1).  Weakened
 * (small-selection), a small selection is analysed as any other. */
static bool below_k(const ks_an *a, int64_t n)
{
    return n > 0 && n < a->k;
}

/* The refusal: -KS_ESAFETY naming `what` (0 when weakened). */
static int refuse_small(const ks_an *a, const char *what, ks_error *err)
{
    if (ks_weakened("small-selection"))
        return 0;
    return ks_error_set(err, KS_ESAFETY,
                        "%s has fewer than k=%d cases (<%d): no analysis is printed for so few, since its levels, "
                        "months or times would describe them; widen the selection",
                        what, a->k, a->k);
}

/* Whether a footer note from ks_an_note_n says n is below k ("n = <5 ..."). */
static bool note_below_k(const ks_an *a, const char *note)
{
    char head[32];
    int len = snprintf(head, sizeof head, "n = <%d ", a->k);
    return note && len > 0 && strncmp(note, head, (size_t)len) == 0;
}

/* ---- the session ------------------------------------------------------------ */

/* Appends one filter in words to the selection text. */
#define SEL_ADD(sel, ...)                \
    do {                                 \
        if ((sel)->len)                  \
            ks_buf_adds((sel), ", ");    \
        ks_buf_addf((sel), __VA_ARGS__); \
    } while (0)

/* --from and --to: checked, widened to whole months (a->from, a->to),
 * added to the condition w and to the selection's words sel. */
static int filter_dates(ks_an *a, const ks_an_filter *f, ks_buf *w, ks_buf *sel, ks_error *err)
{
    int rc = 0;
    /* a->from and a->to are owned copies, widened to whole months (freed by
     * ks_an_release); the order check is on the dates as the analyst typed them */
    if (f && f->from && (rc = check_iso_date(f->from, "--from", err)))
        return rc;
    if (f && f->to && (rc = check_iso_date(f->to, "--to", err)))
        return rc;
    if (f && f->from && f->to && strcmp(f->from, f->to) > 0)
        return ks_error_set(err, KS_EUSAGE, "--from %s is after --to %s", f->from, f->to);
    if (f && f->from) {
        a->from = month_bound(f->from, false);
        ks_buf_adds(w, " AND c.consult_date >= :from");
    }
    if (f && f->to) {
        a->to = month_bound(f->to, true);
        ks_buf_adds(w, " AND c.consult_date <= :to");
    }
    if (ks_weakened("day-selection")) {
        if (a->from)
            SEL_ADD(sel, KS_AN_L(a, "相談日 %s 以降", "consulted from %s"), a->from);
        if (a->to)
            SEL_ADD(sel, KS_AN_L(a, "相談日 %s 以前", "consulted up to %s"), a->to);
    } else if (a->from && a->to) {
        SEL_ADD(sel, KS_AN_L(a, "相談日 %s〜%s（月単位に丸めました）", "consulted %s to %s (rounded to whole months)"),
                a->from, a->to);
    } else if (a->from) {
        SEL_ADD(sel, KS_AN_L(a, "相談日 %s 以降（月単位に丸めました）", "consulted from %s (rounded to whole months)"),
                a->from);
    } else if (a->to) {
        SEL_ADD(sel, KS_AN_L(a, "相談日 %s 以前（月単位に丸めました）", "consulted up to %s (rounded to whole months)"),
                a->to);
    }
    return 0;
}

/* --fy, --district, --field and --consent: resolved to codes, added to
 * the condition w and to the selection's words sel (lab: scratch). */
static int filter_codes(ks_an *a, const ks_an_filter *f, ks_buf *w, ks_buf *sel, ks_buf *lab, ks_error *err)
{
    int rc = 0;
    if (f && f->fy) {
        if (f->fy < 1900 || f->fy > 2200)
            return ks_error_set(err, KS_EUSAGE, "--fy takes a fiscal year such as 2025, not %d", f->fy);
        ks_buf_addf(w, " AND c.fiscal_year = %d", f->fy);
        a->fy = f->fy;
        char y[16];
        snprintf(y, sizeof y, "%d", f->fy);
        SEL_ADD(sel, KS_AN_L(a, "%s年度", "fiscal year %s"), y);
    }
    if (f && f->district) {
        int64_t id = 0;
        if ((rc = resolve_code(a, "district", "--district", f->district, &id, lab, err)))
            return rc;
        ks_buf_addf(w, " AND c.district_id = %" PRId64, id);
        SEL_ADD(sel, KS_AN_L(a, "地区 %s", "district %s"), lab->buf);
    }
    if (f && f->field) {
        int64_t id = 0, mask = 0;
        if ((rc = resolve_code(a, "field", "--field", f->field, &id, lab, err)))
            return rc;
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT coalesce(sum(1 << problem_id), 0) FROM problem WHERE field_id = %" PRId64,
                 id);
        if ((rc = query_int64(a, sql, &mask, err)))
            return rc;
        ks_buf_addf(w, " AND (c.problem_mask & %" PRId64 ") != 0", mask);
        SEL_ADD(sel, KS_AN_L(a, "分野 %s の課題あり", "a problem in field %s"), lab->buf);
    }
    if (f && f->consent && strcmp(f->consent, "all") != 0) {
        int yes = strcmp(f->consent, "yes") == 0;
        if (!yes && strcmp(f->consent, "no") != 0)
            return ks_error_set(err, KS_EUSAGE, "--consent takes yes, no or all, not '%s'", f->consent);
        ks_buf_addf(w, " AND c.consent_id = %d", yes ? 1 : 2);
        SEL_ADD(sel, "%s", ks_an_l(a, yes ? "本人同意あり" : "本人同意なし", yes ? "with consent" : "without consent"));
    }
    return 0;
}

int ks_an_key(const ks_an *a, ks_rkey_unit unit, int64_t id, int64_t *key, ks_error *err)
{
    uint16_t k;
    if (!ks_rkeys_get(a->keys, unit, id, &k))
        return ks_error_set(err, KS_ESAFETY, "a %s has no record key, so its counts cannot go through the cell key "
                                             "method; import again to give every unit one",
                            unit == KS_RKEY_HOUSEHOLD ? "household" : "case");
    *key = k;
    return 0;
}

/* Sums one selected case's key (a ks_an_scan callback). */
static int sum_key(void *ud, const int64_t *val, const bool *null)
{
    (void)null;
    *(uint64_t *)ud += (uint64_t)val[0];
    return 0;
}

/* The record keys, held in memory for the scans (a binary search per case
 * costs a fraction of SQLite's lookup in record_key), and the sums of the
 * database's and the selection's keys, for the sizes the n note prints
 * under the cell key method.  Every case must have a key. */
static int selection_keys(ks_an *a, ks_error *err)
{
    int rc = ks_rkeys_load(a->db, "main", &a->keys, err);
    if (rc)
        return rc;
    if ((int64_t)ks_rkeys_count(a->keys, KS_RKEY_CASE) != a->n_database)
        return ks_error_set(err, KS_ESAFETY, "%s, so their counts cannot go through the cell key method; import "
                                             "again to give every case one",
                            a->keys ? "some cases have no record key" : "the database has no record keys");
    int64_t all = 0;
    if ((rc = query_int64(a, "SELECT coalesce(sum(rkey), 0) FROM record_key WHERE unit = 1", &all, err)))
        return rc;
    a->key_database = (uint64_t)all;
    a->key_selected = 0;
    return ks_an_scan(a, NULL, 0, NULL, sum_key, &a->key_selected, err);
}

/* The database's and the selection's sizes, the last date the database
 * knows of (ongoing cases are censored there), and the refusal of a
 * selection of fewer than k cases. */
static int count_selection(ks_an *a, ks_error *err)
{
    int rc;
    if ((rc = query_int64(a, "SELECT count(*) FROM case_record", &a->n_database, err)))
        return rc;
    char *sql = ks_malloc(strlen(a->where) + 64);
    snprintf(sql, strlen(a->where) + 64, "SELECT count(*) FROM case_record c WHERE %s", a->where);
    rc = query_int64(a, sql, &a->n_selected, err);
    free(sql);
    if (rc)
        return rc;
    if (a->cellkey && (rc = selection_keys(a, err)))
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = ks_db_prepare(a->db, "SELECT max(max(consult_date), coalesce(max(closed_date), '')) FROM case_record",
                            &st, err)))
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        a->last_date = ks_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (below_k(a, a->n_selected)) {
        ks_buf what;
        ks_buf_init(&what);
        if (a->selection[0])
            ks_buf_addf(&what, "the selection (%s)", a->selection);
        else
            ks_buf_adds(&what, "the database");
        rc = refuse_small(a, what.buf, err);
        ks_buf_release(&what);
    }
    return rc;
}

int ks_an_init(ks_an *a, sqlite3 *db, const ks_output *out, const ks_an_filter *f,
               const ks_an_opts *opts, ks_error *err)
{
    memset(a, 0, sizeof *a);
    a->db = db;
    a->out = out;
    if (opts)
        a->opts = *opts;
    ks_policy pol;
    int rc = ks_policy_load(db, &pol, err);
    if (rc)
        return rc;
    a->k = pol.k;
    a->result = ks_result_new(&pol);
    ks_policy_release(&pol);
    ks_buf w, sel, lab;
    ks_buf_init(&w);
    ks_buf_init(&sel);
    ks_buf_init(&lab);
    ks_buf_adds(&w, "1");
    if ((rc = filter_dates(a, f, &w, &sel, err)) || (rc = filter_codes(a, f, &w, &sel, &lab, err)))
        goto done;
    a->where = ks_buf_detach(&w, NULL);
    a->selection = ks_buf_detach(&sel, NULL);
    /* a selection built from options is an ad-hoc table (analyze.h) */
    if ((a->selection[0] || a->opts.adhoc) && !ks_weakened("analyze-cellkey"))
        ks_result_adhoc(a->result);
    a->cellkey = ks_result_cellkey(a->result);
    a->suppress = ks_result_method(a->result) != KS_SDC_CELLKEY;
    rc = count_selection(a, err);
done:
    ks_buf_release(&w);
    ks_buf_release(&sel);
    ks_buf_release(&lab);
    if (rc)
        ks_an_release(a);
    return rc;
}

void ks_an_release(ks_an *a)
{
    free(a->where);
    free(a->selection);
    free(a->last_date);
    /* owned since they are widened to whole months (ks_an_init) */
    free((void *)a->from);
    free((void *)a->to);
    a->where = a->selection = a->last_date = NULL;
    a->from = a->to = NULL;
    ks_result_free(a->result);
    a->result = NULL;
    ks_rkeys_free(a->keys);
    a->keys = NULL;
}

/* ---- variables ---------------------------------------------------------- */

const char ks_an_var_help[] =
    "Variables (ROW, COL, GROUP, SERIES, predictors):\n"
    "  age_band sex household_type district fiscal_year intake_route intake_agency\n"
    "  status outcome meeting consent        one value per case\n"
    "  problem (= main_problem)              the case's main (first-listed) problem\n"
    "  problems supports partners            every value of a case (multi-response)\n"
    "  problem_field partner_field           fields of the problems / of the partners\n"
    "  problem:CODE support:CODE partner:CODE  has it (yes/no), e.g. problem:hikikomori\n"
    "  multi_agency                          two or more partners, or 多機関協働 support\n"
    "  age n_problems n_supports n_partners field_count  numbers (in logit: linear terms)\n"
    "Codes, Japanese and English labels are accepted wherever a level is named.\n";

typedef struct var_def {
    const char *name;     /* canonical name */
    const char *alias;    /* another accepted name, or NULL */
    ks_an_kind kind;      /* code, set, binary or number */
    const char *expr;     /* SQL over case_record c */
    const char *table;    /* code table of the levels, NULL = values from the data */
    const char *map;      /* set: "table.column" mapping a bit to a level id, NULL = identity */
    const char *label_ja; /* heading */
    const char *label_en; /* heading */
} var_def;

static const var_def var_defs[] = {
    {"age_band", NULL, KS_AN_CODE, "c.age_band_id", "age_band", NULL, "年齢階級", "Age band"},
    {"sex", NULL, KS_AN_CODE, "c.sex_id", "sex", NULL, "性別", "Sex"},
    {"household_type", "household", KS_AN_CODE, "c.household_type_id", "household_type", NULL, "世帯構成",
     "Household type"},
    {"district", NULL, KS_AN_CODE, "c.district_id", "district", NULL, "地区", "District"},
    {"fiscal_year", "fy", KS_AN_CODE, "c.fiscal_year", NULL, NULL, "年度", "Fiscal year"},
    {"problem", "main_problem", KS_AN_CODE, "c.main_problem_id", "problem", NULL, "主な課題", "Main problem"},
    {"intake_route", "route", KS_AN_CODE, "c.intake_route_id", "intake_route", NULL, "相談経路", "Intake route"},
    {"intake_agency", NULL, KS_AN_CODE, "c.intake_agency_id", "partner", NULL, "受付機関", "Intake agency"},
    {"status", NULL, KS_AN_CODE, "c.status_id", "status", NULL, "状況", "Status"},
    {"outcome", NULL, KS_AN_CODE, "c.outcome_id", "outcome", NULL, "結果", "Outcome"},
    {"meeting", NULL, KS_AN_CODE, "c.meeting_type_id", "meeting_type", NULL, "会議", "Meeting"},
    {"consent", NULL, KS_AN_CODE, "c.consent_id", "consent", NULL, "本人同意", "Consent"},
    {"problems", NULL, KS_AN_SET, "c.problem_mask", "problem", NULL, "課題(複数回答)", "Problems (multiple)"},
    {"supports", "support", KS_AN_SET, "c.support_mask", "support", NULL, "支援内容(複数回答)",
     "Supports (multiple)"},
    {"partners", "partner", KS_AN_SET, "c.partner_mask", "partner", NULL, "連携先(複数回答)",
     "Partners (multiple)"},
    {"partner_field", NULL, KS_AN_SET, "c.partner_mask", "field", "partner", "連携先の分野(複数回答)",
     "Partner fields (multiple)"},
    {"problem_field", "field", KS_AN_SET, "c.problem_mask", "field", "problem", "課題の分野(複数回答)",
     "Problem fields (multiple)"},
    {"multi_agency", NULL, KS_AN_BINARY, NULL, NULL, NULL, "多機関協働", "Multi-agency"},
    {"age", NULL, KS_AN_NUMBER, "((c.age_band_id - 1) * 5 + 2)", NULL, NULL, "年齢（5歳階級の中央）", "Age (band midpoint)"},
    {"n_problems", "problem_count", KS_AN_NUMBER, "c.problem_count", NULL, NULL, "課題数", "Problems"},
    {"n_supports", "support_count", KS_AN_NUMBER, "c.support_count", NULL, NULL, "支援数", "Supports"},
    {"n_partners", "partner_count", KS_AN_NUMBER, "c.partner_count", NULL, NULL, "連携先数", "Partners"},
    {"field_count", "n_fields", KS_AN_NUMBER, "c.field_count", NULL, NULL, "分野数", "Fields"},
};

/* Binary prefixes: "problem:CODE" and friends, their table and mask. */
typedef struct bin_def {
    const char *prefix; /* before the colon */
    const char *table;  /* code table */
    const char *mask;   /* mask column */
} bin_def;

static const bin_def bin_defs[] = {
    {"problem", "problem", "c.problem_mask"},
    {"support", "support", "c.support_mask"},
    {"partner", "partner", "c.partner_mask"},
};

void ks_an_var_free(ks_an_var *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->nlev; i++) {
        free(v->lev[i].code);
        free(v->lev[i].label);
    }
    free(v->lev);
    free(v->lut);
    free(v->name);
    free(v->label);
    free(v->expr);
    free(v);
}

static void add_level(ks_an_var *v, int64_t value, const char *code, const char *label)
{
    v->lev = ks_realloc(v->lev, ks_mul(v->nlev + 1, sizeof *v->lev));
    ks_an_level *l = &v->lev[v->nlev++];
    l->value = value;
    l->code = ks_strdup(code);
    l->label = ks_strdup(label);
    /* the two recorded "don't know" codes of the contract */
    l->unknown = strcmp(code, "U") == 0 || strcmp(code, "unknown") == 0;
}

/* Levels from a code table (every code, in id order). */
static int load_table_levels(ks_an *a, ks_an_var *v, const char *table, ks_error *err)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT %s_id, code, label_ja, label_en FROM %s ORDER BY 1", table, table);
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(a->db, sql, &st, err);
    if (rc)
        return rc;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *ja = (const char *)sqlite3_column_text(st, 2);
        const char *en = (const char *)sqlite3_column_text(st, 3);
        add_level(v, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1), ks_an_l(a, ja, en));
    }
    sqlite3_finalize(st);
    return 0;
}

/* Levels from the values present in the database (years, counts). */
static int load_value_levels(ks_an *a, ks_an_var *v, bool year, ks_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT DISTINCT %s FROM case_record c WHERE %s IS NOT NULL ORDER BY 1", v->expr,
             v->expr);
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(a->db, sql, &st, err);
    if (rc)
        return rc;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t x = sqlite3_column_int64(st, 0);
        char code[32], label[48];
        snprintf(code, sizeof code, "%" PRId64, x);
        if (year)
            snprintf(label, sizeof label, KS_AN_L(a, "%" PRId64 "年度", "FY%" PRId64), x);
        else
            snprintf(label, sizeof label, "%" PRId64, x);
        add_level(v, x, code, label);
    }
    sqlite3_finalize(st);
    return 0;
}

/* A direct lookup table from value to level, for the scan's inner loop. */
static void build_lut(ks_an_var *v)
{
    if (!v->nlev || v->lut)
        return;
    int64_t lo = v->lev[0].value, hi = lo;
    for (size_t i = 1; i < v->nlev; i++) {
        if (v->lev[i].value < lo)
            lo = v->lev[i].value;
        if (v->lev[i].value > hi)
            hi = v->lev[i].value;
    }
    if (hi - lo > 100000)
        return; /* ks_an_var_index falls back to a search */
    v->lut_min = lo;
    v->lut_n = (size_t)(hi - lo + 1);
    v->lut = ks_malloc(ks_mul(v->lut_n, sizeof *v->lut));
    for (size_t i = 0; i < v->lut_n; i++)
        v->lut[i] = -1;
    for (size_t i = 0; i < v->nlev; i++)
        v->lut[v->lev[i].value - lo] = (int)i;
}

int ks_an_var_index(const ks_an_var *v, int64_t value)
{
    if (v->lut) {
        if (value < v->lut_min || (uint64_t)(value - v->lut_min) >= v->lut_n)
            return -1;
        return v->lut[value - v->lut_min];
    }
    for (size_t i = 0; i < v->nlev; i++)
        if (v->lev[i].value == value)
            return (int)i;
    return -1;
}

int ks_an_var_find(const ks_an_var *v, const char *text)
{
    for (size_t i = 0; i < v->nlev; i++)
        if (fold_eq(text, v->lev[i].code) || fold_eq(text, v->lev[i].label))
            return (int)i;
    return -1;
}

/* Set variables: which level each bit of the mask stands for. */
static int load_set_map(ks_an *a, ks_an_var *v, const var_def *d, ks_error *err)
{
    for (int b = 0; b < 64; b++)
        v->bit_level[b] = -1;
    const char *src = d->map ? d->map : d->table;
    char sql[160];
    if (d->map)
        snprintf(sql, sizeof sql, "SELECT %s_id, field_id FROM %s ORDER BY 1", src, src);
    else
        snprintf(sql, sizeof sql, "SELECT %s_id, %s_id FROM %s ORDER BY 1", src, src, src);
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(a->db, sql, &st, err);
    if (rc)
        return rc;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t bit = sqlite3_column_int64(st, 0);
        if (bit < 0 || bit > 63) {
            rc = ks_error_set(err, KS_EDATA, "%s id %" PRId64 " does not fit the 64-bit mask", src, bit);
            break;
        }
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            continue; /* the unlisted partner has no field */
        v->bit_level[bit] = ks_an_var_index(v, sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    return rc;
}

static ks_an_var *var_alloc(const char *name, const char *label)
{
    ks_an_var *v = ks_calloc(1, sizeof *v);
    v->name = ks_strdup(name);
    v->label = ks_strdup(label);
    for (int b = 0; b < 64; b++)
        v->bit_level[b] = -1;
    return v;
}

static void yes_no_levels(ks_an *a, ks_an_var *v)
{
    add_level(v, 1, "yes", KS_AN_L(a, "あり", "yes"));
    add_level(v, 0, "no", KS_AN_L(a, "なし", "no"));
}

static ks_an_var *binary_var(ks_an *a, const char *name, ks_error *err)
{
    const char *colon = strchr(name, ':');
    size_t plen = (size_t)(colon - name);
    const bin_def *bd = NULL;
    for (size_t i = 0; i < KS_ARRAY_LEN(bin_defs); i++)
        if (strlen(bin_defs[i].prefix) == plen && strncmp(name, bin_defs[i].prefix, plen) == 0)
            bd = &bin_defs[i];
    if (!bd) {
        ks_error_set(err, KS_EUSAGE, "'%s': only problem:, support: and partner: take a code after the colon",
                     name);
        return NULL;
    }
    ks_an_var *codes = var_alloc(bd->table, bd->table);
    ks_an_var *v = NULL;
    if (load_table_levels(a, codes, bd->table, err))
        goto done;
    int li = ks_an_var_find(codes, colon + 1);
    if (li < 0) {
        ks_buf all;
        ks_buf_init(&all);
        for (size_t i = 0; i < codes->nlev; i++)
            ks_buf_addf(&all, "%s%s", i ? ", " : "", codes->lev[i].code);
        ks_error_set(err, KS_EUSAGE, "'%s': no %s '%s' (codes: %s)", name, bd->table, colon + 1, all.buf);
        ks_buf_release(&all);
        goto done;
    }
    const ks_an_level *l = &codes->lev[li];
    if (l->value < 0 || l->value > 63) {
        ks_error_set(err, KS_EDATA, "'%s': id %" PRId64 " is outside the mask", name, l->value);
        goto done;
    }
    char nm[160];
    snprintf(nm, sizeof nm, "%s:%s", bd->prefix, l->code);
    v = var_alloc(nm, l->label);
    v->kind = KS_AN_BINARY;
    v->numeric = true;
    ks_buf e;
    ks_buf_init(&e);
    ks_buf_addf(&e, "((%s >> %" PRId64 ") & 1)", bd->mask, l->value);
    v->mask = bd->mask;
    v->mask_bit = (int)l->value;
    v->expr = ks_buf_detach(&e, NULL);
    yes_no_levels(a, v);
done:
    ks_an_var_free(codes);
    return v;
}

/* multi_agency: two or more partners, or the 多機関協働 support recorded. */
static char *multi_agency_expr(ks_an *a, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    if (ks_db_prepare(a->db, "SELECT support_id FROM support WHERE code = 'multi_agency'", &st, err))
        return NULL;
    ks_buf e;
    ks_buf_init(&e);
    if (sqlite3_step(st) == SQLITE_ROW)
        ks_buf_addf(&e, "(c.partner_count >= 2 OR ((c.support_mask >> %d) & 1))", sqlite3_column_int(st, 0));
    else
        ks_buf_adds(&e, "(c.partner_count >= 2)");
    sqlite3_finalize(st);
    return ks_buf_detach(&e, NULL);
}

ks_an_var *ks_an_var_new(ks_an *a, const char *name, bool allow_number, ks_error *err)
{
    if (strchr(name, ':'))
        return binary_var(a, name, err);
    const var_def *d = NULL;
    for (size_t i = 0; i < KS_ARRAY_LEN(var_defs) && !d; i++)
        if (strcmp(name, var_defs[i].name) == 0 || (var_defs[i].alias && strcmp(name, var_defs[i].alias) == 0))
            d = &var_defs[i];
    if (!d) {
        ks_error_set(err, KS_EUSAGE, "unknown variable '%s' (see 'kasane analyze --help')", name);
        return NULL;
    }
    ks_an_var *v = var_alloc(d->name, ks_an_l(a, d->label_ja, d->label_en));
    int rc = 0;
    v->kind = d->kind;
    if (d->kind == KS_AN_BINARY) {
        v->expr = multi_agency_expr(a, err);
        if (!v->expr)
            rc = -KS_EIO;
        v->numeric = true;
        yes_no_levels(a, v);
    } else if (d->kind == KS_AN_NUMBER) {
        v->expr = ks_strdup(d->expr);
        v->numeric = true;
        if (!allow_number) {
            v->kind = KS_AN_CODE;
            rc = load_value_levels(a, v, false, err);
        }
    } else {
        v->expr = ks_strdup(d->expr);
        rc = d->table ? load_table_levels(a, v, d->table, err) : load_value_levels(a, v, true, err);
        if (rc == 0 && d->kind == KS_AN_SET) {
            build_lut(v);
            rc = load_set_map(a, v, d, err);
        }
    }
    if (rc == 0)
        build_lut(v);
    if (rc) {
        ks_an_var_free(v);
        return NULL;
    }
    return v;
}

/* ---- scanning ------------------------------------------------------------ */

int ks_an_scan(ks_an *a, const char *const *exprs, size_t n, const char *extra, ks_an_row_fn fn, void *ud,
               ks_error *err)
{
    ks_buf sql;
    ks_buf_init(&sql);
    ks_buf_adds(&sql, "SELECT ");
    for (size_t i = 0; i < n; i++)
        ks_buf_addf(&sql, "%s%s", i ? ", " : "", exprs[i]);
    /* the case's id last, for its record key, only when it is used */
    if (a->cellkey)
        ks_buf_addf(&sql, "%sc.case_id", n ? ", " : "");
    else if (!n)
        ks_buf_adds(&sql, "0");
    ks_buf_addf(&sql, " FROM case_record c WHERE %s", a->where);
    if (extra)
        ks_buf_addf(&sql, " AND (%s)", extra);
    sqlite3_stmt *st = NULL;
    int64_t *val = ks_calloc(n + 1, sizeof *val);
    bool *null = ks_calloc(n + 1, sizeof *null);
    int rc = ks_an_prepare(a, sql.buf, &st, err);
    while (rc == 0) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(a->db));
            break;
        }
        for (size_t i = 0; i < n; i++) {
            null[i] = sqlite3_column_type(st, (int)i) == SQLITE_NULL;
            val[i] = null[i] ? 0 : sqlite3_column_int64(st, (int)i);
        }
        if (a->cellkey && (rc = ks_an_key(a, KS_RKEY_CASE, sqlite3_column_int64(st, (int)n), &val[n], err)))
            break;
        rc = fn(ud, val, null);
    }
    sqlite3_finalize(st);
    free(val);
    free(null);
    ks_buf_release(&sql);
    return rc;
}

/* ---- notes --------------------------------------------------------------- */

void ks_an_fmt_count(const ks_an *a, ks_buf *b, int64_t n)
{
    if (n > 0 && n < a->k) {
        ks_buf_addf(b, "<%d", a->k);
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%" PRId64, n < 0 ? -n : n);
    size_t len = strlen(digits);
    if (n < 0)
        ks_buf_addc(b, '-');
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            ks_buf_addc(b, ',');
        ks_buf_addc(b, digits[i]);
    }
}

void ks_an_excl_init(ks_an_excl *e)
{
    memset(e, 0, sizeof *e);
}

void ks_an_excl_release(ks_an_excl *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->why[i]);
    free(e->why);
    free(e->count);
    ks_an_excl_init(e);
}

void ks_an_excl_add(ks_an *a, ks_an_excl *e, ks_an_n count, const char *why)
{
    if (count.n <= 0)
        return;
    e->count = ks_realloc(e->count, ks_mul(e->n + 1, sizeof *e->count));
    e->why = ks_realloc(e->why, ks_mul(e->n + 1, sizeof *e->why));
    e->count[e->n] = ks_an_count(a, count.n, count.key);
    e->why[e->n++] = ks_strdup(why);
    e->total += count.n;
}

void ks_an_excl_var(ks_an *a, ks_an_excl *e, const ks_an_var *v, ks_an_n missing, ks_an_n unknown)
{
    char why[256];
    snprintf(why, sizeof why, KS_AN_L(a, "%s 未記入", "with %s missing"), v->label);
    ks_an_excl_add(a, e, missing, why);
    snprintf(why, sizeof why, KS_AN_L(a, "%s 不明", "with %s unknown"), v->label);
    ks_an_excl_add(a, e, unknown, why);
}

int64_t ks_an_count(const ks_an *a, int64_t n, uint64_t key)
{
    return ks_result_count(a->result, n, key);
}

char *ks_an_note_n(const ks_an *a, ks_an_n nk, const char *unit, const ks_an_excl *e)
{
    /* a true n of 1..k-1 prints "<k" whatever the method: ks_an_emit reads
     * it there and refuses the analysis */
    int64_t n = below_k(a, nk.n) ? nk.n : ks_an_count(a, nk.n, nk.key);
    int64_t n_selected = ks_an_count(a, a->n_selected, a->key_selected);
    int64_t n_database = ks_an_count(a, a->n_database, a->key_database);
    bool small = below_k(a, n);
    for (size_t i = 0; e && i < e->n; i++)
        small |= below_k(a, e->count[i]);
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_adds(&b, "n = ");
    ks_an_fmt_count(a, &b, n);
    ks_buf_addf(&b, " %s", unit);
    if (e && e->n) {
        ks_buf_adds(&b, KS_AN_L(a, "; 除外: ", "; excluded: "));
        for (size_t i = 0; i < e->n; i++) {
            if (i)
                ks_buf_adds(&b, ", ");
            if (!small) {
                ks_an_fmt_count(a, &b, e->count[i]);
                ks_buf_addc(&b, ' ');
            }
            ks_buf_adds(&b, e->why[i]);
        }
        if (small)
            ks_buf_addf(&b, KS_AN_L(a, " (件数は k=%d 未満を含むため省略)", " (counts not given: some are below k=%d)"), a->k);
    }
    ks_buf_adds(&b, KS_AN_L(a, "; 対象: ", "; selection: "));
    if (a->selection && a->selection[0]) {
        ks_buf_adds(&b, a->selection);
        if (!small) {
            ks_buf_adds(&b, " (");
            ks_an_fmt_count(a, &b, n_selected);
            ks_buf_adds(&b, KS_AN_L(a, " / ", " of "));
            ks_an_fmt_count(a, &b, n_database);
            ks_buf_adds(&b, KS_AN_L(a, " 件)", " cases)"));
        }
    } else if (!small) {
        ks_buf_adds(&b, KS_AN_L(a, "全 ", "all "));
        ks_an_fmt_count(a, &b, n_database);
        ks_buf_adds(&b, KS_AN_L(a, " 件", " cases"));
    } else {
        ks_buf_adds(&b, KS_AN_L(a, "全件", "all cases"));
    }
    return ks_buf_detach(&b, NULL);
}

/* ---- tables and output ------------------------------------------------------ */

int ks_an_set_real(ks_table *t, size_t row, size_t col, double v, ks_error *err)
{
    if (isnan(v))
        return ks_table_set_null(t, row, col, err);
    return ks_table_set_real(t, row, col, v, err);
}

int ks_an_col(ks_table *t, const char *name, const char *label, ks_col_type type, int digits, ks_error *err)
{
    int c = ks_table_add_column(t, name, label, type, err);
    if (c >= 0 && type == KS_COL_REAL)
        ks_table_set_digits(t, (size_t)c, digits, NULL);
    return c;
}

int ks_an_emit(ks_an *a, const char *name, const char *title, ks_table *t, const char *excluded,
               const char *const *notes, size_t n_notes, ks_error *err)
{
    /* the rule above for the selection (ks_an_init has refused it already,
     * unless the session was opened another way) and for the cases this
     * analysis kept, as its n note gives them */
    int rc = 0;
    if (below_k(a, a->n_selected))
        rc = refuse_small(a, "the selection", err);
    else if (note_below_k(a, excluded))
        rc = refuse_small(a, "the part of the selection this analysis uses", err);
    if (rc)
        return rc;
    if (!a->cellkey)
        return ks_result_add(a->result, name, title, t, excluded, notes, n_notes, NULL, err);
    /* the analysis built t from ks_an_count's values: not perturbed again;
     * a note says where its statistics come from */
    const char **all = ks_malloc(ks_mul(n_notes + 2, sizeof *all));
    size_t na = 0;
    for (size_t i = 0; i < n_notes; i++)
        all[na++] = notes[i];
    all[na++] = KS_AN_L(a, "セルキー法: 件数は撹乱済み。割合・統計量は撹乱後の件数から計算 (計算できないものは表示しません)",
                        "cell key method: the counts are perturbed; shares and statistics are computed from the "
                        "perturbed counts (those that cannot be are not shown)");
    /* Method both: suppression after the perturbation takes declared totals
     * for exact sums, which perturbed ones are not (ks_suppress refuses
     * them).  They are no longer equations that give a hidden cell back
     * (each count carries its own noise), so the table goes without them:
     * primary suppression of what the ptable leaves below k. */
    if (a->suppress && (ks_table_total_row(t) >= 0 || ks_table_total_col(t) >= 0) && !ks_table_totals_add_up(t)) {
        if ((rc = ks_table_set_totals(t, -1, -1, err))) {
            free(all);
            return rc;
        }
        all[na++] = KS_AN_L(a, "内訳の計と合計は一致しない場合がある", "parts may not add up to the totals (each count is "
                                                                        "perturbed on its own)");
    }
    rc = ks_result_add_perturbed(a->result, name, title, t, excluded, all, na, NULL, err);
    free(all);
    return rc;
}

size_t ks_an_next_table(const ks_an *a) { return ks_result_ntables(a->result); }

int ks_an_link(ks_an *a, ks_cell_ref whole, const ks_cell_ref *parts, size_t nparts, ks_error *err)
{
    return ks_result_link(a->result, whole, parts, nparts, err);
}

int ks_an_publish(ks_an *a, ks_error *err) { return ks_publish(a->result, a->out, 1, err); }
