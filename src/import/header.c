/* header.c: matching a file's header row to the contract's fields. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "text.h"

typedef struct field_spec {
    const char *name;        /* contract name, also accepted as a header */
    const char *aliases[5];  /* Japanese (and other) header names, NULL-terminated */
    int required;            /* the column must be present */
} field_spec;

/* From shared/spec/case-records.md, "Fields".  Order = enum ks_field. */
static const field_spec fields[KS_F_COUNT] = {
    {"record_id", {"記録番号", "事例番号", "ケース番号", NULL}, 1},
    {"resident_id", {"宛名番号", "住民番号", NULL}, 0},
    {"name", {"氏名", "名前", NULL}, 0},
    {"name_kana", {"フリガナ", "ふりがな", "カナ氏名", NULL}, 0},
    {"birth_date", {"生年月日", NULL}, 1},
    {"address", {"住所", NULL}, 0},
    {"phone", {"電話番号", "連絡先", NULL}, 0},
    {"household_id", {"世帯番号", NULL}, 0},
    {"sex", {"性別", NULL}, 0},
    {"household_type", {"世帯構成", "世帯類型", NULL}, 0},
    {"district", {"地区", "住区", "圏域", NULL}, 1},
    {"consult_date", {"相談日", "受付日", NULL}, 1},
    {"closed_date", {"終結日", NULL}, 0},
    {"intake_route", {"相談経路", "把握経路", NULL}, 0},
    {"intake_agency", {"受付機関", "受付窓口", NULL}, 0},
    {"problems", {"課題", "抱える課題", "相談内容", NULL}, 1},
    {"supports", {"支援内容", NULL}, 0},
    {"partners", {"連携先", "連携機関", "つなぎ先", NULL}, 0},
    {"consent", {"本人同意", "同意", NULL}, 1},
    {"meeting", {"会議", "検討会議", NULL}, 0},
    {"status", {"状況", "支援状況", NULL}, 1},
    {"outcome", {"結果", "終結理由", NULL}, 0},
    {"notes", {"備考", "メモ", "経過", NULL}, 0},
};

const char *ks_field_name(ks_field f)
{
    return (unsigned)f < KS_F_COUNT ? fields[f].name : "?";
}

struct ks_mapping {
    char **from;  /* folded header names */
    int *to;      /* ks_field */
    size_t n;     /* entries */
};

void ks_mapping_free(ks_mapping *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->from[i]);
    free(m->from);
    free(m->to);
    free(m);
}

static int field_by_name(const char *s)
{
    for (int f = 0; f < KS_F_COUNT; f++)
        if (strcmp(fields[f].name, s) == 0)
            return f;
    return -1;
}

/* One line of a mapping file (its end of line and any BOM gone; not blank,
 * not a comment) into m; folded is scratch. */
static int mapping_line(ks_mapping *m, const ks_buf *line, const char *path, unsigned lineno, ks_buf *folded,
                        ks_error *err)
{
    char *comma = strrchr(line->buf, ',');
    if (!comma)
        return ks_error_set(err, KS_EUSAGE, "%s:%u: expected 'header,field'", path, lineno);
    ks_buf_reset(folded);
    if (ks_text_fold_label(comma + 1, strlen(comma + 1), folded) < 0)
        return ks_error_set(err, KS_EUSAGE, "%s:%u: not valid UTF-8", path, lineno);
    int f = field_by_name(folded->buf);
    if (f < 0)
        return ks_error_set(err, KS_EUSAGE, "%s:%u:%zu: unknown field '%s'", path, lineno,
                            (size_t)(comma - line->buf) + 2, folded->buf);
    ks_buf_reset(folded);
    if (ks_text_fold_label(line->buf, (size_t)(comma - line->buf), folded) < 0 || folded->len == 0)
        return ks_error_set(err, KS_EUSAGE, "%s:%u:1: empty or invalid header name", path, lineno);
    m->from = ks_realloc(m->from, ks_mul(m->n + 1, sizeof *m->from));
    m->to = ks_realloc(m->to, ks_mul(m->n + 1, sizeof *m->to));
    m->from[m->n] = ks_strdup(folded->buf);
    m->to[m->n] = f;
    m->n++;
    return 0;
}

