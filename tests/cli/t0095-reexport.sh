#!/usr/bin/env bash
# t0095-reexport: the data officer's month.  The whole case list exported
# again (most rows unchanged, some changed, some new) and imported into the
# database built from last month's file must give exactly the database a
# fresh import of the new file gives (case rows, the mask views, persons,
# households, the query library's results), apart from case and batch ids;
# every old case keeps its case_id; the summary counts each row right.
#
# Two re-exports of a generated file, made by bench/reimport.sh
# --make-reexport (which the benchmark uses too) and then varied here so
# that every kind of update the loader tells apart occurs (load.c,
# upd_variant): no indexed column (district), case_person's (status and
# closing date), case_household's (problems; the age band through the birth
# date), both (consultation date):
#   - 10% of the rows changed, 60 new rows;
#   - every row changed, 5,000 new rows: more index changes than the loader
#     lets go row by row (DROP_MIN), so case_person and case_household are
#     dropped during the import and built again before the commit;
#   - the 10% re-export with its records in reverse order: the loader's
#     guess that a row is the case after the one before (find_case) fails for
#     every row, and each is found through case_by_key.
. "$(dirname "$0")/lib.sh"

ROWS=3000
MAKE=$KASANE_SOURCE_DIR/bench/reimport.sh
gen --rows $ROWS --seed 95 -o in.csv
keygen key
expect_exit 0 "$KASANE" import -q --db base.db --key key in.csv
assert_eq "$(summary_get inserted)" $ROWS "rows of last month's database"

# vary FILE PCT: among the records the re-export changed (the same formula as
# bench/reimport.sh), every 4th gets one more change of another kind:
#   n % 4 == 0: consult_date := closed_date (both indexes), when closed
#   n % 4 == 1: problems := 介護 (case_household: problem_mask)
#   n % 4 == 2: birth_date := 1950-01-01 when the person has a resident id
#               (so the person stays the same; case_household: age band)
# (the re-export already closed ongoing cases: case_person).  The record
# stays changed whatever this does, since its district changed.
vary()
{
    awk -v pct="$2" '
    function take(line) {
        rec = (inrec ? rec "\n" : "") line
        inrec = 1
        quotes += gsub(/"/, "\"", line)
        return quotes % 2 == 0
    }
    function fields(    n, i, k, cur, q) {
        n = split(rec, p, ",")
        nf = 0; cur = ""; q = 0
        for (i = 1; i <= n; i++) {
            cur = (q % 2 ? cur "," : "") p[i]
            k = p[i]
            q += gsub(/"/, "\"", k)
            if (q % 2 == 0) { f[++nf] = cur; cur = ""; q = 0 }
        }
    }
    {
        if (!take($0))
            next
        fields()
        inrec = 0; quotes = 0
        n++
        if (n > 1 && substr(f[1], 1, 1) != "N" && (pct >= 100 || ((n - 1) * 7919 + 13) % 1000 < pct * 10)) {
            m = n % 4
            if (m == 0 && f[13] != "") { f[12] = f[13]; kinds["consult"]++ }
            if (m == 1) { f[16] = "介護"; kinds["problems"]++ }
            if (m == 2 && f[2] != "") { f[5] = "1950-01-01"; kinds["birth"]++ }
        }
        s = f[1]
        for (i = 2; i <= nf; i++) s = s "," f[i]
        print s
    }
    END { for (k in kinds) printf "%s %d\n", k, kinds[k] > "/dev/stderr" }' "$1" >"$1.tmp" 2>"$1.kinds"
    mv "$1.tmp" "$1"
}

