/* guide_site.c: the consultation-window guide as a static site
 * (guide_site.h; the page format is docs/directory-site.md).
 *
 * index.html carries everything twice on purpose: as HTML that is the whole
 * guide without JavaScript (and on paper), and as one JSON object that
 * site.js filters with guide.h's lookup rule.  The JSON holds only what the
 * rule needs -- codes, the records' 対象 and hours, band and share RANKS,
 * the closure days the C code computed -- so the page never decides a
 * holiday or sees a count.  All words the script shows come from here too
 * (site.js is the same file for every language). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codes.h"
#include "embed.h"
#include "guide_site.h"
#include "holiday.h"
#include "hours.h"

/* src/guide/site/, embedded by CMake (kasane_embed --symbol ks_site_files). */
extern const ks_embedded_file ks_site_files[];

/* Every word of the site in one language.  The Japanese is やさしい日本語
 * where a label allows: short sentences, spaces between phrases, readings
 * for the harder words. */
typedef struct site_text {
    const char *lang;           /* html lang */
    const char *title;          /* page title */
    const char *intro;          /* one line under the title */
    const char *how_link;       /* link to how.html */
    const char *back_link;      /* link from how.html back */
    const char *skip;           /* skip link to the list */
    const char *noscript;       /* without JavaScript */
    const char *form_title;     /* heading of the form */
    const char *problem;        /* problem select label */
    const char *choose;         /* the empty problem option */
    const char *age;            /* age select label */
    const char *household;      /* household select label */
    const char *district;       /* district select label */
    const char *any;            /* the empty optional option */
    const char *open_now;       /* checkbox label */
    const char *open_now_hint;  /* how the clock is read */
    const char *search;         /* submit */
    const char *show_all;       /* reset */
    const char *list_title;     /* heading of the list */
    const char *list_note;      /* under it: how to read the evidence */
    const char *what;           /* 'what they do' */
    const char *who;            /* 'who they serve' */
    const char *ages;           /* age range label */
    const char *households;     /* households label */
    const char *districts;      /* districts label */
    const char *whole_city;     /* districts = 0 */
    const char *any_household;  /* households = 0 */
    const char *contact;        /* 'how to contact' */
    const char *phone;          /* 電話 */
    const char *fax;            /* FAX */
    const char *email;          /* メール */
    const char *address;        /* 住所 */
    const char *url;            /* web site */
    const char *hours;          /* 受付時間 */
    const char *run_by;         /* 実施主体 */
    const char *department;     /* 所管課 */
    const char *checked;        /* assured date */
    const char *not_given;      /* 記載なし */
    const char *no_record;      /* a window without a record */
    const char *works_with;     /* usually works with */
    const char *evidence;       /* details summary */
    const char *period;         /* 'period' */
    const char *all_cases;      /* the window's band over all its cases */
    const char *col_problem;    /* table headers */
    const char *col_band;       /* cases band */
    const char *col_share;      /* share class */
    const char *col_rate;       /* good outcomes */
    const char *col_attrs;      /* attributes shown with the problem */
    const char *no_rate;        /* no rate shown */
    const char *rate_fmt;       /* "約%d%%（95%%信頼区間 %d〜%d%%）" */
    const char *people_all;     /* attributes over all cases */
    const char *no_evidence;    /* nothing shown */
    const char *age_dim;        /* dimension names */
    const char *household_dim;  /* ... */
    const char *district_dim;   /* ... */
    const char *channel[6];     /* KS_CHANNEL_* in bit order */
    const char *op[5];          /* ks_operator */
    const char *policy[3];      /* ks_holiday_policy */
    const char *list_sep;       /* "、" */
    const char *open_paren;     /* "（" */
    const char *close_paren;    /* "）" */
    /* for site.js (placeholders {n}, {date}, {time}, {problem}) */
    const char *js_all;         /* all windows shown */
    const char *js_found;       /* {n} windows fit */
    const char *js_none;        /* none fit */
    const char *js_need;        /* choose a problem first */
    const char *js_open_at;     /* open at {date} {time} */
    const char *js_unknown_day; /* the clock is outside the closures' years */
    const char *js_fit;         /* the chosen problem's evidence line */
    const char *js_matched;     /* chosen attributes the evidence shows */
    /* how.html */
    const char *how_title;      /* heading */
    const char *how_period;     /* period covered */
    const char *how_cases;      /* cases band */
    const char *how_persons;    /* persons band */
    const char *how_k;          /* k */
    const char *how_k_unit;     /* "人" */
    const char *how_bands;      /* the banding rule, %d = k (3 times) */
    const char *how_persons_rule; /* the persons rule, %d = k (twice) */
    const char *how_rate_rule;  /* the rate rule, %d = KS_GUIDE_RATE_MIN */
    const char *how_releases;   /* why two releases cannot be differenced */
    const char *how_left_out;   /* heading */
    const char *how_omitted_windows; /* windows without evidence */
    const char *how_omitted_combos;  /* combinations under the rule */
    const char *how_unassured;  /* records not assured for 12 months */
    const char *how_holidays;   /* holidays and the clock, %s %s = range */
    const char *how_engine;     /* engine version */
    const char *how_ptable;     /* ptable SHA-256 */
    const char *how_built;      /* build date */
    const char *how_profile;    /* profile */
    const char *how_units;      /* "か所" for window counts */
    const char *how_combo_unit; /* "組" */
    const char *persons_suffix; /* replaces the band label's "件" */
} site_text;

