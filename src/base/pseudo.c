/* pseudo.c: the key file, its subkeys and keyed pseudonyms (libsodium).
 *
 * Everything secret lives in one sodium_malloc'd ks_key: guard pages around
 * it, locked into RAM where the system allows, read-only once set up, wiped on
 * free.  The key file is read straight into that memory, so no copy of the key
 * is left on the stack or in a stdio buffer. */
#include "pseudo.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KS_KDF_CONTEXT "kasane01"
#define KS_STEP_CONTEXT "kasaneR1" /* the subkeys of epochs 1.. for their step */
#define KS_FINGERPRINT_MSG "kasane key fingerprint v1"
/* a key chain file's first 16 bytes: the name and the format version (no NUL) */
static const unsigned char chain_magic[KS_KEY_CHAIN_MAGIC_BYTES] = "kasane-keychain\1";

enum { KS_NKINDS = 3 }; /* subkeys for KS_ID_CASE .. KS_ID_HOUSEHOLD */
enum { KS_DUP_SUBKEY_ID = 100 }; /* kdf subkey id of the duplicate finder, apart from the kinds */
enum { KS_ROWHASH_SUBKEY_ID = 101 }; /* kdf subkey id of the row hash */

_Static_assert(KS_KEY_BYTES == crypto_kdf_KEYBYTES, "key size is libsodium's kdf key size");
_Static_assert(sizeof KS_KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "kdf context is 8 bytes");
_Static_assert(sizeof KS_STEP_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "kdf context is 8 bytes");
_Static_assert(KS_KEY_EPOCHS_MAX <= 255, "the epoch count is one byte in the chain file");
_Static_assert(KS_PSEUDO_BYTES >= crypto_generichash_BYTES_MIN, "pseudonym length");
_Static_assert(crypto_shorthash_KEYBYTES >= crypto_kdf_BYTES_MIN, "SipHash subkey from crypto_kdf");

/* Only byte arrays: sodium_malloc places the object against its guard page,
 * so its address is aligned only if its size is a multiple of the alignment. */
struct ks_key {
    unsigned char key[KS_KEY_EPOCHS_MAX][KS_KEY_BYTES]; /* the key of each epoch, from the file */
    unsigned char sub[KS_KEY_EPOCHS_MAX][KS_NKINDS][KS_KEY_BYTES]; /* subkey per epoch and ks_id_kind (kind - 1) */
    unsigned char dup[crypto_shorthash_KEYBYTES]; /* SipHash subkey for ks_pseudo_dupkey (newest epoch) */
    unsigned char rowh[crypto_shorthash_siphashx24_KEYBYTES]; /* SipHash subkey for ks_pseudo_rowhash (newest) */
    unsigned char epochs;                         /* epochs held, 1..KS_KEY_EPOCHS_MAX */
    char epoch_fp[KS_KEY_EPOCHS_MAX][KS_FINGERPRINT_HEX]; /* each epoch key's fingerprint, hex */
    char fingerprint[KS_FINGERPRINT_HEX];         /* the newest epoch's, hex, NUL-terminated */
};

int ks_crypto_init(ks_error *err)
{
    if (sodium_init() < 0) /* 1 means "already initialised": fine */
        return ks_error_set(err, KS_EIO, "cannot initialise libsodium");
    return 0;
}

/* Fingerprint: the first 16 bytes of the standard 32-byte BLAKE2b of a fixed
 * message keyed by the key, so it names the key without revealing it. */
static void fingerprint_hex(const unsigned char key[KS_KEY_BYTES], char hex[KS_FINGERPRINT_HEX])
{
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)KS_FINGERPRINT_MSG,
                       sizeof KS_FINGERPRINT_MSG - 1, key, KS_KEY_BYTES);
    sodium_bin2hex(hex, KS_FINGERPRINT_HEX, h, KS_PSEUDO_BYTES);
    sodium_memzero(h, sizeof h);
}

static ks_key *key_alloc(void)
{
    ks_key *k = sodium_malloc(sizeof *k);
    if (!k) {
        fprintf(stderr, "kasane: fatal: out of memory allocating %zu bytes of secure memory\n",
                sizeof *k);
        exit(KS_EXIT_ENV);
    }
    /* sodium_malloc already tries to lock the pages; asking again is harmless.
     * Failure is ignored on purpose: containers and small RLIMIT_MEMLOCK often
     * forbid mlock, and refusing to run there would protect nothing. */
    (void)sodium_mlock(k, sizeof *k);
    return k;
}

