/* import_summary.c: the human-readable end of an import or validation. */
#include <stdio.h>
#include <stdlib.h>

#include "import.h"

enum { KS_UNKNOWN_COLUMNS_SHOWN = 10 }; /* unknown columns named in the summary */

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

void ks_import_print_rejects(FILE *out, const ks_import_stats *st)
{
    for (size_t i = 0; i < st->nfirst; i++) {
        const ks_reject *r = &st->first[i];
        char msg[160];
        fprintf(out, "%s:%llu:%d: %s%s%s: %s\n", st->first_file[i], (unsigned long long)r->line, r->column,
                r->field >= 0 ? ks_field_name((ks_field)r->field) : "", r->field >= 0 ? ": " : "",
                ks_reason_code(r->reason), ks_reject_message(r, msg, sizeof msg));
    }
    if (st->rejected > st->nfirst)
        fprintf(out, "... and %llu more rejected row(s)\n", (unsigned long long)(st->rejected - st->nfirst));
}

void ks_import_print_unlisted(FILE *out, const ks_import_stats *st)
{
    const ks_name_tally *t = &st->unlisted_names;
    if (t->n == 0)
        return;
    /* most frequent first; ties in first-seen order */
    size_t *order = ks_malloc(ks_mul(t->n, sizeof *order));
    for (size_t i = 0; i < t->n; i++) {
        size_t j = i;
        while (j > 0 && t->count[order[j - 1]] < t->count[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    fprintf(out, "unlisted partner names (shown here only, never stored):\n");
    for (size_t i = 0; i < t->n; i++)
        fprintf(out, "  %6llu  %s\n", (unsigned long long)t->count[order[i]], t->name[order[i]]);
    if (t->others)
        fprintf(out, "  %6llu  (more names than listed)\n", (unsigned long long)t->others);
    free(order);
}

void ks_import_print_summary(FILE *out, const ks_import_stats *st, int validating)
{
    uint64_t accepted = st->rows_read - st->rejected;
    fprintf(out, "  rows read          %llu\n", (unsigned long long)st->rows_read);
    if (validating) {
        fprintf(out, "  valid              %llu\n", (unsigned long long)accepted);
    } else {
        fprintf(out, "  inserted           %llu\n", (unsigned long long)st->inserted);
        fprintf(out, "  updated            %llu\n", (unsigned long long)st->updated);
        fprintf(out, "  unchanged          %llu\n", (unsigned long long)st->unchanged);
    }
    fprintf(out, "  rejected           %llu\n", (unsigned long long)st->rejected);
    for (int r = 0; r < KS_R_COUNT; r++)
        if (st->by_reason[r])
            fprintf(out, "    %-22s %llu\n", ks_reason_code((ks_reason)r), (unsigned long long)st->by_reason[r]);
    if (!validating) {
        fprintf(out, "  persons            %llu\n", (unsigned long long)st->persons);
        fprintf(out, "  households         %llu\n", (unsigned long long)st->households);
    }
    if (st->unlisted)
        fprintf(out, "  unlisted partners  %llu value(s), %llu distinct name(s): kept as 'unlisted'; "
                     "add them to the profile to count them by name\n",
                (unsigned long long)st->unlisted, (unsigned long long)st->unlisted_distinct);
    else
        fprintf(out, "  unlisted partners  0\n");
    fprintf(out, "  notes              present in %llu row(s); never stored\n", (unsigned long long)st->notes_rows);
    fprintf(out, "  unknown columns    ");
    if (st->nunknown_columns == 0)
        fprintf(out, "none\n");
    /* the first few by name, then only how many more: a file with
     * hundreds of extra columns must not make the summary one huge line */
    size_t shown = st->nunknown_columns < KS_UNKNOWN_COLUMNS_SHOWN ? st->nunknown_columns : KS_UNKNOWN_COLUMNS_SHOWN;
    for (size_t i = 0; i < shown; i++)
        fprintf(out, "%s%s", i ? ", " : "", st->unknown_columns[i]);
    if (st->nunknown_columns > shown)
        fprintf(out, " and %zu more", st->nunknown_columns - shown);
    if (st->nunknown_columns)
        fprintf(out, " (ignored, never stored)\n");

    fprintf(out, "data quality (share of accepted rows):\n  %-16s %7s %7s\n", "field", "empty", "不明");
    for (int f = 0; f < KS_F_COUNT; f++) {
        if (f == KS_F_NOTES || f == KS_F_NAME_KANA || f == KS_F_ADDRESS || f == KS_F_PHONE)
            continue; /* dropped fields: their emptiness says nothing about the data kept */
        uint64_t e = st->quality.empty[f], u = st->quality.unknown[f];
        if (f == KS_F_NAME || f == KS_F_RESIDENT_ID || f == KS_F_HOUSEHOLD_ID || e || u)
            fprintf(out, "  %-16s %6.1f%% %6.1f%%\n", ks_field_name((ks_field)f), pct(e, accepted), pct(u, accepted));
    }
    if (!validating && st->committed && st->inserted + st->updated == 0)
        fprintf(out, "no changes: every record was already in the database as it is in the input\n");
}
