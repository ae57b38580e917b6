/* profile.c: municipality profiles (districts and partner windows/agencies).
 *
 * A profile is two small CSV files, districts.csv and partners.csv, and an
 * optional third, windows.csv (directory records, window.h; format in
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
#include "date.h"
#include "hours.h"
#include "text.h"
#include "window.h"

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
    ks_window *windows;      /* windows.csv records, in file order */
    size_t nwindows;         /* number of records */
    size_t cap_windows;      /* allocated entries of windows */
    size_t *window_of;       /* [npartners + 1]: 1 + index into windows of a partner's record, 0 = none; NULL without windows.csv */
};

static void window_release(ks_window *w);

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
    for (size_t i = 0; i < p->nwindows; i++)
        window_release(&p->windows[i]);
    free(p->windows);
    free(p->window_of);
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

const ks_window *ks_profile_windows(const ks_profile *p, size_t *n)
{
    *n = p->nwindows;
    return p->windows;
}

const ks_window *ks_profile_window(const ks_profile *p, int partner_id)
{
    if (!p->window_of || partner_id <= 0 || (size_t)partner_id > p->npartners || !p->window_of[partner_id])
        return NULL;
    return &p->windows[p->window_of[partner_id] - 1];
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
    size_t line_start; /* offset of that line's first byte (after a BOM on line 1) */
} csv_src;

typedef struct csv_span {
    size_t off;    /* offset of the field in csv_row.text */
    size_t len;    /* its byte length */
    unsigned line; /* physical line the field starts on */
    unsigned col;  /* 1-based column, in characters, of its first character (an opening quote) */
} csv_span;

typedef struct csv_row {
    ks_buf text;     /* the record's fields, back to back */
    csv_span *spans; /* one per field */
    size_t n;        /* fields in the record */
    size_t cap;      /* allocated entries of spans */
    unsigned line;   /* physical line the record starts on */
    unsigned end_line; /* physical line the record ends on */
    unsigned end_col;  /* column just after its last character */
} csv_row;

/* The 1-based character column of byte offset pos on the current line:
 * one more than the UTF-8 lead bytes before it. */
static unsigned src_col(const csv_src *src, size_t pos)
{
    unsigned c = 1;
    for (size_t i = src->line_start; i < pos && i < src->len; i++)
        c += ((unsigned char)src->data[i] & 0xC0) != 0x80;
    return c;
}

static void row_push(csv_row *row, size_t off, unsigned line, unsigned col)
{
    if (row->n == row->cap) {
        row->cap = row->cap ? ks_mul(row->cap, 2) : 8;
        row->spans = ks_realloc(row->spans, ks_mul(row->cap, sizeof *row->spans));
    }
    row->spans[row->n++] = (csv_span){off, row->text.len - off, line, col};
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
    src->line_start = src->pos;
    return true;
}

static int read_quoted(csv_src *src, csv_row *row, unsigned line, unsigned col, ks_error *err)
{
    src->pos++; /* opening quote */
    for (;;) {
        if (src->pos >= src->len)
            return ks_error_set(err, KS_EDATA, "%s:%u:%u: unterminated quoted field", src->file, line, col);
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
        unsigned line = src->line, col = src_col(src, src->pos);
        if (src->pos < src->len && src->data[src->pos] == '"') {
            int rc = read_quoted(src, row, line, col, err);
            if (rc < 0)
                return rc;
        } else {
            while (src->pos < src->len) {
                char c = src->data[src->pos];
                if (c == ',' || c == '\r' || c == '\n')
                    break;
                if (c == '"')
                    return ks_error_set(err, KS_EDATA, "%s:%u:%u: field %zu: quote inside an unquoted field",
                                        src->file, src->line, src_col(src, src->pos), row->n + 1);
                ks_buf_addc(&row->text, c);
                src->pos++;
            }
        }
        row_push(row, off, line, col);
        ks_buf_addc(&row->text, '\0'); /* keeps every field a C string */
        row->end_line = src->line;
        row->end_col = src_col(src, src->pos);
        if (src->pos >= src->len || eat_eol(src))
            return 1;
        if (src->data[src->pos] != ',')
            return ks_error_set(err, KS_EDATA, "%s:%u:%u: field %zu: text after a closing quote", src->file,
                                src->line, src_col(src, src->pos), row->n);
        src->pos++;
    }
}

static const char *row_field(const csv_row *row, size_t i, size_t *n)
{
    *n = row->spans[i].len;
    return row->text.buf + row->spans[i].off;
}

