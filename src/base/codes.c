/* codes.c: the code lists of the import contract, as const tables.
 *
 * Ids are the 1-based position in the order the contract's "Values" section
 * lists the codes; they are stored in databases, so a table may only grow at
 * its end.  Lookup compares the caller's ks_text_fold_label form against the
 * English code, the Japanese label, the English label and a few synonyms.
 * Table strings are written naturally ("M", "8050 problem") and folded while
 * comparing: their non-ASCII parts are already NFKC_Casefold fixed points
 * (test_codes.c checks this), so folding them means only lower-casing ASCII
 * and skipping spaces, which needs neither allocation nor mutable state. */
#include "codes.h"

#include <stdbool.h>
#include <string.h>

#include "util.h"

/* Which field (KS_CODE_FIELD) each problem belongs to.  The five fields are
 * the silos a multi-agency case crosses, so the mapping follows which
 * conventional window would own the problem:
 *   care:       care, dementia, 8050 (an ageing parent is the care side)
 *   disability: disability, mental_health
 *   child:      child, school_refusal, young_carer, double_care (child
 *               rearing plus care; counted with the child side)
 *   poverty:    poverty, debt, housing, employment
 *   other:      hikikomori, abuse, dv, isolation, self_neglect, foreign,
 *               health, suicide_risk, other (no single window owns them). */
#define F_CARE KS_FIELD_CARE
#define F_DIS KS_FIELD_DISABILITY
#define F_CHILD KS_FIELD_CHILD
#define F_POV KS_FIELD_POVERTY
#define F_OTHER KS_FIELD_OTHER

static const ks_code sex_codes[] = {
    {KS_SEX_MALE, "M", "男", "Male", 0},
    {KS_SEX_FEMALE, "F", "女", "Female", 0},
    {KS_SEX_OTHER, "X", "その他", "Other", 0},
    {KS_SEX_UNKNOWN, "U", "不明", "Unknown", 0},
};

static const ks_code household_codes[] = {
    {1, "single", "単身", "Living alone", 0},
    {2, "couple", "夫婦のみ", "Couple only", 0},
    {3, "parent_child", "親と子", "Parent and child", 0},
    {4, "single_parent", "ひとり親", "Single parent", 0},
    {5, "three_generation", "三世代", "Three generations", 0},
    {6, "other", "その他", "Other", 0},
};

static const ks_code route_codes[] = {
    {1, "self", "本人", "Self", 0},
    {2, "family", "家族", "Family", 0},
    {3, "welfare_commissioner", "民生委員", "Welfare commissioner", 0},
    {4, "neighbour", "近隣住民", "Neighbour", 0},
    {5, "agency", "関係機関", "Related agency", 0},
    {6, "outreach", "アウトリーチ", "Outreach", 0},
    {7, "salon", "相談サロン", "Consultation salon", 0},
    {8, "other", "その他", "Other", 0},
};

static const ks_code consent_codes[] = {
    {KS_CONSENT_YES, "yes", "あり", "Consent given", 0},
    {KS_CONSENT_NO, "no", "なし", "No consent", 0},
};

static const ks_code meeting_codes[] = {
    {1, "plan_meeting", "重層的支援会議", "Multi-layered support meeting", 0},
    {2, "support_meeting", "支援会議", "Support meeting", 0},
    {3, "none", "なし", "None", 0},
};

static const ks_code status_codes[] = {
    {KS_STATUS_ONGOING, "ongoing", "継続", "Ongoing", 0},
    {KS_STATUS_CLOSED, "closed", "終結", "Closed", 0},
    {KS_STATUS_SUSPENDED, "suspended", "中断", "Suspended", 0},
};

static const ks_code outcome_codes[] = {
    {KS_OUTCOME_RESOLVED, "resolved", "解決", "Resolved", 0},
    {KS_OUTCOME_IMPROVED, "improved", "改善", "Improved", 0},
    {KS_OUTCOME_UNCHANGED, "unchanged", "変化なし", "Unchanged", 0},
    {KS_OUTCOME_WORSENED, "worsened", "悪化", "Worsened", 0},
    {KS_OUTCOME_MOVED, "moved", "転出", "Moved away", 0},
    {KS_OUTCOME_DECEASED, "deceased", "死亡", "Deceased", 0},
    {KS_OUTCOME_UNKNOWN, "unknown", "不明", "Unknown", 0},
};

