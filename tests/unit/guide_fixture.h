/* guide_fixture.h: what the guide writers' tests (test_guide_hsds,
 * test_guide_site) share to build a ks_guide by hand and read back what a
 * writer wrote.  Static inline functions, included once per test.
 *
 * Ownership: the records, attributes and problems made here borrow their
 * strings (string literals, codes.h's static table), as a guide built by
 * hand may: the writers only read a guide, and nothing here is freed. */
#ifndef KASANE_TEST_GUIDE_FIXTURE_H
#define KASANE_TEST_GUIDE_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "codes.h"
#include "guide.h"
#include "profile.h"
#include "util.h"

/* The whole file at path (caller frees), its length in *len when not NULL;
 * NULL when it cannot be opened. */
static inline char *gf_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    ks_buf b;
    ks_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ks_buf_add(&b, chunk, n);
    fclose(f);
    return ks_buf_detach(&b, len);
}

/* The file DIR/NAME (caller frees), NULL when missing. */
static inline char *gf_file_in(const char *dir, const char *name)
{
    ks_buf p;
    ks_buf_init(&p);
    ks_buf_addf(&p, "%s/%s", dir, name);
    char *s = gf_slurp(p.buf, NULL);
    ks_buf_release(&p);
    return s;
}

/* The profile's partner with this code (borrowed), NULL when it has none. */
static inline const ks_partner *gf_partner(const ks_profile *prof, const char *code)
{
    size_t n;
    const ks_partner *ps = ks_profile_partners(prof, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(ps[i].code, code) == 0)
            return &ps[i];
    return NULL;
}

/* A record for the partner with nothing given: every text "", no age
 * bounds, hours unknown; the test sets what it needs. */
static inline ks_window gf_window(int partner_id)
{
    return (ks_window){
        .partner_id = partner_id,
        .operator_name = "",
        .department = "",
        .summary_ja = "",
        .summary_en = "",
        .audience_ja = "",
        .audience_en = "",
        .age_min = -1,
        .age_max = -1,
        .address = "",
        .phone = "",
        .fax = "",
        .email = "",
        .url = "",
        .hours_note = "",
        .source = "",
    };
}

/* An attribute value shown with a band. */
static inline ks_guide_attr gf_attr(ks_guide_dim dim, const char *code, const char *ja, const char *en,
                                    ks_guide_band band)
{
    return (ks_guide_attr){dim, (char *)code, (char *)ja, (char *)en, band, 0};
}

/* The evidence for the problem with this code (codes.h's id and labels),
 * a band and a share; no rate, no attributes. */
static inline ks_guide_problem gf_problem(const char *code, ks_guide_band band, ks_guide_share share)
{
    size_t n;
    const ks_code *c = ks_codes(KS_CODE_PROBLEM, &n);
    ks_guide_problem p = {0};
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].code, code) == 0) {
            p.problem_id = c[i].id;
            p.code = (char *)c[i].code;
            p.label_ja = (char *)c[i].label_ja;
            p.label_en = (char *)c[i].label_en;
        }
    p.band = band;
    p.share = share;
    return p;
}

#endif
