/* cmd_key.c: `kasane key split | join` -- split custody of the key among
 * custodians on paper, and joining it back (shamir.h, docs/keys.md). */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "pseudo.h"
#include "shamir.h"

enum { O_T = 't', O_N = 'n', O_OUTPUT = 'o', O_PREFIX = 300 };
enum { KS_SHARE_FILE_MAX = 64 * 1024 }; /* a share is under 1 KiB; more is not a share */

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("split:\n"),
    {"threshold", O_T, "T", "shares needed to join the key again (2 or more)"},
    {"shares", O_N, "N", "shares to make, one per custodian (T to 16)"},
    {"key", KS_CLI_OPT_KEY, "FILE", "the key to split (default $KASANE_KEY)"},
    {"out-prefix", O_PREFIX, "P", "write share i to Pi.txt (default: the key's path and '-share-')"},
    KS_CLI_TEXT("\njoin:\n"),
    {"output", O_OUTPUT, "FILE", "where to write the joined key (mode 0600; never overwritten)"},
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane key split -t T -n N [--key FILE] [--out-prefix P]\n"
             "       kasane key join SHARE... -o FILE\n"
             "       kasane key destroy --key FILE --db FILE --yes   (kasane key destroy --help)\n\n"
             "Split custody of the pseudonymisation key (docs/keys.md).  split wraps the key\n"
             "with a fresh random key W (XChaCha20-Poly1305) and splits W by Shamir's scheme\n"
             "into N shares, any T of which give W back and fewer tell nothing about it.\n"
             "Each share is a text file to print on paper: the key's fingerprint, the\n"
             "share's number, and its bytes in base32, each line with a checksum.  A key\n"
             "chain (kasane rekey) is split whole: its shares are format v2 and say its\n"
             "epochs.\n\n"
             "join reads T or more share files (any order; '-' reads one from stdin),\n"
             "rebuilds W, decrypts the key, writes it to FILE and prints its fingerprint.\n"
             "A wrong or altered share is detected, never turned into a wrong key; with\n"
             "more than T shares join names a share that does not fit.\n\n"
             "After 'kasane rekey', split the new key again: the old sheets join only to\n"
             "the retired key, which the database refuses.\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
    .more = "Mistyped share line, unreadable share, a header not matching its lines:\n"
            "status 1.  Too few shares, shares of different keys, the same share twice:\n"
            "status 2.  Shares that do not authenticate, an existing output file: status 3.\n",
};

/* An integer option in [lo, hi], or -1. */
static int int_arg(const char *s, int lo, int hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    return (int)v;
}

/* Writes share s as text to prefix + x + ".txt" (the path left in path). */
static int write_share(const ks_share *s, const char *prefix, ks_buf *path, ks_error *err)
{
    ks_buf text;
    ks_buf_init(&text);
    ks_buf_reset(path);
    ks_buf_addf(path, "%s%d.txt", prefix, s->x);
    ks_share_format(s, &text);
    int rc = ks_share_write_new(path->buf, text.buf, text.len, err);
    ks_buf_release(&text);
    return rc;
}

static int key_split(const char *key_path, int t, int n, const char *prefix_opt)
{
    ks_error err = {0};
    ks_share shares[KS_SHARE_MAX_N];
    ks_buf prefix, path;
    ks_buf_init(&prefix);
    ks_buf_init(&path);
    int made = 0, rc = 0;
    /* the loader's checks (regular file, mode, size, a chain's checksum) */
    ks_key *key = ks_key_load(key_path, &err);
    if (!key) {
        rc = -err.code;
        goto done;
    }
    if ((rc = ks_share_split_key(key, t, n, shares, &err)) < 0)
        goto done;
    if (prefix_opt)
        ks_buf_adds(&prefix, prefix_opt);
    else
        ks_buf_addf(&prefix, "%s-share-", key_path);
    /* All or nothing: a partial set on disk would invite a second split, and
     * shares of two splits never join. */
    for (made = 0; made < n; made++)
        if ((rc = write_share(&shares[made], prefix.buf, &path, &err)) < 0)
            goto done;
    if (ks_key_epochs(key) > 1)
        printf("split key chain '%s' (fingerprint %s, %d epochs) into %d shares, any %d of which reconstruct "
               "it:\n", key_path, ks_key_fingerprint(key), ks_key_epochs(key), n, t);
    else
        printf("split key '%s' (fingerprint %s) into %d shares, any %d of which reconstruct it:\n", key_path,
               ks_key_fingerprint(key), n, t);
    for (int i = 0; i < n; i++)
        printf("  %s%d.txt\n", prefix.buf, i + 1);
    printf("Give each custodian one share (print it, then delete the file); see docs/keys.md.\n");
    rc = ks_close_stdout(&err);
done:
    if (rc < 0)
        for (int i = 0; i < made; i++) {
            ks_buf_reset(&path);
            ks_buf_addf(&path, "%s%d.txt", prefix.buf, i + 1);
            unlink(path.buf);
        }
    sodium_memzero(shares, sizeof shares);
    ks_key_free(key);
    ks_buf_release(&prefix);
    ks_buf_release(&path);
    return rc < 0 ? ks_cli_fail(&err) : KS_EXIT_OK;
}

