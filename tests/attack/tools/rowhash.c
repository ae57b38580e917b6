/* attack-rowhash: recovers exact ages from a database file, without its key,
 * through case_record.row_hash (the attack of tests/attack/a2100-row-hash.sh).
 *
 * Schema 1 and 2 stored SipHash-2-4 (128-bit) of the whole ks_record under
 * a constant key that is in the source: every field of the record but the
 * exact age and the order of its lists is in the row itself (pseudonyms,
 * codes, dates, masks, counts), and the band narrows the age to five values.
 * So for each case this rebuilds the record from its columns and tries each
 * age of its band (with `minor`, the one finer cut the file keeps) and each
 * order of the problems after the main one, the supports and the partners,
 * starting from code order and within a budget of hashes per case.  A match
 * of the 128-bit hash is the record: a wrong age matching has probability
 * 2^-128.  As a check that does not rest on the hash, the recovered ages of
 * one person's cases must move with the time between their consult dates.
 *
 * Usage: attack-rowhash DB
 * Prints "tried T skipped S recovered R consistent C of P" (T cases within
 * the budget, S over it, R with an age found, P pairs of one person's
 * recovered cases of which C agree with their dates) and exits 0; 2 on an
 * error. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "record.h"

enum { BUDGET = 200000 };

static int next_perm8(uint8_t *a, int n)
{
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (a[j] <= a[i])
        j--;
    uint8_t t = a[i];
    a[i] = a[j], a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--)
        t = a[l], a[l] = a[r], a[r] = t;
    return 1;
}

static int next_perm16(uint16_t *a, int n)
{
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (a[j] <= a[i])
        j--;
    uint16_t t = a[i];
    a[i] = a[j], a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--)
        t = a[l], a[l] = a[r], a[r] = t;
    return 1;
}

static double fact(int n)
{
    double f = 1;
    for (int i = 2; i <= n; i++)
        f *= i;
    return f;
}

static int bits(uint64_t m, int off, uint8_t *out8, uint16_t *out16, int skip)
{
    int n = 0;
    for (int i = 0; i < 64; i++)
        if (((m >> i) & 1) && i != skip) {
            if (out8)
                out8[off + n] = (uint8_t)i;
            else
                out16[off + n] = (uint16_t)i;
            n++;
        }
    return n;
}

static ks_date col_date(sqlite3_stmt *s, int i)
{
    ks_date d = {0};
    const char *t = (const char *)sqlite3_column_text(s, i);
    int y, m, dd;
    if (t && sscanf(t, "%d-%d-%d", &y, &m, &dd) == 3)
        d.y = (int16_t)y, d.m = (int8_t)m, d.d = (int8_t)dd;
    return d;
}

static void col_ps(sqlite3_stmt *s, int i, uint8_t *out)
{
    if (sqlite3_column_bytes(s, i) == 16)
        memcpy(out, sqlite3_column_blob(s, i), 16);
}

/* Tries every age and list order within the budget; the age, -1 when none
 * matched, -2 when the case is over the budget. */
