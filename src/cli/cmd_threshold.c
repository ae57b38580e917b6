/* cmd_threshold.c: `kasane threshold --db DB [--key KEY] [K] [--method M]
 * [--ptable FILE|default]` — show or set the database's disclosure control
 * policy: the suppression threshold k, the method (suppress, cellkey, both)
 * and the cell key method's ptable (src/store/sdc.h, src/publish/publish.h).
 * Setting any of them through kasane needs the database's own key.  That
 * is not what protects them: they are rows of the file, and anyone who can
 * read the file can copy it and edit the copy with sqlite3.  What protects
 * them is who can read the file (docs/deployment.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cellkey.h"
#include "commands.h"
#include "db.h"
#include "epoch.h"
#include "load.h"
#include "pseudo.h"
#include "publish.h"
#include "rkey.h"
#include "sdc.h"

enum { O_METHOD = 256, O_PTABLE };

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Options:\n"),
    KS_CLI_OPT_DB_ROW,
    {"key", KS_CLI_OPT_KEY, "FILE", "the database's key (default $KASANE_KEY); needed to set anything"},
    {"method", O_METHOD, "M",
     "set the method for the library's tables and the report: suppress (threshold suppression, the "
     "default), cellkey (every count perturbed through the ptable) or both (perturbed, then suppressed)"},
    {"ptable", O_PTABLE, "FILE|default",
     "set the cell key method's ptable: a file in ONS's (pcv,ckey,pvalue) or sdcTools' pt_export layout, "
     "or kasane's default for k (a file named 'default': give ./default)"},
    {"verbose", 'v', NULL, "show k, the method and the ptable, one per line (without it: k alone)"},
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane threshold [--db FILE] [--verbose]\n"
             "       kasane threshold [--db FILE] --key FILE [K] [--method M] [--ptable FILE|default]\n\n"
             "Shows the database's disclosure control policy, or sets it: the suppression\n"
             "threshold k (K, 2..100), the method and the ptable of the cell key method.\n"
             "Every count from 1 to k-1 in any output is hidden, or under the cell key\n"
             "method never published (the ptable must keep that promise for the k in\n"
             "force, or it is refused; so is changing k under a ptable that would break it).\n"
             "Ad-hoc outputs always go through the cell key method, whatever the method.\n"
             "Without a stored ptable, kasane's default for k is used (k up to 64).\n\n"
             "Shown without --verbose: k alone, as one number.  With it, three lines:\n"
             "  k K\n"
             "  method suppress|cellkey|both\n"
             "  ptable default|stored SHA256   (or 'ptable none' where no default exists)\n"
             "SHA256 is that of the ptable's canonical form, the hash every cell-keyed\n"
             "footer names.\n\n"
             "Setting needs the key the database was built with (the data officer's); all\n"
             "that is given is set in one transaction, or nothing is.  That does not stop\n"
             "someone who can read the database file: they can copy it and edit the copy\n"
             "with any SQLite tool.  The policy holds only if analysts cannot read the file\n"
             "and reach it through kasane run as its owner (docs/deployment.md).  A stored\n"
             "k outside 2..100 (written around kasane) is refused (exit 3).\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
    .more = "A ptable whose key range does not divide 4096 (record keys are 0..4095) or that\n"
            "does not parse is refused with exit 2; one that would publish a count in\n"
            "1..k-1 or a negative count, exit 3.\n",
};

/* What the command line asks to set; NULL / 0 for what it leaves. */
typedef struct threshold_args {
    long k;             /* K, 0 when not given */
    const char *method; /* --method, checked */
    const char *ptable; /* --ptable: a path, or "default" */
    bool verbose;       /* --verbose */
} threshold_args;

/* The policy's ptable line: "default HASH", "stored HASH" or "none". */
static void ptable_words(const ks_policy *p, ks_buf *out)
{
    if (!p->ptable)
        ks_buf_adds(out, "none");
    else
        ks_buf_addf(out, "%s %s", p->ptable_default ? "default" : "stored", p->ptable_sha256);
}

static int threshold_show(const char *db_path, bool verbose)
{
    ks_error err = {0};
    sqlite3 *db = NULL;
    ks_policy pol = {0};
    ks_buf line;
    ks_buf_init(&line);
    int k, status = KS_EXIT_OK;
    if (ks_db_open(db_path, KS_DB_READ, &db, &err)) {
        status = ks_cli_fail(&err);
    } else if (!verbose) {
        /* k alone, as scripts have read it since before the cell key method;
         * a damaged stored ptable does not stop this */
        if (ks_db_threshold(db, &k, &err))
            status = ks_cli_fail(&err);
        else
            printf("%d\n", k);
    } else if (ks_policy_load(db, &pol, &err)) {
        status = ks_cli_fail(&err);
    } else {
        /* the policy exactly as outputs load it (publish.h) */
        ptable_words(&pol, &line);
        printf("k %d\nmethod %s\nptable %s\n", pol.k, ks_sdc_method_name(pol.method), line.buf);
    }
    ks_policy_release(&pol);
    ks_buf_release(&line);
    ks_db_close(db);
    return status;
}

