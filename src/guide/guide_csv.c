/* guide_csv.c: the guide as one CSV table for Excel (guide_write.h): a
 * row per window with its directory record and its evidence.  UTF-8 with
 * a byte-order mark (without it Excel reads UTF-8 as the locale's code
 * page, CP932 in Japan), CRLF line ends and RFC 4180 quoting: a field with
 * a comma, a quote, CR or LF is quoted and its quotes doubled.  A field
 * that starts with = + - @ (or a tab or CR) gets a leading apostrophe, so
 * that Excel does not run a record's text as a formula (OWASP's CSV
 * injection advice).  Evidence cells hold the guide's labels only. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "guide_write.h"

static void field(ks_buf *b, const char *s, bool first)
{
    if (!first)
        ks_buf_addc(b, ',');
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        ks_buf_addc(b, '"');
    if (formula)
        ks_buf_addc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            ks_buf_addc(b, '"');
        ks_buf_addc(b, *p);
    }
    if (quote)
        ks_buf_addc(b, '"');
}

static const char *const head_ja[] = {
    "id", "コード", "名称", "名称（英語）", "実施主体", "実施主体名", "所管課", "分野", "種別", "内容", "対象",
    "対象年齢（下限）", "対象年齢（上限）", "対象世帯", "対象地区", "相談の方法", "住所", "電話", "FAX",
    "メール", "ウェブサイト", "受付時間", "祝日・年末年始", "受付時間の注記", "確認日", "出典",
    "実績（件数の幅）", "課題ごとの実績", "相談した人の実績", "よく連携する窓口"};
static const char *const head_en[] = {
    "id", "code", "name", "name_en", "operator", "operator_name", "department", "field", "kind", "summary",
    "audience", "age_min", "age_max", "households", "districts", "channels", "address", "phone", "fax",
    "email", "url", "hours", "holidays", "hours_note", "assured_date", "source",
    "cases", "problems", "people_served", "works_with"};

static const char *operator_text(ks_operator op, bool en)
{
    switch (op) {
    case KS_OPERATOR_CITY: return en ? "city" : "市（直営）";
    case KS_OPERATOR_SHAKYO: return en ? "social welfare council" : "社会福祉協議会";
    case KS_OPERATOR_CORPORATION: return en ? "corporation" : "法人";
    case KS_OPERATOR_OTHER: return en ? "other" : "その他";
    default: return "";
    }
}

static const char *code_label(ks_code_kind kind, int id, bool en)
{
    const ks_code *c = ks_code_by_id(kind, id);
    return c ? (en ? c->label_en : c->label_ja) : "";
}

static void number_or_empty(ks_buf *t, int v)
{
    ks_buf_reset(t);
    if (v >= 0)
        ks_buf_addf(t, "%d", v);
}

/* What every step of a row needs: the language's forms, the districts and
 * the two buffers.  Both buffers belong to ks_guide_write_csv; the steps
 * only append to b and use t as scratch for one cell at a time. */
typedef struct csv_row {
    const ks_guide *g;        /* the guide being written */
    bool en;                  /* English labels, else Japanese */
    const char *L;            /* "en" / "ja", for the guide's text functions */
    const char *sep;          /* list separator inside one cell */
    const ks_district *ds;    /* [nd] the profile's districts */
    size_t nd;                /* entries of ds */
    ks_buf *b;                /* the whole file */
    ks_buf *t;                /* one cell being built */
} csv_row;

static void write_head(ks_buf *b, bool en)
{
    const char *const *head = en ? head_en : head_ja;
    for (size_t i = 0; i < KS_ARRAY_LEN(head_ja); i++)
        field(b, head[i], i == 0);
    ks_buf_adds(b, "\r\n");
}

/* id to audience: who the window is and what it offers (r may be NULL:
 * a window with evidence but no directory record gets empty cells) */
static void put_identity(const csv_row *c, const ks_guide_window *w)
{
    const ks_partner *p = w->partner;
    const ks_window *r = w->rec;
    bool en = c->en;
    char id[37];
    ks_guide_window_uuid(c->g->profile_name, p->code, NULL, id);
    field(c->b, id, true);
    field(c->b, p->code, false);
    field(c->b, en && p->name_en[0] ? p->name_en : p->name_ja, false);
    field(c->b, p->name_en, false);
    field(c->b, r ? operator_text(r->op, en) : "", false);
    field(c->b, r ? r->operator_name : "", false);
    field(c->b, r ? r->department : "", false);
    field(c->b, code_label(KS_CODE_FIELD, p->field, en), false);
    field(c->b, code_label(KS_CODE_PARTNER_KIND, p->kind, en), false);
    field(c->b, r ? (en ? r->summary_en : r->summary_ja) : "", false);
    field(c->b, r ? (en ? r->audience_en : r->audience_ja) : "", false);
}

