/* test_pseudo.c: key files, subkeys, pseudonyms and the key fingerprint.
 *
 * The known-answer values for the key 00 01 02 .. 1f were computed outside
 * libsodium, with Python 3's hashlib (its own BLAKE2b), following libsodium's
 * documented crypto_kdf_derive_from_key construction (BLAKE2b-256 of the empty
 * message, keyed by the master key, salt = subkey id as 8 bytes little endian
 * + 8 zero bytes, personal = context + 8 zero bytes):
 *
 *   import hashlib, struct
 *   key = bytes(range(32))
 *   def sub(kind):
 *       return hashlib.blake2b(b'', digest_size=32, key=key,
 *           salt=struct.pack('<Q', kind) + bytes(8), person=b'kasane01' + bytes(8)).digest()
 *   hashlib.blake2b(b'A-0001', digest_size=16, key=sub(1)).hexdigest()
 *   hashlib.blake2b(b'kasane key fingerprint v1', digest_size=32, key=key).digest()[:16].hex()
 *   struct.unpack('<q', pseudonym[:8])[0]
 *
 * The key chain's values (test_chain) likewise, with epoch 1's key 20 21 ..
 * 3f and epoch 2's 40 41 .. 5f, the step subkeys under context 'kasaneR1':
 *
 *   def sub_ctx(key, kind, ctx):
 *       return hashlib.blake2b(b'', digest_size=32, key=key,
 *           salt=struct.pack('<Q', kind) + bytes(8), person=ctx + bytes(8)).digest()
 *   p1 = hashlib.blake2b(p0, digest_size=16, key=sub_ctx(k1, 1, b'kasaneR1')).digest()
 *   body = b'kasane-keychain\x01' + bytes([2]) + k0 + k1
 *   hashlib.blake2b(body, digest_size=16).digest()   # the file's last 16 bytes
 */
#include "pseudo.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "test.h"

static ks_buf tmpdir; /* this test's scratch directory */

static void make_tmpdir(void) { ks_test_scratch_tmpdir("test_pseudo", &tmpdir); }

static char *tmp_path(const char *name)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%s/%s", tmpdir.buf, name);
    return ks_buf_detach(&b, NULL);
}

