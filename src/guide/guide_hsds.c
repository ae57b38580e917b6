/* guide_hsds.c: the guide as Open Referral HSDS 3.0 JSON (guide_write.h;
 * the layout and every mapping decision are in docs/hsds.md).
 *
 * The output mirrors the read endpoints of the HSDS 3.0 API as static
 * files, so that any HSDS consumer can read it from a web server or a USB
 * stick: DIR/hsds/index.json ("/"), NAME.json (the list page "/NAME") and
 * NAME/<id>.json ("/NAME/{id}", the "full" object with its children).
 * Only fields of the official schemas are written (they are validated
 * with additionalProperties false, as the specification's own example
 * check does); the evidence goes into the service's description (for
 * people) and into attribute rows' `value` (for programs) -- HSDS's
 * attribute is "a property, fact or assertion made of a thing" with a
 * value, which is what a banded finding is, without an extension field.
 * Every value is a label of guide.h: no count is ever written. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codes.h"
#include "guide_write.h"
#include "uuid.h"

void ks_guide_window_uuid(const char *profile, const char *code, const char *role, char out[37])
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "kasane:%s:%s", profile, code);
    if (role && role[0])
        ks_buf_addf(&b, ":%s", role);
    ks_uuid5(KS_UUID_NS_KASANE, b.buf, b.len, out);
    ks_buf_release(&b);
}

static void uuid_of(char out[37], const char *fmt, ...) KS_PRINTF(2, 3);
static void uuid_of(char out[37], const char *fmt, ...)
{
    ks_buf b;
    ks_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    ks_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    ks_uuid5(KS_UUID_NS_KASANE, b.buf, b.len, out);
    ks_buf_release(&b);
}

/* ---- a small JSON writer: two-space indent, UTF-8 as is ---- */

enum { JW_DEPTH = 16 };
typedef struct jw {
    ks_buf *b;              /* output */
    int depth;              /* open containers */
    bool first[JW_DEPTH];   /* nothing written yet at that depth */
} jw;

static void jw_init(jw *w, ks_buf *b)
{
    w->b = b;
    w->depth = 0;
    w->first[0] = true;
}

static void jw_raw_str(ks_buf *b, const char *s)
{
    ks_buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': ks_buf_adds(b, "\\\""); break;
        case '\\': ks_buf_adds(b, "\\\\"); break;
        case '\n': ks_buf_adds(b, "\\n"); break;
        case '\r': ks_buf_adds(b, "\\r"); break;
        case '\t': ks_buf_adds(b, "\\t"); break;
        default:
            if (*p < 0x20)
                ks_buf_addf(b, "\\u%04x", *p);
            else
                ks_buf_addc(b, (char)*p);
        }
    }
    ks_buf_addc(b, '"');
}

static void jw_key(jw *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->first[w->depth])
            ks_buf_addc(w->b, ',');
        ks_buf_addc(w->b, '\n');
        for (int i = 0; i < w->depth; i++)
            ks_buf_adds(w->b, "  ");
    }
    w->first[w->depth] = false;
    if (key) {
        jw_raw_str(w->b, key);
        ks_buf_adds(w->b, ": ");
    }
}

