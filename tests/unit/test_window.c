/* test_window: windows.csv, the directory records of a profile (window.h,
 * profile.h).  The good fixture (tests/data/profiles-win/good/) is read back
 * field by field against the values written in it; every broken file is
 * expected to fail with a file:line:column message written here by hand
 * (columns count characters on the physical line, from 1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hours.h"
#include "profile.h"
#include "window.h"
#include "test.h"

static const char *tmp_root(void)
{
    const char *t = getenv("KASANE_TEST_TMP");
    return t && *t ? t : "/tmp";
}

static void fixture_dir(char *buf, size_t n)
{
    const char *src = getenv("KASANE_SOURCE_DIR");
    snprintf(buf, n, "%s/tests/data/profiles-win/good/", src ? src : ".");
}

static void test_good(void)
{
    char dir[1024];
    fixture_dir(dir, sizeof dir);
    ks_error err = {0};
    ks_profile *p = ks_profile_load(dir, &err);
    if (!p)
        fprintf(stderr, "good: %s\n", err.msg);
    KS_CHECK(p != NULL);
    if (!p)
        return;
    size_t n;
    const ks_window *w = ks_profile_windows(p, &n);
    KS_CHECK_INT(n, 3);
    if (n != 3) {
        ks_profile_free(p);
        return;
    }

    /* houkatsu: every column given, some in full width */
    const ks_window *h = ks_profile_window(p, 1);
    KS_CHECK(h == &w[0]);
    KS_CHECK_INT(h->partner_id, 1);
    KS_CHECK_INT(h->op, KS_OPERATOR_CORPORATION);
    KS_CHECK_STR(h->operator_name, "社会福祉法人テスト会");
    KS_CHECK_STR(h->department, "健康福祉部高齢者支援課");
    KS_CHECK_STR(h->summary_ja, "高齢の方の介護、健康、\n暮らしの相談を受けます。");
    KS_CHECK_STR(h->summary_en, "Advice on care, health and daily life for older people.");
    KS_CHECK_STR(h->audience_ja, "65歳以上の方とその家族");
    KS_CHECK_STR(h->audience_en, "People aged 65 and over and their families");
    KS_CHECK_INT(h->age_min, 65); /* written ６５ */
    KS_CHECK_INT(h->age_max, -1);
    KS_CHECK_INT(h->households, (1u << 1) | (1u << 2)); /* single = 1, couple = 2 (codes.c) */
    KS_CHECK_INT(h->districts, (1ull << 1) | (1ull << 2)); /* 東部 = 1, Seibu = 西部 = 2 */
    KS_CHECK_INT(h->channels, KS_CHANNEL_VISIT | KS_CHANNEL_PHONE | KS_CHANNEL_OUTREACH);
    KS_CHECK_STR(h->address, "東京都テスト市東部1-2-3");
    KS_CHECK_STR(h->phone, "0422-45-1151"); /* written ０４２２－４５－１１５１ */
    KS_CHECK_STR(h->fax, "0422-45-1152");
    KS_CHECK_STR(h->email, "houkatsu@example.org");
    KS_CHECK_STR(h->url, "https://example.org/houkatsu");
    KS_CHECK_INT(h->hours.n, 6);
    KS_CHECK_INT(h->hours.holidays, KS_HOLIDAYS_CLOSED); /* holidays empty */
    if (h->hours.n == 6) {
        KS_CHECK_INT(h->hours.spans[0].weekday, 0);
        KS_CHECK_INT(h->hours.spans[0].start, 8 * 60 + 30);
        KS_CHECK_INT(h->hours.spans[0].end, 17 * 60 + 15);
        KS_CHECK_INT(h->hours.spans[5].weekday, 5);
        KS_CHECK_INT(h->hours.spans[5].end, 12 * 60);
    }
    KS_CHECK_STR(h->hours_note, "第2・4土曜休み");
    KS_CHECK(h->assured);
    KS_CHECK_INT(h->assured_date.y, 2026);
    KS_CHECK_INT(h->assured_date.m, 4);
    KS_CHECK_INT(h->assured_date.d, 1);
    KS_CHECK_STR(h->source, "fixture p.1");

    /* seikatsu: 市, 市内全域, every channel, open on holidays, no hours */
    const ks_window *s = ks_profile_window(p, 2);
    KS_CHECK(s == &w[1]);
    KS_CHECK_INT(s->partner_id, 2);
    KS_CHECK_INT(s->op, KS_OPERATOR_CITY);
    KS_CHECK_STR(s->operator_name, "");
    KS_CHECK_STR(s->department, "生活福祉課");
    KS_CHECK_STR(s->summary_ja, "");
    KS_CHECK_INT(s->age_min, 18);
    KS_CHECK_INT(s->age_max, 64);
    KS_CHECK_INT(s->households, 0);
    KS_CHECK_INT(s->districts, 0);
    KS_CHECK_INT(s->channels, KS_CHANNEL_VISIT | KS_CHANNEL_PHONE | KS_CHANNEL_FAX | KS_CHANNEL_EMAIL |
                                  KS_CHANNEL_OUTREACH | KS_CHANNEL_ONLINE);
    KS_CHECK_STR(s->phone, "0422-29-9292(内線2611)"); /* full-width brackets fold */
    KS_CHECK_STR(s->fax, "");
    KS_CHECK_STR(s->email, "");
    KS_CHECK_STR(s->url, "");
    KS_CHECK_INT(s->hours.n, 0);
    KS_CHECK_INT(s->hours.holidays, KS_HOLIDAYS_OPEN);
    KS_CHECK(!s->assured);
    KS_CHECK_STR(s->source, "fixture p.2");

    /* shakyo: only the operator, "city" and the hours */
    const ks_window *k = ks_profile_window(p, 3);
    KS_CHECK(k == &w[2]);
    KS_CHECK_INT(k->op, KS_OPERATOR_SHAKYO);
    KS_CHECK_INT(k->age_min, -1);
    KS_CHECK_INT(k->age_max, -1);
    KS_CHECK_INT(k->districts, 0);
    KS_CHECK_INT(k->channels, 0);
    KS_CHECK_STR(k->phone, "");
    KS_CHECK_STR(k->address, "");
    KS_CHECK_STR(k->hours_note, "");
    KS_CHECK_STR(k->source, "");
    KS_CHECK_INT(k->hours.n, 10);
    KS_CHECK_INT(k->hours.holidays, KS_HOLIDAYS_YEAREND_CLOSED);
    /* 勤労感謝の日 2026-11-23 (a Monday): houkatsu closed, shakyo open by its rules */
    ks_error e = {0};
    ks_date labour = {2026, 11, 23};
    KS_CHECK(!ks_hours_open_at(&h->hours, labour, 10 * 60, &e));
    KS_CHECK(ks_hours_open_at(&k->hours, labour, 10 * 60, &e));
    KS_CHECK(!ks_hours_open_at(&k->hours, labour, 12 * 60 + 30, &e));
    KS_CHECK(!ks_hours_open_at(&k->hours, (ks_date){2026, 12, 29}, 10 * 60, &e));
    KS_CHECK_INT(e.code, 0);
    char *text = ks_hours_text(&k->hours, "ja");
    KS_CHECK_STR(text, "月〜金 9:00〜12:00・13:00〜17:00");
    free(text);

    /* kodomo has no record; ids out of range have none */
    KS_CHECK(ks_profile_window(p, 4) == NULL);
    KS_CHECK(ks_profile_window(p, 0) == NULL);
    KS_CHECK(ks_profile_window(p, 5) == NULL);
    KS_CHECK(ks_profile_window(p, -1) == NULL);
    ks_profile_free(p);
}

