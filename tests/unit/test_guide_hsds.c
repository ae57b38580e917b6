/* test_guide_hsds: the HSDS 3.0 and CSV writers on a guide built by hand
 * (three windows of the mitaka profile: one with a full record and hours,
 * one city window with a record but no address or hours, one agency with
 * no record).  Expected ids are UUIDv5 values computed independently with
 * CPython (Python 3.11.2):
 *   /usr/bin/python3 -c 'import uuid; ns = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/kasane/hsds");
 *                        print(uuid.uuid5(ns, "kasane:mitaka:houkatsu:schedule:510-1035"))'   (and the names below)
 * Schema validity is checked by tests/cli/t4020-hsds-schema.sh, which
 * runs this program with KASANE_HSDS_OUT=DIR to get the same output. */
#include <dirent.h>

#include "guide_fixture.h"
#include "guide_write.h"
#include "test.h"

static bool file_has(const char *dir, const char *rel, const char *needle)
{
    ks_buf p;
    ks_buf_init(&p);
    ks_buf_addf(&p, "%s/hsds/%s", dir, rel);
    char *s = gf_slurp(p.buf, NULL);
    bool ok = s && strstr(s, needle);
    if (!ok)
        fprintf(stderr, "%s lacks %s\n", p.buf, needle);
    free(s);
    ks_buf_release(&p);
    return ok;
}

/* files of DIR/hsds/SUB, names into names (caller frees) */
static size_t list(const char *dir, const char *sub, char names[][64], size_t max)
{
    ks_buf p;
    ks_buf_init(&p);
    ks_buf_addf(&p, "%s/hsds/%s", dir, sub);
    DIR *d = opendir(p.buf);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && n < max)
            snprintf(names[n++], 64, "%.63s", e->d_name);
    if (d)
        closedir(d);
    ks_buf_release(&p);
    return n;
}

static bool same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = gf_slurp(a, &na), *y = gf_slurp(b, &nb);
    bool same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

