/* cmd_import.c: `kasane import` (and the shared body of `kasane validate`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "import.h"
#include "profile.h"
#include "pseudo.h"

enum { O_PROFILE = 256, O_ENCODING, O_MAPPING, O_STRICT, O_REJECTS, O_MAXFIELD, O_UNLISTED };

/* The rows import and validate share. */
/* clang-format off */
#define ROW_PROFILE {"profile", O_PROFILE, "NAME",                                                 \
    "municipality profile: mitaka (default), komaki, chigasaki, kobayashi, or a directory "        \
    "holding districts.csv and partners.csv"}
#define ROW_ENCODING {"encoding", O_ENCODING, "E", "utf-8 or cp932 (default: detected)"}
#define ROW_MAPPING {"mapping", O_MAPPING, "FILE",                                                 \
    "CSV of 'your header,field' lines for a city's own header names"}
#define ROW_MAXFIELD {"max-field", O_MAXFIELD, "BYTES",                                            \
    "longest field accepted (default 1048576); a record may hold 1000 fields and twice this "      \
    "many bytes (plus 64 KiB)"}
#define ROW_UNLISTED {"list-unlisted", O_UNLISTED, NULL,                                           \
    "print the partner names not in the profile, with counts, to standard error (to add them "    \
    "to the profile); they are never stored"}
#define ROW_QUIET {"quiet", 'q', NULL, "no progress line even on a terminal"}
/* clang-format on */

