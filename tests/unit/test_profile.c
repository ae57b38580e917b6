/* test_profile.c: municipality profiles.  Expected values come from the source
 * documents (shared/seeds/) and the import contract (Mitaka's seven districts),
 * not from the loader's own output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "embed.h"
#include "codes.h"
#include "profile.h"
#include "text.h"
#include "test.h"

static int partner_id(const ks_profile *p, const char *raw)
{
    ks_buf b;
    ks_buf_init(&b);
    int id = -1;
    if (ks_text_fold_label(raw, strlen(raw), &b) == 0)
        id = ks_profile_partner(p, b.buf, b.len);
    ks_buf_release(&b);
    return id;
}

static int district_id(const ks_profile *p, const char *raw)
{
    ks_buf b;
    ks_buf_init(&b);
    int id = -1;
    if (ks_text_fold_label(raw, strlen(raw), &b) == 0)
        id = ks_profile_district(p, b.buf, b.len);
    ks_buf_release(&b);
    return id;
}

static const ks_partner *by_code(const ks_profile *p, const char *code)
{
    size_t n;
    const ks_partner *ps = ks_profile_partners(p, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(ps[i].code, code) == 0)
            return &ps[i];
    return NULL;
}

/* The id of the partner with that code, or -2 when the profile lacks it (so
 * that a missing code never compares equal to a failed lookup). */
static int code_id(const ks_profile *p, const char *code)
{
    const ks_partner *q = by_code(p, code);
    return q ? q->id : -2;
}