static void jw_open(jw *w, const char *key, char c)
{
    jw_key(w, key);
    ks_buf_addc(w->b, c);
    w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(jw *w, char c)
{
    bool empty = w->first[w->depth];
    w->depth--;
    if (!empty) {
        ks_buf_addc(w->b, '\n');
        for (int i = 0; i < w->depth; i++)
            ks_buf_adds(w->b, "  ");
    }
    ks_buf_addc(w->b, c);
}

static void jw_str(jw *w, const char *key, const char *val)
{
    jw_key(w, key);
    jw_raw_str(w->b, val);
}

/* a string field only when the record gives it (HSDS: absent = not given) */
static void jw_opt(jw *w, const char *key, const char *val)
{
    if (val && val[0])
        jw_str(w, key, val);
}

static void jw_int(jw *w, const char *key, long long v)
{
    jw_key(w, key);
    ks_buf_addf(w->b, "%lld", v);
}

static void jw_bool(jw *w, const char *key, bool v)
{
    jw_key(w, key);
    ks_buf_adds(w->b, v ? "true" : "false");
}

/* ---- the model: organizations and the taxonomy terms in use ---- */

enum { TAX_PROBLEM, TAX_AGE, TAX_HOUSEHOLD, TAX_DISTRICT, TAX_COUNT };

typedef struct hsds_org {
    char id[37];   /* UUIDv5 of its stable name */
    char *name;    /* public name */
    char *desc;    /* what it is */
} hsds_org;

typedef struct hsds_term {
    char id[37];       /* UUIDv5 */
    int tax;           /* TAX_* */
    char *code;        /* "hikikomori", "field:care", "40-64" */
    char *name;        /* Japanese label */
    char *desc;        /* English label */
    int parent;        /* index of the parent term, -1 */
} hsds_term;

typedef struct hsds {
    const ks_guide *g;       /* what is written */
    const char *p;           /* profile name */
    char tax_id[TAX_COUNT][37]; /* taxonomy ids */
    bool tax_used[TAX_COUNT];   /* a term of it is used */
    hsds_org *orgs;          /* [norgs] in order of first use */
    size_t norgs;            /* entries of orgs */
    size_t *win_org;         /* [nwindows] index into orgs */
    hsds_term *terms;        /* [nterms] in order of first use */
    size_t nterms;           /* entries of terms */
    size_t cap_terms;        /* allocated entries of terms */
} hsds;

static const char *const tax_name[TAX_COUNT] = {
    "kasane 課題 (problems)", "kasane 年齢層 (age groups)", "kasane 世帯類型 (household types)",
    "地区 (districts)"};
static const char *const tax_desc[TAX_COUNT] = {
    "kasane の課題コード（ケース記録の課題、分野ごと）。The problem codes of kasane's case records, grouped by field.",
    "kasane のガイドの年齢層。The age groups of kasane's consultation-window guide.",
    "kasane の世帯類型コード。The household types of kasane's case records.",
    "この自治体の地区（kasane のプロファイル）。The districts of this municipality's kasane profile."};

static int term_add(hsds *h, int tax, const char *code, const char *name, const char *desc, int parent)
{
    char id[37];
    if (tax == TAX_DISTRICT)
        uuid_of(id, "kasane:%s:taxonomy:district:%s", h->p, code);
    else
        uuid_of(id, "kasane:taxonomy:%s:%s", tax == TAX_PROBLEM ? "problem" : tax == TAX_AGE ? "age_group" : "household_type",
                code);
    for (size_t i = 0; i < h->nterms; i++)
        if (strcmp(h->terms[i].id, id) == 0)
            return (int)i;
    if (h->nterms == h->cap_terms) {
        h->cap_terms = h->cap_terms ? 2 * h->cap_terms : 16;
        h->terms = ks_realloc(h->terms, ks_mul(h->cap_terms, sizeof *h->terms));
    }
    hsds_term *t = &h->terms[h->nterms];
    memcpy(t->id, id, sizeof id);
    t->tax = tax;
    t->code = ks_strdup(code);
    t->name = ks_strdup(name);
    t->desc = ks_strdup(desc && desc[0] ? desc : name);
    t->parent = parent;
    h->tax_used[tax] = true;
    return (int)h->nterms++;
}

/* the term of a problem, under the term of its field */
static int term_problem(hsds *h, const ks_guide_problem *pr)
{
    int parent = -1;
    const ks_code *pc = ks_code_by_id(KS_CODE_PROBLEM, pr->problem_id);
    const ks_code *fc = pc ? ks_code_by_id(KS_CODE_FIELD, pc->field) : NULL;
    if (fc) {
        ks_buf code;
        ks_buf_init(&code);
        ks_buf_addf(&code, "field:%s", fc->code);
        parent = term_add(h, TAX_PROBLEM, code.buf, fc->label_ja, fc->label_en, -1);
        ks_buf_release(&code);
    }
    return term_add(h, TAX_PROBLEM, pr->code, pr->label_ja, pr->label_en, parent);
}

static int term_attr(hsds *h, const ks_guide_attr *a)
{
    int tax = a->dim == KS_DIM_AGE ? TAX_AGE : a->dim == KS_DIM_HOUSEHOLD ? TAX_HOUSEHOLD : TAX_DISTRICT;
    return term_add(h, tax, a->code, a->label_ja, a->label_en, -1);
}

static const char *operator_label(ks_operator op)
{
    switch (op) {
    case KS_OPERATOR_CITY: return "市（直営）";
    case KS_OPERATOR_SHAKYO: return "社会福祉協議会";
    case KS_OPERATOR_CORPORATION: return "法人";
    case KS_OPERATOR_OTHER: return "その他";
    default: return "";
    }
}

/* Which organization runs the window: the operator named in its record;
 * else the municipality, for a city-run window (by its record or, without
 * one, by its kind); else the agency itself. */
static size_t org_of(hsds *h, const ks_guide_window *w)
{
    char id[37];
    ks_buf name, desc;
    ks_buf_init(&name);
    ks_buf_init(&desc);
    const ks_window *r = w->rec;
    const ks_code *kind = ks_code_by_id(KS_CODE_PARTNER_KIND, w->partner->kind);
    if (r && r->operator_name[0]) {
        uuid_of(id, "kasane:%s:organization:%s", h->p, r->operator_name);
        ks_buf_adds(&name, r->operator_name);
        ks_buf_addf(&desc, "実施主体: %s", operator_label(r->op)[0] ? operator_label(r->op) : "不明");
    } else if ((r && r->op == KS_OPERATOR_CITY) || (!r && w->partner->kind == KS_PKIND_CITY_WINDOW)) {
        uuid_of(id, "kasane:%s:organization:city", h->p);
        ks_buf_adds(&name, h->p);
        ks_buf_addf(&desc, "市（直営）の窓口の実施主体（プロファイル %s）", h->p);
    } else {
        uuid_of(id, "kasane:%s:%s:organization", h->p, w->partner->code);
        ks_buf_adds(&name, w->partner->name_ja);
        ks_buf_addf(&desc, "%s", kind ? kind->label_ja : "関係機関");
        if (r && operator_label(r->op)[0])
            ks_buf_addf(&desc, "（実施主体: %s）", operator_label(r->op));
    }
    size_t i;
    for (i = 0; i < h->norgs; i++)
        if (strcmp(h->orgs[i].id, id) == 0)
            break;
    if (i == h->norgs) {
        h->orgs = ks_realloc(h->orgs, ks_mul(h->norgs + 1, sizeof *h->orgs));
        memcpy(h->orgs[i].id, id, sizeof id);
        h->orgs[i].name = ks_buf_detach(&name, NULL);
        h->orgs[i].desc = ks_buf_detach(&desc, NULL);
        h->norgs++;
    }
    ks_buf_release(&name);
    ks_buf_release(&desc);
    return i;
}

static void hsds_release(hsds *h)
{
    for (size_t i = 0; i < h->norgs; i++) {
        free(h->orgs[i].name);
        free(h->orgs[i].desc);
    }
    free(h->orgs);
    for (size_t i = 0; i < h->nterms; i++) {
        free(h->terms[i].code);
        free(h->terms[i].name);
        free(h->terms[i].desc);
    }
    free(h->terms);
    free(h->win_org);
}

/* ---- texts ---- */

static const char *const day_ja[7] = {"月", "火", "水", "木", "金", "土", "日"};
static const char *const day_ical[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

/* "月〜金" / "月・水" for the days set in mask: a schedule's description
 * (one row of hours_rows; the whole week in words is ks_hours_text) */
static void days_text(ks_buf *b, unsigned mask)
{
    bool first = true;
    for (int d = 0; d < 7;) {
        if (!(mask & (1u << d))) {
            d++;
            continue;
        }
        int e = d;
        while (e + 1 < 7 && (mask & (1u << (e + 1))))
            e++;
        int run = e - d + 1;
        if (!first)
            ks_buf_adds(b, "・");
        first = false;
        if (run >= 3) {
            ks_buf_addf(b, "%s〜%s", day_ja[d], day_ja[e]);
            d = e + 1;
        } else {
            ks_buf_adds(b, day_ja[d]);
            d++;
        }
    }
}

static void time_text(ks_buf *b, int m)
{
    ks_buf_addf(b, "%d:%02d", m / 60, m % 60);
}

/* The weekly rules grouped by time: each distinct (start, end) with the
 * set of weekdays it applies on, in the order first met. */
typedef struct hours_row {
    int start, end;  /* minutes */
    unsigned days;   /* bit d: weekday d (0 = Monday) */
} hours_row;

static size_t hours_rows(const ks_hours *hrs, hours_row rows[], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < hrs->n; i++) {
        const ks_hours_span *s = &hrs->spans[i];
        size_t j;
        for (j = 0; j < n; j++)
            if (rows[j].start == s->start && rows[j].end == s->end)
                break;
        if (j == n) {
            if (n == max)
                continue;
            rows[n].start = s->start;
            rows[n].end = s->end;
            rows[n].days = 0;
            n++;
        }
        if (s->weekday >= 0 && s->weekday < 7)
            rows[j].days |= 1u << s->weekday;
    }
    return n;
}

enum { HOURS_ROWS_MAX = 32 };

const char *ks_guide_holiday_text(ks_holiday_policy p, const char *lang)
{
    bool en = lang && strcmp(lang, "en") == 0;
    switch (p) {
    case KS_HOLIDAYS_OPEN:
        return en ? "Open on public holidays and at the year end by the weekly hours."
                  : "祝日・年末年始も曜日どおりに開いています。";
    case KS_HOLIDAYS_YEAREND_CLOSED:
        return en ? "Open on public holidays by the weekly hours; closed December 29 to January 3."
                  : "祝日は曜日どおりに開いています。年末年始（12月29日〜1月3日）は休みです。";
    default:
        return en ? "Closed on public holidays and December 29 to January 3."
                  : "祝日と年末年始（12月29日〜1月3日）は休みです。";
    }
}

void ks_guide_channels_text(ks_buf *b, unsigned ch, const char *lang)
{
    bool en = lang && strcmp(lang, "en") == 0;
    static const struct { unsigned bit; const char *ja, *en; } c[] = {
        {KS_CHANNEL_VISIT, "来所", "in person"}, {KS_CHANNEL_PHONE, "電話", "phone"},
        {KS_CHANNEL_FAX, "FAX", "fax"},         {KS_CHANNEL_EMAIL, "メール", "email"},
        {KS_CHANNEL_OUTREACH, "訪問", "home visit"}, {KS_CHANNEL_ONLINE, "オンライン", "online"},
    };
    bool first = true;
    for (size_t i = 0; i < KS_ARRAY_LEN(c); i++)
        if (ch & c[i].bit) {
            if (!first)
                ks_buf_adds(b, en ? ", " : "・");
            first = false;
            ks_buf_adds(b, en ? c[i].en : c[i].ja);
        }
}

/* "10〜19件、この課題の1〜3割、良い結果 55%（95%信頼区間 40〜70%）" */
void ks_guide_problem_text(const ks_guide *g, ks_buf *b, const ks_guide_problem *pr, const char *lang)
{
    bool en = lang && strcmp(lang, "en") == 0;
    ks_buf_adds(b, ks_guide_band_label(pr->band, g->k, en ? "en" : "ja"));
    if (pr->share != KS_SHARE_NONE)
        ks_buf_addf(b, en ? ", %s of the cases with this problem" : "、この課題の%s",
                    ks_guide_share_label(pr->share, en ? "en" : "ja"));
    if (pr->has_rate)
        ks_buf_addf(b, en ? ", good outcome %d%% (95%% CI %d-%d%%)" : "、良い結果 %d%%（95%%信頼区間 %d〜%d%%）",
                    pr->rate_pct, pr->rate_lo_pct, pr->rate_hi_pct);
}

static void attrs_text(const ks_guide *g, ks_buf *b, const ks_guide_attr *a, size_t n, bool en)
{
    for (size_t i = 0; i < n; i++)
        ks_buf_addf(b, "%s%s %s", i ? (en ? "; " : "、") : "", en ? a[i].label_en : a[i].label_ja,
                    ks_guide_band_label(a[i].band, g->k, en ? "en" : "ja"));
}

/* What the case records say about the window, in sentences (the guide's
 * labels only). */
static void evidence_text(const ks_guide *g, ks_buf *b, const ks_guide_window *w, bool en)
{
    size_t start = b->len;
#define NL() do { if (b->len > start) ks_buf_addc(b, '\n'); } while (0)
    if (w->band != KS_BAND_NONE) {
        NL();
        ks_buf_addf(b, en ? "Case records %s to %s: %s." : "ケース記録による実績（%s〜%s）: %s。", g->period_from,
                    g->period_to, ks_guide_band_label(w->band, g->k, en ? "en" : "ja"));
    }
    if (w->nproblems > 0) {
        NL();
        ks_buf_adds(b, en ? "Problems: " : "課題ごと: ");
        for (size_t i = 0; i < w->nproblems; i++) {
            const ks_guide_problem *pr = &w->problems[i];
            ks_buf_addf(b, "%s%s ", i ? (en ? "; " : "、") : "", en ? pr->label_en : pr->label_ja);
            if (!en)
                ks_buf_adds(b, "（");
            else
                ks_buf_adds(b, "(");
            ks_guide_problem_text(g, b, pr, en ? "en" : "ja");
            ks_buf_adds(b, en ? ")" : "）");
        }
        ks_buf_adds(b, en ? "." : "。");
    }
    if (w->nattrs > 0) {
        NL();
        ks_buf_adds(b, en ? "People served: " : "相談した人: ");
        attrs_text(g, b, w->attrs, w->nattrs, en);
        ks_buf_adds(b, en ? "." : "。");
    }
    for (size_t i = 0; i < w->nproblems; i++) {
        const ks_guide_problem *pr = &w->problems[i];
        if (pr->nattrs == 0)
            continue;
        NL();
        ks_buf_addf(b, en ? "%s, people served: " : "%s で相談した人: ", en ? pr->label_en : pr->label_ja);
        attrs_text(g, b, pr->attrs, pr->nattrs, en);
        ks_buf_adds(b, en ? "." : "。");
    }
    if (w->nwith > 0) {
        NL();
        ks_buf_adds(b, en ? "Usually works with: " : "よく連携する窓口: ");
        for (size_t i = 0; i < w->nwith; i++) {
            const ks_partner *o = g->windows[w->with[i]].partner;
            ks_buf_addf(b, "%s%s", i ? (en ? "; " : "、") : "", en && o->name_en[0] ? o->name_en : o->name_ja);
        }
        ks_buf_adds(b, en ? "." : "。");
    }
#undef NL
}

/* ---- the objects ---- */

static void win_id(const hsds *h, size_t wi, const char *role, char out[37])
{
    ks_guide_window_uuid(h->p, h->g->windows[wi].partner->code, role, out);
}

static void emit_org(hsds *h, jw *w, const char *key, size_t oi, bool full);

static void emit_service(hsds *h, jw *w, const char *key, size_t wi, bool full);

static void emit_term(hsds *h, jw *w, const char *key, size_t ti)
{
    const hsds_term *t = &h->terms[ti];
    jw_open(w, key, '{');
    jw_str(w, "id", t->id);
    jw_str(w, "code", t->code);
    jw_str(w, "name", t->name);
    jw_str(w, "description", t->desc);
    if (t->parent >= 0)
        jw_str(w, "parent_id", h->terms[t->parent].id);
    jw_str(w, "taxonomy", tax_name[t->tax]);
    jw_str(w, "language", "ja");
    jw_str(w, "taxonomy_id", h->tax_id[t->tax]);
    jw_close(w, '}');
}

static void emit_taxonomy(hsds *h, jw *w, const char *key, int tax)
{
    jw_open(w, key, '{');
    jw_str(w, "id", h->tax_id[tax]);
    jw_str(w, "name", tax_name[tax]);
    jw_str(w, "description", tax_desc[tax]);
    if (tax == TAX_DISTRICT)
        jw_str(w, "version", h->p);
    else
        jw_str(w, "version", h->g->engine_version ? h->g->engine_version : "");
    jw_close(w, '}');
}

static void emit_attribute(hsds *h, jw *w, const char *svc, const char *id, int term, const char *link_type,
                           const char *value)
{
    jw_open(w, NULL, '{');
    jw_str(w, "id", id);
    jw_str(w, "link_id", svc);
    jw_str(w, "taxonomy_term_id", h->terms[term].id);
    jw_str(w, "link_type", link_type);
    jw_str(w, "link_entity", "service");
    jw_opt(w, "value", value);
    emit_term(h, w, "taxonomy_term", (size_t)term);
    jw_close(w, '}');
}

static void emit_attributes(hsds *h, jw *w, size_t wi)
{
    const ks_guide *g = h->g;
    const ks_guide_window *gw = &g->windows[wi];
    char svc[37], id[37];
    win_id(h, wi, NULL, svc);
    ks_buf v, role;
    ks_buf_init(&v);
    ks_buf_init(&role);
    jw_open(w, "attributes", '[');
    for (size_t i = 0; i < gw->nproblems; i++) {
        const ks_guide_problem *pr = &gw->problems[i];
        int t = term_problem(h, pr);
        ks_buf_reset(&v);
        ks_guide_problem_text(g, &v, pr, "ja");
        ks_buf_reset(&role);
        ks_buf_addf(&role, "attribute:problem:%s", pr->code);
        win_id(h, wi, role.buf, id);
        emit_attribute(h, w, svc, id, t, "kasane_evidence", v.buf);
    }
    static const char *const dim_code[KS_DIM_COUNT] = {"age_group", "household_type", "district"};
    for (size_t i = 0; i < gw->nattrs; i++) {
        const ks_guide_attr *a = &gw->attrs[i];
        int t = term_attr(h, a);
        ks_buf_reset(&role);
        ks_buf_addf(&role, "attribute:%s:%s", dim_code[a->dim], a->code);
        win_id(h, wi, role.buf, id);
        emit_attribute(h, w, svc, id, t, "kasane_evidence", ks_guide_band_label(a->band, g->k, "ja"));
    }
    /* 対象 by household type, from the record (0 = any: no rows) */
    if (gw->rec && gw->rec->households) {
        for (unsigned bit = 1; bit < 32; bit++) {
            if (!(gw->rec->households & (1u << bit)))
                continue;
            const ks_code *c = ks_code_by_id(KS_CODE_HOUSEHOLD, (int)bit);
            if (!c)
                continue;
            int t = term_add(h, TAX_HOUSEHOLD, c->code, c->label_ja, c->label_en, -1);
            ks_buf_reset(&role);
            ks_buf_addf(&role, "eligibility:household_type:%s", c->code);
            win_id(h, wi, role.buf, id);
            emit_attribute(h, w, svc, id, t, "eligibility", NULL);
        }
    }
    jw_close(w, ']');
    ks_buf_release(&v);
    ks_buf_release(&role);
}

static void hhmm(char out[16], int m)
{
    /* 24:00 as 23:59: HSDS's own advice for "until the end of the day" */
    if (m >= 1440)
        m = 1439;
    if (m < 0)
        m = 0;
    snprintf(out, 16, "%02d:%02d", m / 60, m % 60);
}

static void emit_schedules(hsds *h, jw *w, size_t wi)
{
    const ks_window *r = h->g->windows[wi].rec;
    jw_open(w, "schedules", '[');
    if (r && r->hours.n > 0) {
        hours_row rows[HOURS_ROWS_MAX];
        size_t n = hours_rows(&r->hours, rows, HOURS_ROWS_MAX);
        char svc[37], id[37];
        win_id(h, wi, NULL, svc);
        ks_buf s;
        ks_buf_init(&s);
        for (size_t i = 0; i < n; i++) {
            ks_buf_reset(&s);
            ks_buf_addf(&s, "schedule:%d-%d", rows[i].start, rows[i].end);
            win_id(h, wi, s.buf, id);
            jw_open(w, NULL, '{');
            jw_str(w, "id", id);
            jw_str(w, "service_id", svc);
            jw_int(w, "timezone", 9);
            jw_str(w, "freq", "WEEKLY");
            jw_int(w, "interval", 1);
            ks_buf_reset(&s);
            for (int d = 0; d < 7; d++)
                if (rows[i].days & (1u << d))
                    ks_buf_addf(&s, "%s%s", s.len ? "," : "", day_ical[d]);
            jw_str(w, "byday", s.buf);
            ks_buf_reset(&s);
            days_text(&s, rows[i].days);
            ks_buf_addc(&s, ' ');
            time_text(&s, rows[i].start);
            ks_buf_adds(&s, "〜");
            time_text(&s, rows[i].end);
            jw_str(w, "description", s.buf);
            char t[16];
            hhmm(t, rows[i].start);
            jw_str(w, "opens_at", t);
            hhmm(t, rows[i].end);
            jw_str(w, "closes_at", t);
            /* HSDS leaves holidays to the application (its issue #440):
             * the policy in words; the site and `lookup` apply it */
            ks_buf_reset(&s);
            ks_buf_adds(&s, ks_guide_holiday_text(r->hours.holidays, "ja"));
            if (r->hours_note[0])
                ks_buf_addf(&s, " %s", r->hours_note);
            jw_str(w, "notes", s.buf);
            jw_close(w, '}');
        }
        ks_buf_release(&s);
    }
    jw_close(w, ']');
}

static void emit_location(hsds *h, jw *w, const char *key, size_t wi)
{
    const ks_guide_window *gw = &h->g->windows[wi];
    char id[37], aid[37];
    win_id(h, wi, "location", id);
    win_id(h, wi, "address", aid);
    jw_open(w, key, '{');
    jw_str(w, "id", id);
    jw_str(w, "location_type", "physical");
    jw_str(w, "organization_id", h->orgs[h->win_org[wi]].id);
    jw_str(w, "name", gw->partner->name_ja);
    jw_opt(w, "alternate_name", gw->partner->name_en);
    jw_open(w, "addresses", '[');
    jw_open(w, NULL, '{');
    jw_str(w, "id", aid);
    jw_str(w, "location_id", id);
    /* the address as the record gives it, whole: kasane does not split
     * or guess the parts HSDS asks for ("" = not given) */
    jw_str(w, "address_1", gw->rec->address);
    jw_str(w, "city", "");
    jw_str(w, "state_province", "");
    jw_str(w, "postal_code", "");
    jw_str(w, "country", "JP");
    jw_str(w, "address_type", "physical");
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
}

static bool has_location(const hsds *h, size_t wi)
{
    const ks_window *r = h->g->windows[wi].rec;
    return r && r->address[0];
}

/* mode: 0 list, 1 full, 2 nested in its service */
static void emit_sal(hsds *h, jw *w, const char *key, size_t wi, int mode)
{
    char id[37], svc[37], loc[37];
    win_id(h, wi, "service_at_location", id);
    win_id(h, wi, NULL, svc);
    win_id(h, wi, "location", loc);
    jw_open(w, key, '{');
    jw_str(w, "id", id);
    jw_str(w, "service_id", svc);
    jw_str(w, "location_id", loc);
    if (mode >= 1)
        emit_location(h, w, "location", wi);
    if (mode == 1)
        emit_service(h, w, "service", wi, false);
    jw_close(w, '}');
}

/* The description: the record's summary, then the evidence in sentences,
 * a blank line between; either alone without it; "" when neither. */
static void service_description(const hsds *h, size_t wi, ks_buf *t)
{
    const ks_guide_window *gw = &h->g->windows[wi];
    const ks_window *r = gw->rec;
    if (r && r->summary_ja[0])
        ks_buf_adds(t, r->summary_ja);
    size_t before = t->len;
    if (before)
        ks_buf_adds(t, "\n\n");
    size_t mark = t->len;
    evidence_text(h->g, t, gw, false);
    /* no evidence: take the separator back */
    if (t->len == mark)
        t->len = before, t->buf[before] = '\0';
}

/* The service's own fields after its name, from the record (r may be
 * NULL: a window with evidence only).  t is the caller's scratch. */
static void emit_service_fields(hsds *h, jw *w, size_t wi, ks_buf *t)
{
    const ks_window *r = h->g->windows[wi].rec;
    service_description(h, wi, t);
    jw_opt(w, "description", t->buf);
    if (r) {
        jw_opt(w, "url", r->url);
        jw_opt(w, "email", r->email);
    }
    jw_str(w, "status", "active");
    if (r && r->channels) {
        ks_buf_reset(t);
        ks_buf_adds(t, "相談の方法: ");
        ks_guide_channels_text(t, r->channels, "ja");
        jw_str(w, "application_process", t->buf);
    }
    if (!r)
        return;
    jw_opt(w, "eligibility_description", r->audience_ja);
    if (r->age_min >= 0)
        jw_int(w, "minimum_age", r->age_min);
    if (r->age_max >= 0)
        jw_int(w, "maximum_age", r->age_max);
    if (r->assured) {
        char d[KS_DATE_ISO_SIZE];
        ks_date_format(r->assured_date, d);
        jw_str(w, "assured_date", d);
    }
}

/* one phone row; role makes its id ("phone", "fax") and type is HSDS's */
static void emit_phone(hsds *h, jw *w, size_t wi, const char *svc, const char *role, const char *number,
                       const char *type)
{
    char pid[37];
    win_id(h, wi, role, pid);
    jw_open(w, NULL, '{');
    jw_str(w, "id", pid);
    jw_str(w, "service_id", svc);
    jw_str(w, "number", number);
    jw_str(w, "type", type);
    jw_close(w, '}');
}

static void emit_phones(hsds *h, jw *w, size_t wi, const char *svc)
{
    const ks_window *r = h->g->windows[wi].rec;
    jw_open(w, "phones", '[');
    if (r && r->phone[0])
        emit_phone(h, w, wi, svc, "phone", r->phone, "voice");
    if (r && r->fax[0])
        emit_phone(h, w, wi, svc, "fax", r->fax, "fax");
    jw_close(w, ']');
}

/* residence in 対象: the districts served (none listed = the whole city) */
static void emit_service_areas(hsds *h, jw *w, size_t wi, const char *svc)
{
    const ks_window *r = h->g->windows[wi].rec;
    jw_open(w, "service_areas", '[');
    if (r && r->districts) {
        size_t nd;
        const ks_district *ds = ks_profile_districts(h->g->profile, &nd);
        ks_buf role;
        ks_buf_init(&role);
        for (size_t i = 0; i < nd; i++) {
            if (ds[i].id <= 0 || ds[i].id >= 64 || !(r->districts & (1ULL << ds[i].id)))
                continue;
            char aid[37];
            ks_buf_reset(&role);
            ks_buf_addf(&role, "service_area:%s", ds[i].name_ja);
            win_id(h, wi, role.buf, aid);
            jw_open(w, NULL, '{');
            jw_str(w, "id", aid);
            jw_str(w, "service_id", svc);
            jw_str(w, "name", ds[i].name_ja);
            jw_opt(w, "description", ds[i].name_en);
            jw_close(w, '}');
        }
        ks_buf_release(&role);
    }
    jw_close(w, ']');
}

/* The children of the "full" service object (the API's /services/{id});
 * writing them registers the taxonomy terms the service uses. */
static void emit_service_children(hsds *h, jw *w, size_t wi, const char *svc)
{
    emit_phones(h, w, wi, svc);
    emit_schedules(h, w, wi);
    emit_service_areas(h, w, wi, svc);
    jw_open(w, "service_at_locations", '[');
    if (has_location(h, wi))
        emit_sal(h, w, NULL, wi, 2);
    jw_close(w, ']');
    emit_org(h, w, "organization", h->win_org[wi], false);
    emit_attributes(h, w, wi);
}

/* full: the object with its children, else the list form (in a list page,
 * or nested in its organization or service_at_location) */
static void emit_service(hsds *h, jw *w, const char *key, size_t wi, bool full)
{
    const ks_guide_window *gw = &h->g->windows[wi];
    char id[37];
    win_id(h, wi, NULL, id);
    ks_buf t;
    ks_buf_init(&t);
    jw_open(w, key, '{');
    jw_str(w, "id", id);
    jw_str(w, "organization_id", h->orgs[h->win_org[wi]].id);
    jw_str(w, "name", gw->partner->name_ja);
    jw_opt(w, "alternate_name", gw->partner->name_en);
    emit_service_fields(h, w, wi, &t);
    if (full)
        emit_service_children(h, w, wi, id);
    jw_close(w, '}');
    ks_buf_release(&t);
}

static void emit_org(hsds *h, jw *w, const char *key, size_t oi, bool full)
{
    const hsds_org *o = &h->orgs[oi];
    jw_open(w, key, '{');
    jw_str(w, "id", o->id);
    jw_str(w, "name", o->name);
    jw_str(w, "description", o->desc);
    if (full) {
        jw_open(w, "services", '[');
        for (size_t wi = 0; wi < h->g->nwindows; wi++)
            if (h->win_org[wi] == oi)
                emit_service(h, w, NULL, wi, false);
        jw_close(w, ']');
    }
    jw_close(w, '}');
}

/* ---- files ---- */

static const char *const folders[] = {"services", "organizations", "service_at_locations", "taxonomies",
                                      "taxonomy_terms"};

static int make_dir(const char *path, ks_error *err)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
    }
    return ks_error_set(err, KS_EIO, "cannot create directory '%s': %s", path, strerror(errno));
}

