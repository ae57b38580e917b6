/* row.c: one CSV record -> one ks_record, or a reason to reject it.
 *
 * Every value is decoded to UTF-8, NFKC-folded and trimmed (text.h) before it
 * is looked at.  Identifiers (record, resident and household numbers, name)
 * are turned into keyed pseudonyms here and exist nowhere else; the birth date
 * becomes an age at consult_date; kana, address, phone and notes are checked
 * for valid encoding and then dropped. */
#include <stdlib.h>
#include <string.h>

#include "kasane/codes.h"
#include "kasane/date.h"
#include "kasane/import.h"
#include "kasane/text.h"

static const struct {
    const char *code;
    const char *message;
} reasons[KS_R_COUNT] = {
    [KS_R_COLUMN_COUNT] = {"column_count", "wrong number of columns"},
    [KS_R_ENCODING] = {"invalid_encoding", "invalid byte sequence for the file's encoding"},
    [KS_R_NUL_BYTE] = {"nul_byte", "field contains a NUL byte"},
    [KS_R_FIELD_TOO_LONG] = {"field_too_long", "field is longer than the limit"},
    [KS_R_MISSING] = {"missing_required", "required value is empty"},
    [KS_R_DATE_FORMAT] = {"bad_date_format", "not a date in any accepted form"},
    [KS_R_DATE_IMPOSSIBLE] = {"impossible_date", "no such calendar date"},
    [KS_R_DATE_ERA] = {"era_out_of_range", "date outside its Japanese era"},
    [KS_R_DATE_YEAR] = {"year_out_of_range", "year outside 1900-2100"},
    [KS_R_CLOSED_BEFORE_OPENED] = {"closed_before_opened", "closed_date is before consult_date"},
    [KS_R_BORN_AFTER_CONSULTED] = {"born_after_consulted", "birth_date is after consult_date"},
    [KS_R_AGE_IMPLAUSIBLE] = {"implausible_age", "age at consultation over 120"},
    [KS_R_UNKNOWN_CODE] = {"unknown_code", "value is not one of the field's codes"},
    [KS_R_UNKNOWN_DISTRICT] = {"unknown_district", "district is not in the municipality profile"},
    [KS_R_TOO_MANY_VALUES] = {"too_many_values", "more values than the field can hold"},
    [KS_R_NO_PERSON_KEY] = {"missing_person_key", "neither resident_id nor name is given"},
    [KS_R_DUPLICATE_RECORD] = {"duplicate_record", "record_id already appeared earlier in this import"},
};

const char *ks_reason_code(ks_reason r) { return (unsigned)r < KS_R_COUNT ? reasons[r].code : "?"; }
const char *ks_reason_message(ks_reason r) { return (unsigned)r < KS_R_COUNT ? reasons[r].message : "?"; }

struct ks_normaliser {
    const ks_header *h;       /* column of each field */
    ks_decoder *dec;          /* borrowed */
    const ks_key *key;        /* borrowed; NULL when only validating */
    const ks_profile *prof;   /* borrowed */
    ks_buf raw;               /* decoded value */
    ks_buf val;               /* folded value */
    ks_buf tok;               /* one token of a multi-valued field, label-folded */
    ks_buf idbuf;             /* identifier being pseudonymised */
    ks_quality q;             /* data-quality counters, accepted rows only */
    uint8_t qflag[KS_F_COUNT];/* this row: 1 = empty, 2 = unknown; added to q if accepted */
    uint64_t pending[KS_MAX_PARTNERS + 1]; /* this row's unlisted-name hashes */
    int npending;             /* entries in pending */
    ks_u64set *seen_cases;    /* record ids seen in this import (borrowed, all files) */
    ks_name_tally *tally;     /* unlisted names of accepted rows, or NULL (borrowed) */
    char *pending_name[KS_MAX_PARTNERS + 1]; /* with tally: this row's unlisted names */
    const char *seg;          /* split_tokens: the current token as written (NFKC) */
    size_t seglen;            /* its length */
    uint64_t unlisted;        /* unlisted partner occurrences */
    ks_u64set unlisted_seen;  /* hashes of the distinct unlisted names */
};