/* The built-in list and the embedded files agree both ways. */
static void test_builtin_list(void)
{
    const char *const *names = ks_profile_builtin_names();
    const char *want[] = {"chigasaki", "kobayashi", "komaki", "mitaka"};
    size_t n = 0;
    for (; names[n]; n++)
        ;
    KS_CHECK_INT(n, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        KS_CHECK_STR(names[i], want[i]);
    for (const ks_embedded_file *f = ks_embedded_files; f->path; f++) {
        const char *slash = strchr(f->path, '/');
        KS_CHECK(slash != NULL);
        if (!slash)
            continue;
        int listed = 0;
        for (size_t i = 0; i < n; i++)
            listed |= strlen(names[i]) == (size_t)(slash - f->path) &&
                      strncmp(names[i], f->path, (size_t)(slash - f->path)) == 0;
        if (!listed)
            fprintf(stderr, "embedded '%s' is not in the built-in list\n", f->path);
        KS_CHECK(listed);
    }
}

/* Every built-in profile loads, ids are 1..n in order, every partner
 * resolves by each of its own names to itself. */
static void test_builtins_load(void)
{
    /* district counts: the contract (Mitaka 7), 000 (6 圏域), 002 (13 地区),
     * 003 (three 地域包括支援センター areas) */
    const struct { const char *name; size_t districts; } want[] = {
        {"mitaka", 7}, {"komaki", 6}, {"chigasaki", 13}, {"kobayashi", 3}};
    for (size_t k = 0; k < KS_ARRAY_LEN(want); k++) {
        ks_error err = {0};
        ks_profile *p = ks_profile_load(want[k].name, &err);
        if (!p)
            fprintf(stderr, "%s: %s\n", want[k].name, err.msg);
        KS_CHECK(p != NULL);
        if (!p)
            continue;
        KS_CHECK_STR(ks_profile_name(p), want[k].name);
        size_t nd, np;
        const ks_district *d = ks_profile_districts(p, &nd);
        const ks_partner *ps = ks_profile_partners(p, &np);
        KS_CHECK_INT(nd, want[k].districts);
        KS_CHECK(np >= 20);
        for (size_t i = 0; i < nd; i++) {
            KS_CHECK_INT(d[i].id, i + 1);
            KS_CHECK_INT(district_id(p, d[i].name_ja), i + 1);
            KS_CHECK_INT(district_id(p, d[i].name_en), i + 1);
        }
        for (size_t i = 0; i < np; i++) {
            KS_CHECK_INT(ps[i].id, i + 1);
            KS_CHECK(ps[i].field >= KS_FIELD_CARE && ps[i].field <= KS_FIELD_OTHER);
            KS_CHECK(ps[i].kind >= KS_PKIND_CITY_WINDOW && ps[i].kind <= KS_PKIND_ORGANISATION);
            KS_CHECK_INT(partner_id(p, ps[i].code), i + 1);
            KS_CHECK_INT(partner_id(p, ps[i].name_ja), i + 1);
            KS_CHECK_INT(partner_id(p, ps[i].name_en), i + 1);
            KS_CHECK(ps[i].aliases != NULL);
            for (char **a = ps[i].aliases; a && *a; a++)
                KS_CHECK_INT(partner_id(p, *a), i + 1);
        }
        /* the generic partners every city's coordinators write */
        const char *generic[] = {"minsei_iin", "iryo_kikan", "keisatsu", "gakko", "hello_work", "hokenjo", "shakyo"};
        for (size_t i = 0; i < KS_ARRAY_LEN(generic); i++) {
            if (!by_code(p, generic[i]))
                fprintf(stderr, "%s lacks '%s'\n", want[k].name, generic[i]);
            KS_CHECK(by_code(p, generic[i]) != NULL);
        }
        ks_profile_free(p);
    }
}

static void test_mitaka(void)
{
    ks_error err = {0};
    ks_profile *p = ks_profile_load("mitaka", &err);
    KS_CHECK(p != NULL);
    if (!p)
        return;
    /* the contract: 東部, 西部, 新川中原, 井の頭, 連雀, 大沢, 三鷹駅周辺, in that order */
    const char *seven[] = {"東部", "西部", "新川中原", "井の頭", "連雀", "大沢", "三鷹駅周辺"};
    size_t nd;
    const ks_district *d = ks_profile_districts(p, &nd);
    KS_CHECK_INT(nd, 7);
    for (size_t i = 0; i < nd && i < 7; i++)
        KS_CHECK_STR(d[i].name_ja, seven[i]);

    /* districts with suffixes, widths and English names */
    KS_CHECK_INT(district_id(p, "東部住区"), 1);
    KS_CHECK_INT(district_id(p, "連雀地区"), 5);
    KS_CHECK_INT(district_id(p, " 大沢 "), 6);
    KS_CHECK_INT(district_id(p, "ＴＯＢＵ"), 1);
    KS_CHECK_INT(district_id(p, "Mitaka Eki Shuhen"), 7);
    KS_CHECK_INT(district_id(p, "北部"), 0);
    KS_CHECK_INT(district_id(p, "地区"), 0);
    KS_CHECK_INT(district_id(p, ""), 0);

    /* partners listed in 004 and their fields/kinds as the document's tables give them */
    const ks_partner *h = by_code(p, "houkatsu");
    KS_CHECK(h != NULL);
    if (h) {
        KS_CHECK_STR(h->name_ja, "地域包括支援センター");
        KS_CHECK_INT(h->field, KS_FIELD_CARE);
        KS_CHECK_INT(h->kind, KS_PKIND_AGENCY);
    }
    const ks_partner *w = by_code(p, "seikatsu_shuro");
    KS_CHECK(w != NULL);
    if (w) {
        KS_CHECK_INT(w->field, KS_FIELD_POVERTY);
        KS_CHECK_INT(w->kind, KS_PKIND_CITY_WINDOW);
    }
    const ks_partner *s = by_code(p, "shakyo");
    KS_CHECK(s != NULL);
    if (s)
        KS_CHECK_INT(s->kind, KS_PKIND_ORGANISATION);
    KS_CHECK_INT(code_id(p, "kikan_soudan"), partner_id(p, "基幹相談支援センター"));
    KS_CHECK_INT(code_id(p, "kodomo_katei_shien"), partner_id(p, "子ども家庭支援センター"));
    KS_CHECK_INT(code_id(p, "tasedai_higashi"), partner_id(p, "三鷹市東多世代交流センター"));
    KS_CHECK_INT(code_id(p, "tasedai_nishi"), partner_id(p, "西多世代交流センター"));
    KS_CHECK(code_id(p, "tasedai_higashi") != code_id(p, "tasedai_nishi"));

    /* by Japanese name, with the city prefix, full-width/ideographic spaces */
    int houkatsu = code_id(p, "houkatsu");
    KS_CHECK(houkatsu > 0);
    KS_CHECK_INT(partner_id(p, "地域包括支援センター"), houkatsu);
    KS_CHECK_INT(partner_id(p, "三鷹市地域包括支援センター"), houkatsu);
    KS_CHECK_INT(partner_id(p, "三鷹市 地域包括支援センター"), houkatsu);
    KS_CHECK_INT(partner_id(p, "三鷹市\xE3\x80\x80地域包括支援センター"), houkatsu);
    KS_CHECK_INT(partner_id(p, "\xE3\x80\x80地域包括 支援センター "), houkatsu);
    /* by English code in any width or case, and by English name */
    KS_CHECK_INT(partner_id(p, "houkatsu"), houkatsu);
    KS_CHECK_INT(partner_id(p, "ＨＯＵＫＡＴＳＵ"), houkatsu);
    KS_CHECK_INT(partner_id(p, "community general support center"), houkatsu);
    /* by alias */
    KS_CHECK_INT(partner_id(p, "包括"), houkatsu);
    KS_CHECK_INT(partner_id(p, "社協"), code_id(p, "shakyo"));
    KS_CHECK_INT(partner_id(p, "三鷹市社会福祉協議会"), code_id(p, "shakyo"));
    KS_CHECK_INT(partner_id(p, "生活就労支援窓口"), code_id(p, "seikatsu_shuro"));
    KS_CHECK_INT(partner_id(p, "たかのこ"), code_id(p, "kodomo_hattatsu"));
    KS_CHECK_INT(partner_id(p, "地域活動支援センターⅡ型"), code_id(p, "chiiki_katsudo"));
    KS_CHECK_INT(partner_id(p, "地域活動支援センターII型"), code_id(p, "chiiki_katsudo"));
    KS_CHECK_INT(partner_id(p, "ﾊﾛｰﾜｰｸ"), code_id(p, "hello_work")); /* half-width katakana */
    KS_CHECK_INT(partner_id(p, "民生委員・児童委員"), code_id(p, "minsei_iin"));
    /* unknown */
    KS_CHECK_INT(partner_id(p, "存在しない窓口"), 0);
    KS_CHECK_INT(partner_id(p, "地域包括支援"), 0);
    KS_CHECK_INT(partner_id(p, ""), 0);
    ks_profile_free(p);
}

static void test_other_cities(void)
{
    ks_error err = {0};
    ks_profile *k = ks_profile_load("komaki", &err);
    KS_CHECK(k != NULL);
    if (k) {
        KS_CHECK_INT(district_id(k, "小牧中部圏域"), 1); /* 000 writes 小牧中部圏域, 小牧西部圏域 */
        KS_CHECK_INT(district_id(k, "小牧西部圏域"), 2);
        KS_CHECK_INT(partner_id(k, "小牧市社会福祉協議会"), code_id(k, "shakyo"));
        KS_CHECK_INT(partner_id(k, "福祉総務課"), code_id(k, "fukushi_somu_ka"));
        KS_CHECK_INT(partner_id(k, "生活支援コーディネーター"), code_id(k, "sasaeai_suishinin"));
        ks_profile_free(k);
    }
    ks_profile *c = ks_profile_load("chigasaki", &err);
    KS_CHECK(c != NULL);
    if (c) {
        KS_CHECK_INT(partner_id(c, "茅ヶ崎市社会福祉協議会"), code_id(c, "shakyo"));
        KS_CHECK_INT(partner_id(c, "茅ケ崎市社会福祉協議会"), code_id(c, "shakyo"));
        KS_CHECK_INT(partner_id(c, "ＣＳＷ"), code_id(c, "csw"));
        KS_CHECK_INT(partner_id(c, "福祉総合相談担当"), code_id(c, "fukushi_sogo_soudan"));
        KS_CHECK_INT(district_id(c, "南湖地区"), district_id(c, "南湖"));
        KS_CHECK(district_id(c, "南湖") > 0);
        ks_profile_free(c);
    }
    ks_profile *y = ks_profile_load("kobayashi", &err);
    KS_CHECK(y != NULL);
    if (y) {
        KS_CHECK_INT(partner_id(y, "子ども家庭センター"), code_id(y, "kodomo_katei_center"));
        KS_CHECK_INT(partner_id(y, "にしもろ基幹相談支援センター"), code_id(y, "kikan_soudan"));
        KS_CHECK_INT(partner_id(y, "のじり地域包括支援センター"), code_id(y, "houkatsu_nojiri"));
        KS_CHECK(code_id(y, "houkatsu_nojiri") != code_id(y, "houkatsu_seibu"));
        KS_CHECK_INT(partner_id(y, "とんで~の"), code_id(y, "tondeno")); /* ～ folds to ~ */
        ks_profile_free(y);
    }
}

/* ---- profiles written to disk ---- */

static void make_dir(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
}

static void write_text(const char *dir, const char *file, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "wb");
    KS_CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static const char *tmp_root(void)
{
    const char *t = getenv("KASANE_TEST_TMP");
    return t && *t ? t : "/tmp";
}

static const char good_districts[] = "name_ja,name_en\n北,Kita\n南,Minami\n";
static const char good_partners_head[] = "code,name_ja,name_en,field,kind,aliases\n";

/* Writes a profile under KASANE_TEST_TMP/profile-<tag>/ and loads it; the
 * load must fail with code `code` and a message containing `want`. */
static void expect_broken(const char *tag, const char *districts, const char *partners, int code, const char *want)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/profile-%s/", tmp_root(), tag);
    make_dir(dir);
    if (districts)
        write_text(dir, "districts.csv", districts);
    if (partners)
        write_text(dir, "partners.csv", partners);
    ks_error err = {0};
    ks_profile *p = ks_profile_load(dir, &err);
    KS_CHECK(p == NULL);
    ks_profile_free(p);
    KS_CHECK_INT(err.code, code);
    if (!strstr(err.msg, want))
        fprintf(stderr, "%s: message '%s' lacks '%s'\n", tag, err.msg, want);
    KS_CHECK(strstr(err.msg, want) != NULL);
}