static bool uuid_file_name(const char *n)
{
    if (strlen(n) != 41 || strcmp(n + 36, ".json") != 0)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? n[i] != '-' : !strchr("0123456789abcdef", n[i]))
            return false;
    }
    return true;
}

/* objects of an earlier build that this one no longer has must not linger */
static int clear_folder(const char *path, ks_error *err)
{
    DIR *d = opendir(path);
    if (!d)
        return ks_error_set(err, KS_EIO, "cannot read directory '%s': %s", path, strerror(errno));
    int rc = 0;
    struct dirent *e;
    ks_buf f;
    ks_buf_init(&f);
    while ((e = readdir(d)) != NULL) {
        if (!uuid_file_name(e->d_name))
            continue;
        ks_buf_reset(&f);
        ks_buf_addf(&f, "%s/%s", path, e->d_name);
        if (unlink(f.buf) != 0) {
            rc = ks_error_set(err, KS_EIO, "cannot remove '%s': %s", f.buf, strerror(errno));
            break;
        }
    }
    closedir(d);
    ks_buf_release(&f);
    return rc;
}

static int put(const char *root, const char *folder, const char *id, ks_buf *b, ks_error *err)
{
    ks_buf path;
    ks_buf_init(&path);
    if (id)
        ks_buf_addf(&path, "%s/%s/%s.json", root, folder, id);
    else
        ks_buf_addf(&path, "%s/%s.json", root, folder);
    ks_buf_addc(b, '\n');
    int rc = ks_write_file_atomic(path.buf, b->buf, b->len, 0644, err);
    ks_buf_release(&path);
    ks_buf_reset(b);
    return rc;
}