static const ks_cli_opt import_opts[] = {
    KS_CLI_TEXT("Options:\n"),
    {"db", KS_CLI_OPT_DB, "FILE", "the database (created if missing; default $KASANE_DB)"},
    {"key", KS_CLI_OPT_KEY, "FILE",
     "the pseudonymisation key (default $KASANE_KEY); the database remembers the key's fingerprint and "
     "refuses any other key"},
    ROW_PROFILE,
    ROW_ENCODING,
    ROW_MAPPING,
    {"strict", O_STRICT, NULL, "import nothing if any row is rejected"},
    {"rejects", O_REJECTS, "FILE",
     "rejects report (file, line, column, field, reason; never a value); default DB.rejects.csv when rows "
     "are rejected"},
    ROW_MAXFIELD,
    ROW_UNLISTED,
    ROW_QUIET,
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec import_spec = {
    .usage = "usage: kasane import --db FILE --key FILE [--profile NAME] [--encoding E]\n"
             "                     [--mapping FILE] [--strict] [--rejects FILE] INPUT.csv...\n\n"
             "Imports coordinators' case-record CSV files (UTF-8 or CP932, Japanese or English\n"
             "headers) into a pseudonymised SQLite database, in one transaction: it commits\n"
             "whole or leaves the database exactly as it was.  Identifiers become keyed\n"
             "pseudonyms, the birth date an age band; names, kana, addresses, phones and notes\n"
             "are dropped.  A record already present (same record_id) is updated in place;\n"
             "importing the same file again changes nothing.\n\n",
    .opts = import_opts,
    .n_opts = KS_ARRAY_LEN(import_opts),
    .more = "A new database is built as DB.importing and renamed to DB when complete; a\n"
            "DB.importing that this user did not create is refused, not reused.  Inputs must\n"
            "be regular files, and one that changes while it is read imports nothing.  The\n"
            "rejects report is written before the commit: if it cannot be, nothing is imported.\n"
            "Sorted runs of pseudonyms and of keyed record-id hashes (never an identifier)\n"
            "go to unlinked temporary files in $TMPDIR (default /tmp), so that memory stays\n"
            "flat; record ids repeated within one import make the input be read twice.\n"
            "Memory is locked against swap where allowed (CAP_IPC_LOCK or a memory-lock\n"
            "limit of 1 GiB or more); the summary says whether it was.\n",
};

/* validate takes import's options: --db and --key only to refuse them with
 * a reason; --strict (exit 1 with its message) is accepted but not listed. */
static const ks_cli_opt validate_opts[] = {
    KS_CLI_TEXT("Options:\n"),
    {"db", KS_CLI_OPT_DB, "FILE", NULL},
    {"key", KS_CLI_OPT_KEY, "FILE", NULL},
    ROW_PROFILE,
    ROW_ENCODING,
    ROW_MAPPING,
    {"strict", O_STRICT, NULL, NULL},
    {"rejects", O_REJECTS, "FILE", "rejects report (file, line, column, field, reason; never a value)"},
    ROW_MAXFIELD,
    ROW_UNLISTED,
    ROW_QUIET,
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec validate_spec = {
    .usage = "usage: kasane validate [--profile NAME] [--encoding E] [--mapping FILE]\n"
             "                       [--rejects FILE] INPUT.csv...\n\n"
             "Checks case-record CSV files exactly as 'kasane import' would, and writes\n"
             "nothing but the optional rejects report.  No key and no database are needed.\n\n",
    .opts = validate_opts,
    .n_opts = KS_ARRAY_LEN(validate_opts),
};

/* What the options chose, besides ks_import_opts. */
typedef struct import_args {
    const char *profile_name; /* --profile, "mitaka" by default */
    const char *mapping_path; /* --mapping, NULL when none */
    const char *rejects;      /* --rejects, NULL: DB.rejects.csv when importing */
    int quiet;                /* -q */
} import_args;

enum { GO_ON = -1 }; /* parse_options: no reason to stop */

/* Reads the options into *a and *o: GO_ON, or the status to return now
 * (after --help, KS_EXIT_OK; a usage error). */
static int parse_options(ks_cli_ctx *ctx, int argc, char **argv, int validating, import_args *a,
                         ks_import_opts *o)
{
    const char *name = ctx->cmd->name;
    ks_error err = {0};
    int c;
    while ((c = ks_cli_getopt(ctx, validating ? &validate_spec : &import_spec, argc, argv)) >= 0) {
        switch (c) {
        case O_PROFILE: a->profile_name = optarg; break;
        case O_ENCODING:
            if (ks_encoding_parse(optarg, &o->encoding, &err))
                return ks_cli_usage_error(name, "%s", err.msg);
            break;
        case O_MAPPING: a->mapping_path = optarg; break;
        case O_STRICT: o->strict = true; break;
        case O_REJECTS: a->rejects = optarg; break;
        case O_MAXFIELD: {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || v < 1024)
                return ks_cli_usage_error(name, "--max-field needs a number of bytes >= 1024");
            o->max_field = (size_t)v;
            break;
        }
        case O_UNLISTED: o->list_unlisted = true; break;
        case 'q': a->quiet = 1; break;
        default: break;
        }
    }
    if (c == KS_CLI_EXIT)
        return ctx->exit;
    if (optind == argc)
        return ks_cli_usage_error(name, "no input file");
    if (validating && (ctx->db_opt || ctx->key_opt))
        return ks_cli_usage_error(name, "validate writes nothing: --db and --key do not apply");
    return GO_ON;
}

/* The success lines on stdout: what was imported or validated, the
 * summary, and whether memory was locked. */
static void print_done(int nfiles, int validating, const ks_import_opts *o, const ks_import_stats *st,
                       ks_memlock lock)
{
    if (validating)
        printf("validated %d file(s) with profile '%s' (%s)\n", nfiles, ks_profile_name(o->profile), st->encoding);
    else
        printf("imported %d file(s) into '%s' with profile '%s' (%s), batch %lld\n", nfiles, o->db_path,
               ks_profile_name(o->profile), st->encoding, (long long)st->batch_id);
    ks_import_print_summary(stdout, st, validating);
    static const char *const lock_note[] = {
        [KS_MEMLOCK_LOCKED] = "locked in RAM: identifiers in its buffers never reach swap",
        [KS_MEMLOCK_NO_PERMISSION] = "not locked (needs CAP_IPC_LOCK or RLIMIT_MEMLOCK >= 1 GiB): "
                                     "identifiers in its buffers could reach swap",
        [KS_MEMLOCK_FAILED] = "not locked (mlockall failed): identifiers in its buffers could reach swap",
        [KS_MEMLOCK_SKIPPED] = "not locked (sanitizer build)",
    };
    printf("memory: %s\n", lock_note[lock]);
}

int cmd_import_common(ks_cli_ctx *ctx, int argc, char **argv, int validating)
{
    import_args a = {.profile_name = "mitaka"};
    ks_import_opts o = {0};
    int status = parse_options(ctx, argc, argv, validating, &a, &o);
    if (status != GO_ON)
        return status;
    ks_error err = {0};
    ks_profile *profile = NULL;
    ks_mapping *mapping = NULL;
    char *default_rejects = NULL;
    ks_import_stats st;
    memset(&st, 0, sizeof st);

    /* import: the database and the key (validate's flags ask for nothing) */
    if ((status = ks_cli_setup(ctx)) != KS_EXIT_OK)
        goto done;
    o.db_path = ctx->db_path;
    o.key = ctx->key;
    if (!(profile = ks_profile_load(a.profile_name, &err)) ||
        (a.mapping_path && !(mapping = ks_mapping_load(a.mapping_path, &err)))) {
        status = ks_cli_fail(&err);
        goto done;
    }
    o.profile = profile;
    o.mapping = mapping;
    if (!a.rejects && o.db_path) {
        size_t n = strlen(o.db_path) + sizeof ".rejects.csv";
        default_rejects = ks_malloc(n);
        snprintf(default_rejects, n, "%s.rejects.csv", o.db_path);
        a.rejects = default_rejects;
    }
    o.rejects_path = a.rejects;
    o.progress = !a.quiet && isatty(STDERR_FILENO);
    /* Identifiers pass through the import's buffers: keep them out of swap
     * where the system lets us (util.h). */
    ks_memlock lock = ks_memory_lock_all();

    int rc = ks_import(&o, (const char *const *)argv + optind, (size_t)(argc - optind), &st, &err);
    ks_import_print_rejects(stderr, &st);
    ks_import_print_unlisted(stderr, &st);
    if (rc < 0 && rc != -KS_EDATA) {
        status = ks_cli_fail(&err);
        goto done;
    }
    if (rc == 0)
        print_done(argc - optind, validating, &o, &st, lock);
    if (st.rejected && a.rejects)
        fprintf(stderr, "kasane: %llu rejected row(s) listed in '%s'\n", (unsigned long long)st.rejected, a.rejects);
    if (rc == -KS_EDATA)
        status = ks_cli_fail(&err);
    else if (st.rejected)
        status = KS_EXIT_DATA;
    if (ks_close_stdout(&err) && status == KS_EXIT_OK)
        status = ks_cli_fail(&err);
done:
    ks_import_stats_release(&st);
    free(default_rejects);
    ks_mapping_free(mapping);
    ks_profile_free(profile);
    return status;
}

int cmd_import(ks_cli_ctx *ctx, int argc, char **argv) { return cmd_import_common(ctx, argc, argv, 0); }