ks_normaliser *ks_normaliser_new(const ks_header *h, ks_decoder *dec, const ks_key *key,
                                 const ks_profile *prof, ks_u64set *seen_cases)
{
    ks_normaliser *n = ks_calloc(1, sizeof *n);
    n->seen_cases = seen_cases;
    n->h = h;
    n->dec = dec;
    n->key = key;
    n->prof = prof;
    ks_buf_init(&n->raw);
    ks_buf_init(&n->val);
    ks_buf_init(&n->tok);
    ks_buf_init(&n->idbuf);
    return n;
}

/* Identifier text passes through these buffers: wipe before giving them back. */
static void wipe_release(ks_buf *b)
{
    if (b->cap)
        explicit_bzero(b->buf, b->cap);
    ks_buf_release(b);
}

void ks_normaliser_free(ks_normaliser *n)
{
    if (!n)
        return;
    wipe_release(&n->raw);
    wipe_release(&n->val);
    wipe_release(&n->tok);
    wipe_release(&n->idbuf);
    ks_u64set_release(&n->unlisted_seen);
    free(n);
}

const ks_quality *ks_normaliser_quality(const ks_normaliser *n) { return &n->q; }

uint64_t ks_normaliser_unlisted(const ks_normaliser *n, uint64_t *distinct)
{
    if (distinct)
        *distinct = n->unlisted_seen.n;
    return n->unlisted;
}

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Counts distinct unlisted partner names by their 64-bit hash only: the names
 * themselves are not kept. */
static void count_unlisted(ks_normaliser *n, uint64_t h)
{
    n->unlisted++;
    ks_u64set_add(&n->unlisted_seen, h);
}

/* Unlisted names of a row count only once the row is accepted. */
/* s/len: the name as compared (label-folded); shown/shown_len: as written,
 * for --list-unlisted (NFKC and trimmed, case kept). */
static void note_unlisted(ks_normaliser *n, const char *s, size_t len, const char *shown, size_t shown_len)
{
    if (n->npending < (int)KS_ARRAY_LEN(n->pending)) {
        if (n->tally) {
            while (shown_len && (*shown == ' ' || *shown == '\t'))
                shown++, shown_len--;
            while (shown_len && (shown[shown_len - 1] == ' ' || shown[shown_len - 1] == '\t'))
                shown_len--;
            n->pending_name[n->npending] = ks_strndup(shown, shown_len);
        }
        n->pending[n->npending++] = fnv1a(s, len);
    }
}

static void drop_pending_names(ks_normaliser *n)
{
    for (int i = 0; n->tally && i < n->npending; i++) {
        free(n->pending_name[i]);
        n->pending_name[i] = NULL;
    }
}

void ks_normaliser_tally(ks_normaliser *n, ks_name_tally *t) { n->tally = t; }

void ks_name_tally_add(ks_name_tally *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->name[i], name) == 0) {
            t->count[i]++;
            return;
        }
    if (t->n == KS_TALLY_MAX) {
        t->others++;
        return;
    }
    t->name = ks_realloc(t->name, ks_mul(t->n + 1, sizeof *t->name));
    t->count = ks_realloc(t->count, ks_mul(t->n + 1, sizeof *t->count));
    t->name[t->n] = ks_strdup(name);
    t->count[t->n++] = 1;
}

void ks_name_tally_release(ks_name_tally *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->name[i]);
    free(t->name);
    free(t->count);
    memset(t, 0, sizeof *t);
}

static int reject(ks_reject *rej, const ks_normaliser *n, int field, ks_reason r)
{
    rej->field = field;
    rej->column = field >= 0 && n->h->col[field] >= 0 ? n->h->col[field] + 1 : 0;
    rej->reason = r;
    return 1;
}

/* Decodes and folds one field into n->val (empty when the column is absent).
 * Returns 0, or 1 after filling rej. */
static int get(ks_normaliser *n, const ks_csv_record *rec, ks_field f, ks_reject *rej)
{
    ks_buf_reset(&n->val);
    int c = n->h->col[f];
    if (c < 0)
        return 0;
    const ks_csv_field *fld = &rec->fields[c];
    if (fld->len == 0)
        return 0;
    if (memchr(fld->data, '\0', fld->len))
        return reject(rej, n, f, KS_R_NUL_BYTE);
    ks_buf_reset(&n->raw);
    if (ks_decoder_field(n->dec, fld->data, fld->len, &n->raw) < 0)
        return reject(rej, n, f, KS_R_ENCODING);
    if (ks_text_fold(n->raw.buf, n->raw.len, &n->val) < 0)
        return reject(rej, n, f, KS_R_ENCODING);
    return 0;
}