void ks_key_free(ks_key *k)
{
    if (!k)
        return;
    sodium_mprotect_readwrite(k); /* it was made read-only after loading */
    sodium_memzero(k, sizeof *k);
    sodium_free(k); /* also wipes, unlocks and drops the guard pages */
}

/* Derives the subkeys and fingerprints of k->epochs keys, then seals the
 * memory read-only so a stray write faults instead of corrupting a key. */
static void key_finish(ks_key *k)
{
    for (int e = 0; e < k->epochs; e++) {
        for (int i = 0; i < KS_NKINDS; i++)
            crypto_kdf_derive_from_key(k->sub[e][i], KS_KEY_BYTES, (uint64_t)(i + 1),
                                       e == 0 ? KS_KDF_CONTEXT : KS_STEP_CONTEXT, k->key[e]);
        fingerprint_hex(k->key[e], k->epoch_fp[e]);
    }
    const unsigned char *newest = k->key[k->epochs - 1];
    crypto_kdf_derive_from_key(k->dup, sizeof k->dup, KS_DUP_SUBKEY_ID, KS_KDF_CONTEXT, newest);
    crypto_kdf_derive_from_key(k->rowh, sizeof k->rowh, KS_ROWHASH_SUBKEY_ID, KS_KDF_CONTEXT, newest);
    memcpy(k->fingerprint, k->epoch_fp[k->epochs - 1], KS_FINGERPRINT_HEX);
    /* Ignored if it fails: read-only is a safety net, not a requirement. */
    (void)sodium_mprotect_readonly(k);
}

/* Appends `path` to b so that a shell reads it back unchanged. */
static void add_shell_word(ks_buf *b, const char *path)
{
    if (path[0] && strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789._/+-") == strlen(path)) {
        ks_buf_adds(b, path);
        return;
    }
    ks_buf_addc(b, '\'');
    for (const char *p = path; *p; p++) {
        if (*p == '\'')
            ks_buf_adds(b, "'\\''");
        else
            ks_buf_addc(b, *p);
    }
    ks_buf_addc(b, '\'');
}

static int refuse_mode(const char *path, mode_t mode, ks_error *err)
{
    ks_buf b;
    ks_buf_init(&b);
    add_shell_word(&b, path);
    const char *what = (mode & 044) ? ((mode & 022) ? "readable and writable" : "readable")
                                    : (mode & 022) ? "writable" : "accessible";
    int rc = ks_error_set(err, KS_ESAFETY,
                          "key file '%s' is %s by group or others (mode %04o); run: chmod 600 %s",
                          path, what, (unsigned)(mode & 07777), b.buf);
    ks_buf_release(&b);
    return rc;
}