/* The built-in profiles load with or without a windows.csv, and every
 * record they have belongs to a partner of theirs. */
static void test_builtins(void)
{
    for (const char *const *b = ks_profile_builtin_names(); *b; b++) {
        ks_error err = {0};
        ks_profile *p = ks_profile_load(*b, &err);
        if (!p)
            fprintf(stderr, "%s: %s\n", *b, err.msg);
        KS_CHECK(p != NULL);
        if (!p)
            continue;
        size_t n, np;
        const ks_window *w = ks_profile_windows(p, &n);
        ks_profile_partners(p, &np);
        for (size_t i = 0; i < n; i++) {
            KS_CHECK(w[i].partner_id >= 1 && (size_t)w[i].partner_id <= np);
            KS_CHECK(ks_profile_window(p, w[i].partner_id) == &w[i]);
        }
        ks_profile_free(p);
    }
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s%s", dir, name);
    FILE *f = fopen(path, "wb");
    KS_CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static const char districts[] = "name_ja,name_en\n東部,Tobu\n西部,Seibu\n北野,Kitano\n";
static const char partners[] = "code,name_ja,name_en,field,kind,aliases\n"
                               "houkatsu,地域包括支援センター,Community General Support Center,care,agency,包括\n"
                               "seikatsu,生活・就労支援窓口,Life and Work Support Desk,poverty,city_window,\n"
                               "shakyo,社会福祉協議会,Council of Social Welfare,other,organisation,社協\n";

/* Writes a profile with this windows.csv (and, when given, districts.csv)
 * and expects the load to fail with exactly "<dir>/<file>:<tail>". */
static void expect(const char *tag, const char *dists, const char *windows, const char *file, const char *tail)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/profile-win-%s/", tmp_root(), tag);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        fprintf(stderr, "mkdir %s: %s\n", dir, strerror(errno));
    write_file(dir, "districts.csv", dists ? dists : districts);
    write_file(dir, "partners.csv", partners);
    write_file(dir, "windows.csv", windows);
    ks_error err = {0};
    ks_profile *p = ks_profile_load(dir, &err);
    KS_CHECK(p == NULL);
    ks_profile_free(p);
    KS_CHECK_INT(err.code, KS_EDATA);
    char want[2048];
    snprintf(want, sizeof want, "%s%s:%s", dir, file, tail);
    if (strcmp(err.msg, want) != 0)
        fprintf(stderr, "%s:\n  got  '%s'\n  want '%s'\n", tag, err.msg, want);
    KS_CHECK_STR(err.msg, want);
}