static const site_text text_ja = {
    .lang = "ja",
    .title = "相談窓口（そうだんまどぐち） ガイド",
    .intro = "こまっていることを えらぶと、相談できる 窓口が 出てきます。",
    .how_link = "この ガイドの 作りかた",
    .back_link = "ガイドに もどる",
    .skip = "窓口の 一覧へ とぶ",
    .noscript = "この ページで さがすには JavaScript が いります。下に すべての 窓口が のっています。",
    .form_title = "窓口を さがす",
    .problem = "こまっていること（かならず えらんでください）",
    .choose = "えらんでください",
    .age = "年齢（ねんれい）",
    .household = "いっしょに くらしている 人",
    .district = "すんでいる 地域（ちいき）",
    .any = "えらばない",
    .open_now = "いま あいている 窓口だけ 見る",
    .open_now_hint = "日本の 時間で しらべます。祝日と 年末年始も みています。",
    .search = "さがす",
    .show_all = "すべての 窓口を 見る",
    .list_title = "窓口の 一覧",
    .list_note = "件数は 「5〜9件」のような はばで しめしています。人が わからないように するためです。",
    .what = "していること",
    .who = "相談できる 人",
    .ages = "年齢",
    .households = "くらしかた",
    .districts = "地域",
    .whole_city = "市内 全域",
    .any_household = "だれでも",
    .contact = "相談の しかた",
    .phone = "電話",
    .fax = "FAX",
    .email = "メール",
    .address = "住所",
    .url = "ホームページ",
    .hours = "受付時間（うけつけじかん）",
    .run_by = "運営（うんえい）",
    .department = "担当の 課",
    .checked = "情報を たしかめた 日",
    .not_given = "記載なし",
    .no_record = "この 窓口の くわしい 情報は まだ ありません。",
    .works_with = "よく いっしょに 支援している 窓口",
    .evidence = "これまでの 相談の 記録",
    .period = "期間",
    .all_cases = "この 窓口の 相談（ぜんぶ）",
    .col_problem = "こまっていること",
    .col_band = "相談の 件数",
    .col_share = "この 窓口が かかわった 割合",
    .col_rate = "よい 結果に なった 割合",
    .col_attrs = "多かった 人",
    .no_rate = "のせていません",
    .rate_fmt = "約%d%%（95%%信頼区間 %d〜%d%%）",
    .people_all = "相談した 人（ぜんぶ）",
    .no_evidence = "のせられる 記録は ありません。",
    .age_dim = "年齢",
    .household_dim = "くらしかた",
    .district_dim = "地域",
    .channel = {"窓口に 行く", "電話", "FAX", "メール", "家に 来てくれる（訪問）", "オンライン"},
    .op = {"記載なし", "市", "社会福祉協議会（社協）", "法人", "その他"},
    .policy = {"祝日と 年末年始（12月29日〜1月3日）は 休みです。",
               "祝日と 年末年始も この 時間に あいています。",
               "祝日も あいています。年末年始（12月29日〜1月3日）は 休みです。"},
    .list_sep = "、",
    .open_paren = "（",
    .close_paren = "）",
    .js_all = "すべての 窓口を のせています。",
    .js_found = "あてはまる 窓口は {n}か所です。あう 順に ならべています。",
    .js_none = "あてはまる 窓口は ありません。えらぶ 条件を へらしてみてください。",
    .js_need = "こまっていることを えらんでください。",
    .js_open_at = "{date} {time}（日本の 時間）に あいている 窓口だけ のせています。",
    .js_unknown_day = "{date} の 休みの 日が わからないため、あいているか しらべられません。",
    .js_fit = "「{problem}」の 相談",
    .js_matched = "えらんだ 条件と おなじ 人の 相談の 記録が あります",
    .how_title = "この ガイドの 作りかた",
    .how_period = "つかった 相談の 期間",
    .how_cases = "相談の 件数",
    .how_persons = "相談した 人の 数",
    .how_k = "のせる きまりの 人数（k）",
    .how_k_unit = "人",
    .how_bands = "件数は 数字の ままでは のせません。「%d〜9件」「10〜19件」「20〜49件」「50〜99件」「100件以上」の "
                 "はばで しめします。のせる 前に、件数を きまった 方法で 少し ずらしています（セルキー法）。"
                 "ずらした 件数が %d件より 少ないときは 何も のせません（はばの いちばん 下は %d件です）。",
    .how_persons_rule = "窓口と こまっていることと 人の ようす（年齢・くらしかた・地域）の 組み合わせは、"
                        "ちがう 人が %d人以上 いて、件数も %d件以上 あるときだけ のせます。"
                        "2つの 窓口が いっしょに 支援した ことも おなじ きまりです。",
    .how_rate_rule = "よい 結果に なった 割合は、おわった 相談が %d件以上 あるときだけ、5%% きざみで のせます。"
                     "95%%信頼区間（ほんとうの 割合が たぶん 入る はば）は 外がわに まるめています。",
    .how_releases = "毎月 作りなおしても、2つの 版を くらべて 少ない 人数を 数えることは できません。"
                    "のせるのは はばだけで、一人 ふえても へっても 多くの ばあい はばは かわりません。"
                    "件数の ずらし方は 相談の 組み合わせごとに きまっていて、おなじ 組み合わせは "
                    "いつも おなじように ずれます。少ない 人数の 組み合わせは どの 版にも のりません。"
                    "ただし、はばが かわれば、その 組み合わせに だれかが くわわった ことは わかります。",
    .how_left_out = "のせなかった もの（数だけ）",
    .how_omitted_windows = "記録が のせられなかった 窓口",
    .how_omitted_combos = "人数が きまりより 少なくて のせなかった 組み合わせ",
    .how_unassured = "12か月より 前に たしかめた ままの 窓口の 情報",
    .how_holidays = "「いま あいている」は、見ている 機械の 時計を 日本の 時間（UTC+9）に なおして しらべます。"
                    "祝日と 年末年始は、国の きまりで 前もって 計算した 日の 一覧を つかいます"
                    "（%s から %s まで）。",
    .how_engine = "つかった ソフト",
    .how_ptable = "件数を ずらす 表の SHA-256",
    .how_built = "作った 日",
    .how_profile = "地域の 設定",
    .how_units = "か所",
    .how_combo_unit = "組",
    .persons_suffix = "人",
};

static const site_text text_en = {
    .lang = "en",
    .title = "Guide to consultation windows",
    .intro = "Choose what you need help with to see the windows that can help you.",
    .how_link = "How this guide was made",
    .back_link = "Back to the guide",
    .skip = "Skip to the list of windows",
    .noscript = "Searching needs JavaScript. Every window is listed below.",
    .form_title = "Find a window",
    .problem = "What do you need help with? (required)",
    .choose = "Choose one",
    .age = "Age",
    .household = "Who you live with",
    .district = "Area you live in",
    .any = "Any",
    .open_now = "Only windows open now",
    .open_now_hint = "Checked in Japan time, with public holidays and the year-end closing.",
    .search = "Search",
    .show_all = "Show all windows",
    .list_title = "All windows",
    .list_note = "Numbers of cases are shown as ranges such as \"5-9 cases\", so that no one can be identified.",
    .what = "What they do",
    .who = "Who can consult",
    .ages = "Age",
    .households = "Household",
    .districts = "Area",
    .whole_city = "The whole city",
    .any_household = "Anyone",
    .contact = "How to contact",
    .phone = "Phone",
    .fax = "Fax",
    .email = "Email",
    .address = "Address",
    .url = "Web site",
    .hours = "Opening hours",
    .run_by = "Run by",
    .department = "Department",
    .checked = "Information checked on",
    .not_given = "Not given",
    .no_record = "No details about this window yet.",
    .works_with = "Usually works with",
    .evidence = "What the records show",
    .period = "Period",
    .all_cases = "All cases of this window",
    .col_problem = "Problem",
    .col_band = "Cases",
    .col_share = "Share of such cases it took part in",
    .col_rate = "Good outcomes",
    .col_attrs = "Often",
    .no_rate = "not shown",
    .rate_fmt = "about %d%% (95%% CI %d-%d%%)",
    .people_all = "People who consulted (all problems)",
    .no_evidence = "No records can be shown.",
    .age_dim = "Age",
    .household_dim = "Household",
    .district_dim = "Area",
    .channel = {"Visit", "Phone", "Fax", "Email", "Home visit", "Online"},
    .op = {"Not given", "City", "Council of Social Welfare", "Corporation", "Other"},
    .policy = {"Closed on public holidays and 29 December to 3 January.",
               "Open at these hours on public holidays and at the year end too.",
               "Open on public holidays; closed 29 December to 3 January."},
    .list_sep = ", ",
    .open_paren = " (",
    .close_paren = ")",
    .js_all = "All windows are shown.",
    .js_found = "{n} windows fit, best match first.",
    .js_none = "No window fits. Try fewer choices.",
    .js_need = "Choose what you need help with.",
    .js_open_at = "Only windows open on {date} at {time} (Japan time) are shown.",
    .js_unknown_day = "The holidays of {date} are not known, so opening cannot be checked.",
    .js_fit = "Cases about \"{problem}\"",
    .js_matched = "Its records include people like the ones you chose",
    .how_title = "How this guide was made",
    .how_period = "Period covered",
    .how_cases = "Cases",
    .how_persons = "People",
    .how_k = "Threshold (k)",
    .how_k_unit = "people",
    .how_bands = "Counts are never shown as numbers, only as ranges: %d-9, 10-19, 20-49, 50-99, 100 or more cases. "
                 "Before that, every count is moved a little in a fixed way (the cell key method). "
                 "A count under %d after that is not shown at all (the lowest range starts at %d).",
    .how_persons_rule = "A window, a problem and a personal attribute (age group, household, area) are shown "
                        "together only when at least %d different people and at least %d cases are behind them. "
                        "The same rule applies to two windows working together.",
    .how_rate_rule = "A good-outcome rate is shown only when at least %d closed cases are behind it, "
                     "rounded to 5 points; its 95%% confidence interval is rounded outwards.",
    .how_releases = "Comparing two monthly releases cannot count a few people: only ranges are shown, and one "
                    "person more or less rarely moves a count into another range; the small change made to each "
                    "count is fixed by the cases behind it, so the same cases always move the same way; and "
                    "combinations of few people appear in no release.  A range that changes does say that someone "
                    "was added to that combination.",
    .how_left_out = "What was left out (numbers only)",
    .how_omitted_windows = "Windows whose records could not be shown",
    .how_omitted_combos = "Combinations left out because too few people were behind them",
    .how_unassured = "Window details not checked for more than 12 months",
    .how_holidays = "\"Open now\" reads the clock of your device and converts it to Japan time (UTC+9). "
                    "Public holidays and the year-end closing come from a list computed in advance by the "
                    "national rules (%s to %s).",
    .how_engine = "Software",
    .how_ptable = "SHA-256 of the table that moves the counts",
    .how_built = "Built on",
    .how_profile = "Municipality profile",
    .how_units = "",
    .how_combo_unit = "",
    .persons_suffix = "people",
};