/* For columns that are dropped: only checks that the value is valid text in
 * the file's encoding (a broken row is rejected whole, never half-read), and
 * tells whether it held anything but white space.  No normalisation: the
 * value goes nowhere. */
static int check_only(ks_normaliser *n, const ks_csv_record *rec, ks_field f, int *present, ks_reject *rej)
{
    *present = 0;
    int c = n->h->col[f];
    if (c < 0 || rec->fields[c].len == 0)
        return 0;
    const ks_csv_field *fld = &rec->fields[c];
    if (memchr(fld->data, '\0', fld->len))
        return reject(rej, n, f, KS_R_NUL_BYTE);
    ks_buf_reset(&n->raw);
    if (ks_decoder_field(n->dec, fld->data, fld->len, &n->raw) < 0)
        return reject(rej, n, f, KS_R_ENCODING);
    for (size_t i = 0; i < n->raw.len && !*present; i++) {
        unsigned char ch = (unsigned char)n->raw.buf[i];
        /* ASCII white space and U+3000 (E3 80 80) do not count as content */
        if (ch == 0xE3 && i + 2 < n->raw.len && (unsigned char)n->raw.buf[i + 1] == 0x80 &&
            (unsigned char)n->raw.buf[i + 2] == 0x80)
            i += 2;
        else if (ch != ' ' && (ch < '\t' || ch > '\r'))
            *present = 1;
    }
    return 0;
}

static int is_unknown_word(const char *s)
{
    return strcmp(s, "不明") == 0 || strcmp(s, "不詳") == 0 || strcmp(s, "unknown") == 0 ||
           strcmp(s, "Unknown") == 0 || strcmp(s, "UNKNOWN") == 0;
}

/* A single-valued code field.  Empty and 不明 count in the quality table; a
 * code list that has its own 不明 (sex U, outcome unknown) stores it. */
static int get_code(ks_normaliser *n, const ks_csv_record *rec, ks_field f, ks_code_kind kind,
                    int required, uint8_t *out, ks_reject *rej)
{
    *out = 0;
    if (get(n, rec, f, rej))
        return 1;
    if (n->val.len == 0) {
        n->qflag[f] |= 1;
        return required ? reject(rej, n, f, KS_R_MISSING) : 0;
    }
    ks_buf_reset(&n->tok);
    ks_text_fold_label(n->val.buf, n->val.len, &n->tok);
    int id = ks_code_lookup(kind, n->tok.buf, n->tok.len);
    int unknown = is_unknown_word(n->val.buf);
    if (id == 0 && !unknown)
        return reject(rej, n, f, KS_R_UNKNOWN_CODE);
    if (unknown || (id && strcmp(ks_code_by_id(kind, id)->code, "U") == 0) ||
        (id && strcmp(ks_code_by_id(kind, id)->code, "unknown") == 0)) {
        n->qflag[f] |= 2;
        if (required && id == 0)
            return reject(rej, n, f, KS_R_UNKNOWN_CODE);
    }
    *out = (uint8_t)id;
    return 0;
}

static ks_reason date_reason(ks_date_err e)
{
    switch (e) {
    case KS_DATE_IMPOSSIBLE: return KS_R_DATE_IMPOSSIBLE;
    case KS_DATE_ERA_RANGE: return KS_R_DATE_ERA;
    case KS_DATE_YEAR_RANGE: return KS_R_DATE_YEAR;
    default: return KS_R_DATE_FORMAT;
    }
}

/* Returns 0 with *has = 0 for an empty optional date. */
static int get_date(ks_normaliser *n, const ks_csv_record *rec, ks_field f, int required,
                    ks_date *out, uint8_t *has, ks_reject *rej)
{
    *has = 0;
    if (get(n, rec, f, rej))
        return 1;
    if (n->val.len == 0) {
        n->qflag[f] |= 1;
        return required ? reject(rej, n, f, KS_R_MISSING) : 0;
    }
    ks_date_err e = ks_date_parse(n->val.buf, n->val.len, out);
    if (e != KS_DATE_OK)
        return reject(rej, n, f, date_reason(e));
    *has = 1;
    return 0;
}

