/* output.h: the output options every printing command shares (--format,
 * --out, --lang, --bom, --comments; the command line's option spec and
 * --help for them are src/cli's), parsed here and only here (the report's
 * too); --format names a row of the writer table (write.h).  And
 * ks_output_table, for a command that prints one table: a result of that
 * table, published in one step (publish.h: disclosure control, the audit,
 * the writer).  Commands do not call suppress/render themselves. */
#ifndef KASANE_OUTPUT_H
#define KASANE_OUTPUT_H

#include <sqlite3.h>
#include <stdbool.h>

#include "lang.h"
#include "table.h"
#include "util.h"

typedef struct ks_output {
    const char *mode;     /* writer name (write.h), "table" by default */
    const char *out_path; /* --out FILE (atomic, 0600), NULL = stdout */
    bool bom;             /* csv: UTF-8 BOM */
    bool comments;        /* csv/tsv: footer as # lines */
    ks_lang lang;         /* labels */
} ks_output;

/* The options' ids (getopt_long's val) for ks_output_option. */
enum { KS_OPT_FORMAT = 1000, KS_OPT_OUT, KS_OPT_LANG, KS_OPT_BOM, KS_OPT_COMMENTS };

void ks_output_init(ks_output *o);
/* Handles one getopt result: 1 when it was an output option, 0 when not,
 * negative (usage) when its value is wrong. */
int ks_output_option(ks_output *o, int opt, const char *arg, ks_error *err);

/* Applies the database's policy (publish.h: by default the threshold's
 * primary, secondary and linked suppression) to an aggregate table, checks the result, adds the footer
 * (last import, k, suppressed cells, version, `excluded` note and `notes`)
 * and prints it.  A table with no count column is printed as it is (the
 * caller has already decided row-level output is allowed). */
int ks_output_table(const ks_output *o, sqlite3 *db, ks_table *t, const char *excluded,
                    const char *const *notes, size_t n_notes, ks_error *err);

/* The same for an ad-hoc aggregate (an analyst's own SQL): its counts go
 * through the cell key method whatever the database's method (publish.h,
 * ks_result_adhoc: suppress becomes cell key, both stays both), so every
 * count cell must carry its cell key (ks_table_set_key; a cell without one
 * is refused unless it is 0).  The footer names the method and the ptable's
 * SHA-256. */
int ks_output_table_adhoc(const ks_output *o, sqlite3 *db, ks_table *t, const char *excluded,
                          const char *const *notes, size_t n_notes, ks_error *err);

#endif