static int field_error(ks_error *err, const csv_src *src, const csv_row *row, size_t idx, const char *fmt, ...)
    KS_PRINTF(5, 6);

/* Records -KS_EDATA at field idx of the row, "file:line:column: ..."; the
 * row's first line and column 1 when idx is no field (a missing column). */
static int field_error(ks_error *err, const csv_src *src, const csv_row *row, size_t idx, const char *fmt, ...)
{
    ks_buf msg;
    ks_buf_init(&msg);
    va_list ap;
    va_start(ap, fmt);
    ks_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    unsigned line = row->line, col = 1;
    if (idx < row->n) {
        line = row->spans[idx].line;
        col = row->spans[idx].col;
    }
    int rc = ks_error_set(err, KS_EDATA, "%s:%u:%u: %s", src->file, line, col, msg.buf);
    ks_buf_release(&msg);
    return rc;
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
            return field_error(err, src, row, i, "invalid UTF-8 in the header");
        size_t c = 0;
        while (c < ncols && strcmp(cols[c].name, fold->buf) != 0)
            c++;
        if (c == ncols)
            return field_error(err, src, row, i, "unknown column '%s'", fold->buf);
        if (map[c] != SIZE_MAX)
            return field_error(err, src, row, i, "column '%s' given twice", cols[c].name);
        map[c] = i;
    }
    for (size_t c = 0; c < ncols; c++)
        if (cols[c].required && map[c] == SIZE_MAX)
            return field_error(err, src, row, SIZE_MAX, "missing column '%s'", cols[c].name);
    return 0;
}

/* Reads the next data row and checks its width.  1, 0 at end, or < 0. */
static int read_row(csv_src *src, csv_row *row, size_t width, ks_error *err)
{
    int rc = csv_read(src, row, err);
    if (rc <= 0)
        return rc;
    /* too many: at the first extra field; too few: where the record ends */
    if (row->n > width)
        return field_error(err, src, row, width, "expected %zu fields but found %zu", width, row->n);
    if (row->n < width)
        return ks_error_set(err, KS_EDATA, "%s:%u:%u: expected %zu fields but found %zu", src->file, row->end_line,
                            row->end_col, width, row->n);
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
        return field_error(err, src, row, idx, "column '%s': invalid UTF-8", name);
    if (required && *n == 0)
        return field_error(err, src, row, idx, "column '%s' is empty", name);
    return 0;
}

static int fold_value(const csv_src *src, const csv_row *row, size_t idx, const char *s, size_t n, ks_buf *fold,
                      ks_error *err)
{
    ks_buf_reset(fold);
    if (ks_text_fold_label(s, n, fold) < 0)
        return field_error(err, src, row, idx, "invalid UTF-8");
    return 0;
}

/* ---- districts.csv ---------------------------------------------------- */

enum { DCOL_NAME_JA, DCOL_NAME_EN, DCOL_COUNT };
static const column_spec district_columns[DCOL_COUNT] = {{"name_ja", true}, {"name_en", true}};