/* Mapping file: UTF-8 CSV, one "header,field" pair a line; '#' lines and
 * blank lines are skipped.  Read whole: it is a few lines. */
ks_mapping *ks_mapping_load(const char *path, ks_error *err)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        ks_error_set(err, KS_EUSAGE, "cannot open mapping file '%s': %s", path, strerror(errno));
        return NULL;
    }
    ks_mapping *m = ks_calloc(1, sizeof *m);
    ks_buf line, folded;
    ks_buf_init(&line);
    ks_buf_init(&folded);
    char chunk[4096];
    unsigned lineno = 0;
    int ok = 1;
    while (ok && fgets(chunk, sizeof chunk, in)) {
        ks_buf_reset(&line);
        ks_buf_adds(&line, chunk);
        lineno++;
        while (line.len && (line.buf[line.len - 1] == '\n' || line.buf[line.len - 1] == '\r'))
            line.buf[--line.len] = '\0';
        if (lineno == 1 && line.len >= 3 && memcmp(line.buf, "\xEF\xBB\xBF", 3) == 0)
            memmove(line.buf, line.buf + 3, (line.len -= 3) + 1);
        if (line.len == 0 || line.buf[0] == '#')
            continue;
        ok = mapping_line(m, &line, path, lineno, &folded, err) == 0;
    }
    if (ok && ferror(in)) {
        ks_error_set(err, KS_EIO, "cannot read mapping file '%s'", path);
        ok = 0;
    }
    fclose(in);
    ks_buf_release(&line);
    ks_buf_release(&folded);
    if (!ok) {
        ks_mapping_free(m);
        return NULL;
    }
    return m;
}

/* The field a folded header name stands for, or -1.  A mapping entry wins
 * over the built-in aliases, so a city can re-point a standard name. */
static int match_header(const char *folded, const ks_mapping *map, ks_buf *scratch)
{
    if (map)
        for (size_t i = 0; i < map->n; i++)
            if (strcmp(map->from[i], folded) == 0)
                return map->to[i];
    for (int f = 0; f < KS_F_COUNT; f++) {
        ks_buf_reset(scratch);
        ks_text_fold_label(fields[f].name, strlen(fields[f].name), scratch);
        if (strcmp(scratch->buf, folded) == 0)
            return f;
        for (const char *const *a = fields[f].aliases; *a; a++) {
            ks_buf_reset(scratch);
            ks_text_fold_label(*a, strlen(*a), scratch);
            if (strcmp(scratch->buf, folded) == 0)
                return f;
        }
    }
    return -1;
}

void ks_header_release(ks_header *h)
{
    for (size_t i = 0; i < h->nunknown; i++)
        free(h->unknown[i]);
    free(h->unknown);
    h->unknown = NULL;
    h->nunknown = 0;
    for (size_t i = 0; (h->raw || h->folded) && i < h->ncols; i++) {
        free(h->raw ? h->raw[i] : NULL);
        free(h->folded ? h->folded[i] : NULL);
    }
    free(h->raw);
    free(h->folded);
    h->raw = h->folded = NULL;
}

int ks_header_fold_name(ks_decoder *dec, const char *s, size_t len, ks_buf *scratch, ks_buf *out)
{
    ks_buf_reset(scratch);
    ks_buf_reset(out);
    if (ks_decoder_field(dec, s, len, scratch) < 0 || ks_text_fold_label(scratch->buf, scratch->len, out) < 0)
        return -KS_EDATA;
    return 0;
}

/* Scratch buffers of ks_header_parse. */
typedef struct header_bufs {
    ks_buf raw;     /* a name decoded */
    ks_buf folded;  /* and folded */
    ks_buf scratch; /* match_header's */
} header_bufs;

