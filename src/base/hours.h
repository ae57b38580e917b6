/* hours.h: opening hours of a consultation window as weekly rules, with
 * Japanese public holidays and the year-end closing (holiday.h) applied.
 *
 * Text form (windows.csv's `hours` column, datasets/profiles/README.md):
 *   rules separated by ';', each "DAYS HH:MM-HH:MM[,HH:MM-HH:MM...]";
 *   DAYS is a day ("Mon", "月"), a range ("Mon-Fri", "月-金", "月〜金") or a
 *   list with ',' or '・' ("Mon,Wed", "月・水"); days are Mon Tue Wed Thu
 *   Fri Sat Sun or 月 火 水 木 金 土 日; times 0:00..24:00, start < end.
 *   Full-width digits, colons and dashes are accepted (NFKC).
 *   Example: "月-金 8:30-17:15; 土 9:00-12:00".
 *   Also accepted, so that ks_hours_text's output reads back: '、' and '・'
 *   between days or times, '&' between times, 月曜/月曜日 and full English
 *   day names, a rule after ',' or '、' when it starts with a day, the
 *   dashes 〜 ～ ‐ – — ― − ー.  Spans of one day may touch, not overlap.
 * The holiday policy (windows.csv's `holidays` column):
 *   closed        (default) closed on public holidays and 12/29-1/3
 *   open          the weekly rules apply on every day
 *   yearend_closed  the weekly rules apply on holidays, closed 12/29-1/3
 *
 * Ownership: ks_hours_parse fills a caller-owned ks_hours released with
 * ks_hours_release.  Errors: 0 or -KS_E* with the column (1-based, in
 * characters of `text`) where the text went wrong in err. */
#ifndef KASANE_HOURS_H
#define KASANE_HOURS_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "util.h"

typedef enum ks_holiday_policy {
    KS_HOLIDAYS_CLOSED = 0,     /* closed on public holidays and at the year end */
    KS_HOLIDAYS_OPEN,           /* weekly rules every day */
    KS_HOLIDAYS_YEAREND_CLOSED, /* open on holidays by the weekly rules, closed 12/29-1/3 */
} ks_holiday_policy;

typedef struct ks_hours_span {
    int weekday;  /* 0 = Monday .. 6 = Sunday (ks_date_weekday counts from Sunday: (w + 6) % 7) */
    int start;    /* minutes after midnight, inclusive */
    int end;      /* minutes after midnight, exclusive, <= 1440 */
} ks_hours_span;

typedef struct ks_hours {
    ks_hours_span *spans;       /* [n] weekly spans, sorted by weekday then start */
    size_t n;                   /* entries of spans; 0 = hours unknown */
    ks_holiday_policy holidays; /* see above */
} ks_hours;

/* Parses the text form; an empty text gives n = 0 (unknown). `column`
 * receives the 1-based column of an error (0 when none). */
int ks_hours_parse(ks_hours *h, const char *text, ks_holiday_policy holidays, int *column, ks_error *err);
void ks_hours_release(ks_hours *h);
/* "closed", "open", "yearend_closed" (or 祝日休み/祝日も開所/年末年始休み) ->
 * policy; empty -> closed.  -1 when not recognised. */
int ks_holiday_policy_parse(const char *text);
const char *ks_holiday_policy_code(ks_holiday_policy p);

/* Open on date d at minute m (0..1439)?  false when the hours are unknown.
 * -KS_EUSAGE in *err only for dates outside holiday.h's years (then false). */
bool ks_hours_open_at(const ks_hours *h, ks_date d, int minute, ks_error *err);
/* Open at some time on date d? */
bool ks_hours_open_on(const ks_hours *h, ks_date d, ks_error *err);
/* Whether the day is closed by the policy alone (holiday or year end). */
bool ks_hours_closed_day(const ks_hours *h, ks_date d, ks_error *err);

/* The canonical text of the weekly rules in the language ("月〜金 8:30〜17:15、土 9:00〜12:00"
 * / "Mon-Fri 8:30-17:15, Sat 9:00-12:00"; two spans "9:00〜12:00・13:00〜17:00" /
 * "9:00-12:00 & 13:00-17:00"; days with the same spans grouped, three or
 * more in a row as a range: "月〜水・金"); "" when unknown.  lang "en" or
 * anything else for Japanese.  Caller frees. */
char *ks_hours_text(const ks_hours *h, const char *lang);

#endif
