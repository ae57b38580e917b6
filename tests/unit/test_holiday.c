/* test_holiday: Japanese public holidays (src/base/holiday.h) against the
 * Cabinet Office's list for 2024-2027 (tests/ref/holidays/README.md): every
 * day of the four years, holiday or not, and its name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "holiday.h"
#include "test.h"

typedef struct ref_day {
    char date[11];  /* YYYY-MM-DD */
    char name[256]; /* as in the list */
} ref_day;

static size_t load_ref(ref_day *v, size_t cap)
{
    const char *src = getenv("KASANE_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/ref/holidays/jp-2024-2027.txt", src ? src : ".");
    FILE *f = fopen(path, "r");
    KS_CHECK(f != NULL);
    size_t n = 0;
    char line[256];
    while (f && n < cap && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strlen(line) < 12)
            continue;
        memcpy(v[n].date, line, 10);
        v[n].date[10] = '\0';
        snprintf(v[n].name, sizeof v[n].name, "%s", line + 11);
        n++;
    }
    if (f)
        fclose(f);
    return n;
}

/* The list names a substitute "X 振替休日"; kasane calls it "振替休日". */
static const char *expected_name(const char *listed)
{
    const char *sub = strstr(listed, "振替休日");
    return sub ? sub : listed;
}

static void test_every_day(void)
{
    ref_day ref[200];
    size_t n = load_ref(ref, 200);
    KS_CHECK_INT(n, 75);
    size_t holidays = 0, matched = 0;
    for (int y = 2024; y <= 2027; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++) {
                ks_date dt = {(int16_t)y, (int8_t)m, (int8_t)d};
                const char *name = NULL;
                ks_error err = {0};
                if (ks_jp_holiday(dt, &name, &err) != 0)
                    continue; /* not a date (2/30 ...) */
                char iso[11];
                snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
                const char *want = NULL;
                for (size_t i = 0; i < n; i++)
                    if (strcmp(ref[i].date, iso) == 0)
                        want = expected_name(ref[i].name);
                holidays += name != NULL;
                if (want == NULL && name != NULL)
                    fprintf(stderr, "%s: kasane says %s, the list has no holiday\n", iso, name);
                else if (want != NULL && (name == NULL || strcmp(name, want) != 0))
                    fprintf(stderr, "%s: the list says %s, kasane %s\n", iso, want, name ? name : "none");
                else
                    matched += want != NULL;
            }
    KS_CHECK_INT(holidays, 75);
    KS_CHECK_INT(matched, 75);
}

static void test_edges(void)
{
    const char *name = "x";
    ks_error err = {0};
    KS_CHECK_INT(ks_jp_holiday((ks_date){2021, 7, 23}, &name, &err), -KS_EUSAGE); /* the Olympic year */
    KS_CHECK_INT(ks_jp_holiday((ks_date){2025, 2, 29}, &name, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_jp_holiday((ks_date){2100, 1, 1}, &name, &err), -KS_EUSAGE);
    /* weekdays by hand: 2026-12-07 Monday, 2024-02-11 Sunday, 2027-03-21 Sunday */
    KS_CHECK_INT(ks_date_weekday((ks_date){2026, 12, 7}), 1);
    KS_CHECK_INT(ks_date_weekday((ks_date){2024, 2, 11}), 0);
    KS_CHECK_INT(ks_date_weekday((ks_date){2027, 3, 21}), 0);
    /* the year-end closing: 12/29 to 1/3 */
    KS_CHECK(ks_jp_year_end((ks_date){2026, 12, 29}));
    KS_CHECK(ks_jp_year_end((ks_date){2027, 1, 3}));
    KS_CHECK(!ks_jp_year_end((ks_date){2026, 12, 28}));
    KS_CHECK(!ks_jp_year_end((ks_date){2027, 1, 4}));
}

int main(void)
{
    test_every_day();
    test_edges();
    return ks_test_report();
}