/* Column i of the header row: kept as it is and folded, then matched to
 * its field (or listed as unknown). */
static int header_column(ks_header *out, const ks_csv_record *rec, size_t i, ks_decoder *dec,
                         const ks_mapping *map, const char *file, header_bufs *hb, ks_error *err)
{
    if (ks_header_fold_name(dec, rec->fields[i].data, rec->fields[i].len, &hb->raw, &hb->folded) < 0)
        return ks_error_set(err, KS_EDATA, "%s:%llu:%zu: header name is not valid text in this encoding", file,
                            (unsigned long long)rec->line, i + 1);
    out->raw[i] = ks_strndup(rec->fields[i].data, rec->fields[i].len);
    out->folded[i] = ks_strdup(hb->folded.buf);
    int f = match_header(hb->folded.buf, map, &hb->scratch);
    if (f < 0) {
        /* Header names are column titles, not case data: safe to report. */
        out->unknown = ks_realloc(out->unknown, ks_mul(out->nunknown + 2, sizeof *out->unknown));
        out->unknown[out->nunknown++] = ks_strdup(hb->raw.len ? hb->raw.buf : "(empty)");
        out->unknown[out->nunknown] = NULL;
        return 0;
    }
    if (out->col[f] >= 0)
        return ks_error_set(err, KS_EDATA, "%s:%llu:%zu: duplicate header: column %d already holds '%s'", file,
                            (unsigned long long)rec->line, i + 1, out->col[f] + 1, fields[f].name);
    out->col[f] = (int)i;
    return 0;
}

/* Every required column, and a way to link a person's cases. */
static int header_complete(const ks_header *out, const ks_csv_record *rec, const char *file, ks_error *err)
{
    for (int f = 0; f < KS_F_COUNT; f++)
        if (fields[f].required && out->col[f] < 0)
            return ks_error_set(err, KS_EDATA, "%s:%llu: missing required column '%s' (%s)", file,
                                (unsigned long long)rec->line, fields[f].name, fields[f].aliases[0]);
    if (out->col[KS_F_RESIDENT_ID] < 0 && out->col[KS_F_NAME] < 0)
        return ks_error_set(err, KS_EDATA, "%s:%llu: need a 'resident_id' (宛名番号) or a 'name' (氏名) column "
                            "to link a person's cases", file, (unsigned long long)rec->line);
    return 0;
}

int ks_header_parse(const ks_csv_record *rec, ks_decoder *dec, const ks_mapping *map,
                    const char *file, ks_header *out, ks_error *err)
{
    memset(out, 0, sizeof *out);
    for (int f = 0; f < KS_F_COUNT; f++)
        out->col[f] = -1;
    if (rec->dropped_fields) {
        /* the reader held only the first KS_CSV_MAX_FIELDS (csvread.h) */
        return ks_error_set(err, KS_EDATA, "%s:%llu: the header row has %llu columns; at most %d are supported "
                            "(no case-record export has that many: is this the right file?)", file,
                            (unsigned long long)rec->line,
                            (unsigned long long)(rec->nfields + rec->dropped_fields), KS_CSV_MAX_FIELDS);
    }
    header_bufs hb;
    ks_buf_init(&hb.raw);
    ks_buf_init(&hb.folded);
    ks_buf_init(&hb.scratch);
    int rc = 0;
    out->ncols = rec->nfields;
    /* kept to recognise the header when it comes again as a data row */
    out->raw = ks_calloc(rec->nfields ? rec->nfields : 1, sizeof *out->raw);
    out->folded = ks_calloc(rec->nfields ? rec->nfields : 1, sizeof *out->folded);
    for (size_t i = 0; i < rec->nfields && !rc; i++)
        rc = header_column(out, rec, i, dec, map, file, &hb, err);
    if (!rc)
        rc = header_complete(out, rec, file, err);
    if (rc)
        ks_header_release(out);
    ks_buf_release(&hb.raw);
    ks_buf_release(&hb.folded);
    ks_buf_release(&hb.scratch);
    return rc;
}
