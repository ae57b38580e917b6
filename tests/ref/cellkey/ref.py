#!/usr/bin/env python3
"""Standard-library re-implementation of ONSdigital/cell-key-perturbation.

Reference: https://github.com/ONSdigital/cell-key-perturbation (MIT licence,
file LICENSE), snapshot commit 6ea4686ba9d05b06a3a6c8048ea9fd101bd083c9
(2026-02-06, package version 3.1.0).  Line numbers below refer to that commit.

What this script does (no numpy, no pandas):

  1. Re-creates the package's test microdata generate_test_data()
     (cell_key_perturbation/utils/generate_test_data.py) bit for bit by
     emulating numpy's legacy RandomState (MT19937, np.random.seed(111)).
  2. Re-creates generate_ptable_10_5_rule() and checks it equals the shipped
     data_files/ptable_10_5_rule.csv.
  3. Re-implements create_perturbed_table() (create_perturbed_table.py
     lines 121-187) including pandas' pivot_table(dropna=False) grid.
  4. Reads sdcTools ptable exports (ptable::pt_export, TauArgus or SAS layout)
     and converts them to the ONS (pcv, ckey, pvalue) layout.
  5. Cross-checks against the expected outputs that ONS shipped in a docstring
     of generate_test_data.py (removed in commit f5e4ebc; copy in
     data/ons_generate_test_data_d8d6da5.py) and the example table in
     documentation/CellKeyPerturbation_Py.md.

Usage:  python3 ref.py [DIR]      # regenerate DIR/*.csv and run cross-checks

DIR defaults to the directory of this script (kasane: tests/ref/cellkey).
If DIR holds ONS's data_files/ptable_10_5_rule.csv (2 MB, not committed in
kasane) it is checked against generate_ptable_10_5_rule(); otherwise the
generator is used.  The two ~1.9 MB ptables ptable_diag.csv and
ptable_from_sdc_pt_ex_cnts.csv are written only when DIR/ptables-wanted
exists; their SHA-256 (of exactly the bytes written: kasane's canonical form)
is printed either way.
"""

import bisect
import csv
import hashlib
import itertools
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE


# ---------------------------------------------------------------------------
# 1. numpy legacy RandomState emulation
# ---------------------------------------------------------------------------
class LegacyRandomState:
    """np.random.seed(int) + randint/choice/random_sample, legacy stream.

    np.random.seed(s) with an int uses mt19937_seed (Knuth init_genrand),
    not init_by_array, so Python's random.seed() cannot be used directly;
    we compute the 624-word state and hand it to random.Random.setstate().
    Python's getrandbits(32) is genrand_int32 and random() is genrand_res53,
    the same formulas numpy uses for next_uint32 / next_double.
    """

    def __init__(self, seed):
        mt = [0] * 624
        mt[0] = seed & 0xFFFFFFFF
        for i in range(1, 624):
            mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & 0xFFFFFFFF
        self._r = random.Random()
        self._r.setstate((3, tuple(mt) + (624,), None))

    def _u32(self):
        return self._r.getrandbits(32)

    def random_sample(self, n):
        return [self._r.random() for _ in range(n)]

    def randint(self, low, high, n):
        """Legacy randint(low, high, size=n): masked rejection on 32-bit draws
        (numpy distributions.c random_bounded_uint64_fill, use_masked=True)."""
        rng = high - 1 - low
        if rng == 0:
            return [low] * n
        mask = rng
        for s in (1, 2, 4, 8, 16):
            mask |= mask >> s
        out = []
        for _ in range(n):
            while True:
                v = self._u32() & mask
                if v <= rng:
                    break
            out.append(low + v)
        return out

    def choice(self, a, n, p=None):
        """Legacy RandomState.choice(a, size=n, replace=True, p=p)."""
        if p is None:
            idx = self.randint(0, len(a), n)
        else:
            cdf = list(itertools.accumulate(float(x) for x in p))
            last = cdf[-1]
            cdf = [c / last for c in cdf]
            u = self.random_sample(n)
            idx = [bisect.bisect_right(cdf, x) for x in u]  # side='right'
        return [a[i] for i in idx]