static void page_open(jw *w, size_t n)
{
    jw_open(w, NULL, '{');
    jw_int(w, "total_items", (long long)n);
    jw_int(w, "total_pages", 1);
    jw_int(w, "page_number", 1);
    jw_int(w, "size", (long long)n);
    jw_bool(w, "first_page", true);
    jw_bool(w, "last_page", true);
    jw_bool(w, "empty", n == 0);
    jw_open(w, "contents", '[');
}

static void page_close(jw *w)
{
    jw_close(w, ']');
    jw_close(w, '}');
}

/* The model before anything is written: the taxonomies' ids and each
 * window's organization (terms are registered later, as services are
 * written).  Release with hsds_release. */
static void hsds_init(hsds *h, const ks_guide *g)
{
    *h = (hsds){0};
    h->g = g;
    h->p = g->profile_name;
    uuid_of(h->tax_id[TAX_PROBLEM], "kasane:taxonomy:problem");
    uuid_of(h->tax_id[TAX_AGE], "kasane:taxonomy:age_group");
    uuid_of(h->tax_id[TAX_HOUSEHOLD], "kasane:taxonomy:household_type");
    uuid_of(h->tax_id[TAX_DISTRICT], "kasane:%s:taxonomy:district", h->p);
    h->win_org = ks_calloc(g->nwindows ? g->nwindows : 1, sizeof *h->win_org);
    for (size_t i = 0; i < g->nwindows; i++)
        h->win_org[i] = org_of(h, &g->windows[i]);
}