/* Reads exactly n bytes; returns 0, or -1 with errno set (EIO on a short file). */
static int read_full(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t got = read(fd, p, n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (got == 0) {
            errno = EIO;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

/* The size of a chain file of `epochs` keys (pseudo.h). */
static size_t chain_bytes(int epochs) { return KS_KEY_CHAIN_MAGIC_BYTES + 1 + (size_t)epochs * KS_KEY_BYTES + 16; }

ks_key *ks_key_load(const char *path, ks_error *err)
{
    ks_key *k = NULL;
    unsigned char *bytes = NULL;
    struct stat st;
    int fd = -1;
    int rc = ks_crypto_init(err); /* sodium_malloc needs it; cheap when repeated */
    if (rc < 0)
        goto done;
    /* O_NONBLOCK so that a FIFO given by mistake is refused, not waited on. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            rc = ks_error_set(err, KS_EUSAGE, "key file '%s' does not exist; create one with: kasane keygen -o %s",
                              path, path);
        else
            rc = ks_error_set(err, KS_EIO, "cannot open key file '%s': %s", path, strerror(errno));
        goto done;
    }
    if (fstat(fd, &st) != 0) {
        rc = ks_error_set(err, KS_EIO, "cannot stat key file '%s': %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = ks_error_set(err, KS_ESAFETY,
                          "key file '%s' is not a regular file; create one with: "
                          "kasane keygen -o FILE", path);
        goto done;
    }
    if (st.st_mode & 077) {
        rc = refuse_mode(path, st.st_mode, err);
        goto done;
    }
    if (st.st_size != KS_KEY_BYTES &&
        (st.st_size < (off_t)chain_bytes(1) || st.st_size > (off_t)KS_KEY_FILE_MAX)) {
        rc = ks_error_set(err, KS_ESAFETY,
                          "key file '%s' must hold exactly %d bytes or be a key chain (it holds %lld); "
                          "create one with: kasane keygen -o FILE",
                          path, KS_KEY_BYTES, (long long)st.st_size);
        goto done;
    }
    /* read into secure memory, so no copy of a key is left in a plain buffer */
    bytes = sodium_malloc(KS_KEY_FILE_MAX);
    if (!bytes) {
        rc = ks_error_set(err, KS_EIO, "out of secure memory reading key file '%s'", path);
        goto done;
    }
    if (read_full(fd, bytes, (size_t)st.st_size) != 0) {
        rc = ks_error_set(err, KS_EIO, "cannot read key file '%s': %s", path, strerror(errno));
        goto done;
    }
    k = ks_key_parse(bytes, (size_t)st.st_size, path, err);
    if (!k)
        rc = err ? -err->code : -KS_ESAFETY;
done:
    if (fd >= 0)
        close(fd);
    sodium_free(bytes); /* wipes; NULL is fine */
    if (rc < 0) {
        ks_key_free(k);
        return NULL;
    }
    return k;
}

ks_key *ks_key_parse(const uint8_t *b, size_t n, const char *name, ks_error *err)
{
    if (ks_crypto_init(err) < 0)
        return NULL;
    if (n == KS_KEY_BYTES) { /* one epoch, as keygen writes it */
        ks_key *k = key_alloc();
        memcpy(k->key[0], b, KS_KEY_BYTES);
        k->epochs = 1;
        key_finish(k);
        return k;
    }
    if (n < chain_bytes(1) || n > KS_KEY_FILE_MAX || memcmp(b, chain_magic, sizeof chain_magic) != 0) {
        ks_error_set(err, KS_ESAFETY, "'%s' is not a kasane key: a key holds exactly %d bytes or is a key chain "
                     "(kasane rekey writes those)", name, KS_KEY_BYTES);
        return NULL;
    }
    int epochs = b[KS_KEY_CHAIN_MAGIC_BYTES];
    if (epochs < 1 || epochs > KS_KEY_EPOCHS_MAX || n != chain_bytes(epochs)) {
        ks_error_set(err, KS_ESAFETY, "key chain '%s' is damaged: it says %d epochs but holds %zu bytes", name,
                     epochs, n);
        return NULL;
    }
    unsigned char sum[16];
    crypto_generichash(sum, sizeof sum, b, n - sizeof sum, NULL, 0);
    if (sodium_memcmp(sum, b + n - sizeof sum, sizeof sum) != 0) {
        ks_error_set(err, KS_ESAFETY, "key chain '%s' is damaged (its checksum does not match): restore it from "
                     "a backup or from the custodians' shares", name);
        return NULL;
    }
    ks_key *k = key_alloc();
    k->epochs = (unsigned char)epochs;
    memcpy(k->key, b + KS_KEY_CHAIN_MAGIC_BYTES + 1, (size_t)epochs * KS_KEY_BYTES);
    key_finish(k);
    return k;
}

size_t ks_key_serialise(const ks_key *k, uint8_t out[KS_KEY_FILE_MAX])
{
    if (k->epochs == 1) {
        memcpy(out, k->key[0], KS_KEY_BYTES);
        return KS_KEY_BYTES;
    }
    size_t n = chain_bytes(k->epochs);
    memcpy(out, chain_magic, sizeof chain_magic);
    out[KS_KEY_CHAIN_MAGIC_BYTES] = k->epochs;
    memcpy(out + KS_KEY_CHAIN_MAGIC_BYTES + 1, k->key, (size_t)k->epochs * KS_KEY_BYTES);
    crypto_generichash(out + n - 16, 16, out, n - 16, NULL, 0);
    return n;
}

int ks_key_epochs(const ks_key *k) { return k->epochs; }

const char *ks_key_epoch_fingerprint(const ks_key *k, int e)
{
    if (e < 0 || e >= k->epochs) {
        fprintf(stderr, "kasane: fatal: epoch %d of a key of %d epochs\n", e, (int)k->epochs);
        abort(); /* a caller bug */
    }
    return k->epoch_fp[e];
}

ks_key *ks_key_extend(const ks_key *k, ks_error *err)
{
    if (k->epochs >= KS_KEY_EPOCHS_MAX) {
        ks_error_set(err, KS_EUSAGE, "the key already has %d epochs, the most a key chain holds", KS_KEY_EPOCHS_MAX);
        return NULL;
    }
    ks_key *x = key_alloc();
    x->epochs = (unsigned char)(k->epochs + 1);
    memcpy(x->key, k->key, (size_t)k->epochs * KS_KEY_BYTES);
    randombytes_buf(x->key[k->epochs], KS_KEY_BYTES);
    key_finish(x);
    return x;
}

int ks_key_extends(const ks_key *next, const ks_key *k)
{
    return next->epochs == k->epochs + 1 &&
           sodium_memcmp(next->key, k->key, (size_t)k->epochs * KS_KEY_BYTES) == 0;
}

const char *ks_key_fingerprint(const ks_key *k) { return k->fingerprint; }

/* Makes the new directory entry durable too; best effort, because some file
 * systems refuse fsync on a directory and the key itself is already synced. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? ks_strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : ks_strdup(".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    free(dir);
}

/* bytes[0..n) to fd, however many writes it takes. */
static int write_all(int fd, const unsigned char *bytes, size_t n, const char *path, ks_error *err)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, bytes + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return ks_error_set(err, KS_EIO, "cannot write key file '%s': %s", path,
                                w < 0 ? strerror(errno) : "no progress");
        off += (size_t)w;
    }
    return 0;
}

int ks_key_write_new(const char *path, const ks_key *k, ks_error *err)
{
    int created = 0, fd = -1, rc = 0;
    unsigned char *bytes = NULL;
    /* O_EXCL: an existing key must never be replaced, it would orphan every
     * database built with it.  O_NOFOLLOW: nor written through a symlink. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            rc = ks_error_set(err, KS_ESAFETY, "key file '%s' already exists; refusing to "
                              "overwrite it", path);
        else
            rc = ks_error_set(err, errno == ENOENT ? KS_EUSAGE : KS_EIO,
                              "cannot create key file '%s': %s", path,
                              strerror(errno));
        goto done;
    }
    created = 1;
    /* The umask may have cleared bits we need (0600 is the most it can leave). */
    if (fchmod(fd, 0600) != 0) {
        rc = ks_error_set(err, KS_EIO, "cannot set mode 0600 on '%s': %s", path, strerror(errno));
        goto done;
    }
    bytes = sodium_malloc(KS_KEY_FILE_MAX);
    if (!bytes) {
        rc = ks_error_set(err, KS_EIO, "out of secure memory writing key file '%s'", path);
        goto done;
    }
    if ((rc = write_all(fd, bytes, ks_key_serialise(k, bytes), path, err)))
        goto done;
    if (fsync(fd) != 0) {
        rc = ks_error_set(err, KS_EIO, "cannot sync key file '%s': %s", path, strerror(errno));
        goto done;
    }
    int cfd = fd;
    fd = -1;
    if (close(cfd) != 0) {
        rc = ks_error_set(err, KS_EIO, "cannot close key file '%s': %s", path, strerror(errno));
        goto done;
    }
    sync_parent_dir(path);
done:
    if (fd >= 0)
        close(fd);
    sodium_free(bytes); /* wipes; NULL is fine */
    /* A half-written key file would make the next keygen fail with "exists"
     * and a load fail with a size error: remove it. */
    if (rc < 0 && created)
        unlink(path);
    return rc;
}

int ks_key_generate(const char *path, char fp_hex[KS_FINGERPRINT_HEX], ks_error *err)
{
    int rc = ks_crypto_init(err); /* randombytes and sodium_malloc need it */
    if (rc < 0)
        return rc;
    ks_key *k = key_alloc();
    randombytes_buf(k->key[0], KS_KEY_BYTES);
    k->epochs = 1;
    key_finish(k);
    if ((rc = ks_key_write_new(path, k, err)) == 0)
        memcpy(fp_hex, k->fingerprint, KS_FINGERPRINT_HEX);
    ks_key_free(k);
    return rc;
}

/* A caller bug: silently hashing under some other subkey would link
 * identifiers that must stay unrelated. */
static void check_kind(ks_id_kind kind)
{
    if (kind < KS_ID_CASE || kind > KS_ID_HOUSEHOLD) {
        fprintf(stderr, "kasane: fatal: a pseudonym of unknown id kind %d\n", (int)kind);
        abort();
    }
}

void ks_pseudo(const ks_key *k, ks_id_kind kind, const void *id, size_t n,
               uint8_t out[KS_PSEUDO_BYTES])
{
    check_kind(kind);
    crypto_generichash(out, KS_PSEUDO_BYTES, id, n, k->sub[0][kind - 1], KS_KEY_BYTES);
    for (int e = 1; e < k->epochs; e++)
        crypto_generichash(out, KS_PSEUDO_BYTES, out, KS_PSEUDO_BYTES, k->sub[e][kind - 1], KS_KEY_BYTES);
}

void ks_pseudo_step(const ks_key *k, ks_id_kind kind, const uint8_t in[KS_PSEUDO_BYTES],
                    uint8_t out[KS_PSEUDO_BYTES])
{
    check_kind(kind);
    if (k->epochs < 2) {
        fprintf(stderr, "kasane: fatal: a rekey step with a key of one epoch\n");
        abort();
    }
    uint8_t tmp[KS_PSEUDO_BYTES];
    crypto_generichash(tmp, KS_PSEUDO_BYTES, in, KS_PSEUDO_BYTES, k->sub[k->epochs - 1][kind - 1], KS_KEY_BYTES);
    memcpy(out, tmp, KS_PSEUDO_BYTES);
    sodium_memzero(tmp, sizeof tmp);
}

int64_t ks_pseudo_rowid(const uint8_t p[KS_PSEUDO_BYTES])
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = (u << 8) | p[i];
    int64_t v;
    memcpy(&v, &u, sizeof v); /* two's complement reinterpretation, no UB */
    return v;
}

