/* window.c: the words of windows.csv (window.h); the file itself is read
 * with the rest of the profile, in profile.c. */
#include "window.h"

#include <string.h>

#include "util.h"

/* Japanese labels are written as NFKC_Casefold fixed points, so a folded
 * value compares with strcmp. */
static const struct {
    const char *code;   /* English word */
    const char *ja[3];  /* Japanese labels, NULL-padded */
    ks_operator op;     /* the operator */
} operators[] = {
    {"city", {"市", "市直営", NULL}, KS_OPERATOR_CITY},
    {"shakyo", {"社会福祉協議会", "社協", NULL}, KS_OPERATOR_SHAKYO},
    {"corporation", {"法人", NULL, NULL}, KS_OPERATOR_CORPORATION},
    {"other", {"その他", NULL, NULL}, KS_OPERATOR_OTHER},
};

static const struct {
    const char *code;  /* English word */
    const char *ja;    /* Japanese label */
    unsigned bit;      /* KS_CHANNEL_* */
} channels[] = {
    {"visit", "来所", KS_CHANNEL_VISIT},       {"phone", "電話", KS_CHANNEL_PHONE},
    {"fax", "fax", KS_CHANNEL_FAX},             {"email", "メール", KS_CHANNEL_EMAIL},
    {"outreach", "訪問", KS_CHANNEL_OUTREACH}, {"online", "オンライン", KS_CHANNEL_ONLINE},
};

int ks_operator_parse(const char *folded)
{
    if (!*folded)
        return KS_OPERATOR_UNKNOWN;
    for (size_t i = 0; i < KS_ARRAY_LEN(operators); i++) {
        if (strcmp(folded, operators[i].code) == 0)
            return (int)operators[i].op;
        for (size_t j = 0; j < KS_ARRAY_LEN(operators[i].ja) && operators[i].ja[j]; j++)
            if (strcmp(folded, operators[i].ja[j]) == 0)
                return (int)operators[i].op;
    }
    return -1;
}

const char *ks_operator_code(ks_operator op)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(operators); i++)
        if (operators[i].op == op)
            return operators[i].code;
    return "";
}

unsigned ks_channel_parse(const char *folded)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(channels); i++)
        if (strcmp(folded, channels[i].code) == 0 || strcmp(folded, channels[i].ja) == 0)
            return channels[i].bit;
    return 0;
}

const char *ks_channel_code(unsigned bit)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(channels); i++)
        if (channels[i].bit == bit)
            return channels[i].code;
    return NULL;
}
