/* guide_write.h: the guide's machine-readable writers (issue 13) -- Open
 * Referral HSDS 3.0 JSON (guide_hsds.c; the layout is docs/hsds.md) and
 * CSV for Excel (guide_csv.c).  Both only format a ks_guide (guide.h):
 * bands, share classes and rounded rates, never a count.
 *
 * Ids: every HSDS object gets the UUIDv5 (uuid.h, kasane's namespace) of
 * a stable name built from the profile, the partner code and the
 * object's role ("kasane:mitaka:houkatsu:schedule:510-1035"), so two
 * builds from the same profile give the same ids.
 *
 * Errors: 0 or a negative KS_E* code with the message in err. */
#ifndef KASANE_GUIDE_WRITE_H
#define KASANE_GUIDE_WRITE_H

#include "guide.h"

/* Writes DIR/hsds/: index.json and, for services, organizations,
 * service_at_locations, taxonomies and taxonomy_terms, a list page
 * (NAME.json) and one file per object (NAME/<id>.json), as the HSDS 3.0
 * API's endpoints return them.  Creates DIR/hsds and its folders as
 * needed; removes <uuid>.json files of objects no longer in the guide. */
int ks_guide_write_hsds(const ks_guide *g, const char *dir, ks_error *err);

/* Writes one row per window (its record and its evidence) to path: UTF-8
 * with a BOM, CRLF line ends, RFC 4180 quoting; headers and labels in
 * lang ("ja" or "en"). */
int ks_guide_write_csv(const ks_guide *g, const char *path, const char *lang, ks_error *err);

/* The stable name's UUID: "kasane:<profile>:<code>[:<role>]" (role NULL or
 * "" for the window itself, the id guide.h's ks_guide_window.uuid holds). */
void ks_guide_window_uuid(const char *profile, const char *code, const char *role, char out[37]);

/* Shared wording of the writers (lang "ja" or "en"). */
/* (the weekly rules in words are hours.h's ks_hours_text) */
/* The holiday policy in a sentence (static). */
const char *ks_guide_holiday_text(ks_holiday_policy p, const char *lang);
/* The channels, "来所・電話・訪問". */
void ks_guide_channels_text(ks_buf *b, unsigned channels, const char *lang);
/* A window's evidence for a problem: "10〜19件、この課題の1〜3割、良い結果 55%（95%信頼区間 40〜70%）". */
void ks_guide_problem_text(const ks_guide *g, ks_buf *b, const ks_guide_problem *pr, const char *lang);

#endif
