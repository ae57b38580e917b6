/* analysis.h: the read-only connections that queries, analyses and reports
 * read the database through (analysis.c). */
#ifndef KASANE_ANALYSIS_H
#define KASANE_ANALYSIS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "lang.h"
#include "rkey.h"
#include "util.h"

/* Opens the database for analysis: read-only, extension loading off, the
 * label()/fy()/good_outcome() functions, and an authorizer that allows reading only (no
 * writes, ATTACH, PRAGMA, temp tables, transactions).  Every case is there:
 * for analyses, reports and library aggregates.  consent_only must be false;
 * true is the old row-level filter by view names, kept only for kasane-weak
 * ("rowlevel-names"): it shadows the case tables with filtered temp views,
 * which a CTE of the same name walks around. */
int ks_analysis_open(const char *path, ks_lang lang, bool consent_only, int64_t *excluded, sqlite3 **out,
                     ks_error *err);

/* Opens the connection for everything ad hoc (outside queries, `query sql`,
 * row-level output): an in-memory database holding a copy, taken in one read
 * transaction, of the schema's tables and views with only the cases with
 * consent (consent_id = 1) and the persons and households they reference,
 * every code table, district, partner, age_band, meta, import_batch and
 * sdc_ptable (the ptable every footer names).  The pseudonym, case_key and
 * row_hash columns are not copied.  The file is detached afterwards and no
 * database can be attached, so rows without consent do not exist on this
 * connection whatever the SQL names.  Same functions, limits and authorizer
 * as ks_analysis_open.  *excluded (may be NULL) gets how many cases were
 * left out.
 *
 * The record keys (rkey.h) are not copied: SQL on this connection can
 * never read them.  *keys (keys may be NULL: not wanted) gets them instead,
 * loaded in C from the same read transaction as the copy (so every unit of
 * the copy has its key), for the cell key method of ad-hoc aggregates
 * (query.h); NULL when the file has no record_key table (schema 3 read as
 * it is).  The caller frees them with ks_rkeys_free. */
int ks_analysis_open_adhoc(const char *path, ks_lang lang, int64_t *excluded, ks_rkeys **keys, sqlite3 **out,
                           ks_error *err);

#endif
