/* test_guide_site.c: the static site of the consultation-window guide
 * (guide_site.h), written from a guide built by hand: four windows of the
 * mitaka profile -- one with a full record and hours, one with a record but
 * no hours and no phone, one without a record, one with an English-less
 * record -- and a few closure days.
 *
 * Expected strings are written out by hand from the inputs below (the HTML
 * escapes of the five special characters, the band and share words of
 * guide.h's comment), not taken from the writer's output.  The embedded
 * JSON is checked with a small JSON parser of its own (RFC 8259 grammar).
 *
 * With $KS_SITE_OUT set, the Japanese site is also written there (and the
 * English one to $KS_SITE_OUT-en), to look at in a browser. */
#include <sys/stat.h>

#include "guide_fixture.h"
#include "guide_site.h"
#include "test.h"

static bool has(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

#define KS_CHECK_HAS(hay, needle)                                                   \
    do {                                                                            \
        ks_test_checks++;                                                           \
        if (!has((hay), (needle))) {                                                \
            ks_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: missing \"%s\"\n", __FILE__, __LINE__, (needle)); \
        }                                                                           \
    } while (0)

#define KS_CHECK_LACKS(hay, needle)                                                 \
    do {                                                                            \
        ks_test_checks++;                                                           \
        if (has((hay), (needle))) {                                                 \
            ks_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: unexpected \"%s\"\n", __FILE__, __LINE__, (needle)); \
        }                                                                           \
    } while (0)

/* ---- a JSON parser that only says yes or no (RFC 8259) ---- */

static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL; /* raw control characters (and the end) are not allowed */
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    char h = p[i];
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
                        return NULL;
                }
                p += 5;
                continue;
            }
            if (!*p || !strchr("\"\\/bfnrt", *p))
                return NULL;
        }
        p++;
    }
}

static const char *json_number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p;
}

static const char *json_value(const char *p, int depth)
{
    if (depth > 64)
        return NULL;
    p = json_ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        bool object = *p == '{';
        p = json_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (object) {
                p = json_string(json_ws(p));
                if (!p)
                    return NULL;
                p = json_ws(p);
                if (*p++ != ':')
                    return NULL;
            }
            p = json_value(p, depth + 1);
            if (!p)
                return NULL;
            p = json_ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    if (*p == '"')
        return json_string(p);
    if (strncmp(p, "true", 4) == 0)
        return p + 4;
    if (strncmp(p, "false", 5) == 0)
        return p + 5;
    if (strncmp(p, "null", 4) == 0)
        return p + 4;
    return json_number(p);
}

static bool json_valid(const char *s)
{
    const char *end = json_value(s, 0);
    return end && *json_ws(end) == '\0';
}

static void test_json_parser(void)
{
    /* the parser must be able to say no, or the check below means nothing */
    KS_CHECK(json_valid("{\"a\":[1,-2.5e3,true,null,\"x\\u003c\"]}"));
    KS_CHECK(!json_valid("{\"a\":[1,2}"));
    KS_CHECK(!json_valid("{\"a\":1,}"));
    KS_CHECK(!json_valid("{\"a\":\"line\nbreak\"}"));
    KS_CHECK(!json_valid("{\"a\":01}"));
    KS_CHECK(!json_valid("{\"a\":1} x"));
}

/* The JSON of <script type="application/json" id="guide-data">, copied. */
static char *guide_json(const char *html)
{
    const char *open = "<script type=\"application/json\" id=\"guide-data\">";
    const char *a = strstr(html, open);
    if (!a)
        return NULL;
    a += strlen(open);
    const char *z = strstr(a, "</script>");
    return z ? ks_strndup(a, (size_t)(z - a)) : NULL;
}

/* ---- the guide, by hand ---- */

static ks_hours_span weekday_spans[] = {
    {0, 8 * 60 + 30, 17 * 60 + 15}, {1, 8 * 60 + 30, 17 * 60 + 15}, {2, 8 * 60 + 30, 17 * 60 + 15},
    {3, 8 * 60 + 30, 17 * 60 + 15}, {4, 8 * 60 + 30, 17 * 60 + 15}, {5, 9 * 60, 12 * 60},
};