def generate_test_data(size=1000, key_range=255, rkey_high=None):
    """generate_test_data.py lines 12-61 (commit 6ea4686).

    rkey_high overrides the exclusive upper bound of the record-key draw:
    the 2023 original (commit 42871b0) used np.random.randint(0, 255, size),
    i.e. rkey_high=255; today's code uses key_range + 1 = 256.
    Returns (columns, rows) with rows as lists.
    """
    rs = LegacyRandomState(111)
    if rkey_high is None:
        rkey_high = key_range + 1
    rk = rs.randint(0, rkey_high, size)
    p5 = [0.25, 0.35, 0.2, 0.1, 0.1]
    p4 = [0.25, 0.35, 0.2, 0.2]
    var1 = rs.choice([1, 2, 3, 4, 5], size, p5)
    var2 = rs.choice([1, 2], size, [0.5, 0.5])
    var3 = rs.choice([1, 2, 3, 4], size, p4)
    var4 = rs.choice([1, 2, 3, 4], size, p4)
    var5 = rs.choice(list(range(1, 11)), size,
                     [0.20, 0.15, 0.08, 0.15, 0.02, 0.025, 0.075, 0.1, 0.1, 0.1])
    var6 = rs.choice([1, 2, 3, 4, 5], size, p5)
    var7 = rs.choice([1, 2, 3, 4, 5], size, p5)
    var8 = rs.choice(["A", "B", "C", "D"], size)
    var9 = rs.choice(["A", "B", "C", "D", "E", "F", "G", "H"], size)
    var10 = rs.randint(1, 50, size)
    cols = ["record_key"] + ["var%d" % i for i in range(1, 11)]
    rows = [list(r) for r in zip(rk, var1, var2, var3, var4, var5, var6,
                                 var7, var8, var9, var10)]
    return cols, rows


# ---------------------------------------------------------------------------
# 2. ptables
# ---------------------------------------------------------------------------
def pvalue_10_5(pcv):
    """generate_test_ptable.py lines 38-61 (_calculate_pvalue)."""
    if pcv < 10:
        return -pcv
    return {0: 0, 1: -1, 2: -2, 3: 2, 4: 1}[pcv % 5]


def generate_ptable_10_5_rule(max_pcv=750, key_range=255):
    """generate_test_ptable.py lines 11-34: rows (pcv, ckey, pvalue),
    pcv 1..max_pcv outer, ckey 0..key_range inner."""
    return [(pcv, ck, pvalue_10_5(pcv))
            for pcv in range(1, max_pcv + 1) for ck in range(0, key_range + 1)]


def read_ons_ptable(path):
    """ONS layout: CSV with header pcv,ckey,pvalue (any order, quoted or not,
    CRLF allowed, extra columns ignored here).  Returns list of (pcv,ckey,pvalue)."""
    with open(path, newline="") as f:
        rd = csv.DictReader(f)
        return [(int(r["pcv"]), int(r["ckey"]), int(float(r["pvalue"])))
                for r in rd]


def read_sdc_ptable(path):
    """sdcTools ptable::pt_export() file (ptable >= 1.0: *.txt; 0.3.x: *.csv):
    write.table(format(pTable, digits=8), sep=";", dec=".", quote=FALSE,
    row.names=FALSE, col.names=TRUE).  format() pads fields with spaces.
    Counts layout: TauArgus -> i;j;p;v;p_int_ub   SAS -> i;j;p;v;p_int_lb;p_int_ub
    Returns {i: [(lb, ub, v), ...] in file order}."""
    rows = {}
    with open(path, newline="") as f:
        rd = csv.reader(f, delimiter=";")
        head = [h.strip() for h in next(rd)]
        ix = {h: k for k, h in enumerate(head)}
        for rec in rd:
            if not rec or all(not x.strip() for x in rec):
                continue
            rec = [x.strip() for x in rec]
            i = int(round(float(rec[ix["i"]])))
            v = int(round(float(rec[ix["v"]])))
            ub = float(rec[ix["p_int_ub"]])
            lst = rows.setdefault(i, [])
            if "p_int_lb" in ix:
                lb = float(rec[ix["p_int_lb"]])
            else:  # TauArgus layout: intervals are contiguous in file order
                lb = lst[-1][1] if lst else 0.0
            lst.append((lb, ub, v))
    return rows


