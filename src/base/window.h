/* window.h: directory records of the consultation windows and agencies of a
 * municipality profile (windows.csv beside partners.csv; the format is in
 * datasets/profiles/README.md).  One record per partner code at most; a
 * partner without a record is listed in the guide's staff report, not
 * invented.  Every value comes from the city's documents or a data
 * officer; an empty value means "not given" and is shown as such -- never
 * filled in.
 *
 * Ownership: the records belong to their ks_profile (ks_profile_windows);
 * they live as long as it does. */
#ifndef KASANE_WINDOW_H
#define KASANE_WINDOW_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "hours.h"

typedef enum ks_operator {
    KS_OPERATOR_UNKNOWN = 0,
    KS_OPERATOR_CITY,        /* 市 (直営) */
    KS_OPERATOR_SHAKYO,      /* 社会福祉協議会 */
    KS_OPERATOR_CORPORATION, /* 法人 (委託先の社会福祉法人, NPO, 医療法人 ...) */
    KS_OPERATOR_OTHER,       /* その他 (国, 都道府県, 任意団体 ...) */
} ks_operator;

enum {
    KS_CHANNEL_VISIT = 1 << 0,    /* 来所 */
    KS_CHANNEL_PHONE = 1 << 1,    /* 電話 */
    KS_CHANNEL_FAX = 1 << 2,      /* FAX */
    KS_CHANNEL_EMAIL = 1 << 3,    /* メール */
    KS_CHANNEL_OUTREACH = 1 << 4, /* 訪問 (they come to you) */
    KS_CHANNEL_ONLINE = 1 << 5,   /* オンライン */
};

typedef struct ks_window {
    int partner_id;         /* ks_partner.id this record describes */
    ks_operator op;         /* 実施主体 */
    char *operator_name;    /* the operator's name when given ("三鷹市社会福祉協議会"), "" otherwise */
    char *department;       /* 所管課 ("健康福祉部地域福祉課"), "" when not given */
    char *summary_ja;       /* what it does, one or two plain sentences */
    char *summary_en;       /* the same in English, "" when not given */
    char *audience_ja;      /* 対象, in words ("65歳以上の方とその家族") */
    char *audience_en;      /* the same in English */
    int age_min;            /* youngest served, -1 = no bound */
    int age_max;            /* oldest served, -1 = no bound */
    unsigned households;    /* bit i: household_type id i served; 0 = any */
    unsigned long long districts; /* bit i: district id i served; 0 = the whole city */
    unsigned channels;      /* KS_CHANNEL_* */
    char *address;          /* "" when not given */
    char *phone;            /* "" when not given */
    char *fax;              /* "" when not given */
    char *email;            /* "" when not given */
    char *url;              /* "" when not given */
    ks_hours hours;         /* n = 0 when not given */
    char *hours_note;       /* free text about the hours ("第2・4土曜休み"), "" */
    bool assured;           /* assured_date given */
    ks_date assured_date;   /* when the record was last checked */
    char *source;           /* where the values come from ("seeds/004 p.12") */
} ks_window;

/* windows.csv's words (datasets/profiles/README.md).  The parsers take a
 * value in ks_text_fold_label form; the codes are the English words. */
/* "city"/"市", "shakyo"/"社会福祉協議会"/"社協", "corporation"/"法人",
 * "other"/"その他" -> the operator; "" -> KS_OPERATOR_UNKNOWN; -1 otherwise. */
int ks_operator_parse(const char *folded);
const char *ks_operator_code(ks_operator op); /* "city" ...; "" for unknown */
/* "visit"/"来所", "phone"/"電話", "fax", "email"/"メール", "outreach"/"訪問",
 * "online"/"オンライン" -> its KS_CHANNEL_* bit; 0 otherwise. */
unsigned ks_channel_parse(const char *folded);
const char *ks_channel_code(unsigned bit); /* "visit" ...; NULL for no single channel */

#endif