static int add_district_key(ks_profile *p, const csv_src *src, const csv_row *row, size_t idx, const char *s,
                            size_t n, int id, ks_buf *fold, ks_error *err)
{
    int rc = fold_value(src, row, idx, s, n, fold, err);
    if (rc < 0)
        return rc;
    const key_slot *dup = key_add(&p->district_keys, fold->buf, fold->len, id, row->line);
    if (dup)
        return field_error(err, src, row, idx, "district name '%.*s' is already used on line %u", (int)n, s,
                           dup->line);
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
        if ((rc = add_district_key(p, src, &row, map[DCOL_NAME_JA], ja, nja, id, &fold, err)) < 0 ||
            (rc = add_district_key(p, src, &row, map[DCOL_NAME_EN], en, nen, id, &fold, err)) < 0)
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

static int resolve_enum(const csv_src *src, const csv_row *row, size_t idx, const char *col, const char *s,
                        size_t n, const enum_name *names, size_t nnames, const char *expected, int *out, ks_buf *fold,
                        ks_error *err)
{
    int rc = fold_value(src, row, idx, s, n, fold, err);
    if (rc < 0)
        return rc;
    *out = enum_value(names, nnames, fold->buf);
    if (*out == 0)
        return field_error(err, src, row, idx, "column '%s': unknown value '%.*s' (expected %s)", col, (int)n, s,
                           expected);
    return 0;
}

static int add_partner_key(ks_profile *p, const csv_src *src, const csv_row *row, size_t idx, const char *s,
                           size_t n, int id, ks_buf *fold, ks_error *err)
{
    int rc = fold_value(src, row, idx, s, n, fold, err);
    if (rc < 0)
        return rc;
    if (fold->len == 0)
        return 0;
    const key_slot *dup = key_add(&p->partner_keys, fold->buf, fold->len, id, row->line);
    if (!dup)
        return 0;
    const ks_partner *other = &p->partners[dup->id - 1];
    return field_error(err, src, row, idx, "'%.*s' is already a name of partner '%s' (line %u)", (int)n, s,
                       other->code, dup->line);
}

/* Splits the aliases cell on '|' into a NULL-terminated array of trimmed,
 * non-empty names, registering each as a key of partner `id`. */
static int parse_aliases(ks_profile *p, const csv_src *src, const csv_row *row, size_t idx, const char *s,
                         size_t n, int id, char ***out, ks_buf *fold, ks_error *err)
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
        rc = add_partner_key(p, src, row, idx, a, an, id, fold, err);
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
        return field_error(err, src, row, map[PCOL_CODE],
                           "column 'code': '%.*s' is not a short ASCII snake_case code "
                           "(a-z, 0-9, _, starting with a letter, at most %d characters)",
                           (int)n[PCOL_CODE], v[PCOL_CODE], PROFILE_MAX_CODE);
    /* A code is already in folded form (lower-case ASCII), so it can be
     * looked up as it is: a second use is either a duplicate code or a clash
     * with another partner's name. */
    const key_slot *seen = key_find(&p->partner_keys, v[PCOL_CODE], n[PCOL_CODE], fnv1a(v[PCOL_CODE], n[PCOL_CODE]));
    if (seen) {
        const ks_partner *other = &p->partners[seen->id - 1];
        if (strlen(other->code) == n[PCOL_CODE] && memcmp(other->code, v[PCOL_CODE], n[PCOL_CODE]) == 0)
            return field_error(err, src, row, map[PCOL_CODE], "duplicate code '%.*s' (first on line %u)",
                               (int)n[PCOL_CODE], v[PCOL_CODE], seen->line);
        return field_error(err, src, row, map[PCOL_CODE], "code '%.*s' is already a name of partner '%s' (line %u)",
                           (int)n[PCOL_CODE], v[PCOL_CODE], other->code, seen->line);
    }
    int field, kind;
    if ((rc = resolve_enum(src, row, map[PCOL_FIELD], "field", v[PCOL_FIELD], n[PCOL_FIELD], field_names,
                           KS_ARRAY_LEN(field_names), "care, disability, child, poverty or other", &field, fold,
                           err)) < 0 ||
        (rc = resolve_enum(src, row, map[PCOL_KIND], "kind", v[PCOL_KIND], n[PCOL_KIND], kind_names,
                           KS_ARRAY_LEN(kind_names), "city_window, agency or organisation", &kind, fold, err)) < 0)
        return rc;

    if (p->npartners == p->cap_partners) {
        p->cap_partners = p->cap_partners ? ks_mul(p->cap_partners, 2) : 16;
        p->partners = ks_realloc(p->partners, ks_mul(p->cap_partners, sizeof *p->partners));
    }
    int id = (int)p->npartners + 1;
    ks_partner *q = &p->partners[p->npartners++];
    *q = (ks_partner){id,    ks_strndup(v[PCOL_CODE], n[PCOL_CODE]), ks_strndup(v[PCOL_NAME_JA], n[PCOL_NAME_JA]),
                      ks_strndup(v[PCOL_NAME_EN], n[PCOL_NAME_EN]), field, kind, NULL};
    if ((rc = add_partner_key(p, src, row, map[PCOL_CODE], v[PCOL_CODE], n[PCOL_CODE], id, fold, err)) < 0 ||
        (rc = add_partner_key(p, src, row, map[PCOL_NAME_JA], v[PCOL_NAME_JA], n[PCOL_NAME_JA], id, fold, err)) < 0 ||
        (rc = add_partner_key(p, src, row, map[PCOL_NAME_EN], v[PCOL_NAME_EN], n[PCOL_NAME_EN], id, fold, err)) < 0)
        return rc;
    /* q stays valid: registering names never reallocates p->partners */
    return parse_aliases(p, src, row, map[PCOL_ALIASES], v[PCOL_ALIASES], n[PCOL_ALIASES], id, &q->aliases, fold,
                         err);
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

/* ---- windows.csv ---------------------------------------------------------- */

enum {
    WCOL_CODE, WCOL_OPERATOR, WCOL_OPERATOR_NAME, WCOL_DEPARTMENT, WCOL_SUMMARY_JA, WCOL_SUMMARY_EN,
    WCOL_AUDIENCE_JA, WCOL_AUDIENCE_EN, WCOL_AGE_MIN, WCOL_AGE_MAX, WCOL_HOUSEHOLDS, WCOL_RESIDENCE,
    WCOL_CHANNELS, WCOL_ADDRESS, WCOL_PHONE, WCOL_FAX, WCOL_EMAIL, WCOL_URL, WCOL_HOURS, WCOL_HOLIDAYS,
    WCOL_HOURS_NOTE, WCOL_ASSURED_DATE, WCOL_SOURCE, WCOL_COUNT
};
/* Only the code is required: a data officer fills the file in over time,
 * and a column not there yet means every value of it is "not given". */
static const column_spec window_columns[WCOL_COUNT] = {
    {"code", true},         {"operator", false},   {"operator_name", false}, {"department", false},
    {"summary_ja", false},  {"summary_en", false}, {"audience_ja", false},   {"audience_en", false},
    {"age_min", false},     {"age_max", false},    {"households", false},    {"residence", false},
    {"channels", false},    {"address", false},    {"phone", false},         {"fax", false},
    {"email", false},       {"url", false},        {"hours", false},         {"holidays", false},
    {"hours_note", false},  {"assured_date", false}, {"source", false},
};

static void window_release(ks_window *w)
{
    char **texts[] = {&w->operator_name, &w->department, &w->summary_ja, &w->summary_en, &w->audience_ja,
                      &w->audience_en,   &w->address,    &w->phone,      &w->fax,        &w->email,
                      &w->url,           &w->hours_note, &w->source};
    for (size_t i = 0; i < KS_ARRAY_LEN(texts); i++) {
        free(*texts[i]);
        *texts[i] = NULL;
    }
    ks_hours_release(&w->hours);
}

/* The text of a value in ks_text_fold form (NFKC, trimmed) into out. */
static int fold_plain(const csv_src *src, const csv_row *row, size_t idx, const char *s, size_t n, ks_buf *out,
                      ks_error *err)
{
    ks_buf_reset(out);
    if (ks_text_fold(s, n, out) < 0)
        return field_error(err, src, row, idx, "invalid UTF-8");
    return 0;
}

/* age_min / age_max: empty -> -1 (no bound), else a whole number 0..KS_AGE_MAX. */
static int parse_age(const csv_src *src, const csv_row *row, size_t idx, const char *col, const char *s, size_t n,
                     int *out, ks_buf *fold, ks_error *err)
{
    *out = -1;
    int rc = fold_plain(src, row, idx, s, n, fold, err);
    if (rc < 0 || fold->len == 0)
        return rc;
    int v = 0;
    bool ok = fold->len <= 3;
    for (size_t i = 0; ok && i < fold->len; i++) {
        ok = fold->buf[i] >= '0' && fold->buf[i] <= '9';
        v = v * 10 + (fold->buf[i] - '0');
    }
    if (!ok || v > KS_AGE_MAX)
        return field_error(err, src, row, idx, "column '%s': '%.*s' is not an age from 0 to %d", col, (int)n, s,
                           KS_AGE_MAX);
    *out = v;
    return 0;
}

/* Splits folded text on '|' and hands each non-empty item to `item`. */
typedef int (*list_item_fn)(void *ctx, const char *item, size_t n);

static int each_item(const char *s, size_t n, list_item_fn item, void *ctx)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '|')
            continue;
        if (i > start) {
            int rc = item(ctx, s + start, i - start);
            if (rc < 0)
                return rc;
        }
        start = i + 1;
    }
    return 0;
}