def sdc_lookup(rows, cell_value, u):
    """cellKey R/cellkey_pkg.R lines 1356-1388 (lookup_freq): cell values
    1..max(i)-1 use their own block, >= max(i) use block max(i); value 0 gets 0;
    within the block the FIRST row (file order) with u < ub wins."""
    if cell_value <= 0:
        return 0
    imax = max(rows)
    blk = rows[min(cell_value, imax)]
    for lb, ub, v in blk:
        if u < ub:
            return v
    return blk[0][2]  # which.max(all FALSE) == 1; unreachable when last ub == 1


def sdc_to_ons(rows, key_range=255, max_pcv=750):
    """Convert an sdcTools count ptable to ONS rows for integer cell keys
    0..key_range: cell key c is read as the uniform number c/(key_range+1),
    which is exactly what cellKey computes when record keys are r/(key_range+1)."""
    m = key_range + 1
    return [(pcv, c, sdc_lookup(rows, pcv, c / m))
            for pcv in range(1, max_pcv + 1) for c in range(m)]


# ---------------------------------------------------------------------------
# 3. create_perturbed_table (pandas version, create_perturbed_table.py)
# ---------------------------------------------------------------------------
def _isna(x):
    return x is None or (isinstance(x, float) and x != x) or x == ""


def create_perturbed_table(cols, rows, ptable, geog, tab_vars, record_key,
                           threshold=10):
    """Faithful re-implementation of create_perturbed_table() (lines 121-187)
    for the pandas path.  The ons_id branch (lines 122-128: record key =
    ons_id % 4096) is not reproduced.  Returns (out_cols, out_rows); a
    suppressed count is None (pandas <NA>)."""
    keys = geog + tab_vars
    if not keys:
        raise ValueError("No variables for tabulation.")
    ki = [cols.index(k) for k in keys]
    ri = cols.index(record_key)

    # Step 1 (lines 134-138): groupby(keys).size(); groupby drops rows with a
    # missing value in any key (dropna=True default).
    counts, ksum = {}, {}
    for r in rows:
        key = tuple(r[i] for i in ki)
        if any(_isna(x) for x in key):
            continue
        counts[key] = counts.get(key, 0) + 1
        rk = r[ri]
        # Step 2 (lines 148-152): sum of record keys; NaN keys are skipped
        # (sum of an all-NaN cell is 0).
        ksum[key] = ksum.get(key, 0) + (0 if _isna(rk) else int(rk))

    # Lines 140-145: pivot_table(dropna=False, fill_value=0).  With >= 2 keys
    # pandas re-indexes to the cartesian product of the observed levels of each
    # key (sorted), so absent combinations appear with count 0.  With 1 key it
    # is the observed values only.  Rows come out sorted lexicographically.
    if len(keys) >= 2:
        levels = [sorted({k[j] for k in counts}) for j in range(len(keys))]
        grid = list(itertools.product(*levels))
    else:
        grid = sorted(counts)

    modulus = max(ck for (_, ck, _) in ptable) + 1          # line 154
    pt = {}
    for pcv, ck, pv in ptable:
        if (pcv, ck) in pt:
            raise ValueError("duplicate (pcv, ckey) in ptable: pandas would "
                             "duplicate output rows")
        pt[(pcv, ck)] = pv

    out = []
    for key in grid:
        n = counts.get(key, 0)
        # line 154 + 156-161: ckey = sum % (max ckey + 1); absent cell -> 0
        ckey = ksum[key] % modulus if key in ksum else 0
        # lines 164-169: pcv
        pcv = n if n <= 750 else ((n - 1) % 250) + 501
        # lines 172-176: left merge on (pcv, ckey); no match -> pvalue 0
        pvalue = pt.get((pcv, ckey), 0)
        # lines 179-185: count = pre_sdc_count + pvalue; < threshold -> NA
        c = n + pvalue
        if c < threshold:
            c = None
        out.append(list(key) + [n, ckey, pcv, pvalue, c])
    return keys + ["pre_sdc_count", "ckey", "pcv", "pvalue", "count"], out


# ---------------------------------------------------------------------------
# 4. I/O helpers and cross-checks
# ---------------------------------------------------------------------------
def write_csv(path, cols, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if x is None else x for x in r])