/* ROOT and its folders, emptied of an earlier build's objects */
static int prepare_folders(const char *root, ks_error *err)
{
    int rc = make_dir(root, err);
    ks_buf sub;
    ks_buf_init(&sub);
    for (size_t i = 0; rc == 0 && i < KS_ARRAY_LEN(folders); i++) {
        ks_buf_reset(&sub);
        ks_buf_addf(&sub, "%s/%s", root, folders[i]);
        if ((rc = make_dir(sub.buf, err)) == 0)
            rc = clear_folder(sub.buf, err);
    }
    ks_buf_release(&sub);
    return rc;
}

/* Each write_* step below writes one endpoint's files: an object file per
 * item, then the list page.  b is the caller's scratch (put empties it). */

static int write_services(hsds *h, const char *root, ks_buf *b, ks_error *err)
{
    const ks_guide *g = h->g;
    jw w;
    for (size_t i = 0; i < g->nwindows; i++) {
        char id[37];
        win_id(h, i, NULL, id);
        jw_init(&w, b);
        emit_service(h, &w, NULL, i, true);
        int rc = put(root, "services", id, b, err);
        if (rc < 0)
            return rc;
    }
    jw_init(&w, b);
    page_open(&w, g->nwindows);
    for (size_t i = 0; i < g->nwindows; i++)
        emit_service(h, &w, NULL, i, false);
    page_close(&w);
    return put(root, "services", NULL, b, err);
}