static ks_window rec_houkatsu = {
    .op = KS_OPERATOR_CORPORATION,
    .operator_name = "社会福祉法人 テスト会",
    .department = "健康福祉部 高齢者支援課",
    /* the five characters HTML gives a meaning, in a value from a CSV */
    .summary_ja = "高齢者の<相談> & \"介護\" の 'まどぐち'",
    .summary_en = "Advice for older people & their families",
    .audience_ja = "65歳以上の方と その家族",
    .audience_en = "People aged 65 and over and their families",
    .age_min = 65,
    .age_max = -1,
    .households = 0,
    .districts = 0,
    .channels = KS_CHANNEL_VISIT | KS_CHANNEL_PHONE | KS_CHANNEL_OUTREACH,
    .address = "三鷹市テスト町1-2-3",
    .phone = "0422-00-1234",
    .fax = "",
    .email = "test@example.invalid",
    .url = "javascript:alert(1)",
    .hours = {weekday_spans, 6, KS_HOLIDAYS_CLOSED},
    .hours_note = "第2土曜は 休み",
    .assured = true,
    .assured_date = {2026, 10, 1},
    .source = "seeds/004",
};

static ks_window rec_kikan = {
    .op = KS_OPERATOR_CITY,
    .operator_name = "",
    .department = "",
    .summary_ja = "障がいの ある 人の 相談",
    .summary_en = "",
    .audience_ja = "障がいの ある 人",
    .audience_en = "",
    .age_min = 18,
    .age_max = 64,
    .channels = KS_CHANNEL_VISIT | KS_CHANNEL_PHONE,
    .address = "",
    .phone = "",
    .fax = "",
    .email = "",
    .url = "",
    .hours = {NULL, 0, KS_HOLIDAYS_CLOSED},
    .hours_note = "",
    .assured = false,
    .source = "",
};

static ks_window rec_dantai = {
    .op = KS_OPERATOR_OTHER,
    .operator_name = "",
    .department = "",
    .summary_ja = "ひきこもりの 人と 家族の 集まり",
    .summary_en = "",
    .audience_ja = "東部に すむ 一人ぐらしの 人",
    .audience_en = "",
    .age_min = -1,
    .age_max = -1,
    .households = 1u << 1,          /* single */
    .districts = 1ULL << 1,         /* 東部 */
    .channels = 0,
    .address = "",
    .phone = "",
    .fax = "",
    .email = "",
    .url = "https://example.invalid/?a=1&b=2",
    .hours = {weekday_spans + 5, 1, KS_HOLIDAYS_OPEN},
    .hours_note = "",
    .assured = true,
    .assured_date = {2025, 1, 15},
    .source = "",
};

static ks_guide_attr attrs_houkatsu_hik[] = {
    {KS_DIM_AGE, "65-74", "65〜74歳", "65 to 74", KS_BAND_K_9, 0},
    {KS_DIM_HOUSEHOLD, "single", "単身", "Living alone", KS_BAND_K_9, 0},
    /* a code and label that must not close the script or make a tag */
    {KS_DIM_DISTRICT, "x</script><b>", "地区<b>Y</b>", "District <Y>", KS_BAND_K_9, 0},
};
static ks_guide_attr attrs_houkatsu_all[] = {
    {KS_DIM_AGE, "75+", "75歳以上", "75 and over", KS_BAND_50_99, 0},
    {KS_DIM_AGE, "65-74", "65〜74歳", "65 to 74", KS_BAND_20_49, 0},
    /* a code and label that must not close the script or make a tag */
    {KS_DIM_DISTRICT, "x</script><b>", "地区<b>X</b>", "District <X>", KS_BAND_10_19, 0},
};
static ks_guide_problem problems_houkatsu[] = {
    {12, "8050", "8050問題", "8050 problem", KS_BAND_50_99, 0, KS_SHARE_GE50, true, 60, 45, 75, NULL, 0},
    {11, "hikikomori", "ひきこもり", "Hikikomori (social withdrawal)", KS_BAND_20_49, 0, KS_SHARE_10_29, false, 0, 0,
     0, attrs_houkatsu_hik, 3},
};
static ks_guide_problem problems_kikan[] = {
    {11, "hikikomori", "ひきこもり", "Hikikomori (social withdrawal)", KS_BAND_10_19, 0, KS_SHARE_LT10, false, 0, 0, 0,
     NULL, 0},
};
/* evidence WITH the age group 40-64 puts it before kikan_soudan's larger
 * band when that group is chosen (the first key of the lookup order) */