def write_big_ptable(path, rows):
    """Writes a ptable in the ONS layout only when DIR/ptables-wanted exists;
    prints the SHA-256 of its bytes (kasane's canonical form) either way."""
    text = "pcv,ckey,pvalue\n" + "".join("%d,%d,%d\n" % r for r in rows)
    print("sha256 %s %s" % (hashlib.sha256(text.encode()).hexdigest(),
                            os.path.basename(path)))
    if os.path.exists(os.path.join(DATA, "ptables-wanted")):
        with open(path, "w", newline="") as f:
            f.write(text)


def parse_ons_docstring_tables(path):
    """Parse the three 'should look like this' tables in the docstring of
    generate_test_data.py at commit d8d6da5 (removed by f5e4ebc)."""
    text = open(path).read()
    tables, cur = [], None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("var") and "rs_cv" in s:
            cur = {"cols": s.split(), "rows": []}
            tables.append(cur)
            continue
        if cur is None:
            continue
        parts = s.split()
        if len(parts) == len(cur["cols"]) + 1 and parts[0].isdigit():
            cur["rows"].append(parts[1:])
        elif s.startswith(".."):
            cur["rows"].append(None)  # elided rows
        elif parts and not parts[0].isdigit() and not s.startswith("["):
            if cur["rows"]:
                cur = None
    return tables


def compare(expected, got_rows, nkeys):
    """expected rows: [keys..., rs_cv, ckey, pcv, pvalue, count] (strings);
    counts were pre-threshold in 2023 (0 instead of NaN).  Compares every
    listed row (the third table elides rows 5..194: those are compared by
    position from the end)."""
    exp = expected["rows"]
    if None in exp:
        k = exp.index(None)
        head, tail = exp[:k], exp[k + 1:]
        pairs = list(zip(head, got_rows[:len(head)])) + \
            list(zip(tail, got_rows[len(got_rows) - len(tail):]))
    else:
        if len(exp) != len(got_rows):
            return False, "row count %d != %d" % (len(exp), len(got_rows))
        pairs = list(zip(exp, got_rows))
    for e, g in pairs:
        gk = [str(x) for x in g[:nkeys]]
        gnum = g[nkeys:nkeys + 4] + [g[nkeys] + g[nkeys + 3]]  # raw count
        enum = [int(x) for x in e[nkeys:]]
        if gk != e[:nkeys] or gnum != enum:
            return False, "mismatch: expected %s got %s" % (e, gk + gnum)
    return True, "%d rows equal" % len(pairs)


# p column of ptable::pt_ex_cnts()@pTable as asserted in tenderle/ptable
# tests/testthat/test-examples.R (create_cnt_ptable(D=2, V=1.05,
# mono=c(TRUE,TRUE,FALSE,TRUE), js=1)); rows i=0..4, j ascending, j=1 blocked.
PT_EX_CNTS_P = [1.00000000, 0.50833333, 0.47500000, 0.01666667, 0.16155827,
                0.55565037, 0.24246618, 0.04032518, 0.41231301, 0.28806097,
                0.18693903, 0.11268699, 0.07012498, 0.24450007, 0.37074990,
                0.24450007, 0.07012498]


def write_sdc_fixture():
    """Reconstruct pt_export() files (SAS and TauArgus layouts) of pt_ex_cnts.
    Intervals = cumulative p rounded to 8 digits; padding imitates R format().
    Reconstructed, not produced by R."""
    D, js = 2, 1
    ij = [(0, 0)] + [(i, j) for i in range(1, D + js + 2)
                     for j in range(max(i - D, 0), i + D + 1)
                     if not 1 <= j <= js]
    assert len(ij) == len(PT_EX_CNTS_P)
    recs, cum = [], {}
    for (i, j), p in zip(ij, PT_EX_CNTS_P):
        lb = cum.get(i, 0.0)
        ub = round(lb + p, 8)
        cum[i] = ub
        recs.append((i, j, round(ub - lb, 8), j - i, round(lb, 8), ub))

    def emit(path, cols, sel):
        fm = {"i": "%d", "j": "%d", "v": "%d"}
        strs = [[fm.get(c, "%.8f") % r[k] for c, k in zip(cols, sel)]
                for r in recs]
        w = [max(len(s[k]) for s in strs) for k in range(len(cols))]
        with open(path, "w") as f:
            f.write(";".join(cols) + "\n")
            for s in strs:
                f.write(";".join(x.rjust(w[k]) for k, x in enumerate(s)) + "\n")

    emit(os.path.join(DATA, "sdc_pt_ex_cnts_SAS.txt"),
         ["i", "j", "p", "v", "p_int_lb", "p_int_ub"], [0, 1, 2, 3, 4, 5])
    emit(os.path.join(DATA, "sdc_pt_ex_cnts_TauArgus.txt"),
         ["i", "j", "p", "v", "p_int_ub"], [0, 1, 2, 3, 5])