/* the record's 対象: ages, household types and districts served */
static void put_eligibility(const csv_row *c, const ks_window *r)
{
    ks_buf *t = c->t;
    number_or_empty(t, r ? r->age_min : -1);
    field(c->b, t->buf, false);
    number_or_empty(t, r ? r->age_max : -1);
    field(c->b, t->buf, false);
    ks_buf_reset(t);
    if (r)
        for (unsigned bit = 1; bit < 32; bit++)
            if (r->households & (1u << bit))
                ks_buf_addf(t, "%s%s", t->len ? c->sep : "", code_label(KS_CODE_HOUSEHOLD, (int)bit, c->en));
    field(c->b, t->buf, false);
    ks_buf_reset(t);
    if (r)
        for (size_t i = 0; i < c->nd; i++)
            if (c->ds[i].id > 0 && c->ds[i].id < 64 && (r->districts & (1ULL << c->ds[i].id)))
                ks_buf_addf(t, "%s%s", t->len ? c->sep : "", c->en ? c->ds[i].name_en : c->ds[i].name_ja);
    field(c->b, t->buf, false);
}

/* channels to source: how and when to reach the window, and how current
 * the record is */
static void put_contact(const csv_row *c, const ks_window *r)
{
    ks_buf *t = c->t;
    ks_buf_reset(t);
    if (r)
        ks_guide_channels_text(t, r->channels, c->L);
    field(c->b, t->buf, false);
    field(c->b, r ? r->address : "", false);
    field(c->b, r ? r->phone : "", false);
    field(c->b, r ? r->fax : "", false);
    field(c->b, r ? r->email : "", false);
    field(c->b, r ? r->url : "", false);
    /* the site's wording (hours.h), so a day of two spans reads alike in both */
    char *hours = r ? ks_hours_text(&r->hours, c->L) : NULL;
    field(c->b, hours ? hours : "", false);
    free(hours);
    field(c->b, r && r->hours.n > 0 ? ks_guide_holiday_text(r->hours.holidays, c->L) : "", false);
    field(c->b, r ? r->hours_note : "", false);
    char d[KS_DATE_ISO_SIZE] = "";
    if (r && r->assured)
        ks_date_format(r->assured_date, d);
    field(c->b, d, false);
    field(c->b, r ? r->source : "", false);
}

/* the problems cell: a line per problem, its attributes after a colon */
static void problems_cell(const csv_row *c, const ks_guide_window *w)
{
    ks_buf *t = c->t;
    bool en = c->en;
    ks_buf_reset(t);
    for (size_t i = 0; i < w->nproblems; i++) {
        const ks_guide_problem *pr = &w->problems[i];
        ks_buf_addf(t, "%s%s %s", i ? "\n" : "", en ? pr->label_en : pr->label_ja, en ? "(" : "（");
        ks_guide_problem_text(c->g, t, pr, c->L);
        ks_buf_adds(t, en ? ")" : "）");
        for (size_t j = 0; j < pr->nattrs; j++)
            ks_buf_addf(t, "%s%s %s", j ? c->sep : (en ? ": " : "："),
                        en ? pr->attrs[j].label_en : pr->attrs[j].label_ja,
                        ks_guide_band_label(pr->attrs[j].band, c->g->k, c->L));
    }
}

/* cases to works_with: the evidence, in the guide's labels only */
static void put_evidence(const csv_row *c, const ks_guide_window *w)
{
    const ks_guide *g = c->g;
    ks_buf *t = c->t;
    field(c->b, w->band != KS_BAND_NONE ? ks_guide_band_label(w->band, g->k, c->L) : "", false);
    problems_cell(c, w);
    field(c->b, t->buf, false);
    ks_buf_reset(t);
    for (size_t i = 0; i < w->nattrs; i++)
        ks_buf_addf(t, "%s%s %s", i ? c->sep : "", c->en ? w->attrs[i].label_en : w->attrs[i].label_ja,
                    ks_guide_band_label(w->attrs[i].band, g->k, c->L));
    field(c->b, t->buf, false);
    ks_buf_reset(t);
    for (size_t i = 0; i < w->nwith; i++) {
        const ks_partner *o = g->windows[w->with[i]].partner;
        ks_buf_addf(t, "%s%s", i ? c->sep : "", c->en && o->name_en[0] ? o->name_en : o->name_ja);
    }
    field(c->b, t->buf, false);
}

int ks_guide_write_csv(const ks_guide *g, const char *path, const char *lang, ks_error *err)
{
    ks_buf b, t;
    ks_buf_init(&b);
    ks_buf_init(&t);
    csv_row c = {.g = g, .b = &b, .t = &t};
    c.en = lang && strcmp(lang, "en") == 0;
    c.L = c.en ? "en" : "ja";
    c.sep = c.en ? "; " : "、";
    c.ds = ks_profile_districts(g->profile, &c.nd);
    ks_buf_adds(&b, "\xEF\xBB\xBF");
    write_head(&b, c.en);
    /* the steps follow the columns of head_ja, left to right */
    for (size_t wi = 0; wi < g->nwindows; wi++) {
        const ks_guide_window *w = &g->windows[wi];
        put_identity(&c, w);
        put_eligibility(&c, w->rec);
        put_contact(&c, w->rec);
        put_evidence(&c, w);
        ks_buf_adds(&b, "\r\n");
    }
    int rc = ks_write_file_atomic(path, b.buf, b.len, 0644, err);
    ks_buf_release(&b);
    ks_buf_release(&t);
    return rc;
}