/* Splits n->val on the contract's separators (; 、 ／ — after NFKC ／ is '/')
 * and on ','; calls fn for each non-empty, label-folded token. */
typedef int (*token_fn)(ks_normaliser *n, ks_record *r, ks_field f, ks_reject *rej);

static int split_tokens(ks_normaliser *n, ks_record *r, ks_field f, token_fn fn, ks_reject *rej)
{
    const char *s = n->val.buf, *end = s + n->val.len;
    while (s < end) {
        const char *e = s;
        size_t seplen = 0;
        while (e < end) {
            if (*e == ';' || *e == '/' || *e == ',') {
                seplen = 1;
                break;
            }
            if (end - e >= 3 && memcmp(e, "、", 3) == 0) {
                seplen = 3;
                break;
            }
            e++;
        }
        ks_buf_reset(&n->tok);
        ks_text_fold_label(s, (size_t)(e - s), &n->tok);
        n->seg = s;
        n->seglen = (size_t)(e - s);
        if (n->tok.len > 0 && fn(n, r, f, rej))
            return 1;
        s = e + seplen;
    }
    return 0;
}

static int add_problem(ks_normaliser *n, ks_record *r, ks_field f, ks_reject *rej)
{
    int id = ks_code_lookup(KS_CODE_PROBLEM, n->tok.buf, n->tok.len);
    if (!id)
        return reject(rej, n, f, KS_R_UNKNOWN_CODE);
    for (int i = 0; i < r->n_problems; i++)
        if (r->problems[i] == id)
            return 0;
    if (r->n_problems == KS_MAX_PROBLEMS)
        return reject(rej, n, f, KS_R_TOO_MANY_VALUES);
    r->problems[r->n_problems++] = (uint8_t)id;
    return 0;
}

static int add_support(ks_normaliser *n, ks_record *r, ks_field f, ks_reject *rej)
{
    int id = ks_code_lookup(KS_CODE_SUPPORT, n->tok.buf, n->tok.len);
    if (!id)
        return reject(rej, n, f, KS_R_UNKNOWN_CODE);
    for (int i = 0; i < r->n_supports; i++)
        if (r->supports[i] == id)
            return 0;
    if (r->n_supports == KS_MAX_SUPPORTS)
        return reject(rej, n, f, KS_R_TOO_MANY_VALUES);
    r->supports[r->n_supports++] = (uint8_t)id;
    return 0;
}

static int add_partner(ks_normaliser *n, ks_record *r, ks_field f, ks_reject *rej)
{
    int id = ks_profile_partner(n->prof, n->tok.buf, n->tok.len);
    if (!id)
        note_unlisted(n, n->tok.buf, n->tok.len, n->seg, n->seglen);
    for (int i = 0; i < r->n_partners; i++)
        if (r->partners[i] == id)
            return 0;
    if (r->n_partners == KS_MAX_PARTNERS)
        return reject(rej, n, f, KS_R_TOO_MANY_VALUES);
    r->partners[r->n_partners++] = (uint16_t)id;
    return 0;
}

/* Pseudonymises the folded identifier in n->idbuf. */
static void pseudo(ks_normaliser *n, ks_id_kind kind, uint8_t out[KS_PSEUDO_BYTES])
{
    if (n->key)
        ks_pseudo(n->key, kind, n->idbuf.buf, n->idbuf.len, out);
}

/* Folds n->val as an identifier (NFKC, every space removed) into n->idbuf
 * after `prefix`.  Returns the folded length without the prefix. */
static size_t id_fold(ks_normaliser *n, const char *prefix)
{
    ks_buf_reset(&n->idbuf);
    ks_buf_adds(&n->idbuf, prefix);
    size_t before = n->idbuf.len;
    ks_text_fold_key(n->val.buf, n->val.len, &n->idbuf);
    return n->idbuf.len - before;
}

static void count_fields(const ks_profile *prof, ks_record *r)
{
    unsigned mask = 0;
    for (int i = 0; i < r->n_problems; i++) {
        const ks_code *c = ks_code_by_id(KS_CODE_PROBLEM, r->problems[i]);
        if (c && c->field)
            mask |= 1u << c->field;
    }
    size_t np;
    const ks_partner *pt = ks_profile_partners(prof, &np);
    for (int i = 0; i < r->n_partners; i++)
        if (r->partners[i] && r->partners[i] <= np && pt[r->partners[i] - 1].field)
            mask |= 1u << pt[r->partners[i] - 1].field;
    r->n_fields = (uint8_t)__builtin_popcount(mask);
}

