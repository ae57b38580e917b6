/* profile.c: municipality profiles (districts and partner windows/agencies).
 *
 * A profile is two small CSV files, districts.csv and partners.csv (format in
 * datasets/profiles/README.md).  The built-in ones are compiled in (embed.h);
 * a directory is read from disk.  Both go through the same parser, so a city's
 * own profile is held to the same checks as the shipped ones.
 *
 * Every name a value may be written as (Japanese name, English name, code,
 * aliases) is folded with ks_text_fold_label once, at load time, into a hash
 * table.  An import looks up the partner column of every row, so a lookup is
 * one hash and one compare and never allocates. */
#include "profile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"
#include "codes.h"
#include "text.h"

/* A profile is a handful of lines; anything far bigger is a wrong file, and
 * reading it whole would only waste memory. */
enum { PROFILE_MAX_FILE = 4 * 1024 * 1024 };
enum { PROFILE_MAX_CODE = 32 };

/* Kept in sync with datasets/profiles/ by tests/unit/test_profile.c, which
 * checks this list against the embedded files both ways. */
static const char *const builtin_names[] = {"chigasaki", "kobayashi", "komaki", "mitaka", NULL};

/* ---- folded-name hash table ------------------------------------------- */

typedef struct key_slot {
    char *key;      /* folded name, owned; NULL marks an empty slot */
    size_t len;     /* byte length of key */
    uint64_t hash;  /* FNV-1a of key, kept to skip most compares and to rehash */
    int id;         /* district or partner id the name resolves to */
    unsigned line;  /* line of the file that introduced it, for messages */
} key_slot;

typedef struct key_table {
    key_slot *slots; /* open addressing with linear probing */
    size_t cap;      /* power of two; 0 until the first insert */
    size_t count;    /* used slots, kept below cap / 2 */
} key_table;

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static const key_slot *key_find(const key_table *t, const char *key, size_t n, uint64_t h)
{
    if (t->cap == 0)
        return NULL;
    size_t mask = t->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const key_slot *s = &t->slots[i];
        if (!s->key)
            return NULL;
        if (s->hash == h && s->len == n && memcmp(s->key, key, n) == 0)
            return s;
    }
}

static void key_place(key_table *t, key_slot slot)
{
    size_t mask = t->cap - 1;
    size_t i = (size_t)slot.hash & mask;
    while (t->slots[i].key)
        i = (i + 1) & mask;
    t->slots[i] = slot;
}

static void key_grow(key_table *t)
{
    key_table old = *t;
    t->cap = old.cap ? ks_mul(old.cap, 2) : 64;
    t->slots = ks_calloc(t->cap, sizeof *t->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            key_place(t, old.slots[i]);
    free(old.slots);
}

/* Adds key -> id.  Returns NULL when added (or already there for the same
 * id, which is harmless: "三鷹市 X" and "三鷹市X" fold alike), else the slot
 * of the other owner. */
static const key_slot *key_add(key_table *t, const char *key, size_t n, int id, unsigned line)
{
    uint64_t h = fnv1a(key, n);
    const key_slot *old = key_find(t, key, n, h);
    if (old)
        return old->id == id ? NULL : old;
    if ((t->count + 1) * 2 > t->cap)
        key_grow(t);
    key_place(t, (key_slot){ks_strndup(key, n), n, h, id, line});
    t->count++;
    return NULL;
}

static int key_lookup(const key_table *t, const char *key, size_t n)
{
    if (n == 0)
        return 0;
    const key_slot *s = key_find(t, key, n, fnv1a(key, n));
    return s ? s->id : 0;
}

static void key_release(key_table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].key);
    free(t->slots);
    t->slots = NULL;
    t->cap = t->count = 0;
}

/* ---- the profile -------------------------------------------------------- */

struct ks_profile {
    char *name;              /* built-in name, or the directory's last component */
    ks_district *districts;  /* in file order; districts[i].id == i + 1 */
    size_t ndistricts;       /* number of districts */
    size_t cap_districts;    /* allocated entries of districts */
    ks_partner *partners;    /* in file order; partners[i].id == i + 1 */
    size_t npartners;        /* number of partners */
    size_t cap_partners;     /* allocated entries of partners */
    key_table district_keys; /* folded district names -> id */
    key_table partner_keys;  /* folded partner names, codes, aliases -> id */
};