void ks_idents_release(ks_idents *ids)
{
    if (ids->buf.buf)
        sodium_memzero(ids->buf.buf, ids->buf.cap);
    ks_buf_release(&ids->buf);
    memset(ids->len, 0, sizeof ids->len);
}

void ks_idents_pseudonymise(const ks_key *k, ks_idents *ids, uint8_t case_ps[KS_PSEUDO_BYTES],
                            uint8_t person_ps[KS_PSEUDO_BYTES], uint8_t household_ps[KS_PSEUDO_BYTES])
{
    const char *at = ids->buf.buf;
    uint8_t *out[KS_ID_KINDS] = {case_ps, person_ps, household_ps}; /* by ks_id_kind - 1 */
    for (int kind = KS_ID_CASE; kind <= KS_ID_HOUSEHOLD; kind++) {
        size_t len = ids->len[kind - 1];
        if (kind != KS_ID_HOUSEHOLD || len > 0) /* a household id is optional */
            ks_pseudo(k, (ks_id_kind)kind, at, len, out[kind - 1]);
        at += len;
    }
    ks_idents_reset(ids);
}

void ks_idents_reset(ks_idents *ids)
{
    if (ids->buf.len)
        sodium_memzero(ids->buf.buf, ids->buf.len);
    ks_buf_reset(&ids->buf);
    memset(ids->len, 0, sizeof ids->len);
}