static void test_broken(void)
{
    make_dir(tmp_root());
    expect_broken("dupcode", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "a,窓口A,Window A,care,city_window,\n"
                  "b,窓口B,Window B,child,agency,\n"
                  "a,窓口C,Window C,other,organisation,\n",
                  KS_EDATA, "profile-dupcode/partners.csv:4:1: duplicate code 'a' (first on line 2)");
    expect_broken("badfield", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "a,窓口A,Window A,care,city_window,\n"
                  "b,窓口B,Window B,elderly,agency,\n",
                  KS_EDATA, "partners.csv:3:16: column 'field': unknown value 'elderly'");
    expect_broken("badkind", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "a,窓口A,Window A,care,window,\n",
                  KS_EDATA, "partners.csv:2:21: column 'kind': unknown value 'window'");
    /* an alias that is another partner's name, once folded (full-width, space) */
    expect_broken("dupalias", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "a,窓口A,Window A,care,city_window,Ａ窓口\n"
                  "b,窓口B,Window B,child,agency,窓口Ｂ2|窓口 A\n",
                  KS_EDATA, "partners.csv:3:29: '窓口 A' is already a name of partner 'a' (line 2)");
    expect_broken("codeclash", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "a,窓口A,Window A,care,city_window,b\n"
                  "b,窓口B,Window B,child,agency,\n",
                  KS_EDATA, "partners.csv:3:1: code 'b' is already a name of partner 'a'");
    expect_broken("badcode", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "Bad-Code,窓口A,Window A,care,city_window,\n",
                  KS_EDATA, "partners.csv:2:1: column 'code'");
    expect_broken("width", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "a,窓口A,Window A,care\n",
                  KS_EDATA, "partners.csv:2:20: expected 6 fields but found 4");
    expect_broken("quote", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "a,\"窓口A,Window A,care,city_window,\n",
                  KS_EDATA, "partners.csv:2:3: unterminated quoted field");
    expect_broken("nocolumn", good_districts, "code,name_ja,field,kind\n", KS_EDATA,
                  "partners.csv:1:1: missing column 'name_en'");
    expect_broken("dupdistrict", "name_ja,name_en\n北,Kita\n北,North\n", good_partners_head, KS_EDATA,
                  "districts.csv:3:1: district name '北' is already used on line 2");
    expect_broken("emptyname", "name_ja,name_en\n北,Kita\n,South\n", good_partners_head, KS_EDATA,
                  "districts.csv:3:1: column 'name_ja' is empty");
    expect_broken("nodistricts", "name_ja,name_en\n", good_partners_head, KS_EDATA, "no districts");
    expect_broken("nopartners", good_districts, NULL, KS_EUSAGE, "partners.csv");
    expect_broken("badutf8", good_districts,
                  "code,name_ja,name_en,field,kind,aliases\n"
                  "a,\xff\xfe,Window A,care,city_window,\n",
                  KS_EDATA, "partners.csv:2:3: column 'name_ja': invalid UTF-8");

    ks_error err = {0};
    KS_CHECK(ks_profile_load("nosuchcity", &err) == NULL);
    KS_CHECK_INT(err.code, KS_EUSAGE);
    KS_CHECK(strstr(err.msg, "mitaka") != NULL);
}