void ks_profile_free(ks_profile *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ndistricts; i++) {
        free(p->districts[i].name_ja);
        free(p->districts[i].name_en);
    }
    for (size_t i = 0; i < p->npartners; i++) {
        ks_partner *q = &p->partners[i];
        free(q->code);
        free(q->name_ja);
        free(q->name_en);
        for (char **a = q->aliases; a && *a; a++)
            free(*a);
        free(q->aliases);
    }
    free(p->districts);
    free(p->partners);
    key_release(&p->district_keys);
    key_release(&p->partner_keys);
    free(p->name);
    free(p);
}

const char *ks_profile_name(const ks_profile *p) { return p->name; }

const ks_district *ks_profile_districts(const ks_profile *p, size_t *n)
{
    *n = p->ndistricts;
    return p->districts;
}

const ks_partner *ks_profile_partners(const ks_profile *p, size_t *n)
{
    *n = p->npartners;
    return p->partners;
}

/* Coordinators write a district with or without its suffix (東部 / 東部住区,
 * 小牧中部 / 小牧中部圏域); the profile holds the bare name, the suffix is
 * tried off when the whole value does not match. */
static const char *const district_suffixes[] = {"地区", "住区", "圏域"};

int ks_profile_district(const ks_profile *p, const char *folded, size_t n)
{
    int id = key_lookup(&p->district_keys, folded, n);
    for (size_t i = 0; id == 0 && i < KS_ARRAY_LEN(district_suffixes); i++) {
        size_t sl = strlen(district_suffixes[i]);
        if (n > sl && memcmp(folded + n - sl, district_suffixes[i], sl) == 0)
            id = key_lookup(&p->district_keys, folded, n - sl);
    }
    return id;
}

int ks_profile_partner(const ks_profile *p, const char *folded, size_t n)
{
    return key_lookup(&p->partner_keys, folded, n);
}

const char *const *ks_profile_builtin_names(void) { return builtin_names; }

/* ---- a small RFC 4180 reader over a memory buffer ----------------------- */

typedef struct csv_src {
    const char *data; /* whole file */
    size_t len;       /* its length */
    size_t pos;       /* read position */
    const char *file; /* name used in messages */
    unsigned line;    /* physical line at pos, 1-based */
} csv_src;

typedef struct csv_span {
    size_t off; /* offset of the field in csv_row.text */
    size_t len; /* its byte length */
} csv_span;

typedef struct csv_row {
    ks_buf text;     /* the record's fields, back to back */
    csv_span *spans; /* one per field */
    size_t n;        /* fields in the record */
    size_t cap;      /* allocated entries of spans */
    unsigned line;   /* physical line the record starts on */
} csv_row;

static void row_push(csv_row *row, size_t off)
{
    if (row->n == row->cap) {
        row->cap = row->cap ? ks_mul(row->cap, 2) : 8;
        row->spans = ks_realloc(row->spans, ks_mul(row->cap, sizeof *row->spans));
    }
    row->spans[row->n++] = (csv_span){off, row->text.len - off};
}

/* Consumes a line end at pos, if there is one (CRLF, LF or a lone CR). */
static bool eat_eol(csv_src *src)
{
    if (src->pos >= src->len)
        return false;
    char c = src->data[src->pos];
    if (c != '\r' && c != '\n')
        return false;
    src->pos++;
    if (c == '\r' && src->pos < src->len && src->data[src->pos] == '\n')
        src->pos++;
    src->line++;
    return true;
}

static int read_quoted(csv_src *src, csv_row *row, ks_error *err)
{
    src->pos++; /* opening quote */
    for (;;) {
        if (src->pos >= src->len)
            return ks_error_set(err, KS_EDATA, "%s:%u: unterminated quoted field", src->file, row->line);
        char c = src->data[src->pos];
        if (c == '"') {
            if (src->pos + 1 < src->len && src->data[src->pos + 1] == '"') {
                ks_buf_addc(&row->text, '"');
                src->pos += 2;
                continue;
            }
            src->pos++;
            return 0;
        }
        if (c == '\r' || c == '\n') {
            size_t start = src->pos;
            eat_eol(src);
            ks_buf_add(&row->text, src->data + start, src->pos - start);
            continue;
        }
        ks_buf_addc(&row->text, c);
        src->pos++;
    }
}

