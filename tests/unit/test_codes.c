/* test_codes.c: the code lists against the import contract.
 * The lists below are copied from the "Values" section of
 * shared/spec/case-records.md, in its order and its "label code" or
 * "code label" layout; the expected id of each entry is its position. */
#include "codes.h"

#include <string.h>

#include "text.h"
#include "test.h"

typedef struct contract_list {
    ks_code_kind kind;   /* list under test */
    bool label_first;    /* "男 M" (label, code) rather than "care 介護" */
    const char *text;    /* the list as the contract writes it */
} contract_list;

static const contract_list lists[] = {
    {KS_CODE_SEX, true, "男 M, 女 F, その他 X, 不明 U"},
    {KS_CODE_HOUSEHOLD, true,
     "単身 single, 夫婦のみ couple, 親と子 parent_child, ひとり親 single_parent, "
     "三世代 three_generation, その他 other"},
    {KS_CODE_ROUTE, true,
     "本人 self, 家族 family, 民生委員 welfare_commissioner, 近隣住民 neighbour, "
     "関係機関 agency, アウトリーチ outreach, 相談サロン salon, その他 other"},
    {KS_CODE_CONSENT, true, "あり yes, なし no"},
    {KS_CODE_MEETING, true, "重層的支援会議 plan_meeting, 支援会議 support_meeting, なし none"},
    {KS_CODE_STATUS, true, "継続 ongoing, 終結 closed, 中断 suspended"},
    {KS_CODE_OUTCOME, true,
     "解決 resolved, 改善 improved, 変化なし unchanged, 悪化 worsened, 転出 moved, "
     "死亡 deceased, 不明 unknown"},
    {KS_CODE_PROBLEM, false,
     "care 介護, dementia 認知症, disability 障がい, mental_health 精神保健, "
     "child 子育て, school_refusal 不登校, poverty 生活困窮, debt 債務・家計, housing 住まい, "
     "employment 就労, hikikomori ひきこもり, 8050 8050問題, double_care ダブルケア, "
     "young_carer ヤングケアラー, abuse 虐待, dv DV, isolation 社会的孤立, self_neglect セルフネグレクト, "
     "foreign 外国籍・言語, health 健康・医療, suicide_risk 自殺念慮, other その他"},
    {KS_CODE_SUPPORT, false,
     "consultation 相談対応, information 情報提供, home_visit 訪問, "
     "accompany 同行支援, referral つなぎ, multi_agency 多機関協働, plan プラン作成, "
     "participation 参加支援, salon 相談サロン, application 制度申請支援, monitoring 見守り, "
     "other その他"},
    /* from the brief and codes.h, in the same layout */
    {KS_CODE_FIELD, false, "care 介護, disability 障がい, child 子ども, poverty 生活困窮, other その他"},
    {KS_CODE_PARTNER_KIND, false, "city_window 市窓口, agency 関係機関, organisation 団体"},
};

/* Folds s as the importer does and looks it up. */
static int lookup(ks_code_kind kind, const char *s)
{
    ks_buf b;
    ks_buf_init(&b);
    int id = -1;
    if (ks_text_fold_label(s, strlen(s), &b) == 0)
        id = ks_code_lookup(kind, b.buf, b.len);
    ks_buf_release(&b);
    return id;
}

static void check_entry(ks_code_kind kind, int id, const char *code, const char *label)
{
    const ks_code *c = ks_code_by_id(kind, id);
    KS_CHECK(c != NULL);
    if (c) {
        KS_CHECK_INT(c->id, id);
        KS_CHECK_STR(c->code, code);
        KS_CHECK_STR(c->label_ja, label);
    }
    int by_code = lookup(kind, code), by_label = lookup(kind, label);
    if (by_code != id || by_label != id)
        fprintf(stderr, "%s: '%s'/'%s' -> %d/%d, want %d\n", ks_code_kind_table(kind), code,
                label, by_code, by_label, id);
    KS_CHECK_INT(by_code, id);
    KS_CHECK_INT(by_label, id);
}

static void test_contract_lists(void)
{
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        char text[1024];
        snprintf(text, sizeof text, "%s", lists[l].text);
        int id = 0;
        char *save = NULL;
        for (char *item = strtok_r(text, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
            while (*item == ' ')
                item++;
            char *sp = strchr(item, ' ');
            KS_CHECK(sp != NULL);
            if (!sp)
                continue;
            *sp = '\0';
            const char *first = item, *second = sp + 1;
            id++;
            if (lists[l].label_first)
                check_entry(lists[l].kind, id, second, first);
            else
                check_entry(lists[l].kind, id, first, second);
        }
        size_t n = 0;
        KS_CHECK(ks_codes(lists[l].kind, &n) != NULL);
        KS_CHECK_INT(n, id);
    }
}

