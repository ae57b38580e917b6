/* profile.h: municipality profiles (districts, partner windows and agencies).
 *
 * Profiles are CSV files under datasets/profiles/<name>/ (districts.csv,
 * partners.csv and the optional windows.csv, see datasets/profiles/README.md) compiled into the binary by
 * tools/embed.c, so `kasane` needs no data directory at run time.  A profile
 * directory given as a path (--profile ./my-city/) is read from disk instead. */
#ifndef KASANE_PROFILE_H
#define KASANE_PROFILE_H

#include <stddef.h>

#include "util.h"
#include "window.h"

typedef struct ks_district {
    int id;           /* 1-based, in file order */
    char *name_ja;    /* "東部" */
    char *name_en;    /* "Tobu" (romanised) */
} ks_district;

typedef struct ks_partner {
    int id;           /* 1-based, in file order; 0 is reserved for "unlisted" */
    char *code;       /* short ASCII code, unique in the profile: "houkatsu" */
    char *name_ja;    /* "地域包括支援センター" */
    char *name_en;    /* "Community General Support Center" */
    int field;        /* KS_CODE_FIELD id */
    int kind;         /* KS_CODE_PARTNER_KIND id */
    char **aliases;   /* other names it is written as; NULL-terminated */
} ks_partner;

typedef struct ks_profile ks_profile;

/* Loads a built-in profile by name ("mitaka") or, when `name` contains a '/',
 * a directory.  NULL on failure with err set. */
ks_profile *ks_profile_load(const char *name, ks_error *err);
void ks_profile_free(ks_profile *p);

const char *ks_profile_name(const ks_profile *p);
const ks_district *ks_profile_districts(const ks_profile *p, size_t *n);
const ks_partner *ks_profile_partners(const ks_profile *p, size_t *n);

/* The records of windows.csv (window.h), in file order; none (n = 0) when
 * the profile has no windows.csv.  ks_profile_window gives the record of
 * partner `partner_id`, or NULL when it has none. */
const ks_window *ks_profile_windows(const ks_profile *p, size_t *n);
const ks_window *ks_profile_window(const ks_profile *p, int partner_id);

/* Lookups take values in ks_text_fold_label form; they match names, English
 * names, codes and aliases.  Return the id, or 0 when not found. */
int ks_profile_district(const ks_profile *p, const char *folded, size_t n);
int ks_profile_partner(const ks_profile *p, const char *folded, size_t n);

/* Names of the built-in profiles, NULL-terminated. */
const char *const *ks_profile_builtin_names(void);

#endif