# The analytic content of a database, without case_id, batch_id and
# anything else that names an import: case rows keyed by their pseudonym,
# the mask views by their case's pseudonym, persons, households, the indexes
# there are, and the query library's results.
content()
{
    local db=$1 q
    dump_table "$db" case_record case_id batch_id
    sql "$db" "
SELECT 'case_problem|' || hex(c.pseudonym) || '|' || v.problem_id || '|' || v.is_main FROM case_problem v JOIN case_record c USING(case_id) ORDER BY 1;
SELECT 'case_support|' || hex(c.pseudonym) || '|' || v.support_id FROM case_support v JOIN case_record c USING(case_id) ORDER BY 1;
SELECT 'case_partner|' || hex(c.pseudonym) || '|' || v.partner_id FROM case_partner v JOIN case_record c USING(case_id) ORDER BY 1;
SELECT 'index|' || name || '|' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name;"
    dump_table "$db" person
    dump_table "$db" household
    for q in "$KASANE_SOURCE_DIR"/queries/*.sql; do
        q=$(basename "$q" .sql)
        echo "query|$q"
        expect_exit 0 "$KASANE" query run "$q" --db "$db" --format csv
        tr -d '\r' <"$LAST_OUT"
    done
}

# reverse FILE: its data records in reverse order (CSV records, which may
# span lines).
reverse()
{
    awk '
    { rec = (inrec ? rec "\n" : "") $0; inrec = 1; line = $0; quotes += gsub(/"/, "\"", line) }
    quotes % 2 == 0 { r[n++] = rec; inrec = 0; quotes = 0 }
    END { print r[0]; for (i = n - 1; i > 0; i--) print r[i] }' "$1" >"$1.tmp"
    mv "$1.tmp" "$1"
}

# check NAME PCT NEW DROPPED [reverse]: makes the re-export NAME.csv, imports
# it into a copy of base.db and into a new database, and compares them.
check()
{
    local name=$1 pct=$2 new=$3 dropped=$4 order=${5:-} changed
    expect_exit 0 bash "$MAKE" --make-reexport "$KASANE_GEN" in.csv "$pct" "$new" $((95 + pct)) "$name.csv"
    changed=$(cat "$name.csv.changed")
    vary "$name.csv" "$pct"
    if [ "$order" = reverse ]; then
        reverse "$name.csv"
        head -n 1 in.csv | cmp -s - <(head -n 1 "$name.csv") || fail "$name: header moved"
    fi
    note "$name: $changed changed, $new new; varied: $(tr '\n' ' ' <"$name.csv.kinds")"
    [ "$(grep -c . "$name.csv.kinds")" = 3 ] || fail "$name: not every kind of variation occurred"
    if [ "$pct" = 100 ]; then
        assert_eq "$changed" $ROWS "$name: records changed"
    else
        assert_eq "$changed" $((ROWS * pct / 100)) "$name: records changed"
    fi

    cp base.db "$name.db"
    KASANE_TIMING=1 expect_exit 0 "$KASANE" import -q --db "$name.db" --key key "$name.csv"
    assert_eq "$(summary_get 'rows read')" $((ROWS + new)) "$name: rows read"
    assert_eq "$(summary_get inserted)" "$new" "$name: inserted"
    assert_eq "$(summary_get updated)" "$changed" "$name: updated"
    assert_eq "$(summary_get unchanged)" $((ROWS - changed)) "$name: unchanged"
    assert_eq "$(summary_get rejected)" 0 "$name: rejected"
    assert_file_contains "$LAST_ERR" "dropped for a rebuild: $dropped" "$name: indexes dropped and rebuilt"
    if [ "$order" = reverse ]; then # no row is the case after the one before it
        assert_file_contains "$LAST_ERR" "by the next case_id 0, by case_by_key $((ROWS + new))" "$name: lookups"
    else
        assert_file_contains "$LAST_ERR" "by the next case_id $ROWS, by case_by_key $new" "$name: lookups"
    fi
    assert_eq "$(sql "$name.db" "SELECT rows_inserted || '/' || rows_updated || '/' || rows_unchanged FROM import_batch
                                 WHERE batch_id = (SELECT max(batch_id) FROM import_batch)")" \
        "$new/$changed/$((ROWS - changed))" "$name: import_batch counters"
    assert_eq "$(sql "$name.db" 'PRAGMA integrity_check')" ok "$name: integrity_check"

    # every case of last month keeps its case_id; the new ones come after
    sql base.db "SELECT hex(pseudonym) || '|' || case_id FROM case_record ORDER BY 1" >"$name.ids0"
    sql "$name.db" "SELECT hex(pseudonym) || '|' || case_id FROM case_record WHERE case_id <= $ROWS ORDER BY 1" \
        >"$name.ids1"
    assert_same_file "$name.ids0" "$name.ids1" "$name: case ids of last month's cases"
    assert_eq "$(sql "$name.db" "SELECT count(*) || '/' || min(case_id) || '/' || max(case_id) FROM case_record
                                 WHERE case_id > $ROWS")" "$new/$((ROWS + 1))/$((ROWS + new))" "$name: new case ids"
    # the changed cases, and only they, carry the new batch
    assert_eq "$(sql "$name.db" "SELECT count(*) FROM case_record WHERE batch_id = (SELECT max(batch_id) FROM import_batch)")" \
        $((changed + new)) "$name: cases marked with the re-import's batch"

    expect_exit 0 "$KASANE" import -q --db "$name.fresh.db" --key key "$name.csv"
    assert_eq "$(summary_get inserted)" $((ROWS + new)) "$name: fresh import"
    content "$name.db" >"$name.re.txt"
    content "$name.fresh.db" >"$name.fresh.txt"
    # the dumps hold the data (an empty dump would compare equal)
    assert_eq "$(grep -c '^case_record|' "$name.re.txt")" $((ROWS + new)) "$name: case lines in the dump"
    assert_eq "$(grep -c '^index|' "$name.re.txt")" 3 "$name: indexes in the dump"
    [ "$(grep -c '^query|' "$name.re.txt")" -ge 20 ] || fail "$name: fewer than 20 library queries ran"
    assert_same_file "$name.re.txt" "$name.fresh.txt" "$name: re-import against a fresh import of the same file"

    # the database it replaced really differed (the comparison has teeth)
    content base.db >"$name.base.txt"
    cmp -s "$name.base.txt" "$name.re.txt" && fail "$name: the re-export changed nothing"
    return 0
}

check small 10 60 none
check all 100 5000 "case_person case_household"
check reversed 10 60 none reverse

pass
