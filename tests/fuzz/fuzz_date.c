/* fuzz_date: the date parser (src/base/date.h) as the import uses it, on
 * the raw bytes and on their NFKC fold (ks_text_fold, what the import hands
 * it), and the properties an accepted date must have: it is a real
 * calendar date inside 1900..2100 that survives the day-number round trip
 * and formats as YYYY-MM-DD. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "text.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s, size_t n)
{
    ks_date d;
    ks_date_err e = ks_date_parse(s, n, &d);
    if (e != KS_DATE_OK) {
        if (!ks_date_err_code(e) || !ks_date_err_message(e))
            abort();
        return;
    }
    if (d.y < 1900 || d.y > 2100 || d.m < 1 || d.m > 12 || d.d < 1 || d.d > 31)
        abort();
    ks_date back = ks_date_from_days(ks_date_days(d));
    if (ks_date_cmp(back, d) != 0)
        abort(); /* not a real date (e.g. 2025-02-30 accepted) */
    char iso[KS_DATE_ISO_SIZE];
    ks_date_format(d, iso);
    ks_date again;
    if (ks_date_parse(iso, strlen(iso), &again) != KS_DATE_OK || ks_date_cmp(again, d) != 0)
        abort();
    int w = ks_date_weekday(d);
    if (w < 0 || w > 6)
        abort();
    (void)ks_fiscal_year(d);
    (void)ks_age_band(ks_age_years(d, (ks_date){2026, 4, 1}));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256) /* a date field is short; longer inputs only slow the search */
        return 0;
    check((const char *)data, size);
    ks_buf folded;
    ks_buf_init(&folded);
    if (ks_text_fold((const char *)data, size, &folded) == 0)
        check(folded.buf ? folded.buf : "", folded.len);
    ks_buf_release(&folded);
    return 0;
}
