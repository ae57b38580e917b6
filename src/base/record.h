/* record.h: one case record after decoding, normalisation and pseudonymisation
 * — the unit that flows from the reading thread to the loading thread.
 *
 * It is a fixed-size value with no pointers, so batches are plain arrays and
 * the row hash can be taken over its bytes (the struct is zeroed before it is
 * filled, padding included).  It holds no identifying value: identifiers are
 * already pseudonyms, the birth date is already an age. */
#ifndef KASANE_RECORD_H
#define KASANE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "pseudo.h"

enum {
    KS_MAX_PROBLEMS = 24, /* more than the contract's 22 codes: duplicates are folded */
    KS_MAX_SUPPORTS = 16,
    KS_MAX_PARTNERS = 32,
};

typedef struct ks_record {
    uint8_t case_ps[KS_PSEUDO_BYTES];      /* pseudonym of record_id */
    uint8_t person_ps[KS_PSEUDO_BYTES];    /* pseudonym of the person key */
    uint8_t household_ps[KS_PSEUDO_BYTES]; /* pseudonym of household_id, if has_household */
    uint8_t has_household;                 /* household_id was given */
    uint8_t age_years;                     /* at consult_date, 0..130 */
    uint8_t age_band;                      /* ks_age_band(age_years) */
    uint8_t sex;                           /* code id, 0 = empty */
    uint8_t household_type;                /* code id, 0 = empty */
    uint8_t intake_route;                  /* code id, 0 = empty */
    uint8_t consent;                       /* KS_CONSENT_YES / _NO */
    uint8_t meeting;                       /* code id, 0 = empty */
    uint8_t status;                        /* KS_STATUS_* */
    uint8_t outcome;                       /* code id, 0 = empty */
    uint8_t notes_present;                 /* the notes column held text */
    uint8_t n_problems, n_supports, n_partners; /* counts in the arrays below */
    uint8_t n_fields;                      /* distinct fields over problems and partners */
    uint8_t has_closed;                    /* closed_date was given */
    uint8_t has_intake_agency;             /* intake_agency was given */
    uint16_t district;                     /* profile district id */
    uint16_t intake_agency;                /* partner id; 0 = unlisted */
    ks_date consult;                       /* consult_date */
    ks_date closed;                        /* closed_date, if has_closed */
    uint8_t problems[KS_MAX_PROBLEMS];     /* problem ids in record order, distinct */
    uint8_t supports[KS_MAX_SUPPORTS];     /* support ids, distinct */
    uint16_t partners[KS_MAX_PARTNERS];    /* partner ids, distinct; 0 = unlisted */
} ks_record;

#endif