static int write_organizations(hsds *h, const char *root, ks_buf *b, ks_error *err)
{
    jw w;
    for (size_t i = 0; i < h->norgs; i++) {
        jw_init(&w, b);
        emit_org(h, &w, NULL, i, true);
        int rc = put(root, "organizations", h->orgs[i].id, b, err);
        if (rc < 0)
            return rc;
    }
    jw_init(&w, b);
    page_open(&w, h->norgs);
    for (size_t i = 0; i < h->norgs; i++)
        emit_org(h, &w, NULL, i, false);
    page_close(&w);
    return put(root, "organizations", NULL, b, err);
}

/* only windows whose record gives an address have a location */
static int write_service_at_locations(hsds *h, const char *root, ks_buf *b, ks_error *err)
{
    const ks_guide *g = h->g;
    jw w;
    size_t nsal = 0;
    for (size_t i = 0; i < g->nwindows; i++) {
        if (!has_location(h, i))
            continue;
        char id[37];
        win_id(h, i, "service_at_location", id);
        jw_init(&w, b);
        emit_sal(h, &w, NULL, i, 1);
        int rc = put(root, "service_at_locations", id, b, err);
        if (rc < 0)
            return rc;
        nsal++;
    }
    jw_init(&w, b);
    page_open(&w, nsal);
    for (size_t i = 0; i < g->nwindows; i++)
        if (has_location(h, i))
            emit_sal(h, &w, NULL, i, 0);
    page_close(&w);
    return put(root, "service_at_locations", NULL, b, err);
}

