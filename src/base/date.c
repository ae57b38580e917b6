/* date.c: parsing the date forms of the import contract, day arithmetic and
 * age bands.
 *
 * The parser is a small hand-written scanner over the NFKC-folded bytes: the
 * forms are few and fixed, and a clear reason for each rejection matters more
 * than generality.  Checks run in this order, so that every rejected value gets
 * the most specific reason: form -> calendar (month 13, 30 Feb) -> era bounds
 * (平成32年) -> year range (1900..2100).
 *
 * Beyond the forms the contract lists, two are accepted because real exports
 * contain them: the Taisho era (T, 大正; 1912-07-30..1926-12-24), since the
 * oldest clients of a welfare service were born in it, and a time of day after
 * a Gregorian date ("2025/4/1 0:00", "2025-04-01 00:00:00"), which Excel writes
 * for cells holding a date-time.  The time is checked and then ignored. */
#include "date.h"

#include <stdbool.h>
#include <string.h>

typedef struct ks_era {
    char letter;      /* upper-case initial used in "R7.4.1" */
    const char *name; /* the era name in kanji, UTF-8 */
    int offset;       /* Gregorian year = offset + era year */
    ks_date first;    /* first day of the era */
    ks_date last;     /* last day of the era; y == 0 while it lasts */
} ks_era;

static const ks_era eras[] = {
    {'R', "令和", 2018, {2019, 5, 1}, {0, 0, 0}},
    {'H', "平成", 1988, {1989, 1, 8}, {2019, 4, 30}},
    {'S', "昭和", 1925, {1926, 12, 25}, {1989, 1, 7}},
    {'T', "大正", 1911, {1912, 7, 30}, {1926, 12, 24}},
};

/* "元" (U+5143), as in 令和元年: the first year of an era */
#define GAN "\xE5\x85\x83"
#define NEN "\xE5\xB9\xB4"   /* 年 */
#define GATSU "\xE6\x9C\x88" /* 月 */
#define NICHI "\xE6\x97\xA5" /* 日 */

typedef struct scan {
    const char *p;   /* next unread byte */
    const char *end; /* one past the last byte */
} scan;

static bool at_end(const scan *s) { return s->p == s->end; }

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Reads min..max decimal digits; fails (consuming nothing) otherwise. */
static bool read_num(scan *s, int min, int max, int *out)
{
    const char *p = s->p;
    int v = 0, k = 0;
    while (p < s->end && is_digit(*p) && k < max) {
        v = v * 10 + (*p - '0');
        p++;
        k++;
    }
    if (k < min || (p < s->end && is_digit(*p)))
        return false;
    s->p = p;
    *out = v;
    return true;
}

static bool read_lit(scan *s, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
        return false;
    s->p += n;
    return true;
}

static void skip_spaces(scan *s)
{
    while (s->p < s->end && *s->p == ' ')
        s->p++;
}

static bool is_sep(char c) { return c == '-' || c == '/' || c == '.'; }

/* "<m><sep><d>" after a year and its separator; the second separator must
 * match the first, so "2025-4/1" is not a date. */
static bool read_md(scan *s, char sep, int *m, int *d)
{
    return read_num(s, 1, 2, m) && !at_end(s) && *s->p++ == sep && read_num(s, 1, 2, d);
}

/* "<m>月<d>日" of the kanji forms, spaces allowed between the parts */
static bool read_md_kanji(scan *s, int *m, int *d)
{
    skip_spaces(s);
    if (!read_num(s, 1, 2, m))
        return false;
    skip_spaces(s);
    if (!read_lit(s, GATSU))
        return false;
    skip_spaces(s);
    if (!read_num(s, 1, 2, d))
        return false;
    skip_spaces(s);
    return read_lit(s, NICHI);
}

/* An optional " H:MM" or " H:MM:SS" after a numeric date (Excel date-times). */
static bool read_time_suffix(scan *s)
{
    if (at_end(s))
        return true;
    int h, mi, sec = 0;
    if (*s->p != ' ')
        return false;
    skip_spaces(s);
    if (!read_num(s, 1, 2, &h) || !read_lit(s, ":") || !read_num(s, 2, 2, &mi))
        return false;
    if (read_lit(s, ":") && !read_num(s, 2, 2, &sec))
        return false;
    return h <= 23 && mi <= 59 && sec <= 59;
}

