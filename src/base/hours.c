/* hours.c: opening hours as weekly rules (hours.h).
 *
 * The text is NFKC-folded one character at a time, so that every byte of the
 * folded text still knows which character of the original it came from: an
 * error points at the column the data officer sees in the cell, whatever
 * full-width forms it holds. */
#include "hours.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "holiday.h"
#include "text.h"

/* ---- folding with a column map ------------------------------------------ */

typedef struct htext {
    ks_buf s;   /* the folded text */
    int *col;   /* [s.len + 1] 1-based column in the original of each byte; the last is one past the end */
    size_t cap; /* allocated entries of col */
} htext;

static void col_push(htext *t, int c)
{
    if (t->s.len + 1 > t->cap) {
        t->cap = t->cap ? ks_mul(t->cap, 2) : 64;
        while (t->cap < t->s.len + 1)
            t->cap = ks_mul(t->cap, 2);
        t->col = ks_realloc(t->col, ks_mul(t->cap, sizeof *t->col));
    }
    t->col[t->s.len] = c;
}

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Folds `text` (already checked to be UTF-8) into t. */
static int htext_fold(htext *t, const char *text, size_t n)
{
    ks_buf one;
    ks_buf_init(&one);
    int c = 1, rc = 0;
    for (size_t i = 0; i < n; c++) {
        size_t l = utf8_len((unsigned char)text[i]);
        if (l > n - i)
            l = n - i;
        bool space = text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n' ||
                     (l == 3 && memcmp(text + i, "\xE3\x80\x80", 3) == 0);
        if (space) {
            col_push(t, c);
            ks_buf_addc(&t->s, ' ');
        } else {
            ks_buf_reset(&one);
            if (ks_text_fold(text + i, l, &one) < 0) {
                rc = -KS_EDATA;
                break;
            }
            for (size_t k = 0; k < one.len; k++) {
                col_push(t, c);
                ks_buf_addc(&t->s, one.buf[k]);
            }
        }
        i += l;
    }
    col_push(t, c); /* the end */
    ks_buf_release(&one);
    return rc;
}

/* ---- the parser ------------------------------------------------------------ */

typedef struct span_at {
    ks_hours_span span; /* the span */
    int col;            /* column of its start time, for overlap errors */
} span_at;

typedef struct parser {
    const char *s;     /* folded text */
    size_t len;        /* its length */
    size_t pos;        /* read position */
    const int *col;    /* column map (htext.col) */
    span_at *spans;    /* spans read so far */
    size_t n;          /* entries of spans */
    size_t cap;        /* allocated entries of spans */
    int err_col;       /* column of the first error */
    ks_error *err;     /* where the message goes */
} parser;

static const char *const day_ja[7] = {"月", "火", "水", "木", "金", "土", "日"};
static const char *const day_en[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const day_en_long[7] = {"monday", "tuesday", "wednesday", "thursday",
                                           "friday", "saturday", "sunday"};

/* Dashes between two days or two times: ASCII, the tilde (～ folds to it),
 * the wave dash 〜, the Unicode hyphens and dashes, the minus sign, and the
 * long-vowel mark ー that Japanese keyboards often give for a dash. */
static const char *const dashes[] = {"-", "~", "\xE3\x80\x9C", "\xE2\x80\x90", "\xE2\x80\x92", "\xE2\x80\x93",
                                     "\xE2\x80\x94", "\xE2\x80\x95", "\xE2\x88\x92", "\xE3\x83\xBC"};
/* Separators of a list of days or of times: ',', '、', '・'; '&' (the
 * English text's span separator) only between times. */
static const char *const list_seps[] = {",", "\xE3\x80\x81", "\xE3\x83\xBB", "&"};

static size_t match(const parser *p, const char *tok)
{
    size_t l = strlen(tok);
    return p->len - p->pos >= l && memcmp(p->s + p->pos, tok, l) == 0 ? l : 0;
}

static size_t match_any(const parser *p, const char *const *toks, size_t ntoks)
{
    for (size_t i = 0; i < ntoks; i++) {
        size_t l = match(p, toks[i]);
        if (l)
            return l;
    }
    return 0;
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len && p->s[p->pos] == ' ')
        p->pos++;
}