/* The ptable file of --ptable FILE, refused unless it parses and its key
 * range divides the record keys' (the cell key is the key sum mod the
 * range: only then is it the same whether the sum was reduced mod 4096
 * first, table.h). */
static int load_ptable_file(const char *path, ks_ptable **out, ks_error *err)
{
    int rc = ks_ptable_load(path, 0, out, err);
    if (rc)
        return rc;
    int range = ks_ptable_key_range(*out);
    if (KS_RKEY_RANGE % range != 0) {
        ks_ptable_free(*out);
        *out = NULL;
        return ks_error_set(err, KS_EUSAGE,
                            "ptable '%s': key range %d does not divide %d (record keys are 0..%d); nothing changed",
                            path, range, KS_RKEY_RANGE, KS_RKEY_RANGE - 1);
    }
    return 0;
}

/* Whether the policy the database now holds can be published: a stored
 * ptable keeps the threshold promise at its k (the check is repeated when
 * only k changes), and a method with the cell key has a ptable. */
static int check_policy(const ks_policy *p, ks_error *err)
{
    if (p->ptable && !p->ptable_default) {
        int range = ks_ptable_key_range(p->ptable);
        if (KS_RKEY_RANGE % range != 0)
            return ks_error_set(err, KS_EUSAGE, "the stored ptable's key range %d does not divide %d; nothing changed",
                                range, KS_RKEY_RANGE);
        if (ks_ptable_check(p->ptable, p->ptable_sha256, p->k, err)) {
            err->code = KS_ESAFETY; /* well formed, but it would break the threshold */
            ks_error_prefix(err, "k = %d with the stored ptable: ", p->k);
            return -KS_ESAFETY;
        }
    }
    if (p->method != KS_SDC_SUPPRESS && !p->ptable)
        return ks_error_set(err, KS_EUSAGE,
                            "method %s needs a ptable and kasane's default covers k up to 64 (k is %d): give "
                            "--ptable FILE; nothing changed",
                            ks_sdc_method_name(p->method), p->k);
    return 0;
}

/* The change in the audit table, in the same transaction (audit.h). */
static int audit_policy(sqlite3 *db, const ks_key *key, const ks_policy *pol, ks_error *err)
{
    char detail[200];
    snprintf(detail, sizeof detail, "k = %d, method %s, ptable %s%s", pol->k, ks_sdc_method_name(pol->method),
             pol->ptable_sha256, pol->ptable_default ? " (kasane's default)" : "");
    return ks_audit_add(db, "threshold", ks_key_fingerprint(key), detail, err);
}

/* The lines saying what was set. */
static void print_set(const threshold_args *a, const ks_policy *p, const ks_ptable *file)
{
    static const char *const what[] = {
        [KS_SDC_SUPPRESS] = "library tables and the report hide counts from 1 to k-1 (ad-hoc outputs use the "
                            "cell key method)",
        [KS_SDC_CELLKEY] = "every count is published perturbed through the ptable",
        [KS_SDC_BOTH] = "every count is perturbed through the ptable, then suppressed as by 'suppress'",
    };
    if (a->k)
        printf("threshold k = %ld: counts from 1 to %ld are hidden in every output\n", a->k, a->k - 1);
    if (a->method)
        printf("method %s: %s\n", ks_sdc_method_name(p->method), what[p->method]);
    if (!a->ptable && !a->k)
        return;
    ks_buf line;
    ks_buf_init(&line);
    ptable_words(p, &line);
    printf("ptable %s", line.buf);
    if (file)
        printf(" (from '%s', %s layout, key range %d, largest change %d)", a->ptable, ks_ptable_source(file),
               ks_ptable_key_range(file), ks_ptable_max_abs_pvalue(file));
    else if (p->ptable && p->ptable_default)
        printf(" (%s, key range %d)", ks_ptable_source(p->ptable), ks_ptable_key_range(p->ptable));
    else if (p->ptable)
        printf(" (checked for k = %d)", p->k);
    else
        printf(" (kasane's default covers k up to 64: ad-hoc outputs are refused until a ptable is set)");
    printf("\n");
    ks_buf_release(&line);
}

/* Writes what a asks for (one transaction, after checking that key_path
 * holds the database's own key; the row hashes of an older schema are
 * brought up to date in it), then loads the policy back as outputs will and
 * commits only if check_policy accepts it. */