typedef struct list_ctx {
    const ks_profile *p;  /* for district lookups */
    const csv_src *src;   /* for messages */
    const csv_row *row;   /* for messages */
    size_t idx;           /* field index, for messages */
    unsigned long long bits; /* what the items set */
    ks_error *err;        /* where errors go */
} list_ctx;

static int household_item(void *vctx, const char *s, size_t n)
{
    list_ctx *c = vctx;
    int id = ks_code_lookup(KS_CODE_HOUSEHOLD, s, n);
    if (id <= 0 || id >= 32)
        return field_error(c->err, c->src, c->row, c->idx,
                           "column 'households': unknown household type '%.*s' (expected single, couple, "
                           "parent_child, single_parent, three_generation or other)",
                           (int)n, s);
    c->bits |= 1ull << id;
    return 0;
}

/* "city" and 市内全域 stand for the whole city (already folded). */
static bool whole_city(const char *s, size_t n)
{
    return (n == 4 && memcmp(s, "city", 4) == 0) || (n == strlen("市内全域") && memcmp(s, "市内全域", n) == 0);
}

static int district_item(void *vctx, const char *s, size_t n)
{
    list_ctx *c = vctx;
    if (whole_city(s, n))
        return field_error(c->err, c->src, c->row, c->idx,
                           "column 'residence': '%.*s' (the whole city) cannot be listed with districts", (int)n, s);
    int id = ks_profile_district(c->p, s, n);
    if (id == 0)
        return field_error(c->err, c->src, c->row, c->idx, "column 'residence': unknown district '%.*s'", (int)n,
                           s);
    if (id >= 64)
        return field_error(c->err, c->src, c->row, c->idx,
                           "column 'residence': district '%.*s' has id %d; a window can name districts 1-63 only",
                           (int)n, s, id);
    c->bits |= 1ull << id;
    return 0;
}