/* Every table string looks itself up (so no two codes of a kind share a
 * spelling), and every English label is present. */
static void test_table_consistency(void)
{
    for (int k = 0; k < KS_CODE_KIND_COUNT; k++) {
        size_t n = 0;
        const ks_code *c = ks_codes((ks_code_kind)k, &n);
        for (size_t i = 0; i < n; i++) {
            KS_CHECK_INT(c[i].id, (int)i + 1);
            KS_CHECK(c[i].label_en && c[i].label_en[0]);
            KS_CHECK_INT(lookup((ks_code_kind)k, c[i].code), c[i].id);
            KS_CHECK_INT(lookup((ks_code_kind)k, c[i].label_ja), c[i].id);
            KS_CHECK_INT(lookup((ks_code_kind)k, c[i].label_en), c[i].id);
            if (k != KS_CODE_PROBLEM)
                KS_CHECK_INT(c[i].field, 0);
        }
        KS_CHECK(ks_code_by_id((ks_code_kind)k, 0) == NULL);
        KS_CHECK(ks_code_by_id((ks_code_kind)k, (int)n + 1) == NULL);
    }
}

static void test_variants_and_synonyms(void)
{
    /* width and case folding */
    KS_CHECK_INT(lookup(KS_CODE_SEX, "m"), 1);
    KS_CHECK_INT(lookup(KS_CODE_SEX, "Ｍ"), 1);
    KS_CHECK_INT(lookup(KS_CODE_SEX, "ｆ"), 2);
    KS_CHECK_INT(lookup(KS_CODE_SEX, " 男 "), 1);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "ＤＶ"), 16);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "dv"), 16);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "８０５０"), 12);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "８０５０問題"), 12);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "債務\uFF65家計"), 8); /* half-width middle dot */
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "Mental_Health"), 4);
    KS_CHECK_INT(lookup(KS_CODE_ROUTE, "ｱｳﾄﾘｰﾁ"), 6);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "YES"), KS_CONSENT_YES);
    /* the brief's synonyms */
    KS_CHECK_INT(lookup(KS_CODE_SEX, "男性"), 1);
    KS_CHECK_INT(lookup(KS_CODE_SEX, "女性"), 2);
    KS_CHECK_INT(lookup(KS_CODE_SEX, "male"), 1);
    KS_CHECK_INT(lookup(KS_CODE_SEX, "Female"), 2);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "有"), KS_CONSENT_YES);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "無"), KS_CONSENT_NO);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "あり"), KS_CONSENT_YES);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "なし"), KS_CONSENT_NO);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "はい"), KS_CONSENT_YES);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "いいえ"), KS_CONSENT_NO);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "yes"), KS_CONSENT_YES);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "no"), KS_CONSENT_NO);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "同意あり"), KS_CONSENT_YES);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "同意なし"), KS_CONSENT_NO);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "障害"), 3);
    KS_CHECK_INT(lookup(KS_CODE_FIELD, "障害"), KS_FIELD_DISABILITY);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "債務"), 8);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "家計"), 8);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "外国籍"), 19);
    /* status ids the engine relies on */
    KS_CHECK_INT(lookup(KS_CODE_STATUS, "継続"), KS_STATUS_ONGOING);
    KS_CHECK_INT(lookup(KS_CODE_STATUS, "終結"), KS_STATUS_CLOSED);
    KS_CHECK_INT(lookup(KS_CODE_STATUS, "中断"), KS_STATUS_SUSPENDED);
    KS_CHECK_INT(lookup(KS_CODE_PARTNER_KIND, "市窓口"), KS_PKIND_CITY_WINDOW);
    KS_CHECK_INT(lookup(KS_CODE_PARTNER_KIND, "関係機関"), KS_PKIND_AGENCY);
    KS_CHECK_INT(lookup(KS_CODE_PARTNER_KIND, "団体"), KS_PKIND_ORGANISATION);
    /* near misses and other kinds' values do not match */
    KS_CHECK_INT(lookup(KS_CODE_SEX, "男女"), 0);
    KS_CHECK_INT(lookup(KS_CODE_SEX, "yes"), 0);
    KS_CHECK_INT(lookup(KS_CODE_CONSENT, "M"), 0);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "cares"), 0);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "car"), 0);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, "債務・"), 0);
    KS_CHECK_INT(lookup(KS_CODE_PROBLEM, ""), 0);
    KS_CHECK_INT(ks_code_lookup(KS_CODE_PROBLEM, "care", 3), 0); /* length is honoured */
    KS_CHECK_INT(ks_code_lookup(KS_CODE_KIND_COUNT, "care", 4), 0);
}