/* Era year: 1..3 digits (so 平成100年 is reported as out of the era rather
 * than as a bad form) or 元. */
static bool read_era_year(scan *s, int *n)
{
    if (read_lit(s, GAN)) {
        *n = 1;
        return true;
    }
    return read_num(s, 1, 3, n);
}

static const ks_era *era_by_letter(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    for (size_t i = 0; i < sizeof eras / sizeof eras[0]; i++)
        if (eras[i].letter == c)
            return &eras[i];
    return NULL;
}

static const ks_era *era_by_name(scan *s)
{
    for (size_t i = 0; i < sizeof eras / sizeof eras[0]; i++)
        if (read_lit(s, eras[i].name))
            return &eras[i];
    return NULL;
}

/* Gregorian forms: 2025-04-01, 2025/4/1, 2025.4.1, 20250401, 2025年4月1日 */
static bool parse_gregorian(scan *s, int *y, int *m, int *d)
{
    const char *start = s->p;
    int run = 0;
    while (start + run < s->end && is_digit(start[run]))
        run++;
    if (run == 8 && start + run == s->end) { /* packed: read_num wants a non-digit after */
        int v[8];
        for (int i = 0; i < 8; i++)
            v[i] = start[i] - '0';
        *y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
        *m = v[4] * 10 + v[5];
        *d = v[6] * 10 + v[7];
        s->p = s->end;
        return true;
    }
    if (run != 4 || !read_num(s, 4, 4, y))
        return false;
    if (!at_end(s) && is_sep(*s->p)) {
        char sep = *s->p++;
        return read_md(s, sep, m, d) && read_time_suffix(s);
    }
    skip_spaces(s);
    return read_lit(s, NEN) && read_md_kanji(s, m, d) && at_end(s);
}