static const ks_code problem_codes[] = {
    {1, "care", "介護", "Care", F_CARE},
    {2, "dementia", "認知症", "Dementia", F_CARE},
    {3, "disability", "障がい", "Disability", F_DIS},
    {4, "mental_health", "精神保健", "Mental health", F_DIS},
    {5, "child", "子育て", "Child rearing", F_CHILD},
    {6, "school_refusal", "不登校", "School refusal", F_CHILD},
    {7, "poverty", "生活困窮", "Poverty", F_POV},
    {8, "debt", "債務・家計", "Debt and household budget", F_POV},
    {9, "housing", "住まい", "Housing", F_POV},
    {10, "employment", "就労", "Employment", F_POV},
    {11, "hikikomori", "ひきこもり", "Hikikomori (social withdrawal)", F_OTHER},
    {12, "8050", "8050問題", "8050 problem", F_CARE},
    {13, "double_care", "ダブルケア", "Double care", F_CHILD},
    {14, "young_carer", "ヤングケアラー", "Young carer", F_CHILD},
    {15, "abuse", "虐待", "Abuse", F_OTHER},
    {16, "dv", "DV", "Domestic violence", F_OTHER},
    {17, "isolation", "社会的孤立", "Social isolation", F_OTHER},
    {18, "self_neglect", "セルフネグレクト", "Self-neglect", F_OTHER},
    {19, "foreign", "外国籍・言語", "Foreign nationality or language", F_OTHER},
    {20, "health", "健康・医療", "Health and medical care", F_OTHER},
    {21, "suicide_risk", "自殺念慮", "Suicidal thoughts", F_OTHER},
    {22, "other", "その他", "Other", F_OTHER},
};

static const ks_code support_codes[] = {
    {1, "consultation", "相談対応", "Consultation", 0},
    {2, "information", "情報提供", "Information", 0},
    {3, "home_visit", "訪問", "Home visit", 0},
    {4, "accompany", "同行支援", "Accompanying", 0},
    {5, "referral", "つなぎ", "Referral", 0},
    {6, "multi_agency", "多機関協働", "Multi-agency collaboration", 0},
    {7, "plan", "プラン作成", "Support plan", 0},
    {8, "participation", "参加支援", "Participation support", 0},
    {9, "salon", "相談サロン", "Consultation salon", 0},
    {10, "application", "制度申請支援", "Help with applications", 0},
    {11, "monitoring", "見守り", "Watching over", 0},
    {12, "other", "その他", "Other", 0},
};

static const ks_code field_codes[] = {
    {KS_FIELD_CARE, "care", "介護", "Care", 0},
    {KS_FIELD_DISABILITY, "disability", "障がい", "Disability", 0},
    {KS_FIELD_CHILD, "child", "子ども", "Children", 0},
    {KS_FIELD_POVERTY, "poverty", "生活困窮", "Poverty", 0},
    {KS_FIELD_OTHER, "other", "その他", "Other", 0},
};

static const ks_code partner_kind_codes[] = {
    {KS_PKIND_CITY_WINDOW, "city_window", "市窓口", "City window", 0},
    {KS_PKIND_AGENCY, "agency", "関係機関", "Related agency", 0},
    {KS_PKIND_ORGANISATION, "organisation", "団体", "Organisation", 0},
};

typedef struct kind_info {
    const char *table;    /* database table name */
    const char *field;    /* the contract's field name */
    const ks_code *codes; /* the codes, in id order */
    size_t n;             /* how many */
} kind_info;

#define KIND(t, f, c) {t, f, c, KS_ARRAY_LEN(c)}
static const kind_info kinds[KS_CODE_KIND_COUNT] = {
    [KS_CODE_SEX] = KIND("sex", "sex", sex_codes),
    [KS_CODE_HOUSEHOLD] = KIND("household_type", "household_type", household_codes),
    [KS_CODE_ROUTE] = KIND("intake_route", "intake_route", route_codes),
    [KS_CODE_CONSENT] = KIND("consent", "consent", consent_codes),
    [KS_CODE_MEETING] = KIND("meeting_type", "meeting", meeting_codes),
    [KS_CODE_STATUS] = KIND("status", "status", status_codes),
    [KS_CODE_OUTCOME] = KIND("outcome", "outcome", outcome_codes),
    [KS_CODE_PROBLEM] = KIND("problem", "problems", problem_codes),
    [KS_CODE_SUPPORT] = KIND("support", "supports", support_codes),
    [KS_CODE_FIELD] = KIND("field", "field", field_codes),
    [KS_CODE_PARTNER_KIND] = KIND("partner_kind", "partner_kind", partner_kind_codes),
};
#undef KIND

