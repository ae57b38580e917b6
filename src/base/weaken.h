/* weaken.h: switches that turn one protection off, for the attack tests only.
 *
 * Every attack in tests/attack/ must be shown to succeed against a build
 * without the protection it targets, or the test could not fail.  CMake
 * builds a second binary for that, kasane-weak, from the same sources with
 * KASANE_WEAKENABLE defined: there ks_weakened("name") is true when
 * $KASANE_WEAKEN lists `name` (comma-separated).  In the kasane binary (and
 * in the core library that the unit tests link) the macro is the constant
 * false, so the shipped program has no switch and the compiler drops the
 * weakened branches.
 *
 * Names in use (each attack script says which it needs):
 *   adhoc-columns   ad-hoc SQL decides "aggregate" from column names (the old runner)
 *   rowlevel-names  row level filters by view name instead of a filtered copy
 *   shadow          query files outside the library may shadow library names
 *   crosstab-tests  crosstab prints tests whatever its cells
 *   trend-stats     trend prints every series' statistics at full precision
 *   survival-links  survival's two tables are suppressed apart
 *   cooccur-bh      cooccur's BH runs over every pair, hidden or not
 *   logit-drop      logit drops small levels with their cases
 *   small-selection analyses accept a selection of fewer than k cases
 *   row-hash        the row hash is an unkeyed SipHash of the whole record, exact age included (a2100)
 *   day-selection   --from/--to are used to the day
 *   partners-nested partners prints nested counts whose differences are below k
 *   report-nested   the report's pair matrices print pairs whose 2x2 complements are below k
 *   report-trend    the report fits a trend to series with hidden months
 *   publish-links   ks_publish does not follow links between tables (the audit still runs: test_publish)
 *   adhoc-cellkey   ad-hoc aggregates are published by the database's method (suppression by default), not
 *                   always by the cell key method (cmd_query.c)
 *   analyze-cellkey analyses of a selection built from options keep the database's method (suppression by
 *                   default) instead of the cell key method (a2010-a2095: suppression's own protections)
 *   guide-bands     the guide publishes its published counts themselves instead of bands (a4020)
 *   guide-persons   the guide shows a cell whatever its number of distinct persons (a4020)
 *   rekey-pseudonyms  rekey records the new epoch but leaves the stored pseudonyms as they were (t0180)
 * A helper adding a name lists it here. */
#ifndef KASANE_WEAKEN_H
#define KASANE_WEAKEN_H

#include <stdbool.h>

#ifdef KASANE_WEAKENABLE
bool ks_weakened(const char *name);
#else
#define ks_weakened(name) ((void)(name), false)
#endif

#endif