/* ---- escaping ---- */

/* Text and attribute values: the five characters HTML gives a meaning. */
static void esc(ks_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': ks_buf_adds(b, "&amp;"); break;
        case '<': ks_buf_adds(b, "&lt;"); break;
        case '>': ks_buf_adds(b, "&gt;"); break;
        case '"': ks_buf_adds(b, "&quot;"); break;
        case '\'': ks_buf_adds(b, "&#39;"); break;
        default: ks_buf_addc(b, *s); break;
        }
    }
}

/* A JSON string that is also safe inside <script>: '<', '>' and '&' as
 * \u escapes (so no "</script>" or "<!--" can appear), control characters
 * and U+2028/2029 escaped. */
static void jstr(ks_buf *b, const char *s)
{
    ks_buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') {
            ks_buf_addc(b, '\\');
            ks_buf_addc(b, (char)*p);
        } else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
            ks_buf_addf(b, "\\u%04x", *p);
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
            ks_buf_addf(b, "\\u%04x", p[2] == 0xA8 ? 0x2028 : 0x2029);
            p += 2;
        } else {
            ks_buf_addc(b, (char)*p);
        }
    }
    ks_buf_addc(b, '"');
}

static bool given(const char *s)
{
    return s && *s;
}

/* "2025-04-01" -> "2025年4月1日" (ja) or itself (en). */
static void add_date(ks_buf *b, const char *iso, bool en)
{
    int y, m, d;
    char tail;
    if (!en && iso && sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
        ks_buf_addf(b, "%d年%d月%d日", y, m, d);
    else
        esc(b, iso ? iso : "");
}

/* The band label for persons: the cases label with its unit swapped
 * ("10〜19件" -> "10〜19人", "10-19 cases" -> "10-19 people"). */
static void add_persons_band(ks_buf *b, ks_guide_band band, int k, const site_text *t)
{
    bool en = strcmp(t->lang, "en") == 0;
    const char *label = ks_guide_band_label(band, k, t->lang);
    const char *unit = en ? "cases" : "件";
    const char *at = strstr(label, unit);
    if (!given(label)) {
        esc(b, t->not_given);
        return;
    }
    if (!at) {
        esc(b, label);
        return;
    }
    ks_buf_add(b, label, (size_t)(at - label));
    esc(b, t->persons_suffix);
    esc(b, at + strlen(unit));
}

/* The partner's name in the page's language; in English the Japanese name
 * follows (it is what the sign at the window says). */
static void add_name(ks_buf *b, const ks_partner *p, bool en)
{
    if (en && given(p->name_en)) {
        esc(b, p->name_en);
        ks_buf_adds(b, " <span lang=\"ja\">（");
        esc(b, p->name_ja);
        ks_buf_adds(b, "）</span>");
    } else {
        esc(b, p->name_ja);
    }
}

/* A text in the page's language, falling back to the Japanese one (marked
 * as such) when the English is not given, or the "not given" word. */
static void add_text(ks_buf *b, const char *ja, const char *en_text, bool en, const site_text *t)
{
    if (en && given(en_text)) {
        esc(b, en_text);
    } else if (given(ja)) {
        if (en)
            ks_buf_adds(b, "<span lang=\"ja\">");
        esc(b, ja);
        if (en)
            ks_buf_adds(b, "</span>");
    } else {
        ks_buf_adds(b, "<span class=\"none\">");
        esc(b, t->not_given);
        ks_buf_adds(b, "</span>");
    }
}

static const char *attr_label(const ks_guide_attr *a, bool en)
{
    return en && given(a->label_en) ? a->label_en : a->label_ja;
}

/* The code the page uses for a district in the attribute match: the
 * romanised name, as guide.c writes ks_guide_attr.code for KS_DIM_DISTRICT. */
static const char *district_code(const ks_district *d)
{
    return d->name_en;
}

/* ---- index.html: the HTML half ---- */

static void add_dd_value(ks_buf *b, const char *v, const site_text *t)
{
    if (given(v)) {
        esc(b, v);
    } else {
        ks_buf_adds(b, "<span class=\"none\">");
        esc(b, t->not_given);
        ks_buf_adds(b, "</span>");
    }
}

static void add_row(ks_buf *b, const char *label, const char *value, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, label);
    ks_buf_adds(b, "</dt><dd>");
    add_dd_value(b, value, t);
    ks_buf_adds(b, "</dd>\n");
}

/* The record's age bounds in words; only called when one is set. */
static void add_age_range(ks_buf *b, const ks_window *r, bool en)
{
    if (en) {
        if (r->age_min >= 0 && r->age_max >= 0)
            ks_buf_addf(b, "%d to %d", r->age_min, r->age_max);
        else if (r->age_min >= 0)
            ks_buf_addf(b, "%d and over", r->age_min);
        else
            ks_buf_addf(b, "up to %d", r->age_max);
    } else {
        if (r->age_min >= 0 && r->age_max >= 0)
            ks_buf_addf(b, "%d〜%d歳", r->age_min, r->age_max);
        else if (r->age_min >= 0)
            ks_buf_addf(b, "%d歳以上", r->age_min);
        else
            ks_buf_addf(b, "%d歳まで", r->age_max);
    }
}

/* The household types the record admits, in code order (0 = anyone). */
static void add_household_list(ks_buf *b, const ks_window *r, bool en, const site_text *t)
{
    if (r->households == 0) {
        esc(b, t->any_household);
        return;
    }
    size_t n;
    const ks_code *c = ks_codes(KS_CODE_HOUSEHOLD, &n);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (c[i].id < 0 || c[i].id >= 32 || !(r->households & (1u << c[i].id)))
            continue;
        if (!first)
            esc(b, t->list_sep);
        esc(b, en ? c[i].label_en : c[i].label_ja);
        first = false;
    }
}

/* The districts the record admits, in profile order (0 = the whole city). */
static void add_district_list(ks_buf *b, const ks_guide *g, const ks_window *r, bool en, const site_text *t)
{
    if (r->districts == 0) {
        esc(b, t->whole_city);
        return;
    }
    size_t nd = 0;
    const ks_district *ds = g->profile ? ks_profile_districts(g->profile, &nd) : NULL;
    bool first = true;
    for (size_t i = 0; i < nd; i++) {
        if (ds[i].id < 0 || ds[i].id >= 64 || !(r->districts & (1ULL << ds[i].id)))
            continue;
        if (!first)
            esc(b, t->list_sep);
        esc(b, en ? ds[i].name_en : ds[i].name_ja);
        first = false;
    }
}