typedef struct synonym {
    ks_code_kind kind; /* list the synonym belongs to */
    const char *form;  /* accepted spelling, written like the table strings */
    const char *code;  /* English code it stands for */
} synonym;

/* Spellings seen in real coordinator sheets besides the contract's own. */
static const synonym synonyms[] = {
    {KS_CODE_SEX, "男性", "M"},
    {KS_CODE_SEX, "女性", "F"},
    {KS_CODE_ROUTE, "neighbor", "neighbour"},
    {KS_CODE_CONSENT, "有", "yes"},
    {KS_CODE_CONSENT, "有り", "yes"},
    {KS_CODE_CONSENT, "はい", "yes"},
    {KS_CODE_CONSENT, "同意あり", "yes"},
    {KS_CODE_CONSENT, "無", "no"},
    {KS_CODE_CONSENT, "無し", "no"},
    {KS_CODE_CONSENT, "いいえ", "no"},
    {KS_CODE_CONSENT, "同意なし", "no"},
    {KS_CODE_MEETING, "無", "none"},
    {KS_CODE_MEETING, "無し", "none"},
    {KS_CODE_PROBLEM, "障害", "disability"}, /* the older spelling of 障がい */
    {KS_CODE_PROBLEM, "債務", "debt"},
    {KS_CODE_PROBLEM, "家計", "debt"},
    {KS_CODE_PROBLEM, "引きこもり", "hikikomori"},
    {KS_CODE_PROBLEM, "外国籍", "foreign"},
    {KS_CODE_FIELD, "障害", "disability"},
    {KS_CODE_PARTNER_KIND, "organization", "organisation"},
};

const char *ks_code_kind_table(ks_code_kind kind)
{
    return (unsigned)kind < KS_CODE_KIND_COUNT ? kinds[kind].table : NULL;
}

const char *ks_code_kind_field(ks_code_kind kind)
{
    return (unsigned)kind < KS_CODE_KIND_COUNT ? kinds[kind].field : NULL;
}

const ks_code *ks_codes(ks_code_kind kind, size_t *n)
{
    if ((unsigned)kind >= KS_CODE_KIND_COUNT) {
        *n = 0;
        return NULL;
    }
    *n = kinds[kind].n;
    return kinds[kind].codes;
}

const ks_code *ks_code_by_id(ks_code_kind kind, int id)
{
    if ((unsigned)kind >= KS_CODE_KIND_COUNT || id < 1 || (size_t)id > kinds[kind].n)
        return NULL;
    return &kinds[kind].codes[id - 1];
}

/* true when the table string `cand`, folded (ASCII lower-cased, spaces
 * dropped), equals s[0..n) */
static bool folded_eq(const char *cand, const char *s, size_t n)
{
    size_t i = 0;
    for (const unsigned char *c = (const unsigned char *)cand; *c; c++) {
        unsigned char x = *c;
        if (x == ' ')
            continue;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (i >= n || (unsigned char)s[i] != x)
            return false;
        i++;
    }
    return i == n;
}

int ks_code_lookup(ks_code_kind kind, const char *folded, size_t n)
{
    if ((unsigned)kind >= KS_CODE_KIND_COUNT || !folded || n == 0)
        return 0;
    const kind_info *k = &kinds[kind];
    for (size_t i = 0; i < k->n; i++) {
        const ks_code *c = &k->codes[i];
        if (folded_eq(c->code, folded, n) || folded_eq(c->label_ja, folded, n)
            || folded_eq(c->label_en, folded, n))
            return c->id;
    }
    for (size_t i = 0; i < KS_ARRAY_LEN(synonyms); i++) {
        if (synonyms[i].kind != kind || !folded_eq(synonyms[i].form, folded, n))
            continue;
        for (size_t j = 0; j < k->n; j++)
            if (strcmp(k->codes[j].code, synonyms[i].code) == 0)
                return k->codes[j].id;
    }
    return 0;
}

bool ks_outcome_good(int outcome_id) { return outcome_id == KS_OUTCOME_RESOLVED || outcome_id == KS_OUTCOME_IMPROVED; }