static int cur_col(const parser *p) { return p->col[p->pos]; }

/* Records the first error at the current position, naming what is there. */
static int fail(parser *p, const char *what)
{
    p->err_col = cur_col(p);
    if (p->pos >= p->len)
        return ks_error_set(p->err, KS_EDATA, "character %d: %s, found the end", p->err_col, what);
    size_t l = utf8_len((unsigned char)p->s[p->pos]);
    if (l > p->len - p->pos)
        l = p->len - p->pos;
    return ks_error_set(p->err, KS_EDATA, "character %d: %s, found '%.*s'", p->err_col, what, (int)l,
                        p->s + p->pos);
}

static int fail_at(parser *p, int col, const char *what)
{
    p->err_col = col;
    return ks_error_set(p->err, KS_EDATA, "character %d: %s", col, what);
}

static bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* s[0..n) equals the lower-case ASCII word w[0..n), in any case. */
static bool word_eq(const char *s, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        if (c != w[i])
            return false;
    }
    return true;
}

/* A day name at pos: 0 = Monday .. 6 = Sunday, consumed; -1 when none. */
static int read_day(parser *p)
{
    for (int d = 0; d < 7; d++) {
        size_t l = match(p, day_ja[d]);
        if (!l)
            continue;
        p->pos += l;
        /* 月曜, 月曜日 */
        size_t y = match(p, "曜");
        if (y) {
            p->pos += y;
            p->pos += match(p, "日");
        }
        return d;
    }
    size_t word = 0;
    while (p->pos + word < p->len && ascii_alpha(p->s[p->pos + word]))
        word++;
    for (int d = 0; d < 7 && word > 0; d++) {
        const char *full = day_en_long[d];
        if ((word == 3 || word == strlen(full)) && word_eq(p->s + p->pos, full, word)) {
            p->pos += word;
            return d;
        }
    }
    return -1;
}

/* Whether a day name starts at pos (nothing consumed). */
static bool at_day(parser *p)
{
    size_t save = p->pos;
    int d = read_day(p);
    p->pos = save;
    return d >= 0;
}

static bool at_digit(const parser *p) { return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9'; }

/* DAYS: items separated by list separators; an item is a day or a range.
 * Sets bit d of *mask for each day. */
static int read_days(parser *p, unsigned *mask)
{
    *mask = 0;
    for (;;) {
        int c0 = cur_col(p);
        int a = read_day(p);
        if (a < 0)
            return fail(p, "expected a day (Mon..Sun or 月..日)");
        int b = a;
        size_t save = p->pos;
        skip_ws(p);
        size_t dl = match_any(p, dashes, KS_ARRAY_LEN(dashes));
        if (dl) {
            p->pos += dl;
            skip_ws(p);
            int cb = cur_col(p);
            b = read_day(p);
            if (b < 0)
                return fail(p, "expected the day that ends the range");
            if (b <= a)
                return fail_at(p, cb, "a range of days runs forward from Monday to Sunday (Mon-Fri, 月-金)");
        } else {
            p->pos = save;
        }
        for (int d = a; d <= b; d++) {
            if (*mask & (1u << d))
                return fail_at(p, c0, "a day is given twice in the list");
            *mask |= 1u << d;
        }
        save = p->pos;
        skip_ws(p);
        size_t sl = match_any(p, list_seps, 3);
        if (!sl) {
            p->pos = save;
            return 0;
        }
        p->pos += sl;
        skip_ws(p);
    }
}

/* H:MM or HH:MM, 0:00..24:00. */
static int read_time(parser *p, int *minutes)
{
    int c0 = cur_col(p);
    if (!at_digit(p))
        return fail(p, "expected a time such as 9:00");
    int h = 0, nd = 0;
    while (at_digit(p) && nd < 3) {
        h = h * 10 + (p->s[p->pos++] - '0');
        nd++;
    }
    if (nd > 2)
        return fail_at(p, c0, "an hour has one or two digits (9:00, 17:15)");
    if (!match(p, ":"))
        return fail(p, "expected ':' between hours and minutes (9:00)");
    p->pos++;
    int m = 0;
    for (int k = 0; k < 2; k++) {
        if (!at_digit(p))
            return fail(p, "expected two digits of minutes (9:00)");
        m = m * 10 + (p->s[p->pos++] - '0');
    }
    if (at_digit(p))
        return fail(p, "expected two digits of minutes (9:00)");
    if (m > 59 || h > 24 || (h == 24 && m > 0))
        return fail_at(p, c0, "a time runs from 0:00 to 24:00");
    *minutes = h * 60 + m;
    return 0;
}

static void add_span(parser *p, int weekday, int start, int end, int col)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? ks_mul(p->cap, 2) : 16;
        p->spans = ks_realloc(p->spans, ks_mul(p->cap, sizeof *p->spans));
    }
    p->spans[p->n++] = (span_at){{weekday, start, end}, col};
}