static ks_guide_attr attrs_shuro_hik[] = {
    {KS_DIM_AGE, "40-64", "40〜64歳", "40 to 64", KS_BAND_K_9, 0},
};
static ks_guide_problem problems_shuro[] = {
    {11, "hikikomori", "ひきこもり", "Hikikomori (social withdrawal)", KS_BAND_K_9, 0, KS_SHARE_30_49, false, 0, 0, 0,
     attrs_shuro_hik, 1},
    {8, "debt", "債務・家計", "Debt and household budget", KS_BAND_100, 0, KS_SHARE_GE50, true, 35, 30, 40, NULL, 0},
};

static ks_guide_closure closures[] = {
    {"2026-12-29", "年末年始", false},
    {"2027-01-01", "元日", true},
    {"2027-01-11", "成人の日", true},
    {"2028-12-31", "年末年始", false},
};

static void make_guide(ks_guide *g, ks_profile *prof, ks_guide_window *w)
{
    memset(g, 0, sizeof *g);
    g->profile = prof;
    g->profile_name = "mitaka";
    g->period_from = "2024-04-01";
    g->period_to = "2025-03-31";
    g->built_at = "2026-12-07";
    g->engine_version = "9.9.9-test";
    g->ptable_sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    g->k = 5;
    g->cases_band = KS_BAND_100;
    g->persons_band = KS_BAND_50_99;

    memset(w, 0, 4 * sizeof *w);
    /* profile order: houkatsu (1), kikan_soudan (4), seikatsu_shuro (17), hikikomori_dantai (26) */
    w[0].partner = gf_partner(prof, "houkatsu");
    w[0].rec = &rec_houkatsu;
    w[0].band = KS_BAND_100;
    w[0].problems = problems_houkatsu;
    w[0].nproblems = 2;
    w[0].attrs = attrs_houkatsu_all;
    w[0].nattrs = 3;
    w[0].with[0] = 2;
    w[0].with[1] = 1;
    w[0].nwith = 2;
    w[1].partner = gf_partner(prof, "kikan_soudan");
    w[1].rec = &rec_kikan;
    w[1].band = KS_BAND_20_49;
    w[1].problems = problems_kikan;
    w[1].nproblems = 1;
    w[2].partner = gf_partner(prof, "seikatsu_shuro");
    w[2].rec = NULL;
    w[2].band = KS_BAND_100;
    w[2].problems = problems_shuro;
    w[2].nproblems = 2;
    w[2].with[0] = 0;
    w[2].nwith = 1;
    w[3].partner = gf_partner(prof, "hikikomori_dantai");
    w[3].rec = &rec_dantai;
    w[3].band = KS_BAND_NONE;
    g->windows = w;
    g->nwindows = 4;
    g->closures = closures;
    g->nclosures = KS_ARRAY_LEN(closures);
    g->n_omitted_windows = 3;
    g->n_omitted_combos = 17;
    g->n_unassured = 1;
}

/* The text of one window's article. */
static char *article(const char *html, const char *code)
{
    ks_buf open;
    ks_buf_init(&open);
    ks_buf_addf(&open, "<article class=\"window\" id=\"w-%s\" data-code=\"%s\">", code, code);
    const char *a = strstr(html, open.buf);
    ks_buf_release(&open);
    if (!a)
        return NULL;
    const char *z = strstr(a, "</article>");
    return z ? ks_strndup(a, (size_t)(z - a)) : NULL;
}

/* Every "件" (a unit of cases) after a digit, outside the data script,
 * stands right after one of the band labels' numbers: the page shows no
 * count but bands ("件数", the word for a number of cases, is no count). */
static int unbanded_counts(const char *html)
{
    static const char *const bands[] = {"5〜9", "10〜19", "20〜49", "50〜99", "100"};
    const char *end = strstr(html, "<script type=\"application/json\"");
    int bad = 0;
    for (const char *p = strstr(html, "件"); p && (!end || p < end); p = strstr(p + 1, "件")) {
        bool ok = p == html || p[-1] < '0' || p[-1] > '9';
        for (size_t i = 0; i < KS_ARRAY_LEN(bands); i++) {
            size_t n = strlen(bands[i]);
            if ((size_t)(p - html) >= n && strncmp(p - n, bands[i], n) == 0)
                ok = true;
        }
        if (!ok) {
            fprintf(stderr, "count outside a band: ...%.30s\n", p - (p - html >= 20 ? 20 : p - html));
            bad++;
        }
    }
    return bad;
}

