/* report_period.c: report periods (months, quarters, fiscal years, ranges)
 * and their names; see report.h for the accepted forms. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

enum { MIN_YEAR = 1900, MAX_YEAR = 2100, MAX_MONTHS = 120 };

/* Reads exactly `digits` digits at *p; -1 when they are not there. */
static int read_int(const char **p, int digits)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += digits;
    return v;
}

/* "YYYY-MM" at *p -> month index, advancing *p; -1 when malformed. */
static int read_month(const char **p)
{
    int y = read_int(p, 4);
    if (y < 0 || **p != '-')
        return -1;
    (*p)++;
    int m = read_int(p, 2);
    if (m < 1 || m > 12 || y < MIN_YEAR || y > MAX_YEAR)
        return -1;
    return y * 12 + m - 1;
}

int ks_period_parse(const char *s, ks_period *out, ks_error *err)
{
    const char *p = s ? s : "";
    ks_period r = {0, 0, KS_PERIOD_MONTH};
    bool ok = false;
    if ((p[0] == 'F' || p[0] == 'f') && (p[1] == 'Y' || p[1] == 'y')) {
        p += 2;
        int y = read_int(&p, 4);
        if (y >= MIN_YEAR && y < MAX_YEAR) {
            if (*p == '\0') {
                r = (ks_period){y * 12 + 3, y * 12 + 14, KS_PERIOD_FY};
                ok = true;
            } else if ((*p == 'Q' || *p == 'q') && p[1] >= '1' && p[1] <= '4' && p[2] == '\0') {
                int q = p[1] - '1';
                r = (ks_period){y * 12 + 3 + 3 * q, y * 12 + 5 + 3 * q, KS_PERIOD_FQUARTER};
                ok = true;
            }
        }
    } else {
        const char *q = p;
        int y = read_int(&q, 4);
        if (y >= MIN_YEAR && y <= MAX_YEAR) {
            if (*q == '\0') {
                r = (ks_period){y * 12, y * 12 + 11, KS_PERIOD_YEAR};
                ok = true;
            } else if ((*q == 'Q' || *q == 'q') && q[1] >= '1' && q[1] <= '4' && q[2] == '\0') {
                int n = q[1] - '1';
                r = (ks_period){y * 12 + 3 * n, y * 12 + 3 * n + 2, KS_PERIOD_QUARTER};
                ok = true;
            } else {
                const char *m = p;
                int a = read_month(&m);
                if (a >= 0 && *m == '\0') {
                    r = (ks_period){a, a, KS_PERIOD_MONTH};
                    ok = true;
                } else if (a >= 0 && m[0] == '.' && m[1] == '.') {
                    m += 2;
                    int b = read_month(&m);
                    if (b >= a && *m == '\0' && b - a < MAX_MONTHS) {
                        r = (ks_period){a, b, KS_PERIOD_RANGE};
                        ok = true;
                    }
                }
            }
        }
    }
    if (!ok)
        return ks_error_set(err, KS_EUSAGE,
                            "bad period '%s': give YYYY-MM, YYYYQn, FYYYYY, FYYYYYQn, YYYY or "
                            "YYYY-MM..YYYY-MM (at most %d months)",
                            s ? s : "", MAX_MONTHS);
    *out = r;
    return 0;
}

int ks_period_months(ks_period p) { return p.last - p.first + 1; }

ks_period ks_period_compare(ks_period p, ks_report_compare c)
{
    int len = ks_period_months(p);
    int shift = c == KS_REPORT_PREVIOUS ? len : 12;
    /* a period longer than a year compared with "last year" would overlap
     * itself: step back by whole years until it does not */
    while (shift < len)
        shift += 12;
    return (ks_period){p.first - shift, p.last - shift, p.kind};
}

void ks_month_iso(ks_buf *out, int month) { ks_buf_addf(out, "%04d-%02d", month / 12, month % 12 + 1); }

static const char *const month_en[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void month_name(ks_buf *out, int m, ks_lang lang)
{
    if (lang == KS_LANG_EN)
        ks_buf_addf(out, "%s %d", month_en[m % 12], m / 12);
    else
        ks_buf_addf(out, "%d年%d月", m / 12, m % 12 + 1);
}

static void span(ks_buf *out, ks_period p, ks_lang lang)
{
    month_name(out, p.first, lang);
    ks_buf_adds(out, lang == KS_LANG_EN ? " to " : "〜");
    month_name(out, p.last, lang);
}

void ks_period_name(ks_buf *out, ks_period p, ks_lang lang)
{
    bool en = lang == KS_LANG_EN;
    int y = p.first / 12, m = p.first % 12;
    int fy = m >= 3 ? y : y - 1;
    switch (p.kind) {
    case KS_PERIOD_MONTH: month_name(out, p.first, lang); return;
    case KS_PERIOD_QUARTER:
        ks_buf_addf(out, en ? "Q%d %d (" : "%d年第%d四半期（", en ? m / 3 + 1 : y, en ? y : m / 3 + 1);
        break;
    case KS_PERIOD_FQUARTER:
        if (en)
            ks_buf_addf(out, "FY%d Q%d (", fy, ((m - 3 + 12) % 12) / 3 + 1);
        else
            ks_buf_addf(out, "%d年度第%d四半期（", fy, ((m - 3 + 12) % 12) / 3 + 1);
        break;
    case KS_PERIOD_FY: ks_buf_addf(out, en ? "FY%d (" : "%d年度（", fy); break;
    case KS_PERIOD_YEAR: ks_buf_addf(out, en ? "%d (" : "%d年（", y); break;
    case KS_PERIOD_RANGE: span(out, p, lang); return;
    }
    span(out, p, lang);
    ks_buf_adds(out, en ? ")" : "）");
}