/* The times of one rule.  Returns 1 when a separator followed by a day
 * ended them (the next rule starts there), else 0. */
static int read_spans(parser *p, unsigned mask)
{
    for (;;) {
        int c0 = cur_col(p);
        int start, end, rc;
        if ((rc = read_time(p, &start)) < 0)
            return rc;
        skip_ws(p);
        size_t dl = match_any(p, dashes, KS_ARRAY_LEN(dashes));
        if (!dl)
            return fail(p, "expected a dash between the opening and closing time (9:00-17:00)");
        p->pos += dl;
        skip_ws(p);
        int c1 = cur_col(p);
        if ((rc = read_time(p, &end)) < 0)
            return rc;
        if (end <= start)
            return fail_at(p, c1, "the closing time must be after the opening time");
        for (int d = 0; d < 7; d++)
            if (mask & (1u << d))
                add_span(p, d, start, end, c0);
        size_t save = p->pos;
        skip_ws(p);
        size_t sl = match_any(p, list_seps, KS_ARRAY_LEN(list_seps));
        if (!sl) {
            p->pos = save;
            return 0;
        }
        p->pos += sl;
        skip_ws(p);
        if (at_day(p))
            return 1; /* "Mon-Fri 9:00-17:00, Sat 9:00-12:00": the next rule */
    }
}

static int cmp_span(const void *a, const void *b)
{
    const span_at *x = a, *y = b;
    if (x->span.weekday != y->span.weekday)
        return x->span.weekday - y->span.weekday;
    if (x->span.start != y->span.start)
        return x->span.start < y->span.start ? -1 : 1;
    return x->col - y->col;
}

static int parse_rules(parser *p)
{
    skip_ws(p);
    if (p->pos >= p->len)
        return 0;
    for (;;) {
        unsigned mask;
        int rc = read_days(p, &mask);
        if (rc < 0)
            return rc;
        skip_ws(p);
        rc = read_spans(p, mask);
        if (rc < 0)
            return rc;
        if (rc == 1)
            continue;
        skip_ws(p);
        if (p->pos >= p->len)
            return 0;
        if (!match(p, ";"))
            return fail(p, "expected ';' before the next rule, or the end");
        p->pos++;
        skip_ws(p);
        if (p->pos >= p->len)
            return 0; /* a trailing ';' */
    }
}