/* Era forms: R7.4.1, h30/12/3, S45-1-2, R元.5.1, 令和7年4月1日, 令和元年5月1日 */
static bool parse_era(scan *s, const ks_era **era, int *n, int *m, int *d)
{
    const ks_era *e = era_by_letter(*s->p);
    if (e) {
        s->p++;
        if (!read_era_year(s, n) || at_end(s) || !is_sep(*s->p))
            return false;
        char sep = *s->p++;
        if (!read_md(s, sep, m, d))
            return false;
    } else {
        e = era_by_name(s);
        if (!e)
            return false;
        skip_spaces(s);
        if (!read_era_year(s, n))
            return false;
        skip_spaces(s);
        if (!read_lit(s, NEN) || !read_md_kanji(s, m, d))
            return false;
    }
    *era = e;
    return at_end(s);
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

ks_date_err ks_date_parse(const char *str, size_t n, ks_date *out)
{
    scan s = {str, str + n};
    const ks_era *era = NULL;
    int y = 0, m = 0, d = 0, en = 0;
    if (at_end(&s))
        return KS_DATE_FORMAT;
    if (is_digit(*s.p)) {
        if (!parse_gregorian(&s, &y, &m, &d))
            return KS_DATE_FORMAT;
    } else {
        if (!parse_era(&s, &era, &en, &m, &d))
            return KS_DATE_FORMAT;
        y = era->offset + en;
    }
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return KS_DATE_IMPOSSIBLE;
    /* y fits: at most four digits, or an era offset plus three digits */
    ks_date date = {(int16_t)y, (int8_t)m, (int8_t)d};
    if (era && (en < 1 || ks_date_cmp(date, era->first) < 0
                || (era->last.y && ks_date_cmp(date, era->last) > 0)))
        return KS_DATE_ERA_RANGE;
    if (y < 1900 || y > 2100)
        return KS_DATE_YEAR_RANGE;
    *out = date;
    return KS_DATE_OK;
}

const char *ks_date_err_code(ks_date_err e)
{
    switch (e) {
    case KS_DATE_OK: return "ok";
    case KS_DATE_FORMAT: return "bad_date_format";
    case KS_DATE_IMPOSSIBLE: return "impossible_date";
    case KS_DATE_ERA_RANGE: return "era_out_of_range";
    case KS_DATE_YEAR_RANGE: return "year_out_of_range";
    }
    return "bad_date_format";
}

const char *ks_date_err_message(ks_date_err e)
{
    switch (e) {
    case KS_DATE_OK: return "The date is valid.";
    case KS_DATE_FORMAT:
        return "The date is not in an accepted form such as 2025-04-01, 2025/4/1 or R7.4.1.";
    case KS_DATE_IMPOSSIBLE: return "The date does not exist in the calendar.";
    case KS_DATE_ERA_RANGE: return "The date lies outside the Japanese era it names.";
    case KS_DATE_YEAR_RANGE: return "The year lies outside 1900 to 2100.";
    }
    return "The date is not in an accepted form.";
}

/* Howard Hinnant's days_from_civil: exact for the whole proleptic calendar. */
int32_t ks_date_days(ks_date dt)
{
    int32_t y = dt.y - (dt.m <= 2);
    int32_t m = dt.m, d = dt.d;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t yoe = y - era * 400;                                /* 0..399 */
    int32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365, from 1 March */
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;        /* 0..146096 */
    return era * 146097 + doe - 719468;
}

/* Howard Hinnant's civil_from_days. */
ks_date ks_date_from_days(int32_t days)
{
    int32_t z = days + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    int32_t d = doy - (153 * mp + 2) / 5 + 1;
    int32_t m = mp < 10 ? mp + 3 : mp - 9;
    return (ks_date){(int16_t)(yoe + era * 400 + (m <= 2)), (int8_t)m, (int8_t)d};
}

ks_date ks_date_jst(int64_t t, int *minute)
{
    int64_t s = t + 9 * 3600;
    int64_t days = s / 86400, sec = s % 86400;
    /* before 1970 in Japan: the day rounds down, not toward 0 */
    if (sec < 0) {
        sec += 86400;
        days--;
    }
    if (minute)
        *minute = (int)(sec / 60);
    return ks_date_from_days((int32_t)days);
}

int ks_date_weekday(ks_date d)
{
    int32_t w = (ks_date_days(d) + 4) % 7; /* 1970-01-01 was a Thursday */
    return w < 0 ? w + 7 : w;
}

static void put_digits(char *w, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        w[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void ks_date_format(ks_date d, char buf[KS_DATE_ISO_SIZE])
{
    /* digits written by hand: an int16_t year cannot overflow four digits
     * once clamped, and there is no snprintf truncation to reason about */
    int y = d.y < 0 ? 0 : d.y > 9999 ? 9999 : d.y;
    int m = d.m < 0 ? 0 : d.m > 99 ? 99 : d.m;
    int dd = d.d < 0 ? 0 : d.d > 99 ? 99 : d.d;
    put_digits(buf, y, 4);
    buf[4] = '-';
    put_digits(buf + 5, m, 2);
    buf[7] = '-';
    put_digits(buf + 8, dd, 2);
    buf[10] = '\0';
}

int ks_date_cmp(ks_date a, ks_date b)
{
    int x = a.y * 10000 + a.m * 100 + a.d;
    int z = b.y * 10000 + b.m * 100 + b.d;
    return (x > z) - (x < z);
}

/* Negative when `at` precedes the birth; the importer rejects such rows.
 * Comparing (month, day) pairs makes a 29 February birthday count on
 * 1 March in common years, as date.h promises. */
int ks_age_years(ks_date birth, ks_date at)
{
    int years = at.y - birth.y;
    if (at.m < birth.m || (at.m == birth.m && at.d < birth.d))
        years--;
    return years;
}

int ks_fiscal_year(ks_date d) { return d.m >= 4 ? d.y : d.y - 1; }

/* -1 for a negative age, which has no band */
int ks_age_band(int years)
{
    if (years < 0)
        return -1;
    return years >= 100 ? KS_AGE_BANDS - 1 : years / 5;
}

const char *ks_age_band_label(int band)
{
    static const char *const labels[KS_AGE_BANDS] = {
        "0-4",   "5-9",   "10-14", "15-19", "20-24", "25-29", "30-34",
        "35-39", "40-44", "45-49", "50-54", "55-59", "60-64", "65-69",
        "70-74", "75-79", "80-84", "85-89", "90-94", "95-99", "100+",
    };
    return band >= 0 && band < KS_AGE_BANDS ? labels[band] : NULL;
}