static int channel_item(void *vctx, const char *s, size_t n)
{
    list_ctx *c = vctx;
    char word[64];
    unsigned bit = 0;
    if (n < sizeof word) {
        memcpy(word, s, n);
        word[n] = '\0';
        bit = ks_channel_parse(word);
    }
    if (!bit)
        return field_error(c->err, c->src, c->row, c->idx,
                           "column 'channels': unknown channel '%.*s' (expected visit, phone, fax, email, outreach or "
                           "online, or 来所, 電話, FAX, メール, 訪問, オンライン)",
                           (int)n, s);
    c->bits |= bit;
    return 0;
}

/* A phone or fax number: digits, '-', '(', ')', '+', spaces and 内線
 * (extension) only.  The NFKC form is kept, with the dashes Japanese
 * keyboards give (ー, －, ‐, −) written '-', so that it can be dialled from a
 * link; nothing else is changed. */
static int parse_phone(const csv_src *src, const csv_row *row, size_t idx, const char *col, const char *s, size_t n,
                       char **out, ks_buf *fold, ks_error *err)
{
    static const char *const dashes[] = {"\xE2\x80\x90", "\xE2\x80\x91", "\xE2\x80\x92", "\xE2\x80\x93",
                                         "\xE2\x80\x94", "\xE2\x80\x95", "\xE2\x88\x92", "\xE3\x83\xBC"};
    int rc = fold_plain(src, row, idx, s, n, fold, err);
    if (rc < 0)
        return rc;
    ks_buf clean;
    ks_buf_init(&clean);
    bool digit = false;
    for (size_t i = 0; i < fold->len && rc == 0;) {
        char c = fold->buf[i];
        if ((c >= '0' && c <= '9') || c == '-' || c == '(' || c == ')' || c == '+' || c == ' ') {
            digit |= c >= '0' && c <= '9';
            ks_buf_addc(&clean, c);
            i++;
            continue;
        }
        size_t l = 0;
        for (size_t k = 0; k < KS_ARRAY_LEN(dashes) && !l; k++)
            if (fold->len - i >= strlen(dashes[k]) && memcmp(fold->buf + i, dashes[k], strlen(dashes[k])) == 0)
                l = strlen(dashes[k]);
        if (l) {
            ks_buf_addc(&clean, '-');
            i += l;
            continue;
        }
        if (fold->len - i >= strlen("内線") && memcmp(fold->buf + i, "内線", strlen("内線")) == 0) {
            ks_buf_adds(&clean, "内線");
            i += strlen("内線");
            continue;
        }
        rc = field_error(err, src, row, idx,
                         "column '%s': '%.*s' is not a phone number (digits, '-', '(', ')', '+' and 内線 only)", col,
                         (int)n, s);
    }
    if (rc == 0 && clean.len > 0 && !digit)
        rc = field_error(err, src, row, idx, "column '%s': '%.*s' has no digits", col, (int)n, s);
    if (rc == 0)
        *out = ks_buf_detach(&clean, NULL);
    ks_buf_release(&clean);
    return rc;
}