/* Who the record admits, in words from its filter fields, so that a reader
 * sees why a window is or is not listed for a choice. */
static void add_audience(ks_buf *b, const ks_guide *g, const ks_window *r, bool en, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, t->who);
    ks_buf_adds(b, "</dt><dd>");
    add_text(b, r->audience_ja, r->audience_en, en, t);
    ks_buf_adds(b, "<ul class=\"facts\">");
    if (r->age_min >= 0 || r->age_max >= 0) {
        ks_buf_adds(b, "<li>");
        esc(b, t->ages);
        ks_buf_adds(b, en ? ": " : "：");
        add_age_range(b, r, en);
        ks_buf_adds(b, "</li>");
    }
    ks_buf_adds(b, "<li>");
    esc(b, t->households);
    ks_buf_adds(b, en ? ": " : "：");
    add_household_list(b, r, en, t);
    ks_buf_adds(b, "</li><li>");
    esc(b, t->districts);
    ks_buf_adds(b, en ? ": " : "：");
    add_district_list(b, g, r, en, t);
    ks_buf_adds(b, "</li></ul></dd>\n");
}

/* The contact channels as chips, in KS_CHANNEL_* bit order. */
static void add_channels(ks_buf *b, const ks_window *r, const site_text *t)
{
    if (r->channels == 0) {
        ks_buf_adds(b, "<span class=\"none\">");
        esc(b, t->not_given);
        ks_buf_adds(b, "</span>");
        return;
    }
    ks_buf_adds(b, "<ul class=\"chips\">");
    for (int i = 0; i < 6; i++) {
        if (!(r->channels & (1u << i)))
            continue;
        ks_buf_adds(b, "<li>");
        esc(b, t->channel[i]);
        ks_buf_adds(b, "</li>");
    }
    ks_buf_adds(b, "</ul>");
}

/* The phone number as a tel: link, for a phone's reader to call; the row
 * is there even when no number is given. */
static void add_phone(ks_buf *b, const char *phone, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, t->phone);
    ks_buf_adds(b, "</dt><dd>");
    if (given(phone)) {
        ks_buf_adds(b, "<a href=\"tel:");
        for (const char *p = phone; *p; p++)
            if ((*p >= '0' && *p <= '9') || *p == '+')
                ks_buf_addc(b, *p);
        ks_buf_adds(b, "\">");
        esc(b, phone);
        ks_buf_adds(b, "</a>");
    } else {
        add_dd_value(b, "", t);
    }
    ks_buf_adds(b, "</dd>\n");
}

/* The e-mail address as a mailto: link; called only when one is given. */
static void add_email(ks_buf *b, const char *email, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, t->email);
    ks_buf_adds(b, "</dt><dd><a href=\"mailto:");
    esc(b, email);
    ks_buf_adds(b, "\">");
    esc(b, email);
    ks_buf_adds(b, "</a></dd>\n");
}

/* The web site; called only when one is given.  Only web addresses become
 * links: a "javascript:" value stays text. */
static void add_url(ks_buf *b, const char *url, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, t->url);
    ks_buf_adds(b, "</dt><dd>");
    bool web = strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
    if (web) {
        ks_buf_adds(b, "<a href=\"");
        esc(b, url);
        ks_buf_adds(b, "\">");
    }
    esc(b, url);
    if (web)
        ks_buf_adds(b, "</a>");
    ks_buf_adds(b, "</dd>\n");
}

static void add_contact(ks_buf *b, const ks_window *r, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, t->contact);
    ks_buf_adds(b, "</dt><dd>");
    add_channels(b, r, t);
    ks_buf_adds(b, "<dl class=\"sub\">\n");
    add_phone(b, r->phone, t);
    if (given(r->fax))
        add_row(b, t->fax, r->fax, t);
    if (given(r->email))
        add_email(b, r->email, t);
    add_row(b, t->address, r->address, t);
    if (given(r->url))
        add_url(b, r->url, t);
    ks_buf_adds(b, "</dl></dd>\n");
}

static void add_hours(ks_buf *b, const ks_window *r, const char *lang, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, t->hours);
    ks_buf_adds(b, "</dt><dd>");
    char *text = r->hours.n ? ks_hours_text(&r->hours, lang) : NULL;
    if (given(text)) {
        ks_buf_adds(b, "<span class=\"hours\">");
        esc(b, text);
        ks_buf_adds(b, "</span><br>");
        int p = (int)r->hours.holidays;
        ks_buf_adds(b, "<span class=\"policy\">");
        esc(b, t->policy[p >= 0 && p < 3 ? p : 0]);
        ks_buf_adds(b, "</span>");
    } else {
        add_dd_value(b, "", t);
    }
    free(text);
    if (given(r->hours_note)) {
        ks_buf_adds(b, "<br>");
        esc(b, r->hours_note);
    }
    ks_buf_adds(b, "</dd>\n");
}

static void add_attr_list(ks_buf *b, const ks_guide_attr *attrs, size_t n, bool with_band, int k,
                          const site_text *t)
{
    bool en = strcmp(t->lang, "en") == 0;
    const char *dims[KS_DIM_COUNT] = {t->age_dim, t->household_dim, t->district_dim};
    for (int d = 0; d < KS_DIM_COUNT; d++) {
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            if ((int)attrs[i].dim != d)
                continue;
            if (first) {
                ks_buf_adds(b, "<span class=\"attr\">");
                esc(b, dims[d]);
                ks_buf_adds(b, en ? ": " : "：");
            } else {
                esc(b, t->list_sep);
            }
            esc(b, attr_label(&attrs[i], en));
            if (with_band && attrs[i].band != KS_BAND_NONE) {
                esc(b, t->open_paren);
                esc(b, ks_guide_band_label(attrs[i].band, k, t->lang));
                esc(b, t->close_paren);
            }
            first = false;
        }
        if (!first)
            ks_buf_adds(b, "</span> ");
    }
}

/* The period the evidence covers, and the window's band over all its cases
 * when it has one. */
static void add_evidence_period(ks_buf *b, const ks_guide *g, const ks_guide_window *w, bool en,
                                const site_text *t)
{
    ks_buf_adds(b, "<p>");
    esc(b, t->period);
    ks_buf_adds(b, en ? ": " : "：");
    add_date(b, g->period_from, en);
    ks_buf_adds(b, en ? " to " : "〜");
    add_date(b, g->period_to, en);
    if (w->band != KS_BAND_NONE) {
        ks_buf_adds(b, "<br>");
        esc(b, t->all_cases);
        ks_buf_adds(b, en ? ": " : "：");
        esc(b, ks_guide_band_label(w->band, g->k, t->lang));
    }
    ks_buf_adds(b, "</p>\n");
}

/* A problem's good-outcome rate with its interval, or "not shown". */
static void add_rate(ks_buf *b, const ks_guide_problem *p, const site_text *t)
{
    if (!p->has_rate) {
        ks_buf_adds(b, "<span class=\"none\">");
        esc(b, t->no_rate);
        ks_buf_adds(b, "</span>");
        return;
    }
    ks_buf rate;
    ks_buf_init(&rate);
    /* the format is one of the two constant strings above */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    ks_buf_addf(&rate, t->rate_fmt, p->rate_pct, p->rate_lo_pct, p->rate_hi_pct);
#pragma GCC diagnostic pop
    esc(b, rate.buf);
    ks_buf_release(&rate);
}

