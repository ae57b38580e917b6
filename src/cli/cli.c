/* cli.c: helpers shared by the subcommands. */
#include "cli.h"

#include <stdlib.h>

const char ks_cli_exit_help[] =
    "Exit status:\n"
    "  0  success\n"
    "  1  data errors (rows rejected, file invalid, --strict refused the import)\n"
    "  2  usage error (bad option, missing file)\n"
    "  3  refused for safety (key file permissions or size, wrong key, row-level output)\n"
    "  4  environment error (I/O, database, out of memory)\n";

int ks_cli_fail(const ks_error *err)
{
    ks_errorf("%s", err->msg[0] ? err->msg : "unknown failure");
    return ks_exit_code(err->code ? err->code : KS_EIO);
}

int ks_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kasane %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'kasane %s --help'.\n", cmd);
    va_end(ap);
    return KS_EXIT_USAGE;
}

const char *ks_cli_db_path(const char *opt)
{
    if (opt) /* --db "" names no file: a usage error, not a database called ".importing" */
        return *opt ? opt : NULL;
    const char *env = getenv("KASANE_DB");
    return env && *env ? env : NULL;
}

const char *ks_cli_key_path(const char *opt)
{
    if (opt)
        return opt;
    const char *env = getenv("KASANE_KEY");
    return env && *env ? env : NULL;
}
