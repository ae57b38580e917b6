/* test_guide_lookup.c: the lookup rule of guide.h on a guide built by hand.
 * Expected orders are worked out from the rule's text, window by window, in
 * the comments. */
#include "test.h"

#include "codes.h"
#include "guide.h"
#include "hours.h"

enum { HIKI = 11, CARE = 1 };

static ks_guide_attr attr(ks_guide_dim dim, const char *code, const char *ja, ks_guide_band band)
{
    return (ks_guide_attr){dim, (char *)code, (char *)ja, (char *)code, band, 0};
}

int main(void)
{
    ks_error err = {0};
    ks_profile *prof = ks_profile_load("mitaka", &err);
    KS_CHECK(prof != NULL);
    if (!prof)
        return ks_test_report();
    size_t np;
    const ks_partner *pa = ks_profile_partners(prof, &np);
    KS_CHECK(np >= 4);

    /* records: 0 serves 65+ living alone in 東部 (district 1), open Mon-Fri
     * 8:30-17:15 closed on holidays; 1 serves 15-39, open every day 10-18
     * (holidays too); 2 has no record; 3 serves all ages, hours unknown */
    ks_window rec[2];
    memset(rec, 0, sizeof rec);
    rec[0] = (ks_window){.partner_id = pa[0].id, .age_min = 65, .age_max = -1, .households = 1u << 1,
                         .districts = 1ull << 1};
    rec[1] = (ks_window){.partner_id = pa[1].id, .age_min = 15, .age_max = 39};
    int col = 0;
    KS_CHECK_INT(ks_hours_parse(&rec[0].hours, "月-金 8:30-17:15", KS_HOLIDAYS_CLOSED, &col, &err), 0);
    KS_CHECK_INT(ks_hours_parse(&rec[1].hours, "月-日 10:00-18:00", KS_HOLIDAYS_OPEN, &col, &err), 0);
    ks_window rec3 = {.partner_id = pa[3].id, .age_min = -1, .age_max = -1};

    ks_guide_attr a0[] = {attr(KS_DIM_AGE, "75+", "75歳以上", KS_BAND_10_19),
                          attr(KS_DIM_HOUSEHOLD, "single", "単身", KS_BAND_K_9)};
    ks_guide_attr a1[] = {attr(KS_DIM_AGE, "20-39", "20〜39歳", KS_BAND_20_49)};
    ks_guide_attr a3[] = {attr(KS_DIM_DISTRICT, "Tobu", "東部", KS_BAND_K_9)};
    ks_guide_problem p0 = {.problem_id = HIKI, .band = KS_BAND_10_19, .share = KS_SHARE_10_29, .attrs = a0, .nattrs = 2};
    ks_guide_problem p1 = {.problem_id = HIKI, .band = KS_BAND_20_49, .share = KS_SHARE_LT10, .attrs = a1, .nattrs = 1};
    ks_guide_problem p2[2] = {{.problem_id = CARE, .band = KS_BAND_100, .share = KS_SHARE_GE50},
                              {.problem_id = HIKI, .band = KS_BAND_20_49, .share = KS_SHARE_30_49}};
    ks_guide_problem p3 = {.problem_id = HIKI, .band = KS_BAND_10_19, .share = KS_SHARE_10_29, .attrs = a3, .nattrs = 1};
    ks_guide_window w[4] = {
        {.partner = &pa[0], .rec = &rec[0], .problems = &p0, .nproblems = 1},
        {.partner = &pa[1], .rec = &rec[1], .problems = &p1, .nproblems = 1},
        {.partner = &pa[2], .rec = NULL, .problems = p2, .nproblems = 2},
        {.partner = &pa[3], .rec = &rec3, .problems = &p3, .nproblems = 1},
    };
    ks_guide g = {.profile = prof, .windows = w, .nwindows = 4, .k = 5};
    ks_guide_hit *hits = NULL;
    size_t n = 0;

    /* hikikomori, nothing else chosen: all four fit, none matches an
     * attribute; by band: 1 and 2 (20-49), then 0 and 3 (10-19); within
     * the bands by share: 2 (30-49%) before 1 (<10%), 0 and 3 both 10-29%,
     * so profile order */
    ks_guide_query q = {.problem_id = HIKI, .age_group = -1};
    KS_CHECK_INT(ks_guide_lookup(&g, &q, &hits, &n, &err), 0);
    KS_CHECK_INT(n, 4);
    if (n == 4) {
        KS_CHECK_INT(hits[0].window, 2);
        KS_CHECK_INT(hits[1].window, 1);
        KS_CHECK_INT(hits[2].window, 0);
        KS_CHECK_INT(hits[3].window, 3);
    }
    free(hits);

    /* age 50-54 (group 40-64): 0 serves 65+ only and 1 15-39 only, so
     * they drop; 2 (no record) and 3 (all ages) stay, by band */
    q.age_group = ks_guide_age_parse("50-54");
    KS_CHECK_INT(q.age_group, 2);
    KS_CHECK_INT(ks_guide_lookup(&g, &q, &hits, &n, &err), 0);
    KS_CHECK_INT(n, 2);
    if (n == 2) {
        KS_CHECK_INT(hits[0].window, 2);
        KS_CHECK_INT(hits[1].window, 3);
    }
    free(hits);

    /* 75+ living alone in 東部: 1 drops (15-39); 0 matches two attributes
     * (75+ and single), 3 one (東部), 2 none: matched first, then band */
    q.age_group = ks_guide_age_parse("80");
    q.household = 1;
    q.district = 1;
    KS_CHECK_INT(ks_guide_lookup(&g, &q, &hits, &n, &err), 0);
    KS_CHECK_INT(n, 3);
    if (n == 3) {
        KS_CHECK_INT(hits[0].window, 0);
        KS_CHECK_INT(hits[0].matched, 2);
        KS_CHECK_INT(hits[1].window, 3);
        KS_CHECK_INT(hits[1].matched, 1);
        KS_CHECK_INT(hits[2].window, 2);
    }
    free(hits);
    /* a couple (household 2) in 西部 (district 2): 0 serves only people
     * living alone in 東部 */
    q.household = 2;
    q.district = 2;
    q.age_group = -1;
    KS_CHECK_INT(ks_guide_lookup(&g, &q, &hits, &n, &err), 0);
    for (size_t i = 0; i < n; i++)
        KS_CHECK(hits[i].window != 0);
    KS_CHECK_INT(n, 3);
    free(hits);

    /* open now: only windows whose record says open; no record or unknown
     * hours is never "open".  Tuesday 2027-01-12 10:00: 0 and 1.  Monday
     * 2027-01-11 (成人の日) 10:00: 1 only (open on holidays).  Tuesday
     * 18:00: neither (17:15 and 18:00 are both ends) */
    q = (ks_guide_query){.problem_id = HIKI, .age_group = -1, .open_now = true, .at_date = {2027, 1, 12},
                         .at_minute = 600};
    KS_CHECK_INT(ks_guide_lookup(&g, &q, &hits, &n, &err), 0);
    KS_CHECK_INT(n, 2);
    if (n == 2) {
        KS_CHECK_INT(hits[0].window, 1);
        KS_CHECK_INT(hits[1].window, 0);
    }
    free(hits);
    q.at_date = (ks_date){2027, 1, 11};
    KS_CHECK_INT(ks_guide_lookup(&g, &q, &hits, &n, &err), 0);
    KS_CHECK_INT(n, 1);
    if (n == 1)
        KS_CHECK_INT(hits[0].window, 1);
    free(hits);
    q.at_date = (ks_date){2027, 1, 12};
    q.at_minute = 18 * 60;
    KS_CHECK_INT(ks_guide_lookup(&g, &q, &hits, &n, &err), 0);
    KS_CHECK_INT(n, 0);
    free(hits);

    /* a problem no window shows evidence for: nothing fits */
    q = (ks_guide_query){.problem_id = 16, .age_group = -1};
    KS_CHECK_INT(ks_guide_lookup(&g, &q, &hits, &n, &err), 0);
    KS_CHECK_INT(n, 0);
    free(hits);

    /* the age vocabulary */
    KS_CHECK_INT(ks_guide_age_parse("40-64"), 2);
    KS_CHECK_INT(ks_guide_age_parse("0"), 0);
    KS_CHECK_INT(ks_guide_age_parse("19"), 0);
    KS_CHECK_INT(ks_guide_age_parse("20"), 1);
    KS_CHECK_INT(ks_guide_age_parse("74"), 3);
    KS_CHECK_INT(ks_guide_age_parse("75"), 4);
    KS_CHECK_INT(ks_guide_age_parse("100-104"), 4);
    KS_CHECK_INT(ks_guide_age_parse("51-55"), -1);
    KS_CHECK_INT(ks_guide_age_parse("x"), -1);
    KS_CHECK_STR(ks_guide_band_label(KS_BAND_K_9, 5, "ja"), "5〜9件");
    KS_CHECK_STR(ks_guide_band_label(KS_BAND_100, 5, "en"), "100 cases or more");
    KS_CHECK_STR(ks_guide_share_label(KS_SHARE_30_49, "ja"), "3〜5割");

    ks_hours_release(&rec[0].hours);
    ks_hours_release(&rec[1].hours);
    ks_profile_free(prof);
    return ks_test_report();
}