/* One problem's row.  Each cell repeats its column's name in data-label:
 * the narrow layout (site.css) stacks the cells and hides the header. */
static void add_problem_row(ks_buf *b, const ks_guide *g, const ks_guide_problem *p, bool en,
                            const site_text *t)
{
    ks_buf_adds(b, "<tr data-problem=\"");
    esc(b, p->code);
    ks_buf_adds(b, "\"><th scope=\"row\">");
    esc(b, en && given(p->label_en) ? p->label_en : p->label_ja);
    ks_buf_adds(b, "</th><td class=\"band\" data-label=\"");
    esc(b, t->col_band);
    ks_buf_adds(b, "\">");
    esc(b, ks_guide_band_label(p->band, g->k, t->lang));
    ks_buf_adds(b, "</td><td class=\"share\" data-label=\"");
    esc(b, t->col_share);
    ks_buf_adds(b, "\">");
    esc(b, ks_guide_share_label(p->share, t->lang));
    ks_buf_adds(b, "</td><td data-label=\"");
    esc(b, t->col_rate);
    ks_buf_adds(b, "\">");
    add_rate(b, p, t);
    ks_buf_adds(b, "</td><td data-label=\"");
    esc(b, t->col_attrs);
    ks_buf_adds(b, "\">");
    add_attr_list(b, p->attrs, p->nattrs, false, g->k, t);
    ks_buf_adds(b, "</td></tr>\n");
}

/* The table of the problems the window shows evidence for; only called
 * when there is at least one. */
static void add_problem_table(ks_buf *b, const ks_guide *g, const ks_guide_window *w, bool en,
                              const site_text *t)
{
    ks_buf_adds(b, "<div class=\"table\"><table>\n<thead><tr><th scope=\"col\">");
    esc(b, t->col_problem);
    ks_buf_adds(b, "</th><th scope=\"col\">");
    esc(b, t->col_band);
    ks_buf_adds(b, "</th><th scope=\"col\">");
    esc(b, t->col_share);
    ks_buf_adds(b, "</th><th scope=\"col\">");
    esc(b, t->col_rate);
    ks_buf_adds(b, "</th><th scope=\"col\">");
    esc(b, t->col_attrs);
    ks_buf_adds(b, "</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < w->nproblems; i++)
        add_problem_row(b, g, &w->problems[i], en, t);
    ks_buf_adds(b, "</tbody></table></div>\n");
}

static void add_evidence(ks_buf *b, const ks_guide *g, const ks_guide_window *w, const site_text *t)
{
    bool en = strcmp(t->lang, "en") == 0;
    ks_buf_adds(b, "<details class=\"evidence\"><summary>");
    esc(b, t->evidence);
    ks_buf_adds(b, "</summary>\n");
    if (w->nproblems == 0 && w->nattrs == 0 && w->band == KS_BAND_NONE) {
        ks_buf_adds(b, "<p>");
        esc(b, t->no_evidence);
        ks_buf_adds(b, "</p></details>\n");
        return;
    }
    add_evidence_period(b, g, w, en, t);
    if (w->nproblems > 0)
        add_problem_table(b, g, w, en, t);
    if (w->nattrs > 0) {
        ks_buf_adds(b, "<p class=\"people\"><strong>");
        esc(b, t->people_all);
        ks_buf_adds(b, "</strong><br>");
        add_attr_list(b, w->attrs, w->nattrs, true, g->k, t);
        ks_buf_adds(b, "</p>\n");
    }
    ks_buf_adds(b, "</details>\n");
}

/* The line under the name: the partner's kind and field, either of which
 * may be unknown. */
static void add_kind(ks_buf *b, const ks_partner *p, bool en)
{
    ks_buf_adds(b, "<p class=\"kind\">");
    const ks_code *kind = ks_code_by_id(KS_CODE_PARTNER_KIND, p->kind);
    const ks_code *field = ks_code_by_id(KS_CODE_FIELD, p->field);
    if (kind)
        esc(b, en ? kind->label_en : kind->label_ja);
    if (kind && field)
        ks_buf_adds(b, " ・ ");
    if (field)
        esc(b, en ? field->label_en : field->label_ja);
    ks_buf_adds(b, "</p>\n");
}

/* 実施主体: the operator's own name, else the kind of operator, else
 * "not given" (op 0 is itself "not given"). */
static void add_run_by(ks_buf *b, const ks_window *r, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, t->run_by);
    ks_buf_adds(b, "</dt><dd>");
    if (given(r->operator_name)) {
        esc(b, r->operator_name);
    } else {
        int op = (int)r->op;
        if (op > 0 && op < 5)
            esc(b, t->op[op]);
        else
            add_dd_value(b, "", t);
    }
    ks_buf_adds(b, "</dd>\n");
}

/* The date the record was last assured, if ever. */
static void add_checked(ks_buf *b, const ks_window *r, bool en, const site_text *t)
{
    ks_buf_adds(b, "<dt>");
    esc(b, t->checked);
    ks_buf_adds(b, "</dt><dd>");
    if (r->assured) {
        char iso[KS_DATE_ISO_SIZE];
        ks_date_format(r->assured_date, iso);
        add_date(b, iso, en);
    } else {
        add_dd_value(b, "", t);
    }
    ks_buf_adds(b, "</dd>\n");
}

/* The window record's facts as one definition list. */
static void add_record(ks_buf *b, const ks_guide *g, const ks_window *r, bool en, const site_text *t)
{
    ks_buf_adds(b, "<dl class=\"facts-list\">\n<dt>");
    esc(b, t->what);
    ks_buf_adds(b, "</dt><dd>");
    add_text(b, r->summary_ja, r->summary_en, en, t);
    ks_buf_adds(b, "</dd>\n");
    add_audience(b, g, r, en, t);
    add_contact(b, r, t);
    add_hours(b, r, t->lang, t);
    add_run_by(b, r, t);
    add_row(b, t->department, r->department, t);
    add_checked(b, r, en, t);
    ks_buf_adds(b, "</dl>\n");
}

/* The windows this one usually works with, as links to their articles;
 * only called when there is at least one. */
static void add_works_with(ks_buf *b, const ks_guide *g, const ks_guide_window *w, bool en,
                           const site_text *t)
{
    ks_buf_adds(b, "<p class=\"with\"><strong>");
    esc(b, t->works_with);
    ks_buf_adds(b, "</strong>");
    ks_buf_adds(b, en ? ": " : "：");
    for (size_t i = 0; i < w->nwith && i < KS_GUIDE_WITH_MAX; i++) {
        if (w->with[i] >= g->nwindows)
            continue;
        const ks_partner *o = g->windows[w->with[i]].partner;
        if (i > 0)
            esc(b, t->list_sep);
        ks_buf_adds(b, "<a href=\"#w-");
        esc(b, o->code);
        ks_buf_adds(b, "\">");
        esc(b, en && given(o->name_en) ? o->name_en : o->name_ja);
        ks_buf_adds(b, "</a>");
    }
    ks_buf_adds(b, "</p>\n");
}

static void add_window(ks_buf *b, const ks_guide *g, size_t wi, const site_text *t)
{
    bool en = strcmp(t->lang, "en") == 0;
    const ks_guide_window *w = &g->windows[wi];
    const ks_partner *p = w->partner;
    const ks_window *r = w->rec;
    ks_buf_adds(b, "<article class=\"window\" id=\"w-");
    esc(b, p->code);
    ks_buf_adds(b, "\" data-code=\"");
    esc(b, p->code);
    ks_buf_adds(b, "\">\n<h3>");
    add_name(b, p, en);
    ks_buf_adds(b, "</h3>\n");
    add_kind(b, p, en);
    if (!r) {
        ks_buf_adds(b, "<p class=\"norecord\">");
        esc(b, t->no_record);
        ks_buf_adds(b, "</p>\n");
    } else {
        add_record(b, g, r, en, t);
    }
    if (w->nwith > 0)
        add_works_with(b, g, w, en, t);
    add_evidence(b, g, w, t);
    ks_buf_adds(b, "</article>\n");
}