/* local@domain.tld, printable ASCII without spaces. */
static bool valid_email(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (!at || at == s || memchr(at + 1, '@', n - (size_t)(at + 1 - s)))
        return false;
    const char *dom = at + 1;
    size_t dn = n - (size_t)(dom - s);
    const char *dot = dn ? memchr(dom, '.', dn) : NULL;
    if (!dot || dom[0] == '.' || dom[dn - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7F)
            return false;
    return true;
}

static bool valid_url(const char *s, size_t n)
{
    size_t skip = n >= 8 && memcmp(s, "https://", 8) == 0 ? 8 : n >= 7 && memcmp(s, "http://", 7) == 0 ? 7 : 0;
    if (!skip || n == skip)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7F)
            return false;
    return true;
}

/* YYYY-MM-DD and a real date. */
static int parse_assured(const csv_src *src, const csv_row *row, size_t idx, const char *s, size_t n,
                         ks_window *w, ks_buf *fold, ks_error *err)
{
    int rc = fold_plain(src, row, idx, s, n, fold, err);
    if (rc < 0 || fold->len == 0)
        return rc;
    const char *f = fold->buf;
    bool form = fold->len == 10 && f[4] == '-' && f[7] == '-';
    for (size_t i = 0; form && i < 10; i++)
        form = i == 4 || i == 7 || (f[i] >= '0' && f[i] <= '9');
    if (!form)
        return field_error(err, src, row, idx, "column 'assured_date': '%.*s' is not a date in the form YYYY-MM-DD",
                           (int)n, s);
    if (ks_date_parse(f, fold->len, &w->assured_date) != KS_DATE_OK)
        return field_error(err, src, row, idx, "column 'assured_date': '%.*s' is not a real date", (int)n, s);
    w->assured = true;
    return 0;
}

static int parse_window_fields(ks_profile *p, const csv_src *src, const csv_row *row, const size_t *map,
                               const char *const *v, const size_t *n, ks_window *w, ks_buf *fold, ks_error *err)
{
    int rc, op;
    if ((rc = fold_value(src, row, map[WCOL_OPERATOR], v[WCOL_OPERATOR], n[WCOL_OPERATOR], fold, err)) < 0)
        return rc;
    if ((op = ks_operator_parse(fold->buf)) < 0)
        return field_error(err, src, row, map[WCOL_OPERATOR],
                           "column 'operator': unknown value '%.*s' (expected city, shakyo, corporation or other, "
                           "or 市, 社会福祉協議会, 社協, 法人, その他)",
                           (int)n[WCOL_OPERATOR], v[WCOL_OPERATOR]);
    w->op = (ks_operator)op;

    if ((rc = parse_age(src, row, map[WCOL_AGE_MIN], "age_min", v[WCOL_AGE_MIN], n[WCOL_AGE_MIN], &w->age_min, fold,
                        err)) < 0 ||
        (rc = parse_age(src, row, map[WCOL_AGE_MAX], "age_max", v[WCOL_AGE_MAX], n[WCOL_AGE_MAX], &w->age_max, fold,
                        err)) < 0)
        return rc;
    if (w->age_min >= 0 && w->age_max >= 0 && w->age_min > w->age_max)
        return field_error(err, src, row, map[WCOL_AGE_MAX], "column 'age_max': %d is below age_min %d", w->age_max,
                           w->age_min);

    list_ctx c = {p, src, row, map[WCOL_HOUSEHOLDS], 0, err};
    if ((rc = fold_value(src, row, c.idx, v[WCOL_HOUSEHOLDS], n[WCOL_HOUSEHOLDS], fold, err)) < 0 ||
        (rc = each_item(fold->buf, fold->len, household_item, &c)) < 0)
        return rc;
    w->households = (unsigned)c.bits;

    c = (list_ctx){p, src, row, map[WCOL_RESIDENCE], 0, err};
    if ((rc = fold_value(src, row, c.idx, v[WCOL_RESIDENCE], n[WCOL_RESIDENCE], fold, err)) < 0)
        return rc;
    if (!whole_city(fold->buf, fold->len) && (rc = each_item(fold->buf, fold->len, district_item, &c)) < 0)
        return rc;
    w->districts = c.bits;

    c = (list_ctx){p, src, row, map[WCOL_CHANNELS], 0, err};
    if ((rc = fold_value(src, row, c.idx, v[WCOL_CHANNELS], n[WCOL_CHANNELS], fold, err)) < 0 ||
        (rc = each_item(fold->buf, fold->len, channel_item, &c)) < 0)
        return rc;
    w->channels = (unsigned)c.bits;

    if ((rc = parse_phone(src, row, map[WCOL_PHONE], "phone", v[WCOL_PHONE], n[WCOL_PHONE], &w->phone, fold, err)) <
            0 ||
        (rc = parse_phone(src, row, map[WCOL_FAX], "fax", v[WCOL_FAX], n[WCOL_FAX], &w->fax, fold, err)) < 0)
        return rc;

    if ((rc = fold_plain(src, row, map[WCOL_EMAIL], v[WCOL_EMAIL], n[WCOL_EMAIL], fold, err)) < 0)
        return rc;
    if (fold->len > 0 && !valid_email(fold->buf, fold->len))
        return field_error(err, src, row, map[WCOL_EMAIL], "column 'email': '%.*s' is not an e-mail address",
                           (int)n[WCOL_EMAIL], v[WCOL_EMAIL]);
    w->email = ks_strndup(fold->buf, fold->len);

    if ((rc = fold_plain(src, row, map[WCOL_URL], v[WCOL_URL], n[WCOL_URL], fold, err)) < 0)
        return rc;
    if (fold->len > 0 && !valid_url(fold->buf, fold->len))
        return field_error(err, src, row, map[WCOL_URL],
                           "column 'url': '%.*s' is not a web address (http:// or https://, no spaces)",
                           (int)n[WCOL_URL], v[WCOL_URL]);
    w->url = ks_strndup(fold->buf, fold->len);

    char *text = ks_strndup(v[WCOL_HOLIDAYS], n[WCOL_HOLIDAYS]);
    int policy = ks_holiday_policy_parse(text);
    free(text);
    if (policy < 0)
        return field_error(err, src, row, map[WCOL_HOLIDAYS],
                           "column 'holidays': unknown value '%.*s' (expected closed, open or yearend_closed, or "
                           "祝日休み, 祝日も開所, 年末年始休み)",
                           (int)n[WCOL_HOLIDAYS], v[WCOL_HOLIDAYS]);
    text = ks_strndup(v[WCOL_HOURS], n[WCOL_HOURS]);
    ks_error herr = {0};
    int hcol = 0;
    rc = ks_hours_parse(&w->hours, text, (ks_holiday_policy)policy, &hcol, &herr);
    free(text);
    if (rc < 0)
        return field_error(err, src, row, map[WCOL_HOURS], "column 'hours': '%.*s': %s", (int)n[WCOL_HOURS],
                           v[WCOL_HOURS], herr.msg);

    return parse_assured(src, row, map[WCOL_ASSURED_DATE], v[WCOL_ASSURED_DATE], n[WCOL_ASSURED_DATE], w, fold, err);
}

