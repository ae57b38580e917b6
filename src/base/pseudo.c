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
#define KS_FINGERPRINT_MSG "kasane key fingerprint v1"

enum { KS_NKINDS = 3 }; /* subkeys for KS_ID_CASE .. KS_ID_HOUSEHOLD */
enum { KS_DUP_SUBKEY_ID = 100 }; /* kdf subkey id of the duplicate finder, apart from the kinds */
enum { KS_ROWHASH_SUBKEY_ID = 101 }; /* kdf subkey id of the row hash */

_Static_assert(KS_KEY_BYTES == crypto_kdf_KEYBYTES, "key size is libsodium's kdf key size");
_Static_assert(sizeof KS_KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "kdf context is 8 bytes");
_Static_assert(KS_PSEUDO_BYTES >= crypto_generichash_BYTES_MIN, "pseudonym length");
_Static_assert(crypto_shorthash_KEYBYTES >= crypto_kdf_BYTES_MIN, "SipHash subkey from crypto_kdf");

/* Only byte arrays: sodium_malloc places the object against its guard page,
 * so its address is aligned only if its size is a multiple of the alignment. */
struct ks_key {
    unsigned char key[KS_KEY_BYTES];              /* the master key from the file */
    unsigned char sub[KS_NKINDS][KS_KEY_BYTES];   /* subkey per ks_id_kind (index kind - 1) */
    unsigned char dup[crypto_shorthash_KEYBYTES]; /* SipHash subkey for ks_pseudo_dupkey */
    unsigned char rowh[crypto_shorthash_siphashx24_KEYBYTES]; /* SipHash subkey for ks_pseudo_rowhash */
    char fingerprint[KS_FINGERPRINT_HEX];         /* hex, NUL-terminated */
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

/* Derives the subkeys and fingerprint, then seals the memory read-only so a
 * stray write faults instead of corrupting a key. */
static void key_finish(ks_key *k)
{
    for (int i = 0; i < KS_NKINDS; i++)
        crypto_kdf_derive_from_key(k->sub[i], KS_KEY_BYTES, (uint64_t)(i + 1), KS_KDF_CONTEXT,
                                   k->key);
    crypto_kdf_derive_from_key(k->dup, sizeof k->dup, KS_DUP_SUBKEY_ID, KS_KDF_CONTEXT, k->key);
    crypto_kdf_derive_from_key(k->rowh, sizeof k->rowh, KS_ROWHASH_SUBKEY_ID, KS_KDF_CONTEXT, k->key);
    fingerprint_hex(k->key, k->fingerprint);
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

ks_key *ks_key_load(const char *path, ks_error *err)
{
    ks_key *k = NULL;
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
    if (st.st_size != KS_KEY_BYTES) {
        rc = ks_error_set(err, KS_ESAFETY,
                          "key file '%s' must hold exactly %d bytes (it holds %lld); "
                          "create one with: kasane keygen -o FILE",
                          path, KS_KEY_BYTES, (long long)st.st_size);
        goto done;
    }
    k = key_alloc();
    if (read_full(fd, k->key, KS_KEY_BYTES) != 0) {
        rc = ks_error_set(err, KS_EIO, "cannot read key file '%s': %s", path, strerror(errno));
        goto done;
    }
    key_finish(k);
done:
    if (fd >= 0)
        close(fd);
    if (rc < 0) {
        ks_key_free(k);
        return NULL;
    }
    return k;
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

/* The key's bytes to fd, however many writes it takes. */
static int write_key(int fd, const unsigned char key[KS_KEY_BYTES], const char *path, ks_error *err)
{
    size_t off = 0;
    while (off < KS_KEY_BYTES) {
        ssize_t n = write(fd, key + off, KS_KEY_BYTES - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ks_error_set(err, KS_EIO, "cannot write key file '%s': %s", path,
                                n < 0 ? strerror(errno) : "no progress");
        off += (size_t)n;
    }
    return 0;
}

int ks_key_generate(const char *path, char fp_hex[KS_FINGERPRINT_HEX], ks_error *err)
{
    int created = 0, fd = -1;
    ks_key *k = NULL;
    int rc = ks_crypto_init(err); /* randombytes and sodium_malloc need it */
    if (rc < 0)
        goto done;
    /* O_EXCL: an existing key must never be replaced, it would orphan every
     * database built with it.  O_NOFOLLOW: nor written through a symlink. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            rc = ks_error_set(err, KS_ESAFETY, "key file '%s' already exists; refusing to "
                              "overwrite it", path);
        else
            rc = ks_error_set(err, errno == EEXIST || errno == ENOENT ? KS_EUSAGE : KS_EIO,
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
    k = key_alloc();
    randombytes_buf(k->key, KS_KEY_BYTES);
    if ((rc = write_key(fd, k->key, path, err)))
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
    key_finish(k);
    memcpy(fp_hex, k->fingerprint, KS_FINGERPRINT_HEX);
done:
    if (fd >= 0)
        close(fd);
    /* A half-written key file would make the next keygen fail with "exists"
     * and a load fail with a size error: remove it. */
    if (rc < 0 && created)
        unlink(path);
    ks_key_free(k);
    return rc;
}

void ks_pseudo(const ks_key *k, ks_id_kind kind, const void *id, size_t n,
               uint8_t out[KS_PSEUDO_BYTES])
{
    if (kind < KS_ID_CASE || kind > KS_ID_HOUSEHOLD) {
        /* A caller bug: silently hashing under some other subkey would link
         * identifiers that must stay unrelated. */
        fprintf(stderr, "kasane: fatal: ks_pseudo called with unknown id kind %d\n", (int)kind);
        abort();
    }
    crypto_generichash(out, KS_PSEUDO_BYTES, id, n, k->sub[kind - 1], KS_KEY_BYTES);
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