/* The problems any window shows evidence for, in code order (the choices
 * of the form: a problem no window shows would always find nothing). */
static bool problem_shown(const ks_guide *g, int id)
{
    for (size_t i = 0; i < g->nwindows; i++)
        for (size_t j = 0; j < g->windows[i].nproblems; j++)
            if (g->windows[i].problems[j].problem_id == id)
                return true;
    return false;
}

static void add_select_open(ks_buf *b, const char *id, const char *label, bool required)
{
    ks_buf_addf(b, "<div class=\"field\"><label for=\"%s\">", id);
    esc(b, label);
    ks_buf_addf(b, "</label>\n<select id=\"%s\" name=\"%s\"%s>\n", id, id, required ? " required" : "");
}

static void add_option(ks_buf *b, const char *value, const char *label)
{
    ks_buf_adds(b, "<option value=\"");
    esc(b, value);
    ks_buf_adds(b, "\">");
    esc(b, label);
    ks_buf_adds(b, "</option>\n");
}

static void add_form(ks_buf *b, const ks_guide *g, const site_text *t)
{
    bool en = strcmp(t->lang, "en") == 0;
    ks_buf_adds(b, "<section class=\"finder\" aria-labelledby=\"finder-title\">\n<h2 id=\"finder-title\">");
    esc(b, t->form_title);
    ks_buf_adds(b, "</h2>\n<noscript><p class=\"note\">");
    esc(b, t->noscript);
    ks_buf_adds(b, "</p></noscript>\n");
    /* hidden until site.js runs: without it the form could do nothing */
    ks_buf_adds(b, "<form id=\"finder\" hidden>\n");
    add_select_open(b, "problem", t->problem, true);
    add_option(b, "", t->choose);
    size_t n;
    const ks_code *pc = ks_codes(KS_CODE_PROBLEM, &n);
    for (size_t i = 0; i < n; i++)
        if (problem_shown(g, pc[i].id))
            add_option(b, pc[i].code, en ? pc[i].label_en : pc[i].label_ja);
    ks_buf_adds(b, "</select></div>\n");

    add_select_open(b, "age", t->age, false);
    add_option(b, "", t->any);
    const ks_guide_age_group *ag = ks_guide_age_groups(&n);
    for (size_t i = 0; i < n; i++)
        add_option(b, ag[i].code, en ? ag[i].label_en : ag[i].label_ja);
    ks_buf_adds(b, "</select></div>\n");

    add_select_open(b, "household", t->household, false);
    add_option(b, "", t->any);
    const ks_code *hc = ks_codes(KS_CODE_HOUSEHOLD, &n);
    for (size_t i = 0; i < n; i++)
        add_option(b, hc[i].code, en ? hc[i].label_en : hc[i].label_ja);
    ks_buf_adds(b, "</select></div>\n");

    size_t nd = 0;
    const ks_district *ds = g->profile ? ks_profile_districts(g->profile, &nd) : NULL;
    if (nd > 0) {
        add_select_open(b, "district", t->district, false);
        add_option(b, "", t->any);
        for (size_t i = 0; i < nd; i++)
            add_option(b, district_code(&ds[i]), en ? ds[i].name_en : ds[i].name_ja);
        ks_buf_adds(b, "</select></div>\n");
    }

    ks_buf_adds(b, "<div class=\"field check\"><input type=\"checkbox\" id=\"open-now\" name=\"open-now\" "
                   "aria-describedby=\"open-now-hint\"><label for=\"open-now\">");
    esc(b, t->open_now);
    ks_buf_adds(b, "</label><p id=\"open-now-hint\" class=\"hint\">");
    esc(b, t->open_now_hint);
    ks_buf_adds(b, "</p></div>\n<div class=\"buttons\"><button type=\"submit\">");
    esc(b, t->search);
    ks_buf_adds(b, "</button> <button type=\"reset\" class=\"secondary\">");
    esc(b, t->show_all);
    ks_buf_adds(b, "</button></div>\n</form>\n</section>\n");
}

/* ---- index.html: the JSON half (what site.js needs, nothing more) ---- */

static void add_json_text(ks_buf *b, const site_text *t)
{
    const struct {
        const char *key;
        const char *value;
    } s[] = {
        {"all", t->js_all},         {"found", t->js_found},
        {"none", t->js_none},       {"need", t->js_need},
        {"open_at", t->js_open_at}, {"unknown_day", t->js_unknown_day},
        {"fit", t->js_fit},         {"matched", t->js_matched},
    };
    ks_buf_adds(b, "\"text\":{");
    for (size_t i = 0; i < KS_ARRAY_LEN(s); i++) {
        if (i > 0)
            ks_buf_addc(b, ',');
        jstr(b, s[i].key);
        ks_buf_addc(b, ':');
        jstr(b, s[i].value);
    }
    ks_buf_adds(b, "}");
}

/* The years the closures list covers: from the first closure's year to the
 * last one's (1 January is a closure of every year, as 元日 and 年末年始). */
static void closure_range(const ks_guide *g, char from[11], char to[11])
{
    from[0] = to[0] = '\0';
    if (g->nclosures == 0)
        return;
    const char *lo = g->closures[0].date, *hi = g->closures[0].date;
    for (size_t i = 1; i < g->nclosures; i++) {
        if (strcmp(g->closures[i].date, lo) < 0)
            lo = g->closures[i].date;
        if (strcmp(g->closures[i].date, hi) > 0)
            hi = g->closures[i].date;
    }
    snprintf(from, 11, "%.4s-01-01", lo);
    snprintf(to, 11, "%.4s-12-31", hi);
}

/* The closure days the C code computed, with the years they cover, so that
 * the page never decides a holiday itself. */
static void add_json_closures(ks_buf *b, const ks_guide *g)
{
    char from[11], to[11];
    closure_range(g, from, to);
    ks_buf_adds(b, "\"closures\":{\"from\":");
    jstr(b, from);
    ks_buf_adds(b, ",\"to\":");
    jstr(b, to);
    ks_buf_adds(b, ",\"days\":[");
    for (size_t i = 0; i < g->nclosures; i++) {
        const ks_guide_closure *c = &g->closures[i];
        ks_date d;
        bool year_end = ks_date_parse(c->date, strlen(c->date), &d) == KS_DATE_OK && ks_jp_year_end(d);
        ks_buf_adds(b, i ? ",\n{\"date\":" : "\n{\"date\":");
        jstr(b, c->date);
        ks_buf_adds(b, ",\"name\":");
        jstr(b, c->name);
        ks_buf_addf(b, ",\"holiday\":%s,\"year_end\":%s}", c->holiday ? "true" : "false",
                    year_end ? "true" : "false");
    }
    ks_buf_adds(b, "]},\n");
}

/* The optional choices' codes with what the rule compares them by: an age
 * group's bounds, a household type's or district's id (the records' masks
 * are in ids). */