/* The brief's grouping of problems into fields, by English code. */
static void test_problem_fields(void)
{
    static const struct {
        const char *code; /* problem */
        int field;        /* KS_FIELD_* */
    } want[] = {
        {"care", KS_FIELD_CARE},           {"dementia", KS_FIELD_CARE},
        {"8050", KS_FIELD_CARE},           {"disability", KS_FIELD_DISABILITY},
        {"mental_health", KS_FIELD_DISABILITY}, {"child", KS_FIELD_CHILD},
        {"school_refusal", KS_FIELD_CHILD}, {"young_carer", KS_FIELD_CHILD},
        {"double_care", KS_FIELD_CHILD},   {"poverty", KS_FIELD_POVERTY},
        {"debt", KS_FIELD_POVERTY},        {"housing", KS_FIELD_POVERTY},
        {"employment", KS_FIELD_POVERTY},  {"hikikomori", KS_FIELD_OTHER},
        {"abuse", KS_FIELD_OTHER},         {"dv", KS_FIELD_OTHER},
        {"isolation", KS_FIELD_OTHER},     {"self_neglect", KS_FIELD_OTHER},
        {"foreign", KS_FIELD_OTHER},       {"health", KS_FIELD_OTHER},
        {"suicide_risk", KS_FIELD_OTHER},  {"other", KS_FIELD_OTHER},
    };
    size_t n = 0;
    ks_codes(KS_CODE_PROBLEM, &n);
    KS_CHECK_INT(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const ks_code *c = ks_code_by_id(KS_CODE_PROBLEM, lookup(KS_CODE_PROBLEM, want[i].code));
        KS_CHECK(c != NULL);
        if (c)
            KS_CHECK_INT(c->field, want[i].field);
    }
}

static void test_kind_names(void)
{
    static const char *const tables[KS_CODE_KIND_COUNT] = {
        "sex", "household_type", "intake_route", "consent", "meeting_type", "status",
        "outcome", "problem", "support", "field", "partner_kind",
    };
    static const char *const fields[KS_CODE_KIND_COUNT] = {
        "sex", "household_type", "intake_route", "consent", "meeting", "status",
        "outcome", "problems", "supports", "field", "partner_kind",
    };
    static const ks_code_kind order[KS_CODE_KIND_COUNT] = {
        KS_CODE_SEX, KS_CODE_HOUSEHOLD, KS_CODE_ROUTE, KS_CODE_CONSENT, KS_CODE_MEETING,
        KS_CODE_STATUS, KS_CODE_OUTCOME, KS_CODE_PROBLEM, KS_CODE_SUPPORT, KS_CODE_FIELD,
        KS_CODE_PARTNER_KIND,
    };
    for (int i = 0; i < KS_CODE_KIND_COUNT; i++) {
        KS_CHECK_STR(ks_code_kind_table(order[i]), tables[i]);
        KS_CHECK_STR(ks_code_kind_field(order[i]), fields[i]);
    }
    KS_CHECK(ks_code_kind_table(KS_CODE_KIND_COUNT) == NULL);
}

/* The good outcome is the contract's 解決 and 改善, by label, and nothing
 * else; no id outside the list is good. */
static void test_good_outcome(void)
{
    size_t n;
    const ks_code *c = ks_codes(KS_CODE_OUTCOME, &n);
    size_t good = 0;
    for (size_t i = 0; i < n; i++) {
        bool want = strcmp(c[i].label_ja, "解決") == 0 || strcmp(c[i].label_ja, "改善") == 0;
        KS_CHECK(ks_outcome_good(c[i].id) == want);
        good += want;
    }
    KS_CHECK_INT(good, 2);
    KS_CHECK(!ks_outcome_good(0));
    KS_CHECK(!ks_outcome_good(99));
}

int main(void)
{
    test_good_outcome();
    test_contract_lists();
    test_table_consistency();
    test_variants_and_synonyms();
    test_problem_fields();
    test_kind_names();
    return ks_test_report();
}