/* The partner whose code is exactly the folded value, or NULL. */
static const ks_partner *partner_by_code(const ks_profile *p, const char *folded)
{
    for (size_t i = 0; i < p->npartners; i++)
        if (strcmp(p->partners[i].code, folded) == 0)
            return &p->partners[i];
    return NULL;
}

static int parse_window_row(ks_profile *p, const csv_src *src, const csv_row *row, const size_t *map,
                            unsigned *first_line, ks_buf *fold, ks_error *err)
{
    const char *v[WCOL_COUNT];
    size_t n[WCOL_COUNT];
    int rc = 0;
    for (size_t c = 0; c < WCOL_COUNT && rc == 0; c++)
        rc = get_value(src, row, map[c], window_columns[c].name, window_columns[c].required, &v[c], &n[c], err);
    if (rc < 0)
        return rc;
    if ((rc = fold_value(src, row, map[WCOL_CODE], v[WCOL_CODE], n[WCOL_CODE], fold, err)) < 0)
        return rc;
    const ks_partner *q = partner_by_code(p, fold->buf);
    if (!q)
        return field_error(err, src, row, map[WCOL_CODE],
                           "column 'code': '%.*s' is not a partner code of this profile (partners.csv)",
                           (int)n[WCOL_CODE], v[WCOL_CODE]);
    if (p->window_of[q->id])
        return field_error(err, src, row, map[WCOL_CODE], "duplicate code '%s' (first on line %u)", q->code,
                           first_line[q->id]);

    ks_window w = {0};
    w.partner_id = q->id;
    w.operator_name = ks_strndup(v[WCOL_OPERATOR_NAME], n[WCOL_OPERATOR_NAME]);
    w.department = ks_strndup(v[WCOL_DEPARTMENT], n[WCOL_DEPARTMENT]);
    w.summary_ja = ks_strndup(v[WCOL_SUMMARY_JA], n[WCOL_SUMMARY_JA]);
    w.summary_en = ks_strndup(v[WCOL_SUMMARY_EN], n[WCOL_SUMMARY_EN]);
    w.audience_ja = ks_strndup(v[WCOL_AUDIENCE_JA], n[WCOL_AUDIENCE_JA]);
    w.audience_en = ks_strndup(v[WCOL_AUDIENCE_EN], n[WCOL_AUDIENCE_EN]);
    w.address = ks_strndup(v[WCOL_ADDRESS], n[WCOL_ADDRESS]);
    w.hours_note = ks_strndup(v[WCOL_HOURS_NOTE], n[WCOL_HOURS_NOTE]);
    w.source = ks_strndup(v[WCOL_SOURCE], n[WCOL_SOURCE]);
    rc = parse_window_fields(p, src, row, map, v, n, &w, fold, err);
    if (rc < 0) {
        window_release(&w);
        return rc;
    }
    if (p->nwindows == p->cap_windows) {
        p->cap_windows = p->cap_windows ? ks_mul(p->cap_windows, 2) : 16;
        p->windows = ks_realloc(p->windows, ks_mul(p->cap_windows, sizeof *p->windows));
    }
    p->windows[p->nwindows++] = w;
    p->window_of[q->id] = p->nwindows;
    first_line[q->id] = row->line;
    return 0;
}