static void add_json_choices(ks_buf *b, const ks_guide *g)
{
    size_t n;
    const ks_guide_age_group *ag = ks_guide_age_groups(&n);
    ks_buf_adds(b, "\"age_groups\":[");
    for (size_t i = 0; i < n; i++) {
        ks_buf_adds(b, i ? ",{\"code\":" : "{\"code\":");
        jstr(b, ag[i].code);
        ks_buf_addf(b, ",\"age_lo\":%d,\"age_hi\":%d}", ag[i].age_lo, ag[i].age_hi);
    }
    ks_buf_adds(b, "],\n\"households\":[");
    const ks_code *hc = ks_codes(KS_CODE_HOUSEHOLD, &n);
    for (size_t i = 0; i < n; i++) {
        ks_buf_adds(b, i ? ",{\"code\":" : "{\"code\":");
        jstr(b, hc[i].code);
        ks_buf_addf(b, ",\"id\":%d}", hc[i].id);
    }
    ks_buf_adds(b, "],\n\"districts\":[");
    size_t nd = 0;
    const ks_district *ds = g->profile ? ks_profile_districts(g->profile, &nd) : NULL;
    for (size_t i = 0; i < nd; i++) {
        ks_buf_adds(b, i ? ",{\"code\":" : "{\"code\":");
        jstr(b, district_code(&ds[i]));
        ks_buf_addf(b, ",\"id\":%d}", ds[i].id);
    }
    ks_buf_adds(b, "],\n");
}

/* The problem labels for the script's "fit" line: the form's problems. */
static void add_json_problems(ks_buf *b, const ks_guide *g, const site_text *t)
{
    ks_buf_adds(b, "\"problems\":[");
    size_t n;
    const ks_code *pc = ks_codes(KS_CODE_PROBLEM, &n);
    bool first = true;
    bool en = strcmp(t->lang, "en") == 0;
    for (size_t i = 0; i < n; i++) {
        if (!problem_shown(g, pc[i].id))
            continue;
        ks_buf_adds(b, first ? "{\"code\":" : ",{\"code\":");
        jstr(b, pc[i].code);
        ks_buf_adds(b, ",\"label\":");
        jstr(b, en ? pc[i].label_en : pc[i].label_ja);
        ks_buf_adds(b, "}");
        first = false;
    }
    ks_buf_adds(b, "],\n");
}

/* The ids of the bits set in mask, below nbits, as an array's items. */
static void add_json_ids(ks_buf *b, unsigned long long mask, int nbits)
{
    bool first = true;
    for (int id = 0; id < nbits; id++) {
        if (mask & (1ULL << id)) {
            ks_buf_addf(b, first ? "%d" : ",%d", id);
            first = false;
        }
    }
}

/* A record's hours as [weekday, start, end] spans with its holiday policy
 * code, or null when not given (the script then never calls it open). */
static void add_json_hours(ks_buf *b, const ks_hours *h)
{
    if (h->n == 0) {
        ks_buf_adds(b, "null");
        return;
    }
    ks_buf_adds(b, "{\"holidays\":");
    jstr(b, ks_holiday_policy_code(h->holidays));
    ks_buf_adds(b, ",\"spans\":[");
    for (size_t i = 0; i < h->n; i++) {
        const ks_hours_span *s = &h->spans[i];
        ks_buf_addf(b, "%s[%d,%d,%d]", i ? "," : "", s->weekday, s->start, s->end);
    }
    ks_buf_adds(b, "]}");
}

/* What the rule filters a window by: its record's 対象 and hours (null for a
 * window without a record), and its problems' band and share ranks with the
 * attributes shown beside them. */
static void add_json_window(ks_buf *b, const ks_guide_window *w)
{
    const ks_window *r = w->rec;
    ks_buf_adds(b, "{\"code\":");
    jstr(b, w->partner->code);
    ks_buf_adds(b, ",\"record\":");
    if (!r) {
        ks_buf_adds(b, "null");
    } else {
        ks_buf_addf(b, "{\"age_min\":%d,\"age_max\":%d,\"households\":[", r->age_min, r->age_max);
        add_json_ids(b, r->households, 32);
        ks_buf_adds(b, "],\"districts\":[");
        add_json_ids(b, r->districts, 64);
        ks_buf_adds(b, "],\"hours\":");
        add_json_hours(b, &r->hours);
        ks_buf_adds(b, "}");
    }
    ks_buf_adds(b, ",\"problems\":[");
    for (size_t i = 0; i < w->nproblems; i++) {
        const ks_guide_problem *p = &w->problems[i];
        ks_buf_adds(b, i ? ",{\"code\":" : "{\"code\":");
        jstr(b, p->code);
        ks_buf_addf(b, ",\"band\":%d,\"share\":%d,\"attrs\":[", (int)p->band, (int)p->share);
        for (size_t j = 0; j < p->nattrs; j++) {
            ks_buf_addf(b, "%s[%d,", j ? "," : "", (int)p->attrs[j].dim);
            jstr(b, p->attrs[j].code);
            ks_buf_adds(b, "]");
        }
        ks_buf_adds(b, "]}");
    }
    ks_buf_adds(b, "]}");
}

static void add_json(ks_buf *b, const ks_guide *g, const site_text *t)
{
    ks_buf_adds(b, "{\"version\":1,\"lang\":");
    jstr(b, t->lang);
    ks_buf_addf(b, ",\"k\":%d,\n", g->k);
    add_json_closures(b, g);
    add_json_choices(b, g);
    add_json_problems(b, g, t);
    /* the windows in profile order (the last key of the ordering) */
    ks_buf_adds(b, "\"windows\":[");
    for (size_t wi = 0; wi < g->nwindows; wi++) {
        ks_buf_adds(b, wi ? ",\n" : "\n");
        add_json_window(b, &g->windows[wi]);
    }
    ks_buf_adds(b, "],\n");
    add_json_text(b, t);
    ks_buf_adds(b, "}");
}

/* ---- the pages ---- */

static void add_head(ks_buf *b, const ks_guide *g, const char *title, const site_text *t)
{
    ks_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
    esc(b, t->lang);
    ks_buf_adds(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   /* nothing from elsewhere, ever: the page is read on a stick */
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
                   "form-action 'none'\">\n"
                   "<meta name=\"referrer\" content=\"no-referrer\">\n"
                   "<meta name=\"generator\" content=\"kasane ");
    esc(b, g->engine_version);
    ks_buf_adds(b, "\">\n<link rel=\"icon\" href=\"data:,\">\n<title>");
    esc(b, title);
    ks_buf_adds(b, "</title>\n<link rel=\"stylesheet\" href=\"assets/site.css\">\n");
}

static void build_index(ks_buf *b, const ks_guide *g, const site_text *t)
{
    add_head(b, g, t->title, t);
    ks_buf_adds(b, "<script src=\"assets/site.js\" defer></script>\n</head>\n<body>\n"
                   "<a class=\"skip\" href=\"#list-title\">");
    esc(b, t->skip);
    ks_buf_adds(b, "</a>\n<header>\n<h1>");
    esc(b, t->title);
    ks_buf_adds(b, "</h1>\n<p>");
    esc(b, t->intro);
    ks_buf_adds(b, " <a href=\"how.html\">");
    esc(b, t->how_link);
    ks_buf_adds(b, "</a></p>\n</header>\n<main>\n");
    add_form(b, g, t);
    ks_buf_adds(b, "<section class=\"list\" aria-labelledby=\"list-title\">\n<h2 id=\"list-title\" tabindex=\"-1\">");
    esc(b, t->list_title);
    ks_buf_adds(b, "</h2>\n<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>\n<p class=\"note\">");
    esc(b, t->list_note);
    ks_buf_adds(b, "</p>\n<div id=\"windows\">\n");
    for (size_t i = 0; i < g->nwindows; i++)
        add_window(b, g, i, t);
    ks_buf_adds(b, "</div>\n</section>\n</main>\n<footer><p><a href=\"how.html\">");
    esc(b, t->how_link);
    ks_buf_adds(b, "</a></p></footer>\n<script type=\"application/json\" id=\"guide-data\">");
    add_json(b, g, t);
    ks_buf_adds(b, "</script>\n</body>\n</html>\n");
}

