/* row.c: one CSV record -> one ks_record, or a reason to reject it.
 *
 * Every value is decoded to UTF-8, NFKC-folded and trimmed (text.h) before it
 * is looked at.  Identifiers (record, resident and household numbers, name)
 * are turned into keyed pseudonyms here and exist nowhere else; the birth date
 * becomes an age at consult_date; kana, address, phone and notes are checked
 * for valid encoding and then dropped. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "date.h"
#include "dupcheck.h"
#include "import.h"
#include "text.h"

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
    [KS_R_TOO_MANY_FIELDS] = {"too_many_fields", "more fields than a record may have"},
    [KS_R_HEADER_REPEATED] = {"header_repeated", "the header row appears again as a data row"},
};

const char *ks_reason_code(ks_reason r) { return (unsigned)r < KS_R_COUNT ? reasons[r].code : "?"; }
const char *ks_reason_message(ks_reason r) { return (unsigned)r < KS_R_COUNT ? reasons[r].message : "?"; }

const char *ks_reject_message(const ks_reject *r, char *buf, size_t size)
{
    if (r->reason == KS_R_COLUMN_COUNT)
        snprintf(buf, size, "wrong number of columns: expected %llu fields, found %llu",
                 (unsigned long long)r->expected, (unsigned long long)r->found);
    else if (r->reason == KS_R_TOO_MANY_FIELDS)
        snprintf(buf, size, "expected %llu fields, found %llu: more than the %d a record may have",
                 (unsigned long long)r->expected, (unsigned long long)r->found, KS_CSV_MAX_FIELDS);
    else
        snprintf(buf, size, "%s", ks_reason_message(r->reason));
    return buf;
}

/* ---- memo: raw value -> resolved code ------------------------------------
 *
 * Code fields, districts and partners repeat a few dozen distinct values over
 * a whole file, and resolving one (validate, NFKC, label fold, table lookup)
 * costs far more than hashing its bytes.  So each normaliser remembers, per
 * field, the outcome of values it has resolved before, keyed by the exact
 * bytes as they came: equal bytes give an equal outcome, because every step
 * of the slow path depends on nothing but those bytes (and the normaliser's
 * fixed decoder, profile and field).  Only clean outcomes are remembered
 * (accepted, and for partners listed), so rejects and unlisted names always
 * take the slow path and are reported exactly as before.  Each table is
 * bounded: after `per_tag` distinct values of a field, new ones are simply
 * resolved the slow way.  Two tables: a small one for single codes and list
 * tokens, and a larger one for whole problem, support and partner lists,
 * whose combinations are many but still repeat (a list value is its ids). */
enum {
    MEMO_MAX_KEY = 256,         /* longer values are never remembered */
    MEMO_TAGS = 2 * KS_F_COUNT, /* field f (whole value) and KS_F_COUNT + f (one token) */
    CODE_MEMO_BITS = 12,        /* codes and tokens: 4096 slots ... */
    CODE_MEMO_PER_TAG = 128,    /* ... and 128 values per tag (12 tags are used) */
    LIST_MEMO_BITS = 13,        /* whole lists: 8192 slots ... */
    LIST_MEMO_PER_TAG = 1024,   /* ... and 1024 values per tag (3 tags are used) */
};

typedef struct memo_slot {
    uint64_t hash;  /* memo_hash of tag and key; 0 marks an empty slot */
    uint32_t off;   /* key bytes start at memo.keys.buf + off */
    uint16_t len;   /* key length */
    uint8_t tag;    /* field (whole value) or KS_F_COUNT + field (token) */
    int32_t value;  /* the outcome remembered */
} memo_slot;

typedef struct memo {
    memo_slot *slot;            /* 1 << bits entries, allocated on first use */
    unsigned bits;              /* log2 of the slot count */
    unsigned per_tag;           /* most entries per tag */
    ks_buf keys;                /* key bytes of all entries, back to back */
    size_t total;               /* entries in slot */
    uint16_t count[MEMO_TAGS];  /* entries per tag */
} memo;