/* only the taxonomies in use (HSDS: a package carries no unused terms) */
static int write_taxonomies(hsds *h, const char *root, ks_buf *b, ks_error *err)
{
    jw w;
    size_t ntax = 0;
    for (int t = 0; t < TAX_COUNT; t++) {
        if (!h->tax_used[t])
            continue;
        ntax++;
        jw_init(&w, b);
        emit_taxonomy(h, &w, NULL, t);
        int rc = put(root, "taxonomies", h->tax_id[t], b, err);
        if (rc < 0)
            return rc;
    }
    jw_init(&w, b);
    page_open(&w, ntax);
    for (int t = 0; t < TAX_COUNT; t++)
        if (h->tax_used[t])
            emit_taxonomy(h, &w, NULL, t);
    page_close(&w);
    return put(root, "taxonomies", NULL, b, err);
}

static int write_terms(hsds *h, const char *root, ks_buf *b, ks_error *err)
{
    jw w;
    for (size_t i = 0; i < h->nterms; i++) {
        jw_init(&w, b);
        emit_term(h, &w, NULL, i);
        int rc = put(root, "taxonomy_terms", h->terms[i].id, b, err);
        if (rc < 0)
            return rc;
    }
    jw_init(&w, b);
    page_open(&w, h->nterms);
    for (size_t i = 0; i < h->nterms; i++)
        emit_term(h, &w, NULL, i);
    page_close(&w);
    return put(root, "taxonomy_terms", NULL, b, err);
}