/* Reads one record.  Returns 1, or 0 at end of input, or -KS_EDATA. */
static int csv_read(csv_src *src, csv_row *row, ks_error *err)
{
    while (eat_eol(src)) /* blank lines */
        ;
    if (src->pos >= src->len)
        return 0;
    ks_buf_reset(&row->text);
    row->n = 0;
    row->line = src->line;
    for (;;) {
        size_t off = row->text.len;
        if (src->pos < src->len && src->data[src->pos] == '"') {
            int rc = read_quoted(src, row, err);
            if (rc < 0)
                return rc;
        } else {
            while (src->pos < src->len) {
                char c = src->data[src->pos];
                if (c == ',' || c == '\r' || c == '\n')
                    break;
                if (c == '"')
                    return ks_error_set(err, KS_EDATA, "%s:%u: field %zu: quote inside an unquoted field",
                                        src->file, src->line, row->n + 1);
                ks_buf_addc(&row->text, c);
                src->pos++;
            }
        }
        row_push(row, off);
        ks_buf_addc(&row->text, '\0'); /* keeps every field a C string */
        if (src->pos >= src->len || eat_eol(src))
            return 1;
        if (src->data[src->pos] != ',')
            return ks_error_set(err, KS_EDATA, "%s:%u: field %zu: text after a closing quote", src->file,
                                src->line, row->n);
        src->pos++;
    }
}

static const char *row_field(const csv_row *row, size_t i, size_t *n)
{
    *n = row->spans[i].len;
    return row->text.buf + row->spans[i].off;
}

/* ---- shared checks ---------------------------------------------------- */