int ks_hours_parse(ks_hours *h, const char *text, ks_holiday_policy holidays, int *column, ks_error *err)
{
    *h = (ks_hours){NULL, 0, holidays};
    if (column)
        *column = 0;
    size_t n = text ? strlen(text) : 0;
    if (!ks_utf8_valid(text ? text : "", n)) {
        if (column)
            *column = 1;
        return ks_error_set(err, KS_EDATA, "invalid UTF-8");
    }
    htext t = {0};
    ks_buf_init(&t.s);
    parser p = {0};
    int rc = htext_fold(&t, text ? text : "", n);
    if (rc < 0) {
        rc = ks_error_set(err, KS_EDATA, "invalid UTF-8");
        p.err_col = 1;
        goto done;
    }
    p = (parser){t.s.buf, t.s.len, 0, t.col, NULL, 0, 0, 0, err};
    if ((rc = parse_rules(&p)) < 0)
        goto done;
    if (p.n > 0)
        qsort(p.spans, p.n, sizeof *p.spans, cmp_span);
    for (size_t i = 1; i < p.n; i++) {
        const span_at *a = &p.spans[i - 1], *b = &p.spans[i];
        if (a->span.weekday == b->span.weekday && b->span.start < a->span.end) {
            int later = a->col > b->col ? a->col : b->col;
            ks_buf msg;
            ks_buf_init(&msg);
            ks_buf_addf(&msg, "the times overlap on %s", day_en[a->span.weekday]);
            rc = fail_at(&p, later, msg.buf);
            ks_buf_release(&msg);
            goto done;
        }
    }
    if (p.n > 0) {
        h->spans = ks_malloc(ks_mul(p.n, sizeof *h->spans));
        for (size_t i = 0; i < p.n; i++)
            h->spans[i] = p.spans[i].span;
        h->n = p.n;
    }
done:
    if (rc < 0 && column)
        *column = p.err_col;
    free(p.spans);
    free(t.col);
    ks_buf_release(&t.s);
    return rc;
}

void ks_hours_release(ks_hours *h)
{
    if (!h)
        return;
    free(h->spans);
    h->spans = NULL;
    h->n = 0;
}

/* ---- the holiday policy ------------------------------------------------------ */

static const struct {
    const char *code;  /* canonical code */
    const char *ja;    /* Japanese label (a NFKC_Casefold fixed point) */
    ks_holiday_policy policy; /* the policy */
} policies[] = {
    {"closed", "祝日休み", KS_HOLIDAYS_CLOSED},
    {"open", "祝日も開所", KS_HOLIDAYS_OPEN},
    {"yearend_closed", "年末年始休み", KS_HOLIDAYS_YEAREND_CLOSED},
};

int ks_holiday_policy_parse(const char *text)
{
    ks_buf f;
    ks_buf_init(&f);
    int out = -1;
    if (ks_text_fold_label(text ? text : "", text ? strlen(text) : 0, &f) == 0) {
        if (f.len == 0)
            out = KS_HOLIDAYS_CLOSED;
        for (size_t i = 0; out < 0 && i < KS_ARRAY_LEN(policies); i++)
            if (strcmp(f.buf, policies[i].code) == 0 || strcmp(f.buf, policies[i].ja) == 0)
                out = (int)policies[i].policy;
    }
    ks_buf_release(&f);
    return out;
}

const char *ks_holiday_policy_code(ks_holiday_policy p)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(policies); i++)
        if (policies[i].policy == p)
            return policies[i].code;
    return "closed";
}

/* ---- open or closed ------------------------------------------------------------ */

/* A real date in holiday.h's years; else -KS_EUSAGE. */
static int check_date(ks_date d, ks_error *err)
{
    ks_date back = ks_date_from_days(ks_date_days(d));
    if (d.m < 1 || d.m > 12 || back.y != d.y || back.m != d.m || back.d != d.d)
        return ks_error_set(err, KS_EUSAGE, "%d-%02d-%02d is not a date", d.y, d.m, d.d);
    if (d.y < KS_HOLIDAY_FIRST_YEAR || d.y > KS_HOLIDAY_LAST_YEAR)
        return ks_error_set(err, KS_EUSAGE, "opening hours are known for %d-%d only, not %d", KS_HOLIDAY_FIRST_YEAR,
                            KS_HOLIDAY_LAST_YEAR, d.y);
    return 0;
}

/* 1 closed by the policy, 0 not, < 0 a bad date. */
static int policy_closed(ks_holiday_policy policy, ks_date d, ks_error *err)
{
    int rc = check_date(d, err);
    if (rc < 0)
        return rc;
    if (policy == KS_HOLIDAYS_OPEN)
        return 0;
    if (ks_jp_year_end(d))
        return 1;
    if (policy == KS_HOLIDAYS_YEAREND_CLOSED)
        return 0;
    const char *name = NULL;
    rc = ks_jp_holiday(d, &name, err);
    if (rc < 0)
        return rc;
    return name != NULL;
}