static void test_errors(void)
{
    mkdir(tmp_root(), 0700);
    const char *W = "windows.csv";
    expect("code", NULL, "code,phone\nnokoode,03-1234-5678\n", W,
           "2:1: column 'code': 'nokoode' is not a partner code of this profile (partners.csv)");
    expect("alias", NULL, "code\n包括\n", W,
           "2:1: column 'code': '包括' is not a partner code of this profile (partners.csv)");
    expect("dup", NULL, "code\nshakyo\nhoukatsu\nshakyo\n", W, "4:1: duplicate code 'shakyo' (first on line 2)");
    expect("emptycode", NULL, "code,phone\n,0422\n", W, "2:1: column 'code' is empty");
    /* houkatsu is 8 characters: the second field starts at 10 */
    expect("ages", NULL, "code,age_min,age_max\nhoukatsu,65,18\n", W, "2:13: column 'age_max': 18 is below age_min 65");
    expect("age", NULL, "code,age_min\nhoukatsu,121\n", W, "2:10: column 'age_min': '121' is not an age from 0 to 120");
    expect("agetext", NULL, "code,age_max\nhoukatsu,65歳\n", W,
           "2:10: column 'age_max': '65歳' is not an age from 0 to 120");
    expect("hours", NULL, "code,hours\nhoukatsu,月-金 8:30-1715\n", W,
           "2:10: column 'hours': '月-金 8:30-1715': character 10: an hour has one or two digits (9:00, 17:15)");
    expect("holidays", NULL, "code,holidays\nhoukatsu,sometimes\n", W,
           "2:10: column 'holidays': unknown value 'sometimes' (expected closed, open or yearend_closed, or "
           "祝日休み, 祝日も開所, 年末年始休み)");
    expect("date", NULL, "code,assured_date\nhoukatsu,2026-02-30\n", W,
           "2:10: column 'assured_date': '2026-02-30' is not a real date");
    expect("dateform", NULL, "code,assured_date\nhoukatsu,R8.4.1\n", W,
           "2:10: column 'assured_date': 'R8.4.1' is not a date in the form YYYY-MM-DD");
    expect("phone", NULL, "code,phone\nhoukatsu,0422-45-ABCD\n", W,
           "2:10: column 'phone': '0422-45-ABCD' is not a phone number (digits, '-', '(', ')', '+' and 内線 only)");
    expect("fax", NULL, "code,fax\nhoukatsu,なし\n", W,
           "2:10: column 'fax': 'なし' is not a phone number (digits, '-', '(', ')', '+' and 内線 only)");
    expect("email", NULL, "code,email\nhoukatsu,houkatsu.example.org\n", W,
           "2:10: column 'email': 'houkatsu.example.org' is not an e-mail address");
    expect("url", NULL, "code,url\nhoukatsu,example.org/houkatsu\n", W,
           "2:10: column 'url': 'example.org/houkatsu' is not a web address (http:// or https://, no spaces)");
    expect("district", NULL, "code,residence\nhoukatsu,東部|南部\n", W, "2:10: column 'residence': unknown district '南部'");
    expect("citymix", NULL, "code,residence\nhoukatsu,city|東部\n", W,
           "2:10: column 'residence': 'city' (the whole city) cannot be listed with districts");
    expect("channel", NULL, "code,channels\nhoukatsu,来所|LINE\n", W,
           "2:10: column 'channels': unknown channel 'line' (expected visit, phone, fax, email, outreach or online, "
           "or 来所, 電話, FAX, メール, 訪問, オンライン)");
    expect("operator", NULL, "code,operator\nhoukatsu,県\n", W,
           "2:10: column 'operator': unknown value '県' (expected city, shakyo, corporation or other, or 市, "
           "社会福祉協議会, 社協, 法人, その他)");
    expect("household", NULL, "code,households\nhoukatsu,単身|大家族\n", W,
           "2:10: column 'households': unknown household type '大家族' (expected single, couple, parent_child, "
           "single_parent, three_generation or other)");
    /* the header: columns by name, any case, none unknown or twice */
    expect("unknowncol", NULL, "code,telephone\n", W, "1:6: unknown column 'telephone'");
    expect("twice", NULL, "code,phone,Phone\nhoukatsu,,\n", W, "1:12: column 'phone' given twice");
    expect("nocode", NULL, "phone\n0422\n", W, "1:1: missing column 'code'");
    /* after a BOM, the first column is still 1; Japanese counts one per character */
    expect("bom", NULL, "\xEF\xBB\xBF" "code,電話\n", W, "1:6: unknown column '電話'");
    /* a quoted line break: the phone is on physical line 3, after 受けます" and
     * the comma: 受1 け2 ま3 す4 "5 ,6 電7 */
    expect("lines", NULL, "code,summary_ja,phone\nhoukatsu,\"相談を\n受けます\",電話なし\n", W,
           "3:7: column 'phone': '電話なし' is not a phone number (digits, '-', '(', ')', '+' and 内線 only)");
    /* too few fields: where the record ends; too many: the first extra field */
    expect("short", NULL, "code,phone\nhoukatsu\n", W, "2:9: expected 2 fields but found 1");
    expect("long", NULL, "code,phone\nhoukatsu,0422,x\n", W, "2:15: expected 2 fields but found 3");
    expect("quote", NULL, "code,phone\nhoukatsu,04\"22\n", W, "2:12: field 2: quote inside an unquoted field");
    /* districts.csv and partners.csv give columns too: 西1 部2 ,3 東4 */
    expect("dists", "name_ja,name_en\n東部,Tobu\n西部,東部\n", "code\n", "districts.csv",
           "3:4: district name '東部' is already used on line 2");
}