/* Trims ASCII white space and U+3000 (ideographic space) at both ends. */
static void trim(const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t len = *n;
    for (;;) {
        if (len >= 1 && (p[0] == ' ' || p[0] == '\t')) {
            p++, len--;
        } else if (len >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            p += 3, len -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (len >= 1 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
            len--;
        } else if (len >= 3 && p[len - 3] == 0xE3 && p[len - 2] == 0x80 && p[len - 1] == 0x80) {
            len -= 3;
        } else {
            break;
        }
    }
    *s = (const char *)p;
    *n = len;
}

typedef struct column_spec {
    const char *name; /* header name, already in folded form */
    bool required;    /* a missing column is an error */
} column_spec;

/* Reads the header row and fills map[c] with the field index of column c
 * (SIZE_MAX when an optional column is absent). */
static int read_header(csv_src *src, csv_row *row, const column_spec *cols, size_t ncols, size_t *map,
                       ks_buf *fold, ks_error *err)
{
    int rc = csv_read(src, row, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ks_error_set(err, KS_EDATA, "%s: empty file, expected a header row", src->file);
    for (size_t c = 0; c < ncols; c++)
        map[c] = SIZE_MAX;
    for (size_t i = 0; i < row->n; i++) {
        size_t n;
        const char *s = row_field(row, i, &n);
        ks_buf_reset(fold);
        if (ks_text_fold_label(s, n, fold) < 0)
            return ks_error_set(err, KS_EDATA, "%s:%u: column %zu: invalid UTF-8 in the header", src->file,
                                row->line, i + 1);
        size_t c = 0;
        while (c < ncols && strcmp(cols[c].name, fold->buf) != 0)
            c++;
        if (c == ncols)
            return ks_error_set(err, KS_EDATA, "%s:%u: unknown column '%s'", src->file, row->line, fold->buf);
        if (map[c] != SIZE_MAX)
            return ks_error_set(err, KS_EDATA, "%s:%u: column '%s' given twice", src->file, row->line,
                                cols[c].name);
        map[c] = i;
    }
    for (size_t c = 0; c < ncols; c++)
        if (cols[c].required && map[c] == SIZE_MAX)
            return ks_error_set(err, KS_EDATA, "%s:%u: missing column '%s'", src->file, row->line, cols[c].name);
    return 0;
}

/* Reads the next data row and checks its width.  1, 0 at end, or < 0. */
static int read_row(csv_src *src, csv_row *row, size_t width, ks_error *err)
{
    int rc = csv_read(src, row, err);
    if (rc <= 0)
        return rc;
    if (row->n != width)
        return ks_error_set(err, KS_EDATA, "%s:%u: expected %zu fields but found %zu", src->file, row->line, width,
                            row->n);
    return 1;
}

/* The value of column `name` (field index idx) of the row, trimmed and
 * checked for UTF-8; empty is refused when `required`. */
static int get_value(const csv_src *src, const csv_row *row, size_t idx, const char *name, bool required,
                     const char **s, size_t *n, ks_error *err)
{
    if (idx == SIZE_MAX) {
        *s = "";
        *n = 0;
        return 0;
    }
    *s = row_field(row, idx, n);
    trim(s, n);
    if (!ks_utf8_valid(*s, *n))
        return ks_error_set(err, KS_EDATA, "%s:%u: column '%s': invalid UTF-8", src->file, row->line, name);
    if (required && *n == 0)
        return ks_error_set(err, KS_EDATA, "%s:%u: column '%s' is empty", src->file, row->line, name);
    return 0;
}

static int fold_value(const csv_src *src, const csv_row *row, const char *s, size_t n, ks_buf *fold,
                      ks_error *err)
{
    ks_buf_reset(fold);
    if (ks_text_fold_label(s, n, fold) < 0)
        return ks_error_set(err, KS_EDATA, "%s:%u: invalid UTF-8", src->file, row->line);
    return 0;
}

/* ---- districts.csv ---------------------------------------------------- */

enum { DCOL_NAME_JA, DCOL_NAME_EN, DCOL_COUNT };
static const column_spec district_columns[DCOL_COUNT] = {{"name_ja", true}, {"name_en", true}};

static int add_district_key(ks_profile *p, const csv_src *src, const csv_row *row, const char *s, size_t n,
                            int id, ks_buf *fold, ks_error *err)
{
    int rc = fold_value(src, row, s, n, fold, err);
    if (rc < 0)
        return rc;
    const key_slot *dup = key_add(&p->district_keys, fold->buf, fold->len, id, row->line);
    if (dup)
        return ks_error_set(err, KS_EDATA, "%s:%u: district name '%.*s' is already used on line %u", src->file,
                            row->line, (int)n, s, dup->line);
    return 0;
}

static int parse_districts(ks_profile *p, csv_src *src, ks_error *err)
{
    csv_row row = {0};
    ks_buf fold;
    size_t map[DCOL_COUNT];
    ks_buf_init(&row.text);
    ks_buf_init(&fold);
    int rc = read_header(src, &row, district_columns, DCOL_COUNT, map, &fold, err);
    size_t width = row.n;
    while (rc >= 0 && (rc = read_row(src, &row, width, err)) > 0) {
        const char *ja, *en;
        size_t nja, nen;
        if ((rc = get_value(src, &row, map[DCOL_NAME_JA], "name_ja", true, &ja, &nja, err)) < 0 ||
            (rc = get_value(src, &row, map[DCOL_NAME_EN], "name_en", true, &en, &nen, err)) < 0)
            break;
        int id = (int)p->ndistricts + 1;
        if ((rc = add_district_key(p, src, &row, ja, nja, id, &fold, err)) < 0 ||
            (rc = add_district_key(p, src, &row, en, nen, id, &fold, err)) < 0)
            break;
        if (p->ndistricts == p->cap_districts) {
            p->cap_districts = p->cap_districts ? ks_mul(p->cap_districts, 2) : 8;
            p->districts = ks_realloc(p->districts, ks_mul(p->cap_districts, sizeof *p->districts));
        }
        p->districts[p->ndistricts++] = (ks_district){id, ks_strndup(ja, nja), ks_strndup(en, nen)};
    }
    if (rc == 0 && p->ndistricts == 0)
        rc = ks_error_set(err, KS_EDATA, "%s: no districts (a profile needs at least one)", src->file);
    ks_buf_release(&row.text);
    ks_buf_release(&fold);
    free(row.spans);
    return rc;
}

/* ---- partners.csv ----------------------------------------------------- */

enum { PCOL_CODE, PCOL_NAME_JA, PCOL_NAME_EN, PCOL_FIELD, PCOL_KIND, PCOL_ALIASES, PCOL_COUNT };
static const column_spec partner_columns[PCOL_COUNT] = {
    {"code", true}, {"name_ja", true}, {"name_en", true}, {"field", true}, {"kind", true}, {"aliases", false},
};

typedef struct enum_name {
    const char *code;     /* English code, as written in partners.csv */
    const char *label_ja; /* Japanese label, also accepted (already folded) */
    int id;               /* KS_FIELD_* or KS_PKIND_* */
} enum_name;

/* Mapped here rather than through ks_code_lookup so that profiles load with
 * no dependency on the code tables; the ids are the ones codes.h fixes. */
static const enum_name field_names[] = {
    {"care", "介護", KS_FIELD_CARE},         {"disability", "障がい", KS_FIELD_DISABILITY},
    {"child", "子ども", KS_FIELD_CHILD},      {"poverty", "生活困窮", KS_FIELD_POVERTY},
    {"other", "その他", KS_FIELD_OTHER},
};
static const enum_name kind_names[] = {
    {"city_window", "市窓口", KS_PKIND_CITY_WINDOW},
    {"agency", "関係機関", KS_PKIND_AGENCY},
    {"organisation", "団体", KS_PKIND_ORGANISATION},
};

static int enum_value(const enum_name *names, size_t n, const char *folded)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i].code, folded) == 0 || strcmp(names[i].label_ja, folded) == 0)
            return names[i].id;
    return 0;
}

