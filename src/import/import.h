/* import.h: the import pipeline.
 *
 *   read (csvread) -> decode (encoding) -> normalise + pseudonymise (row)
 *        -> load (load, SQLite)
 *
 * Data flows one way.  Reading, decoding and normalising run on one thread
 * and loading into SQLite on another, handing over fixed-size batches of
 * ks_record.  Pseudonymisation sits between them and either thread does it
 * (import.c): the folded identifiers travel in a batch's ks_idents until
 * they are hashed, then are wiped, so they are in both threads' memory —
 * never on disk, never in SQLite.  One import (all input files of one
 * invocation) is one SQLite transaction. */
#ifndef KASANE_IMPORT_H
#define KASANE_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "csvread.h"
#include "dupcheck.h"
#include "encoding.h"
#include "profile.h"
#include "pseudo.h"
#include "record.h"
#include "util.h"

/* The contract's fields, in contract order. */
typedef enum ks_field {
    KS_F_RECORD_ID, KS_F_RESIDENT_ID, KS_F_NAME, KS_F_NAME_KANA, KS_F_BIRTH_DATE,
    KS_F_ADDRESS, KS_F_PHONE, KS_F_HOUSEHOLD_ID, KS_F_SEX, KS_F_HOUSEHOLD_TYPE,
    KS_F_DISTRICT, KS_F_CONSULT_DATE, KS_F_CLOSED_DATE, KS_F_INTAKE_ROUTE,
    KS_F_INTAKE_AGENCY, KS_F_PROBLEMS, KS_F_SUPPORTS, KS_F_PARTNERS, KS_F_CONSENT,
    KS_F_MEETING, KS_F_STATUS, KS_F_OUTCOME, KS_F_NOTES,
    KS_F_COUNT
} ks_field;

const char *ks_field_name(ks_field f); /* "record_id" ... */

/* Why a row was rejected.  The code names are stable: rejects reports and
 * tests use them. */
typedef enum ks_reason {
    KS_R_COLUMN_COUNT,        /* column_count */
    KS_R_ENCODING,            /* invalid_encoding */
    KS_R_NUL_BYTE,            /* nul_byte */
    KS_R_FIELD_TOO_LONG,      /* field_too_long */
    KS_R_MISSING,             /* missing_required */
    KS_R_DATE_FORMAT,         /* bad_date_format */
    KS_R_DATE_IMPOSSIBLE,     /* impossible_date */
    KS_R_DATE_ERA,            /* era_out_of_range */
    KS_R_DATE_YEAR,           /* year_out_of_range */
    KS_R_CLOSED_BEFORE_OPENED,/* closed_before_opened */
    KS_R_BORN_AFTER_CONSULTED,/* born_after_consulted */
    KS_R_AGE_IMPLAUSIBLE,     /* implausible_age */
    KS_R_UNKNOWN_CODE,        /* unknown_code */
    KS_R_UNKNOWN_DISTRICT,    /* unknown_district */
    KS_R_TOO_MANY_VALUES,     /* too_many_values */
    KS_R_NO_PERSON_KEY,       /* missing_person_key */
    KS_R_DUPLICATE_RECORD,    /* duplicate_record */
    KS_R_TOO_MANY_FIELDS,     /* too_many_fields: more than KS_CSV_MAX_FIELDS */
    KS_R_HEADER_REPEATED,     /* header_repeated: a data row equal to the header */
    KS_R_COUNT
} ks_reason;

const char *ks_reason_code(ks_reason r);
const char *ks_reason_message(ks_reason r);

typedef struct ks_reject {
    uint64_t line;     /* physical line of the record */
    int column;        /* 1-based column, 0 when the whole row is meant */
    int field;         /* ks_field, or -1 */
    ks_reason reason;  /* why */
    uint64_t expected; /* column_count, too_many_fields: fields the header has */
    uint64_t found;    /* column_count, too_many_fields: fields the record has */
} ks_reject;

/* The message for one reject: ks_reason_message, or for column_count and
 * too_many_fields one that says how many fields were expected and found.
 * Written into buf (size bytes) and returned.  Never holds an input value. */
const char *ks_reject_message(const ks_reject *r, char *buf, size_t size);

/* ---- header ---- */

/* A city's own header names: a CSV file of "their header,field" lines. */
typedef struct ks_mapping ks_mapping;
ks_mapping *ks_mapping_load(const char *path, ks_error *err);
void ks_mapping_free(ks_mapping *m);

typedef struct ks_header {
    int col[KS_F_COUNT];  /* 0-based column of each field, -1 when absent */
    size_t ncols;         /* columns in the header row */
    char **unknown;       /* header names matching no field (NUL-terminated list) */
    size_t nunknown;      /* entries in unknown */
    char **raw;           /* each column's name as its bytes in the file (ncols entries) */
    char **folded;        /* each column's name decoded and label-folded (ncols entries) */
} ks_header;

/* Matches a decoded header row against the aliases (and the mapping, if any).
 * File-level errors (-KS_EDATA): duplicate header, missing required column,
 * neither resident_id nor name present. */
int ks_header_parse(const ks_csv_record *rec, ks_decoder *dec, const ks_mapping *map,
                    const char *file, ks_header *out, ks_error *err);
void ks_header_release(ks_header *h);