static int search(ks_record *r, const uint8_t want[16], int lo, int hi, int minor)
{
    static const unsigned char fixed_key[crypto_shorthash_siphashx24_KEYBYTES] = "kasane row hash";
    int np = r->n_problems - 1, ns = r->n_supports, nq = r->n_partners;
    if (fact(np > 0 ? np : 0) * fact(ns) * fact(nq) * (hi - lo + 1) > BUDGET)
        return -2;
    uint8_t h[16];
    do {
        do {
            do {
                for (int a = lo; a <= hi; a++) {
                    if ((a < 18) != minor)
                        continue;
                    r->age_years = (uint8_t)a;
                    crypto_shorthash_siphashx24(h, (const unsigned char *)r, sizeof *r, fixed_key);
                    if (memcmp(h, want, 16) == 0)
                        return a;
                }
            } while (next_perm16(r->partners, nq));
        } while (next_perm8(r->supports, ns));
    } while (np > 1 && next_perm8(r->problems + 1, np));
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 2 || sodium_init() < 0) {
        fprintf(stderr, "usage: attack-rowhash DB\n");
        return 2;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    static const char sql[] =
        "SELECT c.pseudonym, p.pseudonym, h.pseudonym, c.household_id IS NOT NULL, c.age_band_id, b.age_min, "
        "coalesce(b.age_max, 130), c.minor, coalesce(c.sex_id, 0), coalesce(c.household_type_id, 0), "
        "coalesce(c.intake_route_id, 0), c.consent_id, coalesce(c.meeting_type_id, 0), c.status_id, "
        "coalesce(c.outcome_id, 0), c.notes_present, c.problem_count, c.support_count, c.partner_count, "
        "c.field_count, c.closed_date IS NOT NULL, c.intake_agency_id IS NOT NULL, c.district_id, "
        "coalesce(c.intake_agency_id, 0), c.consult_date, c.closed_date, c.main_problem_id, c.problem_mask, "
        "c.support_mask, c.partner_mask, c.row_hash, c.person_id, julianday(c.consult_date) "
        "FROM case_record c JOIN person p USING (person_id) LEFT JOIN household h USING (household_id) "
        "JOIN age_band b USING (age_band_id) ORDER BY c.person_id, c.consult_date";
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "attack-rowhash: %s\n", sqlite3_errmsg(db));
        return 2;
    }
    long tried = 0, skipped = 0, recovered = 0, pairs = 0, consistent = 0;
    long long last_person = -1;
    int last_age = -1;
    double last_day = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        ks_record r;
        memset(&r, 0, sizeof r);
        col_ps(s, 0, r.case_ps);
        col_ps(s, 1, r.person_ps);
        col_ps(s, 2, r.household_ps);
        r.has_household = (uint8_t)sqlite3_column_int(s, 3);
        r.age_band = (uint8_t)sqlite3_column_int(s, 4);
        int lo = sqlite3_column_int(s, 5), hi = sqlite3_column_int(s, 6), minor = sqlite3_column_int(s, 7);
        r.sex = (uint8_t)sqlite3_column_int(s, 8);
        r.household_type = (uint8_t)sqlite3_column_int(s, 9);
        r.intake_route = (uint8_t)sqlite3_column_int(s, 10);
        r.consent = (uint8_t)sqlite3_column_int(s, 11);
        r.meeting = (uint8_t)sqlite3_column_int(s, 12);
        r.status = (uint8_t)sqlite3_column_int(s, 13);
        r.outcome = (uint8_t)sqlite3_column_int(s, 14);
        r.notes_present = (uint8_t)sqlite3_column_int(s, 15);
        r.n_problems = (uint8_t)sqlite3_column_int(s, 16);
        r.n_supports = (uint8_t)sqlite3_column_int(s, 17);
        r.n_partners = (uint8_t)sqlite3_column_int(s, 18);
        r.n_fields = (uint8_t)sqlite3_column_int(s, 19);
        r.has_closed = (uint8_t)sqlite3_column_int(s, 20);
        r.has_intake_agency = (uint8_t)sqlite3_column_int(s, 21);
        r.district = (uint16_t)sqlite3_column_int(s, 22);
        r.intake_agency = (uint16_t)sqlite3_column_int(s, 23);
        r.consult = col_date(s, 24);
        if (r.has_closed)
            r.closed = col_date(s, 25);
        int main_problem = sqlite3_column_int(s, 26);
        r.problems[0] = (uint8_t)main_problem;
        int np = 1 + bits((uint64_t)sqlite3_column_int64(s, 27), 1, r.problems, NULL, main_problem);
        int ns = bits((uint64_t)sqlite3_column_int64(s, 28), 0, r.supports, NULL, -1);
        int nq = bits((uint64_t)sqlite3_column_int64(s, 29), 0, NULL, r.partners, -1);
        if (np != r.n_problems || ns != r.n_supports || nq != r.n_partners || sqlite3_column_bytes(s, 30) != 16)
            continue; /* not a row this attack can rebuild */
        uint8_t want[16];
        memcpy(want, sqlite3_column_blob(s, 30), 16);
        long long person = sqlite3_column_int64(s, 31);
        double day = sqlite3_column_double(s, 32);
        int age = search(&r, want, lo, hi, minor);
        if (age == -2) {
            skipped++;
            continue;
        }
        tried++;
        if (age < 0)
            continue;
        recovered++;
        /* one person's recovered ages move with the time between cases */
        if (person == last_person && last_age >= 0) {
            double years = (day - last_day) / 365.2425;
            double d = (age - last_age) - years;
            pairs++;
            consistent += d > -1.01 && d < 1.01;
        }
        last_person = person, last_age = age, last_day = day;
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    printf("tried %ld skipped %ld recovered %ld consistent %ld of %ld\n", tried, skipped, recovered, consistent,
           pairs);
    return 0;
}