/* Writes a key file with the given bytes and mode. */
static char *write_key(const char *name, const unsigned char *bytes, size_t n, mode_t mode)
{
    char *path = tmp_path(name);
    unlink(path);
    FILE *f = fopen(path, "wb");
    KS_CHECK(f != NULL);
    if (f) {
        fwrite(bytes, 1, n, f);
        fclose(f);
    }
    KS_CHECK(chmod(path, mode) == 0);
    return path;
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static void pseudo_hex(const ks_key *k, ks_id_kind kind, const char *id, char out[33])
{
    uint8_t p[KS_PSEUDO_BYTES];
    ks_pseudo(k, kind, id, strlen(id), p);
    to_hex(p, sizeof p, out);
}

static void test_generate(void)
{
    char *path = tmp_path("gen.key");
    char fp[KS_FINGERPRINT_HEX] = "";
    ks_error err = {0};
    unlink(path);
    /* A umask that would leave the owner without read: the file must still
     * come out 0600. */
    mode_t old = umask(0277);
    KS_CHECK_INT(ks_key_generate(path, fp, &err), 0);
    umask(old);
    struct stat st;
    KS_CHECK(stat(path, &st) == 0);
    KS_CHECK_INT(st.st_mode & 07777, 0600);
    KS_CHECK_INT(st.st_size, 32);
    KS_CHECK_INT(strlen(fp), 32);
    KS_CHECK_INT(strspn(fp, "0123456789abcdef"), 32);

    ks_key *k = ks_key_load(path, &err);
    KS_CHECK(k != NULL);
    if (k) {
        KS_CHECK_STR(ks_key_fingerprint(k), fp);
        ks_key_free(k);
    }

    /* Never overwritten. */
    unsigned char before[32], after[32];
    FILE *f = fopen(path, "rb");
    KS_CHECK(f && fread(before, 1, 32, f) == 32);
    if (f)
        fclose(f);
    char fp2[KS_FINGERPRINT_HEX] = "";
    KS_CHECK_INT(ks_key_generate(path, fp2, &err), -KS_ESAFETY);
    KS_CHECK(strstr(err.msg, "already exists") != NULL);
    f = fopen(path, "rb");
    KS_CHECK(f && fread(after, 1, 32, f) == 32);
    if (f)
        fclose(f);
    KS_CHECK(memcmp(before, after, 32) == 0);

    /* Two keys are different keys. */
    char *path2 = tmp_path("gen2.key");
    unlink(path2);
    KS_CHECK_INT(ks_key_generate(path2, fp2, &err), 0);
    KS_CHECK(strcmp(fp, fp2) != 0);

    /* A directory that does not exist: the user's path is wrong (a usage
     * error, exit 2), nothing left behind. */
    char *bad = tmp_path("no/such/dir.key");
    err.code = 0;
    KS_CHECK_INT(ks_key_generate(bad, fp2, &err), -KS_EUSAGE);
    KS_CHECK_INT(err.code, KS_EUSAGE);
    unlink(path);
    unlink(path2);
    free(path);
    free(path2);
    free(bad);
}

static void expect_refused(const char *path, const char *needle1, const char *needle2)
{
    ks_error err = {0};
    ks_key *k = ks_key_load(path, &err);
    KS_CHECK(k == NULL);
    ks_key_free(k);
    KS_CHECK_INT(err.code, KS_ESAFETY);
    if (!strstr(err.msg, needle1) || !strstr(err.msg, needle2))
        fprintf(stderr, "unexpected message: %s\n", err.msg);
    KS_CHECK(strstr(err.msg, needle1) != NULL);
    KS_CHECK(strstr(err.msg, needle2) != NULL);
}

static void test_load_checks(void)
{
    unsigned char bytes[33] = {0};
    char *p;

    p = write_key("g.key", bytes, 32, 0640);
    ks_buf hint;
    ks_buf_init(&hint);
    ks_buf_addf(&hint, "; run: chmod 600 %s", p); /* the path has no shell specials */
    expect_refused(p, "readable by group or others", hint.buf);
    ks_buf_release(&hint);
    free(p);
    p = write_key("o.key", bytes, 32, 0604);
    expect_refused(p, "readable by group or others", "chmod 600");
    free(p);
    p = write_key("w.key", bytes, 32, 0620);
    expect_refused(p, "writable by group or others", "chmod 600");
    free(p);
    p = write_key("short.key", bytes, 31, 0600);
    expect_refused(p, "must hold exactly 32 bytes", "kasane keygen -o FILE");
    free(p);
    p = write_key("long.key", bytes, 33, 0600);
    expect_refused(p, "must hold exactly 32 bytes", "kasane keygen -o FILE");
    free(p);
    p = write_key("empty.key", bytes, 0, 0600);
    expect_refused(p, "must hold exactly 32 bytes", "(it holds 0)");
    free(p);

    p = tmp_path("dir.key");
    rmdir(p);
    KS_CHECK(mkdir(p, 0700) == 0);
    expect_refused(p, "not a regular file", "dir.key");
    rmdir(p);
    free(p);

    /* A name with a space gets a hint that a shell reads back as one word. */
    p = write_key("my key", bytes, 32, 0644);
    expect_refused(p, "chmod 600 '", "my key'");
    free(p);

    ks_error err = {0};
    p = tmp_path("missing.key");
    unlink(p);
    KS_CHECK(ks_key_load(p, &err) == NULL);
    KS_CHECK_INT(err.code, KS_EUSAGE); /* exit 2, with the keygen hint */
    KS_CHECK(strstr(err.msg, "kasane keygen") != NULL);
    free(p);

    p = write_key("ok.key", bytes, 32, 0600);
    ks_key *k = ks_key_load(p, &err);
    KS_CHECK(k != NULL);
    ks_key_free(k);
    ks_key_free(NULL); /* allowed */
    free(p);
}

static void test_known_answer(void)
{
    unsigned char kb[32];
    for (int i = 0; i < 32; i++)
        kb[i] = (unsigned char)i;
    char *path = write_key("kat.key", kb, 32, 0600);
    ks_error err = {0};
    ks_key *k = ks_key_load(path, &err);
    KS_CHECK(k != NULL);
    if (!k) {
        free(path);
        return;
    }
    char hex[33];
    /* Values from Python's hashlib (see the top of the file). */
    KS_CHECK_STR(ks_key_fingerprint(k), "bdac23fe9f61a53521fb91d1dfd1348e");
    pseudo_hex(k, KS_ID_CASE, "A-0001", hex);
    KS_CHECK_STR(hex, "e8de8aa0e03c5e479605cb4502c8ca29");
    pseudo_hex(k, KS_ID_PERSON, "ヤマダタロウ|1970-01-02", hex);
    KS_CHECK_STR(hex, "858f0b462be9dc8b07d4b7d76e29dd9e");
    pseudo_hex(k, KS_ID_HOUSEHOLD, "A-0001", hex);
    KS_CHECK_STR(hex, "87bb65b83f014e83b74aa67af747c29e");
    pseudo_hex(k, KS_ID_CASE, "", hex);
    KS_CHECK_STR(hex, "831d300467d33d3a8b54206dbce05360");

    uint8_t p[KS_PSEUDO_BYTES];
    ks_pseudo(k, KS_ID_CASE, "A-0001", 6, p);
    KS_CHECK_INT(ks_pseudo_rowid(p), 5142614759967481576LL);
    ks_pseudo(k, KS_ID_PERSON, "ヤマダタロウ|1970-01-02", strlen("ヤマダタロウ|1970-01-02"), p);
    KS_CHECK_INT(ks_pseudo_rowid(p), -8368557635493195899LL);

    /* The same construction spelled out with libsodium's documented calls. */
    unsigned char sub[32];
    uint8_t want[KS_PSEUDO_BYTES];
    KS_CHECK_INT(crypto_kdf_derive_from_key(sub, sizeof sub, 3, "kasane01", kb), 0);
    crypto_generichash(want, sizeof want, (const unsigned char *)"A-0001", 6, sub, sizeof sub);
    ks_pseudo(k, KS_ID_HOUSEHOLD, "A-0001", 6, p);
    KS_CHECK(memcmp(p, want, sizeof p) == 0);
    sodium_memzero(sub, sizeof sub);

    ks_key_free(k);
    free(path);
}

static void test_properties(void)
{
    unsigned char k1b[32], k2b[32];
    for (int i = 0; i < 32; i++) {
        k1b[i] = (unsigned char)(0xa0 + i);
        k2b[i] = (unsigned char)(0xa0 + i);
    }
    k2b[31] ^= 1; /* one bit apart */
    char *p1 = write_key("p1.key", k1b, 32, 0600), *p2 = write_key("p2.key", k2b, 32, 0600);
    ks_error err = {0};
    ks_key *k1 = ks_key_load(p1, &err), *k1again = ks_key_load(p1, &err);
    ks_key *k2 = ks_key_load(p2, &err);
    KS_CHECK(k1 && k1again && k2);
    if (k1 && k1again && k2) {
        char a[33], b[33];
        pseudo_hex(k1, KS_ID_CASE, "12345", a);
        pseudo_hex(k1again, KS_ID_CASE, "12345", b);
        KS_CHECK_STR(a, b); /* same key, kind, input */
        pseudo_hex(k1, KS_ID_PERSON, "12345", b);
        KS_CHECK(strcmp(a, b) != 0); /* another kind */
        pseudo_hex(k1, KS_ID_HOUSEHOLD, "12345", b);
        KS_CHECK(strcmp(a, b) != 0);
        pseudo_hex(k2, KS_ID_CASE, "12345", b);
        KS_CHECK(strcmp(a, b) != 0); /* another key */
        pseudo_hex(k1, KS_ID_CASE, "12346", b);
        KS_CHECK(strcmp(a, b) != 0); /* another input */

        KS_CHECK_STR(ks_key_fingerprint(k1), ks_key_fingerprint(k1again));
        KS_CHECK(strcmp(ks_key_fingerprint(k1), ks_key_fingerprint(k2)) != 0);
        KS_CHECK_INT(strlen(ks_key_fingerprint(k1)), 32);
        /* The fingerprint is not a pseudonym of anything obvious. */
        char hk[65];
        to_hex(k1b, 32, hk);
        KS_CHECK(strncmp(hk, ks_key_fingerprint(k1), 32) != 0);
    }
    ks_key_free(k1);
    ks_key_free(k1again);
    ks_key_free(k2);
    free(p1);
    free(p2);
}

/* The deferred pseudonymisation gives exactly ks_pseudo of each part, and
 * leaves no identifier behind; the duplicate finder is SipHash under its own
 * kdf subkey (spelled out with libsodium's documented calls). */
static void test_idents(void)
{
    unsigned char kb[32];
    for (int i = 0; i < 32; i++)
        kb[i] = (unsigned char)(7 * i + 3);
    char *path = write_key("i.key", kb, 32, 0600);
    ks_error err = {0};
    ks_key *k = ks_key_load(path, &err);
    KS_CHECK(k != NULL);
    if (k) {
        ks_idents ids = {0};
        static const char rec[] = "A-0001", person[] = "n\x1f" "ヤマダタロウ\x1f" "1970-01-02", hh[] = "H-77";
        ks_buf_adds(&ids.buf, rec);
        ks_buf_adds(&ids.buf, person);
        ks_buf_adds(&ids.buf, hh);
        ids.len[0] = sizeof rec - 1;
        ids.len[1] = sizeof person - 1;
        ids.len[2] = sizeof hh - 1;
        uint8_t c[KS_PSEUDO_BYTES], pp[KS_PSEUDO_BYTES], h[KS_PSEUDO_BYTES], want[KS_PSEUDO_BYTES];
        memset(h, 0xee, sizeof h);
        char *buf = ids.buf.buf;
        size_t used = ids.buf.len;
        ks_idents_pseudonymise(k, &ids, c, pp, h);
        ks_pseudo(k, KS_ID_CASE, rec, sizeof rec - 1, want);
        KS_CHECK(memcmp(c, want, sizeof c) == 0);
        ks_pseudo(k, KS_ID_PERSON, person, sizeof person - 1, want);
        KS_CHECK(memcmp(pp, want, sizeof pp) == 0);
        ks_pseudo(k, KS_ID_HOUSEHOLD, hh, sizeof hh - 1, want);
        KS_CHECK(memcmp(h, want, sizeof h) == 0);
        KS_CHECK_INT(ids.buf.len, 0);
        KS_CHECK(ids.len[0] == 0 && ids.len[1] == 0 && ids.len[2] == 0);
        size_t nonzero = 0;
        for (size_t i = 0; i < used; i++)
            nonzero += buf[i] != 0;
        KS_CHECK_INT(nonzero, 0); /* wiped, not just forgotten */

        /* no household: its output is left alone */
        ks_buf_adds(&ids.buf, rec);
        ks_buf_adds(&ids.buf, person);
        ids.len[0] = sizeof rec - 1;
        ids.len[1] = sizeof person - 1;
        memset(h, 0xee, sizeof h);
        ks_idents_pseudonymise(k, &ids, c, pp, h);
        ks_pseudo(k, KS_ID_PERSON, person, sizeof person - 1, want);
        KS_CHECK(memcmp(pp, want, sizeof pp) == 0);
        KS_CHECK(h[0] == 0xee && h[15] == 0xee);
        ks_idents_release(&ids);
        KS_CHECK(ids.buf.cap == 0 && ids.buf.len == 0); /* freed */

        unsigned char sub[crypto_shorthash_KEYBYTES], sh[crypto_shorthash_BYTES];
        KS_CHECK_INT(crypto_kdf_derive_from_key(sub, sizeof sub, 100, "kasane01", kb), 0);
        crypto_shorthash(sh, (const unsigned char *)rec, sizeof rec - 1, sub);
        uint64_t w;
        memcpy(&w, sh, sizeof w);
        KS_CHECK(ks_pseudo_dupkey(k, rec, sizeof rec - 1) == w);
        KS_CHECK(ks_pseudo_dupkey(k, "A-0002", 6) != w);
        KS_CHECK(ks_pseudo_dupkey(NULL, rec, sizeof rec - 1) != w); /* the keyless stand-in differs */
        KS_CHECK(ks_pseudo_dupkey(NULL, rec, sizeof rec - 1) == ks_pseudo_dupkey(NULL, rec, sizeof rec - 1));
        sodium_memzero(sub, sizeof sub);
    }
    ks_key_free(k);
    free(path);
}

static void test_rowid(void)
{
    uint8_t p[KS_PSEUDO_BYTES] = {0};
    p[0] = 1;
    KS_CHECK_INT(ks_pseudo_rowid(p), 1);
    memset(p, 0, sizeof p);
    p[7] = 0x80;
    KS_CHECK(ks_pseudo_rowid(p) == INT64_MIN);
    memset(p, 0xff, sizeof p);
    KS_CHECK_INT(ks_pseudo_rowid(p), -1);
    static const uint8_t q[KS_PSEUDO_BYTES] = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
                                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    KS_CHECK_INT(ks_pseudo_rowid(q), 0x1122334455667788LL);
}

/* A key chain file of epochs 0..n-1 with keys i*32 .. i*32+31 (the values
 * of the comment at the top), its checksum computed here by the format's
 * definition (pseudo.h), and one byte optionally flipped. */
static char *write_chain(const char *name, int n, int flip)
{
    unsigned char b[KS_KEY_FILE_MAX];
    size_t len = 0;
    memcpy(b, "kasane-keychain\1", 16);
    len = 16;
    b[len++] = (unsigned char)n;
    for (int i = 0; i < 32 * n; i++)
        b[len++] = (unsigned char)i;
    crypto_generichash(b + len, 16, b, len, NULL, 0);
    len += 16;
    if (flip >= 0)
        b[flip] ^= 1;
    return write_key(name, b, len, 0600);
}

static void test_chain(void)
{
    ks_error err = {0};
    char *path = write_chain("chain2.key", 2, -1), hex[33];
    ks_key *k = ks_key_load(path, &err);
    KS_CHECK(k != NULL);
    if (!k) {
        fprintf(stderr, "chain: %s\n", err.msg);
        free(path);
        return;
    }
    KS_CHECK_INT(ks_key_epochs(k), 2);
    /* the chain's fingerprint is its newest epoch's; each epoch has its own */
    KS_CHECK_STR(ks_key_fingerprint(k), "3a83e11f0e20c8ef7398d0fd29e61dda");
    KS_CHECK_STR(ks_key_epoch_fingerprint(k, 0), "bdac23fe9f61a53521fb91d1dfd1348e");
    KS_CHECK_STR(ks_key_epoch_fingerprint(k, 1), "3a83e11f0e20c8ef7398d0fd29e61dda");
    /* an import under the chain: epoch 0's pseudonym, then epoch 1's step */
    pseudo_hex(k, KS_ID_CASE, "A-0001", hex);
    KS_CHECK_STR(hex, "c43510f9d131d6b33f84ee0c2813d08e");
    uint8_t p[KS_PSEUDO_BYTES];
    ks_pseudo(k, KS_ID_PERSON, "ヤマダタロウ|1970-01-02", strlen("ヤマダタロウ|1970-01-02"), p);
    to_hex(p, sizeof p, hex);
    KS_CHECK_STR(hex, "618f3ad38a78cfb8bcd88514dff895c7");
    KS_CHECK_INT(ks_pseudo_rowid(p), -5129748912907055263LL);
    /* a rekey: the step on the stored epoch 0 pseudonym gives the same */
    static const uint8_t p0[KS_PSEUDO_BYTES] = {0xe8, 0xde, 0x8a, 0xa0, 0xe0, 0x3c, 0x5e, 0x47,
                                                0x96, 0x05, 0xcb, 0x45, 0x02, 0xc8, 0xca, 0x29};
    uint8_t q[KS_PSEUDO_BYTES];
    ks_pseudo_step(k, KS_ID_CASE, p0, q);
    to_hex(q, sizeof q, hex);
    KS_CHECK_STR(hex, "c43510f9d131d6b33f84ee0c2813d08e");

    /* written back byte for byte, and loaded again to the same key */
    uint8_t bytes[KS_KEY_FILE_MAX];
    size_t n = ks_key_serialise(k, bytes);
    KS_CHECK_INT((long long)n, 16 + 1 + 64 + 16);
    char want[2 * 16 + 1];
    to_hex(bytes + n - 16, 16, want);
    KS_CHECK_STR(want, "612b7eaf056a627498bafe37fdc1190a");
    ks_key *back = ks_key_parse(bytes, n, "bytes", &err);
    KS_CHECK(back != NULL && strcmp(ks_key_fingerprint(back), ks_key_fingerprint(k)) == 0);
    ks_key_free(back);

    /* extended: epoch 2 is random, epochs 0 and 1 are kept, and the step of
     * the extension carries an epoch 1 pseudonym to what the extension
     * computes from the identifier */
    ks_key *x = ks_key_extend(k, &err);
    KS_CHECK(x != NULL);
    if (x) {
        KS_CHECK_INT(ks_key_epochs(x), 3);
        KS_CHECK_STR(ks_key_epoch_fingerprint(x, 1), "3a83e11f0e20c8ef7398d0fd29e61dda");
        KS_CHECK(strcmp(ks_key_fingerprint(x), ks_key_fingerprint(k)) != 0);
        uint8_t r[KS_PSEUDO_BYTES], s2[KS_PSEUDO_BYTES];
        ks_pseudo_step(x, KS_ID_PERSON, p, r);
        ks_pseudo(x, KS_ID_PERSON, "ヤマダタロウ|1970-01-02", strlen("ヤマダタロウ|1970-01-02"), s2);
        KS_CHECK(memcmp(r, s2, sizeof r) == 0);
        KS_CHECK(memcmp(r, p, sizeof r) != 0);
        /* x is k and one epoch more; not the other way, not k itself, not
         * one epoch further, not an extension of another key */
        KS_CHECK_INT(ks_key_extends(x, k), 1);
        KS_CHECK_INT(ks_key_extends(k, x), 0);
        KS_CHECK_INT(ks_key_extends(k, k), 0);
        ks_key *x2 = ks_key_extend(x, &err), *other = ks_key_extend(x, &err);
        ks_key *beyond = other ? ks_key_extend(other, &err) : NULL;
        KS_CHECK(x2 && other && beyond);
        if (x2 && beyond) {
            KS_CHECK_INT(ks_key_extends(x2, k), 0);
            KS_CHECK_INT(ks_key_extends(x2, x), 1);
            /* one epoch longer than x2, but over another newest epoch */
            KS_CHECK_INT(ks_key_extends(beyond, x2), 0);
            KS_CHECK_INT(ks_key_extends(beyond, other), 1);
        }
        ks_key_free(x2);
        ks_key_free(other);
        ks_key_free(beyond);
        char *xp = tmp_path("chain3.key");
        unlink(xp);
        KS_CHECK_INT(ks_key_write_new(xp, x, &err), 0);
        KS_CHECK_INT(ks_key_write_new(xp, x, &err), -KS_ESAFETY); /* never over a file */
        struct stat st;
        KS_CHECK(stat(xp, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 16 + 1 + 96 + 16);
        ks_key *y = ks_key_load(xp, &err);
        KS_CHECK(y != NULL && strcmp(ks_key_fingerprint(y), ks_key_fingerprint(x)) == 0);
        ks_key_free(y);
        unlink(xp);
        free(xp);
    }
    ks_key_free(x);
    ks_key_free(k);
    free(path);

    /* damage anywhere is refused, never read as another key */
    int flips[] = {0, 15, 16, 17, 17 + 63, 17 + 64, 17 + 64 + 15};
    for (size_t i = 0; i < KS_ARRAY_LEN(flips); i++) {
        path = write_chain("bad.key", 2, flips[i]);
        memset(&err, 0, sizeof err);
        KS_CHECK(ks_key_load(path, &err) == NULL);
        KS_CHECK_INT(err.code, KS_ESAFETY);
        free(path);
    }
    /* cut short by one byte: a size no chain has */
    unsigned char cut[96];
    memcpy(cut, "kasane-keychain\1", 16);
    cut[16] = 2;
    path = write_key("bad.key", cut, sizeof cut, 0600);
    expect_refused(path, "damaged", "2 epochs");
    free(path);
    /* a chain of 1 epoch is the 32-byte key in the other form */
    path = write_chain("bad.key", 1, -1);
    memset(&err, 0, sizeof err);
    k = ks_key_load(path, &err);
    KS_CHECK(k != NULL && strcmp(ks_key_fingerprint(k), "bdac23fe9f61a53521fb91d1dfd1348e") == 0);
    ks_key_free(k);
    free(path);
}

int main(void)
{
    ks_error err = {0};
    KS_CHECK_INT(ks_crypto_init(&err), 0);
    KS_CHECK_INT(ks_crypto_init(&err), 0); /* idempotent */
    make_tmpdir();
    test_generate();
    test_load_checks();
    test_known_answer();
    test_properties();
    test_rowid();
    test_idents();
    test_chain();
    /* leave the directory only if something failed, for inspection */
    if (ks_test_failures == 0) {
        const char *names[] = {"g.key", "o.key", "w.key", "short.key", "long.key", "empty.key",
                               "my key", "ok.key", "kat.key", "p1.key", "p2.key", "i.key",
                               "chain2.key", "bad.key"};
        for (size_t i = 0; i < KS_ARRAY_LEN(names); i++) {
            char *p = tmp_path(names[i]);
            unlink(p);
            free(p);
        }
        rmdir(tmpdir.buf);
    }
    ks_buf_release(&tmpdir);
    return ks_test_report();
}
