/* date.h: dates in every form the import contract lists, and age bands.
 *
 * Accepted (after NFKC, so full-width digits are fine):
 *   2025-04-01  2025/4/1  2025.4.1  20250401
 *   R7.4.1  H30.12.3  S45.1.2  (also lower case r/h/s, and "R7/4/1", "R07.04.01")
 *   令和7年4月1日  平成30年12月3日  昭和45年1月2日  令和元年5月1日 (元年 = 1)
 *   2025年4月1日
 * Also accepted, as real exports contain them: the Taisho era (T14.3.1,
 * 大正15年12月24日; 1912-07-30..1926-12-24) and an Excel time of day after a
 * numeric Gregorian date ("2025/4/1 0:00", "2025-04-01 00:00:00"), ignored.
 * Era bounds are checked: Reiwa from 2019-05-01, Heisei 1989-01-08..2019-04-30,
 * Showa 1926-12-25..1989-01-07.  Years outside 1900..2100 are rejected. */
#ifndef KASANE_DATE_H
#define KASANE_DATE_H

#include <stdint.h>
#include <stddef.h>

typedef struct ks_date {
    int16_t y; /* Gregorian year */
    int8_t m;  /* 1..12 */
    int8_t d;  /* 1..31 */
} ks_date;

/* Why a date was rejected; stable names go into rejects reports. */
typedef enum ks_date_err {
    KS_DATE_OK = 0,
    KS_DATE_FORMAT,     /* "bad_date_format": not one of the accepted forms */
    KS_DATE_IMPOSSIBLE, /* "impossible_date": 2025-02-30, month 13 */
    KS_DATE_ERA_RANGE,  /* "era_out_of_range": 平成32年, 令和元年4月1日 */
    KS_DATE_YEAR_RANGE, /* "year_out_of_range" */
} ks_date_err;

const char *ks_date_err_code(ks_date_err e);    /* "bad_date_format", ... */
const char *ks_date_err_message(ks_date_err e); /* a short English sentence */

/* Parses s[0..n), already NFKC-folded and trimmed. */
ks_date_err ks_date_parse(const char *s, size_t n, ks_date *out);

/* Days since 1970-01-01 (proleptic Gregorian); differences give durations. */
int32_t ks_date_days(ks_date d);
/* The date of day number `days` (the inverse of ks_date_days). */
ks_date ks_date_from_days(int32_t days);
/* The date in Japan at time t (seconds since the epoch, as time(NULL)
 * gives; JST is UTC+9 all year, with no daylight saving), and, when minute
 * is not NULL, the minute of that day there (0..1439) in *minute. */
ks_date ks_date_jst(int64_t t, int *minute);
/* 0 = Sunday .. 6 = Saturday. */
int ks_date_weekday(ks_date d);
/* Writes "YYYY-MM-DD" and its NUL. */
enum { KS_DATE_ISO_SIZE = 11 };
void ks_date_format(ks_date d, char buf[KS_DATE_ISO_SIZE]);
/* -1, 0, 1 */
int ks_date_cmp(ks_date a, ks_date b);
/* Completed years of age at `at` (birthday on 29 Feb counts on 1 Mar in non-leap years). */
int ks_age_years(ks_date birth, ks_date at);
/* The oldest plausible age at consultation; the import rejects a row above it. */
enum { KS_AGE_MAX = 120 };
/* Fiscal year (April..March) that d falls in: 2026-03-31 -> 2025. */
int ks_fiscal_year(ks_date d);

/* 5-year age bands: 0 = "0-4", 1 = "5-9", ..., 19 = "95-99", 20 = "100+". */
enum { KS_AGE_BANDS = 21 };
int ks_age_band(int years);
const char *ks_age_band_label(int band); /* "0-4" ... "100+" */

#endif