/* No windows.csv: no records, and no error. */
static void test_absent(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/profile-win-absent/", tmp_root());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        fprintf(stderr, "mkdir %s: %s\n", dir, strerror(errno));
    write_file(dir, "districts.csv", districts);
    write_file(dir, "partners.csv", partners);
    char path[1200];
    snprintf(path, sizeof path, "%swindows.csv", dir);
    remove(path);
    ks_error err = {0};
    ks_profile *p = ks_profile_load(dir, &err);
    KS_CHECK(p != NULL);
    if (!p)
        return;
    size_t n = 99;
    ks_profile_windows(p, &n);
    KS_CHECK_INT(n, 0);
    KS_CHECK(ks_profile_window(p, 1) == NULL);
    ks_profile_free(p);
}

static void test_words(void)
{
    KS_CHECK_INT(ks_operator_parse(""), KS_OPERATOR_UNKNOWN);
    KS_CHECK_INT(ks_operator_parse("社会福祉協議会"), KS_OPERATOR_SHAKYO);
    KS_CHECK_INT(ks_operator_parse("corporation"), KS_OPERATOR_CORPORATION);
    KS_CHECK_INT(ks_operator_parse("その他"), KS_OPERATOR_OTHER);
    KS_CHECK_INT(ks_operator_parse("県"), -1);
    KS_CHECK_STR(ks_operator_code(KS_OPERATOR_CITY), "city");
    KS_CHECK_STR(ks_operator_code(KS_OPERATOR_UNKNOWN), "");
    KS_CHECK_INT(ks_channel_parse("fax"), KS_CHANNEL_FAX);
    KS_CHECK_INT(ks_channel_parse("オンライン"), KS_CHANNEL_ONLINE);
    KS_CHECK_INT(ks_channel_parse("line"), 0);
    KS_CHECK_STR(ks_channel_code(KS_CHANNEL_OUTREACH), "outreach");
    KS_CHECK(ks_channel_code(KS_CHANNEL_VISIT | KS_CHANNEL_PHONE) == NULL);
}

int main(void)
{
    test_good();
    test_builtins();
    test_errors();
    test_absent();
    test_words();
    return ks_test_report();
}
