/* holiday.c: Japanese public holidays (holiday.h). */
#include "holiday.h"

#include <math.h>
#include <stddef.h>

/* The day of month of the n-th Monday of month m of year y. */
static int nth_monday(int y, int m, int n)
{
    int first = ks_date_weekday((ks_date){(int16_t)y, (int8_t)m, 1});
    return 1 + (8 - first) % 7 + 7 * (n - 1);
}

static int equinox(int y, double base)
{
    return (int)floor(base + 0.242194 * (y - 1980) - floor((y - 1980) / 4.0));
}

/* A holiday by the calendar alone (no substitute, no 国民の休日). */
static const char *base_holiday(ks_date d)
{
    static const struct {
        int m, d;
        const char *name;
    } fixed[] = {{1, 1, "元日"},         {2, 11, "建国記念の日"}, {2, 23, "天皇誕生日"}, {4, 29, "昭和の日"},
                 {5, 3, "憲法記念日"},   {5, 4, "みどりの日"},    {5, 5, "こどもの日"},  {8, 11, "山の日"},
                 {11, 3, "文化の日"},    {11, 23, "勤労感謝の日"}};
    for (size_t i = 0; i < KS_ARRAY_LEN(fixed); i++)
        if (d.m == fixed[i].m && d.d == fixed[i].d)
            return fixed[i].name;
    if (d.m == 1 && d.d == nth_monday(d.y, 1, 2))
        return "成人の日";
    if (d.m == 7 && d.d == nth_monday(d.y, 7, 3))
        return "海の日";
    if (d.m == 9 && d.d == nth_monday(d.y, 9, 3))
        return "敬老の日";
    if (d.m == 10 && d.d == nth_monday(d.y, 10, 2))
        return "スポーツの日";
    if (d.m == 3 && d.d == equinox(d.y, 20.8431))
        return "春分の日";
    if (d.m == 9 && d.d == equinox(d.y, 23.2488))
        return "秋分の日";
    return NULL;
}

int ks_jp_holiday(ks_date d, const char **name, ks_error *err)
{
    *name = NULL;
    if (d.y < KS_HOLIDAY_FIRST_YEAR || d.y > KS_HOLIDAY_LAST_YEAR)
        return ks_error_set(err, KS_EUSAGE, "holidays are known for %d-%d, not %d", KS_HOLIDAY_FIRST_YEAR,
                            KS_HOLIDAY_LAST_YEAR, d.y);
    int32_t days = ks_date_days(d);
    ks_date back = ks_date_from_days(days);
    if (back.y != d.y || back.m != d.m || back.d != d.d)
        return ks_error_set(err, KS_EUSAGE, "%04d-%02d-%02d is not a date", d.y, d.m, d.d);
    if ((*name = base_holiday(d)))
        return 0;
    /* 振替休日: the run of holidays just before d starts on or holds a Sunday */
    for (int32_t k = days - 1; base_holiday(ks_date_from_days(k)); k--)
        if (ks_date_weekday(ks_date_from_days(k)) == 0) {
            *name = "振替休日";
            return 0;
        }
    /* 国民の休日: between two holidays */
    if (base_holiday(ks_date_from_days(days - 1)) && base_holiday(ks_date_from_days(days + 1)))
        *name = "休日";
    return 0;
}

bool ks_jp_year_end(ks_date d) { return (d.m == 12 && d.d >= 29) || (d.m == 1 && d.d <= 3); }
