# cellkey.sh: the cell key method redone outside kasane, for the tests that
# check published ad-hoc counts (sourced after lib.sh; not a test itself).
#
# ONS's rule (cell-key-perturbation, create_perturbed_table.py), with the
# record keys read from the database file by sqlite3 (table record_key) and
# the ptable read from kasane's default ptable file for k = 5
# (datasets/ptables/kasane-default-k5.csv): a count n of units whose record
# keys sum to s is published as
#     n + pvalue(pcv(n), s mod K),  pcv(n) = n for n <= 750, else ((n-1) mod 250) + 501,
# with pvalue 0 where the ptable has no row (n = 0 stays 0).  K (the key
# range) and D (the largest |pvalue|) are read from the file as well.  None
# of kasane's code is used: only the sqlite3 shell on the two files.

CK_PTABLE_CSV=$KASANE_SOURCE_DIR/datasets/ptables/kasane-default-k5.csv
CK_PTABLE_DB=$T/ck-ptable.db

# ck_load: the ptable file into $CK_PTABLE_DB; sets CK_RANGE (K), CK_D (D)
# and CK_SHA (the file's SHA-256, which kasane names in its footers).
ck_load()
{
    rm -f "$CK_PTABLE_DB"
    sqlite3 -batch -bail "$CK_PTABLE_DB" \
        "CREATE TABLE ptable(pcv INTEGER NOT NULL, ckey INTEGER NOT NULL, pvalue INTEGER NOT NULL, PRIMARY KEY(pcv, ckey))" \
        ".import --csv --skip 1 $CK_PTABLE_CSV ptable"
    CK_RANGE=$(sqlite3 -batch -bail "$CK_PTABLE_DB" "SELECT max(ckey) + 1 FROM ptable")
    CK_D=$(sqlite3 -batch -bail "$CK_PTABLE_DB" "SELECT max(abs(pvalue)) FROM ptable")
    CK_SHA=$(sha256sum "$CK_PTABLE_CSV" | cut -d' ' -f1)
    [ "$CK_RANGE" = 256 ] || fail "ck_load: the default ptable's key range is $CK_RANGE, not 256"
}

# ck_published DB GROUPS: GROUPS is a query on DB returning (grp, n, s): a
# group's label as kasane's CSV prints its dimensions ("d1,d2"), its count
# of distinct units and the sum of their record keys.  Prints "grp,published"
# for every group, sorted (LC_ALL=C).  A group published as 0 is left out,
# as kasane leaves such rows out of an ad-hoc table (publish.c,
# drop_zero_rows: the row would say "1 to k-1"), unless grp is empty (no
# dimension: the one row stays) or CK_KEEP_ZERO=1 (the groups behind a
# pivot's cells, which keep their zeros).
ck_published()
{
    sqlite3 -batch -bail "$1" "ATTACH '$CK_PTABLE_DB' AS pt;
        SELECT grp || ',' || v FROM (SELECT g.grp AS grp, g.n + coalesce((SELECT p.pvalue FROM pt.ptable p
                   WHERE p.pcv = CASE WHEN g.n <= 750 THEN g.n ELSE ((g.n - 1) % 250) + 501 END
                     AND p.ckey = g.s % $CK_RANGE), 0) AS v
        FROM ($2) AS g) WHERE v <> 0 OR grp = '' OR ${CK_KEEP_ZERO:-0}" | sort
}

# ck_csv_cells FILE: kasane's CSV output without its header, CR dropped, sorted.
ck_csv_cells()
{
    tr -d '\r' <"$1" | tail -n +2 | sort
}