def edge_microdata():
    """Deterministic edge-case microdata (record keys from a fixed LCG)."""
    state = [12345]

    def key():
        state[0] = (state[0] * 1103515245 + 12345) % (1 << 31)
        return (state[0] >> 16) % 256

    plan = [("A", "x", 751), ("A", "y", 1001), ("B", "x", 3), ("C", "x", 1250),
            ("C", "y", 500), ("D", "y", 1000), ("D", "x", 12)]
    rows = []
    for area, grp, n in plan:
        for _ in range(n):
            rows.append([key(), area, grp])
    # (B, y) is absent: appears in the grid with count 0, ckey 0
    rows.append([key(), "", "x"])          # missing area: dropped
    rows.append([key(), "B", ""])          # missing grp: dropped
    rows.append(["", "D", "x"])            # missing record key: counted, key 0
    rows.append(["", "E", "x"])            # cell E/x: all keys missing -> ckey 0
    rows.append(["", "E", "x"])
    return ["record_key", "area", "grp"], rows


def main():
    os.makedirs(DATA, exist_ok=True)
    ok = True

    # ptable: generated vs shipped CSV
    gen_pt = generate_ptable_10_5_rule()
    csv_path = os.path.join(DATA, "ptable_10_5_rule.csv")
    if os.path.exists(csv_path):
        shipped = read_ons_ptable(csv_path)
        same = sorted(gen_pt) == sorted(shipped)
        print("ptable_10_5_rule.csv (%d rows) == generate_ptable_10_5_rule(): %s"
              % (len(shipped), same))
        ok &= same
    else:
        shipped = gen_pt
        print("ptable_10_5_rule.csv absent: using generate_ptable_10_5_rule()")
    write_big_ptable(os.path.join(DATA, "ptable_10_5_rule_canonical.csv"),
                     gen_pt)

    # microdata: today's generator (keys 0..255) and the 2023 one (0..254)
    cols, micro = generate_test_data()
    write_csv(os.path.join(DATA, "micro_seed111.csv"), cols, micro)
    cols23, micro23 = generate_test_data(rkey_high=255)
    write_csv(os.path.join(DATA, "micro_seed111_2023.csv"), cols23, micro23)
    print("micro_seed111.csv first rows:", micro[:3])

    # cross-check 1: 2023 expected outputs (docstring, threshold not yet applied)
    specs = [(["var1"], ["var2", "var3"]), (["var4"], ["var5"]),
             (["var1"], ["var5", "var8"])]
    tabs = parse_ons_docstring_tables(
        os.path.join(DATA, "ons_generate_test_data_d8d6da5.py"))
    for (g, t), exp in zip(specs, tabs):
        oc, orows = create_perturbed_table(cols23, micro23, shipped, g, t,
                                           "record_key", threshold=0)
        res, msg = compare(exp, orows, len(g + t))
        print("2023 docstring table %s x %s: %s (%s)"
              % (g, t, "OK" if res else "FAIL", msg))
        ok &= res

    # expected outputs for today's data, default threshold 10
    for g, t in specs:
        name = "_".join(g + t)
        oc, orows = create_perturbed_table(cols, micro, shipped, g, t,
                                           "record_key", threshold=10)
        write_csv(os.path.join(DATA, "expected_%s.csv" % name), oc, orows)
        print("wrote expected_%s.csv (%d cells)" % (name, len(orows)))
    # also the 2023 data set (matches the shipped docstring tables)
    for g, t in specs:
        name = "_".join(g + t)
        oc, orows = create_perturbed_table(cols23, micro23, shipped, g, t,
                                           "record_key", threshold=10)
        write_csv(os.path.join(DATA, "expected_2023_%s.csv" % name), oc, orows)

    # sdcTools-format ptable: convert + perturb with it (exercises ckey)
    sdc = os.path.join(DATA, "sdc_pt_ex_cnts_SAS.txt")
    write_sdc_fixture()
    if True:
        rows_sdc = read_sdc_ptable(sdc)
        ons_from_sdc = sdc_to_ons(rows_sdc)
        write_big_ptable(os.path.join(DATA, "ptable_from_sdc_pt_ex_cnts.csv"),
                         ons_from_sdc)
        rows_ta = read_sdc_ptable(os.path.join(DATA, "sdc_pt_ex_cnts_TauArgus.txt"))
        same = sdc_to_ons(rows_ta) == ons_from_sdc
        print("TauArgus and SAS layouts convert identically: %s" % same)
        ok &= same
        oc, orows = create_perturbed_table(cols, micro, ons_from_sdc,
                                           ["var1"], ["var5", "var8"],
                                           "record_key", threshold=0)
        write_csv(os.path.join(DATA, "expected_sdcptable_var1_var5_var8.csv"),
                  oc, orows)
        # the same cells via cellKey's float lookup with record keys r/256
        ok2 = all(sdc_lookup(rows_sdc, r[3], r[4] / 256.0) == r[6]
                  for r in orows)
        print("ONS-form lookup == cellKey-style float lookup: %s" % ok2)
        ok &= ok2

    # cross-check 2: example output in documentation/CellKeyPerturbation_Py.md
    # (lines 'Interpreting the Output'), today's data, threshold 10
    doc = [["1", "1", "A", 10, 173, 10, 0, 10], ["1", "1", "B", 10, 88, 10, 0, 10],
           ["1", "1", "C", 7, 180, 7, -7, None], ["1", "1", "D", 14, 66, 14, 1, 15],
           ["1", "2", "A", 11, 190, 11, -1, 10]]
    oc, orows = create_perturbed_table(cols, micro, shipped, ["var1"],
                                       ["var5", "var8"], "record_key")
    got = [[str(x) for x in r[:3]] + r[3:] for r in orows[:5]]
    res = got == doc
    print("doc example (CellKeyPerturbation_Py.md) first 5 rows: %s"
          % ("OK" if res else "FAIL %s" % got))
    ok &= res

    # diagnostic ptable: pvalue depends on pcv and ckey in a way that exposes
    # any error in either (the 10_5 ptable ignores ckey and is periodic mod 5,
    # so it cannot detect a wrong ckey or a wrong pcv rule above 750).
    diag = [(pcv, ck, ((pcv * 7 + ck * 3) % 5) - 2)
            for pcv in range(1, 751) for ck in range(256)]
    write_big_ptable(os.path.join(DATA, "ptable_diag.csv"), diag)
    for g, t in specs:
        name = "_".join(g + t)
        oc, orows = create_perturbed_table(cols, micro, diag, g, t,
                                           "record_key", threshold=10)
        write_csv(os.path.join(DATA, "expected_diag_%s.csv" % name), oc, orows)

    # edge-case microdata: cells above 750 (pcv wrap), an absent combination,
    # missing category values, missing record keys, a cell whose keys are all
    # missing; perturbed with the diagnostic ptable, thresholds 0 and 10.
    ecols, erows = edge_microdata()
    write_csv(os.path.join(DATA, "micro_edge.csv"), ecols, erows)
    for thr in (0, 10):
        oc, orows = create_perturbed_table(ecols, erows, diag, ["area"],
                                           ["grp"], "record_key", threshold=thr)
        write_csv(os.path.join(DATA, "expected_edge_diag_t%d.csv" % thr),
                  oc, orows)
    oc, orows = create_perturbed_table(ecols, erows, diag, [], ["area"],
                                       "record_key", threshold=10)
    write_csv(os.path.join(DATA, "expected_edge_diag_area_only.csv"), oc, orows)

    print("ALL CHECKS PASSED" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