static int parse_windows(ks_profile *p, csv_src *src, ks_error *err)
{
    csv_row row = {0};
    ks_buf fold;
    size_t map[WCOL_COUNT];
    ks_buf_init(&row.text);
    ks_buf_init(&fold);
    free(p->window_of);
    p->window_of = ks_calloc(p->npartners + 1, sizeof *p->window_of);
    unsigned *first_line = ks_calloc(p->npartners + 1, sizeof *first_line);
    int rc = read_header(src, &row, window_columns, WCOL_COUNT, map, &fold, err);
    size_t width = row.n;
    while (rc >= 0 && (rc = read_row(src, &row, width, err)) > 0)
        rc = parse_window_row(p, src, &row, map, first_line, &fold, err);
    free(first_line);
    ks_buf_release(&row.text);
    ks_buf_release(&fold);
    free(row.spans);
    return rc < 0 ? rc : 0;
}

/* ---- loading -------------------------------------------------------------- */

/* The files of a profile, in the order they are read: windows.csv names
 * partners and districts, so it comes last; it alone may be absent. */
typedef enum profile_file { FILE_DISTRICTS, FILE_PARTNERS, FILE_WINDOWS, FILE_COUNT } profile_file;
static const char *const profile_files[FILE_COUNT] = {"districts.csv", "partners.csv", "windows.csv"};

static int parse_file(ks_profile *p, const char *file, const char *data, size_t len, profile_file which,
                      ks_error *err)
{
    csv_src src = {data, len, 0, file, 1, 0};
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        src.pos = src.line_start = 3; /* a BOM, as Excel writes UTF-8; not a column */
    switch (which) {
    case FILE_DISTRICTS:
        return parse_districts(p, &src, err);
    case FILE_PARTNERS:
        return parse_partners(p, &src, err);
    default:
        return parse_windows(p, &src, err);
    }
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
    for (int i = 0; i < FILE_COUNT && rc == 0; i++) {
        ks_buf_reset(&path);
        ks_buf_addf(&path, "%s/%s", name, profile_files[i]);
        const ks_embedded_file *f = find_embedded(name, profile_files[i]);
        if (!f && i == FILE_WINDOWS)
            continue; /* optional */
        if (!f)
            rc = ks_error_set(err, KS_EIO, "built-in profile file '%s' is missing from this build", path.buf);
        else
            rc = parse_file(p, path.buf, (const char *)f->data, f->len, (profile_file)i, err);
    }
    ks_buf_release(&path);
    return rc;
}

/* Reads path into out: 0, or 1 when it does not exist and `optional`. */
static int read_whole(const char *path, bool optional, ks_buf *out, ks_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f && optional && errno == ENOENT)
        return 1;
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
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    ks_buf path, data;
    ks_buf_init(&path);
    ks_buf_init(&data);
    int rc = 0;
    for (int i = 0; i < FILE_COUNT && rc == 0; i++) {
        ks_buf_reset(&path);
        ks_buf_reset(&data);
        ks_buf_addf(&path, "%.*s%s%s", (int)dl, dir, dir[dl - 1] == '/' ? "" : "/", profile_files[i]);
        rc = read_whole(path.buf, i == FILE_WINDOWS, &data, err);
        if (rc == 0)
            rc = parse_file(p, path.buf, data.buf, data.len, (profile_file)i, err);
    }
    if (rc > 0)
        rc = 0; /* no windows.csv */
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
