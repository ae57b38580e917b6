/* guide_labels.c: the guide's fixed vocabularies -- age groups, bands and
 * share classes -- with their labels (guide.h).  The page, the HSDS
 * export, the CSV and the terminal all print these words, so they are
 * defined once. */
#include <stdlib.h>
#include <string.h>

#include "guide.h"

/* Unions of 5-year bands (date.h: band b covers 5b..5b+4, band 20 is 100+).
 * The cuts follow the windows' own 対象: children and young people (the
 * child windows serve up to 18 and youth support to 39 at most), working
 * age (介護保険's second-insured 40-64, where 8050's "50" sits), and the
 * two halves of old age the care windows tell apart. */
static const ks_guide_age_group age_groups[] = {
    {"0-19", "0〜19歳", "0 to 19", 0, 3, 0, 19},
    {"20-39", "20〜39歳", "20 to 39", 4, 7, 20, 39},
    {"40-64", "40〜64歳", "40 to 64", 8, 12, 40, 64},
    {"65-74", "65〜74歳", "65 to 74", 13, 14, 65, 74},
    {"75+", "75歳以上", "75 and over", 15, 20, 75, -1},
};

const ks_guide_age_group *ks_guide_age_groups(size_t *n)
{
    *n = sizeof age_groups / sizeof age_groups[0];
    return age_groups;
}

int ks_guide_age_group_of_band(int band)
{
    for (size_t i = 0; i < sizeof age_groups / sizeof age_groups[0]; i++)
        if (band >= age_groups[i].band_lo && band <= age_groups[i].band_hi)
            return (int)i;
    return -1;
}

/* a whole non-negative number, or -1 */
static int number(const char *s, size_t n)
{
    if (n == 0 || n > 3)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int ks_guide_age_parse(const char *text)
{
    size_t n = sizeof age_groups / sizeof age_groups[0];
    for (size_t i = 0; i < n; i++)
        if (strcmp(text, age_groups[i].code) == 0)
            return (int)i;
    const char *dash = strchr(text, '-');
    int lo = number(text, dash ? (size_t)(dash - text) : strlen(text));
    if (lo < 0 || lo > KS_AGE_MAX)
        return -1;
    if (dash) {
        /* a 5-year band "50-54" as the import writes them */
        int hi = number(dash + 1, strlen(dash + 1));
        if (lo % 5 != 0 || hi != lo + 4)
            return -1;
    }
    return ks_guide_age_group_of_band(ks_age_band(lo));
}

const char *ks_guide_band_label(ks_guide_band b, int k, const char *lang)
{
    bool en = lang && strcmp(lang, "en") == 0;
    switch (b) {
    case KS_BAND_K_9:
        /* the lowest band starts at k: with k = 5 "5〜9件"; a larger k
         * makes it "k..9" (k <= 9 is enforced by ks_guide_build) */
        switch (k) {
        case 2: return en ? "2-9 cases" : "2〜9件";
        case 3: return en ? "3-9 cases" : "3〜9件";
        case 4: return en ? "4-9 cases" : "4〜9件";
        case 5: return en ? "5-9 cases" : "5〜9件";
        case 6: return en ? "6-9 cases" : "6〜9件";
        case 7: return en ? "7-9 cases" : "7〜9件";
        case 8: return en ? "8-9 cases" : "8〜9件";
        default: return en ? "9 cases" : "9件";
        }
    case KS_BAND_10_19: return en ? "10-19 cases" : "10〜19件";
    case KS_BAND_20_49: return en ? "20-49 cases" : "20〜49件";
    case KS_BAND_50_99: return en ? "50-99 cases" : "50〜99件";
    case KS_BAND_100: return en ? "100 cases or more" : "100件以上";
    default: return "";
    }
}

const char *ks_guide_share_label(ks_guide_share s, const char *lang)
{
    bool en = lang && strcmp(lang, "en") == 0;
    switch (s) {
    case KS_SHARE_LT10: return en ? "under 10%" : "1割未満";
    case KS_SHARE_10_29: return en ? "10-29%" : "1〜3割";
    case KS_SHARE_30_49: return en ? "30-49%" : "3〜5割";
    case KS_SHARE_GE50: return en ? "50% or more" : "5割以上";
    default: return "";
    }
}