int main(void)
{
    ks_error err = {0};
    ks_guide g = {0};
    g.profile = ks_profile_load("mitaka", &err);
    KS_CHECK(g.profile != NULL);
    if (!g.profile)
        return ks_test_report();
    g.profile_name = "mitaka";
    g.period_from = "2024-04-01";
    g.period_to = "2025-03-31";
    g.built_at = "2026-12-07";
    g.engine_version = "0.1.0";
    g.k = 5;

    /* 1: houkatsu, run by the 社協, full record */
    ks_window rec[2];
    rec[0] = gf_window(gf_partner(g.profile, "houkatsu")->id);
    rec[0].op = KS_OPERATOR_SHAKYO;
    rec[0].operator_name = "三鷹市社会福祉協議会";
    rec[0].summary_ja = "高齢の方の介護・福祉・健康の\"総合\"相談窓口です。";
    rec[0].audience_ja = "65歳以上の方とその家族";
    rec[0].age_min = 65;
    rec[0].households = 1u << 1 | 1u << 2; /* single, couple */
    rec[0].districts = 1ULL << 1;         /* 東部 */
    rec[0].channels = KS_CHANNEL_VISIT | KS_CHANNEL_PHONE | KS_CHANNEL_OUTREACH;
    rec[0].address = "三鷹市野崎一丁目1番1号";
    rec[0].phone = "0422-00-0000";
    rec[0].fax = "0422-00-0001";
    rec[0].url = "https://example.jp/houkatsu";
    rec[0].hours_note = "=第2土曜は休み";
    ks_hours_span spans[] = {{0, 510, 1035}, {1, 510, 1035}, {2, 510, 1035}, {3, 510, 1035}, {4, 510, 1035}, {5, 540, 720}};
    rec[0].hours.spans = spans;
    rec[0].hours.n = KS_ARRAY_LEN(spans);
    rec[0].hours.holidays = KS_HOLIDAYS_YEAREND_CLOSED;
    rec[0].assured = true;
    rec[0].assured_date = (ks_date){2026, 11, 1};
    /* 2: the city's 高齢者支援課: record without address or hours */
    rec[1] = gf_window(gf_partner(g.profile, "koreisha_shien_ka")->id);
    rec[1].op = KS_OPERATOR_CITY;
    rec[1].summary_ja = "介護保険の手続き";

    ks_guide_window windows[3] = {0};
    ks_guide_problem problems0[2], problems2[1];
    ks_guide_attr attrs00[1], attrs0[2];
    g.nwindows = 3;
    g.windows = windows;
    g.windows[0].partner = gf_partner(g.profile, "houkatsu");
    g.windows[0].rec = &rec[0];
    g.windows[0].band = KS_BAND_50_99;
    g.windows[0].nproblems = 2;
    g.windows[0].problems = problems0;
    g.windows[0].problems[0] = gf_problem("8050", KS_BAND_20_49, KS_SHARE_30_49);
    g.windows[0].problems[0].has_rate = true;
    g.windows[0].problems[0].rate_pct = 55;
    g.windows[0].problems[0].rate_lo_pct = 40;
    g.windows[0].problems[0].rate_hi_pct = 70;
    g.windows[0].problems[0].nattrs = 1;
    g.windows[0].problems[0].attrs = attrs00;
    g.windows[0].problems[0].attrs[0] = gf_attr(KS_DIM_AGE, "75+", "75歳以上", "75 and over", KS_BAND_10_19);
    g.windows[0].problems[1] = gf_problem("hikikomori", KS_BAND_K_9, KS_SHARE_LT10);
    g.windows[0].nattrs = 2;
    g.windows[0].attrs = attrs0;
    g.windows[0].attrs[0] = gf_attr(KS_DIM_AGE, "75+", "75歳以上", "75 and over", KS_BAND_20_49);
    g.windows[0].attrs[1] = gf_attr(KS_DIM_DISTRICT, "Tobu", "東部", "Tobu", KS_BAND_10_19);
    g.windows[0].nwith = 1;
    g.windows[0].with[0] = 1;
    g.windows[1].partner = gf_partner(g.profile, "koreisha_shien_ka");
    g.windows[1].rec = &rec[1];
    g.windows[1].band = KS_BAND_10_19;
    g.windows[2].partner = gf_partner(g.profile, "kikan_soudan");
    g.windows[2].rec = NULL; /* no record: evidence only */
    g.windows[2].band = KS_BAND_K_9;
    g.windows[2].nproblems = 1;
    g.windows[2].problems = problems2;
    g.windows[2].problems[0] = gf_problem("hikikomori", KS_BAND_K_9, KS_SHARE_10_29);

    ks_buf tmp, d1, d2, p1, p2;
    ks_test_scratch_tmpdir("guide_hsds", &tmp);
    ks_buf_init(&d1);
    ks_buf_init(&d2);
    ks_buf_init(&p1);
    ks_buf_init(&p2);
    ks_buf_addf(&d1, "%s/one", tmp.buf);
    ks_buf_addf(&d2, "%s/two", tmp.buf);
    mkdir(d1.buf, 0700);
    mkdir(d2.buf, 0700);
    KS_CHECK_INT(ks_guide_write_hsds(&g, d1.buf, &err), 0);
    KS_CHECK_INT(ks_guide_write_hsds(&g, d2.buf, &err), 0);
    /* a rewrite into the same folder replaces, leaves nothing stale */
    KS_CHECK_INT(ks_guide_write_hsds(&g, d2.buf, &err), 0);
    const char *out = getenv("KASANE_HSDS_OUT");
    if (out && *out)
        KS_CHECK_INT(ks_guide_write_hsds(&g, out, &err), 0);

    /* ids: the Python values of the stable names */
    const char *svc = "services/d94bb9cf-120d-5664-b8c7-43ef26e35a22.json";
    KS_CHECK(file_has(d1.buf, svc, "\"id\": \"d94bb9cf-120d-5664-b8c7-43ef26e35a22\""));
    KS_CHECK(file_has(d1.buf, "services/8e5078bb-606d-5f13-825c-1b886626853c.json", "\"name\": \"高齢者支援課\""));
    KS_CHECK(file_has(d1.buf, "services/b83a1958-822c-5b98-81a6-fddb59cbef8d.json", "\"name\": \"基幹相談支援センター\""));
    /* organizations: the named operator, the city, the agency itself */
    KS_CHECK(file_has(d1.buf, svc, "\"organization_id\": \"a4dc530a-ecf7-59ff-88f3-af5f6afa5c49\""));
    KS_CHECK(file_has(d1.buf, "organizations/edaf21ab-72a0-5f10-943e-99952f790f3e.json", "高齢者支援課"));
    KS_CHECK(file_has(d1.buf, "organizations/422cb8e3-bc9c-5aa6-b088-246bb890aa0d.json", "\"name\": \"基幹相談支援センター\""));
    /* schedules: one row per distinct time, RFC 5545 days, HH:MM */
    KS_CHECK(file_has(d1.buf, svc, "\"id\": \"e3765ced-e3a8-5544-a6a1-85edb46db1d9\""));
    KS_CHECK(file_has(d1.buf, svc, "\"byday\": \"MO,TU,WE,TH,FR\""));
    KS_CHECK(file_has(d1.buf, svc, "\"opens_at\": \"08:30\""));
    KS_CHECK(file_has(d1.buf, svc, "\"closes_at\": \"17:15\""));
    KS_CHECK(file_has(d1.buf, svc, "\"id\": \"03c4428f-b9ca-53c9-acbb-13a6a795e492\""));
    KS_CHECK(file_has(d1.buf, svc, "\"byday\": \"SA\""));
    KS_CHECK(file_has(d1.buf, svc, "\"description\": \"月〜金 8:30〜17:15\""));
    KS_CHECK(file_has(d1.buf, svc, "年末年始（12月29日〜1月3日）は休みです。 =第2土曜は休み"));
    KS_CHECK(file_has(d1.buf, svc, "\"number\": \"0422-00-0000\""));
    KS_CHECK(file_has(d1.buf, svc, "\"type\": \"fax\""));
    KS_CHECK(file_has(d1.buf, svc, "\"minimum_age\": 65"));
    KS_CHECK(file_has(d1.buf, svc, "\"assured_date\": \"2026-11-01\""));
    KS_CHECK(file_has(d1.buf, svc, "\"address_1\": \"三鷹市野崎一丁目1番1号\""));
    KS_CHECK(file_has(d1.buf, svc, "\"name\": \"東部\"")); /* service area */
    KS_CHECK(file_has(d1.buf, "service_at_locations/6833ac29-d9ac-53f9-83e9-c04cb1c56c68.json",
                      "\"location_id\": \"06f0718c-3675-5d3c-aa01-3f083c501376\""));
    /* evidence: attribute rows with the labels, a term under its field */
    KS_CHECK(file_has(d1.buf, svc, "\"taxonomy_term_id\": \"336eecf3-055f-51f0-bbf2-546fd5c53856\""));
    KS_CHECK(file_has(d1.buf, svc, "\"value\": \"20〜49件、この課題の3〜5割、良い結果 55%（95%信頼区間 40〜70%）\""));
    KS_CHECK(file_has(d1.buf, svc, "\"link_type\": \"eligibility\""));
    KS_CHECK(file_has(d1.buf, svc, "よく連携する窓口: 高齢者支援課。"));
    KS_CHECK(file_has(d1.buf, svc, "8050問題 で相談した人: 75歳以上 10〜19件。"));
    KS_CHECK(file_has(d1.buf, "taxonomy_terms/336eecf3-055f-51f0-bbf2-546fd5c53856.json",
                      "\"parent_id\": \"769eb594-472f-5af3-a098-109b8e52cb00\""));
    KS_CHECK(file_has(d1.buf, "taxonomies/67438554-548f-5538-bbaf-0ad2dfc340b8.json", "\"name\": \"kasane 課題 (problems)\""));
    KS_CHECK(file_has(d1.buf, "services.json", "\"total_items\": 3"));
    KS_CHECK(file_has(d1.buf, "service_at_locations.json", "\"total_items\": 1"));

    /* the same files, byte for byte, in both builds; all ids distinct */
    static const char *const subs[] = {"services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"};
    static char names[256][64], all[1024][64];
    size_t nall = 0;
    for (size_t s = 0; s < KS_ARRAY_LEN(subs); s++) {
        size_t n = list(d1.buf, subs[s], names, 256);
        static char names2[256][64];
        KS_CHECK_INT(list(d2.buf, subs[s], names2, 256), n);
        for (size_t i = 0; i < n; i++) {
            ks_buf_reset(&p1);
            ks_buf_reset(&p2);
            ks_buf_addf(&p1, "%s/hsds/%s/%s", d1.buf, subs[s], names[i]);
            ks_buf_addf(&p2, "%s/hsds/%s/%s", d2.buf, subs[s], names[i]);
            KS_CHECK(same_file(p1.buf, p2.buf));
            for (size_t j = 0; j < nall; j++)
                KS_CHECK(strcmp(all[j], names[i]) != 0);
            if (nall < 1024)
                memcpy(all[nall++], names[i], 64);
        }
        ks_buf_reset(&p1);
        ks_buf_reset(&p2);
        ks_buf_addf(&p1, "%s/hsds/%s.json", d1.buf, subs[s]);
        ks_buf_addf(&p2, "%s/hsds/%s.json", d2.buf, subs[s]);
        KS_CHECK(same_file(p1.buf, p2.buf));
    }
    /* 3 services, 3 organizations, 1 service at location, 4 taxonomies
     * (problem, age, household, district), 9 terms: 8050 + care, hikikomori + other,
     * 75+, 東部, single, couple */
    KS_CHECK_INT(nall, 3 + 3 + 1 + 4 + 8);

    /* ---- CSV ---- */
    ks_buf csv;
    ks_buf_init(&csv);
    ks_buf_addf(&csv, "%s/guide.csv", tmp.buf);
    KS_CHECK_INT(ks_guide_write_csv(&g, csv.buf, "ja", &err), 0);
    size_t n;
    char *c = gf_slurp(csv.buf, &n);
    KS_CHECK(c && n > 3 && memcmp(c, "\xEF\xBB\xBF", 3) == 0);
    /* every line break outside quotes is CRLF: count records the RFC 4180 way */
    size_t records = 0;
    bool inq = false, bare_lf = false;
    for (size_t i = 0; c && i < n; i++) {
        if (c[i] == '"')
            inq = !inq;
        else if (!inq && c[i] == '\n') {
            records++;
            if (i == 0 || c[i - 1] != '\r')
                bare_lf = true;
        }
    }
    KS_CHECK_INT(records, 4);
    KS_CHECK(!bare_lf);
    KS_CHECK(!inq);
    KS_CHECK(c && strstr(c, "\"高齢の方の介護・福祉・健康の\"\"総合\"\"相談窓口です。\""));
    KS_CHECK(c && strstr(c, ",\"'=第2土曜は休み\","));
    KS_CHECK(c && strstr(c, ",月〜金 8:30〜17:15、土 9:00〜12:00,"));
    KS_CHECK(c && strstr(c, "d94bb9cf-120d-5664-b8c7-43ef26e35a22,houkatsu,地域包括支援センター,"));
    KS_CHECK(c && strstr(c, "8050問題 （20〜49件、この課題の3〜5割、良い結果 55%（95%信頼区間 40〜70%））：75歳以上 10〜19件"));
    KS_CHECK(c && strstr(c, ",50〜99件,"));
    free(c);
    KS_CHECK_INT(ks_guide_write_csv(&g, csv.buf, "en", &err), 0);
    c = gf_slurp(csv.buf, &n);
    KS_CHECK(c && strstr(c, "\xEF\xBB\xBFid,code,name,name_en,"));
    KS_CHECK(c && strstr(c, "Mon-Fri 8:30-17:15, Sat 9:00-12:00"));
    free(c);
    /* a day of two spans, worded as hours.h's ks_hours_text documents it (the
     * site's wording): days with the same spans grouped, three in a row as a
     * range, spans joined by "・" / " & ", rules by "、" / ", " -- not one
     * rule per distinct time ("月〜土 9:00〜12:00、月〜金 13:00〜17:00") */
    ks_hours_span split[] = {{0, 540, 720}, {0, 780, 1020}, {1, 540, 720}, {1, 780, 1020}, {2, 540, 720},
                             {2, 780, 1020}, {3, 540, 720}, {3, 780, 1020}, {4, 540, 720}, {4, 780, 1020},
                             {5, 540, 720}};
    rec[0].hours.spans = split;
    rec[0].hours.n = KS_ARRAY_LEN(split);
    KS_CHECK_INT(ks_guide_write_csv(&g, csv.buf, "ja", &err), 0);
    c = gf_slurp(csv.buf, &n);
    KS_CHECK(c && strstr(c, ",月〜金 9:00〜12:00・13:00〜17:00、土 9:00〜12:00,"));
    free(c);
    KS_CHECK_INT(ks_guide_write_csv(&g, csv.buf, "en", &err), 0);
    c = gf_slurp(csv.buf, &n);
    /* quoted: the text holds a comma */
    KS_CHECK(c && strstr(c, ",\"Mon-Fri 9:00-12:00 & 13:00-17:00, Sat 9:00-12:00\","));
    free(c);

    ks_profile_free(g.profile);
    ks_buf_release(&csv);
    ks_buf_release(&tmp);
    ks_buf_release(&d1);
    ks_buf_release(&d2);
    ks_buf_release(&p1);
    ks_buf_release(&p2);
    return ks_test_report();
}