/* A hand-written profile with Excel's habits: BOM, CRLF, quoted fields with
 * commas and line breaks, Japanese field/kind labels, columns reordered. */
static void test_directory(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/profile-good", tmp_root());
    make_dir(dir);
    write_text(dir, "districts.csv", "\xEF\xBB\xBFname_en,name_ja\r\nKita,北\r\n\r\nMinami,南\r\n");
    write_text(dir, "partners.csv",
               "Code,Name_JA,name_en,Field,kind,aliases\r\n"
               "w1,\"窓口, 一\",\"Window, one\",介護,市窓口,\"w-one|窓口\"\"壱\"\"\"\r\n"
               "w2,二番窓口,\"Window\r\ntwo\",poverty,organisation,\r\n");
    ks_error err = {0};
    ks_profile *p = ks_profile_load(dir, &err);
    if (!p)
        fprintf(stderr, "profile-good: %s\n", err.msg);
    KS_CHECK(p != NULL);
    if (!p)
        return;
    KS_CHECK_STR(ks_profile_name(p), "profile-good");
    size_t nd, np;
    const ks_district *d = ks_profile_districts(p, &nd);
    const ks_partner *ps = ks_profile_partners(p, &np);
    KS_CHECK_INT(nd, 2);
    KS_CHECK_INT(np, 2);
    if (nd == 2) {
        KS_CHECK_STR(d[0].name_ja, "北");
        KS_CHECK_STR(d[0].name_en, "Kita");
        KS_CHECK_STR(d[1].name_ja, "南");
    }
    if (np == 2) {
        KS_CHECK_STR(ps[0].name_ja, "窓口, 一");
        KS_CHECK_INT(ps[0].field, KS_FIELD_CARE);
        KS_CHECK_INT(ps[0].kind, KS_PKIND_CITY_WINDOW);
        KS_CHECK_STR(ps[0].aliases[0], "w-one");
        KS_CHECK_STR(ps[0].aliases[1], "窓口\"壱\"");
        KS_CHECK(ps[0].aliases[2] == NULL);
        KS_CHECK_STR(ps[1].name_en, "Window\r\ntwo");
        KS_CHECK_INT(ps[1].field, KS_FIELD_POVERTY);
        KS_CHECK_INT(ps[1].kind, KS_PKIND_ORGANISATION);
        KS_CHECK(ps[1].aliases && ps[1].aliases[0] == NULL);
    }
    KS_CHECK_INT(partner_id(p, "窓口,一"), 1);
    KS_CHECK_INT(partner_id(p, "W-ONE"), 1);
    KS_CHECK_INT(partner_id(p, "windowtwo"), 2); /* line break is white space */
    KS_CHECK_INT(district_id(p, "kita"), 1);
    ks_profile_free(p);

    /* a line number after a quoted line break counts physical lines; the
     * column counts characters (file:line:column, columns by hand) */
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/profile-lines", tmp_root());
    make_dir(bad);
    write_text(bad, "districts.csv", good_districts);
    write_text(bad, "partners.csv",
               "code,name_ja,name_en,field,kind,aliases\r\n"
               "a,A,\"Window\r\nA\",care,agency,\r\n"
               "b,B,B,care,nope,\r\n");
    KS_CHECK(ks_profile_load(bad, &err) == NULL);
    KS_CHECK(strstr(err.msg, "partners.csv:4:12: column 'kind'") != NULL);
}

int main(void)
{
    test_builtin_list();
    test_builtins_load();
    test_mitaka();
    test_other_cities();
    test_broken();
    test_directory();
    return ks_test_report();
}