bool ks_hours_closed_day(const ks_hours *h, ks_date d, ks_error *err)
{
    return policy_closed(h->holidays, d, err) == 1;
}

/* ks_date_weekday counts from Sunday; the rules count from Monday. */
static int monday_weekday(ks_date d) { return (ks_date_weekday(d) + 6) % 7; }

bool ks_hours_open_at(const ks_hours *h, ks_date d, int minute, ks_error *err)
{
    if (h->n == 0 || minute < 0 || minute >= 24 * 60)
        return false;
    if (policy_closed(h->holidays, d, err) != 0)
        return false;
    int wd = monday_weekday(d);
    for (size_t i = 0; i < h->n; i++)
        if (h->spans[i].weekday == wd && h->spans[i].start <= minute && minute < h->spans[i].end)
            return true;
    return false;
}

bool ks_hours_open_on(const ks_hours *h, ks_date d, ks_error *err)
{
    if (h->n == 0)
        return false;
    if (policy_closed(h->holidays, d, err) != 0)
        return false;
    int wd = monday_weekday(d);
    for (size_t i = 0; i < h->n; i++)
        if (h->spans[i].weekday == wd)
            return true;
    return false;
}

/* ---- the canonical text ------------------------------------------------------------ */

/* Whether weekdays a and b have the same spans (both lists are sorted). */
static bool same_spans(const ks_hours *h, int a, int b)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < h->n && h->spans[i].weekday != a)
            i++;
        while (j < h->n && h->spans[j].weekday != b)
            j++;
        if (i >= h->n || j >= h->n)
            return i >= h->n && j >= h->n;
        if (h->spans[i].start != h->spans[j].start || h->spans[i].end != h->spans[j].end)
            return false;
        i++, j++;
    }
}

static bool has_day(const ks_hours *h, int d)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->spans[i].weekday == d)
            return true;
    return false;
}

static void add_time(ks_buf *b, int minutes) { ks_buf_addf(b, "%d:%02d", minutes / 60, minutes % 60); }

char *ks_hours_text(const ks_hours *h, const char *lang)
{
    bool ja = !lang || strcmp(lang, "en") != 0;
    const char *range = ja ? "〜" : "-";        /* 月〜金, 8:30〜17:15 */
    const char *day_sep = ja ? "・" : ",";      /* 月・水 */
    const char *span_sep = ja ? "・" : " & ";   /* 9:00〜12:00・13:00〜17:00 */
    const char *rule_sep = ja ? "、" : ", ";
    const char *const *names = ja ? day_ja : day_en;
    ks_buf b;
    ks_buf_init(&b);
    unsigned done = 0;
    for (int d = 0; d < 7; d++) {
        if ((done & (1u << d)) || !has_day(h, d))
            continue;
        unsigned group = 0;
        for (int e = d; e < 7; e++)
            if (!(done & (1u << e)) && has_day(h, e) && same_spans(h, d, e))
                group |= 1u << e;
        done |= group;
        if (b.len)
            ks_buf_adds(&b, rule_sep);
        /* runs of consecutive days: three or more as a range, else listed */
        bool first = true;
        for (int e = 0; e < 7;) {
            if (!(group & (1u << e))) {
                e++;
                continue;
            }
            int f = e;
            while (f + 1 < 7 && (group & (1u << (f + 1))))
                f++;
            if (f - e >= 2) {
                ks_buf_addf(&b, "%s%s%s%s", first ? "" : day_sep, names[e], range, names[f]);
                first = false;
            } else {
                for (int g = e; g <= f; g++) {
                    ks_buf_addf(&b, "%s%s", first ? "" : day_sep, names[g]);
                    first = false;
                }
            }
            e = f + 1;
        }
        ks_buf_addc(&b, ' ');
        bool first_span = true;
        for (size_t i = 0; i < h->n; i++) {
            if (h->spans[i].weekday != d)
                continue;
            if (!first_span)
                ks_buf_adds(&b, span_sep);
            first_span = false;
            add_time(&b, h->spans[i].start);
            ks_buf_adds(&b, range);
            add_time(&b, h->spans[i].end);
        }
    }
    return ks_buf_detach(&b, NULL);
}