/* Reads and parses one share file ("-": stdin). */
static int read_share(const char *path, ks_share *out, ks_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return ks_error_set(err, errno == ENOENT ? KS_EUSAGE : KS_EIO, "cannot open share '%s': %s", path,
                            strerror(errno));
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_grow(&b, KS_SHARE_FILE_MAX + 1);
    size_t got = fread(b.buf, 1, KS_SHARE_FILE_MAX + 1, f);
    int rc = 0;
    if (ferror(f))
        rc = ks_error_set(err, KS_EIO, "cannot read share '%s': %s", path, strerror(errno));
    else if (got > KS_SHARE_FILE_MAX)
        rc = ks_error_set(err, KS_EDATA, "'%s' is too large to be a share", path);
    else
        rc = ks_share_parse(b.buf, got, is_stdin ? "(stdin)" : path, out, err);
    if (!is_stdin)
        fclose(f);
    sodium_memzero(b.buf, b.cap);
    ks_buf_release(&b);
    return rc;
}

static int key_join(char **paths, int k, const char *out)
{
    ks_error err = {0};
    ks_share shares[KS_SHARE_MAX_N];
    int bad[KS_SHARE_MAX_N], rc = 0, stdin_used = 0;
    ks_key *key = NULL, *check = NULL;
    memset(shares, 0, sizeof shares); /* read_share fills k of them; gcc cannot tell */
    if (k > KS_SHARE_MAX_N) {
        rc = ks_error_set(&err, KS_EUSAGE, "%d shares given; a key is split into %d at most", k, KS_SHARE_MAX_N);
        goto done;
    }
    for (int i = 0; i < k; i++) {
        if (strcmp(paths[i], "-") == 0 && stdin_used++) {
            rc = ks_error_set(&err, KS_EUSAGE, "'-' (stdin) given twice");
            goto done;
        }
        if ((rc = read_share(paths[i], &shares[i], &err)) < 0)
            goto done;
    }
    if ((rc = ks_share_join(shares, k, &key, bad, &err)) < 0)
        goto done;
    for (int i = 0; i < k; i++)
        if (bad[i])
            ks_warn("share '%s' (share %d of %d) does not fit the others: it is wrong or altered; "
                    "the key was rebuilt without it", paths[i], shares[i].x, shares[i].n);
    if ((rc = ks_key_write_new(out, key, &err)) < 0)
        goto done;
    /* Read back through the loader every command uses: what was written is
     * the key that was joined. */
    if (!(check = ks_key_load(out, &err))) {
        rc = -err.code;
        goto done;
    }
    if (strcmp(ks_key_fingerprint(check), ks_key_fingerprint(key)) != 0
        || ks_key_epochs(check) != ks_key_epochs(key)) {
        rc = ks_error_set(&err, KS_EIO, "key file '%s' does not read back as the key written", out);
        goto done;
    }
    printf("wrote key '%s' (mode 0600)\nfingerprint %s\n", out, ks_key_fingerprint(check));
    if (ks_key_epochs(check) > 1)
        printf("a key chain of %d epochs (kasane rekey)\n", ks_key_epochs(check));
    rc = ks_close_stdout(&err);
done:
    sodium_memzero(shares, sizeof shares);
    ks_key_free(key);
    ks_key_free(check);
    return rc < 0 ? ks_cli_fail(&err) : KS_EXIT_OK;
}

int cmd_key(ks_cli_ctx *ctx, int argc, char **argv)
{
    /* destroy has options of its own (--db, --yes): its own spec and file */
    if (argc > 1 && strcmp(argv[1], "destroy") == 0)
        return cmd_key_destroy(ctx, argc - 1, argv + 1);
    const char *out = NULL, *prefix = NULL, *t_arg = NULL, *n_arg = NULL;
    int c;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0) {
        switch (c) {
        case O_T: t_arg = optarg; break;
        case O_N: n_arg = optarg; break;
        case O_OUTPUT: out = optarg; break;
        case O_PREFIX: prefix = optarg; break;
        default: return ks_cli_usage_error("key", "this option does not apply here");
        }
    }
    if (c == KS_CLI_EXIT)
        return ctx->exit;
    const char *verb = optind < argc ? argv[optind] : NULL;
    ks_error err = {0};
    if (verb && strcmp(verb, "split") == 0) {
        if (out || optind + 1 != argc)
            return ks_cli_usage_error("key", "split takes -t, -n, --key and --out-prefix only");
        int t = t_arg ? int_arg(t_arg, 2, KS_SHARE_MAX_N) : -1;
        int n = n_arg ? int_arg(n_arg, 2, KS_SHARE_MAX_N) : -1;
        if (t < 0 || n < 0 || n < t)
            return ks_cli_usage_error("key", "split needs -t T -n N with 2 <= T <= N <= %d", KS_SHARE_MAX_N);
        const char *key_path = ks_cli_key_path(ctx->key_opt);
        if (!key_path)
            return ks_cli_usage_error("key", "split needs the key: --key FILE or $KASANE_KEY");
        if (ks_crypto_init(&err) < 0)
            return ks_cli_fail(&err);
        return key_split(key_path, t, n, prefix);
    }
    if (verb && strcmp(verb, "join") == 0) {
        if (t_arg || n_arg || prefix || ctx->key_opt)
            return ks_cli_usage_error("key", "join takes share files and -o FILE only");
        if (!out || optind + 1 >= argc)
            return ks_cli_usage_error("key", "join needs share files and -o FILE");
        if (ks_crypto_init(&err) < 0)
            return ks_cli_fail(&err);
        return key_join(argv + optind + 1, argc - optind - 1, out);
    }
    return ks_cli_usage_error("key", verb ? "unknown verb '%s' (split, join or destroy)" : "need a verb: split, join or destroy%s",
                              verb ? verb : "");
}
