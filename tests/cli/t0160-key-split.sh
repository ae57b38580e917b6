#!/usr/bin/env bash
# t0160-key-split: split custody of the key (docs/keys.md).  A key split 2 of
# 3 joins back from any two shares to the same key, which a database made
# with the original key accepts; one share is too few (status 2); a share
# with one character changed is located by its line checksum (status 1);
# shares of another key are refused (status 2); join never overwrites (3).
# v1 shares made before v2 existed still join (tests/data/shares-v1).  After
# `kasane rekey` the new key (a chain) splits into v2 shares that join to
# it, and the rekeyed database takes it; the old sheets join to the old key,
# which the database refuses as retired; the two sets never mix.
. "$(dirname "$0")/lib.sh"

umask 000 # kasane must not rely on the caller's umask

gen --rows 200 --seed 160 -o in.csv
expect_exit 0 "$KASANE" keygen -o key
fp=$(awk '$1 == "fingerprint" { print $2 }' "$LAST_OUT")
DB=$T/cases.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key in.csv

expect_exit 0 "$KASANE" key split -t 2 -n 3 --key key --out-prefix "$T/s"
assert_file_contains "$LAST_OUT" "$fp" "split names the fingerprint"
for i in 1 2 3; do
    [ -f "s$i.txt" ] || fail "share $i not written"
    assert_eq "$(mode "s$i.txt")" 600 "mode of share $i"
    assert_eq "$(head -1 "s$i.txt")" "kasane key share v1" "share $i header"
    assert_file_contains "s$i.txt" "fingerprint: $fp" "share $i fingerprint"
    assert_file_contains "s$i.txt" "share: $i of 3 (any 2 reconstruct)" "share $i label"
    # the key is not in a share in any form
    assert_file_lacks "s$i.txt" "$(od -An -tx1 key | tr -d ' \n')" "share $i (hex of the key)"
    assert_file_lacks "s$i.txt" "$(base32 -w0 key | tr -d =)" "share $i (base32 of the key)"
done
# never overwrites a share
expect_exit 3 "$KASANE" key split -t 2 -n 3 --key key --out-prefix "$T/s"
assert_file_contains "$LAST_ERR" "already exists" "second split"

# any two, in either order, give the same key; the database accepts it
for pair in "1 2" "1 3" "2 3" "3 1"; do
    set -- $pair
    out=joined-$1$2.key
    expect_exit 0 "$KASANE" key join "s$1.txt" "s$2.txt" -o "$out"
    assert_eq "$(awk '$1 == "fingerprint" { print $2 }' "$LAST_OUT")" "$fp" "fingerprint of join $pair"
    assert_eq "$(mode "$out")" 600 "mode of the joined key"
    assert_same_file "$out" key "join $pair"
done
gen --rows 50 --seed 161 -o more.csv
expect_exit 0 "$KASANE" import -q --db "$DB" --key joined-23.key more.csv
# all three together, and one from stdin
expect_exit 0 "$KASANE" key join s2.txt - s3.txt -o joined-all.key <s1.txt
assert_same_file joined-all.key key "join of all three"

# the output is never overwritten
expect_exit 3 "$KASANE" key join s1.txt s2.txt -o key
assert_file_contains "$LAST_ERR" "already exists" "join onto the key"

# one share is too few: a usage error (status 2), nothing written
expect_exit 2 "$KASANE" key join s2.txt -o one.key
assert_file_contains "$LAST_ERR" "1 share given, 2 needed" "join of one share"
[ ! -e one.key ] || fail "join of one share wrote a key"
# the same share twice is still one share
expect_exit 2 "$KASANE" key join s2.txt s2.txt -o twice.key
assert_file_contains "$LAST_ERR" "given twice" "the same share twice"

# one character changed on share line 04 (the 8th line of the file): located
awk 'NR == 8 { c = substr($2, 1, 1); $2 = (c == "A" ? "B" : "A") substr($2, 2) } { print }' s1.txt >typo.txt
assert_eq "$( (diff s1.txt typo.txt || true) | grep -c '^>')" 1 "typo.txt differs in one line"
expect_exit 1 "$KASANE" key join typo.txt s2.txt -o typo.key
assert_file_contains "$LAST_ERR" "typo.txt:8: share line 04 does not match its checksum" "mistyped line"
[ ! -e typo.key ] || fail "a mistyped share wrote a key"
# lower case and other spacing are fine
tr 'A-Z' 'a-z' <s3.txt | sed '/^[0-9]/s/ \+/   /g; s/^fingerprint: /fingerprint:    /' >lower.txt
expect_exit 0 "$KASANE" key join lower.txt s1.txt -o lower.key
assert_same_file lower.key key "join of a lower-case share"

# shares of another key do not mix
expect_exit 0 "$KASANE" keygen -o other.key
expect_exit 0 "$KASANE" key split -t 2 -n 3 --key other.key
expect_exit 2 "$KASANE" key join s1.txt other.key-share-2.txt -o mixed.key
assert_file_contains "$LAST_ERR" "different keys" "shares of two keys"
# nor do two splits of the same key (another W): the authentication fails
expect_exit 0 "$KASANE" key split -t 2 -n 3 --key key --out-prefix "$T/again"
expect_exit 3 "$KASANE" key join s1.txt again2.txt -o again.key
assert_file_contains "$LAST_ERR" "the shares do not reconstruct the key: one is wrong or altered" "two splits"
[ ! -e again.key ] || fail "a failed join wrote a key"