/* Decodes a header name (or a value compared with one) and folds it the way
 * header names are matched (ks_text_fold_label) into out; scratch holds the
 * decoded text.  Both are reset first.  Returns 0 or -KS_EDATA. */
int ks_header_fold_name(ks_decoder *dec, const char *s, size_t len, ks_buf *scratch, ks_buf *out);

/* ---- normalisation ---- */

/* Per-field data-quality counters over accepted rows. */
typedef struct ks_quality {
    uint64_t empty[KS_F_COUNT];   /* value empty */
    uint64_t unknown[KS_F_COUNT]; /* value was 不明/unknown */
} ks_quality;

/* Unlisted partner names and how often each came, kept only when asked for
 * (kasane import --list-unlisted): in memory, printed to the terminal. */
typedef struct ks_name_tally {
    char **name;      /* distinct names, in first-seen order */
    uint64_t *count;  /* occurrences of each */
    size_t n;         /* distinct names held (at most KS_TALLY_MAX) */
    uint64_t others;  /* occurrences of names beyond KS_TALLY_MAX */
} ks_name_tally;

enum { KS_TALLY_MAX = 1000 };

void ks_name_tally_add(ks_name_tally *t, const char *name);
void ks_name_tally_release(ks_name_tally *t);

typedef struct ks_normaliser ks_normaliser;

/* key may be NULL (validation only: pseudonyms are left zero).  dups
 * (borrowed, may be NULL) follows record ids across the files of one import,
 * so that a record_id seen before is rejected as duplicate_record. */
ks_normaliser *ks_normaliser_new(const ks_header *h, ks_decoder *dec, const ks_key *key,
                                 const ks_profile *prof, ks_dupcheck *dups);
/* Also tally unlisted partner names of accepted rows into t (borrowed). */
void ks_normaliser_tally(ks_normaliser *n, ks_name_tally *t);
void ks_normaliser_free(ks_normaliser *n);

/* Returns 0 and fills *out, or 1 and fills *rej.  With ids NULL the
 * pseudonyms are computed here (if the normaliser has a key); otherwise the
 * folded identifiers go to *ids (emptied first) and out's pseudonyms stay
 * zero until ks_idents_pseudonymise fills them. */
int ks_normalise(ks_normaliser *n, const ks_csv_record *rec, size_t oversize_field,
                 ks_record *out, ks_idents *ids, ks_reject *rej);

const ks_quality *ks_normaliser_quality(const ks_normaliser *n);
/* Occurrences of partner names not in the profile, and how many distinct. */
uint64_t ks_normaliser_unlisted(const ks_normaliser *n, uint64_t *distinct);
/* Adds the hashes of its distinct unlisted names to into (so that the files
 * of one import count a name once). */
void ks_normaliser_unlisted_names(const ks_normaliser *n, ks_u64set *into);

/* ---- the whole import ---- */

typedef struct ks_import_opts {
    const char *db_path;       /* NULL for validation only */
    const ks_key *key;         /* NULL for validation only */
    const ks_profile *profile;
    ks_encoding encoding;      /* KS_ENC_AUTO to detect */
    const ks_mapping *mapping; /* may be NULL */
    bool strict;               /* any rejected row aborts the whole import */
    const char *rejects_path;  /* rejects report (CSV, mode 0600); NULL: none */
    bool progress;             /* progress line on stderr */
    bool list_unlisted;        /* keep unlisted partner names for the terminal */
    size_t max_field;          /* bytes; 0 = default (1 MiB) */
} ks_import_opts;

typedef struct ks_import_stats {
    uint64_t rows_read;                  /* data rows (header excluded) */
    uint64_t inserted, updated, unchanged, rejected;
    uint64_t by_reason[KS_R_COUNT];      /* rejected rows per reason */
    uint64_t persons, households;        /* distinct, among accepted rows */
    uint64_t unlisted, unlisted_distinct;/* partner values not in the profile */
    ks_name_tally unlisted_names;        /* their names, with opts.list_unlisted */
    uint64_t notes_rows;                 /* rows whose notes column held text (not stored) */
    size_t nunknown_columns;             /* header names ignored, over all files */
    char **unknown_columns;              /* their names (NUL-terminated list) */
    ks_quality quality;                  /* over accepted rows */
    ks_reject first[20];                 /* the first rejects, for the terminal */
    const char *first_file[20];          /* their files (borrowed from the caller's list) */
    size_t nfirst;                       /* used entries of first */
    int64_t batch_id;                    /* import_batch row, 0 when validating */
    char encoding[16];                   /* of the last file */
    bool committed;                      /* the transaction was committed */
} ks_import_stats;

void ks_import_stats_release(ks_import_stats *s);

/* Imports (or validates, when opts->db_path is NULL) the files.  Returns 0
 * when it committed (rows may still have been rejected: see stats), negative
 * on failure — in which case the database is exactly as it was. */
int ks_import(const ks_import_opts *opts, const char *const *files, size_t nfiles,
              ks_import_stats *stats, ks_error *err);

/* Human-readable summary (stdout) and the first rejects (stderr). */
void ks_import_print_summary(FILE *out, const ks_import_stats *st, int validating);
void ks_import_print_rejects(FILE *out, const ks_import_stats *st);
/* The unlisted partner names (with opts.list_unlisted), most frequent first. */
void ks_import_print_unlisted(FILE *out, const ks_import_stats *st);

#endif