/* "/": what this is */
static int write_index(const char *root, ks_buf *b, ks_error *err)
{
    jw w;
    jw_init(&w, b);
    jw_open(&w, NULL, '{');
    jw_str(&w, "version", "3.0");
    jw_str(&w, "profile", "https://github.com/kasane/hsds");
    jw_str(&w, "openapi_url", "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json");
    jw_close(&w, '}');
    return put(root, "index", NULL, b, err);
}

int ks_guide_write_hsds(const ks_guide *g, const char *dir, ks_error *err)
{
    int rc = 0;
    hsds h;
    hsds_init(&h, g);
    ks_buf root, b;
    ks_buf_init(&root);
    ks_buf_init(&b);
    ks_buf_addf(&root, "%s/hsds", dir);
    if ((rc = prepare_folders(root.buf, err)) < 0)
        goto done;
    /* services first: they register the terms' use, which the taxonomies
     * and terms written after them list */
    if ((rc = write_services(&h, root.buf, &b, err)) < 0 ||
        (rc = write_organizations(&h, root.buf, &b, err)) < 0 ||
        (rc = write_service_at_locations(&h, root.buf, &b, err)) < 0 ||
        (rc = write_taxonomies(&h, root.buf, &b, err)) < 0 || (rc = write_terms(&h, root.buf, &b, err)) < 0)
        goto done;
    rc = write_index(root.buf, &b, err);

done:
    hsds_release(&h);
    ks_buf_release(&root);
    ks_buf_release(&b);
    return rc;
}
