/* holiday.h: Japanese public holidays (国民の祝日) and the year-end closing,
 * for "open on date D" in the consultation-window guide (issue 13).
 *
 * The Cabinet Office's rules (国民の祝日に関する法律), as in force from 2022:
 *  - fixed days: 元日 1/1, 建国記念の日 2/11, 天皇誕生日 2/23, 昭和の日 4/29,
 *    憲法記念日 5/3, みどりの日 5/4, こどもの日 5/5, 山の日 8/11, 文化の日 11/3,
 *    勤労感謝の日 11/23;
 *  - happy Mondays: 成人の日 the 2nd Monday of January, 海の日 the 3rd of
 *    July, 敬老の日 the 3rd of September, スポーツの日 the 2nd of October;
 *  - equinoxes by the usual formula (valid 1980-2099; the official day is
 *    announced each February for the next year, and the formula has matched
 *    every announcement of this century): 春分の日 day
 *    floor(20.8431 + 0.242194 (y - 1980) - floor((y - 1980) / 4)) of March,
 *    秋分の日 the same with 23.2488, of September;
 *  - 振替休日: a holiday on a Sunday moves to the next day that is not a
 *    holiday;
 *  - 国民の休日: a day that is not a holiday, between two holidays.
 * Years 2022-2099 only (2020 and 2021 moved three holidays for the Olympics,
 * and the equinox formula ends in 2099): other years are -KS_EUSAGE.
 *
 * Checked against the Cabinet Office's published list for 2024-2027
 * (tests/unit/test_holiday.c, tests/ref/holidays/). */
#ifndef KASANE_HOLIDAY_H
#define KASANE_HOLIDAY_H

#include <stdbool.h>

#include "date.h"
#include "util.h"

enum { KS_HOLIDAY_FIRST_YEAR = 2022, KS_HOLIDAY_LAST_YEAR = 2099 };

/* *name gets the holiday's name (a static string: "元日", "振替休日",
 * "休日", ...) or NULL when d is not a holiday.  -KS_EUSAGE outside the
 * years above or for a date that does not exist. */
int ks_jp_holiday(ks_date d, const char **name, ks_error *err);

/* Whether d falls in the year-end closing of city offices, 12/29 to 1/3
 * (行政機関の休日に関する法律). */
bool ks_jp_year_end(ks_date d);

#endif