static int normalise(ks_normaliser *n, const ks_csv_record *rec, size_t oversize_field, ks_record *r,
                     ks_reject *rej)
{
    memset(r, 0, sizeof *r);
    memset(rej, 0, sizeof *rej);
    rej->line = rec->line;
    rej->field = -1;
    if (rec->nfields != n->h->ncols) {
        rej->reason = KS_R_COLUMN_COUNT;
        return 1;
    }
    if (oversize_field) {
        rej->column = (int)oversize_field;
        rej->reason = KS_R_FIELD_TOO_LONG;
        for (int f = 0; f < KS_F_COUNT; f++)
            if (n->h->col[f] == (int)oversize_field - 1)
                rej->field = f;
        return 1;
    }

    /* record_id -> case pseudonym */
    if (get(n, rec, KS_F_RECORD_ID, rej))
        return 1;
    if (id_fold(n, "") == 0)
        return reject(rej, n, KS_F_RECORD_ID, KS_R_MISSING);
    pseudo(n, KS_ID_CASE, r->case_ps);
    /* Duplicates are found here, in file order, so import and validate agree;
     * without a key (validating) the folded id's 64-bit hash stands in. */
    uint64_t case_key = n->key ? (uint64_t)ks_pseudo_rowid(r->case_ps) : fnv1a(n->idbuf.buf, n->idbuf.len);
    if (n->seen_cases && !ks_u64set_add(n->seen_cases, case_key))
        return reject(rej, n, KS_F_RECORD_ID, KS_R_DUPLICATE_RECORD);

    /* dates first: the person key needs the birth date */
    ks_date birth;
    uint8_t has;
    if (get_date(n, rec, KS_F_BIRTH_DATE, 1, &birth, &has, rej) ||
        get_date(n, rec, KS_F_CONSULT_DATE, 1, &r->consult, &has, rej) ||
        get_date(n, rec, KS_F_CLOSED_DATE, 0, &r->closed, &r->has_closed, rej))
        return 1;
    if (ks_date_cmp(birth, r->consult) > 0)
        return reject(rej, n, KS_F_BIRTH_DATE, KS_R_BORN_AFTER_CONSULTED);
    if (r->has_closed && ks_date_cmp(r->closed, r->consult) < 0)
        return reject(rej, n, KS_F_CLOSED_DATE, KS_R_CLOSED_BEFORE_OPENED);
    int age = ks_age_years(birth, r->consult);
    if (age > 120)
        return reject(rej, n, KS_F_BIRTH_DATE, KS_R_AGE_IMPLAUSIBLE);
    r->age_years = (uint8_t)age;
    r->age_band = (uint8_t)(ks_age_band(age) + 1); /* code tables are 1-based */

    /* person key: resident number if given, else name + birth date */
    if (get(n, rec, KS_F_RESIDENT_ID, rej))
        return 1;
    if (n->val.len == 0)
        n->qflag[KS_F_RESIDENT_ID] |= 1;
    int used_name = 0;
    if (id_fold(n, "r\x1f") == 0) {
        used_name = 1;
        if (get(n, rec, KS_F_NAME, rej))
            return 1;
        if (n->val.len == 0)
            n->qflag[KS_F_NAME] |= 1;
        if (id_fold(n, "n\x1f") == 0)
            return reject(rej, n, n->h->col[KS_F_NAME] >= 0 ? KS_F_NAME : KS_F_RESIDENT_ID,
                          KS_R_NO_PERSON_KEY);
        char iso[11];
        ks_date_format(birth, iso);
        ks_buf_addc(&n->idbuf, '\x1f');
        ks_buf_adds(&n->idbuf, iso);
    }
    pseudo(n, KS_ID_PERSON, r->person_ps);

    if (get(n, rec, KS_F_HOUSEHOLD_ID, rej))
        return 1;
    if (id_fold(n, "") > 0) {
        pseudo(n, KS_ID_HOUSEHOLD, r->household_ps);
        r->has_household = 1;
    } else {
        n->qflag[KS_F_HOUSEHOLD_ID] |= 1;
    }

    /* discarded fields: still checked, so a broken row is not half-read */
    static const ks_field dropped[] = {KS_F_NAME_KANA, KS_F_ADDRESS, KS_F_PHONE, KS_F_NOTES};
    int present;
    for (size_t i = 0; i < KS_ARRAY_LEN(dropped); i++) {
        if (check_only(n, rec, dropped[i], &present, rej))
            return 1;
        if (dropped[i] == KS_F_NOTES)
            r->notes_present = (uint8_t)present;
    }
    if (!used_name && check_only(n, rec, KS_F_NAME, &present, rej))
        return 1;

    if (get_code(n, rec, KS_F_SEX, KS_CODE_SEX, 0, &r->sex, rej) ||
        get_code(n, rec, KS_F_HOUSEHOLD_TYPE, KS_CODE_HOUSEHOLD, 0, &r->household_type, rej) ||
        get_code(n, rec, KS_F_INTAKE_ROUTE, KS_CODE_ROUTE, 0, &r->intake_route, rej) ||
        get_code(n, rec, KS_F_CONSENT, KS_CODE_CONSENT, 1, &r->consent, rej) ||
        get_code(n, rec, KS_F_MEETING, KS_CODE_MEETING, 0, &r->meeting, rej) ||
        get_code(n, rec, KS_F_STATUS, KS_CODE_STATUS, 1, &r->status, rej) ||
        get_code(n, rec, KS_F_OUTCOME, KS_CODE_OUTCOME, 0, &r->outcome, rej))
        return 1;

    if (get(n, rec, KS_F_DISTRICT, rej))
        return 1;
    if (n->val.len == 0)
        return reject(rej, n, KS_F_DISTRICT, KS_R_MISSING);
    ks_buf_reset(&n->tok);
    ks_text_fold_label(n->val.buf, n->val.len, &n->tok);
    int d = ks_profile_district(n->prof, n->tok.buf, n->tok.len);
    if (!d)
        return reject(rej, n, KS_F_DISTRICT, KS_R_UNKNOWN_DISTRICT);
    r->district = (uint16_t)d;

    if (get(n, rec, KS_F_INTAKE_AGENCY, rej))
        return 1;
    if (n->val.len) {
        ks_buf_reset(&n->tok);
        ks_text_fold_label(n->val.buf, n->val.len, &n->tok);
        int id = ks_profile_partner(n->prof, n->tok.buf, n->tok.len);
        if (!id)
            note_unlisted(n, n->tok.buf, n->tok.len, n->val.buf, n->val.len);
        r->intake_agency = (uint16_t)id;
        r->has_intake_agency = 1;
    } else {
        n->qflag[KS_F_INTAKE_AGENCY] |= 1;
    }

    if (get(n, rec, KS_F_PROBLEMS, rej) || split_tokens(n, r, KS_F_PROBLEMS, add_problem, rej))
        return 1;
    if (r->n_problems == 0)
        return reject(rej, n, KS_F_PROBLEMS, KS_R_MISSING);
    if (get(n, rec, KS_F_SUPPORTS, rej) || split_tokens(n, r, KS_F_SUPPORTS, add_support, rej))
        return 1;
    if (r->n_supports == 0)
        n->qflag[KS_F_SUPPORTS] |= 1;
    if (get(n, rec, KS_F_PARTNERS, rej) || split_tokens(n, r, KS_F_PARTNERS, add_partner, rej))
        return 1;
    if (r->n_partners == 0)
        n->qflag[KS_F_PARTNERS] |= 1;
    count_fields(n->prof, r);
    return 0;
}

int ks_normalise(ks_normaliser *n, const ks_csv_record *rec, size_t oversize_field, ks_record *r, ks_reject *rej)
{
    memset(n->qflag, 0, sizeof n->qflag);
    n->npending = 0;
    int bad = normalise(n, rec, oversize_field, r, rej);
    if (bad) {
        drop_pending_names(n);
        return bad;
    }
    for (int i = 0; n->tally && i < n->npending; i++)
        ks_name_tally_add(n->tally, n->pending_name[i]);
    drop_pending_names(n);
    for (int f = 0; f < KS_F_COUNT; f++) {
        n->q.empty[f] += n->qflag[f] & 1;
        n->q.unknown[f] += (n->qflag[f] >> 1) & 1;
    }
    for (int i = 0; i < n->npending; i++)
        count_unlisted(n, n->pending[i]);
    return 0;
}
