/* fuzz_hours: opening hours (src/base/hours.h), windows.csv's `hours`
 * column.  The first byte picks the holiday policy; the rest is the text.
 * An accepted text must give valid spans, and its canonical text in both
 * languages must read back to the same spans (the header promises that
 * ks_hours_text's output reads back). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hours.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_spans(const ks_hours *a, const ks_hours *b)
{
    if (a->n != b->n)
        abort();
    for (size_t i = 0; i < a->n; i++)
        if (a->spans[i].weekday != b->spans[i].weekday || a->spans[i].start != b->spans[i].start ||
            a->spans[i].end != b->spans[i].end)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    ks_holiday_policy pol = (ks_holiday_policy)(data[0] % 3);
    char *text = ks_fuzz_cstr(data + 1, size - 1);
    (void)ks_holiday_policy_parse(text);
    ks_hours h = {0};
    int col = 0;
    ks_error err = {0};
    if (ks_hours_parse(&h, text, pol, &col, &err) == 0) {
        for (size_t i = 0; i < h.n; i++)
            if (h.spans[i].weekday < 0 || h.spans[i].weekday > 6 || h.spans[i].start < 0 ||
                h.spans[i].start >= h.spans[i].end || h.spans[i].end > 1440)
                abort();
        static const char *const langs[] = {"ja", "en"};
        for (int l = 0; l < 2; l++) {
            char *canon = ks_hours_text(&h, langs[l]);
            ks_hours back = {0};
            int col2 = 0;
            ks_error err2 = {0};
            if (ks_hours_parse(&back, canon, pol, &col2, &err2) != 0)
                abort(); /* the canonical text does not read back */
            same_spans(&h, &back);
            ks_hours_release(&back);
            free(canon);
        }
        ks_date d = {2026, 1, 12}; /* 成人の日, a holiday */
        (void)ks_hours_open_on(&h, d, NULL);
        (void)ks_hours_open_at(&h, d, 600, NULL);
    }
    ks_hours_release(&h);
    free(text);
    return 0;
}