static void check_ja(const char *dir)
{
    char *html = gf_file_in(dir, "index.html");
    KS_CHECK(html != NULL);
    if (!html)
        return;
    KS_CHECK_HAS(html, "<html lang=\"ja\">");
    KS_CHECK_HAS(html, "<link rel=\"stylesheet\" href=\"assets/site.css\">");
    KS_CHECK_HAS(html, "<script src=\"assets/site.js\" defer></script>");
    /* nothing from elsewhere: no absolute URL but the record's own */
    KS_CHECK_LACKS(html, "src=\"http");
    const char *first = strstr(html, "href=\"http");
    KS_CHECK(first && strncmp(first, "href=\"https://example.invalid/", 30) == 0 && !strstr(first + 1, "href=\"http"));
    KS_CHECK_LACKS(html, "//fonts.");

    /* every window, in profile order, with its data-code */
    const char *codes[] = {"houkatsu", "kikan_soudan", "seikatsu_shuro", "hikikomori_dantai"};
    const char *prev = html;
    for (size_t i = 0; i < 4; i++) {
        ks_buf dc;
        ks_buf_init(&dc);
        ks_buf_addf(&dc, "data-code=\"%s\"", codes[i]);
        const char *at = strstr(html, dc.buf);
        KS_CHECK(at != NULL);
        KS_CHECK(at >= prev);
        if (at)
            prev = at;
        ks_buf_release(&dc);
    }

    /* escaping */
    KS_CHECK_HAS(html, "高齢者の&lt;相談&gt; &amp; &quot;介護&quot; の &#39;まどぐち&#39;");
    KS_CHECK_LACKS(html, "<相談>");
    KS_CHECK_HAS(html, "地区&lt;b&gt;X&lt;/b&gt;");
    KS_CHECK_LACKS(html, "<b>X</b>");
    KS_CHECK_HAS(html, "地域：地区&lt;b&gt;Y&lt;/b&gt;");
    KS_CHECK_LACKS(html, "<b>Y</b>");
    KS_CHECK_LACKS(html, "x</script>");
    /* a javascript: URL stays text */
    KS_CHECK_LACKS(html, "href=\"javascript:");
    KS_CHECK_HAS(html, "javascript:alert(1)");
    KS_CHECK_HAS(html, "href=\"https://example.invalid/?a=1&amp;b=2\"");

    char *h = article(html, "houkatsu");
    KS_CHECK_HAS(h, "地域包括支援センター");
    KS_CHECK_HAS(h, "<a href=\"tel:0422001234\">0422-00-1234</a>");
    KS_CHECK_HAS(h, "三鷹市テスト町1-2-3");
    KS_CHECK_HAS(h, "<a href=\"mailto:test@example.invalid\">");
    KS_CHECK_HAS(h, "65歳以上");
    KS_CHECK_HAS(h, "市内 全域");
    KS_CHECK_HAS(h, "窓口に 行く");
    KS_CHECK_HAS(h, "家に 来てくれる（訪問）");
    /* the hours: the weekly rules' text (hours.c) and the policy in words */
    KS_CHECK_HAS(h, "<span class=\"hours\">");
    KS_CHECK_HAS(h, "祝日と 年末年始（12月29日〜1月3日）は 休みです。");
    KS_CHECK_HAS(h, "第2土曜は 休み");
    KS_CHECK_HAS(h, "社会福祉法人 テスト会");
    KS_CHECK_HAS(h, "2026年10月1日");
    /* the evidence: bands, shares, the rate, attributes */
    KS_CHECK_HAS(h, "期間：2024年4月1日〜2025年3月31日");
    KS_CHECK_HAS(h, "100件以上");
    KS_CHECK_HAS(h, "<tr data-problem=\"8050\"><th scope=\"row\">8050問題</th>");
    KS_CHECK_HAS(h, "50〜99件");
    KS_CHECK_HAS(h, "5割以上");
    KS_CHECK_HAS(h, "約60%（95%信頼区間 45〜75%）");
    KS_CHECK_HAS(h, "20〜49件");
    KS_CHECK_HAS(h, "1〜3割");
    KS_CHECK_HAS(h, "年齢：65〜74歳");
    KS_CHECK_HAS(h, "くらしかた：単身");
    KS_CHECK_HAS(h, "年齢：75歳以上（50〜99件）、65〜74歳（20〜49件）");
    /* usually works with: links to the other articles */
    KS_CHECK_HAS(h, "<a href=\"#w-seikatsu_shuro\">生活・就労支援窓口</a>、<a href=\"#w-kikan_soudan\">");
    free(h);

    /* a record without hours, phone, address: said so, never filled in */
    char *k = article(html, "kikan_soudan");
    KS_CHECK_HAS(k, "<dt>電話</dt><dd><span class=\"none\">記載なし</span></dd>");
    KS_CHECK_HAS(k, "<dt>住所</dt><dd><span class=\"none\">記載なし</span></dd>");
    KS_CHECK_HAS(k, "<dt>受付時間（うけつけじかん）</dt><dd><span class=\"none\">記載なし</span>");
    KS_CHECK_HAS(k, "<dt>担当の 課</dt><dd><span class=\"none\">記載なし</span>");
    KS_CHECK_HAS(k, "18〜64歳");
    KS_CHECK_HAS(k, "10〜19件");
    KS_CHECK_HAS(k, "1割未満");
    KS_CHECK_HAS(k, "のせていません"); /* no rate */
    KS_CHECK_LACKS(k, "tel:");
    KS_CHECK_LACKS(k, "%");
    free(k);

    /* no record at all */
    char *s = article(html, "seikatsu_shuro");
    KS_CHECK_HAS(s, "この 窓口の くわしい 情報は まだ ありません。");
    KS_CHECK_LACKS(s, "<dt>電話</dt>");
    KS_CHECK_HAS(s, "5〜9件");
    KS_CHECK_HAS(s, "3〜5割");
    KS_CHECK_HAS(s, "約35%（95%信頼区間 30〜40%）");
    free(s);

    /* households and districts of a record, the holiday policy "open" */
    char *d = article(html, "hikikomori_dantai");
    KS_CHECK_HAS(d, "くらしかた：単身");
    KS_CHECK_HAS(d, "地域：東部");
    KS_CHECK_HAS(d, "<dt>相談の しかた</dt><dd><span class=\"none\">記載なし</span>");
    KS_CHECK_HAS(d, "祝日と 年末年始も この 時間に あいています。");
    KS_CHECK_HAS(d, "のせられる 記録は ありません。");
    free(d);

    KS_CHECK_INT(unbanded_counts(html), 0);

    /* the form: labels for every control, the problems with evidence */
    KS_CHECK_HAS(html, "<label for=\"problem\">");
    KS_CHECK_HAS(html, "<select id=\"problem\" name=\"problem\" required>");
    KS_CHECK_HAS(html, "<label for=\"age\">");
    KS_CHECK_HAS(html, "<label for=\"household\">");
    KS_CHECK_HAS(html, "<label for=\"district\">");
    KS_CHECK_HAS(html, "<label for=\"open-now\">");
    KS_CHECK_HAS(html, "<option value=\"hikikomori\">ひきこもり</option>");
    KS_CHECK_HAS(html, "<option value=\"debt\">債務・家計</option>");
    KS_CHECK_HAS(html, "<option value=\"8050\">8050問題</option>");
    KS_CHECK_LACKS(html, "<option value=\"dv\">"); /* no window shows it */
    KS_CHECK_HAS(html, "<option value=\"40-64\">40〜64歳</option>");
    KS_CHECK_HAS(html, "<option value=\"single\">単身</option>");
    KS_CHECK_HAS(html, "<option value=\"Tobu\">東部</option>");

    /* the data script: valid JSON, what the lookup needs */
    char *json = guide_json(html);
    KS_CHECK(json != NULL);
    if (json) {
        KS_CHECK(json_valid(json));
        KS_CHECK_LACKS(json, "<");
        KS_CHECK_HAS(json, "\"x\\u003c/script\\u003e\\u003cb\\u003e\"");
        KS_CHECK_HAS(json, "\"k\":5");
        KS_CHECK_HAS(json, "\"closures\":{\"from\":\"2026-01-01\",\"to\":\"2028-12-31\"");
        KS_CHECK_HAS(json, "{\"date\":\"2027-01-11\",\"name\":\"成人の日\",\"holiday\":true,\"year_end\":false}");
        KS_CHECK_HAS(json, "{\"date\":\"2027-01-01\",\"name\":\"元日\",\"holiday\":true,\"year_end\":true}");
        KS_CHECK_HAS(json, "{\"date\":\"2026-12-29\",\"name\":\"年末年始\",\"holiday\":false,\"year_end\":true}");
        /* houkatsu: 65+, any household, whole city, Mon-Sat spans, closed on holidays */
        KS_CHECK_HAS(json, "{\"code\":\"houkatsu\",\"record\":{\"age_min\":65,\"age_max\":-1,\"households\":[],"
                           "\"districts\":[],\"hours\":{\"holidays\":\"closed\",\"spans\":[[0,510,1035],"
                           "[1,510,1035],[2,510,1035],[3,510,1035],[4,510,1035],[5,540,720]]}}");
        /* band and share as ranks (guide.h's enums: 20-49 = 3, 10-29% = 2) */
        KS_CHECK_HAS(json, "{\"code\":\"hikikomori\",\"band\":3,\"share\":2,\"attrs\":[[0,\"65-74\"],[1,\"single\"],[2,\"x\\u003c/script\\u003e\\u003cb\\u003e\"]]}");
        KS_CHECK_HAS(json, "{\"code\":\"seikatsu_shuro\",\"record\":null,");
        KS_CHECK_HAS(json, "{\"code\":\"kikan_soudan\",\"record\":{\"age_min\":18,\"age_max\":64,\"households\":[],"
                           "\"districts\":[],\"hours\":null}");
        KS_CHECK_HAS(json, "\"households\":[1],\"districts\":[1],\"hours\":{\"holidays\":\"open\"");
        KS_CHECK_HAS(json, "{\"code\":\"single\",\"id\":1}");
        KS_CHECK_HAS(json, "{\"code\":\"Tobu\",\"id\":1}");
        KS_CHECK_HAS(json, "{\"code\":\"75+\",\"age_lo\":75,\"age_hi\":-1}");
        free(json);
    }
    free(html);

    char *how = gf_file_in(dir, "how.html");
    KS_CHECK(how != NULL);
    KS_CHECK_HAS(how, "<html lang=\"ja\">");
    KS_CHECK_HAS(how, "2024年4月1日〜2025年3月31日");
    KS_CHECK_HAS(how, "100件以上");   /* cases, banded */
    KS_CHECK_HAS(how, "50〜99人");    /* persons, banded */
    KS_CHECK_HAS(how, "<td>5人</td>"); /* k */
    KS_CHECK_HAS(how, "3か所");        /* left out: counts only */
    KS_CHECK_HAS(how, "17組");
    KS_CHECK_HAS(how, "1か所");
    KS_CHECK_HAS(how, "kasane 9.9.9-test");
    KS_CHECK_HAS(how, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    KS_CHECK_HAS(how, "「5〜9件」「10〜19件」「20〜49件」「50〜99件」「100件以上」");
    KS_CHECK_HAS(how, "ちがう 人が 5人以上");
    KS_CHECK_HAS(how, "おわった 相談が 20件以上");
    KS_CHECK_HAS(how, "2026年1月1日 から 2028年12月31日 まで");
    KS_CHECK_HAS(how, "href=\"index.html\"");
    free(how);

    /* the assets are the embedded files, byte for byte */
    const char *src = getenv("KASANE_SOURCE_DIR");
    const char *assets[] = {"site.css", "site.js"};
    for (size_t i = 0; src && i < 2; i++) {
        ks_buf p;
        ks_buf_init(&p);
        ks_buf_addf(&p, "%s/src/guide/site/%s", src, assets[i]);
        size_t n1 = 0, n2 = 0;
        char *want = gf_slurp(p.buf, &n1);
        ks_buf_reset(&p);
        ks_buf_addf(&p, "%s/assets/%s", dir, assets[i]);
        char *got = gf_slurp(p.buf, &n2);
        KS_CHECK(want && got && n1 == n2 && memcmp(want, got, n1) == 0);
        free(want);
        free(got);
        ks_buf_release(&p);
    }
}

static void check_en(const char *dir)
{
    char *html = gf_file_in(dir, "index.html");
    KS_CHECK(html != NULL);
    if (!html)
        return;
    KS_CHECK_HAS(html, "<html lang=\"en\">");
    KS_CHECK_HAS(html, "Community General Support Center <span lang=\"ja\">（地域包括支援センター）</span>");
    KS_CHECK_HAS(html, "Advice for older people &amp; their families");
    /* no English summary given: the Japanese one, marked as Japanese */
    KS_CHECK_HAS(html, "<span lang=\"ja\">障がいの ある 人の 相談</span>");
    KS_CHECK_HAS(html, "<span class=\"none\">Not given</span>");
    KS_CHECK_HAS(html, "about 60% (95% CI 45-75%)");
    KS_CHECK_HAS(html, "50-99 cases");
    KS_CHECK_HAS(html, "50% or more");
    KS_CHECK_HAS(html, "Closed on public holidays and 29 December to 3 January.");
    KS_CHECK_HAS(html, "<label for=\"problem\">What do you need help with? (required)</label>");
    KS_CHECK_HAS(html, "<option value=\"hikikomori\">Hikikomori (social withdrawal)</option>");
    char *json = guide_json(html);
    KS_CHECK(json && json_valid(json));
    KS_CHECK_HAS(json, "\"lang\":\"en\"");
    free(json);
    free(html);
    char *how = gf_file_in(dir, "how.html");
    KS_CHECK_HAS(how, "50-99 people");
    KS_CHECK_HAS(how, "100 cases or more");
    free(how);
}

static void write_for_eyes(const ks_guide *g)
{
    const char *out = getenv("KS_SITE_OUT");
    if (!out || !*out)
        return;
    ks_error err = {0};
    ks_buf en;
    ks_buf_init(&en);
    ks_buf_addf(&en, "%s-en", out);
    KS_CHECK_INT(ks_guide_write_site(g, out, "ja", &err), 0);
    KS_CHECK_INT(ks_guide_write_site(g, en.buf, "en", &err), 0);
    fprintf(stderr, "site written to %s and %s\n", out, en.buf);
    ks_buf_release(&en);
}

int main(void)
{
    test_json_parser();

    ks_error err = {0};
    ks_profile *prof = ks_profile_load("mitaka", &err);
    KS_CHECK(prof != NULL);
    if (!prof) {
        fprintf(stderr, "%s\n", err.msg);
        return ks_test_report();
    }
    ks_guide g;
    ks_guide_window w[4];
    make_guide(&g, prof, w);
    for (size_t i = 0; i < 4; i++)
        KS_CHECK(w[i].partner != NULL);

    ks_buf dir;
    ks_test_scratch_tmpdir("guide_site", &dir);
    ks_buf ja, en, file;
    ks_buf_init(&ja);
    ks_buf_init(&en);
    ks_buf_init(&file);
    ks_buf_addf(&ja, "%s/site-ja", dir.buf);
    ks_buf_addf(&en, "%s/site-en", dir.buf);
    KS_CHECK_INT(ks_guide_write_site(&g, ja.buf, NULL, &err), 0);
    check_ja(ja.buf);
    /* written again over itself: the same files, replaced */
    KS_CHECK_INT(ks_guide_write_site(&g, ja.buf, "ja", &err), 0);
    KS_CHECK_INT(ks_guide_write_site(&g, en.buf, "en", &err), 0);
    check_en(en.buf);

    /* bad language, and a file where the directory should be */
    KS_CHECK_INT(ks_guide_write_site(&g, ja.buf, "fr", &err), -KS_EUSAGE);
    ks_buf_addf(&file, "%s/plain-file", dir.buf);
    FILE *f = fopen(file.buf, "w");
    KS_CHECK(f != NULL);
    if (f)
        fclose(f);
    KS_CHECK_INT(ks_guide_write_site(&g, file.buf, "ja", &err), -KS_EUSAGE);

    write_for_eyes(&g);

    ks_buf_release(&ja);
    ks_buf_release(&en);
    ks_buf_release(&file);
    ks_buf_release(&dir);
    ks_profile_free(prof);
    return ks_test_report();
}