# shares made by kasane before v2 (tests/data/shares-v1) still join, to the
# key they were made of (its fingerprint checked with Python's hashlib)
V1=$KASANE_SOURCE_DIR/tests/data/shares-v1
for pair in "1 2" "3 1"; do
    set -- $pair
    expect_exit 0 "$KASANE" key join "$V1/share-$1.txt" "$V1/share-$2.txt" -o "v1-$1$2.key"
    assert_eq "$(awk '$1 == "fingerprint" { print $2 }' "$LAST_OUT")" 04ab435f40c9d6915815a95a1f189616 \
        "fingerprint of the v1 fixture's join $pair"
    assert_same_file "v1-$1$2.key" "$V1/key" "v1 fixture, join $pair"
done

# ---- a key chain (kasane rekey): v2 shares
# The database moves to key1, a chain of 2 epochs (key's and a new one).
expect_exit 0 "$KASANE" rekey --old key --new key1 --db "$DB"
fp1=$(awk '$1 == "rekeyed" { print $NF }' "$LAST_OUT")
assert_eq "$(sql "$DB" "SELECT value FROM meta WHERE key = 'key_fingerprint'")" "$fp1" "the database's new key"
[ "$fp1" != "$fp" ] || fail "rekey kept the fingerprint"
expect_exit 0 "$KASANE" key split -t 2 -n 3 --key key1 --out-prefix "$T/c"
assert_file_contains "$LAST_OUT" "split key chain 'key1' (fingerprint $fp1, 2 epochs)" "split of the chain"
for i in 1 2 3; do
    assert_eq "$(mode "c$i.txt")" 600 "mode of chain share $i"
    assert_eq "$(sed -n 1p "c$i.txt")" "kasane key share v2" "chain share $i header"
    assert_eq "$(sed -n 2p "c$i.txt")" "fingerprint: $fp1" "chain share $i fingerprint"
    assert_eq "$(sed -n 3p "c$i.txt")" "share: $i of 3 (any 2 reconstruct)" "chain share $i label"
    assert_eq "$(sed -n 4p "c$i.txt")" "epochs: 2" "chain share $i epochs"
    # 76 + 1 + (16 + 1 + 2 * 32 + 16) + 16 = 190 bytes, 304 base32 characters: 16 lines
    assert_eq "$(grep -c '^[0-9][0-9]  ' "c$i.txt")" 16 "lines of chain share $i"
    assert_file_lacks "c$i.txt" "$(od -An -tx1 -j49 -N32 key1 | tr -d ' \n' | tr a-f A-F)" "chain share $i (hex)"
done
for pair in "1 2" "3 1" "2 3"; do
    set -- $pair
    out=chain-$1$2.key
    expect_exit 0 "$KASANE" key join "c$1.txt" "c$2.txt" -o "$out"
    assert_eq "$(awk '$1 == "fingerprint" { print $2 }' "$LAST_OUT")" "$fp1" "fingerprint of chain join $pair"
    assert_file_contains "$LAST_OUT" "a key chain of 2 epochs" "chain join $pair"
    assert_eq "$(mode "$out")" 600 "mode of the joined chain"
    assert_same_file "$out" key1 "chain join $pair"
done
# the rekeyed database takes the joined chain, and its pseudonyms link: the
# last file imported, again, is unchanged row for row
expect_exit 0 "$KASANE" import --db "$DB" --key chain-31.key more.csv
assert_eq "$(summary_get unchanged)" 50 "re-import with the joined chain"
assert_eq "$(summary_get inserted)" 0 "re-import with the joined chain"
# one share of the chain is too few
expect_exit 2 "$KASANE" key join c2.txt -o one-chain.key
assert_file_contains "$LAST_ERR" "1 share given, 2 needed" "join of one chain share"
# the old key's sheets join to the old key, which the database refuses as retired
expect_exit 0 "$KASANE" key join s1.txt s3.txt -o old.key
assert_same_file old.key key "join of the old sheets"
expect_exit 3 "$KASANE" import -q --db "$DB" --key old.key more.csv
assert_file_contains "$LAST_ERR" "is epoch 0 of this database, retired by 'kasane rekey'" "import with the old sheets' key"
# sheets of the old key and of the chain never mix (the old key is the
# chain's epoch 0, but the fingerprints differ)
expect_exit 2 "$KASANE" key join s1.txt c2.txt -o mixed-chain.key
assert_file_contains "$LAST_ERR" "different keys (fingerprints $fp and $fp1)" "old and chain sheets"
expect_exit 2 "$KASANE" key join c3.txt s2.txt -o mixed-chain.key
assert_file_contains "$LAST_ERR" "different keys" "chain and old sheets"
[ ! -e mixed-chain.key ] || fail "a mixed join wrote a key"
# a wrong 'epochs:' line: the share's length does not fit (status 1)
sed 's/^epochs: 2$/epochs: 3/' c1.txt >epochs.txt
expect_exit 1 "$KASANE" key join epochs.txt c2.txt -o epochs.key
assert_file_contains "$LAST_ERR" "is 'epochs: 3' in the header right?" "a wrong epochs line"
# a mistyped character on a chain share is located like on v1
awk 'NR == 16 { c = substr($2, 1, 1); $2 = (c == "A" ? "B" : "A") substr($2, 2) } { print }' c2.txt >ctypo.txt
expect_exit 1 "$KASANE" key join ctypo.txt c1.txt -o ctypo.key
assert_file_contains "$LAST_ERR" "ctypo.txt:16: share line 11 does not match its checksum" "mistyped chain line"
[ ! -e epochs.key ] && [ ! -e ctypo.key ] || fail "a bad chain share wrote a key"

# usage
expect_exit 2 "$KASANE" key split -t 3 -n 2 --key key
expect_exit 2 "$KASANE" key split -t 1 -n 3 --key key
expect_exit 2 "$KASANE" key
expect_exit 0 "$KASANE" key --help
assert_file_contains "$LAST_OUT" "kasane key join SHARE... -o FILE" "--help"
note "ok"