static bool valid_code(const char *s, size_t n)
{
    if (n == 0 || n > PROFILE_MAX_CODE || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static int resolve_enum(const csv_src *src, const csv_row *row, const char *col, const char *s, size_t n,
                        const enum_name *names, size_t nnames, const char *expected, int *out, ks_buf *fold,
                        ks_error *err)
{
    int rc = fold_value(src, row, s, n, fold, err);
    if (rc < 0)
        return rc;
    *out = enum_value(names, nnames, fold->buf);
    if (*out == 0)
        return ks_error_set(err, KS_EDATA, "%s:%u: column '%s': unknown value '%.*s' (expected %s)", src->file,
                            row->line, col, (int)n, s, expected);
    return 0;
}

static int add_partner_key(ks_profile *p, const csv_src *src, const csv_row *row, const char *s, size_t n,
                           int id, ks_buf *fold, ks_error *err)
{
    int rc = fold_value(src, row, s, n, fold, err);
    if (rc < 0)
        return rc;
    if (fold->len == 0)
        return 0;
    const key_slot *dup = key_add(&p->partner_keys, fold->buf, fold->len, id, row->line);
    if (!dup)
        return 0;
    const ks_partner *other = &p->partners[dup->id - 1];
    return ks_error_set(err, KS_EDATA, "%s:%u: '%.*s' is already a name of partner '%s' (line %u)", src->file,
                        row->line, (int)n, s, other->code, dup->line);
}

/* Splits the aliases cell on '|' into a NULL-terminated array of trimmed,
 * non-empty names, registering each as a key of partner `id`. */
static int parse_aliases(ks_profile *p, const csv_src *src, const csv_row *row, const char *s, size_t n, int id,
                         char ***out, ks_buf *fold, ks_error *err)
{
    size_t count = 0, cap = 4;
    char **aliases = ks_calloc(cap, sizeof *aliases);
    int rc = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && rc == 0; i++) {
        if (i < n && s[i] != '|')
            continue;
        const char *a = s + start;
        size_t an = i - start;
        start = i + 1;
        trim(&a, &an);
        if (an == 0)
            continue;
        rc = add_partner_key(p, src, row, a, an, id, fold, err);
        if (count + 1 == cap) {
            cap = ks_mul(cap, 2);
            aliases = ks_realloc(aliases, ks_mul(cap, sizeof *aliases));
        }
        aliases[count++] = ks_strndup(a, an);
        aliases[count] = NULL;
    }
    *out = aliases; /* handed over even on error, so that it is freed with the rest */
    return rc;
}

/* One row of partners.csv.  The partner is appended before its names are
 * registered so that ks_profile_free owns everything whatever fails. */
static int parse_partner_row(ks_profile *p, const csv_src *src, const csv_row *row, const size_t *map,
                             ks_buf *fold, ks_error *err)
{
    const char *v[PCOL_COUNT];
    size_t n[PCOL_COUNT];
    int rc = 0;
    for (size_t c = 0; c < PCOL_COUNT && rc == 0; c++)
        rc = get_value(src, row, map[c], partner_columns[c].name, partner_columns[c].required, &v[c], &n[c], err);
    if (rc < 0)
        return rc;
    if (!valid_code(v[PCOL_CODE], n[PCOL_CODE]))
        return ks_error_set(err, KS_EDATA,
                            "%s:%u: column 'code': '%.*s' is not a short ASCII snake_case code "
                            "(a-z, 0-9, _, starting with a letter, at most %d characters)",
                            src->file, row->line, (int)n[PCOL_CODE], v[PCOL_CODE], PROFILE_MAX_CODE);
    /* A code is already in folded form (lower-case ASCII), so it can be
     * looked up as it is: a second use is either a duplicate code or a clash
     * with another partner's name. */
    const key_slot *seen = key_find(&p->partner_keys, v[PCOL_CODE], n[PCOL_CODE], fnv1a(v[PCOL_CODE], n[PCOL_CODE]));
    if (seen) {
        const ks_partner *other = &p->partners[seen->id - 1];
        if (strlen(other->code) == n[PCOL_CODE] && memcmp(other->code, v[PCOL_CODE], n[PCOL_CODE]) == 0)
            return ks_error_set(err, KS_EDATA, "%s:%u: duplicate code '%.*s' (first on line %u)", src->file,
                                row->line, (int)n[PCOL_CODE], v[PCOL_CODE], seen->line);
        return ks_error_set(err, KS_EDATA, "%s:%u: code '%.*s' is already a name of partner '%s' (line %u)",
                            src->file, row->line, (int)n[PCOL_CODE], v[PCOL_CODE], other->code, seen->line);
    }
    int field, kind;
    if ((rc = resolve_enum(src, row, "field", v[PCOL_FIELD], n[PCOL_FIELD], field_names, KS_ARRAY_LEN(field_names),
                           "care, disability, child, poverty or other", &field, fold, err)) < 0 ||
        (rc = resolve_enum(src, row, "kind", v[PCOL_KIND], n[PCOL_KIND], kind_names, KS_ARRAY_LEN(kind_names),
                           "city_window, agency or organisation", &kind, fold, err)) < 0)
        return rc;

    if (p->npartners == p->cap_partners) {
        p->cap_partners = p->cap_partners ? ks_mul(p->cap_partners, 2) : 16;
        p->partners = ks_realloc(p->partners, ks_mul(p->cap_partners, sizeof *p->partners));
    }
    int id = (int)p->npartners + 1;
    ks_partner *q = &p->partners[p->npartners++];
    *q = (ks_partner){id,    ks_strndup(v[PCOL_CODE], n[PCOL_CODE]), ks_strndup(v[PCOL_NAME_JA], n[PCOL_NAME_JA]),
                      ks_strndup(v[PCOL_NAME_EN], n[PCOL_NAME_EN]), field, kind, NULL};
    if ((rc = add_partner_key(p, src, row, v[PCOL_CODE], n[PCOL_CODE], id, fold, err)) < 0 ||
        (rc = add_partner_key(p, src, row, v[PCOL_NAME_JA], n[PCOL_NAME_JA], id, fold, err)) < 0 ||
        (rc = add_partner_key(p, src, row, v[PCOL_NAME_EN], n[PCOL_NAME_EN], id, fold, err)) < 0)
        return rc;
    /* q stays valid: registering names never reallocates p->partners */
    return parse_aliases(p, src, row, v[PCOL_ALIASES], n[PCOL_ALIASES], id, &q->aliases, fold, err);
}

static int parse_partners(ks_profile *p, csv_src *src, ks_error *err)
{
    csv_row row = {0};
    ks_buf fold;
    size_t map[PCOL_COUNT];
    ks_buf_init(&row.text);
    ks_buf_init(&fold);
    int rc = read_header(src, &row, partner_columns, PCOL_COUNT, map, &fold, err);
    size_t width = row.n;
    while (rc >= 0 && (rc = read_row(src, &row, width, err)) > 0)
        rc = parse_partner_row(p, src, &row, map, &fold, err);
    ks_buf_release(&row.text);
    ks_buf_release(&fold);
    free(row.spans);
    return rc < 0 ? rc : 0;
}

/* ---- loading -------------------------------------------------------------- */

static int parse_file(ks_profile *p, const char *file, const char *data, size_t len, bool partners,
                      ks_error *err)
{
    csv_src src = {data, len, 0, file, 1};
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        src.pos = 3; /* a BOM, as Excel writes UTF-8 */
    return partners ? parse_partners(p, &src, err) : parse_districts(p, &src, err);
}

static const ks_embedded_file *find_embedded(const char *name, const char *file)
{
    size_t nl = strlen(name);
    for (const ks_embedded_file *f = ks_embedded_files; f->path; f++)
        if (strncmp(f->path, name, nl) == 0 && f->path[nl] == '/' && strcmp(f->path + nl + 1, file) == 0)
            return f;
    return NULL;
}

static bool is_builtin(const char *name)
{
    for (const char *const *b = builtin_names; *b; b++)
        if (strcmp(*b, name) == 0)
            return true;
    return false;
}

static int load_builtin(ks_profile *p, const char *name, ks_error *err)
{
    static const char *const files[] = {"districts.csv", "partners.csv"};
    if (!is_builtin(name)) {
        ks_buf list;
        ks_buf_init(&list);
        for (const char *const *b = builtin_names; *b; b++)
            ks_buf_addf(&list, "%s%s", b == builtin_names ? "" : ", ", *b);
        int rc = ks_error_set(err, KS_EUSAGE, "unknown profile '%s' (built-in: %s; a directory needs a '/')", name,
                              list.buf);
        ks_buf_release(&list);
        return rc;
    }
    ks_buf path;
    ks_buf_init(&path);
    int rc = 0;
    for (size_t i = 0; i < KS_ARRAY_LEN(files) && rc == 0; i++) {
        ks_buf_reset(&path);
        ks_buf_addf(&path, "%s/%s", name, files[i]);
        const ks_embedded_file *f = find_embedded(name, files[i]);
        if (!f)
            rc = ks_error_set(err, KS_EIO, "built-in profile file '%s' is missing from this build", path.buf);
        else
            rc = parse_file(p, path.buf, (const char *)f->data, f->len, i == 1, err);
    }
    ks_buf_release(&path);
    return rc;
}

static int read_whole(const char *path, ks_buf *out, ks_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ks_error_set(err, errno == ENOENT ? KS_EUSAGE : KS_EIO, "cannot open '%s': %s", path,
                            strerror(errno));
    int rc = 0;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        ks_buf_add(out, chunk, got);
        if (out->len > PROFILE_MAX_FILE) {
            rc = ks_error_set(err, KS_EDATA, "%s: too large for a profile file (over %d bytes)", path,
                              PROFILE_MAX_FILE);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = ks_error_set(err, KS_EIO, "cannot read '%s': %s", path, strerror(errno));
    fclose(f);
    return rc;
}

static int load_directory(ks_profile *p, const char *dir, ks_error *err)
{
    static const char *const files[] = {"districts.csv", "partners.csv"};
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    ks_buf path, data;
    ks_buf_init(&path);
    ks_buf_init(&data);
    int rc = 0;
    for (size_t i = 0; i < KS_ARRAY_LEN(files) && rc == 0; i++) {
        ks_buf_reset(&path);
        ks_buf_reset(&data);
        ks_buf_addf(&path, "%.*s%s%s", (int)dl, dir, dir[dl - 1] == '/' ? "" : "/", files[i]);
        rc = read_whole(path.buf, &data, err);
        if (rc == 0)
            rc = parse_file(p, path.buf, data.buf, data.len, i == 1, err);
    }
    ks_buf_release(&path);
    ks_buf_release(&data);
    return rc;
}

/* The last component of a directory path: "./my-city/" -> "my-city". */
static char *dir_basename(const char *dir)
{
    size_t end = strlen(dir);
    while (end > 0 && dir[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    if (start == end)
        return ks_strdup(dir);
    return ks_strndup(dir + start, end - start);
}

ks_profile *ks_profile_load(const char *name, ks_error *err)
{
    if (!name || !*name) {
        ks_error_set(err, KS_EUSAGE, "empty profile name");
        return NULL;
    }
    ks_profile *p = ks_calloc(1, sizeof *p);
    bool is_dir = strchr(name, '/') != NULL;
    p->name = is_dir ? dir_basename(name) : ks_strdup(name);
    int rc = is_dir ? load_directory(p, name, err) : load_builtin(p, name, err);
    if (rc < 0) {
        ks_profile_free(p);
        return NULL;
    }
    return p;
}
