/* codes.h: the code lists of the import contract (sex, household type, intake
 * route, consent, meeting, status, outcome, problems, supports) and the partner
 * fields and kinds of municipality profiles.  Each code has a stable small
 * integer id (stored in the database), an English code and Japanese/English
 * labels.  Ids never change once released: new codes are appended. */
#ifndef KASANE_CODES_H
#define KASANE_CODES_H

#include <stdbool.h>

#include <stddef.h>

typedef enum ks_code_kind {
    KS_CODE_SEX,
    KS_CODE_HOUSEHOLD,
    KS_CODE_ROUTE,
    KS_CODE_CONSENT,
    KS_CODE_MEETING,
    KS_CODE_STATUS,
    KS_CODE_OUTCOME,
    KS_CODE_PROBLEM,
    KS_CODE_SUPPORT,
    KS_CODE_FIELD,        /* partner/problem field: 介護 care, 障がい disability, 子ども child, 生活困窮 poverty, その他 other */
    KS_CODE_PARTNER_KIND, /* 市窓口 city_window, 関係機関 agency, 団体 organisation */
    KS_CODE_KIND_COUNT
} ks_code_kind;

typedef struct ks_code {
    int id;               /* stable, 1-based, stored in the database */
    const char *code;     /* English code from the contract: "care", "8050", "M" */
    const char *label_ja; /* Japanese label: "介護", "8050問題", "男" */
    const char *label_en; /* English label for --lang en: "Care", "8050 problem", "Male" */
    int field;            /* for problems: the KS_CODE_FIELD id it belongs to; else 0 */
} ks_code;

/* The table name used in the database for a kind ("sex", "problem", ...). */
const char *ks_code_kind_table(ks_code_kind kind);
/* The contract's field name for a kind ("sex", "household_type", "problems", ...). */
const char *ks_code_kind_field(ks_code_kind kind);

/* All codes of a kind, in id order; *n receives the count. */
const ks_code *ks_codes(ks_code_kind kind, size_t *n);

/* Finds a code by Japanese label or English code.  `folded` must already be
 * in ks_text_fold_label form (NFKC-casefolded, no white space).  Also accepts a
 * few documented synonyms (e.g. "男性", "女性", "有", "無", "同意あり").
 * Returns the id, or 0 when nothing matches. */
int ks_code_lookup(ks_code_kind kind, const char *folded, size_t n);

/* The code with that id, or NULL. */
const ks_code *ks_code_by_id(ks_code_kind kind, int id);

/* Ids the engine relies on (the contract's meaning, not free choice). */
/* KS_CONSENT_YES in SQL text: "... WHERE consent_id = " KS_CONSENT_YES_SQL */
#define KS_CONSENT_YES_ID 1
#define KS_CODE_SQL_(x) #x
#define KS_CODE_SQL(x) KS_CODE_SQL_(x)
#define KS_CONSENT_YES_SQL KS_CODE_SQL(KS_CONSENT_YES_ID)
enum { KS_CONSENT_YES = KS_CONSENT_YES_ID, KS_CONSENT_NO = 2 };
enum { KS_FIELD_CARE = 1, KS_FIELD_DISABILITY = 2, KS_FIELD_CHILD = 3, KS_FIELD_POVERTY = 4, KS_FIELD_OTHER = 5 };
enum { KS_PKIND_CITY_WINDOW = 1, KS_PKIND_AGENCY = 2, KS_PKIND_ORGANISATION = 3 };
enum { KS_STATUS_ONGOING = 1, KS_STATUS_CLOSED = 2, KS_STATUS_SUSPENDED = 3 };
enum { KS_SEX_MALE = 1, KS_SEX_FEMALE = 2, KS_SEX_OTHER = 3, KS_SEX_UNKNOWN = 4 };
enum {
    KS_OUTCOME_RESOLVED = 1, KS_OUTCOME_IMPROVED = 2, KS_OUTCOME_UNCHANGED = 3, KS_OUTCOME_WORSENED = 4,
    KS_OUTCOME_MOVED = 5, KS_OUTCOME_DECEASED = 6, KS_OUTCOME_UNKNOWN = 7
};

/* A good outcome: 解決 (resolved) or 改善 (improved).  The one definition:
 * analyses, the report and (as the SQL function good_outcome(), analysis.h)
 * the query library all ask here. */
bool ks_outcome_good(int outcome_id);

#endif