uint64_t ks_pseudo_dupkey(const ks_key *k, const void *id, size_t n)
{
    /* validate has no key; any fixed key finds duplicates as well */
    static const unsigned char fixed[crypto_shorthash_KEYBYTES] = "kasane dup find";
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, id, n, k ? k->dup : fixed);
    uint64_t v;
    memcpy(&v, h, sizeof v);
    return v;
}

void ks_pseudo_rowhash(const ks_key *k, const void *data, size_t n, uint8_t out[16])
{
    crypto_shorthash_siphashx24(out, data, n, k->rowh);
}

int ks_key_destroy_file(const char *path, ks_error *err)
{
    /* O_NOFOLLOW: never overwrite what a symlink points at */
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ks_error_set(err, errno == ENOENT ? KS_EUSAGE : KS_EIO, "cannot open key file '%s': %s", path,
                            strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ks_error_set(err, KS_EUSAGE, "'%s' is not a regular file", path);
    }
    /* random bytes over every byte of the file, synced, then unlinked and
     * the directory synced (see pseudo.h for what this cannot promise) */
    unsigned char buf[4096];
    for (off_t off = 0; rc == 0 && off < st.st_size; off += (off_t)sizeof buf) {
        size_t n = (size_t)(st.st_size - off) < sizeof buf ? (size_t)(st.st_size - off) : sizeof buf;
        randombytes_buf(buf, n);
        if (pwrite(fd, buf, n, off) != (ssize_t)n)
            rc = ks_error_set(err, KS_EIO, "cannot overwrite key file '%s': %s", path, strerror(errno));
    }
    sodium_memzero(buf, sizeof buf);
    if (rc == 0 && fsync(fd) != 0)
        rc = ks_error_set(err, KS_EIO, "cannot sync key file '%s': %s", path, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = ks_error_set(err, KS_EIO, "cannot close key file '%s': %s", path, strerror(errno));
    if (rc == 0 && unlink(path) != 0)
        rc = ks_error_set(err, KS_EIO, "overwrote key file '%s' but cannot remove it: %s", path, strerror(errno));
    if (rc == 0)
        sync_parent_dir(path);
    return rc;
}