static inline uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w); /* unaligned and alias-safe */
    return w;
}

static inline uint32_t load32(const char *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* A 64-bit hash of tag and key, a word at a time (never 0).  The last,
 * partial word is read as overlapping loads rather than byte by byte; the
 * length is mixed in, so that cannot make two keys of different lengths
 * collide more than any others (and memo_get compares the bytes anyway). */
static uint64_t memo_hash(unsigned tag, const char *s, size_t n)
{
    uint64_t h = ((uint64_t)tag + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ n;
    size_t i = 0;
    for (; n - i > 8; i += 8) {
        h = (h ^ load64(s + i)) * UINT64_C(0xFF51AFD7ED558CCD);
        h ^= h >> 32;
    }
    size_t r = n - i; /* 0..8 bytes left */
    uint64_t t;
    if (n >= 8)
        t = load64(s + n - 8);
    else if (r >= 4)
        t = load32(s + i) | (uint64_t)load32(s + i + r - 4) << 32;
    else if (r > 0)
        t = (uint64_t)(unsigned char)s[i] | (uint64_t)(unsigned char)s[i + r / 2] << 8 |
            (uint64_t)(unsigned char)s[i + r - 1] << 16;
    else
        t = 0;
    h = (h ^ t) * UINT64_C(0xC4CEB9FE1A85EC53);
    h ^= h >> 29;
    return h | 1;
}

/* memcmp(a, b, n) == 0 for the short keys of the memo, without a library
 * call: overlapping word loads, never reading outside either [0, n). */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        for (size_t i = 0; n - i > 8; i += 8)
            if (load64(a + i) != load64(b + i))
                return false;
        return load64(a + n - 8) == load64(b + n - 8);
    }
    if (n >= 4)
        return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Finds the entry for (tag, s[0..len)); returns 1 and its value, or 0. */
static int memo_get(const memo *m, unsigned tag, const char *s, size_t len, uint64_t h, int32_t *value)
{
    if (!m->slot || len > MEMO_MAX_KEY)
        return 0;
    size_t mask = ((size_t)1 << m->bits) - 1;
    for (size_t i = (size_t)(h >> (64 - m->bits));; i = (i + 1) & mask) {
        const memo_slot *e = &m->slot[i];
        if (!e->hash)
            return 0;
        if (e->hash == h && e->len == len && e->tag == tag && bytes_eq(m->keys.buf + e->off, s, len)) {
            *value = e->value;
            return 1;
        }
    }
}

/* Remembers (tag, s[0..len)) -> value, unless the tag or the table is full.
 * The caller has just missed it with memo_get, so it is not there yet. */
static void memo_put(memo *m, unsigned tag, const char *s, size_t len, uint64_t h, int32_t value)
{
    /* at most half full, so probes stay short and an empty slot always exists */
    size_t mask = ((size_t)1 << m->bits) - 1;
    if (len > MEMO_MAX_KEY || m->count[tag] >= m->per_tag || m->total >= mask / 2)
        return;
    if (!m->slot)
        m->slot = ks_calloc(mask + 1, sizeof *m->slot);
    size_t i = (size_t)(h >> (64 - m->bits));
    while (m->slot[i].hash)
        i = (i + 1) & mask;
    m->slot[i] = (memo_slot){h, (uint32_t)m->keys.len, (uint16_t)len, (uint8_t)tag, value};
    ks_buf_add(&m->keys, s, len);
    m->count[tag]++;
    m->total++;
}

struct ks_normaliser {
    const ks_header *h;       /* column of each field */
    ks_decoder *dec;          /* borrowed */
    int utf8;                 /* dec reads UTF-8: fields are folded/validated in place */
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
    ks_dupcheck *dups;        /* duplicate record ids of this import (borrowed, all files) */
    ks_idents *ids;           /* during ks_normalise: where identifiers go, or NULL */
    ks_name_tally *tally;     /* unlisted names of accepted rows, or NULL (borrowed) */
    char *pending_name[KS_MAX_PARTNERS + 1]; /* with tally: this row's unlisted names */
    const char *seg;          /* split_tokens: the current token as written (NFKC) */
    size_t seglen;            /* its length */
    uint64_t unlisted;        /* unlisted partner occurrences */
    ks_u64set unlisted_seen;  /* hashes of the distinct unlisted names */
    memo memo;                /* resolved code, district and partner values, list tokens */
    memo lists;               /* resolved problem, support and partner lists */
    ks_buf list_ids;          /* lists' values: a count, then that many ids (uint16_t each) */
};

ks_normaliser *ks_normaliser_new(const ks_header *h, ks_decoder *dec, const ks_key *key,
                                 const ks_profile *prof, ks_dupcheck *dups)
{
    ks_normaliser *n = ks_calloc(1, sizeof *n);
    n->dups = dups;
    n->h = h;
    n->dec = dec;
    n->utf8 = ks_decoder_encoding(dec) == KS_ENC_UTF8;
    n->key = key;
    n->prof = prof;
    ks_buf_init(&n->raw);
    ks_buf_init(&n->val);
    ks_buf_init(&n->tok);
    ks_buf_init(&n->idbuf);
    n->memo.bits = CODE_MEMO_BITS;
    n->memo.per_tag = CODE_MEMO_PER_TAG;
    n->lists.bits = LIST_MEMO_BITS;
    n->lists.per_tag = LIST_MEMO_PER_TAG;
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
    wipe_release(&n->memo.keys);
    free(n->memo.slot);
    wipe_release(&n->lists.keys);
    free(n->lists.slot);
    ks_buf_release(&n->list_ids);
    free(n);
}

const ks_quality *ks_normaliser_quality(const ks_normaliser *n) { return &n->q; }

void ks_normaliser_unlisted_names(const ks_normaliser *n, ks_u64set *into)
{
    ks_u64set_merge(into, &n->unlisted_seen);
}

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

/* The reason a field that failed to decode or validate is rejected with: a
 * NUL byte anywhere in it wins over any other invalid byte. */
static ks_reason bad_text_reason(const ks_csv_field *fld)
{
    return memchr(fld->data, '\0', fld->len) ? KS_R_NUL_BYTE : KS_R_ENCODING;
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
    if (n->utf8) {
        /* The UTF-8 decoder would only validate and copy; the fold validates
         * the same bytes by the same rules (NUL included), so it reads the
         * field in place and each byte is checked once. */
        if (ks_text_fold(fld->data, fld->len, &n->val) < 0)
            return reject(rej, n, f, bad_text_reason(fld));
        return 0;
    }
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
    const char *s = fld->data; /* the value in UTF-8 */
    size_t len = fld->len;     /* its length */
    if (n->utf8) {
        if (!ks_utf8_valid(s, len)) /* rejects NUL too */
            return reject(rej, n, f, bad_text_reason(fld));
    } else {
        if (memchr(fld->data, '\0', fld->len))
            return reject(rej, n, f, KS_R_NUL_BYTE);
        ks_buf_reset(&n->raw);
        if (ks_decoder_field(n->dec, fld->data, fld->len, &n->raw) < 0)
            return reject(rej, n, f, KS_R_ENCODING);
        s = n->raw.buf;
        len = n->raw.len;
    }
    for (size_t i = 0; i < len && !*present; i++) {
        unsigned char ch = (unsigned char)s[i];
        /* ASCII white space and U+3000 (E3 80 80) do not count as content */
        if (ch == 0xE3 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x80)
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

/* The field's bytes as they came, or NULL when the column is absent or empty. */
static const ks_csv_field *field_of(const ks_normaliser *n, const ks_csv_record *rec, ks_field f)
{
    int c = n->h->col[f];
    return c >= 0 && rec->fields[c].len ? &rec->fields[c] : NULL;
}

/* A single-valued code field.  Empty and 不明 count in the quality table; a
 * code list that has its own 不明 (sex U, outcome unknown) stores it. */
static int get_code_slow(ks_normaliser *n, const ks_csv_record *rec, ks_field f, ks_code_kind kind,
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

/* get_code_slow through the memo: a value seen before gives the same id and
 * the same quality flags without being decoded, folded or looked up. */
static int get_code(ks_normaliser *n, const ks_csv_record *rec, ks_field f, ks_code_kind kind,
                    int required, uint8_t *out, ks_reject *rej)
{
    const ks_csv_field *fld = field_of(n, rec, f);
    uint64_t h = 0;
    int32_t v;
    if (fld) {
        h = memo_hash((unsigned)f, fld->data, fld->len);
        if (memo_get(&n->memo, (unsigned)f, fld->data, fld->len, h, &v)) {
            *out = (uint8_t)v;
            n->qflag[f] |= (uint8_t)(v >> 8);
            return 0;
        }
    }
    /* the flags this value adds, apart from any the row already had */
    uint8_t had = n->qflag[f];
    n->qflag[f] = 0;
    int bad = get_code_slow(n, rec, f, kind, required, out, rej);
    uint8_t added = n->qflag[f];
    n->qflag[f] = had | added;
    if (!bad && fld)
        memo_put(&n->memo, (unsigned)f, fld->data, fld->len, h, (int32_t)(*out | added << 8));
    return bad;
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
 * and on ','; calls fn for each non-empty, label-folded token with its id
 * (0: not found).  A token seen before in this field with a nonzero id takes
 * its id from the memo without being folded or looked up. */
typedef int (*token_fn)(ks_normaliser *n, ks_record *r, ks_field f, int id, ks_reject *rej);

/* The id of the label-folded token in n->tok: a problem, support or partner. */
static int token_lookup(const ks_normaliser *n, ks_field f)
{
    switch (f) {
    case KS_F_PROBLEMS: return ks_code_lookup(KS_CODE_PROBLEM, n->tok.buf, n->tok.len);
    case KS_F_SUPPORTS: return ks_code_lookup(KS_CODE_SUPPORT, n->tok.buf, n->tok.len);
    default: return ks_profile_partner(n->prof, n->tok.buf, n->tok.len);
    }
}

static int split_tokens(ks_normaliser *n, ks_record *r, ks_field f, token_fn fn, ks_reject *rej)
{
    const char *s = n->val.buf, *end = s + n->val.len;
    unsigned tag = KS_F_COUNT + (unsigned)f;
    while (s < end) {
        const char *e = s;
        size_t seplen = 0;
        while (e < end) {
            if (*e == ';' || *e == '/' || *e == ',') {
                seplen = 1;
                break;
            }
            if (*e == '\xE3' && end - e >= 3 && memcmp(e, "、", 3) == 0) {
                seplen = 3;
                break;
            }
            e++;
        }
        size_t len = (size_t)(e - s);
        uint64_t h = memo_hash(tag, s, len);
        int32_t v;
        if (memo_get(&n->memo, tag, s, len, h, &v)) {
            if (fn(n, r, f, v, rej))
                return 1;
            s = e + seplen;
            continue;
        }
        ks_buf_reset(&n->tok);
        ks_text_fold_label(s, len, &n->tok);
        n->seg = s;
        n->seglen = len;
        if (n->tok.len > 0) {
            int id = token_lookup(n, f);
            if (id)
                memo_put(&n->memo, tag, s, len, h, id);
            if (fn(n, r, f, id, rej))
                return 1;
        }
        s = e + seplen;
    }
    return 0;
}

static int add_problem(ks_normaliser *n, ks_record *r, ks_field f, int id, ks_reject *rej)
{
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

static int add_support(ks_normaliser *n, ks_record *r, ks_field f, int id, ks_reject *rej)
{
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

/* id 0 (unlisted) only ever comes from the slow path, with n->tok and n->seg set */
static int add_partner(ks_normaliser *n, ks_record *r, ks_field f, int id, ks_reject *rej)
{
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

/* A list remembered in n->list_ids: its count, then that many ids, stored
 * back to back. */
typedef struct memo_list {
    uint16_t n;                   /* how many ids */
    uint16_t id[KS_MAX_PARTNERS]; /* problem, support or partner ids (the longest list) */
} memo_list;

/* Record r's list of field f (problems, supports or partners) as a
 * memo_list. */
static inline void list_get(const ks_record *r, ks_field f, memo_list *l)
{
    l->n = f == KS_F_PROBLEMS ? r->n_problems : f == KS_F_SUPPORTS ? r->n_supports : r->n_partners;
    for (unsigned i = 0; i < l->n; i++)
        l->id[i] = f == KS_F_PROBLEMS ? r->problems[i] : f == KS_F_SUPPORTS ? r->supports[i] : r->partners[i];
}

/* l into record r's list of field f. */
static inline void list_put(ks_record *r, ks_field f, const memo_list *l)
{
    for (unsigned i = 0; i < l->n; i++) {
        if (f == KS_F_PROBLEMS)
            r->problems[i] = (uint8_t)l->id[i];
        else if (f == KS_F_SUPPORTS)
            r->supports[i] = (uint8_t)l->id[i];
        else
            r->partners[i] = l->id[i];
    }
    if (f == KS_F_PROBLEMS)
        r->n_problems = (uint8_t)l->n;
    else if (f == KS_F_SUPPORTS)
        r->n_supports = (uint8_t)l->n;
    else
        r->n_partners = (uint8_t)l->n;
}

/* A problem, support or partner list into r.  Bytes resolved before come
 * from the lists memo; otherwise get + split_tokens, and the result is
 * remembered when it is clean: at least one id (an empty list sets a quality
 * flag) and no unlisted partner (id 0, which has names to note).  The slow
 * path starts from an empty list and depends on nothing but the bytes, so
 * the remembered ids are exactly what it would give again. */
static int get_list(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_field f, token_fn fn,
                    ks_reject *rej)
{
    const ks_csv_field *fld = field_of(n, rec, f);
    uint64_t h = 0;
    int32_t v;
    memo_list l;
    if (fld) {
        h = memo_hash((unsigned)f, fld->data, fld->len);
        if (memo_get(&n->lists, (unsigned)f, fld->data, fld->len, h, &v)) {
            memcpy(&l.n, n->list_ids.buf + v, sizeof l.n);
            memcpy(l.id, n->list_ids.buf + v + sizeof l.n, l.n * sizeof l.id[0]);
            list_put(r, f, &l);
            return 0;
        }
    }
    if (get(n, rec, f, rej) || split_tokens(n, r, f, fn, rej))
        return 1;
    list_get(r, f, &l);
    for (unsigned i = 0; i < l.n; i++)
        if (l.id[i] == 0)
            return 0; /* unlisted partner: always the slow path */
    if (fld && l.n > 0 && n->list_ids.len < INT32_MAX / 2) {
        size_t before = n->lists.total;
        memo_put(&n->lists, (unsigned)f, fld->data, fld->len, h, (int32_t)n->list_ids.len);
        if (n->lists.total != before) { /* stored: its value points here */
            ks_buf_add(&n->list_ids, &l.n, sizeof l.n);
            ks_buf_add(&n->list_ids, l.id, l.n * sizeof l.id[0]);
        }
    }
    return 0;
}

/* Pseudonymises the folded identifier in n->idbuf — or, when the caller
 * gave a ks_idents (n->ids), hands it on to the pseudonymisation stage,
 * which import.c shares between its threads (pseudo.h). */
static void pseudo(ks_normaliser *n, ks_id_kind kind, uint8_t out[KS_PSEUDO_BYTES])
{
    if (n->ids) {
        ks_buf_add(&n->ids->buf, n->idbuf.buf, n->idbuf.len);
        n->ids->len[kind - 1] = n->idbuf.len;
    } else if (n->key) {
        ks_pseudo(n->key, kind, n->idbuf.buf, n->idbuf.len, out);
    }
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

/* Whether a record of the header's width is the header row again: each
 * field equal to the header name in its column as bytes, or after the same
 * decoding and folding (ks_header_fold_name).  Folds into the normaliser's own
 * buffers, which are wiped when it is freed: a field may hold a name. */
static bool is_header_row(ks_normaliser *n, const ks_csv_record *rec)
{
    if (!n->h->raw || !n->h->folded)
        return false; /* a header built by hand (tests) keeps no names */
    for (size_t i = 0; i < n->h->ncols; i++) {
        const ks_csv_field *fld = &rec->fields[i];
        if (fld->len == strlen(n->h->raw[i]) && memcmp(fld->data, n->h->raw[i], fld->len) == 0)
            continue;
        if (ks_header_fold_name(n->dec, fld->data, fld->len, &n->raw, &n->tok) < 0 ||
            strcmp(n->tok.buf, n->h->folded[i]) != 0)
            return false;
    }
    return true;
}

static int header_repeated(ks_reject *rej)
{
    rej->column = 0;
    rej->field = -1;
    rej->reason = KS_R_HEADER_REPEATED;
    return 1;
}

/* The record's shape: its field count, a header repeated byte for byte, a
 * field over the length limit.  Returns 1 with rej filled when it is wrong. */
static int check_shape(ks_normaliser *n, const ks_csv_record *rec, size_t oversize_field, ks_reject *rej)
{
    if (rec->dropped_fields || rec->nfields != n->h->ncols) {
        rej->reason = rec->dropped_fields ? KS_R_TOO_MANY_FIELDS : KS_R_COLUMN_COUNT;
        rej->expected = n->h->ncols;
        rej->found = rec->nfields + rec->dropped_fields;
        return 1;
    }
    /* A header repeated byte for byte (files joined together) is caught
     * here, before its record_id counts for duplicates; one repeated with
     * other spacing or width fails some check below and is caught then. */
    if (n->h->raw && n->h->ncols && rec->fields[0].len == strlen(n->h->raw[0]) &&
        memcmp(rec->fields[0].data, n->h->raw[0], rec->fields[0].len) == 0 && is_header_row(n, rec))
        return header_repeated(rej);
    if (oversize_field) {
        rej->column = (int)oversize_field;
        rej->reason = KS_R_FIELD_TOO_LONG;
        for (int f = 0; f < KS_F_COUNT; f++)
            if (n->h->col[f] == (int)oversize_field - 1)
                rej->field = f;
        return 1;
    }
    return 0;
}

/* record_id -> case pseudonym */
static inline int norm_case(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_reject *rej)
{
    if (get(n, rec, KS_F_RECORD_ID, rej))
        return 1;
    if (id_fold(n, "") == 0)
        return reject(rej, n, KS_F_RECORD_ID, KS_R_MISSING);
    pseudo(n, KS_ID_CASE, r->case_ps);
    /* Duplicates are decided here, in file order, so import and validate
     * agree (dupcheck.h: known from a first pass, without a set of every id
     * in memory). */
    if (n->dups && ks_dupcheck_row(n->dups, n->idbuf.buf, n->idbuf.len, rec->line))
        return reject(rej, n, KS_F_RECORD_ID, KS_R_DUPLICATE_RECORD);
    return 0;
}

/* The three dates, their order and the age at consultation; the birth date
 * into *birth (the person key needs it, the record keeps only the age). */
static inline int norm_dates(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_date *birth,
                             ks_reject *rej)
{
    uint8_t has;
    if (get_date(n, rec, KS_F_BIRTH_DATE, 1, birth, &has, rej) ||
        get_date(n, rec, KS_F_CONSULT_DATE, 1, &r->consult, &has, rej) ||
        get_date(n, rec, KS_F_CLOSED_DATE, 0, &r->closed, &r->has_closed, rej))
        return 1;
    if (ks_date_cmp(*birth, r->consult) > 0)
        return reject(rej, n, KS_F_BIRTH_DATE, KS_R_BORN_AFTER_CONSULTED);
    if (r->has_closed && ks_date_cmp(r->closed, r->consult) < 0)
        return reject(rej, n, KS_F_CLOSED_DATE, KS_R_CLOSED_BEFORE_OPENED);
    int age = ks_age_years(*birth, r->consult);
    if (age > KS_AGE_MAX)
        return reject(rej, n, KS_F_BIRTH_DATE, KS_R_AGE_IMPLAUSIBLE);
    r->age_years = (uint8_t)age;
    r->age_band = (uint8_t)(ks_age_band(age) + 1); /* code tables are 1-based */
    return 0;
}

/* person key: resident number if given, else name + birth date; *used_name
 * says whether the name was read for it. */
static inline int norm_person(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_date birth,
                              int *used_name, ks_reject *rej)
{
    if (get(n, rec, KS_F_RESIDENT_ID, rej))
        return 1;
    if (n->val.len == 0)
        n->qflag[KS_F_RESIDENT_ID] |= 1;
    *used_name = 0;
    if (id_fold(n, "r\x1f") == 0) {
        *used_name = 1;
        if (get(n, rec, KS_F_NAME, rej))
            return 1;
        if (n->val.len == 0)
            n->qflag[KS_F_NAME] |= 1;
        if (id_fold(n, "n\x1f") == 0)
            return reject(rej, n, n->h->col[KS_F_NAME] >= 0 ? KS_F_NAME : KS_F_RESIDENT_ID,
                          KS_R_NO_PERSON_KEY);
        char iso[KS_DATE_ISO_SIZE];
        ks_date_format(birth, iso);
        ks_buf_addc(&n->idbuf, '\x1f');
        ks_buf_adds(&n->idbuf, iso);
    }
    pseudo(n, KS_ID_PERSON, r->person_ps);
    return 0;
}

static inline int norm_household(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_reject *rej)
{
    if (get(n, rec, KS_F_HOUSEHOLD_ID, rej))
        return 1;
    if (id_fold(n, "") > 0) {
        pseudo(n, KS_ID_HOUSEHOLD, r->household_ps);
        r->has_household = 1;
    } else {
        n->qflag[KS_F_HOUSEHOLD_ID] |= 1;
    }
    return 0;
}

/* discarded fields: still checked, so a broken row is not half-read */
static inline int norm_dropped(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, int used_name,
                               ks_reject *rej)
{
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
    return 0;
}

static inline int norm_codes(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_reject *rej)
{
    return get_code(n, rec, KS_F_SEX, KS_CODE_SEX, 0, &r->sex, rej) ||
           get_code(n, rec, KS_F_HOUSEHOLD_TYPE, KS_CODE_HOUSEHOLD, 0, &r->household_type, rej) ||
           get_code(n, rec, KS_F_INTAKE_ROUTE, KS_CODE_ROUTE, 0, &r->intake_route, rej) ||
           get_code(n, rec, KS_F_CONSENT, KS_CODE_CONSENT, 1, &r->consent, rej) ||
           get_code(n, rec, KS_F_MEETING, KS_CODE_MEETING, 0, &r->meeting, rej) ||
           get_code(n, rec, KS_F_STATUS, KS_CODE_STATUS, 1, &r->status, rej) ||
           get_code(n, rec, KS_F_OUTCOME, KS_CODE_OUTCOME, 0, &r->outcome, rej);
}

/* district: through the memo, as the code fields; required */
static inline int norm_district(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_reject *rej)
{
    const ks_csv_field *fld = field_of(n, rec, KS_F_DISTRICT);
    uint64_t h = fld ? memo_hash(KS_F_DISTRICT, fld->data, fld->len) : 0;
    int32_t v;
    if (fld && memo_get(&n->memo, KS_F_DISTRICT, fld->data, fld->len, h, &v)) {
        r->district = (uint16_t)v;
        return 0;
    }
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
    memo_put(&n->memo, KS_F_DISTRICT, fld->data, fld->len, h, d); /* fld: val was not empty */
    return 0;
}

/* intake agency: through the memo; optional, and an unlisted one is noted
 * (id 0) rather than rejected */
static inline int norm_agency(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_reject *rej)
{
    const ks_csv_field *fld = field_of(n, rec, KS_F_INTAKE_AGENCY);
    uint64_t h = fld ? memo_hash(KS_F_INTAKE_AGENCY, fld->data, fld->len) : 0;
    int32_t v;
    if (fld && memo_get(&n->memo, KS_F_INTAKE_AGENCY, fld->data, fld->len, h, &v)) {
        r->intake_agency = (uint16_t)v;
        r->has_intake_agency = 1;
        return 0;
    }
    if (get(n, rec, KS_F_INTAKE_AGENCY, rej))
        return 1;
    if (n->val.len) {
        ks_buf_reset(&n->tok);
        ks_text_fold_label(n->val.buf, n->val.len, &n->tok);
        int id = ks_profile_partner(n->prof, n->tok.buf, n->tok.len);
        if (!id)
            note_unlisted(n, n->tok.buf, n->tok.len, n->val.buf, n->val.len);
        else
            memo_put(&n->memo, KS_F_INTAKE_AGENCY, fld->data, fld->len, h, id);
        r->intake_agency = (uint16_t)id;
        r->has_intake_agency = 1;
    } else {
        n->qflag[KS_F_INTAKE_AGENCY] |= 1;
    }
    return 0;
}

/* problems (at least one), supports and partners */
static inline int norm_lists(ks_normaliser *n, const ks_csv_record *rec, ks_record *r, ks_reject *rej)
{
    if (get_list(n, rec, r, KS_F_PROBLEMS, add_problem, rej))
        return 1;
    if (r->n_problems == 0)
        return reject(rej, n, KS_F_PROBLEMS, KS_R_MISSING);
    if (get_list(n, rec, r, KS_F_SUPPORTS, add_support, rej))
        return 1;
    if (r->n_supports == 0)
        n->qflag[KS_F_SUPPORTS] |= 1;
    if (get_list(n, rec, r, KS_F_PARTNERS, add_partner, rej))
        return 1;
    if (r->n_partners == 0)
        n->qflag[KS_F_PARTNERS] |= 1;
    return 0;
}

/* One record into r, in the order the checks must run (the first failing
 * one names the reject; dates before the person key, which needs the birth
 * date).  Returns 1 with rej filled when the record is rejected. */
static int normalise(ks_normaliser *n, const ks_csv_record *rec, size_t oversize_field, ks_record *r,
                     ks_reject *rej)
{
    memset(r, 0, sizeof *r);
    memset(rej, 0, sizeof *rej);
    rej->line = rec->line;
    rej->field = -1;
    ks_date birth;
    int used_name;
    if (check_shape(n, rec, oversize_field, rej) || norm_case(n, rec, r, rej) ||
        norm_dates(n, rec, r, &birth, rej) || norm_person(n, rec, r, birth, &used_name, rej) ||
        norm_household(n, rec, r, rej) || norm_dropped(n, rec, r, used_name, rej) || norm_codes(n, rec, r, rej) ||
        norm_district(n, rec, r, rej) || norm_agency(n, rec, r, rej) || norm_lists(n, rec, r, rej))
        return 1;
    count_fields(n->prof, r);
    return 0;
}

int ks_normalise(ks_normaliser *n, const ks_csv_record *rec, size_t oversize_field, ks_record *r,
                 ks_idents *ids, ks_reject *rej)
{
    memset(n->qflag, 0, sizeof n->qflag);
    n->npending = 0;
    if (ids)
        ks_idents_reset(ids);
    n->ids = ids;
    int bad = normalise(n, rec, oversize_field, r, rej);
    n->ids = NULL;
    if (bad && rej->reason != KS_R_HEADER_REPEATED && !rec->dropped_fields && rec->nfields == n->h->ncols &&
        is_header_row(n, rec))
        header_repeated(rej);
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