static void how_row(ks_buf *b, const char *label)
{
    ks_buf_adds(b, "<tr><th scope=\"row\">");
    esc(b, label);
    ks_buf_adds(b, "</th><td>");
}

static void how_count(ks_buf *b, const char *label, size_t n, const char *unit)
{
    how_row(b, label);
    ks_buf_addf(b, "%zu", n);
    esc(b, unit);
    ks_buf_adds(b, "</td></tr>\n");
}

/* A paragraph from a rule format with int arguments only. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void how_para(ks_buf *b, const char *fmt, int a, int c, int d)
{
    ks_buf tmp;
    ks_buf_init(&tmp);
    ks_buf_addf(&tmp, fmt, a, c, d);
    ks_buf_adds(b, "<p>");
    esc(b, tmp.buf);
    ks_buf_adds(b, "</p>\n");
    ks_buf_release(&tmp);
}

static void how_para_s(ks_buf *b, const char *fmt, const char *s1, const char *s2)
{
    ks_buf tmp;
    ks_buf_init(&tmp);
    ks_buf_addf(&tmp, fmt, s1, s2);
    ks_buf_adds(b, "<p>");
    esc(b, tmp.buf);
    ks_buf_adds(b, "</p>\n");
    ks_buf_release(&tmp);
}
#pragma GCC diagnostic pop

/* The facts table at the top of how.html: what the build covered, with
 * what threshold, engine and table. */
static void add_how_facts(ks_buf *b, const ks_guide *g, bool en, const site_text *t)
{
    ks_buf_adds(b, "<table class=\"facts-table\">\n");
    how_row(b, t->how_period);
    add_date(b, g->period_from, en);
    ks_buf_adds(b, en ? " to " : "〜");
    add_date(b, g->period_to, en);
    ks_buf_adds(b, "</td></tr>\n");
    how_row(b, t->how_cases);
    add_dd_value(b, ks_guide_band_label(g->cases_band, g->k, t->lang), t);
    ks_buf_adds(b, "</td></tr>\n");
    how_row(b, t->how_persons);
    add_persons_band(b, g->persons_band, g->k, t);
    ks_buf_adds(b, "</td></tr>\n");
    how_row(b, t->how_k);
    ks_buf_addf(b, "%d", g->k);
    ks_buf_adds(b, en ? " " : "");
    esc(b, t->how_k_unit);
    ks_buf_adds(b, "</td></tr>\n");
    how_row(b, t->how_profile);
    add_dd_value(b, g->profile_name, t);
    ks_buf_adds(b, "</td></tr>\n");
    how_row(b, t->how_built);
    add_date(b, g->built_at, en);
    ks_buf_adds(b, "</td></tr>\n");
    how_row(b, t->how_engine);
    ks_buf_adds(b, "kasane ");
    esc(b, g->engine_version);
    ks_buf_adds(b, "</td></tr>\n");
    how_row(b, t->how_ptable);
    ks_buf_adds(b, "<code class=\"hash\">");
    add_dd_value(b, g->ptable_sha256, t);
    ks_buf_adds(b, "</code></td></tr>\n</table>\n");
}

/* The publication rules with this build's k, and the years the closures
 * list covers. */
static void add_how_rules(ks_buf *b, const ks_guide *g, bool en, const site_text *t)
{
    ks_buf_adds(b, "<h2>");
    esc(b, en ? "The rules" : "のせる きまり");
    ks_buf_adds(b, "</h2>\n");
    how_para(b, t->how_bands, g->k, g->k, g->k);
    how_para(b, t->how_persons_rule, g->k, g->k, 0);
    how_para(b, t->how_rate_rule, KS_GUIDE_RATE_MIN, 0, 0);
    how_para(b, t->how_releases, 0, 0, 0);
    char from[11], to[11];
    closure_range(g, from, to);
    ks_buf fb, tb;
    ks_buf_init(&fb);
    ks_buf_init(&tb);
    add_date(&fb, from, en);
    add_date(&tb, to, en);
    how_para_s(b, t->how_holidays, fb.buf, tb.buf);
    ks_buf_release(&fb);
    ks_buf_release(&tb);
}

static void build_how(ks_buf *b, const ks_guide *g, const site_text *t)
{
    bool en = strcmp(t->lang, "en") == 0;
    add_head(b, g, t->how_title, t);
    ks_buf_adds(b, "</head>\n<body class=\"how\">\n<header>\n<h1>");
    esc(b, t->how_title);
    ks_buf_adds(b, "</h1>\n<p><a href=\"index.html\">");
    esc(b, t->back_link);
    ks_buf_adds(b, "</a></p>\n</header>\n<main>\n");
    add_how_facts(b, g, en, t);
    add_how_rules(b, g, en, t);

    ks_buf_adds(b, "<h2>");
    esc(b, t->how_left_out);
    ks_buf_adds(b, "</h2>\n<table class=\"facts-table\">\n");
    how_count(b, t->how_omitted_windows, g->n_omitted_windows, t->how_units);
    how_count(b, t->how_omitted_combos, g->n_omitted_combos, t->how_combo_unit);
    how_count(b, t->how_unassured, g->n_unassured, t->how_units);
    ks_buf_adds(b, "</table>\n</main>\n</body>\n</html>\n");
}

/* ---- files ---- */

static int make_dir(const char *path, ks_error *err)
{
    if (mkdir(path, 0755) == 0)
        return 0;
    int e = errno;
    struct stat sb;
    if (e == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    if (e == EEXIST)
        return ks_error_set(err, KS_EUSAGE, "'%s' exists and is not a directory", path);
    return ks_error_set(err, KS_EIO, "cannot make directory '%s': %s", path, strerror(e));
}

static int write_one(const char *dir, const char *name, const void *data, size_t len, ks_error *err)
{
    ks_buf path;
    ks_buf_init(&path);
    ks_buf_addf(&path, "%s/%s", dir, name);
    int rc = ks_write_file_atomic(path.buf, data, len, 0644, err);
    ks_buf_release(&path);
    return rc;
}

int ks_guide_write_site(const ks_guide *g, const char *dir, const char *lang, ks_error *err)
{
    const site_text *t;
    if (!lang || strcmp(lang, "ja") == 0)
        t = &text_ja;
    else if (strcmp(lang, "en") == 0)
        t = &text_en;
    else
        return ks_error_set(err, KS_EUSAGE, "unknown language '%s' (ja or en)", lang);

    ks_buf page, assets;
    ks_buf_init(&page);
    ks_buf_init(&assets);
    int rc = make_dir(dir, err);
    if (rc < 0)
        goto done;
    ks_buf_addf(&assets, "%s/assets", dir);
    if ((rc = make_dir(assets.buf, err)) < 0)
        goto done;
    for (const ks_embedded_file *f = ks_site_files; f->path; f++) {
        if (strchr(f->path, '/')) /* assets are flat: src/guide/site/ has no folders */
            continue;
        if ((rc = write_one(assets.buf, f->path, f->data, f->len, err)) < 0)
            goto done;
    }
    build_index(&page, g, t);
    if ((rc = write_one(dir, "index.html", page.buf, page.len, err)) < 0)
        goto done;
    ks_buf_reset(&page);
    build_how(&page, g, t);
    rc = write_one(dir, "how.html", page.buf, page.len, err);
done:
    ks_buf_release(&page);
    ks_buf_release(&assets);
    return rc;
}