static int threshold_set(const char *db_path, const char *key_path, const threshold_args *a)
{
    ks_error err = {0};
    sqlite3 *db = NULL;
    ks_key *key = NULL;
    ks_ptable *file = NULL;
    ks_policy pol = {0};
    ks_buf csv;
    ks_buf_init(&csv);
    char sha[65] = "", val[16];
    int fresh = 0, rc, k = (int)a->k, status = KS_EXIT_OK;
    bool in_tx = false;
    bool use_file = a->ptable && strcmp(a->ptable, "default") != 0;
    if (use_file && (rc = load_ptable_file(a->ptable, &file, &err)))
        goto done;
    /* destroyed, another key, a retired epoch (epoch.h) */
    if (!(key = ks_key_load(key_path, &err)) || ks_db_open(db_path, KS_DB_WRITE, &db, &err) ||
        ks_epoch_check(db, key, "threshold change", &fresh, &err))
        goto done;
    if (fresh) {
        ks_error_set(&err, KS_ESAFETY, "this is not the key database '%s' was built with; nothing changed", db_path);
        goto done;
    }
    if (ks_db_exec(db, "BEGIN IMMEDIATE", &err))
        goto done;
    in_tx = true;
    /* without K, the stored k (a tampered one is refused here: set K) */
    if (ks_loader_rehash_pending(db, key, &err) || (!k && ks_db_threshold(db, &k, &err)))
        goto done;
    if (file) {
        /* named by its path: the data officer learns which file broke it */
        if (ks_ptable_check(file, a->ptable, k, &err)) {
            err.code = KS_ESAFETY;
            ks_error_prefix(&err, "k = %d: ", k);
            goto done;
        }
        ks_ptable_write_csv(file, &csv);
        ks_ptable_sha256(file, sha);
    }
    snprintf(val, sizeof val, "%d", k);
    /* sdc.h: csv and hash for a file, "default" alone, or NULL: keep */
    const char *named = file ? sha : a->ptable ? "default" : NULL;
    if ((a->k && ks_db_meta_set(db, "threshold", val, &err)) ||
        ks_db_sdc_set(db, a->method, file ? csv.buf : NULL, named, &err) || ks_policy_load(db, &pol, &err) ||
        check_policy(&pol, &err) || audit_policy(db, key, &pol, &err) || ks_db_exec(db, "COMMIT", &err))
        goto done;
    in_tx = false;
    print_set(a, &pol, file);
done:
    if (err.code)
        status = ks_cli_fail(&err);
    if (in_tx)
        ks_db_exec(db, "ROLLBACK", NULL);
    ks_policy_release(&pol);
    ks_ptable_free(file);
    ks_buf_release(&csv);
    ks_db_close(db);
    ks_key_free(key);
    return status;
}

/* Reads the command's own options into *a: -1 to go on, or the status to
 * return now (--help, a usage error). */
static int parse_args(ks_cli_ctx *ctx, int argc, char **argv, threshold_args *a)
{
    int c;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0) {
        switch (c) {
        case O_METHOD:
            if (ks_sdc_method_parse(optarg) < 0)
                return ks_cli_usage_error("threshold", "--method takes suppress, cellkey or both");
            a->method = optarg;
            break;
        case O_PTABLE:
            if (!*optarg)
                return ks_cli_usage_error("threshold", "--ptable takes a file or 'default'");
            a->ptable = optarg;
            break;
        case 'v': a->verbose = true; break;
        default: break;
        }
    }
    if (c == KS_CLI_EXIT)
        return ctx->exit;
    if (optind < argc - 1)
        return ks_cli_usage_error("threshold", "at most one value");
    if (optind < argc) {
        char *end;
        a->k = strtol(argv[optind], &end, 10);
        if (*end || a->k < KS_THRESHOLD_MIN || a->k > KS_THRESHOLD_MAX)
            return ks_cli_usage_error("threshold", "K must be a whole number from %d to %d", KS_THRESHOLD_MIN,
                                      KS_THRESHOLD_MAX);
    }
    return -1;
}

int cmd_threshold(ks_cli_ctx *ctx, int argc, char **argv)
{
    threshold_args a = {0};
    int status = parse_args(ctx, argc, argv, &a);
    if (status >= 0)
        return status;
    if ((status = ks_cli_setup(ctx)) != KS_EXIT_OK)
        return status;
    if (!a.k && !a.method && !a.ptable) {
        status = threshold_show(ctx->db_path, a.verbose);
    } else {
        /* the key only to set, with its own message (not the setup's) */
        const char *key_path = ks_cli_key_path(ctx->key_opt);
        if (!key_path)
            return ks_cli_usage_error("threshold", "setting k, the method or the ptable needs the database's key: "
                                                   "give --key FILE");
        status = threshold_set(ctx->db_path, key_path, &a);
    }
    ks_error err = {0};
    if (status == KS_EXIT_OK && ks_close_stdout(&err))
        status = ks_cli_fail(&err);
    return status;
}
